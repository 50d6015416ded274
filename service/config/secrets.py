"""Webhook secrets as keys, and the start-up check that refuses weak ones.

A secret that is set but empty, or that decodes to fewer than MIN_SECRET_BYTES bytes, would enable
a source with a key anyone can guess: settings refuse it at start-up, naming the variable.
Standard Webhooks secrets (the generic source and the callbacks) are base64 with an optional
`whsec_` prefix, decoded the way the specification's reference libraries do it (the prefix is
dropped when present, the rest base64-decoded); text that is not base64 is refused rather than
used as bytes. Every other webhook secret is used as its UTF-8 bytes, as its helpdesk does. The
verifying side is service/integrations/signatures.py.
"""

from __future__ import annotations

import base64
import binascii

STANDARD_PREFIX = "whsec_"
MIN_SECRET_BYTES = 16


class WeakSecret(ValueError):
    """A webhook secret that is empty, too short or not decodable."""


def standard_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: ``whsec_`` dropped if present, then base64."""
    encoded = secret.removeprefix(STANDARD_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise WeakSecret("a Standard Webhooks secret must be base64 (optionally after whsec_)") from None


def check_secret(variable: str, secret: str, *, standard: bool) -> None:
    """Raise :class:`WeakSecret` naming ``variable`` when the secret is unusable."""
    try:
        key = standard_key(secret) if standard else secret.encode()
    except WeakSecret as exc:
        raise WeakSecret(f"{variable}: {exc}") from None
    if len(key) < MIN_SECRET_BYTES:
        what = "is empty" if not key else f"has {len(key)} bytes"
        decoded = " after base64 decoding" if standard and key else ""
        raise WeakSecret(
            f"{variable} {what}{decoded}; a webhook secret needs at least {MIN_SECRET_BYTES} bytes "
            "(unset the variable to disable the source)"
        )
