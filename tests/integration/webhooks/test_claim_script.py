"""The claim script, SAQ's enqueue after it, the pipelines both are gathered into and the replicas'
acknowledgement, against the real Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from saq.job import Job, Status
from saq.utils import now

from service.infra.autopipeline import PipeliningRedis
from service.jobs import JOB_FUNCTION, Idempotency, WebhookQueue, keys
from service.jobs import queue as queue_module
from service.jobs.replication import ReplicationLag
from service.server.embedded_redis import EmbeddedRedis, free_port
from tests.integration.webhooks.conftest import hook_settings

ECHO = """
if ARGV[1] == 'bad' then return redis.error_reply('refused by the test') end
return ARGV[1]
"""
THREAD: dict[str, Any] = {"channel": "email", "messages": [{"role": "customer", "body": "My order is late."}]}


class CountingRedis(PipeliningRedis):
    """Counts the pipelines sent and their sizes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sizes: list[int] = []

    async def _pipeline(self, batch: Any) -> list[Any]:
        self.sizes.append(len(batch))
        return await super()._pipeline(batch)


async def test_concurrent_script_calls_share_pipelines_and_each_gets_its_own_reply(
    redis_client: aioredis.Redis,
) -> None:
    client = CountingRedis(connection_pool=redis_client.connection_pool, max_batch=32)
    script = client.register_script(ECHO)
    await script([], ["warm"])  # loads the script (the first call meets NOSCRIPT)
    client.sizes.clear()
    replies = await asyncio.gather(*(script([], [f"call-{i}"]) for i in range(50)))
    assert replies == [f"call-{i}".encode() for i in range(50)]
    assert client.sizes == [32, 18]
    # A lone call does not wait for company, and other commands go straight through.
    assert await asyncio.wait_for(script([], ["alone"]), timeout=1) == b"alone"
    assert await client.set("plain", "1") is True
    assert client.sizes == [32, 18, 1]


async def test_a_script_error_fails_only_its_own_caller(redis_client: aioredis.Redis) -> None:
    script = PipeliningRedis.sharing(redis_client).register_script(ECHO)
    results = await asyncio.gather(
        script([], ["one"]), script([], ["bad"]), script([], ["three"]), return_exceptions=True
    )
    assert results[0] == b"one"
    assert results[2] == b"three"
    assert isinstance(results[1], ResponseError)


async def test_a_flushed_script_cache_is_reloaded(redis_client: aioredis.Redis) -> None:
    script = PipeliningRedis.sharing(redis_client).register_script(ECHO)
    assert await script([], ["before"]) == b"before"
    await redis_client.script_flush()  # what a restarted Redis looks like to a running process
    assert list(await asyncio.gather(script([], ["a"]), script([], ["b"]))) == [b"a", b"b"]


async def test_a_dead_redis_fails_every_caller_of_the_pipeline() -> None:
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    script = PipeliningRedis.sharing(client).register_script(ECHO)
    try:
        results = await asyncio.gather(*(script([], [str(i)]) for i in range(5)), return_exceptions=True)
    finally:
        await client.aclose()
    assert all(isinstance(result, RedisConnectionError) for result in results)


