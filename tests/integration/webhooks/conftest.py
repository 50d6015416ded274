"""Webhook fixtures: the real app and real SAQ workers on the session's Redis; helpdesk APIs mocked
with respx (in-process workers) or a loopback server (worker processes)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from litestar.testing import AsyncTestClient
from saq import Worker

from service.app import create_app
from service.config import Settings
from service.integrations.seeds import SEEDS_DIR, Seed, load_seed
from service.integrations.signing import sign
from service.server.embedded_redis import EmbeddedRedis
from service.server.worker import build_worker, run_worker
from tests.integration.conftest import make_settings

GENERIC_KEY = b"generic-test-key-0123456789abcdef"
SECRETS = {
    "chatwoot": "cw-secret-0123456789",
    "zendesk": "zd-secret-0123456789",
    "zammad": "zm-secret-0123456789",
    "front": "fr-secret-0123456789",
    "intercom": "ic-secret-0123456789",
    "helpscout": "hs-secret-0123456789",
    "freescout": "fs-secret-0123456789",
    "freshdesk": "fd-token-0123456789",
    "generic": "whsec_" + base64.b64encode(GENERIC_KEY).decode(),
}
CALLBACK_KEY = b"callback-test-key-0123456789abcd"
CALLBACK_SECRET = "whsec_" + base64.b64encode(CALLBACK_KEY).decode()

HELPDESKS: dict[str, Any] = {
    "chatwoot_base_url": "https://chatwoot.test",
    "chatwoot_api_token": "cw-token",
    "zendesk_base_url": "https://acme.zendesk.test",
    "zendesk_email": "bot@acme.test",
    "zendesk_api_token": "zd-token",
    "zammad_base_url": "https://zammad.test",
    "zammad_api_token": "zm-token",
    "front_base_url": "https://front.test",
    "front_api_token": "fr-token",
    "intercom_base_url": "https://intercom.test",
    "intercom_access_token": "ic-token",
    "intercom_admin_id": "991",
    "helpscout_base_url": "https://helpscout.test",
    "helpscout_app_id": "hs-app",
    "helpscout_app_secret": "hs-app-secret",
    "freescout_base_url": "https://freescout.test",
    "freescout_api_key": "fs-key",
    "freescout_user_id": 7,
    "freshdesk_base_url": "https://acme.freshdesk.test",
    "freshdesk_api_key": "fd-key",
    "callback_url": "https://receiver.test/tactful",
    "callback_secret": CALLBACK_SECRET,
}

FAST_JOBS: dict[str, Any] = {
    "job_max_attempts": 3,
    "job_retry_delay_s": 0.0,
    "job_retry_max_delay_s": 0.0,
    "job_heartbeat_s": 2,
    "worker_sweep_s": 1,
    "delivery_timeout_s": 2.0,
}


def hook_settings(redis_url: str | None, *, helpdesks: bool = True, **overrides: Any) -> Settings:
    values: dict[str, Any] = {f"webhook_secret_{source}": secret for source, secret in SECRETS.items()}
    values.update(FAST_JOBS)
    if helpdesks:
        values.update(HELPDESKS)
    values.update(overrides)
    return make_settings(redis_url, **values)


def seed(name: str) -> Seed:
    return load_seed(SEEDS_DIR / f"{name}.json")


def seed_names() -> list[str]:
    return sorted(path.stem for path in Path(SEEDS_DIR).glob("*.json"))


def signed(
    seed_: Seed, *, body: bytes | None = None, now: float | None = None
) -> tuple[bytes, dict[str, str]]:
    raw = seed_.raw() if body is None else body
    return raw, {**seed_.headers, **sign(seed_.source, raw, SECRETS[seed_.source], now=now)}


async def post_seed(client: AsyncTestClient[Any], seed_: Seed, **kwargs: Any) -> Any:
    raw, headers = signed(seed_, **kwargs)
    return await client.post(f"/v1/webhooks/{seed_.source}", content=raw, headers=headers)


def with_body(seed_: Seed, mutate: Callable[[dict[str, Any]], None]) -> Seed:
    body = json.loads(json.dumps(seed_.body))
    mutate(body)
    return Seed(seed_.name, seed_.source, seed_.headers, body)


async def wait_job(client: AsyncTestClient[Any], job_id: str, *, timeout_s: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = await client.get(f"/v1/jobs/{job_id}")
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        if view["state"] in ("complete", "failed"):
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {view['state']} after {timeout_s}s")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running_worker(settings: Settings, *, concurrency: int = 4) -> AsyncIterator[Worker[Any]]:
    """A real SAQ worker in this event loop (so respx sees its HTTP), stopped at the end."""
    worker = build_worker(settings, concurrency=concurrency, shutdown_grace_s=0.5)
    worker.SIGNALS = []  # the test process keeps its own signal handlers
    task = asyncio.create_task(run_worker(worker))
    try:
        yield worker
    finally:
        await worker.stop()
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def hooks(redis_server: EmbeddedRedis, redis_client: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(hook_settings(redis_server.url))) as client:
        yield client


@pytest.fixture
def helpdesk() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router
