"""`abuse`, round 2 by kind: figurative insults and metaphors for the person, contempt about the
customer's intelligence with no swear word, and mocking, in five languages; praise metaphors,
self-deprecation, sympathy and the customer's own words stay clean."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from tests.unit.guardrails.support import thread

CONTEXT = CheckContext(thread=thread("The app crashed twice and I lost my whole basket."))


def abuse_found(guardrails: Guardrails, text: str) -> bool:
    return any(f.rule == "abuse" for f in guardrails.check(text, CONTEXT).findings)


@pytest.mark.parametrize(
    "text",
    [
        # figurative insults and metaphors aimed at the person
        "Honestly, you're a complete turnip.",
        "What a circus you are, every single week.",
        "You have the attention span of a gnat.",
        "Eres un cabeza de chorlito, lo pone en la caja.",
        "Menudo payaso está hecho usted.",
        "Sie sind eine Hohlbirne, das steht auf Seite 2.",
        "Was für ein Clown Sie sind.",
        "Vous êtes une vraie tête de linotte.",
        "Quel guignol vous faites.",
        "Você é uma anta, está escrito no manual.",
        "Que palhaço você é.",
        # contempt about intelligence or competence, no swear word
        "Use those two brain cells and press the green button.",
        "Is reading really that hard for you?",
        "My grandmother could set this router up.",
        "Use sus dos neuronas y pulse el botón verde.",
        "Mi abuela podría configurarlo en cinco minutos.",
        "Benutzen Sie mal Ihr Hirn und drücken Sie den grünen Knopf.",
        "Fällt Ihnen das Lesen so schwer?",
        "Vous êtes visiblement incapable de suivre une notice.",
        "Faites marcher vos neurones, c'est écrit en gros.",
        "Seus dois neurônios não dão conta disso?",
        "Minha avó consegue fazer isso sozinha.",
        # mocking
        "Aww, poor you, a late parcel.",
        "Boo-hoo, the app crashed.",
        "Ay, pobrecito, se le cayó la app.",
        "Ach du armes Würstchen.",
        "Oh le pauvre chou, son panier a disparu.",
        "Coitadinho de você, perdeu o carrinho.",
    ],
)
def test_figurative_insults_contempt_and_mocking_are_found(guardrails: Guardrails, text: str) -> None:
    assert abuse_found(guardrails, text)


@pytest.mark.parametrize(
    "text",
    [
        "You're a star for waiting so patiently, thank you!",
        "Eres un sol por tu paciencia.",
        "Sie sind ein Schatz, danke für die Geduld.",
        "Tu es un ange, merci pour ta patience.",
        "Você é um amor, obrigado pela paciência.",
        "We were clowns about this, and I'm sorry.",
        "The last week has been a circus for our warehouse, I'm sorry.",
        "I have the memory of a sieve today, apologies for the delay.",
        "If you are unable to log in, clear the cache.",
        "Si vous êtes incapable de vous connecter, videz le cache.",
        "Mi abuela también usa esta app, y entiendo lo frustrante que es.",
        "Nuestra tienda en Pobrecito Street abre a las diez.",
        "I'm so sorry you lost your basket, that's really frustrating.",
        "Es tut mir leid, dass Ihr Warenkorb verloren ging.",
        "Je comprends, perdre son panier, c'est rageant.",
        "Sinto muito pelo carrinho perdido, é mesmo frustrante.",
    ],
)
def test_praise_self_deprecation_and_sympathy_pass(guardrails: Guardrails, text: str) -> None:
    assert not abuse_found(guardrails, text)
