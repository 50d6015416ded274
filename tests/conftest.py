"""Shared fixtures: a real redis-server on a free port (never 6379), started once per session, and the
benchmark's OpenAI-compatible mock LLM on loopback, for tests that need a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, settings

from bench.mock_llm import MockConfig, MockLLMServer, MockStats
from service.server.embedded_redis import EmbeddedRedis

# Property tests check what is computed, not how fast: Hypothesis' default 200 ms wall-clock
# deadline fails at random on a loaded CI machine (a first call compiles its patterns). Every CPU
# bound has a worst-case test of its own (tests/integration/test_hardening.py and the bench).
settings.register_profile("tactful", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tactful")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TESTS = Path(__file__).resolve().parent
# Every test gets the marker of its tier from its folder, so `-m` selects tiers without decorations.
TIER_MARKERS = {"integration": "integration", "e2e": "e2e", "deploy": "deploy", "compat": "compat"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        marker = TIER_MARKERS.get(folder)
        if marker is not None:
            item.add_marker(marker)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendonly=False)
    with server:
        yield server


@pytest.fixture
async def redis_client(redis_server: EmbeddedRedis) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
async def mock_llm_server() -> AsyncIterator[MockLLMServer]:
    # One server per module: starting and stopping uvicorn costs ~0.3 s a time.
    async with MockLLMServer() as server:
        yield server


@pytest.fixture
def mock_llm(mock_llm_server: MockLLMServer) -> MockLLMServer:
    """The module's mock LLM with default behaviour and zeroed counters."""
    mock_llm_server.app.config = MockConfig()
    mock_llm_server.app.stats = MockStats()
    mock_llm_server.app.last_request = None
    return mock_llm_server
