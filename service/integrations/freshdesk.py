"""Freshdesk: an automation rule's webhook (unsigned; JSON template in docs/integrations/freshdesk.md)
in, a private note out.

Freshdesk cannot sign webhooks, so the rule sends a shared token in ``X-Tactful-Token``, compared
in constant time. The rule fires on new tickets and customer replies only (its conditions do
that filtering); the latest public comment, else the description, is the customer's message.
Freshdesk gives no comment id, so the delivery id hashes the ticket id and the text.

A retry that may have posted already lists the ticket's conversations first (documented endpoint
and ``body``/``body_text``/``private`` fields; the ``Link`` next-page header follows Freshdesk's
conventions and was not seen verbatim).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

import httpx

from service.config import Settings
from service.integrations import signatures as sig
from service.integrations.base import (
    DeliveryError,
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
from service.integrations.payload import build_thread, ident, opt_obj, opt_text


class Freshdesk(Integration):
    source = "freshdesk"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        sig.expect_token(sig.header(headers, "X-Tactful-Token"), secret.encode())

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        data = opt_obj(payload, "freshdesk_webhook") or (payload if isinstance(payload, dict) else {})
        ticket_id = ident(data, "ticket_id")
        text = plain(opt_text(data, "ticket_latest_public_comment")) or plain(
            opt_text(data, "ticket_description")
        )
        if is_own_note(text):
            return Ignored("our own note")
        thread = build_thread(
            thread_id=f"freshdesk:{ticket_id}",
            subject=opt_text(data, "ticket_subject"),
            channel="email",
            customer={
                "name": opt_text(data, "ticket_requester_name"),
                "email": opt_text(data, "ticket_requester_email"),
            },
            messages=[("customer", text, None)],
        )
        if thread is None:
            return Ignored("no customer text")
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        return Inbound(delivery_id=f"{ticket_id}:{digest}", thread=thread, target={"ticket_id": ticket_id})

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.freshdesk.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        response = await http.post(
            f"{_ticket_url(settings, target)}/notes",
            headers=_auth(settings),
            json={"body": text_to_html(outbound.text), "private": True},
        )
        check_response(response, "freshdesk")
        return Receipt(self.source, True, kind="note", reference=reference_from(response, "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # Freshdesk lists a ticket's conversations oldest first, 100 at most per page, and names
        # the next page in a Link header: a note posted seconds ago is on the last page.
        base = str(settings.integrations.freshdesk.base_url).rstrip("/")
        url: str | None = f"{_ticket_url(settings, target)}/conversations"
        params: dict[str, int] | None = {"per_page": 100}
        pages = 0
        while url is not None:
            if pages == _MAX_PAGES:
                raise DeliveryError(f"freshdesk: more than {_MAX_PAGES} pages of conversations")
            pages += 1
            response = await http.get(url, headers=_auth(settings), params=params)
            for entry in entries(listing(response, "freshdesk"), "freshdesk"):
                if entry.get("private") is True and (
                    same_text(entry.get("body"), outbound.text)
                    or same_text(entry.get("body_text"), outbound.text)
                ):
                    return Receipt(self.source, True, kind="note", reference=ref(entry.get("id")))
            url, params = response.links.get("next", {}).get("url"), None
            if url is not None and not url.startswith(f"{base}/"):
                # The credentials go only to the configured Freshdesk.
                raise DeliveryError("freshdesk: next page is on another host")
        return None


# 100 conversations a page: a ticket with more than 1,000 cannot be searched in one retry; failing the
# lookup (and so the attempt) is safer than posting a note that may be there already.
_MAX_PAGES = 10


def _ticket_url(settings: Settings, target: Mapping[str, str]) -> str:
    base = str(settings.integrations.freshdesk.base_url).rstrip("/")
    return f"{base}/api/v2/tickets/{seg(target['ticket_id'])}"


def _auth(settings: Settings) -> dict[str, str]:
    credentials = base64.b64encode(f"{reveal(settings.integrations.freshdesk.api_key)}:X".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}
