"""Standard-Webhooks-signed callbacks: ``draft.created`` POSTed to the configured URL.

The ``webhook-id`` is derived from the job's source and delivery id, so it is the same on every
retry: a receiver that de-duplicates on it (as the spec asks) sees each draft once even when a
worker died after the POST and before recording it.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import httpx

from service.config import Settings
from service.integrations import signatures as sig
from service.integrations.base import Outbound, Receipt, check_response, reveal
from service.models import DraftResult

EVENT = "draft.created"


def callback_missing(settings: Settings) -> str | None:
    return settings.callback.delivery_missing()


def message_id(source: str, delivery_id: str) -> str:
    return "msg_" + hashlib.sha256(f"{source}\n{delivery_id}".encode()).hexdigest()[:32]


def callback_body(
    *,
    source: str,
    delivery_id: str,
    job_id: str,
    thread_id: str | None,
    reference: Any,
    result: DraftResult,
    outbound: Outbound,
    now: float,
) -> bytes:
    document = {
        "type": EVENT,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "data": {
            "job_id": job_id,
            "source": source,
            "delivery_id": delivery_id,
            "thread_id": thread_id,
            "reference": reference,
            "as": outbound.kind,
            "text": outbound.text,
            # A rejected draft never leaves in a callback, masked or not (like the notes, notes.py).
            "draft": result.model_copy(update={"rejected_draft": None}).model_dump(mode="json"),
        },
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


async def send_callback(
    http: httpx.AsyncClient,
    settings: Settings,
    *,
    source: str,
    delivery_id: str,
    job_id: str,
    thread_id: str | None,
    reference: Any,
    result: DraftResult,
    outbound: Outbound,
) -> Receipt:
    now = time.time()
    body = callback_body(
        source=source,
        delivery_id=delivery_id,
        job_id=job_id,
        thread_id=thread_id,
        reference=reference,
        result=result,
        outbound=outbound,
        now=now,
    )
    msg_id, ts = message_id(source, delivery_id), str(int(now))
    key = sig.standard_key(reveal(settings.callback.secret))
    response = await http.post(
        str(settings.callback.url),
        content=body,
        headers={
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": ts,
            "webhook-signature": sig.standard_signature(key, msg_id, ts, body),
        },
    )
    check_response(response, "callback")
    return Receipt("callback", True, kind=outbound.kind, reference=msg_id)
