"""Settled outcomes by kind, in five languages (issue 13, decisions 124-125): a fee waived, nothing
for the customer to do, a card blocked and a new one on its way, an invoice reissued, a bank
transfer sent, a callback with its window (and the constraint it carries), slots with month names.
Made-up notes, written for these tests; no note sentence may reach the draft verbatim.
"""

from __future__ import annotations

import re

import pytest

from service.drafting.composer import compose_offline
from service.drafting.note_outcomes import read_note_outcomes
from service.language.analysis import analyse_thread
from service.models import Thread
from tests.unit.drafting.kinds import note_thread, outcome_kinds


def _thread(customer: str, note: str, *, locale: str = "en", channel: str = "email") -> Thread:
    return note_thread(customer, note, locale=locale, channel=channel)


def _draft(thread: Thread) -> str:
    return compose_offline(thread, analyse_thread(thread))


_STALL = re.compile(r"checking this now|estoy revisando|ich prüfe das|je vérifie|estou verificando", re.I)

# (language, customer message, note, kind, what the draft must say)
_FEE_WAIVED = [
    (
        "en",
        "Why is there a customs charge on my parcel? I won't pay it.",
        "Import duties GBP 18.20 covered by us, customer not charged.",
        "(GBP 18.20)",
    ),
    (
        "es",
        "¿Por qué me cobran aranceles por mi paquete? No pienso pagarlos.",
        "Aranceles de 18,20 € los asumimos nosotros.",
        "(18,20 €)",
    ),
    (
        "de",
        "Warum soll ich Zollgebühren für mein Paket zahlen? Das sehe ich nicht ein.",
        "Zollabgaben CHF 18.20 übernehmen wir, werden nicht verrechnet.",
        "(CHF 18.20)",
    ),
    (
        "fr",
        "Pourquoi dois-je payer des frais de douane pour mon colis ? C'est inadmissible.",
        "Frais de douane 18,20 € pris en charge par nous.",
        "(18,20 €)",
    ),
    (
        "pt",
        "Por que estão me cobrando taxa de importação no meu pacote? Não vou pagar.",
        "Taxa de importação R$ 18,20 assumimos nós, cliente isentado.",
        "(R$ 18,20)",
    ),
]


@pytest.mark.parametrize(("language", "customer", "note", "amount"), _FEE_WAIVED)
def test_a_fee_waived_is_told_with_its_amount_and_not_as_reversed(
    language: str, customer: str, note: str, amount: str
) -> None:
    thread = _thread(customer, note, locale=language)
    assert outcome_kinds(thread, language) == ["fee_waived"]
    draft = _draft(thread)
    assert amount in draft
    assert not _STALL.search(draft)


_CARD = [
    (
        "en",
        "Someone used my card in a shop I've never been to! What now?",
        "Card ending 4471 blocked at 10:12 (cloned). New card dispatched, arrives in 5-7 working days.",
        "5-7 working days",
    ),
    (
        "es",
        "¡Alguien usó mi tarjeta en una tienda! ¿Qué hago ahora?",
        "Tarjeta terminada en 4471 bloqueada a las 10:12. Nueva tarjeta enviada, llega en 5-7 días hábiles.",
        "5-7 días hábiles",
    ),
    (
        "de",
        "Jemand hat meine Karte in einem Laden benutzt! Was jetzt?",
        "Karte mit Endziffern 4471 um 10:12 gesperrt. Neue Karte bestellt, kommt in 5-7 Werktagen.",
        "5-7 Werktagen",
    ),
    (
        "fr",
        "Quelqu'un a utilisé ma carte dans un magasin ! Je fais quoi ?",
        "Carte finissant par 4471 bloquée à 10h12. Nouvelle carte expédiée, arrive sous 5-7 jours ouvrés.",
        "5-7 jours ouvrés",
    ),
    (
        "pt",
        "Alguém usou meu cartão numa loja! E agora?",
        "Cartão final 4471 bloqueado às 10:12. Novo cartão enviado, chega em 5 a 7 dias úteis.",
        "5 a 7 dias úteis",
    ),
]


@pytest.mark.parametrize(("language", "customer", "note", "timeline"), _CARD)
def test_a_blocked_card_and_its_replacement_are_told_with_the_arrival_time(
    language: str, customer: str, note: str, timeline: str
) -> None:
    thread = _thread(customer, note, locale=language, channel="chat")
    assert outcome_kinds(thread, language) == ["card_blocked", "card_replacement"]
    draft = _draft(thread)
    assert timeline in draft
    assert "4471" not in draft  # the card's digits are not repeated
    assert not _STALL.search(draft)


def test_a_refund_held_up_by_an_expired_card_is_no_blocked_card() -> None:
    thread = _thread(
        "Où est mon remboursement ?",
        "Remboursement bloqué car carte d'origine expirée, à relancer.",
        locale="fr",
    )
    assert "card_blocked" not in outcome_kinds(thread, "fr")


