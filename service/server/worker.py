"""``tactful worker``: runs webhook jobs from Redis. Start any number, on any host, with the same
settings as ``tactful serve``; they share the queue and hand each other the jobs of a dead worker.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import structlog
from saq import Worker

from service.config import Settings
from service.infra.redis_conn import connect_redis
from service.jobs import logfilter
from service.jobs.ledger import DeliveryLedger
from service.jobs.queue import JOB_FUNCTION, WebhookQueue
from service.jobs.task import CONTEXT_KEY, WorkerState, deliver_webhook
from service.server.runtime import Runtime, build_runtime

log = structlog.get_logger("tactful.worker")


class WorkerConfigError(Exception):
    pass


def build_worker(
    settings: Settings, *, concurrency: int | None = None, shutdown_grace_s: float = 10.0
) -> Worker[Any]:
    if not settings.redis.url:
        raise WorkerConfigError(
            "tactful worker needs TACTFUL_REDIS_URL: the Redis that `tactful serve` enqueues webhook jobs in"
        )
    logfilter.install()
    # Its own client without socket timeouts: workers block on the queue (BLMOVE) between jobs.
    queue = WebhookQueue(connect_redis(settings.redis.url, socket_timeout=None))

    runtimes: list[Runtime] = []  # the one this process builds at start-up, closed at shutdown

    async def startup(ctx: dict[str, Any]) -> None:
        runtime = build_runtime(settings)
        assert runtime.redis is not None
        runtimes.append(runtime)
        await runtime.start()
        runtime.guardrails.warm_up()  # the first job does not compile the phrase tries
        ctx[CONTEXT_KEY] = WorkerState(
            settings=settings,
            pipeline=runtime.pipeline,
            feedback=runtime.feedback,
            http=httpx.AsyncClient(timeout=settings.delivery.timeout_s, follow_redirects=False),
            ledger=DeliveryLedger(
                runtime.redis,
                receipt_ttl_s=max(settings.jobs.result_ttl_s, settings.webhooks.idempotency_ttl_s),
                lock_ttl_s=settings.delivery.timeout_s * 2 + 5,
            ),
        )
        log.info("worker.ready", concurrency=worker.concurrency, queue=queue.name)

    async def shutdown(ctx: dict[str, Any]) -> None:
        state: WorkerState | None = ctx.get(CONTEXT_KEY)
        if state is not None:
            await state.http.aclose()
        for runtime in runtimes:
            await runtime.close()
        runtimes.clear()
        log.info("worker.stopped")

    worker: Worker[Any] = Worker(
        queue,
        functions=[(JOB_FUNCTION, deliver_webhook)],
        concurrency=concurrency or settings.worker.concurrency,
        startup=startup,
        shutdown=shutdown,
        timers={"schedule": 1, "worker_info": 10, "sweep": settings.worker.sweep_s, "abort": 1},
        # Idle slots wake up this often, so a stopping worker is not held by a blocked dequeue.
        dequeue_timeout=1.0,
        # On SIGTERM, running jobs get this long to finish; the rest are retried by another worker.
        shutdown_grace_period_s=shutdown_grace_s,  # type: ignore[arg-type]
    )
    return worker


async def run_worker(worker: Worker[Any]) -> None:
    await worker.queue.connect()
    try:
        await worker.start()
    finally:
        await worker.queue.disconnect()


def main(settings: Settings, *, concurrency: int | None = None) -> None:
    asyncio.run(run_worker(build_worker(settings, concurrency=concurrency)))
