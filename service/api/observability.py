"""Per-request observability: a request id in every log line and response, HTTP metrics, one access
line per request.

The id comes from the caller's ``X-Request-ID`` when it is a short token (so a proxy's id follows
the request through our logs), otherwise it is generated. The access line carries the route
template (``/v1/jobs/{job_id}``), never the raw path or query string, and no header or body.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("tactful.http")
_access_log = logging.getLogger("tactful.http")

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_BYTES = REQUEST_ID_HEADER.encode("latin-1")
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _VALID_ID.fullmatch(candidate):
                return candidate
            break
    # The same 32 hex digits as uuid4().hex, without building a UUID object.
    return secrets.token_hex(16)


def _set_request_id(message: Message, request_id: bytes) -> None:
    headers = MutableScopeHeaders.from_message(message)
    if any(name.lower() == _REQUEST_ID_BYTES for name, _ in headers.headers):
        headers[REQUEST_ID_HEADER] = request_id.decode("latin-1")  # replace, as before
    else:
        headers.headers.append((_REQUEST_ID_BYTES, request_id))


class _HttpMetrics:
    """The labelled children of the HTTP metrics, looked up once per (method, route, status).

    prometheus_client's ``labels()`` validates and locks on every call; this runs on every request.
    Routes are templates and methods and statuses few, so the map stays small.
    """

    def __init__(self, metrics: Any) -> None:
        self.in_flight = metrics.http_in_flight
        self._requests = metrics.http_requests
        self._seconds = metrics.http_seconds
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, elapsed_s: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._requests.labels(method, route, str(status)), self._seconds.labels(route)
            self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed_s)


def request_context(app: ASGIApp) -> ASGIApp:
    """Litestar middleware factory (it runs after routing, so the route template is known)."""
    http_metrics: _HttpMetrics | None = None
    metrics_source: Any = None

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal http_metrics, metrics_source
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        request_id_bytes = request_id.encode("latin-1")
        status = 500  # what the client sees if we fail before a response starts
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                _set_request_id(message, request_id_bytes)
            await send(message)

        metrics = _metrics_of(scope)
        if metrics is not metrics_source:  # the runtime (and its registry) is built in the lifespan
            metrics_source = metrics
            http_metrics = _HttpMetrics(metrics) if metrics is not None else None
        observed = http_metrics
        route = str(scope.get("path_template") or "unmatched")
        if observed is not None:
            observed.in_flight.inc()
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
            elapsed = time.perf_counter() - started
            method = str(scope.get("method", ""))
            if observed is not None:
                observed.in_flight.dec()
                observed.observe(method, route, status, elapsed)
            if _access_log.isEnabledFor(logging.INFO):  # the level check alone, not the whole chain
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
