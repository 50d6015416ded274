"""Acknowledgement kinds found missing on a fresh development batch (issue 12): another form of
the customer's word, a situation evaluated after a copula, a specific "I understand", fault idioms,
and the kinds that must still not count (insults, mock sympathy). Texts written for these tests."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import findings, thread


def acknowledged(g: Guardrails, customer: str, text: str) -> bool:
    return not findings(g.check(text, CheckContext(thread=thread(customer))), "acknowledgement")


@pytest.mark.parametrize(
    ("customer", "text"),
    [
        # another form of the customer's own word ("flooded" / "flood", "cancelaron" / "cancelar")
        (
            "The basement flooded overnight and the pump is dead, I'm worn out.",
            "A flood in the basement on top of a dead pump is draining. A plumber can come at nine.",
        ),
        (
            "Me cancelaron el vuelo dos veces, estoy harta.",
            "Que te cancelen dos veces seguidas es agotador. Te reservo el próximo vuelo ahora.",
        ),
        # the situation named in other words and evaluated after a copula
        (
            "Our webhook keeps timing out since lunch, it is getting stressful.",
            "An afternoon of failed deliveries is stressful. I raised the timeout to 30 seconds.",
        ),
        (
            "Mein Umzug ist nächste Woche und der Router ist noch nicht da, das nervt.",
            "Ein Umzug ohne Internet ist wirklich nervig. Der Router geht heute raus.",
        ),
        # "I understand" naming what happened
        (
            "The scanner jammed four times while I was printing boarding passes, ugh.",
            "After four jams in the middle of printing boarding passes, I understand. "
            "A new roller ships today.",
        ),
        # fault idioms
        (
            "Mandaron la talla equivocada otra vez!!",
            "La cagamos, y encima dos veces. Hoy sale la talla buena.",
        ),
        ("Vieram as cores erradas de novo.", "A gente errou feio, duas vezes. As cores certas saem hoje."),
    ],
)
def test_new_kinds_count(guardrails: Guardrails, customer: str, text: str) -> None:
    assert acknowledged(guardrails, customer, text)


@pytest.mark.parametrize(
    ("customer", "text"),
    [
        # an insult in the "evaluating" sentence spoils it
        (
            "The router dropped again, fourth time today!",
            "Ugh, you again, you utter numpty. Restart the router.",
        ),
        # mock sympathy for a short wait
        (
            "I waited all afternoon for the courier. Poor service.",
            "Oh, how awful for you that you had to wait a whole afternoon. The courier comes tomorrow.",
        ),
        # German "schon" (already) is not "schön" (lovely)
        (
            "Das Update bricht unseren Export seit Montag ab.",
            "Wie schon gesagt, der Export braucht die Version 3. Bitte aktualisieren Sie.",
        ),
        # the customer's own word, but no evaluation at all
        ("My invoice shows the wrong VAT number, annoying.", "The invoice is regenerated tonight."),
    ],
)
def test_still_not_acknowledgements(guardrails: Guardrails, customer: str, text: str) -> None:
    assert not acknowledged(guardrails, customer, text)
