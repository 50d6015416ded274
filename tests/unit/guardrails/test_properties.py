"""Properties and metamorphic relations, over generated replies.

Replies are built from fragments that exercise every rule (acknowledgements of each strength,
blame and its negations, negative framing, placeholders, secrets, quotes) glued with varied
whitespace, plus arbitrary Unicode text for the invariants that must hold for any input.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from service.guardrails import CheckContext, Guardrails, load_guardrails
from service.language.analysis import Emotion
from service.models import GuardrailReport, Severity

from .support import context

pytestmark = pytest.mark.slow  # property sweeps over generated replies

GUARDRAILS = load_guardrails()  # module level: hypothesis and function fixtures do not mix well

PROSE = [
    "Hi Ana,",
    "Hello,",
    "Hola Ana:",
    "Bonjour Marie,",
    "I understand how frustrating this must be.",
    "I'm sorry your payroll run failed.",
    "Thanks for contacting us.",
    "We apologize for any inconvenience.",
    "Sorry you feel that way.",
    "I understand, but you should have read the docs.",
    "Entiendo lo frustrante que es.",
    "Es tut mir sehr leid, dass das passiert ist.",
    "Je comprends tout à fait votre inquiétude.",
    "Lamento muito o que aconteceu.",
    "This is not your fault.",
    "This is your fault.",
    "As I already told you, the export is weekly.",
    "You should have received an e-mail.",
    "We cannot refund annual plans.",
    "I can't imagine how stressful that was.",
    "That's not possible with your plan.",
    "No podemos cambiar la fecha.",
    "Hi [Name], thanks.",
    "Your code: <insert code here>.",
    "See the FAQ [1] and the [docs](https://example.com/docs).",
    "Order XXX ships today.",
    "Dear $FIRST_NAME,",
    "{{first_name}}, your plan renews.",
    "I re-ran the export and it is ready in Reports.",
    "Let me know if anything else comes up.",
    "Best,\nSam",
    "> I can't log in and it's your fault",
    '"It\'s your fault", you wrote.',
    "Straße, café, naïve, ﬁle.",
]
# Case-sensitive by definition: a changed case is a different token, so the case relation skips them.
CASED = [
    "TODO: add the amount.",
    "Token: ghp_" + "a1B2" * 9,
    "Key sk-proj-" + "Q" * 30,
    "AWS key AKIA" + "IOSFODNN7EXAMPLE",
    "Password: Hunter22!",
]
SEPARATORS = [" ", "\n", "\n\n", "  ", "\t"]

fragments = st.lists(
    st.tuples(st.sampled_from(PROSE + CASED), st.sampled_from(SEPARATORS)), min_size=1, max_size=8
)
contexts = st.sampled_from(
    [None, context(), context(Emotion.angry), context(urgent=True), context(Emotion.confused, language="es")]
)
secret_bodies = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=36, max_size=40
)
ODD_CHARACTERS = [*"aAbß ,.!?\"'>[]{}<_-:x\n\r\t", "\u200b", "\u00a0", "\u2019", "\u201c", "\u201d"]
ODD_PIECES = [
    "e\u0301",
    "\ufb01",
    "İ",
    "your fault",
    "sorry",
    "I understand",
    "ghp_",
    "TODO",
    "[Name]",
    "Hi ",
    "\r\n",
]
weird_text = st.lists(st.sampled_from([*ODD_CHARACTERS, *ODD_PIECES]), max_size=40).map("".join)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def join(parts: list[tuple[str, str]]) -> str:
    return "".join(fragment + sep for fragment, sep in parts)


def rule_counts(report: GuardrailReport) -> Counter[str]:
    return Counter(f.rule for f in report.findings if f.severity is not Severity.info)


def blocking(report: GuardrailReport) -> Counter[str]:
    return Counter(f.rule for f in report.findings if f.severity is Severity.block)


def check(text: str, ctx: CheckContext | None = None, g: Guardrails = GUARDRAILS) -> GuardrailReport:
    return g.check(text, ctx)


# ------------------------------------------------------------------ invariants


@PROPERTY
@given(st.one_of(fragments.map(join), weird_text, st.text(max_size=200)), contexts)
def test_offsets_are_always_valid_evidence(text: str, ctx: CheckContext | None) -> None:
    for finding in check(text, ctx).findings:
        if finding.start is None:
            assert finding.end is None
            continue
        assert finding.end is not None
        assert 0 <= finding.start < finding.end <= len(text)


@PROPERTY
@given(st.one_of(fragments.map(join), weird_text), contexts)
def test_repair_never_adds_a_blocking_finding(text: str, ctx: CheckContext | None) -> None:
    before = check(text, ctx)
    repaired = GUARDRAILS.repair(text, before, ctx)
    after = check(repaired, ctx)
    for rule, count in blocking(after).items():
        assert count <= blocking(before)[rule], (rule, repaired)
    if repaired != text:
        assert not after.failed("acknowledgement")
    # idempotent, with a fresh or a stale report
    assert GUARDRAILS.repair(repaired, after, ctx) == repaired
    assert GUARDRAILS.repair(repaired, before, ctx) == repaired


@PROPERTY
@given(fragments.map(join), contexts)
def test_repair_fixes_every_missing_acknowledgement_in_well_formed_replies(
    text: str, ctx: CheckContext | None
) -> None:
    report = check(text, ctx)
    assume(report.failed("acknowledgement"))
    repaired = GUARDRAILS.repair(text, report, ctx)
    assert not check(repaired, ctx).failed("acknowledgement"), repaired


@PROPERTY
@given(
    fragments.map(join),
    st.sampled_from(
        ["ghp_", "gho_", "sk-", "sk-proj-", "sk_live_", "xoxb-", "AKIA", "password: X9", "whsec_"]
    ),
    secret_bodies,
    fragments.map(join),
)
def test_no_secret_value_ever_appears_in_messages_or_instructions(
    before: str, prefix: str, body: str, after: str
) -> None:
    secret = prefix + (body.upper()[:16] if prefix == "AKIA" else body)
    text = f"{before} {secret} {after}"
    report = check(text, context(Emotion.frustrated))
    secrets = [f for f in report.findings if f.rule == "secret"]
    assert secrets
    value = secret.removeprefix("password: ")
    for finding in report.findings:
        assert value not in finding.message
        assert value not in (finding.suggestion or "")
    for instruction in GUARDRAILS.reask_instructions(report):
        assert value not in instruction


# ------------------------------------------------------------------ metamorphic relations


def prose_case(parts: list[tuple[str, str]], change: str) -> str:
    def apply(fragment: str) -> str:
        if fragment in CASED:
            return fragment
        return (
            fragment.upper()
            if change == "upper"
            else fragment.lower()
            if change == "lower"
            else fragment.title()
        )

    return "".join(apply(fragment) + sep for fragment, sep in parts)


@PROPERTY
@given(fragments, contexts, st.sampled_from(["upper", "lower", "title"]))
def test_case_does_not_change_which_rules_fire(
    parts: list[tuple[str, str]], ctx: CheckContext | None, change: str
) -> None:
    # Shouting is about case by definition: it is the one rule a change of case may turn on.
    def counts(text: str) -> Counter[str]:
        found = rule_counts(check(text, ctx))
        del found["shouting"]
        return found

    assert counts(join(parts)) == counts(prose_case(parts, change))


def curly(text: str) -> str:
    out: list[str] = []
    opening = True
    for char in text:
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            out.append("\u2019" if char == "'" else char)
    return "".join(out)


@PROPERTY
@given(fragments.map(join), contexts)
def test_curly_quotes_do_not_change_which_rules_fire(text: str, ctx: CheckContext | None) -> None:
    assert rule_counts(check(text, ctx)) == rule_counts(check(curly(text), ctx))


@PROPERTY
@given(fragments.map(join), contexts)
def test_double_spaces_and_crlf_do_not_change_which_rules_fire(text: str, ctx: CheckContext | None) -> None:
    expected = rule_counts(check(text, ctx))
    assert rule_counts(check(text.replace(" ", "  "), ctx)) == expected
    assert rule_counts(check(text.replace("\n", "\r\n"), ctx)) == expected


@PROPERTY
@given(fragments.map(join), contexts, st.data())
def test_zero_width_characters_do_not_change_which_rules_fire(
    text: str, ctx: CheckContext | None, data: st.DataObject
) -> None:
    positions = data.draw(st.lists(st.integers(0, len(text)), max_size=12))
    noisy = text
    for position in sorted(positions, reverse=True):
        noisy = (
            noisy[:position]
            + data.draw(st.sampled_from(["\u200b", "\u200c", "\u2060", "\ufeff"]))
            + noisy[position:]
        )
    # Every rule reads through them, except unsafe-content, whose job is to report them.
    before, after = rule_counts(check(text, ctx)), rule_counts(check(noisy, ctx))
    before.pop("unsafe-content", None)
    hidden = after.pop("unsafe-content", None)
    assert before == after
    if noisy.lstrip("\ufeff") != text.lstrip("\ufeff"):
        assert hidden


EMOJI = ["\U0001f642", "\U0001f44d", "\u2764\ufe0f", "\U0001f389", "\U0001f1ea\U0001f1f8"]


@PROPERTY
@given(fragments, contexts, st.data())
def test_emoji_between_words_do_not_change_which_rules_fire(
    parts: list[tuple[str, str]], ctx: CheckContext | None, data: st.DataObject
) -> None:
    # An emoji at the end of a fragment (before its separator), as people put them.
    noisy = "".join(
        fragment + (" " + data.draw(st.sampled_from(EMOJI)) if data.draw(st.booleans()) else "") + sep
        for fragment, sep in parts
    )
    assert rule_counts(check(join(parts), ctx)) == rule_counts(check(noisy, ctx))


# A UK mobile: a bare US line with no personal cue reads as a company number (decision 87).
PII_VALUES = ["4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "jo.doe@mailbox.org", "+44 7700 900123"]


@PROPERTY
@given(fragments.map(join), st.sampled_from(PII_VALUES), fragments.map(join), contexts)
def test_no_pii_value_ever_appears_in_messages_or_instructions(
    before: str, value: str, after: str, ctx: CheckContext | None
) -> None:
    text = f"{before} {value} {after}"
    report = check(text, ctx)
    assert any(f.rule == "pii" for f in report.findings)
    for finding in report.findings:
        assert value not in finding.message
        assert value not in (finding.suggestion or "")
    for instruction in GUARDRAILS.reask_instructions(report):
        assert value not in instruction
