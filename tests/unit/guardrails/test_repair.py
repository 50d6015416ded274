"""repair: insert a missing acknowledgement after the greeting; deterministic and idempotent."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.guardrails.edits import apply_edits
from service.guardrails.rules import Edit
from service.language.analysis import Emotion
from service.language.empathy import acknowledgement_for

from .support import CALM, UPSET, analysis, context, findings

ACK = acknowledgement_for(analysis(Emotion.frustrated))


def repaired(g: Guardrails, text: str, ctx: CheckContext | None = UPSET) -> str:
    return g.repair(text, g.check(text, ctx), ctx)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hi Ana,\n\nI re-ran the export.\n\nBest,\nSam",
            f"Hi Ana,\n\n{ACK} I re-ran the export.\n\nBest,\nSam",
        ),
        ("Hello,\nI re-ran the export.", f"Hello,\n{ACK} I re-ran the export."),
        ("Dear Mr. Li:\r\n\r\nI re-ran it.", f"Dear Mr. Li:\r\n\r\n{ACK} I re-ran it."),
        ("Hi Ana, I re-ran the export.", f"Hi Ana, {ACK} I re-ran the export."),
        ("I re-ran the export.", f"{ACK} I re-ran the export."),
        ("  I re-ran the export.", f"  {ACK} I re-ran the export."),
        ("Hi Ana,", f"Hi Ana,\n\n{ACK}"),
        ("", ACK),
        (
            "Hi Ana,\n\n1. Open Settings\n2. Click Export",
            f"Hi Ana,\n\n{ACK}\n\n1. Open Settings\n2. Click Export",
        ),
        (
            "Hi Ana,\n\n> my export failed\n\nFixed now.",
            f"Hi Ana,\n\n{ACK}\n\n> my export failed\n\nFixed now.",
        ),
    ],
)
def test_acknowledgement_goes_after_the_greeting(guardrails: Guardrails, text: str, expected: str) -> None:
    result = repaired(guardrails, text)
    assert result == expected
    assert not findings(guardrails.check(result, UPSET), "acknowledgement")


@pytest.mark.parametrize(
    ("text", "language", "greeting"),
    [
        ("Hola Ana:\n\nHemos revisado su cuenta.", "es", "Hola Ana:\n\n"),
        ("Hallo Herr Weber,\n\nwir haben Ihr Konto geprüft.", "de", "Hallo Herr Weber,\n\n"),
        ("Bonjour Marie,\n\nnous avons vérifié votre compte.", "fr", "Bonjour Marie,\n\n"),
        ("Olá Ana,\n\nverificamos a sua conta.", "pt", "Olá Ana,\n\n"),
    ],
)
def test_acknowledgement_is_in_the_customer_language(
    guardrails: Guardrails, text: str, language: str, greeting: str
) -> None:
    ctx = context(Emotion.anxious, language=language)
    result = repaired(guardrails, text, ctx)
    sentence = acknowledgement_for(analysis(Emotion.anxious, language=language))
    assert result == greeting + sentence + " " + text[len(greeting) :]
    assert not findings(guardrails.check(result, ctx), "acknowledgement")


def test_weak_courtesy_for_an_upset_customer_is_strengthened(guardrails: Guardrails) -> None:
    text = "Hi Ana,\n\nThanks for contacting us. The export is fixed."
    result = repaired(guardrails, text)
    assert result == f"Hi Ana,\n\n{ACK} Thanks for contacting us. The export is fixed."


def test_repair_is_idempotent(guardrails: Guardrails) -> None:
    text = "Hi Ana,\n\nThe export is fixed."
    report = guardrails.check(text, UPSET)
    once = guardrails.repair(text, report, UPSET)
    assert once != text
    assert guardrails.repair(once, guardrails.check(once, UPSET), UPSET) == once
    # Even with the stale report of the original text, nothing is inserted twice.
    assert guardrails.repair(once, report, UPSET) == once


def test_passing_text_is_returned_unchanged(guardrails: Guardrails) -> None:
    text = "Hi Ana,\n\nI'm so sorry the export failed. It is fixed."
    assert repaired(guardrails, text) == text


def test_nothing_safely_fixable_returns_the_text(guardrails: Guardrails) -> None:
    text = "I understand how frustrating this is, but you should have read the docs."
    report = guardrails.check(text, CALM)
    assert findings(report, "no-blame")
    assert guardrails.repair(text, report, CALM) == text


def test_an_unclosed_quote_on_the_greeting_line_falls_back_to_the_start(guardrails: Guardrails) -> None:
    text = 'Hi "Ana, the export "works" now.'
    result = repaired(guardrails, text)
    assert result == f"{ACK}\n\n{text}"
    assert not findings(guardrails.check(result, UPSET), "acknowledgement")


def test_repair_without_context_uses_the_reply_language(guardrails: Guardrails) -> None:
    text = "Hola,\n\nHemos revisado la cuenta y todo está en orden."
    result = repaired(guardrails, text, None)
    assert (
        result == "Hola,\n\n" + acknowledgement_for(analysis(language="es")) + " " + text[len("Hola,\n\n") :]
    )


def test_apply_edits_right_to_left_and_drops_overlaps() -> None:
    text = "abcdef"
    edits = [Edit(0, 0, "<"), Edit(2, 4, "XY"), Edit(3, 5, "no"), Edit(6, 6, ">")]
    # Applied from the right: (3, 5) goes in, then (2, 4) overlaps it and is dropped.
    assert apply_edits(text, edits) == "<abcnof>"
    assert apply_edits(text, [Edit(1, 2, "B"), Edit(4, 5, "E")]) == "aBcdEf"
    assert apply_edits(text, [Edit(5, 9, "x")]) == text  # out of range: ignored


def test_an_llm_draft_never_gets_a_stock_acknowledgement(guardrails: Guardrails) -> None:
    text = "Hi Ana,\n\nThe export is fixed."
    report = guardrails.check(text, UPSET)
    repaired_text, after = guardrails.repair_and_check(text, report, UPSET, stock_acknowledgement=False)
    assert repaired_text == text
    assert findings(after, "acknowledgement")
