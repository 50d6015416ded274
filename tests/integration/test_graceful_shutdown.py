"""SIGTERM to `tactful serve` while drafts are in flight: every accepted request gets its answer.

With a drain period (TACTFUL_SHUTDOWN_DRAIN_S) readiness turns 503 `draining` first while requests
are still served; then the in-flight ones finish, the listener closes and the process exits 0.

The real CLI runs as a child process (its own signal handling is what is tested) against a real
Redis and the bench's mock LLM on loopback, slow enough that requests are in flight when the
signal arrives. `python -m bench.faults sigterm` measures the same under heavier load.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from bench.mock_llm import MockLLMServer
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import seed_thread
from tests.support.serving import served

IN_FLIGHT = 8


async def wait_until(condition: Any, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_sigterm_lets_in_flight_drafts_finish(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    async with (
        MockLLMServer(latency_ms=1_000) as llm,
        # All of them at the LLM at once.
        served(redis_server.url, llm.base_url, tmp_path, TACTFUL_LLM_MAX_CONCURRENCY=str(IN_FLIGHT)) as (
            process,
            client,
        ),
    ):
        drafts = [
            asyncio.create_task(client.post("/v1/drafts", json={**seed_thread(), "id": f"term-{i}"}))
            for i in range(IN_FLIGHT)
        ]
        # All wait for the LLM. A precondition, not the property under test: a cold process reads
        # its language data on the first drafts, which takes seconds on a loaded CI machine.
        await wait_until(lambda: llm.app.stats.in_flight >= IN_FLIGHT, timeout_s=30)
        process.send_signal(signal.SIGTERM)
        # Draining: readiness says so (a load balancer stops sending), work is still served.
        draining = await client.get("/health/ready")
        for _ in range(50):  # the signal is handled between two event-loop turns
            if draining.status_code == 503:
                break
            await asyncio.sleep(0.01)
            draining = await client.get("/health/ready")
        late = await client.post("/v1/drafts", json={**seed_thread(), "id": "term-late"})
        responses = await asyncio.gather(*drafts)
        code = await asyncio.to_thread(process.wait, 20)
        # After shutdown nobody is listening: a new request is refused, not half-served.
        try:
            await client.get("/health/live")
            refused = False
        except httpx.ConnectError:
            refused = True
    assert refused
    assert draining.status_code == 503
    assert draining.json()["status"] == "draining"
    assert late.status_code == 200
    assert [r.status_code for r in responses] == [200] * IN_FLIGHT
    assert {r.json()["provider"] for r in responses} == {"openai"}
    assert code == 0
