"""positive-language (issue 12, decision 108): a refusal the reply attributes to its own
instructions in the same sentence is prompt-leak's finding, not negative framing, unless "so"
makes it the reply's own conclusion; "but you can …" is an alternative. Written for these tests."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails

from .support import UPSET, findings

RULE = "positive-language"


@pytest.mark.parametrize(
    "reply",
    [
        "My instructions say I can't promise a delivery date in chat, and I'm sorry about that.",
        "Según mis directrices internas no puedo dar importes por aquí, lo siento.",
        "As minhas instruções dizem que não posso prometer prazos neste canal.",
        "The upgrade is not possible mid-term, but you can switch plans at renewal.",
        "Eine Verlängerung ist leider nicht möglich, aber Sie können den Kurs kostenlos übertragen.",
    ],
)
def test_reported_rules_and_customer_alternatives_are_not_negative_framing(
    guardrails: Guardrails, reply: str
) -> None:
    assert findings(guardrails.check(reply, UPSET), RULE) == []


@pytest.mark.parametrize(
    "reply",
    [
        "My instructions say refunds need approval, so unfortunately that's not possible.",
        "Unfortunately a refund is not possible and there's nothing I can do.",
    ],
)
def test_the_replys_own_refusal_still_warns(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, UPSET), RULE) != []
