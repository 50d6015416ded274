"""Server-Sent Events responses whose events are produced in an asyncio task of their own.

Why a task of their own: Litestar streams a response body inside an anyio task group and cancels
that group when the client disconnects. anyio cancellation is level-triggered, so clean-up code
running inside the cancelled scope (releasing a cache lock in Redis, closing the LLM's HTTP stream)
would itself be cancelled at its first ``await``. Here the source runs in a plain asyncio task that
the response body only relays from: on a disconnect the task is cancelled once, its ``finally``
blocks run normally, and the response's background step waits for them to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Mapping
from typing import Any, Final

import structlog
from litestar.background_tasks import BackgroundTask
from litestar.response import ServerSentEventMessage, Stream

log = structlog.get_logger("tactful.sse")

EVENT_STREAM = "text/event-stream"
# Proxies and load balancers often drop a connection idle for 60 s; a comment line every 15 s
# keeps a stream open while it waits (e.g. for an identical draft computed by another request).
KEEPALIVE_S: Final = 15.0
KEEPALIVE = b": keepalive\n\n"
_END: Final = object()


def sse_event(event: str, data: str | Mapping[str, Any]) -> bytes:
    """One SSE event; ``data`` is sent as JSON (a string is taken as JSON already)."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return ServerSentEventMessage(data=payload, event=event, sep="\n").encode()


class EventRelay:
    """Runs ``source`` in its own task and relays what it yields to the response body."""

    def __init__(self, source: AsyncGenerator[bytes, None], *, keepalive_s: float = KEEPALIVE_S) -> None:
        self._source = source
        self._keepalive_s = keepalive_s
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def body(self) -> AsyncGenerator[bytes, None]:
        """The response body: the source's chunks, with keep-alive comments while it is quiet."""
        self._task = asyncio.create_task(self._produce())
        try:
            while True:
                try:
                    async with asyncio.timeout(self._keepalive_s):
                        item = await self._queue.get()
                except TimeoutError:
                    yield KEEPALIVE
                    continue
                if item is _END:
                    return
                assert isinstance(item, bytes)
                yield item
        finally:
            # No await here: this may run inside the cancelled scope. close() waits instead.
            self._task.cancel()

    async def close(self) -> None:
        """Cancel the source if it is still running and wait for its clean-up."""
        task = self._task
        if task is None:
            # The body never started (the client left first): just close the source generator.
            await self._source.aclose()
            return
        if not task.done() and not task.cancelling():
            # Cancel once only: a second cancel would interrupt the clean-up the first one started.
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _produce(self) -> None:
        try:
            async with contextlib.aclosing(self._source) as source:
                async for chunk in source:
                    self._queue.put_nowait(chunk)
        except Exception as exc:
            # Sources turn their errors into events; anything left is a bug. Type only: messages
            # may carry request content.
            log.error("sse.source_failed", error=type(exc).__name__)
        finally:
            self._queue.put_nowait(_END)


def event_stream(
    source: AsyncGenerator[bytes, None],
    *,
    headers: Mapping[str, str] | None = None,
    keepalive_s: float = KEEPALIVE_S,
) -> Stream:
    """A ``text/event-stream`` response relaying ``source`` (see the module docstring)."""
    relay = EventRelay(source, keepalive_s=keepalive_s)
    return Stream(
        relay.body,
        media_type=EVENT_STREAM,
        headers={
            "Cache-Control": "no-cache",
            # nginx buffers proxied responses by default, which would hold back every delta.
            "X-Accel-Buffering": "no",
            **(headers or {}),
        },
        background=BackgroundTask(relay.close),
    )
