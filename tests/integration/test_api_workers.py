"""`tactful serve --workers 2`: two API processes on one port share single-flight and rate limits
through Redis, and stop gracefully together.

The real CLI runs as a child process against the session's Redis and the bench's mock LLM on
loopback (slow enough that identical requests overlap).
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.mock_llm import MockLLMServer
from service.server.embedded_redis import EmbeddedRedis, free_port
from tests.integration.conftest import seed_thread
from tests.integration.test_graceful_shutdown import serve, wait_live

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
KEY = "workers-test-key-0123456789"


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


async def test_two_workers_share_single_flight_and_rate_limits(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    async with MockLLMServer(latency_ms=800) as llm:
        port = free_port()
        process = serve(
            redis_server.url,
            llm.base_url,
            port,
            tmp_path,
            "--workers",
            "2",
            TACTFUL_API_KEYS=KEY,
            TACTFUL_RATE_LIMIT_API="30",
            TACTFUL_SHUTDOWN_DRAIN_S="0",
        )
        try:
            limits = httpx.Limits(max_keepalive_connections=0)  # a new connection, any worker, each time
            headers = {"Authorization": f"Bearer {KEY}"}
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits, headers=headers
            ) as client:
                await wait_live(client, process)
                deadline = time.monotonic() + 30
                while len(children(process.pid)) < 2:
                    assert time.monotonic() < deadline, "two API workers never started"
                    await asyncio.sleep(0.1)
                llm.app.stats.reset()

                thread = seed_thread()
                answers = await asyncio.gather(*(client.post("/v1/drafts", json=thread) for _ in range(12)))
                assert [a.status_code for a in answers] == [200] * 12
                assert llm.app.stats.chat_completions == 1  # one draft computed for twelve asks
                assert len({a.json()["id"] for a in answers}) == 1

                # 12 requests spent of the key's 30 (the readiness probes above are not /v1/*).
                more = await asyncio.gather(*(client.post("/v1/drafts", json=thread) for _ in range(24)))
                codes = sorted(a.status_code for a in more)
                assert codes.count(200) == 18
                assert codes.count(429) == 6
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            assert children(process.pid) == []
