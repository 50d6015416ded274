"""Front: ``inbound_received`` events (application webhook) or ``inbound`` events (rule webhook,
full event) in, a draft reply out; a blocked draft becomes a conversation comment (internal).

Application webhooks: Front signs ``timestamp + ":" + body`` with HMAC-SHA256, base64, the
timestamp (``X-Front-Request-Timestamp``) in milliseconds. Rule webhooks send no timestamp: their
``X-Front-Signature`` is base64 HMAC-SHA1 of the body with the company's API secret.
When an application webhook is saved, Front sends a signed ``sync`` request with an
``X-Front-Challenge`` header; the answer echoes the challenge.

A retry that may have posted already lists the conversation's drafts or comments first. Both
endpoints are documented; the ``_results`` wrapper and the draft's ``body``/``is_draft`` follow
Front's message object and list conventions, not a documented example of these endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from service.config import Settings
from service.integrations import signatures as sig
from service.integrations.base import (
    AgentReply,
    Challenge,
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
from service.integrations.lookup import entries, listing, ref, same_text
from service.integrations.notes import is_own_note
from service.integrations.payload import (
    build_thread,
    flag,
    ident,
    items,
    obj,
    opt_ident,
    opt_obj,
    opt_text,
    timestamp,
)

INBOUND_EVENTS = frozenset({"inbound", "inbound_received"})
# An agent's message to the customer (rule webhooks, application webhooks): the feedback loop's input.
OUTBOUND_EVENTS = frozenset({"outbound", "outbound_sent", "out_reply"})
_CHANNELS = {"email": "email", "custom": "other", "intercom": "chat", "front_chat": "chat", "sms": "sms",
             "whatsapp": "chat", "facebook": "social", "twitter": "social", "tweet": "social"}  # fmt: skip


class Front(Integration):
    source = "front"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        signature = sig.header(headers, "X-Front-Signature")
        if not (headers.get("x-front-request-timestamp") or headers.get("X-Front-Request-Timestamp")):
            # A rule webhook: base64 HMAC-SHA1 of the body with the company's API secret, and no
            # timestamp (so no replay window; the message id still de-duplicates redeliveries).
            sig.expect_base64(signature, secret.encode(), body, "sha1")
            return
        ts = sig.header(headers, "X-Front-Request-Timestamp")
        sig.check_fresh(ts, window_s=window_s, unit_s=0.001)
        sig.expect_base64(signature, secret.encode(), ts.encode() + b":" + body, "sha256")

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        challenge = (headers.get("x-front-challenge") or "").strip()
        if challenge:
            return Challenge({"challenge": challenge})
        if not isinstance(payload, dict):
            return Ignored("not an event")
        # Application webhooks wrap the event: {"type": "inbound_received", "payload": {event}};
        # rule webhooks send the event itself: {"type": "inbound", ...}.
        kind = payload.get("type")
        event: dict[str, Any] = opt_obj(payload, "payload") or payload
        if not isinstance(kind, str):
            return Ignored("the event is not an inbound message")
        if kind in OUTBOUND_EVENTS:
            return Ignored(f"event {kind} is not an inbound message", reply=_agent_reply(event))
        if kind not in INBOUND_EVENTS:
            return Ignored(f"event {kind} is not an inbound message")
        conversation = obj(event, "conversation")
        message = obj(obj(event, "target"), "data", where="target.")
        if not flag(message, "is_inbound"):
            return Ignored("not an inbound message")
        # SMS and some other channels carry only a preview (`blurb`): it is the message then.
        text = opt_text(message, "text") or plain(opt_text(message, "body"))
        text = text or opt_text(message, "blurb") or ""
        if is_own_note(text):
            return Ignored("our own note")
        sender = next((r for r in items(message, "recipients") if r.get("role") == "from"), {})
        author = opt_obj(message, "author")
        conversation_id = ident(conversation, "id", where="conversation.")
        handle = opt_text(sender, "handle")
        thread = build_thread(
            thread_id=f"front:{conversation_id}",
            subject=opt_text(conversation, "subject") or opt_text(message, "subject"),
            channel=_CHANNELS.get(str(message.get("type", "")).lower(), "other"),
            customer={
                "name": opt_text(sender, "name") or opt_text(author, "first_name"),
                "email": handle if handle and "@" in handle else None,
            },
            messages=[("customer", text, timestamp(message.get("created_at")))],
        )
        if thread is None:
            return Ignored("no customer text")
        return Inbound(
            delivery_id=ident(message, "id", where="target.data."),
            thread=thread,
            target={"conversation_id": conversation_id},
        )

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.front.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        url = _conversation_url(settings, target)
        if outbound.kind == "draft":
            body: dict[str, Any] = {"body": text_to_html(outbound.text), "mode": "shared"}
            if settings.integrations.front.channel_id:
                body["channel_id"] = settings.integrations.front.channel_id
            response = await http.post(f"{url}/drafts", headers=_auth(settings), json=body)
        else:
            response = await http.post(
                f"{url}/comments", headers=_auth(settings), json={"body": outbound.text}
            )
        check_response(response, "front")
        return Receipt(self.source, True, kind=outbound.kind, reference=reference_from(response, "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # A draft is looked for among the conversation's drafts (ours is shared, so the token sees
        # it), a note among its comments (newest first; comments are internal by nature).
        url = _conversation_url(settings, target)
        what = "drafts" if outbound.kind == "draft" else "comments"
        response = await http.get(f"{url}/{what}", headers=_auth(settings))
        for found in entries(listing(response, "front"), "front", "_results"):
            if outbound.kind == "draft" and found.get("is_draft") is False:
                continue
            if same_text(found.get("body"), outbound.text):
                return Receipt(self.source, True, kind=outbound.kind, reference=ref(found.get("id")))
        return None


def _agent_reply(event: Mapping[str, Any]) -> AgentReply | None:
    conversation_id = opt_ident(opt_obj(event, "conversation"), "id")
    message = opt_obj(opt_obj(event, "target"), "data")
    if conversation_id is None or flag(message, "is_inbound"):
        return None
    text = opt_text(message, "text") or plain(opt_text(message, "body"))
    if not text or is_own_note(text):
        return None
    return AgentReply(f"front:{conversation_id}", text)


def _conversation_url(settings: Settings, target: Mapping[str, str]) -> str:
    return (
        f"{settings.integrations.front.base_url.rstrip('/')}/conversations/{seg(target['conversation_id'])}"
    )


def _auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {reveal(settings.integrations.front.api_token)}"}
