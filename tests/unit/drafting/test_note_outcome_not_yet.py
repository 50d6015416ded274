"""What a note gives as still to come is never told as done; a rate is no fee's amount; a known
fault is said as no more than that; a thank-you letter is no case (issue 13, review H #03, #20,
#25).

Every example is new text written for these tests, in the five languages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.drafting.composer import compose_offline_with_gaps
from service.drafting.note_outcomes import read_note_outcomes
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread

_WHEN = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def _note(body: str) -> dict[str, Any]:
    return {"role": "note", "body": body, "created_at": _WHEN.isoformat()}


def _kinds(make_thread: MakeThread, asked: str, note: str) -> set[str]:
    thread = make_thread(asked, _note(note), channel="email")
    language = analyse_thread(thread).language
    return {o.kind for o in read_note_outcomes(thread, language).outcomes}


NOT_YET = [
    pytest.param(
        "My last bill is far too high, there was a leak. Can you correct it?",
        "Leak accepted. Once we receive the plumber's invoice, the late fee will be reversed.",
        "fee_reversed",
        id="en-once-we-receive",
    ),
    pytest.param(
        "La factura de este mes es altísima por una fuga. ¿La pueden revisar?",
        "Fuga aceptada. Cuando recibamos la factura del fontanero, el recargo queda anulado.",
        "fee_reversed",
        id="es-cuando-recibamos",
    ),
    pytest.param(
        "Meine Rechnung ist wegen eines Rohrbruchs viel zu hoch. Können Sie das korrigieren?",
        "Rohrbruch anerkannt. Gebühr storniert, sobald die Handwerkerrechnung vorliegt.",
        "fee_reversed",
        id="de-sobald",
    ),
    pytest.param(
        "Ma facture est énorme à cause d'une fuite. Pouvez-vous la corriger ?",
        "Fuite acceptée. Dès réception de la facture du plombier : pénalité annulée.",
        "fee_reversed",
        id="fr-des-reception",
    ),
    pytest.param(
        "A minha fatura veio altíssima por causa de uma fuga. Podem corrigir?",
        "Com o documento: excesso ao 1.º escalão; taxa de saneamento anulada.",
        "fee_reversed",
        id="pt-heading-condition",
    ),
    pytest.param(
        "A minha fatura veio altíssima por causa de uma fuga. Podem corrigir?",
        "Não paga nada até receber a fatura corrigida (prevista 15 dias úteis).",
        "invoice_reissued",
        id="pt-until-receipt",
    ),
    pytest.param(
        "I was charged twice for March. When do I get my money back?",
        "Refund pending, will be issued after finance signs off on Friday.",
        "refund_issued",
        id="en-pending",
    ),
    pytest.param(
        "On m'a débité deux fois en mars. Quand serai-je remboursée ?",
        "Le remboursement sera émis après validation de la compta.",
        "refund_issued",
        id="fr-future",
    ),
]


@pytest.mark.parametrize(("asked", "note", "kind"), NOT_YET)
def test_an_outcome_still_to_come_is_not_told_as_done(
    make_thread: MakeThread, asked: str, note: str, kind: str
) -> None:
    assert kind not in _kinds(make_thread, asked, note)


DONE = [
    pytest.param(
        "I was charged twice for March. When do I get my money back?",
        "Refund issued today, ref RF-20931, 3-5 working days; the new card is expected Friday.",
        "refund_issued",
        id="en-expected-after-is-another-matter",
    ),
    pytest.param(
        "Me cobraron dos veces en marzo. ¿Cuándo me devuelven el dinero?",
        "Reembolso emitido hoy, ref RF-20931, 3-5 días hábiles.",
        "refund_issued",
        id="es-done",
    ),
    pytest.param(
        "A minha fatura veio altíssima. Tenho de pagar até dia 18?",
        "Prazo de pagamento suspenso enquanto a revisão decorre – não paga nada até receber a nova fatura.",
        "deadline_suspended",
        id="pt-suspended-now-until-receipt",
    ),
    pytest.param(
        "Die Rechnung ist falsch. Muss ich trotzdem bis Freitag zahlen?",
        "Zahlungsfrist ausgesetzt, bis die Prüfung abgeschlossen ist.",
        "deadline_suspended",
        id="de-suspended",
    ),
]


@pytest.mark.parametrize(("asked", "note", "kind"), DONE)
def test_an_outcome_done_now_is_still_told(make_thread: MakeThread, asked: str, note: str, kind: str) -> None:
    assert kind in _kinds(make_thread, asked, note)


@pytest.mark.parametrize(
    ("asked", "note", "rate"),
    [
        pytest.param(
            "A minha fatura da água veio com 300 €. Podem rever?",
            "Excesso faturado ao 1.º escalão (0,52 €/m³); taxa de saneamento anulada.",
            "0,52",
            id="pt-per-cubic-metre",
        ),
        pytest.param(
            "My energy bill has a late fee I never agreed to. Can you remove it?",
            "Late fee reversed; usage stays billed at €0.31 per kWh.",
            "0.31",
            id="en-per-kwh",
        ),
        pytest.param(
            "Me cobraron una comisión por el parking. ¿La pueden quitar?",
            "Comisión anulada, la tarifa sigue a 2,50 €/hora.",
            "2,50",
            id="es-slash-hora",
        ),
    ],
)
def test_a_rate_per_unit_is_no_fee_amount(make_thread: MakeThread, asked: str, note: str, rate: str) -> None:
    thread = make_thread(asked, _note(note), channel="email")
    language = analyse_thread(thread).language
    found = read_note_outcomes(thread, language).outcomes
    assert all(rate not in (o.amount or "") for o in found)


def test_a_fee_with_its_own_amount_keeps_it(make_thread: MakeThread) -> None:
    thread = make_thread(
        "There's a €12 late fee on my bill I never agreed to. Can you remove it?",
        _note("Late fee €12 reversed today."),
        channel="email",
    )
    found = read_note_outcomes(thread, "en").outcomes
    assert [o.amount for o in found if o.kind == "fee_reversed"] == ["€12"]


_CLAIMS = (
    "not something caused",
    "working on it",
    "erreur de manipulation",
    "y travaille",
    "Bedienfehler",
    "arbeitet daran",
    "trabajando en ello",
    "forma errada",
    "trabalhar nisso",
)


@pytest.mark.parametrize(
    ("asked", "note"),
    [
        pytest.param(
            "The app logs me out every time I open the statements page. Is this me?",
            "Known bug since 4.2, fix deployed today.",
            id="en",
        ),
        pytest.param(
            "Depuis la mise à jour, l'appli plante à l'ouverture des relevés. C'est moi ?",
            "Bug connu depuis la 4.2, correctif déployé aujourd'hui.",
            id="fr",
        ),
        pytest.param(
            "Seit dem Update stürzt die App beim Öffnen der Auszüge ab. Liegt das an mir?",
            "Bekannter Fehler seit 4.2, Fehlerbehebung heute eingespielt.",
            id="de",
        ),
    ],
)
def test_a_known_fault_is_said_without_claims_the_note_does_not_make(
    make_thread: MakeThread, asked: str, note: str
) -> None:
    thread = make_thread(asked, _note(note), channel="email")
    assert read_note_outcomes(thread, analyse_thread(thread).language).known_issue
    draft = compose_offline_with_gaps(thread, analyse_thread(thread)).text
    assert not any(claim.lower() in draft.lower() for claim in _CLAIMS)


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        pytest.param(
            "Hey! Max is home and eating like a horse. Can't thank you all enough, "
            "the nurse was amazing with him.",
            "en",
            id="en-praise-is-the-ask",
        ),
        pytest.param(
            "Just wanted to let you know the sofa arrived and it is perfect. Thank you so much!",
            "en",
            id="en-strong-thanks",
        ),
    ],
)
def test_a_thank_you_letter_is_not_answered_as_a_case(make_thread: MakeThread, body: str, lang: str) -> None:
    thread = make_thread(body, channel="sms")
    draft = compose_offline_with_gaps(thread, analyse_thread(thread)).text
    assert "looking into" not in draft
    assert "checking" not in draft
    assert "can't thank" not in draft.lower()  # the thanks is not said back as an issue


def test_a_request_with_a_thank_you_is_still_a_request(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My invoice for March shows the wrong company name, it should be Brightline Ltd. "
        "Please correct it. Thanks a lot!",
        channel="email",
    )
    draft = compose_offline_with_gaps(thread, analyse_thread(thread)).text
    assert "kind words" not in draft
