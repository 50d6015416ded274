"""The job a webhook becomes: draft through the one pipeline, then deliver back, each at most once.

Every attempt drafts through :class:`DraftPipeline` with a tenant per source, so a retried job
finds its draft in the cache instead of asking the LLM again. A blocked draft is delivered as a
note that says why (see :mod:`service.integrations.notes`), never as a reply. Where a helpdesk's
API is not configured, the job still completes and keeps its DraftResult, marked not delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from saq.job import Job

from service.config import Settings
from service.drafting.pipeline import DraftPipeline
from service.feedback import FeedbackStore, webhook_tenant
from service.integrations import DRAFT_CAPABLE, INTEGRATIONS, DeliveryError, Outbound, Receipt
from service.integrations.callback import callback_missing, send_callback
from service.integrations.notes import outbound_for
from service.jobs.ledger import DeliveryBusy, DeliveryLedger
from service.jobs.queue import JobFailure
from service.llm.base import LLMError
from service.models import DraftResult, Thread

log = structlog.get_logger("tactful.jobs")

CONTEXT_KEY = "tactful"
# Delivery errors after which the helpdesk cannot hold the note: it answered with an error status,
# or the connection never opened. After a timeout or a dropped answer it may, so a retry looks first.
NOT_SENT: tuple[type[BaseException], ...] = (DeliveryError, httpx.ConnectError, httpx.ConnectTimeout)


@dataclass
class WorkerState:
    """What every job of one worker process shares, built at worker start-up."""

    settings: Settings
    pipeline: DraftPipeline
    http: httpx.AsyncClient
    ledger: DeliveryLedger
    feedback: FeedbackStore | None = None


@contextlib.asynccontextmanager
async def heartbeat(job: Job, every_s: float) -> AsyncIterator[None]:
    """Touch the job while it runs, so a sweep hands it to another worker only when this one is gone."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every_s)
            with contextlib.suppress(Exception):  # a missed beat is retried; the job goes on
                await job.update()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def deliver_webhook(
    ctx: dict[str, Any], *, source: str, delivery_id: str, thread: dict[str, Any], target: dict[str, str]
) -> dict[str, Any]:
    job: Job = ctx["job"]
    # Every line the job logs, the pipeline's and the delivery's included, carries the job id.
    with structlog.contextvars.bound_contextvars(job_id=job.key):
        return await _run_job(ctx, job, source=source, delivery_id=delivery_id, thread=thread, target=target)


async def _run_job(
    ctx: dict[str, Any],
    job: Job,
    *,
    source: str,
    delivery_id: str,
    thread: dict[str, Any],
    target: dict[str, str],
) -> dict[str, Any]:
    state: WorkerState = ctx[CONTEXT_KEY]
    started = time.perf_counter()
    log.info("job.started", job_id=job.key, source=source, attempt=job.attempts)
    async with heartbeat(job, max(1.0, state.settings.jobs.heartbeat_s / 3)):
        try:
            result = await _draft(state, source, thread, retried=job.attempts > 1)
            await _remember(state, source, thread, result)
            receipts = await _deliver(state, job, source, delivery_id, target, result, thread.get("id"))
        except JobFailure as exc:
            log.warning(
                "job.attempt_failed", job_id=job.key, source=source, attempt=job.attempts, reason=str(exc)
            )
            raise
    log.info(
        "job.done",
        job_id=job.key,
        source=source,
        status=result.status.value,
        delivered=[r.channel for r in receipts if r.delivered],
        not_delivered=[r.channel for r in receipts if not r.delivered],
        attempt=job.attempts,
        total_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    return {"draft": result.model_dump(mode="json"), "deliveries": [r.as_dict() for r in receipts]}


async def _draft(state: WorkerState, source: str, thread: dict[str, Any], *, retried: bool) -> DraftResult:
    parsed, tenant = Thread.model_validate(thread), f"webhook:{source}"
    try:
        if retried:
            # The previous attempt may have died mid-draft holding the draft's single-flight lock;
            # a finished draft is still found in the cache, so only the dead lock is dropped.
            await state.pipeline.forget_in_flight(parsed, tenant=tenant)
        outcome = await state.pipeline.draft(parsed, tenant=tenant)
    except LLMError as exc:
        raise JobFailure(f"llm: {getattr(exc, 'reason', type(exc).__name__)}") from exc
    return outcome.result


async def _remember(state: WorkerState, source: str, thread: dict[str, Any], result: DraftResult) -> None:
    """Keep the draft's record and point its ticket at it, so the agent's reply can be compared
    with it when the helpdesk reports it (service/api/webhooks.py). Feedback is never worth failing
    a job: a Redis error here is counted in the log and the job goes on."""
    if state.feedback is None:
        return
    try:
        parsed = Thread.model_validate(thread)
        tenant = webhook_tenant(source, keyed=bool(state.settings.auth.api_keys))
        await state.feedback.remember(result, parsed, tenant=tenant, ticket=parsed.id)
    except Exception as exc:
        log.warning("feedback.remember_failed", source=source, error=type(exc).__name__)


async def _deliver(
    state: WorkerState,
    job: Job,
    source: str,
    delivery_id: str,
    target: dict[str, str],
    result: DraftResult,
    thread_id: str | None,
) -> list[Receipt]:
    settings = state.settings
    integration = INTEGRATIONS[source]
    outbound = outbound_for(result, drafts_supported=source in DRAFT_CAPABLE)
    receipts: list[Receipt] = []
    if source != "generic":
        missing = integration.delivery_missing(settings)
        if missing is not None:
            receipts.append(Receipt(source, False, reason=missing))
        else:
            receipts.append(
                await _once(
                    state,
                    source,
                    delivery_id,
                    source,
                    lambda: integration.deliver(state.http, settings, target, outbound),
                    find=(
                        (lambda: integration.find_delivered(state.http, settings, target, outbound))
                        if integration.can_find
                        else None
                    ),
                )
            )
    if source == "generic" or settings.callback.all_sources:
        receipts.append(await _callback(state, job, source, delivery_id, target, result, outbound, thread_id))
    return receipts


async def _callback(
    state: WorkerState,
    job: Job,
    source: str,
    delivery_id: str,
    target: dict[str, str],
    result: DraftResult,
    outbound: Outbound,
    thread_id: str | None,
) -> Receipt:
    missing = callback_missing(state.settings)
    if missing is not None:
        return Receipt("callback", False, reason=missing)
    reference = json.loads(target["reference"]) if "reference" in target else None
    return await _once(
        state,
        source,
        delivery_id,
        "callback",
        lambda: send_callback(
            state.http,
            state.settings,
            source=source,
            delivery_id=delivery_id,
            job_id=job.key,
            thread_id=thread_id,
            reference=reference,
            result=result,
            outbound=outbound,
        ),
    )


async def _once(
    state: WorkerState, source: str, delivery_id: str, channel: str, send: Any, find: Any = None
) -> Receipt:
    try:
        return await state.ledger.deliver_once(source, delivery_id, channel, send, find, NOT_SENT)
    except DeliveryError as exc:
        raise JobFailure(f"delivery: {exc.reason}") from exc
    except DeliveryBusy as exc:
        raise JobFailure(str(exc)) from exc
    except httpx.HTTPError as exc:
        raise JobFailure(f"delivery: {channel}: {type(exc).__name__}") from exc
