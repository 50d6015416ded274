"""A worker killed with SIGKILL mid-job: another worker process takes the job over after the
heartbeat lapses, and the helpdesk (a loopback Chatwoot) receives exactly one note."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from bench.mock_helpdesk import MockChatwoot
from bench.mock_llm import MockLLMServer
from service.app import create_app
from service.config import Settings
from service.config.env import environment
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.webhooks.conftest import SECRETS, hook_settings, post_seed, seed, wait_job

REPO_ROOT = Path(__file__).resolve().parents[3]


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TACTFUL_", "OPENAI_"))}
    env.update(environment(settings))
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


class WorkerProcess:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "worker", "--concurrency", "2"],
                env=worker_env(settings),
                cwd=log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    async def ready(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        while b"worker.ready" not in self.log.read_bytes():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "worker did not start"
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def running(workers: list[WorkerProcess], job_id: str, timeout_s: float = 60.0) -> WorkerProcess:
    """The worker whose log says it started the job."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for worker in workers:
            if job_id.encode() in worker.log.read_bytes():
                return worker
        await asyncio.sleep(0.05)
    raise AssertionError("no worker started the job")


async def test_sigkill_mid_job_another_worker_finishes_and_one_note_lands(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    with MockChatwoot("cw-token") as chatwoot:
        async with MockLLMServer(latency_ms=3_000) as llm:
            settings = hook_settings(
                redis_server.url,
                llm_provider="openai",
                llm_base_url=llm.base_url,
                llm_api_key="mock",
                llm_model="mock-1",
                llm_timeout_s=10.0,
                chatwoot_base_url=chatwoot.url,
            )
            assert settings.integrations.chatwoot.secret is not None
            assert settings.integrations.chatwoot.secret.get_secret_value() == SECRETS["chatwoot"]
            workers = [WorkerProcess(settings, tmp_path / f"worker-{n}.log") for n in (1, 2)]
            try:
                async with AsyncTestClient(app=create_app(settings)) as client:
                    for worker in workers:
                        await worker.ready()
                    job_id = (await post_seed(client, seed("chatwoot.message_created"))).json()["job_id"]
                    victim = await running(workers, job_id)
                    await asyncio.sleep(0.3)  # the victim is now waiting on the slow LLM
                    victim.process.send_signal(signal.SIGKILL)
                    victim.process.wait()
                    view = await wait_job(client, job_id, timeout_s=90)
            finally:
                for worker in workers:
                    worker.stop()
    for worker in workers:  # privacy: the workers log ids and outcomes, never ticket text or drafts
        logged = worker.log.read_bytes()
        assert b"charged twice" not in logged
        assert view["draft"]["reply"][:40].encode() not in logged
    survivor = next(w for w in workers if w is not victim)
    assert b"job.started" in survivor.log.read_bytes()
    assert view["state"] == "complete", view
    assert view["attempts"] == 2
    assert view["deliveries"][0]["delivered"] is True
    assert len(chatwoot.notes) == 1
    note = chatwoot.notes[0]
    assert (note.account, note.conversation) == ("1", "57")
    assert note.body["private"] is True
    assert view["draft"]["reply"] in note.body["content"]
