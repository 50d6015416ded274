"""A note's answer said to the customer by structure (decision 155): a step with no subject in
Spanish and Portuguese, a step after a comma, a one-verb step, a delivery and a callback by their
window; and what stays unsaid: an option's step, a clause that speaks of the one before, a verb
whose subject is a thing, an offer "if she prefers", a time that is a limit. Made-up threads and
notes, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.drafting.composer import compose_offline
from service.drafting.note_outcomes import read_note_outcomes
from service.drafting.note_relay import read_relayed, relayed_sentences
from service.drafting.voice import voice_for
from service.language.analysis import analyse_thread
from service.models import Thread


def _thread(customer: str, note: str, *, locale: str = "en", channel: str = "email") -> Thread:
    data: dict[str, Any] = {
        "id": "T-STRUCT",
        "subject": "Help",
        "channel": channel,
        "customer": {"name": "Noor Haddad", "locale": locale},
        "agent": {"name": "Lene"},
        "messages": [
            {"role": "customer", "created_at": "2026-03-09T08:00:00Z", "body": customer},
            {"role": "note", "created_at": "2026-03-09T09:00:00Z", "body": note},
        ],
    }
    return Thread.model_validate(data)


def _said(thread: Thread) -> list[str]:
    analysis = analyse_thread(thread)
    voice = voice_for(thread, analysis)
    return relayed_sentences(read_relayed(thread, analysis.language), analysis.language, voice.keys)


_RELAYED = [
    pytest.param(
        "es",
        "Buenas tardes, ¿cuánto cuestan 300 tazas con logo y llegan para el 20 de marzo?",
        "Precio 4,20 € por unidad. Para llegar al 20/03 tiene que confirmar el diseño antes del 12/03.",
        "Para llegar al 20/03, tendrá que confirmar el diseño antes del 12/03.",
        id="es-purpose-then-modal",
    ),
    pytest.param(
        "pt",
        "Bom dia, não consigo entrar na conta e preciso de pagar a fatura até sexta. Como faço?",
        "Acesso só após verificação; a referência vai na fatura em papel; ou pode pagar em qualquer balcão.",
        "Pode pagar em qualquer balcão.",
        id="pt-join-then-modal",
    ),
    pytest.param(
        "pt",
        "Olá, as notas fiscais estão voltando com erro desde a atualização. O que fazemos?",
        "Erro corrigido na versão 5.1. Depois de atualizar, basta reenviar as notas: o sistema confere tudo.",
        "Depois de atualizar, basta reenviar as notas.",
        id="pt-basta-colon-cut",
    ),
    pytest.param(
        "en",
        "Our uploads failed all weekend. Was it our config, and what should we do now?",
        "Outage on our side, fixed Sunday. "
        "Her config was never the problem, she can go back to parallel uploads.",
        "You can go back to parallel uploads.",
        id="en-after-a-fact-and-comma",
    ),
    pytest.param(
        "en",
        "The exports failed on Friday, do we need to send them again?",
        "Failed exports are not retried automatically – customer has to resend.",
        "You'll need to resend.",
        id="en-one-verb",
    ),
]


@pytest.mark.parametrize(("locale", "customer", "note", "expected"), _RELAYED)
def test_the_step_is_read_by_its_structure(locale: str, customer: str, note: str, expected: str) -> None:
    assert expected in _said(_thread(customer, note, locale=locale))


_NOT_RELAYED = [
    # after a dash, a clause with no subject speaks of what came before (voiding may cause a gap)
    pytest.param("pt", "NÃO inutilizar números – pode criar buraco na numeração.", id="pt-after-dash"),
    # the subject is a time or a thing
    pytest.param("es", "Puede tardar 5 días hábiles en verse en la cuenta.", id="es-impersonal"),
    # a condition or a time before the comma would be lost
    pytest.param("en", "Once the part arrives, she can book the fitting online.", id="en-once-before-comma"),
    # an option's step holds only if that option is chosen
    pytest.param(
        "es",
        "Opciones:\nA) Seguir con el plan actual.\nB) Baja sin costo. Tiene que devolver el módem.",
        id="es-option-step",
    ),
    # "nothing to do" is an outcome said beside another, never the answer on its own
    pytest.param("pt", "Não precisa fazer nada, só deixar o app aberto.", id="pt-nothing-to-do"),
]


@pytest.mark.parametrize(("locale", "note"), _NOT_RELAYED)
def test_what_is_not_the_customers_step_is_not_relayed(locale: str, note: str) -> None:
    said = _said(_thread("Hello, what happens now with my case?", note, locale=locale))
    steps = [s for s in said if "\n" not in s]
    assert steps == []  # a list of options may still be said whole, on its own lines


def _outcomes(thread: Thread) -> list[Any]:
    return list(read_note_outcomes(thread, analyse_thread(thread).language).outcomes)


def test_an_offer_if_she_prefers_is_not_told_as_done() -> None:
    thread = _thread(
        "I had to cancel my course because of surgery. Will I get my money back?",
        "Refund request sent to finance, not decided. If she prefers: a credit note for the full value, "
        "issued same day.",
    )
    assert "credit_applied" not in {o.kind for o in _outcomes(thread)}
    assert "credit has been added" not in compose_offline(thread, analyse_thread(thread))


def test_a_time_after_until_is_no_callback_time_and_one_hour_is_its_time_frame() -> None:
    thread = _thread(
        "Mein Online-Banking ist gesperrt, ich muss heute noch überweisen!",
        "Entsperrung nur nach Rückruf. "
        "Rückruf-Team heute bis 18:00 erreichbar, ruft innerhalb von 1 Stunde zurück.",
        locale="de",
        channel="sms",
    )
    (callback,) = [o for o in _outcomes(thread) if o.kind == "callback_arranged"]
    assert callback.times == ()
    assert callback.timeline == "1 Stunde"
    assert "18:00" not in compose_offline(thread, analyse_thread(thread))


def test_a_round_with_its_window_is_a_delivery_with_that_window() -> None:
    thread = _thread(
        "Können Sie bestätigen, dass die Platten bis Freitag 13.03. auf der Baustelle sind?",
        "Platten an Lager. Tour Bern Donnerstag 12.03., Zeitfenster 8–11 Uhr. Adresse korrekt erfasst.",
        locale="de",
    )
    reply = compose_offline(thread, analyse_thread(thread))
    assert "Die Lieferung ist für den 12.03. zwischen 8 und 11 Uhr geplant." in reply


def test_a_resend_with_its_arrival_is_a_delivery_and_one_with_no_day_is_not_said() -> None:
    dated = _thread(
        "Mi pedido aparece entregado pero no me llegó. ¡Es un regalo para el jueves!",
        "El repartidor lo dejó en otra dirección. Reenviamos hoy mismo sin costo, llega el 11/03.",
        locale="es",
        channel="chat",
    )
    assert "La entrega queda programada para el 11/03." in compose_offline(dated, analyse_thread(dated))
    undated = _thread(
        "Mi pedido aparece entregado pero no me llegó. ¡Es un regalo para el jueves!",
        "El repartidor lo dejó en otra dirección. Reenviamos sin costo, llega antes de las 16:00.",
        locale="es",
        channel="chat",
    )
    assert "delivery_scheduled" not in {o.kind for o in _outcomes(undated)}


def test_our_team_calling_in_a_window_is_a_callback_and_slots_offered_are_not() -> None:
    called = _thread(
        "Perdi o telemóvel e não consigo entrar na conta. Podem alterar o número?",
        "Alteração só após chamada de verificação. Equipa liga amanhã, 10/03, entre 10h e 13h.",
        locale="pt-PT",
    )
    (callback,) = [o for o in _outcomes(called) if o.kind == "callback_arranged"]
    assert (callback.date, callback.times) == ("10/03", ("10h", "13h"))
    offered = _thread(
        "I'm locked out of the admin account, please help.",
        "Security team will do the callback; slots today 3pm & 4:30pm, can do tomorrow 9am if she misses.",
    )
    assert "callback_arranged" not in {o.kind for o in _outcomes(offered)}


_NEEDED = [
    pytest.param(
        "en",
        "Thanks! Could the replacement go to my office instead?",
        "Not picked yet. We can change it but we need the full office address incl. postcode "
        "(he hasn't given it).",
        "We'll need the full office address including postcode from you.",
        id="en-but-we-need",
    ),
    pytest.param(
        "pt-PT",
        "Bom dia, podem mudar a morada da próxima entrega?",
        "Entrega a 12/03. Precisamos da morada completa com código postal.",
        "Vamos precisar da morada completa com código postal.",
        id="pt-precisamos-da",
    ),
]


@pytest.mark.parametrize(("locale", "customer", "note", "expected"), _NEEDED)
def test_what_we_still_need_from_the_customer_is_asked(
    locale: str, customer: str, note: str, expected: str
) -> None:
    assert expected in _said(_thread(customer, note, locale=locale))


@pytest.mark.parametrize(
    "note",
    [
        "We need to check with the warehouse first.",
        "We need confirmation from the hotel before we can pay.",
        "Precisamos de confirmar com o armazém.",
    ],
)
def test_what_we_need_to_do_or_from_someone_else_is_not_asked(note: str) -> None:
    locale = "pt" if note.startswith("Precisamos") else "en"
    assert _said(_thread("Where is my refund?", note, locale=locale)) == []


def test_bullets_under_an_options_heading_are_a_choice_and_a_participles_se_stays() -> None:
    thread = _thread(
        "Nous devons annuler le séjour suite au décès de ma mère. Que se passe-t-il ?",
        "Annulation sans frais acceptée.\nDeux options, au choix de la cliente :\n"
        "- remboursement de CHF 900.– sur la carte (Visa se terminant par 1234), sous 10 jours ;\n"
        "- OU bon de CHF 1'000.– valable 2 ans.\nElle doit juste répondre avec l'option choisie.",
        locale="fr",
    )
    said = _said(thread)
    assert "Vous devrez juste répondre avec l'option choisie." in said
    (options,) = [s for s in said if "\n" in s]
    assert "1. Remboursement de CHF 900.– sur la carte (Visa se terminant par 1234), sous 10 jours" in options
    assert "2. Bon de CHF 1'000.– valable 2 ans" in options
    reply = compose_offline(thread, analyse_thread(thread))
    assert "\n\n\n" not in reply


def test_bullets_of_facts_are_no_list() -> None:
    thread = _thread(
        "Where are my certificates?",
        "Both signed today.\n- Electronic copy sent to her address before 14:00.\n- Paper copy by courier.",
    )
    assert [s for s in _said(thread) if "\n" in s] == []
