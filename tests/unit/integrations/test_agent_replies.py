"""Every helpdesk that reports an agent's outgoing reply hands it on (thread id and text) with its
"ignored" answer, for the feedback loop; notes, our own notes and customer messages never do."""

from __future__ import annotations

from typing import Any

import pytest

from service.integrations import INTEGRATIONS, AgentReply, Ignored

REPLY = "Hi Dana, I have refunded the second charge."

CASES: dict[str, tuple[dict[str, str], dict[str, Any], str]] = {
    "chatwoot": (
        {},
        {
            "event": "message_created",
            "content": REPLY,
            "message_type": "outgoing",
            "private": False,
            "account": {"id": 1},
            "conversation": {"id": 1290, "display_id": 57},
        },
        "chatwoot:1:57",
    ),
    "zendesk": (
        {},
        {
            "ticket": {"id": "35436", "requester": {"id": "901"}},
            "comment": {"id": "1", "author_id": "5", "public": True, "body": REPLY},
        },
        "zendesk:35436",
    ),
    "zammad": (
        {},
        {"ticket": {"id": 12}, "article": {"id": 3, "sender": "Agent", "internal": False, "body": REPLY}},
        "zammad:12",
    ),
    "front": (
        {},
        {
            "type": "outbound",
            "conversation": {"id": "cnv_1"},
            "target": {"data": {"id": "msg_1", "is_inbound": False, "text": REPLY}},
        },
        "front:cnv_1",
    ),
    "intercom": (
        {},
        {
            "topic": "conversation.admin.replied",
            "data": {
                "item": {
                    "id": "77",
                    "conversation_parts": {
                        "conversation_parts": [
                            {"part_type": "comment", "body": f"<p>{REPLY}</p>", "author": {"type": "admin"}}
                        ]
                    },
                }
            },
        },
        "intercom:77",
    ),
    "helpscout": (
        {"x-helpscout-event": "convo.agent.reply.created"},
        {
            "id": 501,
            "_embedded": {
                "threads": [
                    {"id": 2, "type": "reply", "body": REPLY, "createdAt": "2026-12-01T10:05:00Z"},
                    {
                        "id": 1,
                        "type": "customer",
                        "body": "Charged twice",
                        "createdAt": "2026-12-01T10:00:00Z",
                    },
                ]
            },
        },
        "helpscout:501",
    ),
    "freescout": (
        {"x-freescout-event": "convo.agent.reply.created"},
        {"id": 9, "threads": [{"id": 4, "type": "message", "body": REPLY}]},
        "freescout:9",
    ),
}


@pytest.mark.parametrize("source", sorted(CASES))
def test_agent_reply_is_handed_on(source: str) -> None:
    headers, payload, thread_id = CASES[source]
    parsed = INTEGRATIONS[source].parse(headers, payload)
    assert isinstance(parsed, Ignored)
    assert parsed.reply == AgentReply(thread_id, REPLY)


def test_private_notes_and_our_notes_are_not_replies() -> None:
    chatwoot = INTEGRATIONS["chatwoot"]
    _, payload, _ = CASES["chatwoot"]
    for change in ({"private": True}, {"content": "[Tactful] draft reply: ..."}):
        parsed = chatwoot.parse({}, {**payload, **change})
        assert isinstance(parsed, Ignored)
        assert parsed.reply is None
    _, zendesk_payload, _ = CASES["zendesk"]
    private = {**zendesk_payload, "comment": {**zendesk_payload["comment"], "public": False}}
    parsed = INTEGRATIONS["zendesk"].parse({}, private)
    assert isinstance(parsed, Ignored)
    assert parsed.reply is None
    _, zammad_payload, _ = CASES["zammad"]
    internal = {**zammad_payload, "article": {**zammad_payload["article"], "internal": True}}
    parsed = INTEGRATIONS["zammad"].parse({}, internal)
    assert isinstance(parsed, Ignored)
    assert parsed.reply is None
