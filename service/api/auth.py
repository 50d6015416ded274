"""API keys for /v1/*: ``Authorization: Bearer <key>``, compared as digests in constant time.

Keys are hashed once at start-up; the plain keys are not kept around. Several keys may be valid at
once, which is how rotation works: add the new key, move clients, remove the old one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.api.errors import ProblemError


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = [digest(k) for k in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def tenant_for(self, authorization: str | None) -> str:
        """The tenant the key belongs to (a short key fingerprint), or raise 401."""
        if not self.enabled:
            return ""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
        presented = digest(token.strip())
        # Compare against every key, without early exit, so timing says nothing about which matched.
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(presented, known)
        if not matched:
            raise _unauthorized("The API key is not valid.")
        return tenant_of(presented)


def tenant_of(key_digest: bytes) -> str:
    return "key:" + key_digest.hex()[:16]


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="tactful"'}
    )


async def require_api_key(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: stores the tenant on the connection state for the handlers."""
    keys: ApiKeys = connection.app.state.api_keys
    connection.state.tenant = keys.tenant_for(connection.headers.get("authorization"))
