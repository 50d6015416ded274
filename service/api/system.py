"""Probes and metrics: /health/live, /health/ready, /metrics."""

from __future__ import annotations

import contextlib
import hmac
from typing import Annotated, Any

from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import SecretStr
from redis.exceptions import RedisError

from service.api.auth import ApiKeys
from service.api.errors import ProblemError
from service.api.problems import METRICS_PROBLEMS, READY_UNAVAILABLE
from service.feedback.metrics import publish
from service.jobs import queue_stats
from service.models import Provider
from service.server.runtime import Runtime


@get("/health/live", tags=["system"], summary="Liveness: the process answers", cache=False)
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/health/ready",
    tags=["system"],
    summary="Readiness: Redis answers and a draft provider is configured",
    description="200 when ready; 503 with the failing checks otherwise, or status `draining` after "
    "SIGTERM during TACTFUL_SHUTDOWN_DRAIN_S. Drafts are still served (uncached) while Redis is down; "
    "webhooks are not accepted then.",
    cache=False,
    responses={503: READY_UNAVAILABLE},
)
async def ready(runtime: NamedDependency[Runtime]) -> Response[dict[str, Any]]:
    redis_ok = await runtime.pipeline.cache.ping()
    settings = runtime.settings
    llm_ok = settings.provider is Provider.offline or bool(settings.llm.base_url or settings.llm.api_key)
    llm_check: dict[str, Any] = {"ok": llm_ok, "provider": settings.provider}
    if runtime.model_check is not None:
        # A hint, never a failure: many endpoints list no models, or list them under other names.
        llm_check["model"] = settings.llm.model
        llm_check["model_listed"] = await runtime.model_check.current()
    checks = {"redis": {"ok": redis_ok, "configured": runtime.redis is not None}, "llm": llm_check}
    ok = redis_ok and llm_ok and not runtime.draining
    status = "draining" if runtime.draining else "ok" if ok else "unavailable"
    return Response(
        {"status": status, "checks": checks},
        status_code=200 if ok else 503,
        headers={} if ok else {"Retry-After": "5"},
    )


@get(
    "/metrics",
    tags=["system"],
    summary="Prometheus metrics",
    description="Open only when neither TACTFUL_METRICS_TOKEN nor TACTFUL_API_KEYS is set; otherwise send "
    "`Authorization: Bearer <token>` with the metrics token or any API key.",
    media_type=MediaType.TEXT,
    cache=False,
    responses=METRICS_PROBLEMS,
)
async def metrics(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    authorization: Annotated[str | None, HeaderParameter(name="authorization", required=False)] = None,
) -> Response[bytes]:
    token = runtime.settings.auth.metrics_token
    keys: ApiKeys = request.app.state.api_keys
    if (token is not None or keys.enabled) and not _may_scrape(authorization, token, keys):
        raise ProblemError(
            401,
            "unauthorized",
            "Unauthorized",
            "Send the metrics token (TACTFUL_METRICS_TOKEN) or an API key (TACTFUL_API_KEYS) as "
            "'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="tactful-metrics"'},
        )
    if runtime.limiter is not None:
        runtime.metrics.set_llm_slots(runtime.limiter.in_use, runtime.limiter.waiting)
    if runtime.breaker is not None:
        # Read at scrape time: the breaker lives in Redis, shared by every process.
        runtime.metrics.set_breaker_state(await runtime.breaker.state())
    if runtime.redis is not None:
        # Redis down: /health/ready says so; the other figures are still worth serving.
        with contextlib.suppress(RedisError, OSError):
            runtime.metrics.set_queue(**(await queue_stats(runtime.redis)).as_dict())
    if runtime.feedback is not None:
        with contextlib.suppress(RedisError, OSError):
            summary = await runtime.feedback.summary_all(runtime.settings.feedback.retention_days)
            publish(runtime.metrics, summary)
    # Set as a header, not media_type: Litestar appends "; charset=utf-8" to text/* media types, and
    # CONTENT_TYPE_LATEST already carries one.
    exposition = {"content-type": CONTENT_TYPE_LATEST}
    return Response(runtime.metrics.render(), media_type=CONTENT_TYPE_LATEST, headers=exposition)


def _may_scrape(authorization: str | None, token: SecretStr | None, keys: ApiKeys) -> bool:
    """The metrics token, or any API key: /metrics is open only when neither is configured."""
    if token is not None and _bearer_matches(authorization, token.get_secret_value()):
        return True
    if keys.enabled:
        try:
            keys.tenant_for(authorization)
        except ProblemError:
            return False
        return True
    return False


def _bearer_matches(authorization: str | None, token: str) -> bool:
    scheme, _, presented = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())
