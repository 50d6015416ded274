"""Each helpdesk's payload becomes the right Thread, delivery id and target; other events are ignored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.integrations import INTEGRATIONS, Ignored, Inbound, PayloadError
from service.integrations.html_text import html_to_text
from service.integrations.seeds import SEEDS_DIR, load_seed


def parse(name: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
    seed = load_seed(SEEDS_DIR / f"{name}.json")
    lowered = {k.lower(): v for k, v in (headers if headers is not None else seed.headers).items()}
    return INTEGRATIONS[seed.source].parse(lowered, body if body is not None else seed.body)


def roles(inbound: Inbound) -> list[str]:
    return [m.role.value for m in inbound.thread.messages]


def test_chatwoot_reads_string_and_integer_message_types_and_keeps_notes_as_notes() -> None:
    inbound = parse("chatwoot.message_created")
    assert isinstance(inbound, Inbound)
    assert inbound.delivery_id == "1:4711"
    assert inbound.target == {"account_id": "1", "conversation_id": "57"}  # display_id, not id
    assert roles(inbound) == ["customer", "agent", "note", "customer"]
    assert inbound.thread.customer.name == "Dana Reyes"
    assert inbound.thread.subject == "Charged twice for March"
    assert inbound.thread.channel.value == "email"
    assert "charged twice" in inbound.thread.last_customer_message().body


@pytest.mark.parametrize("message_type", [1, "outgoing", 2, "activity", 3])
def test_chatwoot_non_incoming_messages_are_ignored(message_type: Any) -> None:
    body = load_seed(SEEDS_DIR / "chatwoot.message_created.json").body
    assert isinstance(parse("chatwoot.message_created", {**body, "message_type": message_type}), Ignored)


def test_chatwoot_integer_incoming_on_the_event_is_a_customer_message() -> None:
    body = load_seed(SEEDS_DIR / "chatwoot.message_created.json").body
    assert isinstance(parse("chatwoot.message_created", {**body, "message_type": 0}), Inbound)


def test_zendesk_trigger_and_event_subscription() -> None:
    trigger = parse("zendesk.trigger_comment")
    assert isinstance(trigger, Inbound)
    assert (trigger.delivery_id, trigger.target) == ("35436:7001234", {"ticket_id": "35436"})
    assert trigger.thread.customer.email == "priya@example.org"
    event = parse("zendesk.comment_added_event")
    assert isinstance(event, Inbound)
    assert event.delivery_id == "35436:7001299"


def test_zammad_html_article_becomes_text() -> None:
    inbound = parse("zammad.customer_article")
    assert isinstance(inbound, Inbound)
    body = inbound.thread.messages[0].body
    assert body.startswith("Hello,")
    assert "can't log in" in body
    assert '"invalid session"' in body
    assert "<div>" not in body
    assert inbound.thread.customer.name == "Lukas Berger"
    assert inbound.delivery_id == "812:2207"


def test_front_application_webhook_and_challenge() -> None:
    inbound = parse("front.inbound_received")
    assert isinstance(inbound, Inbound)
    assert inbound.delivery_id == "msg_3k1x0"
    assert inbound.target == {"conversation_id": "cnv_7h2k9"}
    assert inbound.thread.customer.email == "marco@example.it"
    challenge = parse("front.inbound_received", {"type": "sync"}, {"X-Front-Challenge": "abc"})
    assert challenge.response == {"challenge": "abc"}


def test_intercom_takes_the_latest_user_part_and_the_history() -> None:
    inbound = parse("intercom.conversation_user_replied")
    assert isinstance(inbound, Inbound)
    assert inbound.delivery_id == "215469:8807"
    assert roles(inbound) == ["customer", "agent", "customer"]
    assert inbound.thread.last_customer_message().body.startswith("Chrome, latest version.")


@pytest.mark.parametrize("name", ["helpscout.customer_reply", "freescout.customer_reply"])
def test_scout_threads_are_put_oldest_first(name: str) -> None:
    inbound = parse(name)
    assert isinstance(inbound, Inbound)
    assert roles(inbound)[-1] == "customer"
    if name.startswith("helpscout"):
        assert roles(inbound) == ["customer", "agent", "customer"]
        assert inbound.delivery_id == "2391938111:2198262392"
        assert inbound.thread.customer.name == "Olu Adeyemi"
    else:
        assert inbound.thread.customer.name == "Hana Novak"


def test_scout_event_header_decides() -> None:
    assert isinstance(
        parse("helpscout.customer_reply", headers={"X-HelpScout-Event": "convo.note.created"}), Ignored
    )
    assert isinstance(parse("freescout.customer_reply", headers={}), Ignored)


def test_freshdesk_prefers_the_latest_public_comment_and_hashes_it_into_the_delivery_id() -> None:
    inbound = parse("freshdesk.ticket_reply")
    assert isinstance(inbound, Inbound)
    assert inbound.thread.messages[0].body.startswith("I reinstalled it twice")
    assert inbound.delivery_id.startswith("1402:")
    body = load_seed(SEEDS_DIR / "freshdesk.ticket_reply.json").body
    other = json.loads(json.dumps(body))
    other["freshdesk_webhook"]["ticket_latest_public_comment"] = "Still broken."
    assert parse("freshdesk.ticket_reply", other).delivery_id != inbound.delivery_id


def test_generic_takes_a_thread_and_rejects_an_invalid_one() -> None:
    inbound = parse("generic.message_created", headers={"webhook-id": "msg_9"})
    assert isinstance(inbound, Inbound)
    assert inbound.delivery_id == "msg_9"
    assert json.loads(inbound.target["reference"]) == {"ticket": "HD-5521"}
    with pytest.raises(PayloadError, match="messages"):
        parse(
            "generic.message_created",
            {"type": "ticket.message.created", "data": {"thread": {"messages": []}}},
            {"webhook-id": "msg_9"},
        )


def test_a_customer_message_with_only_an_attachment_is_ignored() -> None:
    body = load_seed(SEEDS_DIR / "chatwoot.message_created.json").body
    empty = {**body, "content": None, "conversation": {**body["conversation"], "messages": []}}
    assert isinstance(parse("chatwoot.message_created", empty), Ignored)


def test_only_valid_ids_become_a_path_segment() -> None:
    from service.integrations.base import DeliveryError, seg

    assert seg("cnv_123-a") == "cnv_123-a"
    for bad in ("../../admin", "..", ".", "a/b", ""):
        with pytest.raises(DeliveryError):
            seg(bad)


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<p>One &amp; two</p><script>alert(1)</script><div>Three<br>four</div>"
    assert html_to_text(html) == "One & two\n\nThree\nfour"
