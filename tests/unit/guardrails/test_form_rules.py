"""shouting, length, language-match and signature: the form of a reply."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.models import Severity, Thread

from .support import context, evidence, findings


def email_thread(body: str = "My parcel has not arrived.", **extra: object) -> Thread:
    data: dict[str, object] = {
        "agent": {"name": "Sam"},
        "messages": [{"role": "customer", "body": body}],
    }
    data.update(extra)
    return Thread.model_validate(data)


# ------------------------------------------------------------------ shouting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PLEASE RESTART THE ROUTER now.", ["PLEASE RESTART THE ROUTER"]),
        ("Done. I AM NOT GOING TO REPEAT IT.", ["I AM NOT GOING TO REPEAT IT"]),
        ("Your refund is on its way!!!", ["!!!"]),
        ("Wow!! THAT IS REALLY GREAT NEWS", ["!!", "THAT IS REALLY GREAT NEWS"]),
    ],
)
def test_shouting_with_exact_spans(guardrails: Guardrails, text: str, expected: list[str]) -> None:
    report = guardrails.check(text)
    assert evidence(text, report, "shouting") == expected
    assert {f.severity for f in findings(report, "shouting")} == {Severity.warn}


@pytest.mark.parametrize(
    "text",
    [
        "Export the CSV via the API over HTTPS (see the FAQ).",
        "Your VPN and SSO settings are OK.",
        "IMPORTANT: the update is ready.",
        "Great news!",
        "Use PIN 4 digits, then the OTP, then the MFA app.",
    ],
)
def test_acronyms_and_labels_are_not_shouting(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), "shouting") == []


def test_shouting_repair_lowers_the_run_and_is_idempotent(guardrails: Guardrails) -> None:
    text = "I'm so sorry about the parcel. PLEASE CHECK THE TRACKING LINK!!! I'll follow up tomorrow."
    report = guardrails.check(text, context())
    repaired, after = guardrails.repair_and_check(text, report, context())
    assert (
        repaired == "I'm so sorry about the parcel. Please check the tracking link! I'll follow up tomorrow."
    )
    assert findings(after, "shouting") == []
    assert after == guardrails.check(repaired, context())
    assert guardrails.repair(repaired, after, context()) == repaired


# ------------------------------------------------------------------ length


def test_length_per_channel(guardrails: Guardrails) -> None:
    sentence = "I'm sorry about the delay and I will check the parcel today. "
    sms = CheckContext(thread=email_thread(channel="sms"))
    text = sentence * 10  # ~600 characters
    report = guardrails.check(text, sms)
    (finding,) = findings(report, "length")
    assert finding.start is not None
    assert finding.start == 480 or text[finding.start - 1] == " "
    assert finding.end == len(text.rstrip())
    assert findings(guardrails.check(text, CheckContext(thread=email_thread())), "length") == []


def test_length_follows_max_words_and_flags_too_short(guardrails: Guardrails) -> None:
    words = " ".join(["word"] * 60)
    tight = CheckContext(thread=email_thread(options={"max_words": 40}))
    (finding,) = findings(guardrails.check(words, tight), "length")
    assert finding.start == len(" ".join(["word"] * 48)) + 1  # 40 x 1.2 slack
    (short,) = findings(guardrails.check("Thanks, done.", CheckContext(thread=email_thread())), "length")
    assert short.start is None
    assert "; an email reply needs at least" in short.message
    assert (
        findings(
            guardrails.check("Done, thanks a lot!", CheckContext(thread=email_thread(channel="chat"))),
            "length",
        )
        == []
    )


def test_spacing_does_not_change_the_count(guardrails: Guardrails) -> None:
    text = " ".join(["word"] * 401)
    assert findings(guardrails.check(text), "length")
    assert len(findings(guardrails.check(text.replace(" ", "  \u200b")), "length")) == 1


# ------------------------------------------------------------------ language-match


def test_reply_in_another_language_warns(guardrails: Guardrails) -> None:
    spanish = context(language="es")
    english = "I'm so sorry your parcel is late; I will check it with the courier today and write back."
    (finding,) = findings(guardrails.check(english, spanish), "language-match")
    assert finding.severity is Severity.warn
    assert "English" in finding.message
    assert "Spanish" in finding.message
    spanish_reply = (
        "Lamento mucho el retraso de su paquete; hoy lo reviso con la empresa de transporte y le escribo."
    )
    assert findings(guardrails.check(spanish_reply, spanish), "language-match") == []


def test_short_mixed_or_unknown_is_not_judged(guardrails: Guardrails) -> None:
    assert findings(guardrails.check("OK, done!", context(language="de")), "language-match") == []
    assert (
        findings(
            guardrails.check("I will check it today and write back.", context(language="ja")),
            "language-match",
        )
        == []
    )
    assert findings(guardrails.check("I will check it today and write back."), "language-match") == []


# ------------------------------------------------------------------ signature

BODY = "I'm sorry your parcel is late. I'll check with the courier today.\n\n"


@pytest.mark.parametrize(
    "closing",
    ["Best regards,\nSam", "Best, Sam", "Kind regards\nSam Lee\nAcme Support", "Un saludo,\nSam", "Sam"],
)
def test_one_sign_off_passes(guardrails: Guardrails, closing: str) -> None:
    assert findings(guardrails.check(BODY + closing, CheckContext(thread=email_thread())), "signature") == []


def test_missing_sign_off_on_email_only(guardrails: Guardrails) -> None:
    (missing,) = findings(guardrails.check(BODY, CheckContext(thread=email_thread())), "signature")
    assert missing.start is None
    chat = CheckContext(thread=email_thread(channel="chat"))
    assert findings(guardrails.check(BODY, chat), "signature") == []
    assert findings(guardrails.check(BODY), "signature") == []  # a macro: the helpdesk may sign it
    mid = "Thanks for waiting.\n" + BODY  # "Thanks for ..." is a sentence, not a sign-off
    assert findings(guardrails.check(mid, CheckContext(thread=email_thread())), "signature")


def test_duplicated_sign_off_points_at_the_second(guardrails: Guardrails) -> None:
    text = BODY + "Best regards,\nSam\n\nBest regards,\nSam"
    assert evidence(text, guardrails.check(text), "signature") == ["Best regards,"]
    (finding,) = findings(guardrails.check(text), "signature")
    assert finding.start == text.rindex("Best regards,")
