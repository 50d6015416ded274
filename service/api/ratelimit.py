"""The rate-limit guard per API key on /v1/*, and the 429 problem shared with the webhook door.

The guard runs first on the /v1 router, before its auth guard, so it checks the API key itself
(a refused or missing key is a 401 here, never a 429: a stranger cannot spend a customer's budget)
and stores the tenant for the handlers. The webhook door has no guard: helpdesks authenticate by
signature, and a source's budget is checked after the signature, in the same Redis script that
claims and enqueues the delivery (service/api/webhooks.py), so unsigned requests spend nobody's
budget and an accepted delivery costs one Redis round trip.
"""

from __future__ import annotations

import math
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.api.auth import ApiKeys
from service.api.errors import ProblemError
from service.server.runtime import Runtime

API_PREFIX = "/v1/"


def rate_limited(*, limit: int, window_s: int, what: str, setting: str, retry_after_s: float) -> ProblemError:
    """The 429 problem: which budget, the setting that moves it, and when to come back."""
    retry_after = max(1, math.ceil(retry_after_s))
    return ProblemError(
        429,
        "rate-limited",
        "Too many requests",
        f"At most {limit} requests per {window_s} s are accepted for {what} ({setting}); "
        f"retry after {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )


async def rate_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.scope["path"].startswith(API_PREFIX):
        return  # only /v1 routes are guarded; kept as a check should the guard be mounted wider
    runtime: Runtime = connection.app.state.runtime
    settings = runtime.settings
    keys: ApiKeys = connection.app.state.api_keys
    tenant = keys.tenant_for(connection.headers.get("authorization"))  # 401 before any counting
    connection.state.tenant = tenant
    limit = settings.rate_limits.api
    if limit <= 0 or runtime.rate_limiter is None:
        return
    client = connection.client.host if connection.client else "unknown"
    bucket = "api:" + (tenant or "addr:" + client)
    window = settings.rate_limits.window_s
    decision = await runtime.rate_limiter.hit(bucket, limit=limit, window_s=window)
    if decision.allowed:
        return
    runtime.metrics.rate_limited.labels("api").inc()
    raise rate_limited(
        limit=limit,
        window_s=window,
        what="this API key" if tenant else "this client address",
        setting="TACTFUL_RATE_LIMIT_API",
        retry_after_s=decision.retry_after_s,
    )
