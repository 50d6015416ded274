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
from service.api.errors import PROBLEM_BASE, as_problem
from service.api.problems import DRAFT_PROBLEMS
from service.api.sse import EVENT_STREAM, event_stream, sse_event
from service.drafting.cache import CacheOutcome
from service.drafting.pipeline import DraftDelta, DraftOutcome, DraftStopped, StreamEvent
from service.models import Thread
from service.server.runtime import Runtime

DESCRIPTION = """\
Server-Sent Events (`text/event-stream`):

- `event: delta`, `data: {"text": "..."}`: text as the LLM writes it, redacted: the customer's
  e-mail addresses, phone numbers, cards, IBANs, keys and passwords appear as placeholders such as
  `[EMAIL_1]` (a preview: guardrail repairs may change the final text);
- `event: result`, `data: <DraftResult>`: exactly one, last, after guardrails and repairs; the only
  event with the values put back.

Every completed sentence is checked by the block-level content rules (`secret`, `pii`,
`prompt-leak`, and `abuse`/`unsafe-content` where the ruleset has them). When one fires, the stream
ends with `event: error` whose data is a `draft-stopped` problem naming the rule and the position,
and no `result`: discard everything the stream showed.

A cache hit sends only the `result`, at once (`X-Cache: HIT`). Send `Cache-Control: no-cache` to
regenerate. If the LLM fails after the stream started and the offline fallback is disabled, the
stream ends with `event: error` whose data is problem details (`application/problem+json` fields,
e.g. `llm-unavailable`; see docs/errors.md) instead of a `result`. Closing the connection cancels
the LLM call. Comment lines (`: keepalive`) may appear while waiting.

Headers: `X-Cache` always. `Server-Timing` only on a cache hit: a drafted stream sends its headers
before the timings exist, so they are in the result's `timings_ms`.
"""


def stopped_problem(request: Request[Any, Any, Any], event: DraftStopped) -> dict[str, Any]:
    """The ``draft-stopped`` problem: which rule and where, never the text."""
    finding = event.finding
    where = f" at characters {finding.start}-{finding.end}" if finding.start is not None else ""
    return {
        "type": PROBLEM_BASE + "draft-stopped",
        "title": "The draft was stopped by the guardrails",
        "status": 422,
        "detail": f"A blocking {finding.rule} finding{where} of the streamed text stopped the draft. "
        "Discard everything this stream showed; draft again or write the reply yourself.",
        "instance": request.url.path,
        "rule": finding.rule,
    }


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
                if isinstance(event, DraftStopped):
                    runtime.metrics.stream_stops.labels(event.finding.rule).inc()
                    yield sse_event("error", stopped_problem(request, event))
                    return
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
