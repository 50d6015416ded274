"""SIGTERM to `tactful serve` while drafts are in flight: every accepted request gets its answer.

With a drain period (TACTFUL_SHUTDOWN_DRAIN_S) readiness turns 503 `draining` first while requests
are still served; then the in-flight ones finish, the listener closes and the process exits 0.

The real CLI runs as a child process (its own signal handling is what is tested) against a real
Redis and the bench's mock LLM on loopback, slow enough that requests are in flight when the
signal arrives. `python -m bench.faults sigterm` measures the same under heavier load.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.mock_llm import MockLLMServer
from service.server.embedded_redis import EmbeddedRedis, free_port
from tests.integration.conftest import seed_thread

REPO = Path(__file__).resolve().parents[2]
IN_FLIGHT = 8


def serve(
    redis_url: str, llm_url: str, port: int, tmp_path: Path, *args: str, **extra_env: str
) -> subprocess.Popen[bytes]:
    """`tactful serve` as a child process on the mock LLM; `args` and `extra_env` add to its defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TACTFUL_", "OPENAI_"))}
    env.update(
        {
            "TACTFUL_REDIS_URL": redis_url,
            "TACTFUL_LLM_PROVIDER": "openai",
            "TACTFUL_LLM_BASE_URL": llm_url,
            "TACTFUL_LLM_API_KEY": "test",
            "TACTFUL_LLM_MODEL": "mock-1",
            "TACTFUL_LOG_LEVEL": "WARNING",
            "TACTFUL_SHUTDOWN_DRAIN_S": "1",
            "TACTFUL_LLM_MAX_CONCURRENCY": str(IN_FLIGHT),  # all of them at the LLM at once
            "PYTHONPATH": str(REPO),
            **extra_env,
        }
    )
    argv = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    return subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_live(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "tactful serve exited at start"
        try:
            if (await client.get("/health/live")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("tactful serve did not start")


async def wait_until(condition: Any, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_sigterm_lets_in_flight_drafts_finish(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    async with MockLLMServer(latency_ms=1_000) as llm:
        port = free_port()
        process = serve(redis_server.url, llm.base_url, port, tmp_path)
        try:
            # One connection per request, as a load balancer's would be.
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=20, limits=limits
            ) as client:
                await wait_live(client, process)
                drafts = [
                    asyncio.create_task(client.post("/v1/drafts", json={**seed_thread(), "id": f"term-{i}"}))
                    for i in range(IN_FLIGHT)
                ]
                await wait_until(lambda: llm.app.stats.in_flight >= IN_FLIGHT)  # all wait for the LLM
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
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert refused
    assert draining.status_code == 503
    assert draining.json()["status"] == "draining"
    assert late.status_code == 200
    assert [r.status_code for r in responses] == [200] * IN_FLIGHT
    assert {r.json()["provider"] for r in responses} == {"openai"}
    assert code == 0