_INVOICE = [
    (
        "en",
        "The invoice is missing our VAT number, please fix it.",
        "Reissued invoice INV-4410-B with the VAT number, same amount £980.00.",
        "£980.00",
    ),
    (
        "es",
        "La factura no tiene nuestro NIF, corríjanla por favor.",
        "Factura INV-4410-B reemitida con el NIF, mismo importe 980,00 €.",
        "980,00 €",
    ),
    (
        "de",
        "Auf der Rechnung fehlt unsere USt-IdNr., bitte korrigieren.",
        "Rechnung INV-4410-B korrigiert, gleicher Betrag 980,00 €.",
        "980,00 €",
    ),
    (
        "fr",
        "Il manque notre numéro de TVA sur la facture, merci de corriger.",
        "Facture INV-4410-B réémise avec le numéro de TVA, même montant 980,00 €.",
        "980,00 €",
    ),
    (
        "pt",
        "A fatura está sem o nosso NIF, podem corrigir?",
        "Fatura INV-4410-B retificada com o NIF, mesmo valor 980,00 €.",
        "980,00 €",
    ),
]


@pytest.mark.parametrize(("language", "customer", "note", "amount"), _INVOICE)
def test_a_reissued_invoice_is_told_with_its_number_and_amount(
    language: str, customer: str, note: str, amount: str
) -> None:
    thread = _thread(customer, note, locale=language)
    assert outcome_kinds(thread, language) == ["invoice_reissued"]
    draft = _draft(thread)
    assert "INV-4410-B" in draft
    assert amount in draft
    assert not _STALL.search(draft)


def test_an_amount_after_instead_of_is_the_old_amount_not_the_outcome() -> None:
    thread = _thread(
        "This bill is far too high, please check it.",
        "Invoice INV-7710-C corrected, instead of €1,180.00 it is €214.60.",
    )
    outcome = next(o for o in read_note_outcomes(thread, "en").outcomes if o.kind == "invoice_reissued")
    assert outcome.amount == "€214.60"


_TRANSFER = [
    (
        "en",
        "My claim was rejected wrongly, I want my money.",
        "Claim paid: bank transfer of €1,240.00 sent today, ref PAY-77104, arrives in 2-3 working days.",
        ["€1,240.00", "PAY-77104", "2-3 working days", "09/03"],
    ),
    (
        "es",
        "Rechazaron mi reclamación sin motivo, quiero mi dinero.",
        "Transferencia de 1.240 € emitida hoy, ref. PAY-77104, llegada en 2-3 días hábiles.",
        ["1.240 €", "PAY-77104", "2-3 días hábiles", "09/03"],
    ),
    (
        "de",
        "Mein Schaden wurde zu Unrecht abgelehnt, ich will mein Geld.",
        "Überweisung 1.240,00 € heute veranlasst, Ref. PAY-77104, Eingang in 2-3 Werktagen.",
        ["1.240,00 €", "PAY-77104", "2-3 Werktagen", "09.03."],
    ),
    (
        "fr",
        "Mon dossier a été refusé à tort, je veux mon argent.",
        "Virement relancé aujourd'hui vers l'IBAN déjà fourni, ne pas redemander l'IBAN.\n"
        "1 240,00 €, réf. PAY-77104, délai 2-3 jours ouvrés.",
        ["1 240,00 €", "PAY-77104", "2-3 jours ouvrés", "09/03"],
    ),
    (
        "pt",
        "O meu sinistro foi recusado sem razão, quero o meu dinheiro.",
        "Transferência de 1.240,00 € efetuada hoje, ref. PAY-77104, chega em 2-3 dias úteis.",
        ["1.240,00 €", "PAY-77104", "2-3 dias úteis", "09/03"],
    ),
]


@pytest.mark.parametrize(("language", "customer", "note", "facts"), _TRANSFER)
def test_a_bank_transfer_is_told_with_amount_reference_date_and_bank_time(
    language: str, customer: str, note: str, facts: list[str]
) -> None:
    thread = _thread(customer, note, locale=language)
    assert "transfer_sent" in outcome_kinds(thread, language)
    draft = _draft(thread)
    for fact in facts:
        assert fact in draft, (language, fact)
    assert not _STALL.search(draft)


def test_a_transfer_that_pays_a_refund_is_said_once_as_the_refund() -> None:
    thread = _thread(
        "Where is my refund?", "Refund €40.00 issued today by bank transfer, ref RF-99120, 3-5 working days."
    )
    assert outcome_kinds(thread, "en") == ["refund_issued"]


_NOTHING_TO_DO = [
    (
        "en",
        "Is my parcel stuck at customs? Do I have to do anything?",
        "Customs duties covered by us. Nothing for him to do.",
        "There is nothing you need to do",
    ),
    (
        "es",
        "¿Mi paquete está en aduana? ¿Tengo que hacer algo?",
        "Aranceles asumimos nosotros. No tiene que hacer nada.",
        "No hace falta hacer nada más.",
    ),
    (
        "de",
        "Hängt mein Paket beim Zoll? Muss ich etwas tun?",
        "Zollabgaben übernehmen wir. Kunde muss nichts tun.",
        "Dafür ist nichts weiter zu tun.",
    ),
    (
        "fr",
        "Mon colis est bloqué en douane ? Je dois faire quelque chose ?",
        "Frais de douane pris en charge. Rien à faire pour le client.",
        "Il n'y a rien d'autre à faire.",
    ),
    (
        "pt",
        "Meu pacote está na alfândega? Preciso fazer algo?",
        "Taxas de importação assumimos nós. Cliente não precisa fazer nada.",
        "Não é preciso fazer mais nada.",
    ),
]


