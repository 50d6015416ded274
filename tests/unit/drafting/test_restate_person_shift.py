"""The customer's sentence said back in our words, per language and register (issue 13, A2).

Example sentences written for these tests, not taken from the review sets.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.drafting.person_shift import person_for, shift
from service.drafting.restate import restatement
from service.drafting.voice import voice_for
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread

FORMAL = ("en", "es")


def _person(language: str, *keys: str) -> Any:
    found = person_for(language, ("en", language, *keys))
    assert found is not None
    return found


# --- the person shift -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "keys", "text", "said"),
    [
        ("es", (), "necesito mi factura de marzo", "necesita su factura de marzo"),
        ("es", ("es@informal",), "necesito mi factura de marzo", "necesitas tu factura de marzo"),
        ("es", ("es@informal", "es@voseo"), "quiero mi plata", "querés tu plata"),
        ("es", (), "me cobraron dos veces", "le cobraron dos veces"),
        ("es", ("es@informal",), "devolverme el dinero", "devolverte el dinero"),
        ("de", (), "ich brauche meine Rechnung", "Sie brauchen Ihre Rechnung"),
        ("de", ("de@informal",), "ich brauche meine Rechnung", "du brauchst deine Rechnung"),
        ("de", (), "wie ich ihn selbst erstelle", "wie Sie ihn selbst erstellen"),
        (
            "fr",
            (),
            "je ne peux plus me connecter à mon compte",
            "vous ne pouvez plus vous connecter à votre compte",
        ),
        (
            "fr",
            ("fr@informal",),
            "je ne peux plus me connecter à mon compte",
            "tu ne peux plus te connecter à ton compte",
        ),
        ("fr", (), "j'ai besoin de ma facture", "vous avez besoin de votre facture"),
        ("pt", (), "preciso da minha fatura", "precisa da sua fatura"),
        ("pt", ("pt-PT", "pt-PT@informal"), "preciso da minha fatura", "precisas da tua fatura"),
        ("pt", ("pt-PT",), "podem enviar-me a fatura", "podem enviar-lhe a fatura"),
    ],
)
def test_the_first_person_turns_to_the_second(
    language: str, keys: tuple[str, ...], text: str, said: str
) -> None:
    assert shift(text, _person(language, *keys)) == said


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "je trouvais que vous étiez lents"),  # "trouvais" is not in our table; "vous" is us
        ("de", "ich verschicke das Paket heute"),  # a verb we cannot conjugate
        ("de", "Können Sie das prüfen"),  # their "Sie" is us
        ("es", "ustedes me dijeron otra cosa"),  # their "ustedes" is us
        ("es", "me lo pueden mandar"),  # a clitic cluster
        ("pt", "vocês cobraram duas vezes"),
    ],
)
def test_a_sentence_that_cannot_be_turned_is_refused(language: str, text: str) -> None:
    assert shift(text, _person(language)) is None


def test_a_french_third_person_verb_is_not_taken_for_the_customer() -> None:
    # "arrive" after "colis" is "it arrives", not "I arrive".
    assert shift("mon colis arrive demain", _person("fr")) == "votre colis arrive demain"


# --- the frames, through the composer's reading -----------------------------------------------------


def _restated(make_thread: MakeThread, body: str, **fields: Any) -> str:
    thread = make_thread(body, **{"channel": "email", **fields})
    analysis = analyse_thread(thread)
    return restatement(thread, analysis, voice_for(thread, analysis))


@pytest.mark.parametrize(
    ("body", "fields", "said"),
    [
        (
            "Hello, could you send me the signed contract?",
            {},
            "You are asking us to send you the signed contract.",
        ),
        (
            "Can I move my booking to the following week?",
            {},
            "You would like to know whether you can move your booking to the following week.",
        ),
        (
            "Buenos días, necesito el certificado de retenciones de 2025.",
            {},
            "Entiendo que necesita el certificado de retenciones de 2025.",
        ),
        (
            "Hola, ¿me pueden enviar el certificado de retenciones de este año?",
            {},
            "Nos pide enviarle el certificado de retenciones de este año.",
        ),
        (
            "¿Cómo puedo cambiar mi contraseña desde la aplicación del móvil?",
            {},
            "Quiere saber cómo cambiar su contraseña desde la aplicación del móvil.",
        ),
        (
            "Guten Tag, ich brauche die Bescheinigung für meinen Arbeitgeber.",
            {},
            "Sie brauchen also die Bescheinigung für Ihren Arbeitgeber.",
        ),
        (
            "Kann ich den Termin auf nächste Woche verschieben?",
            {},
            "Sie möchten wissen, ob Sie den Termin auf nächste Woche verschieben können.",
        ),
        (
            "Mein Konto ist seit gestern Abend gesperrt und ich komme nicht an meine Daten.",
            {},
            "Ihr Konto ist also seit gestern Abend gesperrt und Sie kommen nicht an Ihre Daten.",
        ),
        (
            "Bonjour, pourriez-vous m'envoyer l'attestation de paiement ?",
            {},
            "Vous nous demandez de vous envoyer l'attestation de paiement.",
        ),
        (
            "Je voudrais changer l'adresse de livraison de ma commande.",
            {},
            "Si je comprends bien, vous voudriez changer l'adresse de livraison de votre commande.",
        ),
        (
            "Olá, preciso da segunda via do boleto.",
            {"customer": {"name": "Ana Souza", "locale": "pt-BR"}},
            "Pelo que entendi, você precisa da segunda via do boleto.",
        ),
        (
            "Posso alterar a morada de entrega da minha encomenda?",
            {"customer": {"name": "Inês", "locale": "pt-PT"}},
            "Quer saber se pode alterar a morada de entrega da sua encomenda.",
        ),
    ],
)
def test_each_language_says_the_issue_back_in_its_frames(
    make_thread: MakeThread, body: str, fields: dict[str, Any], said: str
) -> None:
    assert _restated(make_thread, body, **fields) == said


def test_the_deadline_of_a_need_is_folded_in(make_thread: MakeThread) -> None:
    said = _restated(
        make_thread,
        "Necesito la factura corregida para cerrar el ejercicio.",
        subject="Factura corregida – antes del viernes 11",
    )
    assert said == "Entiendo que necesita la factura corregida para cerrar el ejercicio antes del viernes."


def test_a_story_does_not_take_the_deadline(make_thread: MakeThread) -> None:
    said = _restated(
        make_thread,
        "Je ne peux plus me connecter à mon compte depuis ce matin.",
        subject="Connexion impossible – réponse avant vendredi",
    )
    assert said == "Si je comprends bien, vous ne pouvez plus vous connecter à votre compte depuis ce matin."


@pytest.mark.parametrize(
    "body",
    [
        "Das ist eine Frechheit! Soll ich euch das per Brieftaube schicken?",
        "any update??",
        "Still nothing.",
        "Ustedes me dijeron que lo arreglarían y no lo hicieron.",
    ],
)
def test_nothing_is_said_back_rather_than_a_quotation(make_thread: MakeThread, body: str) -> None:
    assert _restated(make_thread, body) == ""


def test_a_long_clause_ends_before_it_would_parrot_the_customer(make_thread: MakeThread) -> None:
    # Eight of their words in a row, unquoted, is what the parroting guardrail flags.
    said = _restated(
        make_thread,
        "Je ne peux plus me connecter depuis ce matin, le site affiche une erreur à chaque tentative.",
    )
    assert said == "Si je comprends bien, vous ne pouvez plus vous connecter depuis ce matin."


def test_what_is_left_of_a_cut_clause_must_still_say_something(make_thread: MakeThread) -> None:
    said = _restated(
        make_thread,
        "Gostaria de saber, com a maior urgência possível, quando é que a encomenda volta a ser enviada.",
        customer={"name": "Rui", "locale": "pt-PT"},
    )
    assert said == ""  # "Pelo que percebi, gostaria de saber." says nothing


# --- a statement about one of their things: the article or possessive kept, the verb kept ---------


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("The garage door opener keeps beeping.", "I understand that the garage door opener keeps beeping."),
        (
            "My tablet won't charge since yesterday evening.",
            "I understand that your tablet won't charge since yesterday evening.",
        ),
        ("El paquete todavía no ha llegado.", "Entiendo que el paquete todavía no ha llegado."),
        ("La lavadora hace un ruido muy fuerte.", "Entiendo que la lavadora hace un ruido muy fuerte."),
        ("Le colis n'est toujours pas arrivé.", "Si je comprends bien, le colis n'est toujours pas arrivé."),
        ("Ma carte a été refusée au magasin.", "Si je comprends bien, votre carte a été refusée au magasin."),
        ("O cartão foi recusado na loja.", "Pelo que entendi, o cartão foi recusado na loja."),
        ("A minha encomenda ainda não chegou.", "Pelo que percebi, a sua encomenda ainda não chegou."),
    ],
)
def test_a_statement_about_their_thing_is_said_back_with_its_verb(
    make_thread: MakeThread, body: str, said: str
) -> None:
    assert _restated(make_thread, body, subject="Help") == said


@pytest.mark.parametrize(
    "body",
    [
        "El recibo que pagué ayer sigue pendiente.",  # "pagué" is their "I", outside the table
        "O recibo que reiniciei ainda dá erro.",
        "La facture que nous avons reçue est fausse.",  # "nous" cannot be turned
    ],
)
def test_a_statement_keeping_a_first_person_is_not_said_back(make_thread: MakeThread, body: str) -> None:
    assert _restated(make_thread, body, subject="Help") == ""


def test_a_long_statement_ends_before_its_circumstance_rather_than_parrot(make_thread: MakeThread) -> None:
    # Said back whole it would repeat eight of their words in a row (the parroting guardrail).
    said = _restated(make_thread, "My laptop won't turn on since this afternoon.", subject="Help")
    assert said == "I understand that your laptop won't turn on."


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("¿Ya está lista la receta de mi padre?", "Quiere saber si ya está lista la receta de su padre."),
        ("A minha encomenda já foi enviada?", "Quer saber se a sua encomenda já foi enviada."),
    ],
)
def test_a_question_about_their_thing_turns_by_its_possessive(
    make_thread: MakeThread, body: str, said: str
) -> None:
    assert _restated(make_thread, body, subject="Help") == said


def test_a_question_without_their_thing_or_verb_is_not_turned(make_thread: MakeThread) -> None:
    assert _restated(make_thread, "¿Alguien me puede responder algo?", subject="Help") == ""
