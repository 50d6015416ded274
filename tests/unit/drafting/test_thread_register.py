"""The thread's established address, closings, salutations and the public social convention
(decisions 128-129)."""

from __future__ import annotations

from service.drafting.composer import compose_offline
from service.drafting.voice import in_public, voice_for
from service.language.analysis import analyse_thread
from service.language.register import Register, read_register
from tests.unit.drafting.conftest import MakeThread


def _agent(body: str) -> dict[str, str]:
    return {"role": "agent", "body": body}


def test_possessives_show_the_informal_address() -> None:
    assert read_register("Recebemos a tua reclamação e as fotos.", "pt").register is Register.informal
    assert read_register("Ya tengo tus reclamos anteriores acá.", "es").register is Register.informal


def test_an_argentine_thread_where_our_agent_wrote_informally_is_answered_in_voseo(
    make_thread: MakeThread,
) -> None:
    thread = make_thread(
        "Hola, otra vez sin internet.",
        _agent("Hola Lucía, lamento que estés pasando por esto. Ya tengo tus reclamos acá."),
        "Sigue sin funcionar desde las 9.",
        customer={"name": "Lucía Pérez", "locale": "es-AR"},
        channel="chat",
    )
    voice = voice_for(thread, analyse_thread(thread))
    assert voice.register is Register.informal
    assert "es@voseo" in voice.keys


def test_a_brazilian_tu_customer_is_answered_with_tu_not_voce(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Oi Gustavo! Tu lembraste do aniversário dos meus pais e deixaste um bilhete no quarto. "
        "Dá pra mandar o carregador pelos Correios pra Porto Alegre?",
        customer={"name": "Fernanda Souza", "locale": "pt-BR"},
        channel="email",
    )
    analysis = analyse_thread(thread)
    voice = voice_for(thread, analysis)
    assert "pt-BR@tu" in voice.keys
    text = compose_offline(thread, analysis)
    assert "você" not in text
    assert "Você" not in text
    assert "Um abraço," in text  # an informal customer may be embraced


def test_a_formal_or_unknown_portuguese_letter_is_not_closed_with_a_hug(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Escrevo a propósito da fatura 2211 de novembro, que inclui uma penalização indevida.",
        customer={"name": "Rui Carvalho", "locale": "pt-PT"},
        channel="email",
    )
    text = compose_offline(thread, analyse_thread(thread))
    assert "abraço" not in text


def test_a_formal_french_letter_without_a_title_opens_without_the_full_name(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Madame, Monsieur,\n\nJe vous prie de résilier l'abonnement de ma mère au 31 décembre.\n\n"
        "Veuillez agréer mes salutations distinguées.\nPhilippe Rochat",
        customer={"name": "Philippe Rochat", "locale": "fr-CH"},
        channel="email",
    )
    text = compose_offline(thread, analyse_thread(thread))
    assert text.startswith("Bonjour,\n")
    assert "Philippe Rochat," not in text.splitlines()[0]
    assert "Monsieur" not in text.splitlines()[0]
    assert "Madame" not in text.splitlines()[0]


def test_a_public_social_reply_with_settled_details_takes_them_to_a_private_message(
    make_thread: MakeThread,
) -> None:
    thread = make_thread(
        "You charged me twice for my subscription, €49.99 each. Refund one please.",
        {"role": "note", "body": "Duplicate refunded, ref RF-88412, 5-7 working days."},
        customer={"name": "Aoife Byrne"},
        channel="social",
        subject="Public mention: double charge",
    )
    assert in_public(thread)
    text = compose_offline(thread, analyse_thread(thread))
    assert "private message" in text
    assert "RF-88412" not in text
    assert "write to me here" not in text


def test_a_thread_labelled_as_a_private_conversation_is_not_public(make_thread: MakeThread) -> None:
    thread = make_thread("Sent you the order number.", channel="social", subject="DM: order 4471")
    assert not in_public(thread)


def test_casual_words_do_not_undo_the_formal_address_our_agent_established(make_thread: MakeThread) -> None:
    thread = make_thread(
        "boa noite. fiz um pix para um golpista hoje.",
        _agent("Boa noite, Sr. Antônio. Sinto muito; o senhor fez a coisa certa em nos avisar."),
        "moça eu vou receber o dinheiro de volta? kkk que sufoco",
        customer={"name": "Antônio Silva", "locale": "pt-BR"},
        channel="email",
    )
    analysis = analyse_thread(thread)
    assert analysis.register is Register.informal  # the customer's own words read casual
    assert voice_for(thread, analysis).register is Register.formal
    assert "abraço" not in compose_offline(thread, analysis)


def test_an_informal_pronoun_changes_the_address_we_established(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Guten Tag, mein Paket ist nicht angekommen.",
        _agent("Guten Tag Frau Weber, wir prüfen das für Sie."),
        "Hey, kannst du mal nachsehen, wo es steckt?",
        customer={"name": "Anna Weber", "locale": "de-DE"},
        channel="chat",
    )
    assert voice_for(thread, analyse_thread(thread)).register is Register.informal
