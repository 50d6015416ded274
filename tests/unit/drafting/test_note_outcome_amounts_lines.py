"""Note outcomes (issue 13, round 2): an amount is never read as a date, and a note's lines are
separate sentences, so a coupon's validity is not a refund's time frame. Made-up notes."""

from __future__ import annotations

from service.drafting.note_outcomes import read_note_outcomes
from service.models import Thread
from tests.unit.drafting.kinds import note_thread


def _thread(customer: str, note: str, *, locale: str = "en") -> Thread:
    return note_thread(
        customer,
        note,
        locale=locale,
        name="Noor Lindqvist",
        agent="Tomás",
        subject="My order",
        day="2026-05-04",
    )


def test_a_price_with_a_decimal_point_is_not_a_date() -> None:
    for language, customer, note in (
        ("en", "Where is my refund?", "Refund of €54.99 issued, ref RF-22018."),
        ("de", "Wo bleibt meine Erstattung?", "Erstattung 54.99 EUR veranlasst, Ref RF-22018."),
        ("fr", "Où est mon remboursement ?", "Remboursement de 12.50 € effectué, réf RF-22018."),
    ):
        outcomes = read_note_outcomes(_thread(customer, note, locale=language), language).outcomes
        assert outcomes, (language, note)
        assert all(o.date is None or ("99" not in o.date and "50" not in o.date) for o in outcomes)


def test_a_price_does_not_make_one_delivery_date_a_choice_of_two() -> None:
    found = read_note_outcomes(
        _thread("Where is my parcel?", "Delivery booked for 12/05, €54.99 shipping waived."), "en"
    )
    assert [(o.kind, o.date) for o in found.outcomes] == [("delivery_scheduled", "12/05")]


def test_a_coupon_on_the_next_line_lends_no_time_frame_to_the_refund() -> None:
    for language, customer, note in (
        (
            "pt",
            "Quero o meu reembolso.",
            "Reembolso de 54,99 € emitido, ref RF-77120\ncupão de 10% válido 30 dias",
        ),
        (
            "es",
            "Quiero mi reembolso.",
            "Reembolso de 54,99 € emitido, ref RF-77120.\ncupón del 10% válido 30 días",
        ),
        ("en", "I want my refund.", "Refund of €54.99 issued, ref RF-77120\nvoucher for 10% valid 30 days"),
    ):
        outcomes = read_note_outcomes(_thread(customer, note, locale=language), language).outcomes
        refunds = [o for o in outcomes if o.kind == "refund_issued"]
        assert refunds, (language, outcomes)
        assert refunds[0].timeline is None, (language, outcomes)


def test_the_refund_own_next_line_still_gives_its_time_frame() -> None:
    for note in (
        "Refund of €54.99 issued, ref RF-22018.\nBank takes 5-10 business days.",
        "Refund of €54.99 issued, ref RF-22018.\nthe refund lands in 5-10 business days.",
    ):
        outcomes = read_note_outcomes(_thread("Where is my refund?", note), "en").outcomes
        assert [o.timeline for o in outcomes] == ["5-10 business days"]
