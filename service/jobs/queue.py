"""The SAQ queue of webhook jobs, with a dead-letter record for every job that ends unsuccessfully.

SAQ marks a job ``failed`` after its last attempt (or ``aborted`` when its worker died on the last
attempt and the sweep gave up on it); both pass through :meth:`WebhookQueue.finish`, which is where
the dead letter is written, so no path can skip it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

import redis.asyncio as aioredis
from saq.job import Job, Status
from saq.queue.redis import RedisQueue

from service.config import Settings
from service.infra.ratelimit import SLIDING_WINDOW_LUA, bucket_key, window_ms
from service.jobs import keys
from service.jobs.idempotency import WEBHOOK_BUCKET
from service.jobs.replication import ReplicaAck

logger = logging.getLogger("tactful.jobs")

JOB_FUNCTION = "deliver_webhook"
UNSUCCESSFUL = frozenset({Status.FAILED, Status.ABORTED})
# How long a sweep waits for a stuck job's worker to confirm the abort before retrying the job
# elsewhere. SAQ's 5 s default is spent in full whenever the worker is dead, which is exactly the
# case the sweep exists for.
SWEEP_ABORT_WAIT_S = 2.0
# A job taken from the queue is marked active within milliseconds; one still unmarked after this
# long belongs to a worker that died between the two steps.
UNMARKED_GRACE_S = 2.0
# KEYS: rate-limit bucket, idempotency key. ARGV: job id, claim TTL, window ms, limit (0: no limit).
# The source's budget first (a refused delivery claims nothing and spends nothing), then the claim.
# Duplicates count against the budget like any delivery. The job itself is enqueued afterwards by
# SAQ's own Queue.enqueue; when that fails the caller releases the claim and the admission
# (Idempotency.release), so a delivery that got a 503 spends no budget.
#
# A claim that already holds our own job id means redis-py re-sent this call after a lost
# connection and the first run went through: it is ours, not a duplicate of itself (and its
# admission, keyed by the job id, is not counted twice).
_CLAIM = (
    SLIDING_WINDOW_LUA
    + """
local holder = redis.call('GET', KEYS[2])
if holder == ARGV[1] then return {1} end
local window = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
if limit > 0 then
    local now, used, wait = window_check(KEYS[1], window, limit)
    if wait > 0 then return {3, wait} end
    window_admit(KEYS[1], window, now, ARGV[1])
