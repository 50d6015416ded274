"""Channel and register shape of offline drafts (issue 13). New example text."""

from __future__ import annotations

from service.drafting.composer import compose_offline
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread


def test_a_german_sms_in_sie_does_not_greet_by_first_name(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Guten Tag, meine Karte wurde heute am Automaten eingezogen. Was kann ich jetzt tun?",
        channel="sms",
        customer={"name": "Henrike Vogt", "locale": "de-DE"},
    )
    reply = compose_offline(thread, analyse_thread(thread))
    assert not reply.startswith("Hallo Henrike")
    # No title in the thread: no name at all, rather than the mail-merge "Guten Tag Henrike Vogt".
    assert reply.startswith("Guten Tag, ")
    assert reply.removeprefix("Guten Tag, ")[:1].islower()  # the sentence goes on after the comma
    assert "Vogt" not in reply


def test_a_short_channel_promises_the_update_once(make_thread: MakeThread) -> None:
    thread = make_thread(
        "The gate code you sent for the storage unit doesn't work. I'm standing outside now.",
        channel="sms",
        customer={"name": "Ola Berg"},
    )
    reply = compose_offline(thread, analyse_thread(thread))
    promises = sum(phrase in reply for phrase in ("come back to you", "text you", "keep you posted"))
    assert promises <= 1
