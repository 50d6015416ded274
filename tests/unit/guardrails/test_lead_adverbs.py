"""next-steps (decision 151): the adverbs that may open an imperative are one list, the lexicon's
`lead_adverbs`, for the clause-opening verb list and for the imperative's shape alike."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import findings, thread

RULE = "next-steps"


@pytest.mark.parametrize(
    "reply",
    [
        "Lo siento. Ahora abre la app.",  # "ahora" was only in the shape's list
        "Sorry about that. Then open Reports and click Export.",
        "Sinto muito. Agora abra o app.",
        "Désolé. D'abord redémarrez l'application.",
    ],
)
def test_an_imperative_after_a_lead_adverb_is_a_next_step(guardrails: Guardrails, reply: str) -> None:
    context = CheckContext(thread=thread("My export is broken and I'm annoyed."))
    assert not findings(guardrails.check(reply, context), RULE)
