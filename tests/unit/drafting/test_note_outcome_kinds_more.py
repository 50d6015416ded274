"""Note outcomes by kind (issue 13): a refund approved is not issued, a delivery with one date is
booked and with two is a choice, "nothing to pay" never answers alone, a negated or conditional
refund is no refund, a limit's amount is not the refund's. Made-up notes, written for these tests.
"""

from __future__ import annotations

from service.drafting.composer import compose_offline
from service.drafting.note_outcomes import read_note_outcomes
from service.language.analysis import analyse_thread
from service.models import Thread
from tests.unit.drafting.kinds import note_thread, outcome_kinds


def _thread(customer: str, note: str, *, locale: str = "en", channel: str = "email") -> Thread:
    return note_thread(
        customer,
        note,
        locale=locale,
        channel=channel,
        name="Ines Walcott",
        agent="Farid",
        subject="My order",
        day="2026-05-04",
    )


def test_an_approved_refund_is_said_as_approved_not_issued() -> None:
    thread = _thread(
        "Where is my refund for the broken kettle?",
        "Return RT-48812 approved, refund €39.90 approved, ref RF-55170; paid once the depot scans it.",
    )
    assert outcome_kinds(thread) == ["refund_approved"]
    draft = compose_offline(thread, analyse_thread(thread))
    assert "has been approved" in draft
    assert "was issued" not in draft


def test_a_refund_with_reference_and_timeline_is_a_refund_made_unless_it_is_a_condition() -> None:
    made = _thread(
        "I was charged twice, I want my money back.", "Refund €12.50 to card, ref RF-30215, 3-5 working days."
    )
    assert outcome_kinds(made) == ["refund_issued"]
    offer = _thread(
        "I was charged twice, I want my money back.",
        "If she wants, refund €12.50 to card, ref RF-30215, 3-5 working days.",
    )
    assert "refund_issued" not in outcome_kinds(offer)


def test_a_negated_refund_is_not_a_refund() -> None:
    for language, customer, note in (
        ("fr", "Je veux être remboursé.", "Solde restant non remboursable, les numéros seront envoyés."),
        ("en", "Can I get a refund?", "No refund issued yet, waiting on finance."),
    ):
        thread = _thread(customer, note, locale=language)
        assert not any(k.startswith("refund") for k in outcome_kinds(thread, language)), language


def test_an_amount_after_a_threshold_is_not_the_outcome_amount() -> None:
    thread = _thread(
        "Please stop charging the exit fee.",
        "Exit fee waived (no paperwork needed under €250).",
    )
    outcome = read_note_outcomes(thread, "en").outcomes[0]
    assert outcome.kind == "fee_waived"  # waived: never charged, so not "being reversed" (decision 124)
    assert outcome.amount is None


def test_a_delivery_with_one_date_is_booked_and_with_two_dates_is_a_choice() -> None:
    booked = _thread("My parcel never came!", "Parcel re-dispatched, delivery scheduled for 14/05.")
    assert "delivery_scheduled" in outcome_kinds(booked)
    assert "14/05" in compose_offline(booked, analyse_thread(booked))
    choice = _thread("My parcel never came!", "Delivery can be scheduled 14/05 or 16/05, let him pick.")
    assert "delivery_scheduled" not in outcome_kinds(choice)


def test_nothing_to_pay_is_said_beside_an_answer_never_alone() -> None:
    alone = _thread("The boiler stopped again, what now?", "Engineer will check. No charge for the call-out.")
    draft = compose_offline(alone, analyse_thread(alone))
    assert "nothing for you to pay" not in draft
    beside = _thread(
        "The boiler stopped again, what now?",
        "Engineer visit booked for 18/05 between 8:00 and 12:00. No charge for the call-out.",
    )
    draft = compose_offline(beside, analyse_thread(beside))
    assert draft.index("18/05") < draft.index("nothing for you to pay")


def test_new_kinds_are_read_in_every_language() -> None:
    for language, customer, note, kind in (
        (
            "es",
            "Quiero darme de baja del gimnasio.",
            "Baja del gimnasio tramitada hoy.",
            "cancellation_done",
        ),
        (
            "de",
            "Bitte kündigen Sie mein Abo.",
            "Kündigung erledigt, Abo endet am 31.05.",
            "cancellation_done",
        ),
        ("fr", "Les synchronisations échouent depuis lundi.", "Correctif déployé ce matin.", "fix_deployed"),
        (
            "pt",
            "O cupom de desconto não aparece.",
            "Cupom de desconto 15% aplicado na conta.",
            "discount_applied",
        ),
        ("en", "The sync fails every night.", "Patch deployed today at 10:00.", "fix_deployed"),
    ):
        thread = _thread(customer, note, locale=language)
        assert kind in outcome_kinds(thread, language), (language, outcome_kinds(thread, language))
