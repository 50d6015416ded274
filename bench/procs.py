"""The processes a benchmark run needs: the mock LLM, the Tactful API, the stack floor, the workers.

Each writes its output to a log file in the run's scratch directory (never to a pipe nobody reads,
which would block the process once the pipe is full); on a failed start the log's tail is shown.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from bench.cpu import serving_processes, tree_cpu_s
from service.server.embedded_redis import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
# How long a server may take to start: two API workers importing at once on a loaded 2-core box
# took over 60 s (each builds its runtime in ~20 s when the other engineers' jobs share the cores).
START_TIMEOUT_S = 180.0


# The API and the workers of a run share these; the driver signs with the first.
BENCH_WEBHOOK_SECRET = "bench-webhook-secret"
BENCH_CHATWOOT_TOKEN = "bench-chatwoot-token"
# Short job timings so that a killed worker's jobs are taken over within seconds.
BENCH_JOB_ENV = {
    "TACTFUL_WEBHOOK_SECRET_CHATWOOT": BENCH_WEBHOOK_SECRET,
    "TACTFUL_JOB_HEARTBEAT_S": "5",
    "TACTFUL_JOB_RETRY_DELAY_S": "1",
    "TACTFUL_WORKER_SWEEP_S": "2",
    "TACTFUL_DELIVERY_TIMEOUT_S": "5",
    "TACTFUL_RATE_LIMIT_WEBHOOKS": "100000000",  # on (its round trip is real overhead), never reached
}


class BenchSetupError(RuntimeError):
    """A process of the benchmark could not be started."""


def _log_tail(path: Path, limit: int = 2_000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except OSError:
        return ""


class Managed:
    """A child process with a readiness URL; stopped politely, then killed."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def wait_ready(self, url: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last = "no answer"
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise BenchSetupError(
                        f"{self.name} exited with {self.process.returncode} at start:\n{_log_tail(self.log)}"
                    )
                try:
                    response = client.get(url)
                    if response.status_code == 200:
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = type(exc).__name__
                time.sleep(0.1)
        self.stop()
        raise BenchSetupError(
            f"{self.name} not ready at {url} after {timeout_s}s ({last}):\n{_log_tail(self.log)}"
        )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def __enter__(self) -> Managed:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _clean_env() -> dict[str, str]:
    # A developer's exported TACTFUL_* or OPENAI_* settings (API keys, another LLM) must not leak
    # into the service under test: the benchmark sets every variable it relies on.
    return {key: value for key, value in os.environ.items() if not key.startswith(("TACTFUL_", "OPENAI_"))}


def start_mock(scratch: Path, *, latency_ms: float = 0.0) -> tuple[Managed, str]:
    """The mock LLM on a free loopback port; returns the process and its origin URL."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.mock_llm", "--port", str(port), "--latency-ms", str(latency_ms)]
    env = _clean_env()
    env["PYTHONPATH"] = _python_path(env, REPO_ROOT)
    mock = Managed("mock LLM", argv, env=env, cwd=REPO_ROOT, log=scratch / "mock_llm.log")
    origin = f"http://127.0.0.1:{port}"
    mock.wait_ready(f"{origin}/_stats", timeout_s=20)
    return mock, origin


def _python_path(env: dict[str, str], source: Path) -> str:
    return os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))


def wait_settled(server: Managed, workers: int, timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait until all ``workers`` processes of a server exist and have finished starting.

    The first worker that answers makes the readiness URL answer 200, while the others may still be
    importing; the kernel would hand every connection opened meanwhile to the one that is ready. A
    worker's start is CPU-bound, so the tree is settled when it has every worker and none of them
    used more than a trickle of CPU for half a second.
    """
    deadline = time.monotonic() + timeout_s
    previous: float | None = None
    while time.monotonic() < deadline:
        cpu = tree_cpu_s(server.process.pid)
        if cpu is None:
            if server.process.poll() is None:
                return  # no /proc to read: nothing to wait on
            raise BenchSetupError(f"{server.name} exited at start:\n{_log_tail(server.log)}")
        # Below 4 % of a core: background timers only (a start costs seconds of CPU).
        if (
            serving_processes(server.process.pid) >= workers
            and previous is not None
            and cpu - previous < 0.02
        ):
            return
        previous = cpu
        time.sleep(0.5)
    raise BenchSetupError(f"{server.name}: {workers} workers not settled after {timeout_s:g} s")


def start_floor(
    scratch: Path, *, llm_origin: str, llm_request: bytes, workers: int = 1, redis_url: str | None = None
) -> tuple[Managed, str]:
    """The stack floor (bench/floor_app.py) sending ``llm_request`` to the mock; process and URL.

    It runs ``workers`` processes under the supervisor ``tactful serve --workers`` uses, so it
    has the same server, settings and process layout as the service it is compared with. With
    ``redis_url`` its webhook route verifies with the service's Chatwoot secret and queues there."""
    port = free_port()
    request_file = scratch / "floor-llm-request.json"
    request_file.write_bytes(llm_request)
    env = _clean_env()
    env["PYTHONPATH"] = _python_path(env, REPO_ROOT)
    if redis_url is not None:
        # The variables the floor's workers read (bench/floor_app.py), not its command line: the
        # secret stays out of the process list.
        env["BENCH_FLOOR_REDIS_URL"] = redis_url
        env["BENCH_FLOOR_WEBHOOK_SECRET"] = BENCH_WEBHOOK_SECRET
    argv = [
        sys.executable,
        "-m",
        "bench.floor_app",
        "--port",
        str(port),
        "--llm-base-url",
        f"{llm_origin}/v1",
        "--llm-request",
        str(request_file),
        "--workers",
        str(workers),
    ]
    floor = Managed("stack floor", argv, env=env, cwd=scratch, log=scratch / "floor.log")
    origin = f"http://127.0.0.1:{port}"
    floor.wait_ready(f"{origin}/ready", timeout_s=START_TIMEOUT_S)
    wait_settled(floor, workers)
    return floor, origin


