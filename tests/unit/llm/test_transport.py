"""ShardedTransport: requests spread over several httpcore pools, each released when its body closes."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from bench.mock_llm import MockLLMServer
from service.llm.base import Completion, LLMUnavailable
from service.llm.openai_client import OpenAICompatibleClient, make_async_openai
from service.llm.transport import DEFAULT_LIMITS, DEFAULT_SHARDS, ShardedTransport, sharded_http_client
from tests.unit.llm.conftest import MakeLLM
from tests.unit.llm.fakes import BASE_URL, MESSAGES, SAMPLING, status


def test_limits_are_split_rounding_up() -> None:
    transport = ShardedTransport(shards=16)
    assert transport.limits.max_connections == 63  # 16 x 63 >= 1,000: the total is still admitted
    assert transport.limits.max_keepalive_connections == 7
    assert transport.limits.keepalive_expiry == DEFAULT_LIMITS.keepalive_expiry
    unlimited = ShardedTransport(shards=4, limits=httpx.Limits(max_connections=None))
    assert unlimited.limits.max_connections is None
    with pytest.raises(ValueError, match="shards"):
        ShardedTransport(shards=0)


async def test_the_sdk_client_uses_it() -> None:
    client = make_async_openai(BASE_URL, "sk-x", timeout_s=5)
    try:
        transport = client._client._transport  # the SDK's httpx client and its transport
        assert isinstance(transport, ShardedTransport)
        assert len(transport.in_flight) == DEFAULT_SHARDS
    finally:
        await client.close()


async def test_concurrent_requests_spread_evenly_and_are_released(llm_http: respx.MockRouter) -> None:
    gate, all_arrived = asyncio.Event(), asyncio.Event()
    arrived = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal arrived
        arrived += 1
        if arrived == 10:
            all_arrived.set()
        await gate.wait()
        return httpx.Response(200, json={"ok": True})

    llm_http.post("/echo").mock(side_effect=slow)
    transport = ShardedTransport(shards=4)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        calls = [asyncio.ensure_future(client.post("/echo")) for _ in range(10)]
        await asyncio.wait_for(all_arrived.wait(), 5)
        assert sorted(transport.in_flight) == [2, 2, 3, 3]
        gate.set()
        responses = await asyncio.gather(*calls)
    assert all(r.json() == {"ok": True} for r in responses)
    assert transport.in_flight == [0, 0, 0, 0]


async def test_a_lone_request_always_uses_the_first_shard(llm_http: respx.MockRouter) -> None:
    # Least-busy with ties to the first shard: sequential calls reuse one warm keep-alive connection.
    llm_http.get("/ping").mock(return_value=httpx.Response(200))
    transport = ShardedTransport(shards=4)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for _ in range(3):
            response = await client.get("/ping")
            assert transport.in_flight == [0, 0, 0, 0]
            assert response.status_code == 200


async def test_streams_hold_their_shard_until_closed_and_errors_release_it(
    llm_http: respx.MockRouter,
) -> None:
    llm_http.get("/stream").mock(return_value=httpx.Response(200, content=b"data"))
    llm_http.get("/down").mock(side_effect=httpx.ConnectError("refused"))
    transport = ShardedTransport(shards=2)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        async with client.stream("GET", "/stream") as response:
            assert transport.in_flight == [1, 0]
            assert await response.aread() == b"data"
        assert transport.in_flight == [0, 0]
        with pytest.raises(httpx.ConnectError):
            await client.get("/down")
        assert transport.in_flight == [0, 0]


async def test_sharded_http_client_keeps_the_sdk_defaults() -> None:
    async with sharded_http_client() as client:
        assert client.follow_redirects is True
        assert client.timeout.read == 600  # the SDK's default; every call passes its own anyway


async def test_many_concurrent_completions_over_real_sockets() -> None:
    # The default client end to end against the benchmark's mock LLM on loopback (no respx):
    # real connections in several pools, all answered, every shard released afterwards.
    async with MockLLMServer(latency_ms=200) as server:
        client = make_async_openai(server.base_url, "sk-x", timeout_s=10)
        try:
            llm = OpenAICompatibleClient(client, None, max_attempts=1, deadline_s=10, timeout_s=10)
            results = await asyncio.gather(*(llm.complete(MESSAGES, **SAMPLING) for _ in range(200)))
            streamed = [item async for item in llm.stream(MESSAGES, **SAMPLING)]
            transport = client._client._transport
            assert isinstance(transport, ShardedTransport)
            assert transport.in_flight == [0] * DEFAULT_SHARDS
        finally:
            await client.close()
    assert all(result.text for result in results)
    assert isinstance(streamed[-1], Completion)
    assert streamed[-1].text
    assert server.app.stats.max_in_flight == 200  # none queued behind another


async def test_failed_and_cancelled_calls_release_their_shard(chat: respx.Route, make_llm: MakeLLM) -> None:
    # Through the whole client: an error status (the SDK reads and closes the body), then a call
    # cancelled while the server is still thinking.
    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    llm = make_llm(max_attempts=1)
    transport = llm._client._client._transport
    assert isinstance(transport, ShardedTransport)
    chat.mock(return_value=status(503))
    with pytest.raises(LLMUnavailable):
        await llm.complete(MESSAGES, **SAMPLING)
    assert transport.in_flight == [0] * DEFAULT_SHARDS
    chat.mock(side_effect=hang)
    task = asyncio.ensure_future(llm.complete(MESSAGES, **SAMPLING))
    await asyncio.wait_for(started.wait(), 1)
    assert sum(transport.in_flight) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert transport.in_flight == [0] * DEFAULT_SHARDS
