"""What a self-hosted server does at its limits, as the client sees it (issue 16), over respx.

Completion state (finish_reason, streams cut off), context-length errors in both shapes and the
breaker's indifference to them, usage estimates, the endpoint's slots and the first-token timeout.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import redis.asyncio as aioredis
import respx

from service.llm.base import ChatMessage, Completion, LLMContextExceeded, LLMUnavailable, StreamChunk
from service.llm.breaker import CircuitBreaker
from service.llm.limiter import EndpointLimiter
from service.llm.tokens import TokenEstimator
from tests.unit.llm.conftest import MakeLLM
from tests.unit.llm.fakes import (
    MESSAGES,
    SAMPLING,
    ScriptedStream,
    chunk,
    completion_body,
    sse_body,
    sse_event,
    sse_ok,
    sse_response,
    stalled_stream,
)

LLAMA_CPP_CONTEXT_ERROR = {
    "error": {
        "message": "This model's maximum context length is 4096 tokens. However, you requested 7858 "
        "tokens (7158 in the messages, 700 in the completion). Please reduce the length of the messages.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    }
}
VLLM_CONTEXT_ERROR = {
    "object": "error",
    "message": "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens "
    "in the messages, Please reduce the length of the messages.",
    "type": "BadRequestError",
    "param": None,
    "code": 400,
}


def breaker(redis: aioredis.Redis) -> CircuitBreaker:
    return CircuitBreaker(redis, "llm", failure_threshold=1, reset_s=30)


# --- completion state ---------------------------------------------------------------------------


async def test_finish_reason_is_passed_on(chat: respx.Route, make_llm: MakeLLM) -> None:
    events = [chunk(role="assistant", delta=""), chunk("Hi Dana, I am so"), chunk(finish="length")]
    chat.side_effect = lambda request: sse_response(ScriptedStream([sse_body(events)]))
    result = await make_llm().complete(MESSAGES, **SAMPLING)
    assert (result.text, result.finish_reason) == ("Hi Dana, I am so", "length")


@pytest.mark.parametrize("done", [True, False], ids=["done-without-final-chunk", "no-done"])
async def test_stream_without_finish_reason_is_incomplete(
    chat: respx.Route, make_llm: MakeLLM, redis_client: aioredis.Redis, done: bool
) -> None:
    # llama.cpp's interrupt: the deltas so far, then a normal [DONE] and no finish_reason.
    events = [chunk(role="assistant", delta=""), chunk("Hi Dana, I under"), chunk("stand how")]
    chat.side_effect = lambda request: sse_response(ScriptedStream([sse_body(events, done=done)]))
    gate = breaker(redis_client)
    items: list[StreamChunk | Completion] = []

    async def drain() -> None:
        async for item in make_llm(gate).stream(MESSAGES, **SAMPLING):
            items.append(item)

    with pytest.raises(LLMUnavailable) as caught:
        await drain()
    assert caught.value.reason == "incomplete"
    assert not any(isinstance(item, Completion) for item in items)
    assert await gate.state() == "closed"  # the server is up: not an outage


# --- context length -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [LLAMA_CPP_CONTEXT_ERROR, VLLM_CONTEXT_ERROR], ids=["code", "message"])
async def test_context_error_400_is_recognised_and_not_retried(
    chat: respx.Route, make_llm: MakeLLM, redis_client: aioredis.Redis, body: dict[str, object]
) -> None:
    chat.side_effect = lambda request: httpx.Response(400, json=body)
    gate = breaker(redis_client)
    with pytest.raises(LLMContextExceeded) as caught:
        await make_llm(gate).complete(MESSAGES, **SAMPLING)
    assert caught.value.shape == "rejected"
    assert caught.value.window in (4096, 8192)
    assert "maximum context" not in str(caught.value)  # the server's words stay out
    assert chat.call_count == 1
    assert await gate.state() == "closed"


async def test_empty_200_stream_is_a_context_error_and_never_a_breaker_failure(
    chat: respx.Route, make_llm: MakeLLM, redis_client: aioredis.Redis
) -> None:
    # llama-cpp-python, streaming a prompt over its window: 200, then nothing.
    chat.side_effect = lambda request: sse_response(ScriptedStream([b""]))
    gate = breaker(redis_client)  # threshold 1: a single counted failure would open it
    for _ in range(3):
        with pytest.raises(LLMContextExceeded) as caught:
            await make_llm(gate).complete(MESSAGES, **SAMPLING)
        assert caught.value.shape == "empty_stream"
    assert chat.call_count == 3  # one request per call: never retried as a bad response
    assert await gate.state() == "closed"


# --- usage --------------------------------------------------------------------------------------


async def test_missing_usage_is_estimated_and_marked(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = lambda request: sse_ok("Hello ", "Dana", usage=None)
    estimator = TokenEstimator("mock-1")
    result = await make_llm(estimator=estimator).complete(MESSAGES, **SAMPLING)
    assert result.usage_estimated
    assert result.prompt_tokens == estimator.prompt_tokens(MESSAGES)
    assert result.completion_tokens == estimator.tokens("Hello Dana")


async def test_reported_usage_calibrates_the_estimate_and_is_shared(
    chat: respx.Route, make_llm: MakeLLM, redis_client: aioredis.Redis
) -> None:
    messages: list[ChatMessage] = [{"role": "user", "content": "word " * 400}]  # 2,000 bytes
    chat.side_effect = lambda request: sse_ok("Hi", usage=(1004, 1))  # 1,000 content tokens: 2 bytes each
    estimator = TokenEstimator("mock-1", redis_client)
    result = await make_llm(estimator=estimator).complete(messages, **SAMPLING)
    assert not result.usage_estimated
    assert estimator.ratio == pytest.approx(2.0)
    await asyncio.sleep(0.05)  # the write to Redis runs in the background
    other = TokenEstimator("mock-1", redis_client)
    await other.load()
    assert other.ratio == pytest.approx(2.0)
    assert other.tokens("x" * 100) == 50


async def test_whole_completion_to_a_stream_request_is_accepted(chat: respx.Route, make_llm: MakeLLM) -> None:
    # Servers (and proxies) that ignore "stream": true answer with one chat.completion.
    chat.side_effect = lambda request: httpx.Response(200, json=completion_body("Hello Dana"))
    result = await make_llm().complete(MESSAGES, **SAMPLING)
    assert (result.text, result.prompt_tokens, result.finish_reason) == ("Hello Dana", 12, "stop")


# --- load: slots, first-token timeout -----------------------------------------------------------


async def test_calls_beyond_the_slots_wait_and_the_wait_is_bounded_by_the_deadline(
    chat: respx.Route, make_llm: MakeLLM, redis_client: aioredis.Redis
) -> None:
    release = asyncio.Event()
    chat.side_effect = lambda request: sse_response(stalled_stream(chunk("Hi")))
    waits: list[tuple[float, bool]] = []
    limiter = EndpointLimiter(1, on_wait=lambda s, got: waits.append((s, got)))
    gate = breaker(redis_client)
    first = make_llm(gate, limiter=limiter, deadline_s=5.0, timeout_s=5.0)
    second = make_llm(gate, limiter=limiter, deadline_s=0.3)
    stream = first.stream(MESSAGES, **SAMPLING)
    assert await anext(stream) == StreamChunk("Hi")  # holds the only slot
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await second.complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "saturated"
    assert 0.25 < time.monotonic() - began < 1.0
    assert chat.call_count == 1  # the waiting call never reached the server
    assert waits[-1][1] is False
    assert limiter.waiting == 0
    assert await gate.state() == "closed"  # our own queue is not the endpoint's failure
    await stream.aclose()
    release.set()
    assert limiter.in_use == 0  # closing the stream gave the slot back


async def test_no_retry_is_stacked_on_a_saturated_endpoint(chat: respx.Route, make_llm: MakeLLM) -> None:
    calls: list[int] = []
    third_waits = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return sse_response(stalled_stream(chunk("Hi")))  # another draft, holding its slot
        await third_waits.wait()
        return httpx.Response(503, json={"error": {"message": "busy"}})

    chat.side_effect = answer
    limiter = EndpointLimiter(2)
    busy = make_llm(limiter=limiter, deadline_s=5.0, timeout_s=5.0).stream(MESSAGES, **SAMPLING)
    await anext(busy)
    ours = asyncio.ensure_future(
        make_llm(limiter=limiter, deadline_s=5.0, max_attempts=4).complete(MESSAGES, **SAMPLING)
    )
    while len(calls) < 2:  # noqa: ASYNC110 - polling the fake server's record is simplest here
        await asyncio.sleep(0.01)
    third = asyncio.ensure_future(make_llm(limiter=limiter, max_attempts=1).complete(MESSAGES, **SAMPLING))
    while limiter.waiting == 0:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    third_waits.set()  # our attempt fails now, with both slots taken and a call waiting
    results = await asyncio.gather(ours, third, return_exceptions=True)
    assert all(isinstance(r, LLMUnavailable) for r in results)
    assert len(calls) == 3  # the other draft's, ours once (not 4 times), the third's
    await busy.aclose()


async def test_first_token_timeout_is_separate_from_the_deadline(
    chat: respx.Route, make_llm: MakeLLM
) -> None:
    streams: list[ScriptedStream] = []

    def answer(request: httpx.Request) -> httpx.Response:
        streams.append(
            stream := ScriptedStream([sse_event(chunk(role="assistant", delta="")), asyncio.Event()])
        )
        return sse_response(stream)

    chat.side_effect = answer
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(first_token_timeout_s=0.2, timeout_s=5, deadline_s=5, max_attempts=2).complete(
            MESSAGES, **SAMPLING
        )
    assert caught.value.reason == "timeout"
    assert time.monotonic() - began < 1.5
    assert len(streams) == 2
    assert all(s.closed.is_set() for s in streams)  # each connection closed
