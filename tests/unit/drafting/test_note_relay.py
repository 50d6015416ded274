"""A note's step for the customer, said to them (decision 137): the third-person subject with its
modal turned to our frame in the customer's register, pronouns inside the step turned, a condition
kept as a condition; staff, tools, agent instructions, pending matters and unturnable pronouns
never relayed. Made-up threads and notes, written for these tests.
"""

from __future__ import annotations

import re

import pytest

from service.drafting.composer import compose_offline, compose_offline_with_gaps
from service.drafting.note_relay import read_relayed, relayed_sentences
from service.drafting.voice import voice_for
from service.language.analysis import analyse_thread
from service.models import Thread
from tests.unit.drafting.kinds import note_thread


def _thread(
    customer: str, note: str, *, locale: str = "en", channel: str = "email", name: str = "Noor Haddad"
) -> Thread:
    return note_thread(customer, note, locale=locale, channel=channel, name=name, subject="Help")


def _said(thread: Thread) -> list[str]:
    analysis = analyse_thread(thread)
    voice = voice_for(thread, analysis)
    return relayed_sentences(read_relayed(thread, analysis.language), analysis.language, voice.keys)


# --- the step, by kind and register -----------------------------------------------------------------

_RELAYED = [
    (
        "en",
        "My internet has been down since Monday, what do I do?",
        "Fault at the exchange fixed at 10:28. She needs to switch the router off at the wall for 30 sec.",
        "You'll need to switch the router off at the wall for 30 seconds.",
    ),
    (
        "en",
        "How do I send you the papers for my claim?",
        "Claim open. He can upload his documents at claims.example/upload with ref CL-44120.",
        "You can upload your documents at claims.example/upload with ref CL-44120.",
    ),
    (
        "en",
        "Do I have to claim the compensation for the outage myself?",
        "Compensation is automatic, £12.40 on next bill. She doesn't need to claim it.",
        "You don't need to claim it.",
    ),
    (
        "en",
        "The parcel with my medicine never came, what now?",
        "Rebooked for Tue 10/03. Cust to bring photo ID when collecting at the depot.",
        "Please bring photo ID when collecting at the depot.",
    ),
    (
        "es",
        "Estimado equipo, necesito pagar el colegio hoy y mi tarjeta no funciona. Atentamente.",
        "Bloqueo preventivo. La cliente puede validar la compra en la app, sección Tarjetas, en 2 min.",
        "Puede validar la compra en la app, sección Tarjetas, en 2 minutos.",
    ),
    (
        "es",
        "Che, no me anda la tarjeta y tengo que pagar hoy, ¿qué hago? Vos sabés algo?",
        "Bloqueo preventivo. La cliente tiene que validar la compra en la app con su token.",
        "Vas a tener que validar la compra en la app con tu token.",
    ),
    (
        "de",
        "Sehr geehrte Damen und Herren, wie kann ich meinen Abschlag ändern? Mit freundlichen Grüßen",
        "Abschlag zu hoch angesetzt. Kunde kann den Abschlag im Kundenportal selbst anpassen.",
        "Sie können den Abschlag im Kundenportal selbst anpassen.",
    ),
    (
        "de",
        "Hey, ich seh meine Tickets nicht in der App, kannst du mal schauen? Danke dir!",
        "Tickets umgebucht. Sie muss die App einmal schließen und neu öffnen bzw. ihre Mails prüfen.",
        "Du musst die App einmal schließen und neu öffnen oder deine Mails prüfen.",
    ),
    (
        "fr",
        "Bonjour, comment puis-je résilier mon abonnement ? Merci de votre retour.",
        "Abonnement mensuel. Elle peut aussi résilier sans frais à tout moment depuis son espace client.",
        "Vous pouvez résilier sans frais à tout moment depuis votre espace client.",
    ),
    (
        "fr",
        "Salut, je comprends pas ma facture, tu peux m'aider stp ?",
        "Crédit appliqué. Il n'a pas besoin de payer le reste, seulement 55 $ + taxes.",
        "Tu n'as pas besoin de payer le reste, seulement 55 $ + taxes.",
    ),
    (
        "pt",
        "Bom dia, preciso da declaração com urgência para o consulado. Atenciosamente.",
        "Declaração emitida. Se o consulado exigir versão impressa, ela pode retirar na Secretaria "
        "(bloco A, sala 104) na quarta 09/12 das 8h às 17h.",
        "Se o consulado exigir versão impressa, pode retirar na Secretaria (bloco A, sala 104) na "
        "quarta 09/12 das 8h às 17h.",
    ),
    (
        "pt-PT",
        "Olá, recebi o artigo errado, como faço para o devolver? Obrigado, tens sido uma ajuda.",
        "Erro do armazém. Ele pode entregar em qualquer loja até 15/01 com a sua fatura.",
        "Podes entregar em qualquer loja até 15/01 com a tua fatura.",
    ),
]


