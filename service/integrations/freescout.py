"""FreeScout (API & Webhooks module): conversation webhooks in, a draft reply out (a note when blocked).

FreeScout mirrors Help Scout's webhook format: the conversation as the body, the event in
``X-FreeScout-Event``, an HMAC-SHA1 base64 signature in ``X-FreeScout-Signature``.
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
    missing_settings,
    reference_from,
    secret_value,
    seg,
)
from service.integrations.html_text import text_to_html
from service.integrations.scout import parse_conversation, verify_sha1_base64


class FreeScout(Integration):
    source = "freescout"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        verify_sha1_base64(headers, "X-FreeScout-Signature", body, secret)

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        return parse_conversation(self.source, headers.get("x-freescout-event"), payload)

    def delivery_missing(self, settings: Settings) -> str | None:
        return missing_settings(settings, "freescout_base_url", "freescout_api_key", "freescout_user_id")

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        base = str(settings.freescout_base_url).rstrip("/")
        body: dict[str, Any] = {
            "type": "message" if outbound.kind == "draft" else "note",
            "text": text_to_html(outbound.text),
            "user": settings.freescout_user_id,
        }
        if outbound.kind == "draft":
            body["state"] = "draft"
        response = await http.post(
            f"{base}/api/conversations/{seg(target['conversation_id'])}/threads",
            headers={"X-FreeScout-API-Key": secret_value(settings, "freescout_api_key")},
            json=body,
        )
        check_response(response, "freescout")
        return Receipt(self.source, True, kind=outbound.kind, reference=reference_from(response, "id"))
