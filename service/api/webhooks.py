"""POST /v1/webhooks/{source}: verify, parse, de-duplicate, enqueue, answer 202 with the job id.

Authenticated by each helpdesk's signature on the raw body, not by API keys (helpdesks cannot send
ours). The order matters: nothing is parsed before the signature is checked; events that need no
draft answer 200 before anything is written; the idempotency key is claimed before the job is
enqueued and released again when enqueueing fails, so the helpdesk's retry is not lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Literal

import structlog
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from pydantic import BaseModel, Field
from redis.exceptions import RedisError

from service.api.drafts import enforce_limits
from service.api.errors import ProblemError
from service.api.problems import COMMON_PROBLEMS, _problem
from service.api.ratelimit import rate_limited
from service.feedback import webhook_tenant
from service.integrations import (
    INTEGRATIONS,
    SOURCES,
    AgentReply,
    Challenge,
    Ignored,
    PayloadError,
    SignatureError,
)
from service.jobs.queue import new_job_id
from service.server.runtime import Runtime

log = structlog.get_logger("tactful.webhooks")

RETRY_AFTER_S = "5"
# Bodies larger than this are parsed in a worker thread, so the event loop keeps answering.
OFFLOAD_BODY_BYTES = 65_536


class WebhookAccepted(BaseModel):
    job_id: str = Field(description="Read the job at GET /v1/jobs/{job_id}.")
    duplicate: bool = Field(False, description="True when this delivery was already accepted (same job).")


class WebhookIgnored(BaseModel):
    status: Literal["ignored"] = "ignored"
    reason: str = Field(description="Why no draft is made (e.g. an agent reply or a private note).")


WEBHOOK_RESPONSES: dict[int, ResponseSpec] = {
    202: ResponseSpec(
        data_container=WebhookAccepted,
        description="Accepted: a durable job drafts and delivers the reply (or the delivery was a "
        "duplicate of one already accepted, with that job's id).",
        generate_examples=False,
    ),
    200: ResponseSpec(
        data_container=WebhookIgnored,
        description="A genuine event that needs no draft, or Front's setup challenge echoed back.",
        generate_examples=False,
    ),
    400: COMMON_PROBLEMS[400],
    401: _problem("Missing, malformed, wrong or stale signature (or Freshdesk token)."),
    404: _problem("Unknown source, or no secret configured for it (TACTFUL_WEBHOOK_SECRET_<SOURCE>)."),
    413: COMMON_PROBLEMS[413],
    422: _problem("The payload does not have the helpdesk's documented shape, or exceeds a limit."),
    429: _problem("Rate limit of this source reached (TACTFUL_RATE_LIMIT_WEBHOOKS); see Retry-After."),
    503: _problem("The job could not be queued (Redis unavailable); retry after Retry-After."),
}


def _unavailable(detail: str) -> ProblemError:
    return ProblemError(
        503, "webhook-unavailable", "The delivery could not be queued", detail,
        headers={"Retry-After": RETRY_AFTER_S},
    )  # fmt: skip


@post(
    "/v1/webhooks/{source:str}",
    status_code=202,
    tags=["webhooks"],
    summary="Receive a helpdesk webhook delivery",
    description=(
        "Verifies the helpdesk's signature on the raw body, turns a new customer message into a "
        "durable job that drafts a reply and delivers it back into the helpdesk, and answers 202 "
        "with the job id. Other events answer 200 and do nothing. Sources: " + ", ".join(SOURCES) + "."
    ),
    responses=WEBHOOK_RESPONSES,
    security=[],
)
async def receive_webhook(
    source: FromPath[str], request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[Any]:
    # The request itself for the raw body: the signature is checked on the exact bytes received.
    source = source.lower()
    integration = INTEGRATIONS.get(source)
    secret = integration.secret(runtime.settings) if integration is not None else None
    if integration is None:
        # The path segment is not echoed: problem details never repeat what the client sent.
        raise ProblemError(
            404, "unknown-webhook-source", "Unknown webhook source",
            f"The sources are {', '.join(SOURCES)}, each enabled by its TACTFUL_WEBHOOK_SECRET_<SOURCE>.",
        )  # fmt: skip
    if secret is None:
        raise ProblemError(
            404, "unknown-webhook-source", "Webhook source not enabled",
            f"Set TACTFUL_WEBHOOK_SECRET_{source.upper()} to accept webhooks from {source}.",
        )  # fmt: skip
    body = await request.body()
    headers = request.headers
    try:
        integration.verify(headers, body, secret, window_s=runtime.settings.webhooks.replay_window_s)
    except SignatureError as exc:
        runtime.metrics.webhooks.labels(source, "unauthorized").inc()
        raise ProblemError(401, "invalid-signature", "The delivery is not authentic", exc.reason) from None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ProblemError(400, "bad-request", "Malformed request", "The body is not JSON.") from None
    try:
        if len(body) > OFFLOAD_BODY_BYTES:
            # Turning a large HTML body into text takes milliseconds of CPU per 100 KB: off the loop.
            parsed = await asyncio.to_thread(integration.parse, headers, payload)
        else:
            parsed = integration.parse(headers, payload)
    except PayloadError as exc:
        raise ProblemError(422, "invalid-payload", "The payload cannot be read", exc.detail) from None
    except Exception as exc:
        # A signed payload with values of a shape no parser expected (a list where a string goes,
        # an epoch out of range): a 422 like any unreadable payload, never a 500. Logged by type.
        log.warning("webhook.parse_failed", source=source, error=type(exc).__name__)
        raise ProblemError(
            422,
            "invalid-payload",
            "The payload cannot be read",
            "A field of the payload has a type or value this source does not send.",
        ) from None
    if isinstance(parsed, Challenge):
        return Response(parsed.response, status_code=200)
    if isinstance(parsed, Ignored):
        if parsed.reply is not None:
            await _capture(runtime, source, parsed.reply)
        runtime.metrics.webhooks.labels(source, "ignored").inc()
        return Response(WebhookIgnored(reason=parsed.reason), status_code=200)
    enforce_limits(parsed.thread, runtime)
    if runtime.queue is None or runtime.idempotency is None:
        raise _unavailable("Webhooks need Redis (TACTFUL_REDIS_URL) to queue jobs.")
    job_id = new_job_id()
    try:
        claim = await runtime.queue.claim_and_enqueue(
            runtime.settings,
            job_id=job_id,
            source=source,
            delivery_id=parsed.delivery_id,
            thread=parsed.thread.model_dump(mode="json", exclude_none=True),
            target=parsed.target,
        )
    except Exception as exc:
        # Redis scripts do not roll back: a claim taken before the enqueue failed is released, so
        # the helpdesk's retry is accepted. If Redis is down the release fails too; nothing is there.
        with contextlib.suppress(Exception):
            await runtime.idempotency.release(source, parsed.delivery_id, job_id)
        log.warning("webhook.enqueue_failed", source=source, error=type(exc).__name__)
        runtime.metrics.webhooks.labels(source, "unavailable").inc()
        raise _unavailable("The job could not be queued; the delivery was not accepted.") from None
    if claim.outcome == "limited":
        runtime.metrics.rate_limited.labels("webhook").inc()
        raise rate_limited(
            limit=runtime.settings.rate_limits.webhooks,
            window_s=runtime.settings.rate_limits.window_s,
            what="this webhook source",
            setting="TACTFUL_RATE_LIMIT_WEBHOOKS",
            retry_after_s=claim.retry_after_s,
        )
    if claim.outcome == "duplicate":
        runtime.metrics.webhooks.labels(source, "duplicate").inc()
        return Response(WebhookAccepted(job_id=claim.job_id or job_id, duplicate=True), status_code=202)
    runtime.metrics.webhooks.labels(source, "accepted").inc()
    log.info("webhook.accepted", source=source, job_id=job_id)
    return Response(WebhookAccepted(job_id=job_id), status_code=202)


async def _capture(runtime: Runtime, source: str, reply: AgentReply) -> None:
    """Record an agent's reply on a ticket we drafted for as feedback (sent or edited), before the
    delivery is answered 200 as before. Never fails the delivery: the helpdesk has nothing to retry."""
    if runtime.feedback is None:
        return
    try:
        tenant = webhook_tenant(source, keyed=bool(runtime.settings.auth.api_keys))
        outcome = await runtime.feedback.capture(tenant, reply.thread_id, reply.text, source=source)
    except (RedisError, OSError) as exc:
        log.warning("feedback.capture_failed", source=source, error=type(exc).__name__)
        return
    if outcome is not None:
        runtime.metrics.feedback_received.labels(outcome.value, source).inc()
