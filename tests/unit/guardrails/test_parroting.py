"""parroting: eight or more of the customer's words in a row, outside quotes, with exact spans."""

from __future__ import annotations

from service.guardrails import CheckContext, Guardrails
from service.models import Thread

from .support import evidence, findings

RULE = "parroting"
CLAIM = "the courier promised me a free upgrade to next day delivery on all future orders"
CONTEXT = CheckContext(
    thread=Thread.model_validate(
        {"messages": [{"role": "customer", "body": f"Hello, {CLAIM}. Is that right?"}]}
    )
)


def test_a_copied_run_is_found_with_its_span(guardrails: Guardrails) -> None:
    text = f"Thanks for checking. Yes, {CLAIM}, and it starts today."
    assert evidence(text, guardrails.check(text, CONTEXT), RULE) == [CLAIM]


def test_a_quoted_run_or_a_broken_run_is_not_parroting(guardrails: Guardrails) -> None:
    for text in (
        f'You wrote "{CLAIM}"; let me check that with the courier.',
        "The courier promised you a free upgrade, and I will check next day delivery on future orders.",
    ):
        assert findings(guardrails.check(text, CONTEXT), RULE) == [], text


def test_the_same_thread_checked_twice_gives_the_same_finding(guardrails: Guardrails) -> None:
    text = f"Noted: {CLAIM}."
    first = guardrails.check(text, CONTEXT)
    assert findings(first, RULE) == findings(guardrails.check(text, CONTEXT), RULE) != []
