"""uvicorn with a drain period: on SIGTERM, keep serving while the load balancer notices, then stop.

uvicorn's own graceful shutdown closes the listening socket at once and then lets in-flight
requests finish. A connection that a client opened just before that moment, whose request the
server had not read yet, is reset: the client sees a failed request the server never saw. With
``TACTFUL_SHUTDOWN_DRAIN_S`` > 0 the first SIGTERM/SIGINT only marks the service as draining
(``/health/ready`` answers 503 ``draining``) and everything is still served for that long, so a
load balancer that follows readiness stops sending first; then uvicorn's graceful shutdown runs
(``TACTFUL_SHUTDOWN_GRACE_S``). A second signal ends the drain at once.
"""

from __future__ import annotations

import math
import socket
import time
from collections.abc import Callable
from types import FrameType

import structlog
import uvicorn
from litestar import Litestar

from service.config import Settings
from service.server.http_limits import HeadLimits, bounded_protocol

log = structlog.get_logger("tactful.serve")


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, drain_s: float, on_drain: Callable[[], None]) -> None:
        super().__init__(config)
        self._drain_s = drain_s
        self._on_drain = on_drain
        self._drain_until: float | None = None
        self._pending: int | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._drain_s > 0 and self._drain_until is None:
            self._drain_until = time.monotonic() + self._drain_s
            self._pending = sig
            self._on_drain()
            log.info("serve.draining", drain_s=self._drain_s)
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        # uvicorn's main loop calls this every 0.1 s; the drain ends like a signal would.
        if (
            self._pending is not None
            and self._drain_until is not None
            and time.monotonic() >= self._drain_until
        ):
            sig, self._pending = self._pending, None
            super().handle_exit(sig, None)
        return await super().on_tick(counter)


def head_limits(settings: Settings) -> HeadLimits:
    return HeadLimits(
        max_header_bytes=settings.limits.max_header_bytes,
        max_head_bytes=settings.limits.max_headers_bytes,
        max_headers=settings.limits.max_headers,
        head_timeout_s=settings.limits.header_timeout_s,
    )


def uvicorn_config(
    app: Litestar, *, host: str, port: int, grace_s: float, limits: HeadLimits
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        # httptools with bounded request heads (service/server/http_limits.py): 431/408 instead of
        # unlimited headers and endless slow sends.
        http=bounded_protocol(limits),
        log_config=None,
        access_log=False,  # our http.request line has the request id and no query string
        # After the drain, uvicorn stops accepting and lets in-flight requests finish, then stops.
        timeout_graceful_shutdown=math.ceil(grace_s),
    )


def serve(
    app: Litestar,
    *,
    host: str,
    port: int,
    grace_s: float,
    drain_s: float,
    sockets: list[socket.socket] | None = None,
    limits: HeadLimits | None = None,
) -> None:
    """Serve until a signal; ``sockets`` are already bound by a parent (``--workers``)."""
    config = uvicorn_config(app, host=host, port=port, grace_s=grace_s, limits=limits or HeadLimits())

    def mark_draining() -> None:
        runtime = getattr(app.state, "runtime", None)
        if runtime is not None:
            runtime.draining = True

    DrainingServer(config, drain_s=drain_s, on_drain=mark_draining).run(sockets=sockets)