async def test_a_burst_of_deliveries_claims_and_enqueues_in_shared_pipelines(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # Both script calls of a delivery, our claim and SAQ's own enqueue, go through the pipelines:
    # 40 deliveries make far fewer than their 80 round trips, and every job is stored once.
    client = CountingRedis(connection_pool=redis_client.connection_pool)
    queue = WebhookQueue(client)
    await claim(queue, redis_server, "job_" + "0" * 32, "9:0")  # loads both scripts
    client.sizes.clear()
    claims = await asyncio.gather(
        *(claim(queue, redis_server, f"job_{i:032x}", f"9:{i}") for i in range(1, 41))
    )
    assert [c.outcome for c in claims] == ["enqueued"] * 40
    assert sum(client.sizes) == 80
    assert len(client.sizes) <= 8
    assert await redis_client.zcard(keys.saq("incomplete")) == 41


async def claim(
    queue: WebhookQueue, redis_server: EmbeddedRedis, job_id: str, delivery: str, **settings: Any
) -> Any:
    return await queue.claim_and_enqueue(
        hook_settings(redis_server.url, **settings),
        job_id=job_id,
        source="chatwoot",
        delivery_id=delivery,
        thread=THREAD,
        target={"account_id": "1", "conversation_id": "2"},
    )


async def test_a_resent_claim_is_its_own_job_not_a_duplicate(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # redis-py re-sends a command once after a lost connection; when the first run went through,
    # the second finds the claim holding its own job id and its job stored.
    queue = WebhookQueue(redis_client)
    first = await claim(queue, redis_server, "job_" + "a" * 32, "1:100", rate_limit_webhooks=5)
    again = await claim(queue, redis_server, "job_" + "a" * 32, "1:100", rate_limit_webhooks=5)
    assert (first.outcome, first.job_id) == (again.outcome, again.job_id) == ("enqueued", "job_" + "a" * 32)
    assert await redis_client.zcard(keys.saq("incomplete")) == 1
    # ... and its admission was counted once.
    assert await redis_client.zcard("tactful:ratelimit:webhook:chatwoot") == 1
    other = await claim(queue, redis_server, "job_" + "b" * 32, "1:100", rate_limit_webhooks=5)
    assert (other.outcome, other.job_id) == ("duplicate", "job_" + "a" * 32)


@pytest.mark.parametrize("limit", [0, 2])
async def test_the_budget_counts_deliveries_that_reach_the_queue(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis, limit: int
) -> None:
    queue = WebhookQueue(redis_client)
    outcomes = [
        (await claim(queue, redis_server, f"job_{i:032x}", delivery, rate_limit_webhooks=limit)).outcome
        for i, delivery in enumerate(["1:1", "1:1", "1:2", "1:3"])
    ]
    if limit == 0:  # no limit: nothing is counted either
        assert outcomes == ["enqueued", "duplicate", "enqueued", "enqueued"]
        assert await redis_client.exists("tactful:ratelimit:webhook:chatwoot") == 0
    else:  # the duplicate spent the second slot
        assert outcomes == ["enqueued", "duplicate", "limited", "limited"]
        assert await redis_client.zcard(keys.saq("incomplete")) == 1


async def test_without_the_replicas_it_needs_the_enqueue_fails(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # The session's Redis has no replica: WAIT 1 times out with 0 acknowledgements, and the door
    # (which releases the claim) answers 503 rather than a 202 that a failover could lose.
    queue = WebhookQueue(redis_client, replicas_ack=1, replica_wait_ms=20)
    with pytest.raises(ReplicationLag):
        await claim(queue, redis_server, "job_" + "c" * 32, "1:300")


async def test_a_failed_enqueue_released_spends_no_budget(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # The claim is taken, SAQ's enqueue fails (its sorted set is taken by a string), and the door
    # releases: the claim and the delivery's admission are both gone.
    queue = WebhookQueue(redis_client)
    await redis_client.set(keys.saq("incomplete"), "not a sorted set")
    try:
        with pytest.raises(ResponseError):
            await claim(queue, redis_server, "job_" + "d" * 32, "1:400", rate_limit_webhooks=5)
        await Idempotency(redis_client).release("chatwoot", "1:400", "job_" + "d" * 32)
    finally:
        await redis_client.delete(keys.saq("incomplete"))
    assert await redis_client.exists(keys.seen("chatwoot", "1:400")) == 0
    assert await redis_client.zcard("tactful:ratelimit:webhook:chatwoot") == 0


@pytest.mark.parametrize("marked_in_time", [True, False])
async def test_the_sweep_waits_before_taking_a_job_that_is_not_marked_active_yet(
    redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch, marked_in_time: bool
) -> None:
    # A worker moves a job to the active list, then marks it active: SAQ's own sweep would abort
    # a job caught between the two. Ours sweeps it only when it is still unmarked after the grace.
    monkeypatch.setattr(queue_module, "UNMARKED_GRACE_S", 0.3)
    queue = WebhookQueue(redis_client)
    await queue.enqueue(Job(function=JOB_FUNCTION, key="job_" + "e" * 32, retries=3))
    taken = await queue.dequeue(timeout=1)
    assert taken is not None
    assert taken.status == Status.QUEUED

    async def worker_marks_it() -> None:
        await asyncio.sleep(0.1)
        taken.started = now()
        taken.attempts += 1
        await taken.update(status=Status.ACTIVE)

    marking = [worker_marks_it()] if marked_in_time else []
    swept, *_ = await asyncio.gather(queue.sweep(lock=5), *marking)
    if marked_in_time:
        assert swept == []
        assert (await queue.job(taken.key)).status == Status.ACTIVE  # type: ignore[union-attr]
    else:
        assert swept == [taken.id]
        assert (await queue.job(taken.key)).status == Status.QUEUED  # type: ignore[union-attr]
        assert await redis_client.lrange(keys.saq("queued"), 0, -1) == [taken.id.encode()]  # type: ignore[misc]
    # One sweeper per lock period, as SAQ's.
    assert await queue.sweep(lock=5) == []


async def test_the_sweep_drops_an_active_id_whose_job_is_gone(redis_client: aioredis.Redis) -> None:
    queue = WebhookQueue(redis_client)
    ghost = queue.job_id("job_" + "f" * 32)
    await redis_client.rpush(keys.saq("active"), ghost)  # type: ignore[misc]
    await redis_client.zadd(keys.saq("incomplete"), {ghost: 0})
    assert await queue.sweep(lock=5) == [ghost]
    assert await redis_client.llen(keys.saq("active")) == 0  # type: ignore[misc]
    assert await redis_client.zcard(keys.saq("incomplete")) == 0
