"""Browser tests: the real app (`tactful serve` in a subprocess), a loopback LLM, Debian's Chromium.

- The LLM is tests/streaming_llm.py's scripted OpenAI-compatible server, run in a thread with its
  own event loop (a browser cannot be intercepted by respx). It also serves a Chatwoot-like host
  page from its own origin, so the agent page is embedded cross-origin as in a real helpdesk.
- Tactful runs as `tactful serve` on a free port with TACTFUL_REDIS_URL pointing at the test Redis
  (its own database number), API keys on, and the host page's origin in frame-ancestors.
- Chromium is /usr/bin/chromium (Debian's package, installed by .ci/run), driven by Playwright's
  Python package through ``executable_path``; Playwright's own browser downloads are never used.
  Each session gets a fresh user-data-dir.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.server.embedded_redis import EmbeddedRedis
from tests.streaming_llm import ScriptedLLM, serve
from tests.support.serving import START_TIMEOUT_S, child_env, start_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
API_KEY = "e2e-key-not-secret"
REDIS_DB = 7  # the other tests flush database 0


@dataclass
class LLMServer:
    llm: ScriptedLLM
    url: str

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


@dataclass
class Tactful:
    url: str
    llm: ScriptedLLM
    llm_url: str  # the mock's origin, which also serves the helpdesk host pages

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: `apt-get install -y chromium` (Debian's package; .ci/run does it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    """The scripted LLM in a thread of its own, so that it answers while the test blocks."""
    llm = ScriptedLLM()
    ready = threading.Event()
    url: list[str] = []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def run() -> None:
        async with serve(llm) as served:
            url.append(served)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    assert ready.wait(10), "the mock LLM did not start"
    yield LLMServer(llm, url[0])
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    loop.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def tactful(
    llm_server: LLMServer, redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tactful]:
    port = _free_port()
    workdir = tmp_path_factory.mktemp("tactful")  # no stray .env from the checkout
    env = child_env(
        TACTFUL_REDIS_URL=redis_server.url.rsplit("/", 1)[0] + f"/{REDIS_DB}",
        TACTFUL_LLM_BASE_URL=llm_server.base_url,
        TACTFUL_LLM_API_KEY="sk-e2e-not-real",
        TACTFUL_LLM_MODEL="mock-1",
        TACTFUL_API_KEYS=API_KEY,
        TACTFUL_FRAME_ANCESTORS=f"'self',{llm_server.url}",
        TACTFUL_LOG_LEVEL="WARNING",
        TACTFUL_API_WORKERS="1",  # the page's tests need one process; workers have their own test
    )
    log = workdir / "serve.log"
    process = start_serve(port, workdir, env, log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_live(url, process, log)
        yield Tactful(url, llm_server.llm, llm_server.url)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_live(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = log.read_text(errors="replace")
            raise RuntimeError(f"tactful serve exited with {process.returncode}: {errors[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("tactful serve did not come up")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path_factory.mktemp("chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def llm(tactful: Tactful) -> ScriptedLLM:
    """The scripted LLM, reset before each test."""
    llm = tactful.llm
    llm.replies.clear()
    llm.first_token_ms = llm.token_ms = 0.0
    llm.fail_status = None
    return llm


@pytest.fixture
def page(browser_context: Any, tactful: Tactful) -> Iterator[Any]:
    """A new tab on the agent page, API key entered (the page asks once per browser session)."""
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(tactful.url + "/")
    enter_key(page, API_KEY)
    yield page
    page.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def enter_key(page: Any, key: str) -> None:
    dialog = page.locator("#key-dialog")
    dialog.wait_for(state="visible")
    page.fill("#api-key", key)
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
