"""Internal notes as facts and constraints; the offline composer's honesty (agent-gap findings)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from service.drafting.composer import compose_offline, compose_offline_with_gaps
from service.drafting.pipeline import DraftPipeline, read_thread
from service.drafting.prompts import PromptBuilder
from service.drafting.redaction import Redactor
from service.language.analysis import analyse_thread
from service.language.empathy import restate_issue
from service.models import Severity, Thread
from tests.unit.drafting.conftest import MakeThread, offline_pipeline

FRAUD_NOTE = (
    "Account under fraud hold since 2 March. Do not unlock without a verified callback to the number on file."
)
REFUND_NOTE = "Refund RF-11902 issued on 4 March; it takes 5-10 business days to land."


def pipeline(builder: PromptBuilder) -> DraftPipeline:
    return offline_pipeline(builder, redactor=Redactor.load())


def test_the_composer_never_contradicts_a_note_constraint(make_thread: MakeThread) -> None:
    thread = make_thread(
        "I'm locked out of my account and need a password reset link today, please!",
        {"role": "note", "body": FRAUD_NOTE},
        customer={"name": "Maya Cohen"},
    )
    analysis = analyse_thread(thread)
    composed = compose_offline_with_gaps(thread, analysis)
    # Saying back what the customer asked is not an offer: look at everything else.
    reply = composed.text.replace(restate_issue(analysis), "").lower()
    for offer in ("reset link", "password reset", "unlock", "get back in"):
        assert offer not in reply
    assert "fraud" not in reply
    assert "callback" not in reply
    assert composed.gaps  # the agent is told the draft cannot know what to do


def test_a_refund_note_settles_the_next_step_deterministically(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Where is my refund? You said it was sent last week.",
        {"role": "note", "body": REFUND_NOTE},
    )
    composed = compose_offline_with_gaps(thread, analyse_thread(thread))
    assert "The refund (RF-11902) was issued." in composed.text
    assert "Depending on the bank, it usually takes 5-10 business days to show." in composed.text
    assert REFUND_NOTE not in composed.text
    assert composed.gaps == ()


def test_a_refund_note_is_not_volunteered_for_another_request(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My thermostat shows E-21 since this morning.", {"role": "note", "body": REFUND_NOTE}
    )
    assert "RF-11902" not in compose_offline(thread, analyse_thread(thread))


@pytest.mark.parametrize(
    "text",
    [
        "My smart thermostat shows E-21 and the heating is off.",
        "Our booking system at the clinic double-books appointments.",
        "We hit API rate limits (HTTP 429) at 600 requests per minute.",
    ],
)
def test_no_step_is_guessed_from_a_category(make_thread: MakeThread, text: str) -> None:
    reply = compose_offline(make_thread(text), analyse_thread(make_thread(text)))
    for guess in ("checking the charges", "warranty or service cover", "as soon as the service is back"):
        assert guess not in reply


def test_the_composer_never_asks_for_what_the_thread_contains(make_thread: MakeThread) -> None:
    text = (
        'Invoice INV-2291 from 3 March shows "Error 402" in the app (v5.0.2 on iOS 17). '
        "I already reinstalled."
    )
    reply = compose_offline(make_thread(text), analyse_thread(make_thread(text)))
    assert not re.search(
        r"(send|share|give)( me| us)? (the|your) (invoice|error|version|device)", reply, re.I
    )
    assert "?" not in reply.split("\n", 1)[1]  # the composer asks the customer nothing


async def test_offline_draft_reports_the_gap_with_a_span_and_never_shows_notes(
    builder: PromptBuilder,
) -> None:
    thread = Thread.model_validate(
        {
            "customer": {"name": "Maya"},
            "messages": [
                {"role": "customer", "body": "Can you unlock my account? I'm stuck before a trip."},
                {"role": "note", "body": FRAUD_NOTE},
            ],
        }
    )
    result = (await pipeline(builder).draft(thread)).result
    assert result.reply is not None
    assert FRAUD_NOTE not in result.reply
    assert not any(sentence in result.reply for sentence in FRAUD_NOTE.split(". "))
    gaps = [f for f in result.guardrails.findings if f.rule == "agent-gap"]
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap.severity is Severity.info
    assert gap.start is not None
    assert gap.end is not None
    # With notes, the honest step is "I'll come back with an answer", and the agent is pointed at them.
    assert result.reply[gap.start : gap.end] == (
        "I'm checking this now and will come back to you with a concrete answer."
    )
    assert "unlock my account" in gap.message
    assert "notes" in gap.message
    # The analysis rides along, with spans into the customer's message.
    assert result.analysis is not None
    request = result.analysis.request
    assert request is not None
    assert thread.messages[request.message].body[request.start : request.end] == request.text


def test_a_thread_whose_only_text_is_in_notes_is_refused_cleanly() -> None:
    for customer_body in ("", "   \n"):
        with pytest.raises(ValidationError, match="at least one customer message with visible text"):
            Thread.model_validate(
                {
                    "messages": [
                        {"role": "customer", "body": customer_body},
                        {"role": "note", "body": REFUND_NOTE},
                    ]
                }
            )
    with pytest.raises(ValidationError, match="at least one customer message"):
        Thread.model_validate({"messages": [{"role": "note", "body": REFUND_NOTE}]})


def test_notes_are_redacted_before_the_prompt(builder: PromptBuilder) -> None:
    thread = Thread.model_validate(
        {
            "messages": [
                {"role": "customer", "body": "Please call me back about my order 20240611-884."},
                {
                    "role": "note",
                    "body": "Customer's private mobile is +44 7700 900123; card 4111 1111 1111 1111.",
                },
            ]
        }
    )
    drafter = pipeline(builder)
    prompted, first = drafter._prepare(thread, read_thread(thread))
    user = drafter._render(prompted, drafter._fit())[1]["content"]  # as sent: what it shows is redacted
    assert first[1]["content"] == user  # the first call sends the prompt _prepare rendered
    assert "+44 7700 900123" not in user
    assert "4111 1111 1111 1111" not in user
    assert "[PHONE_1]" in user
    assert "20240611-884" in user  # an order id stays a fact
