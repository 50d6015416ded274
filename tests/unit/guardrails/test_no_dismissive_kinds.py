"""no-dismissive kinds from issue 12: condescension ("as clearly stated", "all you have to do",
"you obviously need"), minimising ("not the end of the world"), and mock sympathy for a wait.
Texts written for these tests."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails

from .support import findings

RULE = "no-dismissive"


@pytest.mark.parametrize(
    "text",
    [
        "As clearly stated in the setup guide, the hub needs its own socket.",
        "All you have to do is hold the reset pin for ten seconds.",
        "You obviously need a static IP for that.",
        "Obviamente tienes que vaciar la caché primero.",
        "Il faut évidemment vider le cache d'abord.",
        "Obviamente você precisa limpar o cache primeiro.",
        "Sie brauchen offensichtlich ein neues Kabel.",
        "A missing charger is not the end of the world.",
        "No es el fin del mundo, el cargador llega el lunes.",
        "Ce n'est pas la fin du monde, le chargeur arrive lundi.",
        "Não é o fim do mundo, o carregador chega segunda.",
        "Das ist doch kein Weltuntergang, das Ladegerät kommt Montag.",
        "How terrible for you, having to reboot twice.",
    ],
)
def test_condescension_and_minimising_are_dismissive(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE)


@pytest.mark.parametrize(
    "text",
    [
        "Obviously we'll refund the missing charger.",
        "All the steps are in the e-mail I just sent, and I'm here if any of them stick.",
        "Of course you can keep the old charger.",
        "Natürlich können Sie das alte Ladegerät behalten.",
    ],
)
def test_plain_courtesy_is_not_dismissive(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []
