"""`tactful serve --workers 2`: two API processes on one port share single-flight and rate limits
through Redis, and stop gracefully together.

The real CLI runs as a child process against the session's Redis and the bench's mock LLM on
loopback (slow enough that identical requests overlap).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from bench.mock_llm import MockLLMServer
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import seed_thread
from tests.support.serving import START_TIMEOUT_S, served, wait_live

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
KEY = "workers-test-key-0123456789"


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


async def test_two_workers_share_single_flight_and_rate_limits(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    async with (
        MockLLMServer(latency_ms=800) as llm,
        served(
            redis_server.url,
            llm.base_url,
            tmp_path,
            "--workers",
            "2",
            headers={"Authorization": f"Bearer {KEY}"},
            TACTFUL_API_KEYS=KEY,
            TACTFUL_RATE_LIMIT_API="30",
            TACTFUL_SHUTDOWN_DRAIN_S="0",
        ) as (process, client),
    ):
        await two_workers(process.pid)
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
    assert process.returncode == 0  # both workers drained and stopped on SIGTERM
    assert children(process.pid) == []


def api_workers(pid: int) -> list[int]:
    """The API workers among the supervisor's children (multiprocessing also runs a resource tracker)."""
    return [child for child in children(pid) if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


async def two_workers(pid: int) -> list[int]:
    """The two API workers of supervisor ``pid``, once both have started."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while len(workers := api_workers(pid)) < 2:
        assert time.monotonic() < deadline, "two API workers never started"
        await asyncio.sleep(0.1)
    return workers


def worker_env(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def checks_counted(families: Iterable[Metric]) -> float:
    """The sum of tactful_guardrail_checks_total over its labels."""
    return sum(
        sample.value
        for family in families
        if family.name == "tactful_guardrail_checks"
        for sample in family.samples
        if sample.name == "tactful_guardrail_checks_total"
    )


def counted_by(directory: Path, pid: int) -> float:
    """What one worker counted, read from its own multiprocess file."""
    path = directory / f"counter_{pid}.db"
    if not path.exists():
        return 0.0
    return checks_counted(MultiProcessCollector.merge([str(path)]))  # type: ignore[no-untyped-call]


def live_gauges(directory: Path, pid: int) -> list[Path]:
    return list(directory.glob(f"gauge_live*_{pid}.db"))


async def scraped(client: httpx.AsyncClient) -> float:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return checks_counted(text_string_to_metric_families(response.text))


async def test_metrics_sum_the_counters_of_every_worker(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    async with (
        MockLLMServer(latency_ms=0) as llm,
        served(redis_server.url, llm.base_url, tmp_path, "--workers", "2", TACTFUL_SHUTDOWN_DRAIN_S="0") as (
            process,
            client,
        ),
    ):
        workers = await two_workers(process.pid)
        directory = Path(worker_env(workers[0])["PROMETHEUS_MULTIPROC_DIR"])
        assert worker_env(workers[1])["PROMETHEUS_MULTIPROC_DIR"] == str(directory)

        # Checks until both workers have counted some (the kernel picks who accepts).
        body = {"text": "Hi Dana, I understand how frustrating this is. Best, Sam"}
        sent = 0
        while sent < 400 and not all(counted_by(directory, pid) for pid in workers):
            answers = await asyncio.gather(
                *(client.post("/v1/guardrails/check", json=body) for _ in range(8))
            )
            assert {a.status_code for a in answers} == {200}
            sent += len(answers)
        per_worker = [counted_by(directory, pid) for pid in workers]
        assert all(per_worker), f"one worker served all {sent} checks"
        assert sum(per_worker) == sent
        # Whichever worker answers the scrape reports the sum, not its own share.
        for _ in range(6):
            assert await scraped(client) == sent

        # A worker that dies takes its live gauges with it, not its counts.
        assert live_gauges(directory, workers[0])
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while workers[0] in api_workers(process.pid) or len(api_workers(process.pid)) < 2:
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            await asyncio.sleep(0.1)
        await wait_live(client, process)
        assert not live_gauges(directory, workers[0])
        assert await scraped(client) == sent
    assert process.returncode == 0
    assert not live_gauges(directory, workers[1])  # the run's metrics files go with it
