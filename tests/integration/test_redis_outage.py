"""Redis going away (and coming back) under a running app: drafts keep flowing, readiness says so.

Each test owns a dedicated redis-server on a fixed port, so that it can be stopped, paused and
restarted on the same address without disturbing the session's shared server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis, free_port
from tests.integration.conftest import make_settings, seed_thread

FAST_S = 1.0  # far above a healthy draft, far below what a client would notice as a hang
RECOVERY_S = 5.0  # the cache suspends Redis for about a second after an error


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", port=free_port(), appendonly=False)
    with server:
        yield server


@pytest.fixture
async def client(own_redis: EmbeddedRedis) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(make_settings(own_redis.url))) as test_client:
        yield test_client


async def timed_draft(client: AsyncTestClient[Any], thread: dict[str, Any]) -> tuple[httpx.Response, float]:
    began = time.perf_counter()
    response = await client.post("/v1/drafts", json=thread)
    elapsed = time.perf_counter() - began
    assert response.status_code == 200, response.text
    assert response.json()["reply"]
    return response, elapsed


def assert_uncached(response: httpx.Response) -> None:
    assert response.headers["x-cache"] == "MISS"
    assert response.json()["cached"] is False


async def wait_until_ready(client: AsyncTestClient[Any]) -> httpx.Response:
    deadline = time.monotonic() + RECOVERY_S
    while True:
        response = await client.get("/health/ready")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.05)


async def draft_until_hit(client: AsyncTestClient[Any], thread: dict[str, Any]) -> list[str]:
    """Draft ``thread`` until the cache answers; returns the X-Cache of every answer."""
    seen: list[str] = []
    deadline = time.monotonic() + RECOVERY_S
    while time.monotonic() < deadline:
        response, _ = await timed_draft(client, thread)
        seen.append(response.headers["x-cache"])
        if seen[-1] == "HIT":
            break
        await asyncio.sleep(0.05)
    return seen


async def test_drafts_survive_redis_going_away_and_the_cache_refills(
    client: AsyncTestClient[Any], own_redis: EmbeddedRedis, tmp_path: Path
) -> None:
    thread = seed_thread()
    first, _ = await timed_draft(client, thread)
    assert first.headers["x-cache"] == "MISS"
    second, _ = await timed_draft(client, thread)
    assert second.headers["x-cache"] == "HIT"
    assert second.json()["cached"] is True
    assert (await client.get("/health/ready")).status_code == 200

    own_redis.stop()

    # The thread that was cached, and a new one: both drafted again, quickly, never a 5xx.
    for candidate in (thread, {**thread, "id": "outage-1"}, thread):
        response, elapsed = await timed_draft(client, candidate)
        assert_uncached(response)
        assert elapsed < FAST_S, f"a draft took {elapsed:.2f}s with Redis down"

    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.headers["retry-after"]
    checks = ready.json()["checks"]
    assert checks["redis"]["ok"] is False
    assert checks["redis"]["configured"] is True
    assert checks["llm"]["ok"] is True

    # Back on the same port (empty: no append-only file), the service finds it again by itself.
    with EmbeddedRedis(tmp_path / "redis-again", port=own_redis.port, appendonly=False):
        ready = await wait_until_ready(client)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["redis"]["ok"] is True

        fresh = {**thread, "id": "after-restart"}
        seen = await draft_until_hit(client, fresh)
        assert seen[-1] == "HIT", seen
        assert seen[0] == "MISS"
        # Stored in the new server, not served from some in-process copy.
        probe = redis.Redis.from_url(own_redis.url)
        try:
            assert any(key.startswith(b"tactful:draft:") for key in probe.scan_iter())
        finally:
            probe.close()


async def test_a_hanging_redis_costs_a_draft_at_most_its_timeouts(
    client: AsyncTestClient[Any], own_redis: EmbeddedRedis
) -> None:
    """A Redis that stops answering (paused, partitioned) is worse than one that refuses connections."""
    thread = {**seed_thread(), "id": "hang-1"}
    await timed_draft(client, thread)
    probe = redis.Redis.from_url(own_redis.url)
    try:
        info: dict[str, Any] = probe.info("server")  # type: ignore[assignment]  # sync client: a dict
        pid = int(info["process_id"])
    finally:
        probe.close()

    os.kill(pid, signal.SIGSTOP)
    try:
        response, elapsed = await timed_draft(client, thread)
        assert_uncached(response)
        assert elapsed < 2.0, f"a draft took {elapsed:.2f}s with Redis hanging"
        # While the cache has Redis suspended, the next draft does not wait for it at all.
        response, elapsed = await timed_draft(client, {**thread, "id": "hang-2"})
        assert_uncached(response)
        assert elapsed < FAST_S / 2
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
    finally:
        os.kill(pid, signal.SIGCONT)

    assert (await wait_until_ready(client)).status_code == 200
    assert (await draft_until_hit(client, thread))[-1] == "HIT"
