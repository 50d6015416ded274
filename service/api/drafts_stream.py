"""POST /v1/drafts/stream: the draft as Server-Sent Events, for the agent page and other UIs.

Events, in order: ``delta`` (``{"text": ...}``, the writer's text as it comes; zero or more), then
exactly one ``result`` (the DraftResult after guardrails and repairs, whose text may differ from
the deltas). A cache hit sends the ``result`` at once. An LLM failure after the stream has started
ends it with one ``error`` event carrying RFC 9457 problem details instead of a ``result``.
Everything that can be refused before drafting (auth, validation, limits) is refused with a
normal problem response. A client that disconnects cancels the LLM call.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody
from litestar.response import Stream

from service.api.drafts import enforce_limits, remember_draft, server_timing, wants_fresh
from service.api.errors import as_problem
from service.api.problems import DRAFT_PROBLEMS
from service.api.sse import EVENT_STREAM, event_stream, sse_event
from service.drafting.cache import CacheOutcome
from service.drafting.pipeline import DraftDelta, DraftOutcome, StreamEvent
from service.models import Thread
from service.server.runtime import Runtime

DESCRIPTION = """\
Server-Sent Events (`text/event-stream`):

- `event: delta`, `data: {"text": "..."}`: text as the LLM writes it (a preview: guardrail repairs
  may change the final text);
- `event: result`, `data: <DraftResult>`: exactly one, last, after guardrails and repairs.

A cache hit sends only the `result`, at once (`X-Cache: HIT`). Send `Cache-Control: no-cache` to
regenerate. If the LLM fails after the stream started and the offline fallback is disabled, the
stream ends with `event: error` whose data is problem details (`application/problem+json` fields,
e.g. `llm-unavailable`; see docs/errors.md) instead of a `result`. Closing the connection cancels
the LLM call. Comment lines (`: keepalive`) may appear while waiting.

Headers: `X-Cache` always. `Server-Timing` only on a cache hit: a drafted stream sends its headers
before the timings exist, so they are in the result's `timings_ms`.
"""


async def _single(outcome: DraftOutcome) -> AsyncGenerator[StreamEvent, None]:
    yield outcome


async def encode_events(
    events: AsyncGenerator[StreamEvent, None],
    runtime: Runtime,
    request: Request[Any, Any, Any],
    thread: Thread,
) -> AsyncGenerator[bytes, None]:
    """Pipeline events as SSE bytes; an error becomes a final ``error`` event."""
    try:
        async with aclosing(events) as source:
            async for event in source:
                if isinstance(event, DraftDelta):
                    yield sse_event("delta", {"text": event.text})
                    continue
                hit = event.cache in (CacheOutcome.hit, CacheOutcome.coalesced)
                runtime.metrics.record_draft(event.result, cache="HIT" if hit else "MISS")
                await remember_draft(runtime, event.result, thread, request.state.tenant, event.cache)
                yield sse_event("result", event.result.model_dump_json())
    except Exception as exc:
        # The status line is long gone: the same problem details the JSON endpoint would answer,
        # as an event. The conversion logs the error type only, never content.
        yield sse_event("error", as_problem(exc).to_response(request).content)


class DraftStreamController(Controller):
    path = "/v1/drafts"

    @post(
        "/stream",
        status_code=200,
        media_type=EVENT_STREAM,
        tags=["drafts"],
        summary="Draft a reply, streamed as Server-Sent Events",
        description=DESCRIPTION,
        response_description="`text/event-stream`: `delta` events, then one `result` (a DraftResult).",
        response_headers=[
            ResponseHeader(
                name="X-Cache", description="HIT when the result was stored", documentation_only=True
            ),
            ResponseHeader(
                name="Server-Timing",
                description="Only on a cache hit; a drafted stream's timings are in the result's timings_ms",
                documentation_only=True,
                required=False,
            ),
        ],
        responses=DRAFT_PROBLEMS,
    )
    async def stream_draft(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[Thread],
        runtime: NamedDependency[Runtime],
        cache_control: Annotated[str | None, HeaderParameter(name="cache-control", required=False)] = None,
    ) -> Stream:
        enforce_limits(data, runtime)
        refresh = wants_fresh(cache_control)
        tenant: str = request.state.tenant
        # Looking first lets a hit say so in the headers; the stream then skips its own read.
        stored = None if refresh else await runtime.pipeline.lookup(data, tenant=tenant)
        if stored is not None:
            events = _single(stored)
            headers = {"X-Cache": "HIT", "Server-Timing": server_timing(stored.result.timings_ms)}
        else:
            events = runtime.pipeline.draft_stream(data, tenant=tenant, refresh=refresh, read_first=False)
            headers = {"X-Cache": "MISS"}
        return event_stream(encode_events(events, runtime, request, data), headers=headers)
