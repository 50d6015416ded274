"""The stock SDK client against a loopback server speaking the OpenAI protocol over a real socket.

respx patches httpx's transport in-process; these tests are where the client meets a real
socket: completions, streams, timeouts, refused connections and the error mapping the retry
policy depends on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bench.mock_llm import MockConfig, MockLLMServer
from service.llm.base import ChatMessage, Completion, LLMUnavailable, StreamChunk
from service.llm.openai_client import OpenAICompatibleClient, make_async_openai
from service.server.embedded_redis import free_port
from tests.unit.llm.fakes import Sampling

MESSAGES = [
    ChatMessage(role="system", content="You draft empathetic replies for a support agent."),
    ChatMessage(role="user", content="Customer: Ana\n\nCustomer: my order never arrived and I'm upset."),
]
SAMPLING: Sampling = {"model": "mock-1", "temperature": 0.2, "max_tokens": 200}


@asynccontextmanager
async def make_llm(base_url: str, *, timeout_s: float = 5.0) -> AsyncIterator[OpenAICompatibleClient]:
    client = make_async_openai(base_url, None, timeout_s=timeout_s)
    try:
        yield OpenAICompatibleClient(
            client, None, max_attempts=2, deadline_s=3, timeout_s=timeout_s, backoff_multiplier=0.001
        )
    finally:
        await client.close()


async def test_completion(mock_llm: MockLLMServer) -> None:
    async with make_llm(mock_llm.base_url) as llm:
        completion = await llm.complete(MESSAGES, **SAMPLING)
    assert "Ana" in completion.text
    assert completion.prompt_tokens is not None
    assert completion.prompt_tokens > 0
    assert mock_llm.app.stats.chat_completions == 1


async def test_stream_delivers_deltas_then_the_completion(mock_llm: MockLLMServer) -> None:
    mock_llm.app.config = MockConfig(token_ms=1.0)
    deltas: list[str] = []
    final: Completion | None = None
    async with make_llm(mock_llm.base_url) as llm:
        async for item in llm.stream(MESSAGES, **SAMPLING):
            if isinstance(item, StreamChunk):
                deltas.append(item.delta)
            else:
                final = item
    assert len(deltas) > 3
    assert final is not None
    assert final.text == "".join(deltas)
    assert mock_llm.app.stats.streamed == 1


async def test_read_timeout_is_retried_then_reported(mock_llm: MockLLMServer) -> None:
    mock_llm.app.config = MockConfig(latency_ms=1_000)
    async with make_llm(mock_llm.base_url, timeout_s=0.2) as llm:
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "timeout"
    assert mock_llm.app.stats.chat_completions == 2  # both attempts reached the server


async def test_refused_connection_is_a_connection_error() -> None:
    async with make_llm(f"http://127.0.0.1:{free_port()}/v1") as llm:
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "connection"
