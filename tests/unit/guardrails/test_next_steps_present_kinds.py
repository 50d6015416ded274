"""next-steps (issue 12): kinds of next step the rule used to miss, written for these tests, and
replies that still give none (sympathy or explanation only, or an epistemic "must")."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import findings, thread

RULE = "next-steps"


def _ctx() -> CheckContext:
    return CheckContext(thread=thread("The heater in the flat stopped working and I'm freezing."))


@pytest.mark.parametrize(
    "reply",
    [
        # The agent acting as they write, in the present tense.
        "What a cold week to lose the heater. I'm booking the engineer for you right now.",
        "Qué frío, lo siento. Cierro esta incidencia y le paso el aviso al técnico de zona.",
        "Quel froid, désolé. Je vous transmets le devis du chauffagiste par e-mail.",
        "So ein kalter Start, tut mir leid. Ich schicke dir den Techniker-Link per SMS.",
        "Que frio, sinto muito. Te mando o contato do técnico agora.",
        # The matter already resolved or under way.
        "Freezing in your own flat is miserable. The boiler is back up and running as of this hour.",
        "Qué faena. La caldera ya funciona, lo comprobamos en remoto.",
        "Quelle galère. C'est rétabli : la chaudière fonctionne de nouveau.",
        "Wie ärgerlich. Die Heizung läuft wieder, der Fehler ist behoben.",
        "Que chato. O aquecedor já voltou a funcionar.",
        # German instructions as a bare infinitive closing the sentence.
        "Ärgerlich, die kalte Wohnung. In der App unter Geräte den Heizkörper auswählen und Neustart tippen.",
        "Das ist kalt, sorry. Einfach den Thermostat ab- und wieder einschalten.",
        # Spanish voseo imperatives.
        "Qué garrón quedarte sin calefacción. Reiniciá la caldera desde el tablero.",
        "Lamento mucho que estés sin calefacción con este frío, qué mala suerte. "
        "Fijate si la llave del gas está abierta.",
        # Offers, and a case handed on.
        "Horrible timing for the heater to die. I can send you a space heater while you wait.",
        "Quel froid pour vous. Je peux vous proposer un chauffage d'appoint.",
        "Que frio, lamento. Posso te enviar um aquecedor portátil.",
        "Eine kalte Wohnung ist hart. Ihre Meldung wurde an den Notdienst weitergeleitet.",
        # An hour ahead, with an article.
        "So kalt, tut mir leid. In einer Stunde ist der Techniker bei Ihnen.",
        # An obligation put to the customer as the instruction.
        "Frío en casa, qué mal. Hay que purgar los radiadores antes de encenderla.",
    ],
)
def test_a_next_step_of_these_kinds_is_present(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, _ctx()), RULE) == []


@pytest.mark.parametrize(
    "reply",
    [
        # Sympathy and explanation only.
        "A cold flat in this weather is miserable, and I'm so sorry.",
        # "tiene que" / "deve" / "Möge" guess or wish; they ask nothing of anyone.
        "Quedarse sin calefacción en enero tiene que ser durísimo. Lo siento mucho.",
        "Ficar sem aquecimento no inverno deve ser horrível. Sinto muito.",
        "Es tut mir leid, dass Sie frieren müssen. Möge der Winter bald mild werden.",
        # A subordinate clause ends on a verb that looks like an infinitive.
        "Ich verstehe gut, dass Sie bei dieser Kälte warten.",
        # The agent saw something; nothing was done.
        "Quel froid, je suis désolé. Nous avons reçu beaucoup de signalements ce matin.",
    ],
)
def test_sympathy_or_explanation_alone_is_still_missing(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, _ctx()), RULE) != []
