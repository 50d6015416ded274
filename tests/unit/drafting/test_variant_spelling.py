"""A customer's language variant shows across greeting, body and sign-off (issue 13).

New example text, written for these tests.
"""

from __future__ import annotations

from service.drafting.composer import compose_offline
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread

_SWISS = (
    "Sehr geehrte Damen und Herren, seit der Umstellung auf die neue Prämienrechnung wird mir der "
    "Betrag doppelt abgezogen. Können Sie das bitte prüfen und korrigieren? Freundliche Grüsse"
)


def test_swiss_german_is_written_without_eszett_and_greets_the_swiss_way(make_thread: MakeThread) -> None:
    thread = make_thread(_SWISS, channel="email", customer={"name": "Urs Baumann", "locale": "de-CH"})
    reply = compose_offline(thread, analyse_thread(thread))
    assert "ß" not in reply
    assert reply.startswith("Grüezi")


def test_german_from_germany_keeps_its_spelling(make_thread: MakeThread) -> None:
    thread = make_thread(_SWISS, channel="email", customer={"name": "Urs Baumann", "locale": "de-DE"})
    reply = compose_offline(thread, analyse_thread(thread))
    assert not reply.startswith("Grüezi")
    assert "Grüßen" in reply or "Grüße" in reply
