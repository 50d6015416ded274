"""next-steps: kinds of next step that are not "I will ...", and explanations that are not one."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.guardrails import CheckContext, Guardrails
from service.guardrails.rules.next_steps import NextSteps

from .support import findings, thread

RULE = "next-steps"


def _ctx(customer: str) -> CheckContext:
    return CheckContext(thread=thread(customer))


@pytest.mark.parametrize(
    "reply",
    [
        "Sorry about the leaking tap. The plumber comes round Thursday morning.",  # a named day
        "Qué rabia lo del grifo. El fontanero pasa el viernes.",
        "Tut mir leid wegen der Heizung. Kopier den Code aus der Mail und füg ihn im Portal ein.",
        "Ärgerlich, das mit dem Drucker. Nimm solange den Ersatztreiber aus dem Downloadbereich.",
        "Désolé pour la panne. Un technicien interviendra sur place.",
        "Sinto muito pelo atraso. O estorno cai na sua conta dentro de cinco dias úteis.",
    ],
)
def test_a_next_step_of_another_kind_is_present(guardrails: Guardrails, reply: str) -> None:
    assert (
        findings(guardrails.check(reply, _ctx("My tap is leaking and nobody has called me back.")), RULE)
        == []
    )


@pytest.mark.parametrize(
    "reply",
    [
        # The customer's own day and the customer's own wait are their situation, not our plan.
        "A leaking tap right before your party on Saturday is miserable, and I'm so sorry.",
        "Three weeks without hot water is far too long; the backlog comes from the winter storms.",
        "Das Paket hängt seit Montag im Verteilzentrum fest, das ist ärgerlich.",
    ],
)
def test_sympathy_and_explanation_alone_are_not_a_next_step(guardrails: Guardrails, reply: str) -> None:
    context = _ctx("The tap leaks and my party is on Saturday. I've waited three weeks already!")
    assert findings(guardrails.check(reply, context), RULE) != []


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(["am", "within", "Uhr", "jours", "de", "junio", ".", ":", " ", "h", "x"])
        | st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=8),
        max_size=12,
    )
)
def test_the_time_frame_pattern_never_matches_without_a_digit(
    guardrails: Guardrails, parts: list[str]
) -> None:
    """The rule skips its time-frame pattern on a text without a digit (issue 12, decision 131):
    the same answer only if no branch can match without one."""
    rule = guardrails._by_id[RULE]
    assert isinstance(rule, NextSteps)
    assert rule._time_frame is not None
    text = " ".join(parts)
    assume(not any(c.isdigit() for c in text))
    assert rule._time_frame.search(text) is None


def test_a_time_frame_with_digits_is_still_a_next_step(guardrails: Guardrails) -> None:
    ctx = CheckContext(thread=thread("Mein Wasserhahn tropft seit Tagen."))
    assert findings(guardrails.check("Es tut mir leid. Der Techniker ist am 14. da.", ctx), RULE) == []
    assert findings(guardrails.check("Es tut mir leid. Der Techniker ist da.", ctx), RULE) != []
