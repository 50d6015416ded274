"""shouting (issue 12, decision 108): capitals inside quotation marks (a device or status message
said back) or inside a template slot are not the reply raising its voice; the same words outside
them still are. Sentences written for these tests."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails

from .support import CALM, findings

RULE = "shouting"


@pytest.mark.parametrize(
    "reply",
    [
        'When the screen says "SYNC FAILED PLEASE RETRY" the app lost its token; sign in again.',
        "Si ves «PAGO RECHAZADO POR EL BANCO», el banco bloqueó el cargo; llámales y vuelve a probar.",
        "Le statut « EN COURS DE VÉRIFICATION » veut dire que nous relisons vos pièces.",
        "Die Meldung „ZAHLUNG NICHT MÖGLICH“ kommt vom Terminal; bitte einmal neu starten.",
        "Olá [NOME DO CLIENTE], o seu pedido sai amanhã.",
        "Hi {{CUSTOMER FIRST NAME}}, your order ships tomorrow.",
    ],
)
def test_quoted_messages_and_slots_are_not_shouting(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, CALM), RULE) == []


@pytest.mark.parametrize(
    "reply",
    [
        "SYNC FAILED PLEASE RETRY is what you will see; sign in again.",
        'You quoted "an error", but YOU HAVE TO READ THE MANUAL before writing.',
    ],
)
def test_capitals_outside_quotes_still_shout(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, CALM), RULE) != []
