"""Zammad: a trigger's webhook (ticket + article) in, an internal note article out.

Zammad signs the body with HMAC-SHA1 (``X-Hub-Signature: sha1=<hex>``). Article bodies are HTML
when ``content_type`` is ``text/html``. Only a public article whose sender is ``Customer`` is
drafted for; agent articles, internal notes and system articles are ignored.

A retry that may have posted already lists the ticket's articles first (``by_ticket``, a JSON
array: documented by Zammad's API clients); ``internal``/``body`` in the answer are assumed to
mirror what we send (not seen in a documented response example).
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
from service.integrations.html_text import html_to_text
from service.integrations.lookup import entries, listing, ref, same_text
from service.integrations.notes import is_own_note
from service.integrations.payload import (
    build_thread,
    flag,
    full_name,
    ident,
    obj,
    opt_ident,
    opt_obj,
    opt_text,
    timestamp,
)

_CHANNELS = {"email": "email", "web": "email", "chat": "chat", "sms": "sms", "phone": "other",
             "twitter status": "social", "twitter direct-message": "social", "facebook feed post": "social",
             "telegram personal-message": "chat", "whatsapp message": "chat"}  # fmt: skip


class Zammad(Integration):
    source = "zammad"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        signature = sig.header(headers, "X-Hub-Signature")
        sig.expect_hex(signature, secret.encode(), body, "sha1", prefix="sha1=")

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        ticket = obj(payload, "ticket")
        article = opt_obj(payload, "article")
        if not article:
            return Ignored("no article: a ticket change without a new message")
        sender = article.get("sender")
        sender_name = sender.get("name") if isinstance(sender, dict) else sender
        if sender_name != "Customer":
            reply = _agent_reply(ticket, article) if sender_name == "Agent" else None
            return Ignored("article not written by the customer", reply=reply)
        if flag(article, "internal"):
            return Ignored("internal article")
        body = opt_text(article, "body") or ""
        text = html_to_text(body) if "html" in str(article.get("content_type", "")) else body.strip()
        if is_own_note(text):
            return Ignored("our own note")
        ticket_id = ident(ticket, "id", where="ticket.")
        customer = opt_obj(ticket, "customer")
        article_type = article.get("type")
        type_name = article_type.get("name") if isinstance(article_type, dict) else article_type
        thread = build_thread(
            thread_id=f"zammad:{ticket_id}",
            subject=opt_text(ticket, "title"),
            channel=_CHANNELS.get(str(type_name or "").lower(), "other"),
            customer={
                "name": full_name(opt_text(customer, "firstname"), opt_text(customer, "lastname")),
                "email": opt_text(customer, "email"),
            },
            messages=[("customer", text, timestamp(article.get("created_at")))],
        )
        if thread is None:
            return Ignored("no customer text")
        return Inbound(
            delivery_id=f"{ticket_id}:{ident(article, 'id', where='article.')}",
            thread=thread,
            target={"ticket_id": ticket_id},
        )

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.zammad.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        ticket_id = target["ticket_id"]
        response = await http.post(
            f"{_base(settings)}/api/v1/ticket_articles",
            headers=_auth(settings),
            json={
                "ticket_id": int(ticket_id) if ticket_id.isdigit() else ticket_id,
                "subject": "Tactful draft",
                "body": outbound.text,
                "content_type": "text/plain",
                "type": "note",
                "internal": True,
            },
        )
        check_response(response, "zammad")
        return Receipt(self.source, True, kind="note", reference=reference_from(response, "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # Every article of the ticket, as a JSON array; our note is internal and holds our text.
        response = await http.get(
            f"{_base(settings)}/api/v1/ticket_articles/by_ticket/{seg(target['ticket_id'])}",
            headers=_auth(settings),
        )
        for article in entries(listing(response, "zammad"), "zammad"):
            if article.get("internal") is True and same_text(article.get("body"), outbound.text):
                return Receipt(self.source, True, kind="note", reference=ref(article.get("id")))
        return None


def _agent_reply(ticket: Mapping[str, Any], article: Mapping[str, Any]) -> AgentReply | None:
    """A public article by an agent (an internal one is a note, not a reply)."""
    ticket_id = opt_ident(ticket, "id")
    if ticket_id is None or flag(article, "internal"):
        return None
    body = opt_text(article, "body") or ""
    text = html_to_text(body) if "html" in str(article.get("content_type", "")) else body.strip()
    if not text or is_own_note(text):
        return None
    return AgentReply(f"zammad:{ticket_id}", text)


def _base(settings: Settings) -> str:
    return str(settings.integrations.zammad.base_url).rstrip("/")


def _auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Token token={reveal(settings.integrations.zammad.api_token)}"}
