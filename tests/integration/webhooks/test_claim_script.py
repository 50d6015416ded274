"""The claim-and-enqueue script and the pipelines it is batched into, against the real Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from service.jobs import WebhookQueue, keys
from service.jobs.batching import BatchedScript
from service.server.embedded_redis import EmbeddedRedis, free_port
from tests.integration.webhooks.conftest import hook_settings

ECHO = """
if ARGV[1] == 'bad' then return redis.error_reply('refused by the test') end
return ARGV[1]
"""
THREAD: dict[str, Any] = {"channel": "email", "messages": [{"role": "customer", "body": "My order is late."}]}


class CountingScript(BatchedScript):
    """Counts the pipelines sent and their sizes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sizes: list[int] = []

    async def _pipeline(self, batch: Any) -> list[Any]:
        self.sizes.append(len(batch))
        return await super()._pipeline(batch)


async def test_concurrent_calls_share_pipelines_and_each_gets_its_own_reply(
    redis_client: aioredis.Redis,
) -> None:
    script = CountingScript(redis_client, ECHO, max_batch=32)
    await script([], ["warm"])  # loads the script (the first pipeline meets NOSCRIPT)
    script.sizes.clear()
    replies = await asyncio.gather(*(script([], [f"call-{i}"]) for i in range(50)))
    assert replies == [f"call-{i}".encode() for i in range(50)]
    assert script.sizes == [32, 18]
    # A lone call does not wait for company.
    assert await asyncio.wait_for(script([], ["alone"]), timeout=1) == b"alone"


async def test_a_script_error_fails_only_its_own_caller(redis_client: aioredis.Redis) -> None:
    script = BatchedScript(redis_client, ECHO)
    results = await asyncio.gather(
        script([], ["one"]), script([], ["bad"]), script([], ["three"]), return_exceptions=True
    )
    assert results[0] == b"one"
    assert results[2] == b"three"
    assert isinstance(results[1], ResponseError)


async def test_a_flushed_script_cache_is_reloaded(redis_client: aioredis.Redis) -> None:
    script = BatchedScript(redis_client, ECHO)
    assert await script([], ["before"]) == b"before"
    await redis_client.script_flush()  # what a restarted Redis looks like to a running process
    assert list(await asyncio.gather(script([], ["a"]), script([], ["b"]))) == [b"a", b"b"]


async def test_a_dead_redis_fails_every_caller_of_the_pipeline() -> None:
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    script = BatchedScript(client, ECHO)
    try:
        results = await asyncio.gather(*(script([], [str(i)]) for i in range(5)), return_exceptions=True)
    finally:
        await client.aclose()
    assert all(isinstance(result, RedisConnectionError) for result in results)


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
