"""What ``GET /v1/jobs/{id}`` shows: state, attempts, the draft and where it was delivered.

A finished job stays readable for ``TACTFUL_JOB_RESULT_TTL_S``; a dead-lettered one for as long
as its dead-letter record is kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from saq.job import Job, Status

from service.jobs import keys
from service.jobs.queue import UNSUCCESSFUL, WebhookQueue, error_summary

STATES = {
    Status.NEW: "queued",
    Status.QUEUED: "queued",
    Status.ACTIVE: "running",
    Status.ABORTING: "running",
    Status.COMPLETE: "complete",
    Status.FAILED: "failed",
    Status.ABORTED: "failed",
}


def _iso_ms(value: int) -> str | None:
    return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat() if value else None


def view_of(job: Job, *, dead_lettered: bool) -> dict[str, Any]:
    kwargs = job.kwargs or {}
    result = job.result if isinstance(job.result, dict) else None
    state = STATES[job.status]
    if state == "queued" and job.attempts:
        state = "retrying"
    return {
        "job_id": job.key,
        "source": kwargs.get("source"),
        "delivery_id": kwargs.get("delivery_id"),
        "state": state,
        "attempts": job.attempts,
        "max_attempts": job.retries,
        "dead_lettered": dead_lettered,
        "queued_at": _iso_ms(job.queued),
        "started_at": _iso_ms(job.started),
        "completed_at": _iso_ms(job.completed),
        "error": error_summary(job.error),
        "draft": result.get("draft") if result else None,
        "deliveries": result.get("deliveries", []) if result else [],
    }


async def job_view(queue: WebhookQueue, redis: aioredis.Redis, job_id: str) -> dict[str, Any] | None:
    job = await queue.job(job_id)
    dead = await redis.hget(keys.DEAD_LETTERS, job_id)  # type: ignore[misc]
    if job is not None:
        # A failed job is dead-lettered by definition (WebhookQueue.finish writes the record first).
        return view_of(job, dead_lettered=dead is not None or job.status in UNSUCCESSFUL)
    if dead is None:
        return None
    record = json.loads(dead)
    return {
        "job_id": job_id,
        "source": record.get("source"),
        "delivery_id": record.get("delivery_id"),
        "state": "failed",
        "attempts": record.get("attempts", 0),
        "max_attempts": None,
        "dead_lettered": True,
        "queued_at": None,
        "started_at": None,
        "completed_at": datetime.fromtimestamp(record["dead_lettered_at"], tz=UTC).isoformat(),
        "error": record.get("error"),
        "draft": None,
        "deliveries": [],
    }
