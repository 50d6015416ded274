"""Signature vectors for every scheme of docs/api.md, computed here independently of service code,
plus the published Standard Webhooks example; and every way a delivery can be refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from service.integrations import INTEGRATIONS, SignatureError
from service.integrations.signatures import standard_key, standard_signature

BODY = b'{"event":"message_created","id":1,"content":"Hi \xc3\xa9t\xc3\xa9"}'
WINDOW = 300.0


def hmac_hex(key: bytes, message: bytes, algorithm: str) -> str:
    return hmac.new(key, message, getattr(hashlib, algorithm)).hexdigest()


def hmac_b64(key: bytes, message: bytes, algorithm: str) -> str:
    return base64.b64encode(hmac.new(key, message, getattr(hashlib, algorithm)).digest()).decode()


def now() -> int:
    # Read per test: the suite runs for minutes, longer than the replay window.
    return int(time.time())


def vector(source: str, secret: str, body: bytes, ts: int) -> dict[str, str]:
    """The headers each helpdesk sends, written from the table in docs/api.md."""
    key = secret.encode()
    if source == "chatwoot":
        sig = hmac_hex(key, f"{ts}.".encode() + body, "sha256")
        return {"X-Chatwoot-Signature": f"sha256={sig}", "X-Chatwoot-Timestamp": str(ts)}
    if source == "zendesk":
        iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
        return {
            "X-Zendesk-Webhook-Signature": hmac_b64(key, iso.encode() + body, "sha256"),
            "X-Zendesk-Webhook-Signature-Timestamp": iso,
        }
    if source == "front":
        ms = str(ts * 1000)
        return {
            "X-Front-Signature": hmac_b64(key, ms.encode() + b":" + body, "sha256"),
            "X-Front-Request-Timestamp": ms,
        }
    if source in ("zammad", "intercom"):
        return {"X-Hub-Signature": "sha1=" + hmac_hex(key, body, "sha1")}
    if source == "helpscout":
        return {"X-HelpScout-Signature": hmac_b64(key, body, "sha1")}
    if source == "freescout":
        return {"X-FreeScout-Signature": hmac_b64(key, body, "sha1")}
    if source == "freshdesk":
        return {"X-Tactful-Token": secret}
    raw_key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"msg_1.{ts}.".encode() + body
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(ts),
        "webhook-signature": "v1," + hmac_b64(raw_key, signed, "sha256"),
    }


SECRETS = {source: f"{source}-secret-value" for source in INTEGRATIONS}
SECRETS["generic"] = "whsec_" + base64.b64encode(b"a-generic-key-of-32-bytes-length").decode()
TIMESTAMPED = ["chatwoot", "zendesk", "front", "generic"]


def verify(source: str, headers: dict[str, str], body: bytes = BODY, secret: str | None = None) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    INTEGRATIONS[source].verify(lowered, body, secret or SECRETS[source], window_s=WINDOW)


@pytest.mark.parametrize("source", sorted(INTEGRATIONS))
def test_the_documented_scheme_verifies(source: str) -> None:
    verify(source, vector(source, SECRETS[source], BODY, now()))


@pytest.mark.parametrize("source", sorted(set(INTEGRATIONS) - {"freshdesk"}))
def test_a_tampered_body_is_refused(source: str) -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify(source, vector(source, SECRETS[source], BODY, now()), body=BODY + b" ")


@pytest.mark.parametrize("source", sorted(INTEGRATIONS))
def test_a_wrong_secret_is_refused(source: str) -> None:
    wrong = "whsec_" + base64.b64encode(b"another-key").decode() if source == "generic" else "wrong"
    with pytest.raises(SignatureError):
        verify(source, vector(source, SECRETS[source], BODY, now()), secret=wrong)


@pytest.mark.parametrize("source", sorted(INTEGRATIONS))
def test_a_missing_header_is_refused(source: str) -> None:
    headers = vector(source, SECRETS[source], BODY, now())
    for name in headers:
        partial = {k: v for k, v in headers.items() if k != name}
        # Front without its timestamp is a rule webhook (HMAC-SHA1 of the body): refused as such.
        expected = "does not match" if name == "X-Front-Request-Timestamp" else "missing"
        with pytest.raises(SignatureError, match=expected):
            verify(source, partial)


@pytest.mark.parametrize("source", TIMESTAMPED)
@pytest.mark.parametrize("skew", [-WINDOW - 5, WINDOW + 5])
def test_a_timestamp_outside_the_replay_window_is_refused(source: str, skew: float) -> None:
    with pytest.raises(SignatureError, match="replay window"):
        verify(source, vector(source, SECRETS[source], BODY, int(now() + skew)))


@pytest.mark.parametrize("source", TIMESTAMPED)
def test_a_timestamp_inside_the_window_is_accepted(source: str) -> None:
    verify(source, vector(source, SECRETS[source], BODY, now() - int(WINDOW) + 10))


def test_standard_webhooks_published_example() -> None:
    # The example of the Standard Webhooks specification's reference libraries.
    key = standard_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = standard_signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_standard_webhooks_accepts_any_of_several_signatures() -> None:
    headers = vector("generic", SECRETS["generic"], BODY, now())
    headers["webhook-signature"] = "v1,bm90LXRoaXMtb25l " + headers["webhook-signature"]
    verify("generic", headers)


@pytest.mark.parametrize(
    ("source", "header", "value"),
    [
        ("chatwoot", "X-Chatwoot-Signature", "sha1=abc"),
        ("chatwoot", "X-Chatwoot-Timestamp", "yesterday"),
        ("zammad", "X-Hub-Signature", "sha256=abc"),
        ("zendesk", "X-Zendesk-Webhook-Signature-Timestamp", "not-a-date"),
        ("helpscout", "X-HelpScout-Signature", "%%%not base64%%%"),
        ("generic", "webhook-signature", "v2,abc"),
    ],
)
def test_malformed_headers_are_refused_without_raising_anything_else(
    source: str, header: str, value: str
) -> None:
    headers = vector(source, SECRETS[source], BODY, now())
    headers[header] = value
    with pytest.raises(SignatureError):
        verify(source, headers)
