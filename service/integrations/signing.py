"""Signing deliveries the way each helpdesk does: for the sample sender (`tactful send-webhook`),
the benchmark and local testing. The verifying side is :mod:`service.integrations.signatures`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

from service.integrations.signatures import standard_key, standard_signature


def _b64(key: bytes, message: bytes, algorithm: str) -> str:
    return base64.b64encode(hmac.new(key, message, algorithm).digest()).decode()


def _hex(key: bytes, message: bytes, algorithm: str) -> str:
    return hmac.new(key, message, algorithm).hexdigest()


def sign(
    source: str, body: bytes, secret: str, *, now: float | None = None, msg_id: str | None = None
) -> dict[str, str]:
    """The headers ``source`` would send with ``body`` (content-type included)."""
    current = time.time() if now is None else now
    key = secret.encode()
    headers = {"content-type": "application/json"}
    if source == "chatwoot":
        ts = str(int(current))
        headers["X-Chatwoot-Timestamp"] = ts
        headers["X-Chatwoot-Signature"] = "sha256=" + _hex(key, ts.encode() + b"." + body, "sha256")
    elif source == "zendesk":
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(current))
        headers["X-Zendesk-Webhook-Signature-Timestamp"] = ts
        headers["X-Zendesk-Webhook-Signature"] = _b64(key, ts.encode() + body, "sha256")
    elif source == "front":
        ts = str(int(current * 1000))
        headers["X-Front-Request-Timestamp"] = ts
        headers["X-Front-Signature"] = _b64(key, ts.encode() + b":" + body, "sha256")
    elif source in ("zammad", "intercom"):
        headers["X-Hub-Signature"] = "sha1=" + _hex(key, body, "sha1")
    elif source == "helpscout":
        headers["X-HelpScout-Signature"] = _b64(key, body, "sha1")
    elif source == "freescout":
        headers["X-FreeScout-Signature"] = _b64(key, body, "sha1")
    elif source == "freshdesk":
        headers["X-Tactful-Token"] = secret
    elif source == "generic":
        ts = str(int(current))
        message_id = msg_id or "msg_" + hashlib.sha256(body + uuid.uuid4().bytes).hexdigest()[:24]
        headers["webhook-id"] = message_id
        headers["webhook-timestamp"] = ts
        headers["webhook-signature"] = standard_signature(standard_key(secret), message_id, ts, body)
    else:
        raise ValueError(f"unknown source {source!r}")
    return headers
