"""`abuse` by kind, not by phrase: lying, nagging, madness, pettiness, animals, condescension about
the customer's ability, and dismissal, in five languages; everyday words that share a spelling
with an insult stay clean."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from tests.unit.guardrails.support import thread

CONTEXT = CheckContext(thread=thread("My order is late again and this stupid tracker says nothing."))


def abuse_found(guardrails: Guardrails, text: str) -> bool:
    return any(f.rule == "abuse" for f in guardrails.check(text, CONTEXT).findings)


@pytest.mark.parametrize(
    "text",
    [
        "You're a liar and we both know it.",
        "Are you insane? Read the manual.",
        "A five-year-old could follow these steps.",
        "Go bother someone else.",
        "Did you even try restarting it before writing to us?",
        "Es usted un mentiroso.",
        "Usted no tiene ni idea de nada.",
        "Deja de dar la tabarra.",
        "Sie sind ein Lügner.",
        "Finden Sie sich einfach damit ab.",
        "Ist das denn so schwer zu verstehen?",
        "Les gens comme vous sont la raison de nos règles.",
        "Vous n'y comprenez rien.",
        "Pour la centième fois, le code est sur le ticket.",
        "Você é um mentiroso.",
        "Até uma criança consegue fazer isso.",
        "É tão difícil assim ler a etiqueta?",
    ],
)
def test_kinds_of_abuse_are_found(guardrails: Guardrails, text: str) -> None:
    assert abuse_found(guardrails, text)


@pytest.mark.parametrize(
    "text",
    [
        "You're entitled to a full refund under our policy.",
        "Your pest control visit is booked for Monday.",
        "To stop spam emails, untick the box in settings.",
        "Customers like you keep our small shop going, thank you!",
        "This is the tenth time you've had to contact us, and I'm sorry.",
        "Sua mala chegou em Curitiba agora.",
        "Seu computador está lento por causa da atualização.",
        "Não temos motivo para mentir sobre o prazo.",
        "No tenemos ningún motivo para mentir sobre el plazo.",
        "Das geht Ihnen sicher auf die Nerven, tut mir leid.",
        "Sie irren sich nicht, der Fehler lag bei uns.",
        "Si vous êtes incapable de vous connecter, videz le cache.",
        "C'est si difficile de rester sans internet, je suis désolé.",
        "Unfortunately we are unable to extend the warranty.",
    ],
)
def test_everyday_words_and_firm_refusals_pass(guardrails: Guardrails, text: str) -> None:
    assert not abuse_found(guardrails, text)
