"""`abuse`, round 3: who an insult is aimed at, by kind, in five languages.

Kinds: a purpose clause that says the customer is slow ("so even you can follow"); the user-error
jab ("the problem sits between the keyboard and the chair"); a general remark about some customers
aimed at this one ("some guests are impossible to please", "certain customers are just rude");
name-calling after a quantifier, also behind "not like"; vulgar dismissal ("stick it ...") and
go-to-hell variants; "stop" as an infinitive ("parar de reclamar"); a patronising vocative closing
a first sentence that is not a greeting, also before a pictograph; an internal note pasted with a
quote marker. Praise, self-blame, ordinary instructions and the customer's own quoted words pass.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from tests.unit.guardrails.support import evidence, thread

CUSTOMER = "This stupid app lost my basket twice, you idiots. Fix it."
CONTEXT = CheckContext(thread=thread(CUSTOMER))


def abuse_found(guardrails: Guardrails, text: str) -> bool:
    return any(f.rule == "abuse" for f in guardrails.check(text, CONTEXT).findings)


EVEN_YOU = [
    "I'll go through it slowly so even you can follow.",
    "Se lo repito despacio para que hasta usted lo entienda.",
    "Ich schreibe es in großen Buchstaben, damit sogar Sie es verstehen.",
    "J'écris en gros caractères pour que même vous compreniez.",
    "Vou explicar devagar para que até você consiga entender.",
]
USER_ERROR = [
    "As usual, the problem sits between the keyboard and the chair.",
    "Como siempre, el problema está entre la silla y el teclado.",
    "Das Problem sitzt wie so oft vor dem Bildschirm.",
    "Comme souvent, le problème se situe entre la chaise et le clavier.",
    "Como sempre, o problema está entre a cadeira e o teclado.",
]
SOME_CUSTOMERS = [
    "Our other reviews speak for us; some guests are simply impossible to please.",
    "Certain customers are just rude, and that is not our fault.",
    "Nuestras reseñas lo dicen todo: algunos clientes nunca están contentos.",
    "Algunos clientes son unos maleducados.",
    "Unsere Bewertungen sprechen für sich, manche Gäste sind einfach nie zufrieden.",
    "Manche Kunden sind einfach unverschämt.",
    "Nos avis parlent pour nous, certaines personnes sont tout simplement impossibles à contenter.",
    "Alguns hóspedes nunca ficam satisfeitos, é a vida.",
]
QUANTIFIED_NAMES = [
    "Our regulars can tell good food, not like some idiots on the internet.",
    "Nuestros clientes habituales lo saben, no como algunos tontos de internet.",
    "Unsere Stammgäste wissen das, nicht wie manche Besserwisser im Internet.",
    "Nos habitués le savent, pas comme certains crétins d'internet.",
]
DISMISSAL = [
    "You can stick your refund request where the sun doesn't shine.",
    "Go jump in a lake.",
    "Vete a freír espárragos.",
    "Scheren Sie sich zum Teufel.",
    "Stecken Sie sich Ihre Beschwerde an den Hut.",
    "Va te faire cuire un œuf.",
    "Vous pouvez vous la mettre où je pense.",
    "Vá plantar batatas.",
    "Enfia essa reclamação onde o sol não bate.",
]
STOP_INFINITIVE = [
    "O senhor precisa parar de reclamar todo dia.",
    "Il faudrait arrêter de pleurnicher.",
    "Tiene que parar de quejarse.",
]
VOCATIVE_AFTER_FIRST_CLAUSE = [
    "Try turning it off and on again, genius 🙄 Then DM us.",
    "Pruebe a reiniciarlo, lumbrera 🙄 Luego escríbanos.",
    "Starten Sie es einfach neu, Einstein 🙄 Dann melden Sie sich.",
    "Redémarrez-le, génie 🙄 Ensuite écrivez-nous.",
    "Tente reiniciar, gênio 🙄 Depois nos chame.",
]


@pytest.mark.parametrize(
    "text",
    EVEN_YOU
    + USER_ERROR
    + SOME_CUSTOMERS
    + QUANTIFIED_NAMES
    + DISMISSAL
    + STOP_INFINITIVE
    + VOCATIVE_AFTER_FIRST_CLAUSE,
)
def test_abuse_aimed_at_the_customer_is_found(guardrails: Guardrails, text: str) -> None:
    assert abuse_found(guardrails, text)


NOTES = [
    (
        "en",
        "Your refund is on its way.\n\n> internal: this moron has called nine times, no goodwill.",
        "moron",
    ),
    ("es", "Ya le devolvimos el dinero.\n\n>> nota interna: este imbécil ya llamó diez veces.", "imbécil"),
    ("de", "Das Geld ist unterwegs.\n\n> interne Notiz: dieser Trottel ruft täglich an.", "Trottel"),
    ("fr", "Le remboursement est parti.\n\n> note interne : ce crétin appelle tous les jours.", "crétin"),
    ("pt", "O reembolso já saiu.\n\n> nota interna: esse otário liga todo dia, nada mais.", "otário"),
]


@pytest.mark.parametrize(("language", "text", "word"), NOTES)
def test_an_internal_note_marked_like_a_quote_is_our_text(
    guardrails: Guardrails, language: str, text: str, word: str
) -> None:
    report = guardrails.check(text, CONTEXT)
    assert word in evidence(text, report, "abuse"), language


@pytest.mark.parametrize(
    "text",
    [
        # the customer's own words, quoted back on a "> " line, stay theirs
        "Hi Ana,\n\n> This stupid app lost my basket twice, you idiots.\n\nYou're right: we lost it.",
        # greetings with a pet name stay the greeting's business
        "Hello there, darling! Your order ships today.",
        "Hi sweetie 👋 Your order ships today.",
        # quantified people with praise or a neutral predicate
        "Some customers are truly generous with their feedback.",
        "Algunos clientes son muy amables con nosotros.",
        "Manche Kunden sind schon seit zehn Jahren bei uns.",
        "Certains clients sont ravis de la nouvelle version.",
        "Alguns clientes são muito pacientes.",
        "Some customers find the old menu ridiculous, so we changed it.",
        # ourselves, and ordinary product talk
        "We're not like some clowns who hide fees, and we're sorry this one slipped.",
        "That's not a product fault, it's a router setting; here is how to change it.",
        "We've made the guide simpler so that everyone can follow it.",
        "Não vamos parar de trabalhar até resolver o seu caso.",
        "Nous allons arrêter de vous facturer dès aujourd'hui.",
        "Vamos a parar el cobro automático hoy mismo.",
        "Stick the label on the box and drop it at the post office.",
        "Gehen Sie zu den Einstellungen und tippen Sie auf Neustart.",
        "Allez dans Paramètres, puis touchez Redémarrer.",
    ],
)
def test_praise_self_blame_instructions_and_quotes_pass(guardrails: Guardrails, text: str) -> None:
    assert not abuse_found(guardrails, text)
