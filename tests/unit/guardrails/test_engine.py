"""The engine: verdicts, ruleset version, severity overrides, re-ask instructions, purity."""

from __future__ import annotations

import builtins
import importlib.resources
import pathlib
import socket
from typing import Any

import pytest

from service.guardrails import CheckContext, Guardrails, load_guardrails, verdict_of
from service.models import Finding, GuardrailReport, Severity, Verdict

from .support import UPSET, fired, thread

BLOCKING = "Hi [Name],\n\nYou should have read the docs. We cannot refund. Token: ghp_" + "a" * 36
CLEAN = "Hi Ana,\n\nI'm so sorry the export failed. I've re-run it and it is ready in Reports."


def finding(rule: str, severity: Severity) -> Finding:
    return Finding(rule=rule, severity=severity, message="m")


@pytest.mark.parametrize(
    ("severities", "verdict"),
    [
        ([], Verdict.pass_),
        ([Severity.info], Verdict.pass_),
        ([Severity.info, Severity.warn], Verdict.warn),
        ([Severity.warn, Severity.block, Severity.info], Verdict.block),
    ],
)
def test_verdict(severities: list[Severity], verdict: Verdict) -> None:
    assert verdict_of([finding("x", s) for s in severities]) is verdict


def test_report_shape(guardrails: Guardrails) -> None:
    report = guardrails.check(BLOCKING, UPSET)
    assert report.verdict is Verdict.block
    assert report.ruleset_version == guardrails.version
    assert {"acknowledgement", "no-blame", "positive-language", "placeholder", "secret"} <= fired(report)
    # Rules report in registration order; a clean reply passes.
    assert report.findings[0].rule == "acknowledgement"
    assert guardrails.check(CLEAN, UPSET).verdict is Verdict.pass_


def test_rules_and_default_severities(guardrails: Guardrails) -> None:
    assert guardrails.rules == {
        "acknowledgement": Severity.block,
        "restates-issue": Severity.warn,
        "no-blame": Severity.warn,
        "no-dismissive": Severity.warn,
        "positive-language": Severity.warn,
        "off-limits-topic": Severity.block,
        "abuse": Severity.block,
        "unsafe-content": Severity.block,
        "next-steps": Severity.warn,
        "placeholder": Severity.block,
        "secret": Severity.block,
        "pii": Severity.warn,
        "prompt-leak": Severity.block,
        "parroting": Severity.warn,
        "shouting": Severity.warn,
        "length": Severity.warn,
        "language-match": Severity.warn,
        "signature": Severity.warn,
    }


def test_version_is_short_stable_and_follows_severities(guardrails: Guardrails) -> None:
    assert len(guardrails.version) == 12
    int(guardrails.version, 16)
    assert load_guardrails().version == guardrails.version
    stricter = load_guardrails({"positive-language": Severity.block})
    assert stricter.version != guardrails.version
    assert stricter.check("We cannot do that. I'm so sorry.", UPSET).verdict is Verdict.block


def test_info_override_does_not_count(guardrails: Guardrails) -> None:
    relaxed = load_guardrails({"positive-language": Severity.info})
    report = relaxed.check(
        "I'm so sorry about the double charge. We cannot refund it. I'll credit it.", UPSET
    )
    assert [f.severity for f in report.findings] == [Severity.info]
    assert report.verdict is Verdict.pass_
    assert relaxed.reask_instructions(report) == []


def test_unknown_override_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        load_guardrails({"no-such-rule": Severity.block})


def test_one_instruction_per_counting_finding(guardrails: Guardrails) -> None:
    report = guardrails.check(BLOCKING, UPSET)
    instructions = guardrails.reask_instructions(report)
    assert len(instructions) == len(report.findings)
    for line in instructions:
        assert "ghp_" not in line
        assert "[Name]" not in line
    unknown = GuardrailReport(
        verdict=Verdict.warn,
        ruleset_version="x",
        findings=[Finding(rule="retired-rule", severity=Severity.warn, message="m", start=1, end=4)],
    )
    assert guardrails.reask_instructions(unknown) == ["Fix the retired-rule problem at characters 1-4."]


def test_context_with_a_thread_is_analysed(guardrails: Guardrails) -> None:
    ctx = CheckContext(thread=thread("URGENT: production is down and I'm furious!"))
    assert "acknowledgement" in fired(guardrails.check("Thanks for contacting us.", ctx))


def test_check_and_repair_do_no_io(guardrails: Guardrails, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("I/O during a check")

    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(pathlib.Path, "read_bytes", forbidden)
    monkeypatch.setattr(importlib.resources, "files", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    ctx = CheckContext(thread=thread("My export failed again, this is so frustrating."))
    report = guardrails.check(BLOCKING, ctx)
    guardrails.repair(BLOCKING, report, ctx)
    guardrails.reask_instructions(report)
    load_guardrails()  # compiled once per process: no second read


def test_guardrails_import_nothing_from_the_web_layer_or_llm() -> None:
    root = pathlib.Path(__file__).resolve().parents[3] / "service" / "guardrails"
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for banned in (
            "service.api",
            "service.llm",
            "service.drafting",
            "litestar",
            "openai",
            "redis",
            "httpx",
        ):
            assert f"import {banned}" not in source, (path, banned)
            assert f"from {banned}" not in source, (path, banned)


def test_the_combined_flag_pass_finds_what_each_rule_finds_alone(guardrails: Guardrails) -> None:
    from service.guardrails.context import resolve
    from service.guardrails.document import Document
    from service.guardrails.evaluation import load_cases

    from .test_properties import PROSE

    texts = [case.reply for case in load_cases(pathlib.Path(__file__).parents[3] / "seeds" / "replies")]
    texts += [" ".join(PROSE), "Not a big deal, it's not a big deal: you're overreacting, as I said before."]
    windowed = [rule for rule in guardrails._by_id.values() if rule.flag_phrases]
    assert {rule.id for rule in windowed} >= {"no-blame", "no-dismissive", "positive-language", "prompt-leak"}
    for text in texts:
        report = guardrails.check(text)
        alone = resolve(None)  # flag_windows None: each rule scans the whole text
        for rule in windowed:
            expected = [(h.start, h.end, h.message) for h in rule.check(Document.of(text), alone)]
            got = [(f.start, f.end, f.message) for f in report.findings if f.rule == rule.id]
            assert got == expected, (rule.id, text)