def start_api(
    scratch: Path,
    *,
    redis_url: str,
    llm_origin: str,
    extra_env: dict[str, str] | None = None,
    wait_for: str = "/health/ready",
    workers: int | None = None,
    source: Path = REPO_ROOT,
    name: str = "tactful",
) -> tuple[Managed, str]:
    """``tactful serve`` pointed at the mock; returns the process and its URL.

    ``workers``: API processes (``TACTFUL_API_WORKERS``; None leaves the service's default, one per
    core). ``source``: the checkout whose ``service`` package runs (``--baseline`` passes another
    commit's). ``extra_env`` adds or overrides settings (the fault scenarios tune deadlines and limits)."""
    port = free_port()
    env = _clean_env()
    env.update(
        {
            "TACTFUL_REDIS_URL": redis_url,
            "TACTFUL_LLM_PROVIDER": "openai",
            "TACTFUL_LLM_BASE_URL": f"{llm_origin}/v1",
            "TACTFUL_LLM_API_KEY": "bench",
            "TACTFUL_LLM_MODEL": "mock-1",
            "TACTFUL_LOG_LEVEL": "WARNING",
            # The limiter stays on (its Redis round trip is part of the real overhead) with a budget
            # no benchmark reaches: the bench sends thousands of drafts from one address.
            "TACTFUL_RATE_LIMIT_API": "100000000",
            # The mock LLM is a hosted-API-shaped endpoint with unbounded parallelism: the bench
            # measures Tactful, not the per-endpoint bound sized for one self-hosted server.
            "TACTFUL_LLM_MAX_CONCURRENCY": "1000",
            # Ahead of the editable install (a finder appended to sys.meta_path), so that
            # ``source`` decides which code serves.
            "PYTHONPATH": _python_path(env, source),
            **BENCH_JOB_ENV,
        }
    )
    if workers is not None:
        # An environment variable, not --workers: a baseline commit older than the flag ignores it.
        env["TACTFUL_API_WORKERS"] = str(workers)
    env.update(extra_env or {})
    argv = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    # cwd is the scratch directory so that a developer's ./.env cannot change the service under test.
    api = Managed(f"tactful serve ({name})", argv, env=env, cwd=scratch, log=scratch / f"{name}.log")
    origin = f"http://127.0.0.1:{port}"
    api.wait_ready(f"{origin}{wait_for}", timeout_s=START_TIMEOUT_S)
    if workers is not None:
        wait_settled(api, workers)
    return api, origin


def start_worker(scratch: Path, number: int, redis_url: str, llm_origin: str, chatwoot_url: str) -> Managed:
    """``tactful worker`` delivering to the loopback Chatwoot; ready once it logs ``worker.ready``."""
    env = _clean_env()
    env.update(
        {
            "TACTFUL_REDIS_URL": redis_url,
            "TACTFUL_LLM_PROVIDER": "openai",
            "TACTFUL_LLM_BASE_URL": f"{llm_origin}/v1",
            "TACTFUL_LLM_API_KEY": "bench",
            "TACTFUL_LLM_MODEL": "mock-1",
            "TACTFUL_LLM_MAX_CONCURRENCY": "1000",
            "TACTFUL_LOG_LEVEL": "INFO",
            "TACTFUL_CHATWOOT_BASE_URL": chatwoot_url,
            "TACTFUL_CHATWOOT_API_TOKEN": BENCH_CHATWOOT_TOKEN,
            "PYTHONPATH": _python_path(env, REPO_ROOT),
            **BENCH_JOB_ENV,
        }
    )
    argv = [sys.executable, "-m", "service.cli", "worker", "--concurrency", "20"]
    log = scratch / f"worker-{number}.log"
    worker = Managed(f"tactful worker {number}", argv, env=env, cwd=scratch, log=log)
    deadline = time.monotonic() + 60
    while b"worker.ready" not in log.read_bytes():
        if worker.process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            raise BenchSetupError(f"tactful worker {number} did not start:\n{_log_tail(log)}")
        time.sleep(0.05)
    return worker


# The cheapest route of every app: what a warm-up and a liveness probe hit.
WARM_TARGET = "/health/live"


def capture_llm_request(api_origin: str, mock_origin: str, thread: bytes) -> bytes:
    """One uncached draft through the service, and the chat completion body it sent the mock.

    The stack floor replays this body, so that both ask the LLM the same thing."""
    with httpx.Client(timeout=30.0) as client:
        response = client.post(
            f"{api_origin}/v1/drafts", content=thread, headers={"Content-Type": "application/json"}
        )
        if response.status_code != 200:
            raise BenchSetupError(f"the first draft failed: {response.status_code} {response.text[:200]}")
        sent = client.get(f"{mock_origin}/_last_request")
        if sent.status_code != 200:
            raise BenchSetupError("the mock LLM saw no chat completion during the first draft")
        return sent.content
