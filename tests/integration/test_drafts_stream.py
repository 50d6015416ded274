"""POST /v1/drafts/stream over real HTTP: the app under uvicorn, a real Redis, a loopback LLM.

The LLM is a scripted OpenAI-compatible server on loopback (tests/streaming_llm.py) rather than
respx, because a disconnect has to travel through real sockets to be seen by the upstream server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, llm_settings, make_settings, seed_thread
from tests.integration.test_drafts_api import DRAFT_FIELDS, acknowledgement_passes
from tests.streaming_llm import ScriptedLLM, serve

COLD_REPLY = (
    "Hi Dana,\n\nThe duplicate charge has been refunded. It will show in 3-5 days.\n\nBest regards,\nSam"
)


@dataclass
class Event:
    name: str
    data: Any


async def events_of(response: httpx.Response) -> AsyncIterator[Event]:
    """Parse a text/event-stream body (comments skipped; data lines joined)."""
    name, data = "message", list[str]()
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield Event(name, json.loads("\n".join(data)))
            name, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data.append(line.partition(":")[2].removeprefix(" "))


async def collect(
    client: httpx.AsyncClient, thread: dict[str, Any], **headers: str
) -> tuple[httpx.Response, list[Event]]:
    async with client.stream("POST", "/v1/drafts/stream", json=thread, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            return response, []
        return response, [event async for event in events_of(response)]


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app under uvicorn, and an HTTP client for it."""
    async with contextlib.AsyncExitStack() as stack:
        app_url = await stack.enter_async_context(serve(create_app(settings), lifespan="on"))
        yield await stack.enter_async_context(httpx.AsyncClient(base_url=app_url, timeout=10))


@dataclass
class Stack:
    llm: ScriptedLLM
    client: httpx.AsyncClient


@pytest.fixture
async def stack(redis_server: EmbeddedRedis, redis_client: Any) -> AsyncIterator[Stack]:
    llm = ScriptedLLM()
    async with serve(llm) as llm_url:
        settings = llm_settings(redis_server.url, llm_base_url=f"{llm_url}/v1")
        async with app_client(settings) as client:
            yield Stack(llm, client)


async def wait_for(condition: Any, timeout_s: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_deltas_then_exactly_one_result(stack: Stack) -> None:
    response, events = await collect(stack.client, seed_thread())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-cache"] == "MISS"
    names = [e.name for e in events]
    assert names[-1] == "result"
    assert names.count("result") == 1
    assert set(names[:-1]) == {"delta"}
    assert len(names) > 10  # token by token, not one lump
    streamed = "".join(e.data["text"] for e in events[:-1])
    assert streamed.strip() == GOOD_REPLY
    result = events[-1].data
    assert set(result) == DRAFT_FIELDS
    assert result["reply"] == GOOD_REPLY
    assert result["provider"] == "openai"
    assert result["cached"] is False
    assert result["status"] in {"approved", "needs_review"}
    assert result["usage"]["completion_tokens"] > 0
    assert stack.llm.calls == 1
    assert stack.llm.requests[0]["stream"] is True


async def test_result_carries_the_repaired_text(stack: Stack) -> None:
    stack.llm.replies.append(COLD_REPLY)
    thread = seed_thread()
    _, events = await collect(stack.client, thread)
    streamed = "".join(e.data["text"] for e in events if e.name == "delta")
    assert streamed.strip() == COLD_REPLY  # the deltas are what the model wrote...
    result = events[-1].data
    assert events[-1].name == "result"
    final = result["reply"] if result["reply"] is not None else result["rejected_draft"]
    assert final != COLD_REPLY  # ...the result is what the guardrails made of it
    if result["reply"] is not None:
        assert acknowledgement_passes(result["reply"], thread)
    else:
        assert result["status"] == "blocked"


async def test_cache_hit_sends_the_result_at_once_and_no_cache_regenerates(stack: Stack) -> None:
    thread = seed_thread()
    _, first = await collect(stack.client, thread)
    response, second = await collect(stack.client, thread)
    assert response.headers["x-cache"] == "HIT"
    assert [e.name for e in second] == ["result"]
    assert second[0].data["cached"] is True
    assert second[0].data["id"] == first[-1].data["id"]
    assert stack.llm.calls == 1

    response, fresh = await collect(stack.client, thread, **{"Cache-Control": "no-cache"})
    assert response.headers["x-cache"] == "MISS"
    assert fresh[0].name == "delta"
    assert fresh[-1].data["cached"] is False
    assert fresh[-1].data["id"] != first[-1].data["id"]
    assert stack.llm.calls == 2


async def test_disconnect_cancels_the_llm_call_and_frees_the_key(stack: Stack) -> None:
    stack.llm.token_ms = 40  # ~70 tokens: the whole reply would take ~3 s
    thread = seed_thread()
    async with stack.client.stream("POST", "/v1/drafts/stream", json=thread) as response:
        async for event in events_of(response):
            assert event.name == "delta"
            break  # hang up after the first delta
    await wait_for(lambda: stack.llm.disconnected == 1, timeout_s=2.0)
    assert stack.llm.completed == 0

    # The cancelled request released its single-flight lock: the next one drafts at once instead
    # of waiting for the lock to lapse (TACTFUL_SINGLE_FLIGHT_WAIT_S, 90 s by default).
    stack.llm.token_ms = 0
    _, events = await asyncio.wait_for(collect(stack.client, thread), timeout=5)
    assert events[-1].name == "result"
    assert events[-1].data["cached"] is False
    assert stack.llm.calls == 2


async def test_identical_concurrent_streams_make_one_llm_call(stack: Stack) -> None:
    stack.llm.token_ms = 10
    thread = seed_thread()
    (_, leader), (_, follower) = await asyncio.gather(
        collect(stack.client, thread), collect(stack.client, thread)
    )
    assert stack.llm.calls == 1
    results = [leader[-1].data, follower[-1].data]
    assert [leader[-1].name, follower[-1].name] == ["result", "result"]
    assert results[0]["id"] == results[1]["id"]
    assert sorted(r["cached"] for r in results) == [False, True]


async def test_llm_down_without_fallback_ends_with_a_problem_event(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    llm = ScriptedLLM(fail_status=500)
    async with serve(llm) as llm_url:
        settings = llm_settings(
            redis_server.url, llm_base_url=f"{llm_url}/v1", llm_fallback_offline=False, llm_max_attempts=2
        )
        async with app_client(settings) as client:
            response, events = await collect(client, seed_thread())
    assert response.status_code == 200
    assert [e.name for e in events] == ["error"]
    problem = events[0].data
    assert problem["status"] == 503
    assert problem["type"].endswith("/llm-unavailable")
    assert "charged" not in json.dumps(problem)  # no ticket text in errors
    assert llm.calls == 2


async def test_offline_provider_streams_its_text_then_the_result(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    async with app_client(make_settings(redis_server.url)) as client:
        _, events = await collect(client, seed_thread())
    assert [e.name for e in events] == ["delta", "result"]
    result = events[-1].data
    assert result["provider"] == "offline"
    assert result["status"] == "needs_review"
    assert result["reply"]


async def test_bad_requests_are_refused_before_the_stream(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    settings = make_settings(redis_server.url, api_keys="k-1")
    async with app_client(settings) as client:
        unauthorized = await client.post("/v1/drafts/stream", json=seed_thread())
        invalid = await client.post(
            "/v1/drafts/stream",
            json={"messages": [{"role": "agent", "body": "hello"}]},
            headers={"Authorization": "Bearer k-1"},
        )
    assert unauthorized.status_code == 401
    assert unauthorized.headers["content-type"] == "application/problem+json"
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"
