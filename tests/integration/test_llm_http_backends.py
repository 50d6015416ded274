"""Both HTTP backends under the openai SDK, against a loopback server speaking the OpenAI protocol.

respx patches httpx's own transport, so the respx-based tests run on the httpx backend; these
tests are where the default aiohttp backend meets a real socket: completions, streams, timeouts,
refused connections and the error mapping the retry policy depends on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bench.mock_llm import MockConfig, MockLLMServer
from service.llm.base import ChatMessage, Completion, LLMUnavailable, StreamChunk
from service.llm.openai_client import OpenAICompatibleClient, make_async_openai
from service.llm.transport import HttpBackend, resolve_backend
from service.server.embedded_redis import free_port
from tests.unit.llm.fakes import Sampling

BACKENDS: list[HttpBackend] = ["aiohttp", "httpx"]
MESSAGES = [
    ChatMessage(role="system", content="You draft empathetic replies for a support agent."),
    ChatMessage(role="user", content="Customer: Ana\n\nCustomer: my order never arrived and I'm upset."),
]
SAMPLING: Sampling = {"model": "mock-1", "temperature": 0.2, "max_tokens": 200}


@asynccontextmanager
async def make_llm(
    base_url: str, backend: HttpBackend, *, timeout_s: float = 5.0
) -> AsyncIterator[OpenAICompatibleClient]:
    client = make_async_openai(base_url, None, timeout_s=timeout_s, backend=backend)
    try:
        yield OpenAICompatibleClient(
            client, None, max_attempts=2, deadline_s=3, timeout_s=timeout_s, backoff_multiplier=0.001
        )
    finally:
        await client.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_completion(mock_llm: MockLLMServer, backend: HttpBackend) -> None:
    async with make_llm(mock_llm.base_url, backend) as llm:
        completion = await llm.complete(MESSAGES, **SAMPLING)
    assert "Ana" in completion.text
    assert completion.prompt_tokens is not None
    assert completion.prompt_tokens > 0
    assert mock_llm.app.stats.chat_completions == 1


@pytest.mark.parametrize("backend", BACKENDS)
async def test_stream_delivers_deltas_then_the_completion(
    mock_llm: MockLLMServer, backend: HttpBackend
) -> None:
    mock_llm.app.config = MockConfig(token_ms=1.0)
    deltas: list[str] = []
    final: Completion | None = None
    async with make_llm(mock_llm.base_url, backend) as llm:
        async for item in llm.stream(MESSAGES, **SAMPLING):
            if isinstance(item, StreamChunk):
                deltas.append(item.delta)
            else:
                final = item
    assert len(deltas) > 3
    assert final is not None
    assert final.text == "".join(deltas)
    assert mock_llm.app.stats.streamed == 1


@pytest.mark.parametrize("backend", BACKENDS)
async def test_read_timeout_is_retried_then_reported(mock_llm: MockLLMServer, backend: HttpBackend) -> None:
    mock_llm.app.config = MockConfig(latency_ms=1_000)
    async with make_llm(mock_llm.base_url, backend, timeout_s=0.2) as llm:
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "timeout"
    assert mock_llm.app.stats.chat_completions == 2  # both attempts reached the server


@pytest.mark.parametrize("backend", BACKENDS)
async def test_refused_connection_is_a_connection_error(backend: HttpBackend) -> None:
    async with make_llm(f"http://127.0.0.1:{free_port()}/v1", backend) as llm:
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "connection"


def test_auto_prefers_aiohttp_but_keeps_httpx_behind_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert resolve_backend("auto") == "aiohttp"
    assert resolve_backend("httpx") == "httpx"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert resolve_backend("auto") == "httpx"
    assert resolve_backend("aiohttp") == "aiohttp"
