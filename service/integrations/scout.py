"""What Help Scout and FreeScout share: a conversation object with ``_embedded.threads`` as the
payload, the event name in a header, HMAC-SHA1 base64 signatures of the body.

Only ``convo.created`` and ``convo.customer.reply.created`` are drafted for, and only when the
newest thread is the customer's; agent replies, notes and status changes are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.integrations import signatures as sig
from service.integrations.base import AgentReply, Ignored, Inbound, Parsed
from service.integrations.html_text import plain
from service.integrations.notes import is_own_note
from service.integrations.payload import (
    build_thread,
    full_name,
    ident,
    items,
    opt_ident,
    opt_obj,
    opt_text,
    timestamp,
)

DRAFT_EVENTS = frozenset({"convo.created", "convo.customer.reply.created"})
AGENT_REPLY_EVENTS = frozenset({"convo.agent.reply.created"})  # the feedback loop's input
_ROLES = {"customer": "customer", "message": "agent", "reply": "agent", "note": "note", "chat": "customer"}


def verify_sha1_base64(headers: Mapping[str, str], header_name: str, body: bytes, secret: str) -> None:
    signature = sig.header(headers, header_name)
    sig.expect_base64(signature, secret.encode(), body, "sha1")


def _role(thread: Mapping[str, Any]) -> str | None:
    created_by = opt_obj(thread, "createdBy")
    if thread.get("type") == "chat":
        return "customer" if created_by.get("type") == "customer" else "agent"
    return _ROLES.get(str(thread.get("type")))


def _agent_reply(source: str, payload: Any) -> AgentReply | None:
    """The newest agent reply thread of the conversation (``convo.agent.reply.created``)."""
    conversation_id = opt_ident(payload, "id")
    threads = items(opt_obj(payload, "_embedded"), "threads") or items(payload, "threads")
    replies = [t for t in threads if _role(t) == "agent"]
    if conversation_id is None or not replies:
        return None
    dated = [t for t in replies if timestamp(t.get("createdAt"))]
    # Sorted by date when every reply has one; else both APIs list the newest thread first.
    newest = (
        max(dated, key=lambda t: timestamp(t.get("createdAt")) or "")
        if len(dated) == len(replies)
        else replies[0]
    )
    text = plain(opt_text(newest, "body") or opt_text(newest, "text"))
    if not text or is_own_note(text):
        return None
    return AgentReply(f"{source}:{conversation_id}", text)


def parse_conversation(source: str, event: str | None, payload: Any) -> Parsed:
    if event in AGENT_REPLY_EVENTS:
        return Ignored(f"event {event} is not a customer message", reply=_agent_reply(source, payload))
    if event not in DRAFT_EVENTS:
        return Ignored(f"event {event} is not a customer message")
    conversation_id = ident(payload, "id")
    threads = items(opt_obj(payload, "_embedded"), "threads") or items(payload, "threads")
    dated = [t for t in threads if timestamp(t.get("createdAt"))]
    if len(dated) == len(threads):
        threads = sorted(threads, key=lambda t: timestamp(t.get("createdAt")) or "")
    else:
        threads = list(reversed(threads))  # both APIs list the newest thread first
    history: list[tuple[str, str, str | None]] = []
    newest_customer: Mapping[str, Any] | None = None
    for thread in threads:
        role = _role(thread)
        text = plain(opt_text(thread, "body") or opt_text(thread, "text"))
        if role is None or is_own_note(text):
            continue
        history.append((role, text, timestamp(thread.get("createdAt"))))
        if role == "customer":
            newest_customer = thread
    conversational = [h for h in history if h[0] != "note"]
    if newest_customer is None or not conversational or conversational[-1][0] != "customer":
        return Ignored("the newest thread is not the customer's")
    customer = opt_obj(payload, "primaryCustomer") or opt_obj(payload, "customer")
    first = opt_text(customer, "first") or opt_text(customer, "firstName")
    last = opt_text(customer, "last") or opt_text(customer, "lastName")
    email = opt_text(customer, "email")
    emails = customer.get("emails")
    if email is None and isinstance(emails, list) and emails and isinstance(emails[0], dict):
        email = opt_text(emails[0], "value")
    kind = str(payload.get("type", "email"))
    built = build_thread(
        thread_id=f"{source}:{conversation_id}",
        subject=opt_text(payload, "subject"),
        channel={"email": "email", "chat": "chat", "phone": "other"}.get(kind, "other"),
        customer={"name": full_name(first, last), "email": email},
        messages=history,
    )
    if built is None:
        return Ignored("no customer text")
    return Inbound(
        delivery_id=f"{conversation_id}:{ident(newest_customer, 'id', where='thread.')}",
        thread=built,
        target={"conversation_id": conversation_id},
    )
