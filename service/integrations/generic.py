"""generic: any system that speaks Standard Webhooks sends a Tactful Thread; the draft goes back as a
Standard-Webhooks-signed ``draft.created`` callback to ``TACTFUL_CALLBACK_URL``.

Inbound body: ``{"type": "ticket.message.created", "data": {"thread": <Thread>, "reference": <any
JSON, echoed in the callback>}}``. Other types are acknowledged and ignored. The delivery id is
the ``webhook-id`` header, which Standard Webhooks keeps the same across the sender's retries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import ValidationError

from service.config import Settings
from service.integrations import signatures as sig
from service.integrations.base import Ignored, Inbound, Integration, Outbound, Parsed, PayloadError, Receipt
from service.integrations.callback import callback_missing
from service.models import Role, Thread, has_visible_text

EVENT = "ticket.message.created"
MAX_REFERENCE_BYTES = 4_096


class Generic(Integration):
    source = "generic"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        msg_id = sig.header(headers, "webhook-id")
        ts = sig.header(headers, "webhook-timestamp")
        signature = sig.header(headers, "webhook-signature")
        sig.check_fresh(ts, window_s=window_s)
        try:
            key = sig.standard_key(secret)
        except ValueError as exc:
            raise sig.SignatureError(str(exc)) from None
        sig.expect_standard(signature, key, msg_id, ts, body)

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        kind = payload.get("type") if isinstance(payload, dict) else None
        if kind != EVENT:
            return Ignored(f"type {kind} is not {EVENT}")
        data = payload.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("thread"), dict):
            raise PayloadError("data.thread must be an object")
        try:
            thread = Thread.model_validate(data["thread"])
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors(include_input=False)})
            raise PayloadError("data.thread is not a valid thread: " + ", ".join(fields)) from None
        newest = next((m for m in reversed(thread.messages) if has_visible_text(m.body)), None)
        if newest is None or newest.role is not Role.customer:
            # As for every other source: only a new customer message is drafted for.
            return Ignored("the newest message is not the customer's")
        reference = json.dumps(data.get("reference"), separators=(",", ":"))
        if len(reference.encode()) > MAX_REFERENCE_BYTES:
            raise PayloadError(f"data.reference is larger than {MAX_REFERENCE_BYTES} bytes")
        return Inbound(
            delivery_id=sig.header(headers, "webhook-id"), thread=thread, target={"reference": reference}
        )

    def delivery_missing(self, settings: Settings) -> str | None:
        return callback_missing(settings)

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        # Delivered by the callback step of the job, which every source can use; nothing else to call.
        raise NotImplementedError("generic results are delivered as callbacks")
