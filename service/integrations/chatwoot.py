"""Chatwoot: ``message_created`` events in, private notes out.

Chatwoot sends ``message_type`` as a string on the event itself (``"incoming"``) but as the enum's
integer inside ``conversation.messages`` (0 incoming, 1 outgoing, 2 activity, 3 template); both
are read here. The conversation id in webhooks is the ``display_id`` the API paths expect.
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
    PayloadError,
    Receipt,
    check_response,
    reference_from,
    reveal,
    seg,
)
from service.integrations.lookup import entries, listing, ref
from service.integrations.notes import is_own_note
from service.integrations.payload import (
    build_thread,
    flag,
    ident,
    items,
    obj,
    opt_obj,
    opt_text,
    timestamp,
)

_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}
_CHANNELS = {
    "Channel::Email": "email",
    "Channel::WebWidget": "chat",
    "Channel::Whatsapp": "chat",
    "Channel::Telegram": "chat",
    "Channel::Line": "chat",
    "Channel::Sms": "sms",
    "Channel::TwilioSms": "sms",
    "Channel::FacebookPage": "social",
    "Channel::Instagram": "social",
    "Channel::TwitterProfile": "social",
}


def message_type(message: Mapping[str, Any]) -> str:
    value = message.get("message_type")
    if isinstance(value, int) and not isinstance(value, bool):
        return _TYPES.get(value, "unknown")
    return str(value or "unknown")


def role_of(message: Mapping[str, Any]) -> str | None:
    if flag(message, "private"):
        return "note"
    kind = message_type(message)
    return {"incoming": "customer", "outgoing": "agent"}.get(kind)


class Chatwoot(Integration):
    source = "chatwoot"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        signature = sig.header(headers, "X-Chatwoot-Signature")
        ts = sig.header(headers, "X-Chatwoot-Timestamp")
        sig.check_fresh(ts, window_s=window_s)
        sig.expect_hex(signature, secret.encode(), ts.encode() + b"." + body, "sha256", prefix="sha256=")

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        event = payload.get("event") if isinstance(payload, dict) else None
        if event != "message_created":
            return Ignored(f"event {event!s} is not a new message")
        role = role_of(payload)
        if role == "agent":
            return Ignored("not an incoming customer message", reply=_agent_reply(payload))
        if role != "customer":
            return Ignored("not an incoming customer message")
        content = opt_text(payload, "content") or ""
        if is_own_note(content):
            return Ignored("our own note")
        conversation = obj(payload, "conversation")
        account_id = ident(obj(payload, "account"), "id", where="account.")
        conversation_id = ident(conversation, "display_id") if "display_id" in conversation else None
        conversation_id = conversation_id or ident(conversation, "id", where="conversation.")
        message_id = ident(payload, "id")
        sender = opt_obj(payload, "sender") or opt_obj(opt_obj(conversation, "meta"), "sender")
        history: dict[str, tuple[str, str, str | None]] = {}
        for message in items(conversation, "messages"):
            role = role_of(message)
            text = opt_text(message, "content")
            if role is None or text is None or is_own_note(text):
                continue
            key = str(message.get("id", len(history)))
            history[key] = (role, text, timestamp(message.get("created_at")))
        history[message_id] = ("customer", content, timestamp(payload.get("created_at")))
        thread = build_thread(
            thread_id=f"chatwoot:{account_id}:{conversation_id}",
            subject=opt_text(opt_obj(conversation, "additional_attributes"), "mail_subject"),
            channel=_CHANNELS.get(str(conversation.get("channel")), "other"),
            customer={"name": opt_text(sender, "name"), "email": opt_text(sender, "email")},
            messages=list(history.values()),
        )
        if thread is None:
            return Ignored("no customer text (attachment only)")
        return Inbound(
            delivery_id=f"{account_id}:{message_id}",
            thread=thread,
            target={"account_id": account_id, "conversation_id": conversation_id},
        )

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.chatwoot.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        response = await http.post(
            _messages_url(settings, target),
            headers=_auth(settings),
            json={"content": outbound.text, "message_type": "outgoing", "private": True},
        )
        check_response(response, "chatwoot")
        return Receipt(self.source, True, kind="note", reference=reference_from(response, "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # The conversation's latest messages (Chatwoot answers the newest page): a retry comes
        # seconds after the lost attempt, so its note, if it was posted, is among them.
        response = await http.get(_messages_url(settings, target), headers=_auth(settings))
        wanted = outbound.text.strip()
        for message in entries(listing(response, "chatwoot"), "chatwoot", "payload"):
            if message.get("private") is True and str(message.get("content") or "").strip() == wanted:
                return Receipt(self.source, True, kind="note", reference=ref(message.get("id")))
        return None


def _agent_reply(payload: Mapping[str, Any]) -> AgentReply | None:
    """An outgoing public message by an agent (not our own note, not a bot's template)."""
    content = opt_text(payload, "content")
    if not content or is_own_note(content) or message_type(payload) != "outgoing":
        return None
    try:
        conversation = obj(payload, "conversation")
        account_id = ident(obj(payload, "account"), "id", where="account.")
        conversation_id = ident(conversation, "display_id") if "display_id" in conversation else None
        conversation_id = conversation_id or ident(conversation, "id", where="conversation.")
    except PayloadError:
        return None
    return AgentReply(f"chatwoot:{account_id}:{conversation_id}", content)


def _messages_url(settings: Settings, target: Mapping[str, str]) -> str:
    base = str(settings.integrations.chatwoot.base_url).rstrip("/")
    return (
        f"{base}/api/v1/accounts/{seg(target['account_id'])}"
        f"/conversations/{seg(target['conversation_id'])}/messages"
    )


def _auth(settings: Settings) -> dict[str, str]:
    return {"api_access_token": reveal(settings.integrations.chatwoot.api_token)}
