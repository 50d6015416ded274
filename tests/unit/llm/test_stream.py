"""stream(): deltas in order then one Completion; retries only before the first delta; clean closes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx
import openai
import pytest
import respx
from openai import AsyncOpenAI

from service.llm.base import Completion, LLMRejected, LLMUnavailable, StreamChunk
from service.llm.openai_client import OpenAICompatibleClient
from tests.unit.llm.conftest import MakeLLM
from tests.unit.llm.fakes import (
    MESSAGES,
    SAMPLING,
    ScriptedStream,
    broken_stream,
    chunk,
    same_request,
    sse_body,
    sse_event,
    sse_ok,
    sse_response,
    stalled_stream,
    status,
)


async def collect(llm: OpenAICompatibleClient) -> list[StreamChunk | Completion]:
    return [item async for item in llm.stream(MESSAGES, **SAMPLING)]


async def drain(llm: OpenAICompatibleClient, into: list[StreamChunk | Completion]) -> None:
    """Like collect(), but keeps what arrived before an error."""
    async for item in llm.stream(MESSAGES, **SAMPLING):
        into.append(item)


async def test_deltas_in_order_then_one_completion_with_usage(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=sse_ok("Hi ", "Dana, ", "sorry!\n", usage=(31, 4), model="mock-1-0613"))
    items = await collect(make_llm())
    assert items == [
        StreamChunk("Hi "),
        StreamChunk("Dana, "),
        StreamChunk("sorry!\n"),
        Completion(text="Hi Dana, sorry!", model="mock-1-0613", prompt_tokens=31, completion_tokens=4),
    ]
    body = json.loads(chat.calls[0].request.content)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_without_usage_option(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=sse_ok("Hello", usage=None))
    items = await collect(make_llm(stream_usage=False))
    assert items[-1] == Completion(text="Hello", model="mock-1", prompt_tokens=None, completion_tokens=None)
    assert "stream_options" not in json.loads(chat.calls[0].request.content)


async def test_status_error_before_first_delta_is_retried(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = [status(503, retry_after="0.05"), sse_ok("Back")]
    items = await collect(make_llm())
    assert [type(i) for i in items] == [StreamChunk, Completion]
    assert chat.call_count == 2


async def test_dropped_connection_before_first_delta_is_retried(chat: respx.Route, make_llm: MakeLLM) -> None:
    first = broken_stream(chunk(role="assistant", delta=""))
    chat.side_effect = [sse_response(first), sse_ok("Second")]
    items = await collect(make_llm())
    assert items[0] == StreamChunk("Second")
    assert chat.call_count == 2
    assert first.closed.is_set()


async def test_error_event_before_first_delta_is_retried(chat: respx.Route, make_llm: MakeLLM) -> None:
    error = ScriptedStream([sse_event({"error": {"message": "overloaded", "code": "busy"}})])
    chat.side_effect = [sse_response(error), sse_ok("Ok")]
    items = await collect(make_llm())
    assert items[0] == StreamChunk("Ok")
    assert chat.call_count == 2


async def test_failure_after_first_delta_is_not_retried(chat: respx.Route, make_llm: MakeLLM) -> None:
    stream = broken_stream(chunk("Hello "), chunk("there"))
    chat.side_effect = [sse_response(stream), sse_ok("never asked")]
    received: list[StreamChunk | Completion] = []
    with pytest.raises(LLMUnavailable) as caught:
        await drain(make_llm(), received)
    assert received == [StreamChunk("Hello "), StreamChunk("there")]
    assert caught.value.reason == "connection"
    assert chat.call_count == 1
    assert stream.closed.is_set()


async def test_stream_without_content_is_a_bad_response(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = lambda request: sse_response(
        ScriptedStream([sse_body([chunk(role="assistant", delta=""), chunk(finish="stop")])])
    )
    with pytest.raises(LLMUnavailable) as caught:
        await collect(make_llm(max_attempts=4))
    assert (caught.value.reason, chat.call_count) == ("bad_response", 2)


async def test_rejection_is_not_retried(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=status(400))
    with pytest.raises(LLMRejected):
        await collect(make_llm())
    assert chat.call_count == 1


async def test_stalled_first_token_is_cut_at_timeout(chat: respx.Route, make_llm: MakeLLM) -> None:
    streams: list[ScriptedStream] = []

    def stall(request: httpx.Request) -> httpx.Response:
        streams.append(stalled_stream(chunk(role="assistant", delta="")))
        return sse_response(streams[-1])

    chat.side_effect = stall
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await collect(make_llm(max_attempts=2, timeout_s=0.1))
    assert time.monotonic() - began < 0.5
    assert caught.value.reason == "timeout"
    assert len(streams) == 2
    assert all(s.closed.is_set() for s in streams)


async def test_deadline_bounds_the_whole_stream(chat: respx.Route, make_llm: MakeLLM) -> None:
    stream = stalled_stream(chunk("Hello"))
    chat.mock(return_value=sse_response(stream))
    received: list[StreamChunk | Completion] = []
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await drain(make_llm(timeout_s=10, deadline_s=0.3), received)
    assert time.monotonic() - began < 0.5
    assert received == [StreamChunk("Hello")]
    assert caught.value.reason == "deadline"
    assert stream.closed.is_set()


async def test_cancellation_closes_the_http_stream(chat: respx.Route, make_llm: MakeLLM) -> None:
    stream = stalled_stream(chunk("Hello"))
    chat.mock(return_value=sse_response(stream))
    first = asyncio.Event()
    llm = make_llm(timeout_s=30, deadline_s=60)

    async def consume() -> None:
        async with contextlib.aclosing(llm.stream(MESSAGES, **SAMPLING)) as it:
            async for _ in it:
                first.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(first.wait(), 1)
    await asyncio.wait_for(stream.stalled.wait(), 1)  # the consumer now waits for the next chunk
    began = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - began < 0.1
    assert stream.closed.is_set()


async def test_cancellation_before_first_delta(chat: respx.Route, make_llm: MakeLLM) -> None:
    stream = stalled_stream(chunk(role="assistant", delta=""))
    chat.mock(return_value=sse_response(stream))
    task = asyncio.ensure_future(collect(make_llm(timeout_s=30, deadline_s=60)))
    await asyncio.wait_for(stream.stalled.wait(), 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stream.closed.is_set()


async def test_early_aclose_closes_the_http_stream(chat: respx.Route, make_llm: MakeLLM) -> None:
    stream = stalled_stream(chunk("Hello"))
    chat.mock(return_value=sse_response(stream))
    generator = make_llm().stream(MESSAGES, **SAMPLING)
    assert await anext(generator) == StreamChunk("Hello")
    await generator.aclose()
    assert stream.closed.is_set()


@pytest.mark.parametrize("usage", [True, False])
async def test_request_is_what_sdk_create_would_send(
    chat: respx.Route, make_llm: MakeLLM, openai_client: AsyncOpenAI, usage: bool
) -> None:
    chat.side_effect = lambda _: sse_ok("Hello")
    await collect(make_llm(stream_usage=usage, timeout_s=1.0))
    stream = await openai_client.chat.completions.create(
        model=SAMPLING["model"],
        messages=MESSAGES,
        temperature=SAMPLING["temperature"],
        max_tokens=SAMPLING["max_tokens"],
        stream=True,
        stream_options={"include_usage": True} if usage else openai.omit,
        timeout=httpx.Timeout(1.0, connect=1.0),
    )
    await stream.close()
    same_request(chat.calls[0].request, chat.calls[1].request)
