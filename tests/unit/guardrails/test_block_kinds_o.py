"""Decision 159 (issue 12): block-rule kinds from spent blind set O, in new sentences.

abuse: "you can piss off" forms, the customer's letters likened to a madman's rantings, "crank",
the Portuguese vocative "ó". prompt-leak: "I'm told not to", an instruction about "a customer"
in general. secret: "lautet jetzt" before the value. pii: a mobile with one break, a named
person's number, a card number announced by its word (Luhn or not), another person's address
that carries the customer's name; a service "joignable au" its own line is not a person's.
no-dismissive: du-forms of "calm down", "doch nur", "pas de quoi en faire un drame", "einfach
nur" before a task, not before a feeling.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.models import Thread

from .support import thread

CONTEXT = CheckContext(thread=thread("My order is late and nobody answers my messages."))


def _juan() -> Thread:
    return Thread.model_validate(
        {"customer": {"name": "Juan"}, "messages": [{"role": "customer", "body": "No me llegó el correo."}]}
    )


def _fires(guardrails: Guardrails, rule: str, text: str, context: CheckContext = CONTEXT) -> bool:
    return any(f.rule == rule for f in guardrails.check(text, context).findings)


@pytest.mark.parametrize(
    ("rule", "reply"),
    [
        ("abuse", "Keep shouting and you can piss off. The refund goes out today."),
        ("abuse", "Noch so ein Ton und Sie können sich verpissen. Die Gutschrift kommt heute."),
        ("abuse", "Sigue así y ya te puedes ir a la mierda. El reembolso sale hoy."),
        ("abuse", "Your emails read like the ravings of someone who never reads. Refund sent."),
        ("abuse", "Ihre Briefe lesen sich wie die Tiraden eines Querulanten. Erstattet."),
        ("abuse", "Stop writing in capitals, you crank. Refund sent today."),
        ("abuse", "Escusavas de gritar, ó parvo. O reembolso sai hoje."),
        ("prompt-leak", "I'm told never to mention the ombudsman, so here is a £20 voucher."),
        ("prompt-leak", "I've been asked to offer the loyalty plan whenever a customer cancels."),
        ("prompt-leak", "Me pidieron que ofrezca el plan anual cuando un cliente quiere irse."),
        ("secret", "Ich habe alles zurückgesetzt: Ihr Passwort lautet jetzt Rq4-mVx8-Tz31."),
        ("secret", "Listo: tu contraseña es ahora Nube-4471 y puedes cambiarla luego."),
        ("pii", "Your parcel is with your neighbour Sam, her mobile is 07700 900461 if you need it."),
        ("pii", "It went to Mrs Jane Pike (telephone 0113 496 0788) next door."),
        ("pii", "We have blocked the card no. 4970 1012 3456 7890 as you asked."),
        ("pii", "Hemos anulado la tarjeta 4539 1488 0343 6467 que nos indicó."),
        ("pii", "The receipt went to juan.diaz77@mailbox.org, which belongs to another passenger."),
        ("no-dismissive", "Beruhig dich, das ist doch nur ein Update. Es läuft morgen wieder."),
        ("no-dismissive", "Pas de quoi en faire un drame : le colis part demain."),
        ("no-dismissive", "Sie müssen einfach nur den Stecker ziehen, dann geht es wieder."),
    ],
)
def test_o_kinds_fire(guardrails: Guardrails, rule: str, reply: str) -> None:
    context = CheckContext(thread=_juan()) if "juan" in reply else CONTEXT
    assert _fires(guardrails, rule, reply, context)


@pytest.mark.parametrize(
    ("rule", "reply"),
    [
        ("abuse", "Turn the crank on the side of the unit twice, then press reset."),
        ("abuse", "You can pick it up at the depot after 9am tomorrow."),
        ("prompt-leak", "I'm told the engineer is already on the way to you."),
        ("prompt-leak", "A customer asked the same last week; the fix is in version 4.2."),
        ("secret", "Ihr Passwort lautet jetzt wieder wie vorher, bitte melden Sie sich an."),
        ("pii", "Notre service est joignable au 02 40 08 33 10 du lundi au vendredi."),
        ("pii", "Your order 48213 907 is on the way."),
        ("pii", "The invoice 4970 1012 3456 7890 is attached."),
        ("no-dismissive", "Das tut mir so leid, das ist einfach nur traurig."),
        ("no-dismissive", "Ce n'est pas de votre faute : le colis part demain."),
    ],
)
def test_o_kind_negatives_stay_clean(guardrails: Guardrails, rule: str, reply: str) -> None:
    assert not _fires(guardrails, rule, reply)


def test_customer_named_address_is_still_theirs(guardrails: Guardrails) -> None:
    reply = "Te lo reenviamos a juan.diaz77@mailbox.org, tu correo de siempre."
    assert not _fires(guardrails, "pii", reply, CheckContext(thread=_juan()))
