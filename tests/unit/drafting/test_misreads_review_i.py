"""A person is never said back as the problem, and an opener never contradicts the customer (issue
13, review I). New example text, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.drafting.acknowledge import acknowledgement_key, waited_on_us
from service.drafting.restate import restatement
from service.drafting.voice import voice_for
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread


def _restated(make_thread: MakeThread, body: str, **fields: Any) -> str:
    thread = make_thread(body, **{"channel": "email", **fields})
    analysis = analyse_thread(thread)
    return restatement(thread, analysis, voice_for(thread, analysis))


@pytest.mark.parametrize(
    ("body", "language", "person"),
    [
        (
            "Bonjour, le problème c'est que mon père a quatre-vingt-huit ans, il ne voit plus bien. "
            "Pourriez-vous envoyer la facture par courrier ?",
            "fr",
            "père",
        ),
        (
            "Guten Tag, ich möchte den Vertrag kündigen. Meine Frau hat schon lange einen anderen "
            "Anbieter und ist zufrieden.",
            "de",
            "Frau",
        ),
    ],
)
def test_a_person_of_the_customers_is_never_said_back_as_the_issue(
    make_thread: MakeThread, body: str, language: str, person: str
) -> None:
    said = _restated(make_thread, body, language=language)
    assert person not in said


def _key(make_thread: MakeThread, *messages: str | dict[str, Any], **fields: Any) -> str:
    thread = make_thread(*messages, **fields)
    return acknowledgement_key(
        analyse_thread(thread), waited=waited_on_us(thread), our_fault=False, thread=thread
    )


def test_a_nudge_after_good_news_is_a_chase_not_joy(make_thread: MakeThread) -> None:
    key = _key(
        make_thread,
        {
            "role": "customer",
            "body": "hey my order of the wedding cake topper says address not found, "
            "the wedding is this friday and we're so excited!!",
            "created_at": "2026-03-02T09:00:00Z",
        },
        {"role": "agent", "body": "Hi, I'll check and text you back.", "created_at": "2026-03-02T10:00:00Z"},
        {"role": "customer", "body": "??", "created_at": "2026-03-03T08:00:00Z"},
        channel="sms",
    )
    assert key not in {"joy", "thanks"}


def test_thanks_with_good_news_and_a_question_is_met_with_thanks(make_thread: MakeThread) -> None:
    key = _key(
        make_thread,
        "Hello, I wanted to say thank you to Priya, who sorted out our travel claim. She answered "
        "every single email the same day and never made us feel like a nuisance. And good news: "
        "our son was born last week, healthy and loud! Thanks again. Quick question: is there "
        "anything else you need from us, or is the claim closed now?",
        channel="email",
    )
    assert key in {"thanks", "joy"}


def test_a_public_thank_you_then_a_question_is_not_read_as_irony(make_thread: MakeThread) -> None:
    key = _key(
        make_thread,
        {
            "role": "customer",
            "body": "Riesiges Dankeschön an Mia aus eurem Laden! Sie hat mein Rad noch am selben Tag "
            "repariert. Danke euch, ihr seid spitze!",
        },
        {"role": "customer", "body": "PS: Habt ihr die Winterreifen noch vor Weihnachten da?"},
        channel="social",
        language="de",
    )
    assert key not in {"frustrated", "angry", "our_fault", "waited"}
