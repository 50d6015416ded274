"""The one verification layer every helpdesk module uses: HMACs over raw bytes, compared in constant time.

Each scheme of the table in docs/api.md is a small function here; the helpdesk modules only say which
one applies. Nothing is parsed before the signature has been checked on the exact bytes received,
and every comparison goes through :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from service.config import STANDARD_PREFIX as STANDARD_PREFIX
from service.config import standard_key as standard_key


class SignatureError(Exception):
    """The delivery is not authentic: missing, malformed, wrong or stale signature (answered 401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def header(headers: Mapping[str, str], name: str) -> str:
    """A required header's value, stripped; raise when it is missing or empty."""
    value = (headers.get(name) or headers.get(name.lower()) or "").strip()
    if not value:
        raise SignatureError(f"missing {name} header")
    return value


def mac(key: bytes, message: bytes, algorithm: str) -> bytes:
    return hmac.new(key, message, algorithm).digest()


def expect_equal(presented: bytes, expected: bytes) -> None:
    if not hmac.compare_digest(presented, expected):
        raise SignatureError("signature does not match")


def expect_hex(presented: str, key: bytes, message: bytes, algorithm: str, *, prefix: str = "") -> None:
    """``presented`` is ``<prefix><hex digest>``; compared as bytes so odd input cannot raise."""
    if prefix:
        if not presented.startswith(prefix):
            raise SignatureError(f"signature must start with {prefix!r}")
        presented = presented[len(prefix) :]
    expected = mac(key, message, algorithm).hex().encode()
    expect_equal(presented.lower().encode(), expected)


def expect_base64(presented: str, key: bytes, message: bytes, algorithm: str) -> None:
    expected = base64.b64encode(mac(key, message, algorithm))
    expect_equal(presented.encode(), expected)


def check_fresh(timestamp: str, *, window_s: float, now: float | None = None, unit_s: float = 1.0) -> None:
    """Reject a signed timestamp outside ``now ± window_s`` (replay protection).

    ``unit_s`` is the length of one unit of the timestamp: 1 for seconds, 0.001 for milliseconds.
    """
    try:
        sent = float(int(timestamp)) * unit_s
    except ValueError:
        raise SignatureError("timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - sent) > window_s:
        raise SignatureError("timestamp is outside the replay window")


def check_fresh_iso(timestamp: str, *, window_s: float, now: float | None = None) -> None:
    """:func:`check_fresh` for an ISO 8601 timestamp (Zendesk sends ``2024-05-01T12:00:00Z``)."""
    try:
        sent = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError("timestamp is not ISO 8601") from None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    if abs(current - sent.timestamp()) > window_s:
        raise SignatureError("timestamp is outside the replay window")


def expect_token(presented: str, secret: bytes) -> None:
    """A shared token sent as is (Freshdesk): compared as digests, so lengths leak nothing either."""
    expect_equal(hashlib.sha256(presented.encode()).digest(), hashlib.sha256(secret).digest())


# --- Standard Webhooks (https://www.standardwebhooks.com) ----------------------------------------
# The secret's decoding lives in service/config.py, where the settings check it at start-up.


def standard_signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(mac(key, signed, "sha256")).decode()


def expect_standard(presented: str, key: bytes, msg_id: str, timestamp: str, body: bytes) -> None:
    """``webhook-signature`` is a space-separated list of ``v1,<base64>``; any one matching is enough
    (senders list several while they rotate keys). Every candidate is compared, without early exit."""
    expected = standard_signature(key, msg_id, timestamp, body).encode()
    matched = False
    for candidate in presented.split():
        matched |= hmac.compare_digest(candidate.encode(), expected)
    if not matched:
        raise SignatureError("signature does not match")
