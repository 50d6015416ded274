"""positive-language: negative framing is a warning, with a "here is what we can do" hint."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails
from service.models import Severity, Verdict

from .support import CALM, evidence, findings

RULE = "positive-language"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't change the invoice date.", ["I can't"]),
        ("We cannot refund annual plans.", ["We cannot"]),
        ("Unfortunately there is nothing we can do.", ["Unfortunately there is nothing"]),
        ("That's not possible with your plan.", ["not possible"]),
        ("That is not our policy.", ["not our policy"]),
        ("There is no way to undo a deletion.", ["There is no way"]),
        ("We\u2019re unable to restore it.", ["We\u2019re unable to"]),
        ("No podemos cambiar la fecha.", ["No podemos"]),
        ("Wir können das leider nicht ändern.", ["Wir können das leider nicht"]),
        ("Das ist leider nicht möglich.", ["Das ist leider nicht möglich"]),
        ("Nous ne pouvons pas modifier la facture.", ["Nous ne pouvons pas"]),
        ("Ce n'est pas possible.", ["Ce n'est pas possible"]),
        ("Não podemos alterar a data.", ["Não podemos"]),
    ],
)
def test_negative_framing_is_a_warning(guardrails: Guardrails, text: str, expected: list[str]) -> None:
    report = guardrails.check(text)
    assert evidence(text, report, RULE) == expected
    for finding in findings(report, RULE):
        assert finding.severity is Severity.warn
        assert finding.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "I can't imagine how stressful this week has been.",
        "We can't thank you enough for the detailed report.",
        "I can't wait to hear how the launch goes.",
        "If that's not possible, we can send a new link.",
        "Here is what we can do: I'll reissue the invoice today.",
        "No puedo imaginar lo frustrante que es.",
        'You wrote "I can\'t log in" twice.',
    ],
)
def test_empathy_and_quotes_are_not_negative_framing(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


def test_warning_alone_gives_a_warn_verdict(guardrails: Guardrails) -> None:
    report = guardrails.check(
        # A refusal with no alternative (a credit offered after it would clear the warning).
        "I understand how frustrating this is. We cannot refund it, and I'll confirm the balance today.",
        CALM,
    )
    assert [f.rule for f in report.findings] == [RULE]
    assert report.verdict is Verdict.warn


@pytest.mark.parametrize(
    "text",
    [
        "We can't extend the trial past 30 days, but we can give you a second month at half price.",
        "No podemos cambiar el vuelo de hoy, pero sí te puedo pasar al de mañana sin coste.",
        "Eine Erstattung ist leider nicht möglich, aber wir können Ihnen einen Gutschein anbieten.",
        "Nous ne pouvons pas annuler la commande expédiée ; ce que je peux faire, c'est organiser le retour.",
        "Não conseguimos trocar o modelo, mas posso oferecer o conserto gratuito na loja.",
    ],
)
def test_a_refusal_followed_by_an_alternative_is_fine(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        "We can't extend the trial past 30 days, but we can't offer a discount either.",
        "Es ist leider nicht möglich, den Vertrag vorzeitig zu beenden.",
        "Nous ne pouvons pas rembourser les frais, c'est notre politique.",
    ],
)
def test_a_refusal_with_no_alternative_is_flagged(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) != []


def test_agreement_is_not_a_refusal(guardrails: Guardrails) -> None:
    for text in ("Honestly, I can't blame you for being cross.", "Je ne peux pas vous donner tort."):
        assert findings(guardrails.check(text), RULE) == [], text
