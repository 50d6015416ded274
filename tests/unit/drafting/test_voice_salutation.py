"""How the offline draft addresses and opens (issue 13, A1/A4/A5, decision 138). New example text."""

from __future__ import annotations

from typing import Any

import pytest

from service.drafting.composer import compose_offline
from service.language.analysis import analyse_thread
from service.models import Thread
from tests.unit.drafting.conftest import MakeThread


def draft(thread: Thread) -> str:
    return compose_offline(thread, analyse_thread(thread))


def turn(role: str, body: str, when: str) -> dict[str, Any]:
    return {"role": role, "body": body, "created_at": when}


# --- salutations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "opening"),
    [
        (
            "I would like to change the name on my policy after my divorce.",
            "Claire Whitmore",
            "Dear Claire,\n\n",
        ),
        (
            "Quisiera cambiar el titular de la póliza de mi coche a partir de enero.",
            "Javier Ortega Castillo",
            "Buenos días, Javier:\n\n",
        ),
        (
            "Gostaria de alterar o titular do contrato da água a partir de janeiro.",
            "Miguel Carvalho Santos",
            "Bom dia, Miguel,\n\n",
        ),
        (
            "Je souhaite modifier le titulaire de mon contrat à partir de janvier.",
            "Philippe Rochat",
            "Bonjour,\n\n",
        ),
    ],
)
def test_a_formal_email_never_opens_on_both_names(
    make_thread: MakeThread, text: str, name: str, opening: str
) -> None:
    thread = make_thread(text, customer={"name": name}, channel="email", options={"tone": "formal"})
    reply = draft(thread)
    assert reply.startswith(opening), reply
    assert name not in reply


def test_german_goes_on_in_lower_case_after_the_comma(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Sehr geehrte Damen und Herren, ich möchte den Abschlag für meinen Stromvertrag ändern.",
        customer={"name": "Reinhard Baumgartner", "locale": "de-DE"},
        channel="email",
    )
    reply = draft(thread)
    assert reply.startswith("Guten Tag,\n\n")
    second = reply.split("\n\n")[1]
    assert second[:1].islower(), reply
    assert "Baumgartner" not in reply


def test_a_title_comes_from_our_earlier_turn_with_the_first_surname(make_thread: MakeThread) -> None:
    thread = make_thread(
        turn("customer", "Mi coche sigue en el taller desde hace tres semanas.", "2026-04-01T09:00:00Z"),
        turn(
            "agent",
            "Hemos recibido su parte.\nSr. Ortega, le escribiremos en cuanto sepamos algo.",
            "2026-04-01T11:00:00Z",
        ),
        turn("customer", "Necesito saber cuándo podré recoger el coche.", "2026-04-01T12:00:00Z"),
        customer={"name": "Javier Ortega Castillo"},
        channel="email",
        options={"tone": "formal"},
    )
    assert draft(thread).startswith("Buenos días, Sr. Ortega:")


@pytest.mark.parametrize(
    "agent_text",
    [
        "Hemos cerrado la cuenta de su padre, el Sr. Ortega, como nos pidió.",  # a relative
        "Hemos recibido su mensaje y lo estamos revisando.",  # no title at all
    ],
)
def test_a_relatives_title_or_a_notes_is_not_the_customers(make_thread: MakeThread, agent_text: str) -> None:
    thread = make_thread(
        turn("customer", "Mi padre falleció y quiero cerrar su línea.", "2026-04-01T09:00:00Z"),
        turn("agent", agent_text, "2026-04-01T11:00:00Z"),
        turn("note", "Sr. Ortega: cuenta bloqueada desde el 2 de abril.", "2026-04-01T11:30:00Z"),
        turn("customer", "Necesito saber qué documentos tengo que enviar.", "2026-04-01T12:00:00Z"),
        customer={"name": "Javier Ortega Castillo"},
        channel="email",
        options={"tone": "formal"},
    )
    reply = draft(thread)
    assert reply.startswith("Buenos días, Javier:"), reply
    assert "Sr." not in reply.split("\n")[0]


@pytest.mark.parametrize("channel", ["chat", "social"])
def test_no_second_greeting_in_an_ongoing_conversation(make_thread: MakeThread, channel: str) -> None:
    thread = make_thread(
        turn("customer", "hola, me llegó un producto equivocado", "2026-04-01T09:00:00Z"),
        turn("agent", "¡Hola Martina! Ya lo estoy mirando.", "2026-04-01T09:02:00Z"),
        turn("customer", "ok, y cuándo me mandan el correcto?", "2026-04-01T09:10:00Z"),
        customer={"name": "Martina Gómez"},
        channel=channel,
    )
    reply = draft(thread)
    assert not reply.lower().startswith(("hola", "¡hola")), reply


