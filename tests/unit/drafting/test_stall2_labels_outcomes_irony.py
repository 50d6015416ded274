"""Round 2 of issue 13 (decision 133): the subject's channel label or complaint portal is never said
back; an invoice cancelled, a certificate issued, a penalty not charged and a fault repaired are
told from the note; an excited public post with no word of thanks gets no good-news opener.
Made-up threads, written for these tests; no note sentence may reach the draft verbatim.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.drafting.acknowledge import acknowledgement_key
from service.drafting.composer import compose_offline
from service.drafting.note_outcomes import read_note_outcomes
from service.language.analysis import analyse_thread
from service.models import Thread


def _thread(
    customer: str, note: str = "", *, locale: str = "en", channel: str = "email", subject: str = "Help"
) -> Thread:
    messages: list[dict[str, Any]] = [
        {"role": "customer", "created_at": "2026-03-09T08:00:00Z", "body": customer}
    ]
    if note:
        messages.append({"role": "note", "created_at": "2026-03-09T09:00:00Z", "body": note})
    data: dict[str, Any] = {
        "id": "T-STALL2",
        "subject": subject,
        "channel": channel,
        "customer": {"name": "Noor Haddad", "locale": locale},
        "agent": {"name": "Lene"},
        "messages": messages,
    }
    return Thread.model_validate(data)


# --- (2) settled outcomes by kind ------------------------------------------------------------------

_STALL = re.compile(
    r"checking this now|estoy revisando|ich prüfe das|je vérifie|estou verificando", re.IGNORECASE
)

_INVOICE_CANCELLED = [
    (
        "en",
        "Why did I get a bill after I closed the account?",
        "December invoice (£38.40) cancelled, nothing to pay.",
        "£38.40",
    ),
    (
        "es",
        "¿Por qué me llega una factura después de la baja?",
        "La factura de diciembre (38,40 €) queda anulada.",
        "38,40 €",
    ),
    (
        "de",
        "Warum bekomme ich nach der Kündigung noch eine Rechnung?",
        "Rechnung Dezember (38,40 €) storniert.",
        "38,40 €",
    ),
    (
        "fr",
        "Pourquoi je reçois une facture après la résiliation ?",
        "Facture de décembre (38,40 €) annulée.",
        "38,40 €",
    ),
    (
        "pt",
        "Por que recebi uma fatura depois do cancelamento?",
        "Fatura de dezembro (R$ 38,40) cancelada.",
        "R$ 38,40",
    ),
]


@pytest.mark.parametrize(("language", "customer", "note", "amount"), _INVOICE_CANCELLED)
def test_an_invoice_cancelled_is_told_once_with_its_amount(
    language: str, customer: str, note: str, amount: str
) -> None:
    thread = _thread(customer, note, locale=language)
    kinds = [o.kind for o in read_note_outcomes(thread, language).outcomes]
    assert "invoice_cancelled" in kinds
    assert "no_charge" not in kinds  # "nothing to pay" is in the cancellation line already
    draft = compose_offline(thread, analyse_thread(thread))
    assert amount in draft
    assert not _STALL.search(draft)
    assert note not in draft


_CERTIFICATE = [
    (
        "en",
        "I still need the enrolment certificate for my visa.",
        "Enrolment certificate issued today, signed.",
    ),
    (
        "es",
        "Necesito el certificado de matrícula para el visado.",
        "Certificado de matrícula emitido hoy, firmado.",
    ),
    (
        "de",
        "Ich brauche die Bescheinigung für das Visum.",
        "Bescheinigung heute ausgestellt, unterschrieben.",
    ),
    ("fr", "J'ai besoin de l'attestation pour mon visa.", "Attestation émise aujourd'hui, signée."),
    ("pt", "Preciso da declaração de matrícula para o visto.", "Declaração emitida hoje, assinada."),
]


@pytest.mark.parametrize(("language", "customer", "note"), _CERTIFICATE)
def test_a_certificate_issued_is_told_without_a_stall(language: str, customer: str, note: str) -> None:
    thread = _thread(customer, note, locale=language)
    assert "document_issued" in [o.kind for o in read_note_outcomes(thread, language).outcomes]
    draft = compose_offline(thread, analyse_thread(thread))
    assert not _STALL.search(draft)


def test_a_letter_sent_is_not_a_document_issued() -> None:
    # "the document has been issued" for a letter in the post told the customer nothing.
    thread = _thread("Why did my payment go up?", "Corrected letter sent by post.", locale="en")
    assert "document_issued" not in [o.kind for o in read_note_outcomes(thread, "en").outcomes]


def test_a_certificate_the_customer_did_not_ask_about_is_not_volunteered() -> None:
    thread = _thread("My internet keeps dropping.", "Tax certificate issued for 2025.", locale="en")
    assert "document_issued" not in [o.kind for o in read_note_outcomes(thread, "en").outcomes]


def test_a_fault_repaired_is_a_fix_live() -> None:
    thread = _thread("My line has been dead since Saturday.", "Exchange fault repaired this morning.")
    assert "fix_deployed" in [o.kind for o in read_note_outcomes(thread, "en").outcomes]


def test_a_closure_without_penalty_is_not_nothing_to_pay() -> None:
    # "Last invoice pro rata (no penalty)": a bill is still due, so "nothing to pay" would be false
    # (dev draft F #25); the penalty words are not a cost absent.
    thread = _thread(
        "Quanto vou pagar para cancelar? E o reembolso?",
        "Última fatura proporcional até 15/12 (sem penalização). Reembolso de 12,00 € emitido hoje.",
        locale="pt",
    )
    assert "no_charge" not in [o.kind for o in read_note_outcomes(thread, "pt").outcomes]


# --- (3) irony in public ------------------------------------------------------------------------------


def test_unthanked_excitement_in_public_gets_no_good_news_opener() -> None:
    thread = _thread(
        "Ganz großes Kino, @Bahn. Endlich ein Update, und jetzt stürzt die App beim Kauf ab.",
        locale="de",
        channel="social",
    )
    analysis = analyse_thread(thread)
    key = acknowledgement_key(analysis, waited=False, our_fault=False, thread=thread)
    assert key != "joy"
    assert "tolle Neuigkeiten" not in compose_offline(thread, analysis)


def test_excitement_in_a_private_email_keeps_its_warm_opener() -> None:
    thread = _thread("We finally got the keys to our new flat today!", locale="en", channel="email")
    analysis = analyse_thread(thread)
    if any(f.feeling.value == "excitement" for f in analysis.feelings):
        assert acknowledgement_key(analysis, waited=False, our_fault=False, thread=thread) == "joy"
