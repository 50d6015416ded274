"""The rate-limit guard: per API key on /v1/*, per source on the webhook door.

It runs as an app-level guard, before the router's auth guard, so it checks the API key itself
(a refused or missing key is a 401 here, never a 429: a stranger cannot spend a customer's budget)
and stores the tenant for the handlers. Webhooks authenticate by signature, after this guard, so
their budget is keyed on the ``{source}`` path segment of ``/v1/webhooks/{source}``.
"""

from __future__ import annotations

import math
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.api.auth import ApiKeys
from service.api.errors import ProblemError
from service.runtime import Runtime

API_PREFIX = "/v1/"
WEBHOOK_PREFIX = "/v1/webhooks/"
_MAX_SOURCE_CHARS = 64


def webhook_source(path: str, path_params: dict[str, Any]) -> str:
    source = path_params.get("source")
    if not isinstance(source, str):
        source = path[len(WEBHOOK_PREFIX) :].split("/", 1)[0]
    return source.lower()[:_MAX_SOURCE_CHARS]


async def rate_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    path = connection.scope["path"]
    if not path.startswith(API_PREFIX):
        return  # probes, metrics, schema and the page are not limited
    runtime: Runtime = connection.app.state.runtime
    settings = runtime.settings
    if path.startswith(WEBHOOK_PREFIX):
        scope, limit = "webhook", settings.rate_limit_webhooks
        bucket = "webhook:" + webhook_source(path, connection.path_params)
        what = "this webhook source"
        setting = "TACTFUL_RATE_LIMIT_WEBHOOKS"
    else:
        keys: ApiKeys = connection.app.state.api_keys
        tenant = keys.tenant_for(connection.headers.get("authorization"))  # 401 before any counting
        connection.state.tenant = tenant
        client = connection.client.host if connection.client else "unknown"
        scope, limit = "api", settings.rate_limit_api
        bucket = "api:" + (tenant or "addr:" + client)
        what = "this API key" if tenant else "this client address"
        setting = "TACTFUL_RATE_LIMIT_API"
    if limit <= 0 or runtime.rate_limiter is None:
        return
    window = settings.rate_limit_window_s
    decision = await runtime.rate_limiter.hit(bucket, limit=limit, window_s=window)
    if decision.allowed:
        return
    runtime.metrics.rate_limited.labels(scope).inc()
    retry_after = max(1, math.ceil(decision.retry_after_s))
    raise ProblemError(
        429,
        "rate-limited",
        "Too many requests",
        f"At most {limit} requests per {window} s are accepted for {what} ({setting}); "
        f"retry after {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )
