"""POST /v1/drafts: a thread in, a guarded DraftResult out."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from litestar import Controller, Request, Response, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody
from redis.exceptions import RedisError

from service.api.errors import ProblemError
from service.api.problems import DRAFT_PROBLEMS
from service.drafting.cache import CacheOutcome
from service.infra.limits import LimitExceeded, check_thread_limits
from service.models import DraftResult, Thread
from service.server.runtime import Runtime

log = structlog.get_logger("tactful.drafts")


def server_timing(timings: dict[str, float]) -> str:
    return ", ".join(f"{name};dur={value:.2f}" for name, value in timings.items())


def wants_fresh(cache_control: str | None) -> bool:
    directives = {part.strip().lower() for part in (cache_control or "").split(",")}
    return "no-cache" in directives or "no-store" in directives


async def remember_draft(
    runtime: Runtime, result: DraftResult, thread: Thread, tenant: str, cache: CacheOutcome
) -> None:
    """Keep the draft's feedback record (draft ids outlive the cache; see docs/feedback.md).

    Only for a draft made now: a cached one was recorded when it was made, within the cache TTL.
    Fails open: a draft is never refused because its feedback record could not be written, and when
    the cache just found Redis unusable (``bypass``) no write is tried, so a hanging Redis costs a
    draft no more than the cache's own timeouts."""
    if runtime.feedback is None or result.cached:
        return
    if cache is CacheOutcome.bypass and runtime.pipeline.cache.enabled:
        return  # the cache is on but just found Redis unusable (with the cache off, bypass is normal)
    try:
        await runtime.feedback.remember(result, thread, tenant=tenant)
    except (RedisError, OSError) as exc:
        log.warning("feedback.remember_failed", error=type(exc).__name__)


def enforce_limits(thread: Thread, runtime: Runtime) -> None:
    try:
        check_thread_limits(thread, runtime.limits)
    except LimitExceeded as exc:
        raise limit_problem(exc, "The thread exceeds a configured limit") from None


def limit_problem(exc: LimitExceeded, title: str) -> ProblemError:
    return ProblemError(
        422,
        "limit-exceeded",
        title,
        exc.detail,
        extra={"errors": [{"field": exc.field, "message": exc.detail, "in": "body"}]},
    )


class DraftsController(Controller):
    path = "/v1/drafts"

    @post(
        "/",
        status_code=200,
        tags=["drafts"],
        summary="Draft a reply to a ticket thread",
        description=(
            "Builds a prompt from the empathy guidelines, asks the configured LLM (or the offline "
            "composer), checks the draft with the guardrails and caches the result. `reply` is null "
            "unless the acknowledgement rule passed on exactly that text. Send `Cache-Control: no-cache` "
            "to regenerate."
        ),
        response_headers=[
            ResponseHeader(name="X-Cache", description="HIT or MISS", documentation_only=True),
            ResponseHeader(
                name="Server-Timing", description="cache, llm, guard, total in ms", documentation_only=True
            ),
        ],
        responses=DRAFT_PROBLEMS,
    )
    async def create_draft(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[Thread],
        runtime: NamedDependency[Runtime],
        cache_control: Annotated[str | None, HeaderParameter(name="cache-control", required=False)] = None,
    ) -> Response[DraftResult]:
        enforce_limits(data, runtime)
        outcome = await runtime.pipeline.draft(
            data, tenant=request.state.tenant, refresh=wants_fresh(cache_control)
        )
        result = outcome.result
        await remember_draft(runtime, result, data, request.state.tenant, outcome.cache)
        hit = outcome.cache in (CacheOutcome.hit, CacheOutcome.coalesced)
        runtime.metrics.record_draft(result, cache="HIT" if hit else "MISS")
        return Response(
            result,
            headers={"X-Cache": "HIT" if hit else "MISS", "Server-Timing": server_timing(result.timings_ms)},
        )
