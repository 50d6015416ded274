"""The draft cache against a real Redis: hits, single-flight in and across processes, fail-open."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
import redis.asyncio as aioredis

from service.drafting.cache import CacheOutcome, Computed, DraftCache, cache_key
from service.infra.redis_conn import connect_redis
from service.server.embedded_redis import EmbeddedRedis, free_port


class CountingCompute:
    def __init__(self, payload: bytes = b"draft", delay_s: float = 0.05, cacheable: bool = True) -> None:
        self.calls = 0
        self.payload = payload
        self.delay_s = delay_s
        self.cacheable = cacheable

    async def __call__(self) -> Computed:
        self.calls += 1
        await asyncio.sleep(self.delay_s)
        return Computed(self.payload, cacheable=self.cacheable)


def make_cache(client: aioredis.Redis | None, **kwargs: float) -> DraftCache:
    return DraftCache(client, ttl_s=60, wait_s=kwargs.pop("wait_s", 5.0), **kwargs)


def test_cache_key_is_canonical() -> None:
    assert cache_key({"a": 1, "b": [1, 2]}) == cache_key({"b": [1, 2], "a": 1})
    assert cache_key({"a": 1}) != cache_key({"a": 2})


async def test_miss_then_hit(redis_client: aioredis.Redis) -> None:
    cache, compute = make_cache(redis_client), CountingCompute()
    first = await cache.get_or_compute("k1", compute)
    second = await cache.get_or_compute("k1", compute)
    assert first == (b"draft", CacheOutcome.miss)
    assert second == (b"draft", CacheOutcome.hit)
    assert compute.calls == 1
    assert await redis_client.ttl("tactful:draft:k1") > 0


async def test_fifty_concurrent_identical_requests_compute_once(redis_client: aioredis.Redis) -> None:
    cache, compute = make_cache(redis_client), CountingCompute(delay_s=0.2)
    results = await asyncio.gather(*(cache.get_or_compute("same", compute) for _ in range(50)))
    assert compute.calls == 1
    assert {payload for payload, _ in results} == {b"draft"}
    assert sum(outcome is CacheOutcome.miss for _, outcome in results) == 1


async def test_single_flight_across_processes(redis_server: EmbeddedRedis) -> None:
    # Two caches with their own connections stand for two worker processes sharing one Redis.
    clients = [aioredis.Redis.from_url(redis_server.url) for _ in range(2)]
    await clients[0].flushdb()
    caches = [make_cache(c, poll_s=0.01) for c in clients]
    compute = CountingCompute(delay_s=0.3)
    results = await asyncio.gather(*(caches[i % 2].get_or_compute("shared", compute) for i in range(20)))
    assert compute.calls == 1
    outcomes = {outcome for _, outcome in results}
    assert CacheOutcome.miss in outcomes
    assert CacheOutcome.coalesced in outcomes
    for client in clients:
        await client.aclose()


async def test_waiter_takes_over_when_the_leader_dies(redis_client: aioredis.Redis) -> None:
    # A lock with no result behind it is what a killed process leaves; it must lapse, not hang us.
    await redis_client.set("tactful:draft-lock:orphan", "dead-process", px=200)
    cache, compute = make_cache(redis_client, poll_s=0.02), CountingCompute()
    payload, outcome = await cache.get_or_compute("orphan", compute)
    assert (payload, outcome, compute.calls) == (b"draft", CacheOutcome.miss, 1)


async def test_uncacheable_results_are_not_stored(redis_client: aioredis.Redis) -> None:
    cache, compute = make_cache(redis_client), CountingCompute(cacheable=False)
    await cache.get_or_compute("fallback", compute)
    await cache.get_or_compute("fallback", compute)
    assert compute.calls == 2
    assert await redis_client.exists("tactful:draft-lock:fallback") == 0


async def test_refresh_recomputes_and_overwrites(redis_client: aioredis.Redis) -> None:
    cache = make_cache(redis_client)
    await cache.get_or_compute("r", CountingCompute(b"old"))
    payload, outcome = await cache.get_or_compute("r", CountingCompute(b"new"), refresh=True)
    assert (payload, outcome) == (b"new", CacheOutcome.miss)
    assert await cache.get_or_compute("r", CountingCompute(b"unused")) == (b"new", CacheOutcome.hit)


async def test_failure_releases_the_lock_and_reaches_every_waiter(redis_client: aioredis.Redis) -> None:
    cache = make_cache(redis_client)

    async def boom() -> Computed:
        await asyncio.sleep(0.05)
        raise RuntimeError("llm exploded")

    results = await asyncio.gather(
        *(cache.get_or_compute("bad", boom) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await redis_client.exists("tactful:draft-lock:bad") == 0


async def test_redis_down_degrades_to_computing() -> None:
    dead = connect_redis(f"redis://127.0.0.1:{free_port()}/0")
    cache, compute = make_cache(dead), CountingCompute()
    assert await cache.get_or_compute("k", compute) == (b"draft", CacheOutcome.bypass)
    # Suspended after the error: the next request does not pay for another connection attempt.
    assert await cache.get_or_compute("k", compute) == (b"draft", CacheOutcome.bypass)
    assert compute.calls == 2
    assert await cache.ping() is False
    await dead.aclose()


async def test_disabled_cache_still_coalesces_in_process() -> None:
    cache, compute = make_cache(None), CountingCompute(delay_s=0.1)
    await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(10)))
    assert compute.calls == 1


@pytest.mark.parametrize("ttl", [0])
async def test_zero_ttl_disables_storage(redis_client: aioredis.Redis, ttl: int) -> None:
    cache, compute = DraftCache(redis_client, ttl_s=ttl, wait_s=1), CountingCompute()
    await cache.get_or_compute("k", compute)
    await cache.get_or_compute("k", compute)
    assert compute.calls == 2


async def test_round_trips_per_miss_and_hit(
    redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hot path's cost is its round trips: a miss is GET, SET NX and one "store and unlock"
    # script (it used to be four); a hit is one GET.
    sent: list[str] = []
    execute = cast(Callable[..., Awaitable[Any]], redis_client.execute_command)

    async def counting(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(redis_client, "execute_command", counting)
    cache = make_cache(redis_client)
    await cache.get_or_compute("rt", CountingCompute())
    assert len(sent) == 3
    sent.clear()
    assert await cache.get_or_compute("rt", CountingCompute()) == (b"draft", CacheOutcome.hit)
    assert len(sent) == 1
    sent.clear()
    await cache.get_or_compute("rt-fallback", CountingCompute(cacheable=False))
    assert len(sent) == 3
    assert await redis_client.exists("tactful:draft:rt-fallback", "tactful:draft-lock:rt-fallback") == 0


async def test_refresh_waiter_does_not_take_the_old_value(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # Two processes refreshing one key: the later one waits for the first's lock, then computes
    # its own draft instead of returning the value that was stored before the refresh.
    await redis_client.set("tactful:draft:stale", b"old")
    clients = [aioredis.Redis.from_url(redis_server.url) for _ in range(2)]
    caches = [make_cache(c, poll_s=0.01) for c in clients]
    computes = [CountingCompute(b"new", delay_s=0.2), CountingCompute(b"newer", delay_s=0.2)]
    results = await asyncio.gather(
        *(
            cache.get_or_compute("stale", compute, refresh=True)
            for cache, compute in zip(caches, computes, strict=True)
        )
    )
    assert sorted(payload for payload, _ in results) == [b"new", b"newer"]
    assert [compute.calls for compute in computes] == [1, 1]
    for client in clients:
        await client.aclose()


async def test_scripts_survive_a_script_flush(redis_client: aioredis.Redis) -> None:
    # A restarted or failed-over Redis has forgotten the scripts; they are loaded again on NOSCRIPT.
    cache, compute = make_cache(redis_client), CountingCompute()
    await cache.get_or_compute("flushed", compute)
    await redis_client.script_flush()
    assert await cache.get_or_compute("flushed", compute) == (b"draft", CacheOutcome.hit)
    await redis_client.script_flush()
    assert (await cache.get_or_compute("flushed-2", compute))[1] is CacheOutcome.miss
    assert await redis_client.get("tactful:draft:flushed-2") == b"draft"


async def test_a_burst_beyond_the_pool_waits_instead_of_bypassing(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # 200 drafts at once through 4 connections: each command waits its turn for a connection
    # instead of failing with MaxConnectionsError and silently skipping the cache.
    client = connect_redis(redis_server.url, max_connections=4)
    cache = make_cache(client)
    try:
        results = await asyncio.gather(
            *(cache.get_or_compute(f"burst-{i}", CountingCompute(delay_s=0)) for i in range(200))
        )
        assert {outcome for _, outcome in results} == {CacheOutcome.miss}
        assert len(await redis_client.keys("tactful:draft:burst-*")) == 200
    finally:
        await client.aclose()


async def test_hung_redis_fails_open_within_the_socket_timeouts() -> None:
    # A Redis that accepts connections and never answers: the request gives up after the socket
    # timeouts of the connection handshake and the command with one retry (~2 s), not after the
    # generous wait for a pool connection.
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client hangs up
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    hung = connect_redis(f"redis://127.0.0.1:{port}/0")
    cache, compute = make_cache(hung), CountingCompute(delay_s=0)
    try:
        began = asyncio.get_running_loop().time()
        assert await cache.get_or_compute("k", compute) == (b"draft", CacheOutcome.bypass)
        assert asyncio.get_running_loop().time() - began < 3.0
    finally:
        await hung.aclose()
        server.close()
        await server.wait_closed()
