"""Zendesk: a trigger's webhook (admin-authored JSON, template in docs/integrations/zendesk.md) or a
``ticket.comment_added`` event subscription in, an internal note (private comment) out.

Zendesk signs ``timestamp + body`` with HMAC-SHA256, base64. Triggers fire on every update, so the
payload says who wrote the latest comment and whether it is public; only a public comment by the
requester is drafted for.

A retry that may have posted already lists the ticket's comments first (``find_delivered``). The
comment fields are Zendesk's documented format; the ``comments`` wrapper and ``sort_order`` follow
its list conventions and were not seen verbatim in its documentation.
"""

from __future__ import annotations

import base64
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
from service.integrations.html_text import plain
from service.integrations.lookup import entries, listing, ref, same_text
from service.integrations.notes import is_own_note
from service.integrations.payload import build_thread, flag, ident, obj, opt_ident, opt_obj, opt_text

_CHANNELS = {"email": "email", "web": "email", "chat": "chat", "sms": "sms", "twitter": "social",
             "facebook": "social", "instagram_direct": "social", "whatsapp": "chat",
             "messaging": "chat"}  # fmt: skip
EVENT_COMMENT_ADDED = "zen:event-type:ticket.comment_added"


class Zendesk(Integration):
    source = "zendesk"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        signature = sig.header(headers, "X-Zendesk-Webhook-Signature")
        ts = sig.header(headers, "X-Zendesk-Webhook-Signature-Timestamp")
        sig.check_fresh_iso(ts, window_s=window_s)
        sig.expect_base64(signature, secret.encode(), ts.encode() + body, "sha256")

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        if isinstance(payload, dict) and str(payload.get("type", "")).startswith("zen:event-type:"):
            return self._parse_event(payload)
        return self._parse_trigger(payload)

    def _parse_trigger(self, payload: Any) -> Parsed:
        ticket = obj(payload, "ticket")
        comment = obj(payload, "comment")
        requester = opt_obj(ticket, "requester")
        ticket_id = ident(ticket, "id", where="ticket.")
        comment_id = ident(comment, "id", where="comment.")
        author_id = opt_ident(comment, "author_id")
        requester_id = opt_ident(requester, "id")
        if not flag(comment, "public"):
            return Ignored("private comment")
        if author_id is None or author_id != requester_id:
            return Ignored(
                "comment not written by the requester", reply=_agent_reply(ticket_id, comment, "body")
            )
        return self._inbound(
            ticket_id=ticket_id,
            comment_id=comment_id,
            body=opt_text(comment, "body"),
            subject=opt_text(ticket, "subject"),
            via=str(ticket.get("via") or ""),
            name=opt_text(requester, "name"),
            email=opt_text(requester, "email"),
        )

    def _parse_event(self, payload: dict[str, Any]) -> Parsed:
        if payload.get("type") != EVENT_COMMENT_ADDED:
            return Ignored(f"event {payload.get('type')} is not a new comment")
        detail = obj(payload, "detail")
        comment = obj(obj(payload, "event"), "comment", where="event.")
        author = opt_obj(comment, "author")
        if not flag(comment, "is_public"):
            return Ignored("private comment")
        if flag(author, "is_staff") or opt_ident(author, "id") != opt_ident(detail, "requester_id"):
            ticket_id = opt_ident(detail, "id")
            reply = _agent_reply(ticket_id, comment, "body") if ticket_id else None
            return Ignored("comment not written by the requester", reply=reply)
        return self._inbound(
            ticket_id=ident(detail, "id", where="detail."),
            comment_id=ident(comment, "id", where="event.comment."),
            body=opt_text(comment, "body"),
            subject=opt_text(detail, "subject"),
            via=str(opt_obj(detail, "via").get("channel") or ""),
            name=opt_text(author, "name"),
            email=None,
        )

    def _inbound(
        self,
        *,
        ticket_id: str,
        comment_id: str,
        body: str | None,
        subject: str | None,
        via: str,
        name: str | None,
        email: str | None,
    ) -> Parsed:
        text = plain(body)
        if is_own_note(text):
            return Ignored("our own note")
        thread = build_thread(
            thread_id=f"zendesk:{ticket_id}",
            subject=subject,
            channel=_CHANNELS.get(via.lower(), "other"),
            customer={"name": name, "email": email},
            messages=[("customer", text, None)],
        )
        if thread is None:
            return Ignored("no customer text")
        return Inbound(
            delivery_id=f"{ticket_id}:{comment_id}", thread=thread, target={"ticket_id": ticket_id}
        )

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.zendesk.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        response = await http.put(
            f"{_base(settings)}/api/v2/tickets/{seg(target['ticket_id'])}.json",
            headers=_auth(settings),
            json={"ticket": {"comment": {"body": outbound.text, "public": False}}},
        )
        check_response(response, "zendesk")
        return Receipt(self.source, True, kind="note", reference=reference_from(response, "audit", "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # Newest first: a retry comes soon after the lost attempt, so its note is on the first page.
        response = await http.get(
            f"{_base(settings)}/api/v2/tickets/{seg(target['ticket_id'])}/comments.json",
            headers=_auth(settings),
            params={"sort_order": "desc"},
        )
        for comment in entries(listing(response, "zendesk"), "zendesk", "comments"):
            if comment.get("public") is False and any(
                same_text(comment.get(key), outbound.text) for key in ("body", "plain_body")
            ):
                # deliver() answers the audit id; a comment carries the id of the audit that made it.
                reference = ref(comment.get("audit_id")) or ref(comment.get("id"))
                return Receipt(self.source, True, kind="note", reference=reference)
        return None


def _agent_reply(ticket_id: str, comment: Mapping[str, Any], key: str) -> AgentReply | None:
    """A public comment by an agent (the caller checked it is public and not the requester's)."""
    text = plain(opt_text(comment, key))
    if not text or is_own_note(text):
        return None
    return AgentReply(f"zendesk:{ticket_id}", text)


def _base(settings: Settings) -> str:
    return str(settings.integrations.zendesk.base_url).rstrip("/")


def _auth(settings: Settings) -> dict[str, str]:
    credentials = (
        f"{settings.integrations.zendesk.email}/token:{reveal(settings.integrations.zendesk.api_token)}"
    )
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}
