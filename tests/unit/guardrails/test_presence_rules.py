"""restates-issue and next-steps: what a reply must contain, pointing at the customer's message."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.language.analysis import analyse_thread
from service.models import Severity

from .support import findings, thread

ISSUE = "Hi, I was charged twice for my subscription this month."


def ctx_for(body: str) -> CheckContext:
    return CheckContext(thread=thread(body))


@pytest.mark.parametrize(
    "reply",
    [
        "I'm sorry about the double charge on your subscription.",
        "I can see the second charge on your account and I've refunded it.",
        'You wrote "charged twice": I checked, and the refund is on its way.',
    ],
)
def test_a_restated_issue_passes(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, ctx_for(ISSUE)), "restates-issue") == []


def test_a_reply_that_ignores_the_issue_warns_and_points_at_it(guardrails: Guardrails) -> None:
    ctx = ctx_for(ISSUE)
    (finding,) = findings(
        guardrails.check("Thanks for writing in! Have a lovely day.", ctx), "restates-issue"
    )
    assert finding.severity is Severity.warn
    assert finding.start is None
    span = analyse_thread(thread(ISSUE)).issue_span
    assert span is not None
    assert f"characters {span[0]}-{span[1]}" in finding.message
    assert "charged" not in finding.message  # positions only, never the customer's words


def test_quoted_history_is_not_a_restatement(guardrails: Guardrails) -> None:
    reply = "Thanks for writing in! Have a lovely day.\n\n> I was charged twice for my subscription"
    assert findings(guardrails.check(reply, ctx_for(ISSUE)), "restates-issue")


def test_restates_issue_needs_a_thread(guardrails: Guardrails) -> None:
    assert findings(guardrails.check("Have a lovely day."), "restates-issue") == []


@pytest.mark.parametrize(
    "reply",
    [
        "I'll look into it today.",
        "You'll see the refund within 5 business days.",
        "Please try signing in again.",
        "Here's how to export it:\n1. Open Reports\n2. Click Export",
        "Let me know if that helps.",
        "Le escribiré mañana con novedades.",
        "Ich melde mich morgen bei Ihnen.",
        "Je vais vérifier cela aujourd'hui.",
        "Vou verificar isso hoje.",
    ],
)
def test_next_steps_present(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply), "next-steps") == []


def test_missing_next_step_warns_and_points_at_the_issue(guardrails: Guardrails) -> None:
    ctx = ctx_for(ISSUE)
    (finding,) = findings(guardrails.check("I'm sorry about the double charge.", ctx), "next-steps")
    assert finding.severity is Severity.warn
    assert "characters" in finding.message
    quoted = 'I\'m sorry about the double charge. You said "please refund it".'
    assert findings(guardrails.check(quoted, ctx), "next-steps")
