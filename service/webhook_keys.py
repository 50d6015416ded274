"""Webhook secrets as HMAC keys, and the start-up check that none of them is empty or short.

A secret that is set but empty (``TACTFUL_WEBHOOK_SECRET_ZAMMAD=``), or one that decodes to fewer
than :data:`MIN_SECRET_BYTES` bytes, would enable a source with a key anyone can guess: settings
refuse it at start-up, naming the variable. Standard Webhooks secrets (the generic source and the
callbacks) are base64 with an optional ``whsec_`` prefix, decoded the way the specification's
reference libraries do it: the prefix is dropped when present and the rest is base64-decoded (a
secret copied without its prefix gives the same key). Text that is not base64 is refused rather
than used as bytes, so a typo never silently becomes a different key.

This module imports nothing from the service, so the settings can use it.
"""

from __future__ import annotations

import base64
import binascii

STANDARD_PREFIX = "whsec_"
MIN_SECRET_BYTES = 16
# Settings (field names) whose secret is a Standard Webhooks secret; every other webhook secret is
# used as its UTF-8 bytes, as its helpdesk does.
STANDARD_SECRETS = frozenset({"webhook_secret_generic", "callback_secret"})


class WeakSecret(ValueError):
    """A webhook secret that is empty, too short or not decodable."""


def standard_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: ``whsec_`` dropped if present, then base64."""
    encoded = secret.removeprefix(STANDARD_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise WeakSecret("a Standard Webhooks secret must be base64 (optionally after whsec_)") from None


def secret_key(field: str, secret: str) -> bytes:
    """The HMAC key (or shared token) that the secret of setting ``field`` stands for."""
    return standard_key(secret) if field in STANDARD_SECRETS else secret.encode()


def check_secret(field: str, secret: str) -> None:
    """Raise :class:`WeakSecret` naming the variable when the secret is unusable."""
    variable = "TACTFUL_" + field.upper()
    try:
        key = secret_key(field, secret)
    except WeakSecret as exc:
        raise WeakSecret(f"{variable}: {exc}") from None
    if len(key) < MIN_SECRET_BYTES:
        what = "is empty" if not key else f"has {len(key)} bytes"
        decoded = " after base64 decoding" if field in STANDARD_SECRETS and key else ""
        raise WeakSecret(
            f"{variable} {what}{decoded}; a webhook secret needs at least {MIN_SECRET_BYTES} bytes "
            "(unset the variable to disable the source)"
        )
