"""FreeScout (API & Webhooks module): conversation webhooks in, a draft reply out (a note when blocked).

FreeScout mirrors Help Scout's webhook format: the conversation as the body, the event in
``X-FreeScout-Event``, an HMAC-SHA1 base64 signature in ``X-FreeScout-Signature``.

A retry that may have posted already gets the conversation with ``embed=threads`` first. The
endpoint and ``_embedded.threads[].body`` are documented by FreeScout's API clients; the thread
``type``/``state`` values and whether drafts are listed follow Help Scout's format and were NOT
confirmed from FreeScout's documentation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from service.config import Settings
from service.integrations.base import (
    Integration,
    Outbound,
    Parsed,
    Receipt,
    check_response,
    reference_from,
    reveal,
    seg,
)
from service.integrations.html_text import text_to_html
from service.integrations.lookup import entries, listing, ref, same_text
from service.integrations.scout import parse_conversation, verify_sha1_base64


class FreeScout(Integration):
    source = "freescout"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        verify_sha1_base64(headers, "X-FreeScout-Signature", body, secret)

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        return parse_conversation(self.source, headers.get("x-freescout-event"), payload)

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.freescout.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        body: dict[str, Any] = {
            "type": _thread_type(outbound),
            "text": text_to_html(outbound.text),
            "user": settings.integrations.freescout.user_id,
        }
        if outbound.kind == "draft":
            body["state"] = "draft"
        response = await http.post(
            f"{_conversation_url(settings, target)}/threads", headers=_auth(settings), json=body
        )
        check_response(response, "freescout")
        return Receipt(self.source, True, kind=outbound.kind, reference=reference_from(response, "id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        # The conversation with its threads embedded (Help Scout's shape: _embedded.threads). A
        # draft is a "message" thread in state "draft", a note a "note" thread.
        response = await http.get(
            _conversation_url(settings, target), headers=_auth(settings), params={"embed": "threads"}
        )
        threads = entries(listing(response, "freescout"), "freescout", "_embedded", "threads")
        for thread in threads:
            if thread.get("type") != _thread_type(outbound):
                continue
            if outbound.kind == "draft" and thread.get("state") != "draft":
                continue  # a sent reply with the same text is not our draft
            if same_text(thread.get("body"), outbound.text):
                return Receipt(self.source, True, kind=outbound.kind, reference=ref(thread.get("id")))
        return None


def _thread_type(outbound: Outbound) -> str:
    return "message" if outbound.kind == "draft" else "note"


def _conversation_url(settings: Settings, target: Mapping[str, str]) -> str:
    base = str(settings.integrations.freescout.base_url).rstrip("/")
    return f"{base}/api/conversations/{seg(target['conversation_id'])}"


def _auth(settings: Settings) -> dict[str, str]:
    return {"X-FreeScout-API-Key": reveal(settings.integrations.freescout.api_key)}
