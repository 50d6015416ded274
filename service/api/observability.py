"""Per-request observability: a request id in every log line and response, HTTP metrics, one access
line per request.

The id comes from the caller's ``X-Request-ID`` when it is a short token (so a proxy's id follows
the request through our logs), otherwise it is generated. The access line carries the route
template (``/v1/jobs/{job_id}``), never the raw path or query string, and no header or body.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("tactful.http")

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _VALID_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def request_context(app: ASGIApp) -> ASGIApp:
    """Litestar middleware factory (it runs after routing, so the route template is known)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        status = 500  # what the client sees if we fail before a response starts
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        metrics = _metrics_of(scope)
        route = str(scope.get("path_template") or "unmatched")
        if metrics is not None:
            metrics.http_in_flight.inc()
        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = str(scope.get("method", ""))
            if metrics is not None:
                metrics.http_in_flight.dec()
                metrics.http_requests.labels(method, route, str(status)).inc()
                metrics.http_seconds.labels(route).observe(elapsed)
            log.info(
                "http.request",
                request_id=request_id,
                method=method,
                route=route,
                status=status,
                ms=round(elapsed * 1000, 2),
            )

    return middleware


def _metrics_of(scope: Scope) -> Any:
    runtime = getattr(scope["app"].state, "runtime", None)
    return getattr(runtime, "metrics", None)
