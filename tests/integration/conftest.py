"""App fixtures: the real Litestar app on a real Redis, with the LLM's HTTP mocked by respx."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.config import Settings
from service.server.embedded_redis import EmbeddedRedis
from tests.conftest import SEEDS
from tests.support.settings import settings_from

LLM_BASE_URL = "http://llm.test/v1"

GOOD_REPLY = (
    "Hi Dana,\n\nI understand how frustrating it is to be charged twice, and I'm sorry for the worry "
    "this caused. I have checked your account and can see the duplicate payment. Here is what we can "
    "do: I have started a refund for the second charge, which usually reaches your card within 3-5 "
    "business days. I will keep an eye on it and update you as soon as it is processed.\n\n"
    "Best regards,\nSam"
)


def completion(content: str, *, prompt_tokens: int = 120, completion_tokens: int = 80) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "mock-1",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def reply_response(content: str) -> httpx.Response:
    return httpx.Response(200, json=completion(content))


def seed_thread(name: str = "billing_double_charge") -> dict[str, Any]:
    path = SEEDS / "threads" / f"{name}.json"
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    return {
        "id": "T-1001",
        "subject": "Charged twice",
        "channel": "email",
        "customer": {"name": "Dana Reyes", "email": "dana@example.com"},
        "agent": {"name": "Sam"},
        "messages": [
            {
                "role": "customer",
                "body": "Hello, I was charged twice for my March invoice and I'm really frustrated. "
                "Please refund the duplicate payment.",
            }
        ],
    }


def make_settings(redis_url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"redis_url": redis_url, "llm_provider": "offline"}
    values.update(overrides)
    return settings_from(**values)


def llm_settings(redis_url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_provider": "openai",
        "llm_base_url": LLM_BASE_URL,
        "llm_api_key": "sk-test-not-real",
        "llm_model": "mock-1",
        "llm_max_attempts": 3,
        "llm_deadline_s": 5.0,
        "llm_timeout_s": 2.0,
    }
    values.update(overrides)
    return make_settings(redis_url, **values)


ClientFactory = Callable[[Settings], AbstractAsyncContextManager[AsyncTestClient[Any]]]


@pytest.fixture
def client_for() -> ClientFactory:
    def factory(settings: Settings) -> AbstractAsyncContextManager[AsyncTestClient[Any]]:
        return AsyncTestClient(app=create_app(settings))

    return factory


@pytest.fixture
async def offline_client(
    redis_server: EmbeddedRedis, redis_client: Any
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(make_settings(redis_server.url))) as client:
        yield client


@pytest.fixture
def llm_mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def llm_client(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        yield client
