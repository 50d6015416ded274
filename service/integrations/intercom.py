"""Intercom: ``conversation.user.created`` / ``conversation.user.replied`` notifications in, an admin
note out (Intercom has no API for reply drafts).

Intercom signs the body with the app's client secret, HMAC-SHA1, ``X-Hub-Signature: sha1=<hex>``.
Bodies are HTML. The new text is the conversation's ``source`` for a new conversation and the
last user-authored comment part for a reply.

A retry that may have posted already retrieves the conversation first and looks for a ``note``
part with our text (documented: ``conversation_parts.conversation_parts``, at most 500 parts;
which 500 a longer conversation returns is not documented in what we found).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from service.config import Settings
from service.integrations import signatures as sig
from service.integrations.base import (
    AgentReply,
    Ignored,
    Inbound,
    Integration,
    Outbound,
    Parsed,
    Receipt,
    check_response,
    reference_from,
    reveal,
    seg,
)
from service.integrations.html_text import plain, text_to_html
from service.integrations.lookup import entries, listing, same_text
from service.integrations.notes import is_own_note
from service.integrations.payload import (
    build_thread,
    ident,
    items,
    obj,
    opt_ident,
    opt_obj,
    opt_text,
    timestamp,
)

CREATED = "conversation.user.created"
REPLIED = "conversation.user.replied"
ADMIN_REPLIED = "conversation.admin.replied"  # an admin's public reply: the feedback loop's input
CUSTOMER_AUTHORS = frozenset({"user", "lead", "contact"})
INTERCOM_VERSION = "2.11"


def _by_customer(author: Mapping[str, Any]) -> bool:
    kind = author.get("type")
    return isinstance(kind, str) and kind in CUSTOMER_AUTHORS


class Intercom(Integration):
    source = "intercom"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        signature = sig.header(headers, "X-Hub-Signature")
        sig.expect_hex(signature, secret.encode(), body, "sha1", prefix="sha1=")

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        topic = payload.get("topic") if isinstance(payload, dict) else None
        if topic == ADMIN_REPLIED:
            return Ignored(f"topic {topic} is not a customer message", reply=_agent_reply(payload))
        if topic not in (CREATED, REPLIED):
            return Ignored(f"topic {topic} is not a customer message")
        item = obj(obj(payload, "data"), "item", where="data.")
        conversation_id = ident(item, "id", where="data.item.")
        source = opt_obj(item, "source")
        history: list[tuple[str, str, str | None]] = []
        author: dict[str, Any] = opt_obj(source, "author")
        if _by_customer(opt_obj(source, "author")):
            history.append(("customer", plain(opt_text(source, "body")), timestamp(item.get("created_at"))))
        delivery_id = f"{conversation_id}:source"
        last_customer_text = history[-1][1] if history else ""
        for part in items(opt_obj(item, "conversation_parts"), "conversation_parts"):
            if part.get("part_type") not in ("comment", "open") or not opt_text(part, "body"):
                continue
            part_author = opt_obj(part, "author")
            is_customer = _by_customer(part_author)
            text = plain(opt_text(part, "body"))
            history.append(("customer" if is_customer else "agent", text, timestamp(part.get("created_at"))))
            if is_customer:
                author, last_customer_text = part_author, text
                delivery_id = f"{conversation_id}:{ident(part, 'id', where='conversation_part.')}"
        if not history or history[-1][0] != "customer":
            return Ignored("the latest message is not the customer's")
        if is_own_note(last_customer_text):
            return Ignored("our own note")
        thread = build_thread(
            thread_id=f"intercom:{conversation_id}",
            subject=plain(opt_text(source, "subject")) or opt_text(item, "title"),
            channel="chat" if source.get("delivered_as") != "customer_initiated_email" else "email",
            customer={"name": opt_text(author, "name"), "email": opt_text(author, "email")},
            messages=history,
        )
        if thread is None:
            return Ignored("no customer text")
        return Inbound(delivery_id=delivery_id, thread=thread, target={"conversation_id": conversation_id})

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.intercom.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        response = await http.post(
            f"{_conversation_url(settings, target)}/reply",
            headers=_headers(settings),
            json={
                "message_type": "note",
                "type": "admin",
                "admin_id": settings.integrations.intercom.admin_id,
                "body": text_to_html(outbound.text),
            },
        )
        check_response(response, "intercom")
        return Receipt(self.source, True, kind="note", reference=reference_from(response, "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # Retrieving a conversation returns its parts (up to 500); an admin note is a part of type
        # "note" whose body is the HTML we sent, as Intercom stores it.
        response = await http.get(_conversation_url(settings, target), headers=_headers(settings))
        parts = entries(listing(response, "intercom"), "intercom", "conversation_parts", "conversation_parts")
        for part in parts:
            if part.get("part_type") == "note" and same_text(part.get("body"), outbound.text):
                # deliver() records the id Intercom answers (the conversation's); the same here, so
                # a receipt reads the same whichever attempt wrote it.
                return Receipt(self.source, True, kind="note", reference=target["conversation_id"])
        return None


def _agent_reply(payload: Mapping[str, Any]) -> AgentReply | None:
    """The newest admin comment of the conversation (``conversation.admin.replied``)."""
    item = opt_obj(opt_obj(payload, "data"), "item")
    conversation_id = opt_ident(item, "id")
    parts = items(opt_obj(item, "conversation_parts"), "conversation_parts")
    comments = [p for p in parts if p.get("part_type") == "comment" and opt_text(p, "body")]
    if conversation_id is None or not comments or opt_obj(comments[-1], "author").get("type") != "admin":
        return None
    text = plain(opt_text(comments[-1], "body"))
    if not text or is_own_note(text):
        return None
    return AgentReply(f"intercom:{conversation_id}", text)


def _conversation_url(settings: Settings, target: Mapping[str, str]) -> str:
    base = settings.integrations.intercom.base_url.rstrip("/")
    return f"{base}/conversations/{seg(target['conversation_id'])}"


def _headers(settings: Settings) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {reveal(settings.integrations.intercom.access_token)}",
        "Intercom-Version": INTERCOM_VERSION,
        "Accept": "application/json",
    }