def test_a_new_chat_is_still_greeted(make_thread: MakeThread) -> None:
    assert draft(make_thread("hi, my broadband is down since saturday", channel="chat")).startswith(
        "Hi Dana,"
    )


# --- the address a note prescribes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "informal"),
    [
        ("Super Update, die App stürzt beim Ticketkauf ab. Zug weg.", "Auf Facebook duzen wir.", "dir"),
        ("Une heure d'attente et le repas est arrivé froid.", "Sur les réseaux on tutoie.", "tu"),
        ("Llevo una hora esperando y el pedido llegó frío.", "En redes sociales tuteamos.", "te"),
    ],
)
def test_a_notes_address_rule_is_followed(
    make_thread: MakeThread, text: str, rule: str, informal: str
) -> None:
    thread = make_thread(
        text, turn("note", f"Kunde bekannt. {rule}", "2026-04-01T10:00:00Z"), channel="social"
    )
    reply = draft(thread)
    assert f" {informal} " in f" {reply.replace(',', ' ').replace('.', ' ')} ", reply


def test_a_negated_address_rule_is_not_followed(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Sehr geehrte Damen und Herren, mein Paket ist seit zwei Wochen nicht angekommen.",
        turn("note", "Bitte hier nicht duzen, Kunde ist Geschäftskunde.", "2026-04-01T10:00:00Z"),
        channel="email",
    )
    reply = draft(thread)
    assert " Sie " in reply
    assert " dir " not in reply


# --- openers and the lines around them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "passed_on"),
    [
        (
            "Thank you so much, Rohit! Your course got me through the exam with 86%. Please tell him.",
            "reach the team",
        ),
        (
            "¡Muchísimas gracias por todo! El equipo del hotel hizo de nuestro aniversario algo inolvidable.",
            "lleguen",
        ),
        ("Herzlichen Dank für das wunderbare Wochenende, es war einfach perfekt!", "weiter"),
        ("Merci infiniment pour votre accueil, c'était un séjour parfait !", "transmets"),
    ],
)
def test_a_thank_you_letter_is_not_answered_with_a_stall(
    make_thread: MakeThread, text: str, passed_on: str
) -> None:
    reply = draft(make_thread(text, channel="email"))
    assert passed_on in reply, reply
    for stall in ("looking into", "revisando", "prüfe", "kümmere mich jetzt", "vérifie", "keep you updated"):
        assert stall not in reply, reply


def test_thanks_that_ask_see_the_question(make_thread: MakeThread) -> None:
    reply = draft(
        make_thread(
            "Thank you so much for the wonderful wedding, everyone loved it! "
            "Could you tell us when the invoice is due?",
            channel="email",
        )
    )
    # The question is seen: said back, and then not announced a second time (decision 156).
    assert "when the invoice is due" in reply
    assert "what you'd like to know" not in reply


def test_a_public_post_with_an_unsettled_note_is_asked_to_dm(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Day 4 without my suitcase, @brand. Great service as always.",
        turn("note", "Bag traced to Boston, no location yet. Do not give an ETA.", "2026-04-01T10:00:00Z"),
        channel="social",
        subject="Public reply on X",
    )
    assert "private message" in draft(thread)


def test_a_wait_is_owned_once(make_thread: MakeThread) -> None:
    thread = make_thread(
        turn("customer", "My refund has not arrived.", "2026-04-01T09:00:00Z"),
        turn("agent", "We are checking this for you.", "2026-04-01T10:00:00Z"),
        turn("customer", "Still nothing, a week later.", "2026-04-08T10:00:00Z"),
        channel="email",
    )
    reply = draft(thread)
    assert "wait" in reply
    assert "taking care of it now" not in reply


def test_our_mistake_names_no_irritation(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Preciso da declaração de matrícula para o visto, a entrevista é dia 10. Estou muito preocupada.",
        turn(
            "note",
            "Erro nosso: a declaração saiu com a data errada. Declaração emitida hoje.",
            "2026-04-01T10:00:00Z",
        ),
        customer={"name": "Beatriz Lima", "locale": "pt-BR"},
        channel="email",
    )
    assert "irritação" not in draft(thread)
