"""Decision 153 (issue 12): next steps and refusals read by structure after development set N2.

next-steps: a vague promise that ends its clause, a promise that it will not happen again, a window
measured from an event, a perfect passive after "once", a unit opening a sentence and an apology in
the imperative give no step; an ETA ("5 min away"), a list item's imperative, a first-person plural
future in -remos, "vient de partir", "on te rembourse", colloquial "ich schick" and a future
passive after "nº" do. positive-language: a refusal with nobody refusing is negative framing; a
contrast after the refusal in its sentence is the alternative, unless it reports something done.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import thread

CONTEXT = CheckContext(thread=thread("My order is wrong and I am really annoyed about it."))


def _rules(guardrails: Guardrails, text: str) -> set[str]:
    return {f.rule for f in guardrails.check(text, CONTEXT).findings}


@pytest.mark.parametrize(
    "reply",
    [
        "I'm sorry to hear that, Dana. We will look into it.",
        "Lamentamos mucho lo ocurrido. Vamos a ver qué se puede hacer.",
        "Es tut uns leid. Wir kümmern uns darum.",
        "Nous sommes désolés. Nous allons examiner la question.",
        "Lamentamos o sucedido. Vamos verificar o caso.",
        "That was our mistake, and it won't happen again.",
        "C'est entièrement notre faute. Cela ne se reproduira plus.",
        "Foi falha nossa. Isso não vai se repetir.",
        "Returns are accepted within 30 days of delivery for unworn items.",
        "We can't swap the contents once it has been packed.",
        "20 Minuten Wartezeit sind wirklich ärgerlich, das Laden dauert eben.",
        "Ana, me desculpa de coração, fiquei muito triste com isso.",
    ],
)
def test_vague_promises_windows_and_apologies_give_no_next_step(guardrails: Guardrails, reply: str) -> None:
    assert "next-steps" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "So sorry, Dana. We will look into it and write back by Friday.",
        "Sorry about the wait! Your driver is 10 min away.",
        "Das ist ärgerlich.\n\n- Schick mir deine Kundennummer\n- Ich prüfe dann die Buchung",
        "Lo siento mucho. Le responderemos en un plazo de cinco días hábiles.",
        "Désolé pour l'attente. Un nouveau lien vient de partir sur votre adresse.",
        "Un colis abîmé, c'est rageant. On te rembourse ou on te l'échange, comme tu préfères.",
        "Sorry! Ich schick dir den Rest heute noch los.",
        "O pedido tem o protocolo nº 4411 e será concluído até sexta-feira.",
    ],
)
def test_steps_of_those_shapes_still_count(guardrails: Guardrails, reply: str) -> None:
    assert "next-steps" not in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Sorry, Dana. Closed accounts cannot be reopened.",
        "Lo siento. No se admiten cambios de talla en productos rebajados.",
        "Abgelaufene Karten können wir grundsätzlich nicht verlängern.",
        "Aucun remboursement ne peut être versé après la date limite.",
        "Entendo, mas bilhetes promocionais não podem ser reembolsados.",
        "This fee applies to all orders without exception.",
        "Sorry. We cannot refund this order, but I've updated your address for next time.",
    ],
)
def test_refusals_with_nobody_refusing_are_negative_framing(guardrails: Guardrails, reply: str) -> None:
    assert "positive-language" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Los bonos usados no se pueden reembolsar, pero estos siguen sin usar, así que los cancelo hoy.",
        "Não consigo devolver o sinal, mas guardo-o para outra data.",
        "Nous ne pouvons pas rembourser le visa, mais nous prenons en charge le reste du voyage.",
        "Please back up all your files, without exception, before you send the laptop.",
    ],
)
def test_a_contrast_after_the_refusal_is_the_alternative(guardrails: Guardrails, reply: str) -> None:
    assert "positive-language" not in _rules(guardrails, reply)