end
if holder then return {0, holder} end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
return {1}
"""
)
_DUPLICATE, _CLAIMED, _LIMITED = 0, 1, 3


@dataclass(frozen=True)
class Claim:
    """What claim_and_enqueue did with one delivery."""

    outcome: Literal["enqueued", "duplicate", "limited"]
    job_id: str | None  # the new job, or the one holding the claim; None when limited
    retry_after_s: float = 0.0  # when limited: until the source's window has a free slot


def new_job_id() -> str:
    # 32 random hex digits, as uuid4().hex gave, without building a UUID object.
    return "job_" + secrets.token_hex(16)


def error_summary(error: str | None) -> str | None:
    """The last line of a stored traceback, reduced to what is safe to show.

    The job function raises only :class:`JobFailure`, whose reason is ours; any other exception
    (a timeout, a cancellation) is reported by its type alone, since library messages can quote
    the data they choked on.
    """
    if not error:
        return None
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    kind, separator, reason = (lines[-1] if lines else error).partition(": ")
    kind = kind.rsplit(".", 1)[-1]
    return f"{kind}: {reason}" if separator and kind == "JobFailure" else kind


class JobFailure(Exception):
    """An attempt failed for a reason we can show (never ticket text); SAQ retries, then dead-letters."""


class WebhookQueue(RedisQueue):
    """SAQ's Redis queue, through its public API only, plus what SAQ does not do for us: the claim of
    a delivery id, the replicas' acknowledgement, a sweep without a race, and dead letters."""

    def __init__(
        self, redis: aioredis.Redis, *, replicas_ack: int = 0, replica_wait_ms: int = 200, **kwargs: Any
    ) -> None:
        super().__init__(redis, name=keys.QUEUE_NAME, **kwargs)
        # The API gives a PipeliningRedis (service/infra/autopipeline.py): concurrent deliveries'
        # claims, and SAQ's enqueues after them, then share pipelines.
        self._claim_script = redis.register_script(_CLAIM)
        self._replica_ack = ReplicaAck(redis, replicas=replicas_ack, wait_ms=replica_wait_ms)

    async def sweep(self, lock: int = 60, abort: float = SWEEP_ABORT_WAIT_S) -> list[str]:
        """SAQ's sweep, minus a race: a job a worker has just taken (moved to the active list) but
        not yet marked active looks abandoned to SAQ's sweep, which then aborts and re-runs a job
        that is fine. Here such a job is only swept when it is still unmarked a moment later.

        Written on the public surface (the queue's ``namespace`` keys, ``job``, ``abort``,
        ``retry``, ``finish``): one sweeper at a time per ``lock`` seconds, as SAQ's does."""
        active = self.namespace("active")
        if not await self.redis.set(self.namespace("sweep"), 1, nx=True, ex=lock):
            return []  # another process swept within the lock period
        job_ids: list[bytes] = await self.redis.lrange(active, 0, -1)  # type: ignore[misc]
        stored = await self.redis.mget(job_ids) if job_ids else []
        swept: list[str] = []
        unmarked: list[bytes] = []
        for job_id, job_bytes in zip(job_ids, stored, strict=True):
            job = self.deserialize(job_bytes)
            if job is None:
                await self._forget_missing(job_id)
                swept.append(job_id.decode())
            elif job.status not in (Status.ACTIVE, Status.ABORTING):
                unmarked.append(job_id)
            elif job.stuck:
                await self._abort_and_retry(job, min(abort, SWEEP_ABORT_WAIT_S))
                swept.append(job_id.decode())
        if unmarked:
            await asyncio.sleep(UNMARKED_GRACE_S)
            still_active = set(await self.redis.lrange(active, 0, -1))  # type: ignore[misc]
            for job_id in unmarked:
                job = await self.job(self.job_key_from_id(job_id.decode()))
                if (
                    job_id in still_active
                    and job is not None
                    and job.status not in (Status.ACTIVE, Status.ABORTING)
                ):
                    await self._abort_and_retry(job, min(abort, SWEEP_ABORT_WAIT_S))
                    swept.append(job_id.decode())
        return swept

    async def _abort_and_retry(self, job: Job, abort: float) -> None:
        # What SAQ's sweep does with a stuck job: abort it (its worker, if alive, cancels the task),
        # wait briefly for that, then retry it elsewhere or finish it as aborted (dead letter).
        logger.info("job.swept", extra={"job_id": job.key})
        await self.abort(job, error=self.swept_error_message)
        with contextlib.suppress(asyncio.TimeoutError):
            await job.refresh(abort)
        if job.retryable:
            await self.retry(job, error=self.swept_error_message)
        else:
            await self.finish(job, Status.ABORTED, error=self.swept_error_message)

    async def _forget_missing(self, job_id: bytes) -> None:
        # A job id in the active list whose record is gone (expired): drop it, as SAQ's sweep does.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrem(self.namespace("active"), 0, job_id.decode())
            pipe.zrem(self.namespace("incomplete"), job_id)
            await pipe.execute()

    async def retry(self, job: Job, error: str | None) -> None:
        await super().retry(job, error)
        await self.redis.incr(keys.FAILED_ATTEMPTS)

    async def finish(
        self,
        job: Job,
        status: Status,
        *,
        result: Any = None,
        error: str | None = None,
        **kwargs: Any,
    ) -> None:
        # A finished job no longer needs the thread it drafted for (messages, private notes): its
        # record keeps the thread's id and a digest, for as long as the job stays readable.
        if job.kwargs and isinstance(job.kwargs.get("thread"), dict):
            job.kwargs = {**job.kwargs, "thread": thread_summary(job.kwargs["thread"])}
        if status in UNSUCCESSFUL:
            # Written first, so that whoever sees the job failed also finds its dead letter.
            record = dead_letter(job, status=status, error=error)
            # redis-py types hash commands as sync-or-async; on the asyncio client they are awaitable.
            await self.redis.hset(keys.DEAD_LETTERS, job.key, json.dumps(record))  # type: ignore[misc]
        await super().finish(job, status, result=result, error=error, **kwargs)

    async def claim_and_enqueue(
        self,
        settings: Settings,
        *,
        job_id: str,
        source: str,
        delivery_id: str,
        thread: dict[str, Any],
        target: dict[str, str],
    ) -> Claim:
        """Check the source's rate limit and claim the delivery id (one script), then enqueue its job
        with SAQ's ``Queue.enqueue``.

        A duplicate gets the job id that already holds the claim (nothing is enqueued); a delivery
        past the source's budget claims and enqueues nothing. If the enqueue fails the claim stays,
        so the caller releases it (Idempotency.release). With replicas to wait for, it returns once
        they hold the job (service/jobs/replication.py).
        """
        reply = await self._claim_script(
            keys=[bucket_key(WEBHOOK_BUCKET + source), keys.seen(source, delivery_id)],
            args=[
                job_id,
                settings.webhooks.idempotency_ttl_s,
                window_ms(settings.rate_limits.window_s),
                max(0, settings.rate_limits.webhooks),
            ],
        )
        outcome = int(reply[0])
        if outcome == _LIMITED:
            return Claim("limited", None, retry_after_s=int(reply[1]) / 1000)
        if outcome == _DUPLICATE:
            holder = reply[1]
            # The first delivery's own answer waited for its job; this one waits for the claim, so
            # a helpdesk retry after a failover is still known as a duplicate.
            await self._replica_ack.confirm(keys.seen(source, delivery_id))
            return Claim("duplicate", holder.decode() if isinstance(holder, bytes) else str(holder))
        job = Job(
            function=JOB_FUNCTION,
            key=job_id,
            kwargs={"source": source, "delivery_id": delivery_id, "thread": thread, "target": target},
            timeout=settings.jobs.timeout_s,
            heartbeat=settings.jobs.heartbeat_s,
            retries=settings.jobs.max_attempts,
            retry_delay=settings.jobs.retry_delay_s,
            retry_backoff=settings.jobs.retry_max_delay_s or True,
            ttl=settings.jobs.result_ttl_s,
        )
        # None means a job with this id is already stored: 128 random bits make that our own job,
        # enqueued by a first run of this call that redis-py re-sent after a lost connection.
        await self.enqueue(job)
        await self._replica_ack.confirm(job.id)
        return Claim("enqueued", job_id)


def thread_summary(thread: dict[str, Any]) -> dict[str, Any]:
    """What a finished job keeps of its thread: the id, the message count and a sha256 of the JSON."""
    if "sha256" in thread:
        return thread  # already summarised (a job finished twice: SAQ's sweep after a worker's finish)
    canonical = json.dumps(thread, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {
        "id": thread.get("id"),
        "messages": len(thread.get("messages") or []),
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }


def dead_letter(job: Job, *, status: Status, error: str | None) -> dict[str, Any]:
    kwargs = job.kwargs or {}
    return {
        "job_id": job.key,
        "source": kwargs.get("source"),
        "delivery_id": kwargs.get("delivery_id"),
        "status": status.value,
        "attempts": job.attempts,
        "error": error_summary(error),
        "dead_lettered_at": time.time(),
    }