@pytest.mark.parametrize(("locale", "customer", "note", "expected"), _RELAYED)
def test_the_notes_step_is_said_to_the_customer_in_their_register(
    locale: str, customer: str, note: str, expected: str
) -> None:
    assert expected in _said(_thread(customer, note, locale=locale))


def test_a_condition_before_the_step_stays_a_condition() -> None:
    thread = _thread(
        "My router light is red, what can I do?",
        "If still red after the restart, she can call 0800 555 010 any time.",
    )
    assert _said(thread) == ["If still red after the restart, you can call 0800 555 010 any time."]


def test_a_german_condition_puts_the_modal_before_its_subject() -> None:
    thread = _thread(
        "Guten Tag, was mache ich, wenn das Paket nicht kommt? Mit freundlichen Grüßen",
        "Falls das Paket bis Freitag nicht da ist, kann die Kundin den Ersatz im Portal anfordern.",
        locale="de",
    )
    assert _said(thread) == [
        "Wenn das Paket bis Freitag nicht da ist, können Sie den Ersatz im Portal anfordern."
    ]


# --- what is never relayed -------------------------------------------------------------------------

_NOT_RELAYED = [
    # told to the agent, not the customer
    ("en", "Do not promise a date. Offer a callback if she asks."),
    ("en", "She can get a goodwill credit, but offer it only if she complains again."),
    # our staff, by title or by role
    ("en", "She can call pharmacist Sam at the Footscray store until 6pm."),
    # "she" after someone else is named may be that person
    ("en", "Driver will phone Mrs Nguyen first. She can sign for the parcel."),
    # "he" with "her" inside: the calendar is someone else's
    ("en", "He can pick a time via her calendar link."),
    # a condition said elsewhere ("dann")
    ("de", "Kunde soll sich dann melden."),
    # pending or unsure
    ("en", "She may need to resend the form? not sure yet."),
    # a noun after "precisa de" is not a step
    ("pt", "Ela precisa de um comprovativo de morada."),
    # a prohibition the note means for us
    ("en", "She must not be given the PIN over the phone."),
    # "they" may be anyone
    ("en", "She can ask them to resend it."),
]


@pytest.mark.parametrize(("locale", "note"), _NOT_RELAYED)
def test_what_the_note_means_for_us_is_never_relayed(locale: str, note: str) -> None:
    assert _said(_thread("Hello, where is my order? Thanks.", note, locale=locale)) == []


def test_a_quoted_label_is_not_read_as_our_words() -> None:
    # "Meine" inside the quoted menu name is the app's label, not the agent's first person.
    thread = _thread(
        "Hallo, wo sind meine Tickets? Danke!",
        "Sie muss unter 'Meine Tickets' nach unten ziehen.",
        locale="de",
    )
    assert len(_said(thread)) == 1


# --- in the draft ----------------------------------------------------------------------------------

_STALL = "checking this now"


def test_the_step_replaces_the_stall_and_tells_the_agent_what_is_left() -> None:
    note = (
        "Line test: fault at the exchange, fixed at 10:28. She needs to switch the router off at the "
        "wall for 30 sec and back on. Compensation applies from Sat, credit on the Jan bill. Escalate "
        "to field team if it's still red. Engineer earliest Wed AM."
    )
    thread = _thread("My internet is still down!! What am I supposed to do?", note, channel="chat")
    composed = compose_offline_with_gaps(thread, analyse_thread(thread))
    assert "switch the router off at the wall for 30 seconds" in composed.text
    assert _STALL not in composed.text
    assert composed.gaps
    assert "part of what our internal notes" in composed.gaps[0].message
    # The step's own phrase is the only note wording said; no six-word run of any other sentence.
    step = "switch the router off at the wall for 30 sec and back on"
    words = note.replace(step, "|").split()
    for i in range(len(words) - 5):
        run = words[i : i + 6]
        assert "|" in run or " ".join(run) not in composed.text


def test_a_pending_note_keeps_the_stall_beside_the_step() -> None:
    thread = _thread(
        "My refund still hasn't come, what do I do?",
        "Waiting for the bank's answer. She can check the status at help.example/status.",
    )
    text = compose_offline(thread, analyse_thread(thread))
    assert "You can check the status at help.example/status." in text
    assert _STALL in text


def test_a_public_post_gets_no_step_from_the_notes() -> None:
    thread = _thread(
        "@shop my order never came, what now???",
        "She can return it at any store with ref RT-20931.",
        channel="social",
    )
    assert "RT-20931" not in compose_offline(thread, analyse_thread(thread))


