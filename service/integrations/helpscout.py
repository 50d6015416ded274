"""Help Scout: conversation webhooks in, a note out.

Help Scout's Mailbox API takes OAuth2 tokens from the client-credentials flow (app id and secret);
a token is fetched on first use and reused until shortly before it expires.

A retry that may have posted already lists the conversation's threads first (documented shape:
``_embedded.threads`` with ``id``, ``type``, ``body``, newest first).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx

from service.config import Settings
from service.integrations.base import (
    DeliveryError,
    Integration,
    Outbound,
    Parsed,
    Receipt,
    check_response,
    reveal,
    seg,
)
from service.integrations.html_text import text_to_html
from service.integrations.lookup import entries, listing, ref, same_text
from service.integrations.scout import parse_conversation, verify_sha1_base64


class _TokenCache:
    def __init__(self) -> None:
        self._token: tuple[str, str, float] | None = None  # (app id, token, expires at)

    async def get(self, http: httpx.AsyncClient, settings: Settings) -> str:
        app_id = str(settings.integrations.helpscout.app_id)
        if self._token and self._token[0] == app_id and self._token[2] > time.monotonic():
            return self._token[1]
        response = await http.post(
            f"{settings.integrations.helpscout.base_url.rstrip('/')}/v2/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": app_id,
                "client_secret": reveal(settings.integrations.helpscout.app_secret),
            },
        )
        check_response(response, "helpscout token")
        data = response.json()
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise DeliveryError("helpscout token: no access_token in the answer")
        lifetime = float(data.get("expires_in") or 3_600)
        self._token = (app_id, token, time.monotonic() + max(60.0, lifetime - 300))
        return token

    def forget(self) -> None:
        self._token = None


class HelpScout(Integration):
    source = "helpscout"

    def __init__(self) -> None:
        self.tokens = _TokenCache()

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        verify_sha1_base64(headers, "X-HelpScout-Signature", body, secret)

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        return parse_conversation(self.source, headers.get("x-helpscout-event"), payload)

    def delivery_missing(self, settings: Settings) -> str | None:
        return settings.integrations.helpscout.delivery_missing()

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        token = await self.tokens.get(http, settings)
        response = await http.post(
            f"{_conversation_url(settings, target)}/notes",
            headers={"Authorization": f"Bearer {token}"},
            json={"text": text_to_html(outbound.text)},
        )
        if response.status_code == 401:
            self.tokens.forget()  # revoked or expired early: the retry fetches a new one
        check_response(response, "helpscout")
        # Help Scout answers 201 with the new thread's id in Resource-ID.
        return Receipt(self.source, True, kind="note", reference=response.headers.get("resource-id"))

    can_find = True

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        token = await self.tokens.get(http, settings)
        # The conversation's threads, newest first (the first page holds a note posted seconds ago).
        response = await http.get(
            f"{_conversation_url(settings, target)}/threads", headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 401:
            self.tokens.forget()
        threads = entries(listing(response, "helpscout"), "helpscout", "_embedded", "threads")
        for thread in threads:
            if thread.get("type") == "note" and same_text(thread.get("body"), outbound.text):
                return Receipt(self.source, True, kind="note", reference=ref(thread.get("id")))
        return None


def _conversation_url(settings: Settings, target: Mapping[str, str]) -> str:
    base = settings.integrations.helpscout.base_url.rstrip("/")
    return f"{base}/v2/conversations/{seg(target['conversation_id'])}"
