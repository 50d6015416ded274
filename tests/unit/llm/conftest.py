"""LLM test fixtures: respx in front of http://llm.test/v1 and a factory for tiny-wait clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import respx
from openai import AsyncOpenAI

from service.llm.breaker import CircuitBreaker
from service.llm.openai_client import OpenAICompatibleClient, make_async_openai
from tests.unit.llm.fakes import API_KEY, BASE_URL

MakeLLM = Callable[..., OpenAICompatibleClient]


@pytest.fixture
def llm_http() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def chat(llm_http: respx.MockRouter) -> respx.Route:
    return llm_http.post("/chat/completions", name="chat")


@pytest.fixture
async def openai_client() -> AsyncIterator[AsyncOpenAI]:
    client = make_async_openai(BASE_URL, API_KEY, timeout_s=2.0)
    yield client
    await client.close()


@pytest.fixture
def make_llm(openai_client: AsyncOpenAI) -> MakeLLM:
    """Clients with tiny backoff so the suite stays fast; any argument can be overridden."""

    def make(breaker: CircuitBreaker | None = None, **overrides: Any) -> OpenAICompatibleClient:
        options: dict[str, Any] = {
            "max_attempts": 3,
            "deadline_s": 10.0,
            "timeout_s": 5.0,  # generous: a loaded 2-core machine makes the first SDK call slow
            "backoff_multiplier": 0.005,
            "backoff_max_s": 0.02,
        }
        options.update(overrides)
        return OpenAICompatibleClient(openai_client, breaker, **options)

    return make