def test_no_relayed_step_repeats_a_pronoun_it_could_not_turn() -> None:
    # Spanish "él" inside the step cannot be said to a tú customer: the step is left out.
    thread = _thread(
        "Hola, ¿cómo hago para devolver el pedido? Gracias, eres muy amable.",
        "El cliente puede devolverlo a él en la tienda.",
        locale="es",
    )
    assert all(not re.search(r"\bél\b", s) for s in _said(thread))


# --- lists: steps to follow, options to choose between ------------------------------------------------

_STEPS_NOTE = (
    "Account verified. We can't switch off 2FA from our side.\n"
    "Steps:\n"
    "1) log in at app.example.com as usual\n"
    '2) on the code screen click "Use another method"\n'
    "3) save the backup codes it shows\n"
    "Cutoff is 5pm."
)


def test_numbered_steps_under_a_heading_are_said_as_our_list() -> None:
    thread = _thread("I'm locked out and payroll is due today!! What do I do??", _STEPS_NOTE, channel="chat")
    text = compose_offline(thread, analyse_thread(thread))
    assert "Here's how:\n1. Log in at app.example.com as usual\n2. On the code screen click" in text
    assert _STALL not in text
    assert "switch off 2FA" not in text  # the note's own sentence around the list stays ours


def test_a_text_message_gets_no_list() -> None:
    thread = _thread("Locked out, payroll due today, help?", _STEPS_NOTE, channel="sms")
    assert "1." not in compose_offline(thread, analyse_thread(thread))


_OPTIONS = [
    (
        "es",
        "Che, me subieron la factura, ¿qué opciones tengo? Vos decime.",
        "Opciones, cualquiera la cargo yo desde el chat:\nA) Seguir en 300 MB: $29.900/mes.\n"
        "B) Baja sin costo. Tiene que devolver el módem.",
        [
            "Podés elegir entre estas opciones:",
            "2. Baja sin costo. Tenés que devolver el módem",
            "Decime cuál preferís.",
        ],
    ),
    (
        "fr",
        "Salut, les pneus sont pas les bons, tu peux m'aider ?",
        "3 options, il choisit :\n1) Attendre ses pneus : pose vendredi 11/12 à 7h30.\n"
        "2) Remboursement complet 1 048 $ sur sa carte.",
        [
            "Tu as le choix entre ces options :",
            "1. Attendre tes pneus",
            "2. Remboursement complet 1 048 $ sur ta carte",
        ],
    ),
    (
        "de",
        "Sehr geehrte Damen und Herren, welche Möglichkeiten habe ich? Mit freundlichen Grüßen",
        "Zwei Möglichkeiten:\na) Tausch der Kissen im Januar, kostenlos.\nb) Gutschrift 150 € aufs Konto.",
        ["Sie können zwischen diesen Möglichkeiten wählen:", "1. Tausch der Kissen im Januar, kostenlos"],
    ),
]


@pytest.mark.parametrize(("locale", "customer", "note", "expected"), _OPTIONS)
def test_options_are_offered_as_a_choice_in_the_customers_register(
    locale: str, customer: str, note: str, expected: list[str]
) -> None:
    said = "\n".join(_said(_thread(customer, note, locale=locale, channel="chat")))
    for line in expected:
        assert line in said
    # The heading is the note's.
    assert "cargo yo" not in said
    assert "il choisit" not in said


def test_a_list_with_one_item_about_the_customer_behind_their_back_is_not_relayed() -> None:
    # "puisqu'il n'est pas à l'aise avec internet" is our remark about him, not for him.
    note = (
        "Deux façons, au choix :\na) en ligne : espace client > Mes cartes, cocher les paiements ;\n"
        "b) puisqu'il n'est pas à l'aise avec internet : à l'agence, sans rendez-vous."
    )
    assert _said(_thread("Bonjour, que dois-je faire ? Cordialement.", note, locale="fr")) == []


def test_a_list_naming_staff_or_telling_the_agent_is_not_relayed() -> None:
    note = "Options:\n1) Callback from Mrs Patel tomorrow\n2) Refund, but don't promise a date"
    assert _said(_thread("What are my options?", note, channel="chat")) == []


def test_a_titles_dot_ends_no_clause_and_a_heading_is_no_step() -> None:
    # "Sra. Marlene pode fazer: pedir ao consultório do Dr. Paulo …" is a heading over what others
    # must send, with a doctor named: nothing of it is the customer's step said back.
    note = "O que a Sra. Marlene pode fazer: pedir ao consultório do Dr. Paulo Meireles que envie o laudo."
    thread = _thread("Bom dia, e a autorização?", note, locale="pt", name="Marlene Souza")
    assert _said(thread) == []