@pytest.mark.parametrize(("language", "customer", "note", "line"), _NOTHING_TO_DO)
def test_nothing_to_do_is_said_beside_another_outcome(
    language: str, customer: str, note: str, line: str
) -> None:
    thread = _thread(customer, note, locale=language)
    assert outcome_kinds(thread, language) == ["fee_waived", "nothing_to_do"]
    assert line in _draft(thread)


def test_nothing_to_do_alone_settles_nothing_and_a_task_for_the_customer_cancels_it() -> None:
    alone = _thread("Is my parcel stuck?", "Nothing for him to do.")
    assert "There is nothing you need to do" not in _draft(alone)
    tasked = _thread(
        "Is my parcel stuck at customs?",
        "Customs duties covered by us. Nothing for him to do on the duties.\n"
        "We need him to confirm the delivery address by Friday.",
    )
    assert outcome_kinds(tasked, "en") == ["fee_waived"]


def test_a_callback_is_told_with_its_window_and_its_constraint_kept() -> None:
    thread = _thread(
        "Salut, mon compte est bloqué, débloque-le vite stp, je dois payer mon loyer !",
        "Déblocage uniquement après rappel vérifié, ne pas débloquer par chat.\n"
        "Rappel sécurité réservé : aujourd'hui entre 15h et 16h, ou il appelle lui-même (24/7).",
        locale="fr",
        channel="chat",
    )
    outcome = read_note_outcomes(thread, "fr").outcomes[0]
    assert outcome.kind == "callback_arranged"
    assert outcome.date == "09/03"  # "24/7" is no date
    assert outcome.times == ("15h", "16h")
    draft = _draft(thread)
    assert "entre 15h et 16h" in draft
    assert "ne peut pas se faire ici" in draft  # the unlock waits for the call
    assert not re.search(r"\b(?:j'ai|nous avons) débloqué", draft)
    assert not _STALL.search(draft)


def test_a_delivery_window_is_the_window_not_the_dispatch_time() -> None:
    thread = _thread(
        "Where is my medicine? It was supposed to come yesterday!",
        "New shipment RX-30112-R dispatched 13:12, delivery window today 4:00–8:00 pm.",
        channel="chat",
    )
    outcome = read_note_outcomes(thread, "en").outcomes[0]
    assert outcome.kind == "delivery_scheduled"
    assert outcome.times == ("4:00", "8:00 pm")
    assert "between 4:00 and 8:00 pm" in _draft(thread)


@pytest.mark.parametrize(
    ("language", "customer", "note", "said"),
    [
        (
            "es",
            "Necesito una cita lo antes posible, por favor.",
            "Huecos reservables: jue 17 dic 10:30, vie 18 dic 12:00.",
            "el 17 dic a las 10:30 o el 18 dic a las 12:00",
        ),
        (
            "fr",
            "J'ai besoin d'un rendez-vous le plus vite possible, s'il vous plaît.",
            "Créneaux dispo : mar 15 déc 9h, jeu 17 déc 13h30.",
            "le 15 déc à 9h ou le 17 déc à 13h30",
        ),
        (
            "en",
            "I need an appointment as soon as possible, please.",
            "Slots today 3pm & 4:30pm, can do tomorrow 9am.",
            "on 09/03 at 3pm or on 09/03 at 4:30pm",
        ),
    ],
)
def test_offered_slots_may_be_named_by_month_or_today_and_tomorrow_is_not_today(
    language: str, customer: str, note: str, said: str
) -> None:
    thread = _thread(customer, note, locale=language)
    draft = _draft(thread)
    assert said in draft
    assert "9am" not in draft  # tomorrow's time is not offered as today's


_ALL_NOTES = [row[2] for rows in (_FEE_WAIVED, _CARD, _INVOICE, _TRANSFER, _NOTHING_TO_DO) for row in rows]


@pytest.mark.parametrize("note", _ALL_NOTES)
def test_no_note_sentence_reaches_the_draft_verbatim(note: str) -> None:
    thread = _thread("I need help with this, please.", note)
    draft = _draft(thread).lower()
    for sentence in re.split(r"(?<=[.!?])\s+|\n", note):
        words = sentence.strip().lower().split()
        # No run of six words of the note's own, and no whole short sentence of it.
        for at in range(max(0, len(words) - 5)):
            assert " ".join(words[at : at + 6]) not in draft, sentence
        if 2 < len(words) <= 6:
            assert sentence.strip().lower() not in draft
