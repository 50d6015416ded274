"""`tactful serve` as a child process, for the tests of the real command: its signal handling,
its workers, the embedded Redis it starts."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from service.server.embedded_redis import free_port

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).with_name("tactful")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "service.cli"]


def child_env(**extra: str) -> dict[str, str]:
    """This environment without any Tactful or OpenAI setting, plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("TACTFUL_", "OPENAI_"))}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def start_serve(
    port: int, cwd: Path, env: dict[str, str], *args: str, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """``tactful serve`` on 127.0.0.1:``port``; its output goes to ``log``, or nowhere."""
    argv = [*COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    if log is None:
        return subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with log.open("wb") as output:
        return subprocess.Popen(argv, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)


def serve_on_llm(
    redis_url: str, llm_url: str, port: int, tmp_path: Path, *args: str, **extra_env: str
) -> subprocess.Popen[bytes]:
    """``tactful serve`` drafting with the LLM at ``llm_url``; ``args`` and ``extra_env`` add to it."""
    defaults = {
        "TACTFUL_REDIS_URL": redis_url,
        "TACTFUL_LLM_PROVIDER": "openai",
        "TACTFUL_LLM_BASE_URL": llm_url,
        "TACTFUL_LLM_API_KEY": "test",
        "TACTFUL_LLM_MODEL": "mock-1",
        "TACTFUL_LOG_LEVEL": "WARNING",
        "TACTFUL_SHUTDOWN_DRAIN_S": "1",
    }
    env = child_env(**{**defaults, **extra_env})
    return start_serve(port, tmp_path, env, *args)


# Building the runtime (rules, lexicons, language tables) takes 2-3 s per process alone and 30-40 s
# for two workers on a 2-core machine that runs other suites too.
START_TIMEOUT_S = 90


async def wait_live(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "tactful serve exited at start"
        try:
            if (await client.get("/health/live")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("tactful serve did not start")


@contextlib.asynccontextmanager
async def served(
    redis_url: str,
    llm_url: str,
    tmp_path: Path,
    *args: str,
    headers: dict[str, str] | None = None,
    **extra_env: str,
) -> AsyncIterator[tuple[subprocess.Popen[bytes], httpx.AsyncClient]]:
    """A live ``tactful serve`` on a free port and a client for it; stopped with SIGTERM at the end
    if still running (killed if it does not stop in 30 s)."""
    port = free_port()
    process = serve_on_llm(redis_url, llm_url, port, tmp_path, *args, **extra_env)
    try:
        # A new connection per request, as a load balancer's: with workers, any of them may answer.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits, headers=headers
        ) as client:
            await wait_live(client, process)
            yield process, client
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
