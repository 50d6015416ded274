"""The Redis-shared circuit breaker, on a real redis-server; two instances stand for two processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
import redis.asyncio as aioredis
import respx

from service.llm.base import LLMUnavailable
from service.llm.breaker import CircuitBreaker
from service.server.embedded_redis import free_port
from tests.unit.llm.conftest import MakeLLM
from tests.unit.llm.fakes import MESSAGES, SAMPLING, ok, sse_ok, status

RESET_S = 0.2


def pair(redis: aioredis.Redis, threshold: int = 2) -> tuple[CircuitBreaker, CircuitBreaker]:
    """Two breakers with the same name on one Redis: what two worker processes would hold."""
    return (
        CircuitBreaker(redis, "llm", failure_threshold=threshold, reset_s=RESET_S, probe_ttl_s=5),
        CircuitBreaker(redis, "llm", failure_threshold=threshold, reset_s=RESET_S, probe_ttl_s=5),
    )


async def test_opens_at_threshold_across_processes(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=2)
    assert await one.state() == "closed"
    await one.record_failure()
    assert await two.allow()
    await two.record_failure()
    assert (await one.state(), await two.state()) == ("open", "open")
    assert not await one.allow()
    admission = await two.admit()
    assert not admission.allowed
    assert admission.retry_after is not None
    assert 0 < admission.retry_after <= RESET_S


async def test_failures_must_be_consecutive(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=2)
    await one.record_failure()
    await two.record_success()
    await one.record_failure()
    assert await two.state() == "closed"


async def test_failure_count_expires(redis_client: aioredis.Redis) -> None:
    breaker = CircuitBreaker(redis_client, "llm", failure_threshold=3, reset_s=RESET_S, failure_ttl_s=60)
    await breaker.record_failure()
    ttl = await redis_client.pttl("tactful:breaker:{llm}:failures")
    assert 0 < ttl <= 60_000


async def test_exactly_one_probe_after_reset(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=1)
    await one.record_failure()
    assert not await two.allow()
    await asyncio.sleep(RESET_S + 0.05)
    assert await one.state() == "half_open"
    verdicts = await asyncio.gather(*(b.allow() for b in (one, two) * 10))
    assert verdicts.count(True) == 1
    assert [one.holds_probe, two.holds_probe].count(True) == 1


async def test_successful_probe_closes(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=1)
    await one.record_failure()
    await asyncio.sleep(RESET_S + 0.05)
    prober = one if await one.allow() else two
    await prober.record_success()
    assert await two.state() == "closed"
    assert all(await asyncio.gather(*(b.allow() for b in (one, two) * 3)))


async def test_failed_probe_reopens(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=1)
    await one.record_failure()
    await asyncio.sleep(RESET_S + 0.05)
    assert await two.allow()
    await two.record_failure()
    assert await one.state() == "open"
    assert not await one.allow()


async def test_released_probe_lets_another_try(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=1)
    await one.record_failure()
    await asyncio.sleep(RESET_S + 0.05)
    assert await one.allow()
    assert not await two.allow()
    await one.release_probe()
    assert await two.allow()


async def test_breakers_with_other_names_are_independent(redis_client: aioredis.Redis) -> None:
    a = CircuitBreaker(redis_client, "a", failure_threshold=1, reset_s=RESET_S)
    b = CircuitBreaker(redis_client, "b", failure_threshold=1, reset_s=RESET_S)
    await a.record_failure()
    assert (await a.state(), await b.state()) == ("open", "closed")


async def test_redis_down_falls_back_to_a_local_breaker() -> None:
    dead = aioredis.Redis(port=free_port(), socket_connect_timeout=0.1)
    breaker = CircuitBreaker(
        dead, "llm", failure_threshold=2, reset_s=RESET_S, probe_ttl_s=5, op_timeout_s=0.2
    )
    began = time.monotonic()
    try:
        assert await breaker.allow()
        await breaker.record_failure()
        assert await breaker.state() == "closed"
        await breaker.record_failure()
        assert await breaker.state() == "open"
        assert not await breaker.allow()
        await asyncio.sleep(RESET_S + 0.05)
        assert await breaker.state() == "half_open"
        assert [await breaker.allow() for _ in range(3)] == [True, False, False]
        await breaker.record_success()
        assert await breaker.state() == "closed"
        assert await breaker.allow()
    finally:
        await dead.aclose()
    assert time.monotonic() - began < 1.5


def count_commands(redis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []
    execute = cast(Callable[..., Awaitable[Any]], redis.execute_command)

    async def counting(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(redis, "execute_command", counting)
    return sent


async def test_success_after_a_clean_admission_writes_nothing(
    redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = pair(redis_client)
    sent = count_commands(redis_client, monkeypatch)
    admission = await one.admit()
    assert admission.allowed
    assert not admission.reset_needed
    await one.record_success(admission)
    assert sent == ["EVALSHA"]  # the admission only: no DEL on the hot path


async def test_success_resets_failures_seen_at_admission(redis_client: aioredis.Redis) -> None:
    one, two = pair(redis_client, threshold=3)
    await one.record_failure()
    await one.record_failure()
    admission = await two.admit()
    assert admission.reset_needed
    await two.record_success(admission)
    await one.record_failure()
    await one.record_failure()
    assert await one.state() == "closed"  # two failures since the success, below the threshold
    # Without an admission, a success always resets (what the breaker did before it had one).
    await two.record_success()
    assert await redis_client.exists("tactful:breaker:{llm}:failures") == 0


async def test_validates_arguments(redis_client: aioredis.Redis) -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(redis_client, "llm", failure_threshold=0, reset_s=1)


# --- the breaker inside the client --------------------------------------------------------------


async def test_client_breaker_opens_across_processes_and_stops_http(
    redis_client: aioredis.Redis, chat: respx.Route, make_llm: MakeLLM
) -> None:
    one, two = pair(redis_client, threshold=2)
    # The test counts attempts, so the deadline must never be what ends a call: on a loaded machine
    # a worker's first SDK call has taken close to the default 10 s, leaving no time for a retry.
    generous = {"max_attempts": 2, "deadline_s": 120.0, "timeout_s": 60.0}
    llm_one, llm_two = make_llm(one, **generous), make_llm(two, **generous)
    chat.side_effect = lambda request: status(503)
    for llm in (llm_one, llm_two):
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
        assert caught.value.reason == "server_error"
    assert chat.call_count == 4  # two calls x two attempts: one breaker failure per call, not per attempt
    assert await one.state() == "open"

    for llm in (llm_one, llm_two):
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
        assert caught.value.reason == "breaker_open"
        assert caught.value.retry_after is not None
    with pytest.raises(LLMUnavailable):
        await anext(llm_one.stream(MESSAGES, **SAMPLING))
    assert chat.call_count == 4  # refused without touching the network

    await asyncio.sleep(RESET_S + 0.05)
    chat.mock(return_value=ok("Recovered"))
    assert (await llm_two.complete(MESSAGES, **SAMPLING)).text == "Recovered"
    assert chat.call_count == 5
    assert await one.state() == "closed"


async def test_client_rejection_counts_as_success(
    redis_client: aioredis.Redis, chat: respx.Route, make_llm: MakeLLM
) -> None:
    one, _ = pair(redis_client, threshold=2)
    llm = make_llm(one, max_attempts=1)
    chat.side_effect = [status(503), status(400), status(503)]
    for _ in range(3):
        with pytest.raises(Exception):  # noqa: B017, PT011 - LLMUnavailable then LLMRejected
            await llm.complete(MESSAGES, **SAMPLING)
    assert await one.state() == "closed"


async def test_cancelled_probe_frees_the_slot(
    redis_client: aioredis.Redis, chat: respx.Route, make_llm: MakeLLM
) -> None:
    one, two = pair(redis_client, threshold=1)
    await one.record_failure()
    await asyncio.sleep(RESET_S + 0.05)
    started = asyncio.Event()

    async def hang(request: object) -> None:
        started.set()
        await asyncio.sleep(30)

    chat.side_effect = hang
    task = asyncio.ensure_future(make_llm(one, timeout_s=30, deadline_s=60).complete(MESSAGES, **SAMPLING))
    await asyncio.wait_for(started.wait(), 1)
    assert not await two.allow()  # the probe is in flight
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(50):  # the release runs in the background
        if await two.allow():
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the cancelled probe kept the half-open slot")


async def test_stream_success_closes_the_breaker(
    redis_client: aioredis.Redis, chat: respx.Route, make_llm: MakeLLM
) -> None:
    one, _ = pair(redis_client, threshold=1)
    await one.record_failure()
    await asyncio.sleep(RESET_S + 0.05)
    chat.mock(return_value=sse_ok("Hello", "!"))
    generator = make_llm(one).stream(MESSAGES, **SAMPLING)
    await anext(generator)
    await generator.aclose()  # leaving early after the first token still settles the breaker
    assert await one.state() == "closed"


async def test_client_success_costs_one_breaker_round_trip(
    redis_client: aioredis.Redis, chat: respx.Route, make_llm: MakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = pair(redis_client)
    chat.mock(return_value=ok())
    llm = make_llm(one)
    await llm.complete(MESSAGES, **SAMPLING)  # registers the script
    sent = count_commands(redis_client, monkeypatch)
    await llm.complete(MESSAGES, **SAMPLING)
    assert sent == ["EVALSHA"]


async def test_closed_lease_skips_redis_until_it_ends(
    redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    leased = CircuitBreaker(
        redis_client, "llm", failure_threshold=2, reset_s=RESET_S, closed_lease_s=0.25, clock=lambda: now[0]
    )
    assert (await leased.admit()).allowed  # asks Redis, starts the lease
    sent = count_commands(redis_client, monkeypatch)
    admission = await leased.admit()
    assert admission.allowed
    assert not admission.reset_needed
    assert sent == []
    now[0] += 0.3
    assert (await leased.admit()).allowed
    assert sent == ["EVALSHA"]  # the lease ran out: Redis decides again


async def test_a_lease_ends_at_our_own_failure_and_sees_others_after_it_expires(
    redis_client: aioredis.Redis,
) -> None:
    now = [100.0]
    leased = CircuitBreaker(
        redis_client, "llm", failure_threshold=2, reset_s=RESET_S, closed_lease_s=0.25, clock=lambda: now[0]
    )
    other = CircuitBreaker(redis_client, "llm", failure_threshold=2, reset_s=RESET_S)
    assert (await leased.admit()).allowed
    await other.record_failure()
    await leased.record_failure()  # the second consecutive failure opens the shared breaker
    assert not (await leased.admit()).allowed  # no lease after our own failure
    await other.record_success()
    assert (await leased.admit()).allowed
    await other.record_failure()
    await other.record_failure()  # opened by the other process while we hold a fresh lease
    assert (await leased.admit()).allowed  # the price of the lease: up to closed_lease_s late
    now[0] += 0.3
    assert not (await leased.admit()).allowed


async def test_no_lease_while_failures_are_recorded(redis_client: aioredis.Redis) -> None:
    now = [100.0]
    leased = CircuitBreaker(
        redis_client, "llm", failure_threshold=3, reset_s=RESET_S, closed_lease_s=10, clock=lambda: now[0]
    )
    other = CircuitBreaker(redis_client, "llm", failure_threshold=3, reset_s=RESET_S)
    await other.record_failure()
    assert (await leased.admit()).reset_needed  # failures seen: no lease, the success must reset
    await other.record_failure()
    await other.record_failure()
    assert not (await leased.admit()).allowed
