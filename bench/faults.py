"""``python -m bench.faults``: the fault-tolerance figures of the ops issue, measured.

Each scenario starts its own Redis (never 6379), the mock LLM and ``tactful serve`` as separate
processes on loopback, drives load over real HTTP, breaks something, and prints what the clients
saw:

- ``schemathesis``: property-based requests generated from our OpenAPI schema (the ``st`` CLI),
  counted by the server itself (``tactful_http_requests_total``): requests, 5xx, schema violations.
- ``redis``: Redis SIGKILLed for a while in the middle of a draft load, then restarted empty on the
  same port: failed drafts, what ``/health/ready`` said, the cache hit rate before, during, after.
- ``hang``: the LLM stops answering; every draft must answer within the LLM deadline plus 1 s,
  with the offline fallback on (a draft) and off (503 + Retry-After).
- ``worst``: requests at the limits written to be slow (issue 14; bench/worst.py): each one's server
  CPU and the slowest ``/health/live`` answer while it runs; oversized and slow request heads.
- ``sigterm``: SIGTERM to the API while drafts are in flight (each request on its own connection),
  without a drain period and with one (``TACTFUL_SHUTDOWN_DRAIN_S``) and clients that follow
  ``/health/ready`` as a load balancer would: requests cut off must be 0.

``--quick`` shortens every scenario (a smoke run, not the figures). Exit 0 when every target was
met, 1 when one was missed, 2 when a process would not start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from bench.procs import REPO_ROOT, BenchSetupError, Managed, start_api, start_mock
from bench.threads import ThreadFactory, load_threads
from bench.worst import WORST_ENV, run_worst
from service.server.embedded_redis import EmbeddedRedis

SCENARIOS = ("schemathesis", "redis", "hang", "sigterm", "worst")
SCHEMA_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
_REQUESTS_LINE = re.compile(
    r'^tactful_http_requests_total\{method="[^"]*",route="[^"]*",status="(\d+)"\} (\S+)$'
)


@dataclass
class Figure:
    scenario: str
    name: str
    value: str
    target: str = ""
    ok: bool = True


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None  # None: no HTTP response
    error: str | None = None  # the transport error's type when there was no response
    cache: str | None = None
    provider: str | None = None

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Stack:
    """Redis, the mock LLM and the API of one scenario."""

    scratch: Path
    redis: EmbeddedRedis
    mock: Managed
    mock_origin: str
    api: Managed | None = None
    origin: str = ""
    figures: list[Figure] = field(default_factory=list)

    def start_api(self, **env: str) -> None:
        self.stop_api()
        self.api, self.origin = start_api(
            self.scratch,
            redis_url=self.redis.url,
            llm_origin=self.mock_origin,
            extra_env=env,
            wait_for="/health/live",
        )

    def stop_api(self) -> None:
        if self.api is not None:
            self.api.stop()
            self.api = None

    def set_llm(self, **config: float) -> None:
        httpx.post(f"{self.mock_origin}/_config", json=config, timeout=5).raise_for_status()

    def flush_redis(self) -> None:
        client = redis.Redis.from_url(self.redis.url)
        try:
            client.flushdb()
        finally:
            client.close()


def redis_pid(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        info: dict[str, Any] = client.info("server")  # type: ignore[assignment]  # sync client: a dict
        return int(info["process_id"])
    finally:
        client.close()


async def draft(client: httpx.AsyncClient, thread: dict[str, Any]) -> Outcome:
    started = time.monotonic()
    try:
        response = await client.post("/v1/drafts", json=thread)
    except httpx.HTTPError as exc:
        return Outcome(started, time.monotonic(), None, type(exc).__name__)
    provider = None
    if response.status_code == 200:
        provider = str(response.json().get("provider"))
    return Outcome(
        started, time.monotonic(), response.status_code, None, response.headers.get("x-cache"), provider
    )


async def closed_loop(
    concurrency: int, until: Callable[[], bool], request: Callable[[int], Awaitable[Outcome]]
) -> list[Outcome]:
    """``concurrency`` clients, each sending its next request as soon as the last one answered."""
    outcomes: list[Outcome] = []
    counter = 0

    async def client_loop() -> None:
        nonlocal counter
        while not until():
            counter += 1
            outcomes.append(await request(counter))

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    return outcomes


# --- schemathesis ---------------------------------------------------------------------------------


def answered_by_status(origin: str) -> Counter[int]:
    text = httpx.get(f"{origin}/metrics", timeout=10).text
    counts: Counter[int] = Counter()
    for line in text.splitlines():
        match = _REQUESTS_LINE.match(line)
        if match:
            counts[int(match.group(1))] += int(float(match.group(2)))
    return counts


@dataclass(frozen=True)
class SchemathesisRun:
    generated: int
    failures: int
    errors: int
    operations: int
    requests: int
    server_errors: int
    exit_code: int


def run_schemathesis(
    origin: str, *, max_examples: int, scratch: Path, phases: str = "coverage,fuzzing", seed: int = 1
) -> SchemathesisRun:
    """The ``st`` CLI against ``origin``'s OpenAPI schema; figures from its JSON report and /metrics."""
    report = scratch / "schemathesis.json"
    before = answered_by_status(origin)
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{origin}/schema/openapi.json",
        "--checks",
        ",".join(SCHEMA_CHECKS),
        "--max-examples",
        str(max_examples),
        "--phases",
        phases,
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    log = scratch / "schemathesis.log"
    with log.open("wb") as out:
        completed = subprocess.run(
            command, cwd=scratch, stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False
        )
    data = json.loads(report.read_text(encoding="utf-8"))
    after = answered_by_status(origin)
    answered = after - before
    return SchemathesisRun(
        generated=int(data["test_cases"]["generated"]),
        failures=len(data["failures"]),
        errors=len(data["errors"]) + int(data["test_cases"]["errored"]),
        operations=int(data["operations"]["tested"]),
        requests=sum(answered.values()),
        server_errors=sum(n for status, n in answered.items() if status >= 500),
        exit_code=completed.returncode,
    )


def scenario_schemathesis(stack: Stack, quick: bool) -> None:
    # The rate limit would answer 429 to a generator sending thousands of requests from one address.
    stack.start_api(TACTFUL_RATE_LIMIT_API="0")
    run = run_schemathesis(stack.origin, max_examples=20 if quick else 150, scratch=stack.scratch)
    add = stack.figures.append
    add(Figure("schemathesis", "operations tested", str(run.operations), "all"))
    add(Figure("schemathesis", "test cases generated", str(run.generated)))
    add(
        Figure(
            "schemathesis",
            "requests answered (server count)",
            str(run.requests),
            ">= 1000",
            run.requests >= 1000,
        )
    )
    add(Figure("schemathesis", "server errors (5xx)", str(run.server_errors), "0", run.server_errors == 0))
    add(
        Figure("schemathesis", "schema violations (failed checks)", str(run.failures), "0", run.failures == 0)
    )
    add(Figure("schemathesis", "generator errors", str(run.errors), "0", run.errors == 0))


# --- Redis killed under load ----------------------------------------------------------------------


async def _redis_outage(stack: Stack, duration_s: float, kill_at: float, outage_s: float) -> None:
    threads = ThreadFactory(load_threads())
    pool = [threads.unique("redis", i) for i in range(40)]  # repeated: the cache has work to do
    began = time.monotonic()
    ready: list[tuple[float, int]] = []
    restarted = EmbeddedRedis(stack.scratch / "redis-restarted", port=stack.redis.port, appendonly=False)
    events: dict[str, float] = {}

    async def chaos() -> None:
        await asyncio.sleep(kill_at)
        os.kill(redis_pid(stack.redis.url), signal.SIGKILL)
        events["killed"] = time.monotonic() - began
        stack.redis.stop()  # reaps the killed process
        await asyncio.sleep(outage_s)
        await asyncio.to_thread(restarted.start)
        events["restarted"] = time.monotonic() - began

    async def probe(client: httpx.AsyncClient) -> None:
        while time.monotonic() - began < duration_s:
            try:
                status = (await client.get("/health/ready")).status_code
            except httpx.HTTPError:
                status = 0
            ready.append((time.monotonic() - began, status))
            await asyncio.sleep(0.25)

    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=stack.origin, timeout=30, limits=limits) as client:
        load = closed_loop(
            8, lambda: time.monotonic() - began >= duration_s, lambda i: draft(client, pool[i % len(pool)])
        )
        outcomes, *_ = await asyncio.gather(load, chaos(), probe(client))
    try:
        _report_redis(stack, outcomes, ready, events, began, duration_s, outage_s)
    finally:
        restarted.stop()


def _report_redis(
    stack: Stack,
    outcomes: list[Outcome],
    ready: list[tuple[float, int]],
    events: dict[str, float],
    began: float,
    duration_s: float,
    outage_s: float,
) -> None:
    killed, back = events["killed"], events["restarted"]
    failed = [o for o in outcomes if o.status != 200]

    def hit_rate(start: float, end: float) -> str:
        window = [o for o in outcomes if start <= o.started - began < end and o.status == 200]
        hits = sum(o.cache == "HIT" for o in window)
        return f"{hits / len(window):.0%} of {len(window)}" if window else "n/a"

    during = [status for t, status in ready if killed + 0.5 < t < back]
    recovered_at = next((t for t, status in ready if t > back and status == 200), None)
    first_hit = next(
        (o.started - began for o in outcomes if o.started - began > back and o.cache == "HIT"), None
    )
    add = stack.figures.append
    add(Figure("redis", "draft requests during the run", str(len(outcomes))))
    add(
        Figure(
            "redis",
            f"failed drafts (Redis down {outage_s:.0f} s of {duration_s:.0f} s)",
            str(len(failed)),
            "0",
            not failed,
        )
    )
    add(
        Figure(
            "redis",
            "/health/ready while Redis was down",
            f"{Counter(during)}",
            "503",
            bool(during) and set(during) == {503},
        )
    )
    add(
        Figure(
            "redis",
            "/health/ready back to 200 after restart",
            "never" if recovered_at is None else f"{recovered_at - back:.2f} s",
            "recovers",
            recovered_at is not None,
        )
    )
    add(Figure("redis", "cache hit rate before the kill", hit_rate(0, killed)))
    add(Figure("redis", "cache hit rate while Redis was down", hit_rate(killed, back), "0% (bypass)"))
    add(
        Figure(
            "redis",
            "first cache HIT after the restart",
            "never" if first_hit is None else f"{first_hit - back:.2f} s",
            "refills",
            first_hit is not None,
        )
    )
    add(
        Figure(
            "redis", "cache hit rate in the last quarter of the run", hit_rate(duration_s * 0.75, duration_s)
        )
    )
    add(Figure("redis", "slowest draft", f"{max(o.seconds for o in outcomes):.2f} s"))


def scenario_redis(stack: Stack, quick: bool) -> None:
    stack.set_llm(latency_ms=50)
    stack.start_api()
    duration, kill_at, outage = (12.0, 4.0, 3.0) if quick else (60.0, 20.0, 10.0)
    asyncio.run(_redis_outage(stack, duration, kill_at, outage))


# --- the LLM hangs -------------------------------------------------------------------------------


async def _hanging(stack: Stack, concurrent: int, sequential: int) -> list[Outcome]:
    threads = ThreadFactory(load_threads())
    async with httpx.AsyncClient(base_url=stack.origin, timeout=60) as client:
        burst = await asyncio.gather(*(draft(client, threads.unique("hang", i)) for i in range(concurrent)))
        after = [await draft(client, threads.unique("hang-after", i)) for i in range(sequential)]
    return [*burst, *after]


def scenario_hang(stack: Stack, quick: bool) -> None:
    deadline_s = 3.0
    stack.set_llm(latency_ms=600_000)  # ten minutes: for the service, a hung endpoint
    try:
        for fallback in ("true", "false"):
            stack.flush_redis()  # each run starts with a closed breaker
            stack.start_api(
                TACTFUL_LLM_DEADLINE_S=str(deadline_s),
                TACTFUL_LLM_TIMEOUT_S="2",
                TACTFUL_LLM_FALLBACK_OFFLINE=fallback,
            )
            outcomes = asyncio.run(_hanging(stack, 10 if quick else 50, 5 if quick else 20))
            slowest = max(o.seconds for o in outcomes)
            expected = 200 if fallback == "true" else 503
            statuses = Counter(o.status for o in outcomes)
            label = "fallback on" if fallback == "true" else "fallback off"
            add = stack.figures.append
            add(Figure("hang", f"{label}: drafts sent (burst + sequential)", str(len(outcomes))))
            add(
                Figure(
                    "hang",
                    f"{label}: statuses",
                    str(dict(statuses)),
                    str(expected),
                    set(statuses) == {expected},
                )
            )
            add(
                Figure(
                    "hang",
                    f"{label}: slowest answer (deadline {deadline_s:.0f} s)",
                    f"{slowest:.2f} s",
                    f"<= {deadline_s + 1:.0f} s",
                    slowest <= deadline_s + 1,
                )
            )
    finally:
        stack.set_llm(latency_ms=0)


# --- SIGTERM under load --------------------------------------------------------------------------


@dataclass(frozen=True)
class TermRun:
    outcomes: list[Outcome]
    signalled: float
    exited: float
    code: int


async def _sigterm(stack: Stack, concurrency: int, before_s: float, *, follow_readiness: bool) -> TermRun:
    """``concurrency`` clients draft until the API is gone; SIGTERM after ``before_s``.

    With ``follow_readiness`` the clients act like a load balancer that polls ``/health/ready``
    every 100 ms: once it answers 503 they send nothing new.
    """
    assert stack.api is not None
    threads = ThreadFactory(load_threads())
    process = stack.api.process
    done = asyncio.Event()
    removed = asyncio.Event()  # the "load balancer" took the backend out of rotation
    # A fresh connection per request: what is measured is the server's shutdown, not the race of a
    # client reusing a keep-alive connection the server is closing (a client or proxy retries those).
    limits = httpx.Limits(max_keepalive_connections=0)
    async with (
        httpx.AsyncClient(base_url=stack.origin, timeout=60, limits=limits) as client,
        httpx.AsyncClient(base_url=stack.origin, timeout=1) as prober,
    ):

        async def poll_readiness() -> None:
            while not done.is_set():
                try:
                    if (await prober.get("/health/ready")).status_code == 503:
                        removed.set()
                        return
                except httpx.HTTPError:
                    removed.set()
                    return
                await asyncio.sleep(0.1)

        async def signal_later() -> tuple[float, float, int]:
            await asyncio.sleep(before_s)
            sent = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(process.wait, 90)
            exited = time.monotonic()
            await asyncio.sleep(0.5)  # clients see the refused connections for a moment
            done.set()
            return sent, exited, code

        def stop() -> bool:
            return done.is_set() or (follow_readiness and removed.is_set())

        load = closed_loop(concurrency, stop, lambda i: draft(client, threads.unique("term", i)))
        probe = poll_readiness() if follow_readiness else asyncio.sleep(0)
        outcomes, (sent, exited, code), _ = await asyncio.gather(load, signal_later(), probe)
    return TermRun(outcomes, sent, exited, code)


def _report_sigterm(stack: Stack, label: str, run: TermRun, *, target_all: bool) -> None:
    sent = run.signalled
    in_flight = [o for o in run.outcomes if o.started < sent < o.ended]
    completed = [o for o in in_flight if o.status == 200]
    refused = [o for o in run.outcomes if o.status is None and o.error == "ConnectError"]
    failed = [
        o for o in run.outcomes if (o.status is None and o.error != "ConnectError") or (o.status or 0) >= 500
    ]
    before = [o for o in failed if o.started < sent]
    after = [o for o in failed if o.started >= sent]
    add = stack.figures.append
    add(Figure("sigterm", f"{label}: drafts answered 200", str(sum(o.status == 200 for o in run.outcomes))))
    add(Figure("sigterm", f"{label}: in flight when SIGTERM arrived", str(len(in_flight))))
    add(
        Figure(
            "sigterm",
            f"{label}: of those, completed with 200",
            str(len(completed)),
            # Without a drain the listener-close race is reported, not judged: it depends on timing.
            str(len(in_flight)) if target_all else "",
            len(completed) == len(in_flight) or not target_all,
        )
    )
    add(
        Figure(
            "sigterm",
            f"{label}: requests sent before SIGTERM and cut off",
            str(len(before)),
            "0" if target_all else "",
            not before or not target_all,
        )
    )
    add(
        Figure(
            "sigterm",
            f"{label}: requests sent after SIGTERM and reset unread",
            str(len(after)),
            "0" if target_all else "",
            not after or not target_all,
        )
    )
    add(Figure("sigterm", f"{label}: connections refused after the listener closed", str(len(refused))))
    add(
        Figure(
            "sigterm",
            f"{label}: exit status / seconds from SIGTERM to exit",
            f"{run.code} / {run.exited - sent:.2f} s",
            "0",
            run.code == 0,
        )
    )
    for o in failed:
        print(
            f"{label}: {o.error or o.status} sent {o.started - sent:+.3f} s, failed {o.ended - sent:+.3f} s",
            file=sys.stderr,
        )


def scenario_sigterm(stack: Stack, quick: bool) -> None:
    concurrency, before_s = (20, 2.0) if quick else (60, 5.0)
    stack.set_llm(latency_ms=1_500)
    try:
        # uvicorn alone: the listener closes at once; a request racing that moment can be reset.
        stack.start_api()
        run = asyncio.run(_sigterm(stack, concurrency, before_s, follow_readiness=False))
        _report_sigterm(stack, "no drain", run, target_all=False)
        # With a drain period and clients that follow readiness, as behind a load balancer.
        stack.start_api(TACTFUL_SHUTDOWN_DRAIN_S="2")
        run = asyncio.run(_sigterm(stack, concurrency, before_s, follow_readiness=True))
        _report_sigterm(stack, "2 s drain, readiness-following clients", run, target_all=True)
    finally:
        stack.set_llm(latency_ms=0)
        stack.stop_api()


def scenario_worst(stack: Stack, quick: bool) -> None:
    stack.start_api(**WORST_ENV)
    assert stack.api is not None
    for name, value, target, ok in run_worst(stack.origin, stack.api.process.pid, quick):
        stack.figures.append(Figure("worst", name, value, target, ok))


RUNNERS: dict[str, Callable[[Stack, bool], None]] = {
    "schemathesis": scenario_schemathesis,
    "redis": scenario_redis,
    "hang": scenario_hang,
    "sigterm": scenario_sigterm,
    "worst": scenario_worst,
}


def run(scenarios: Sequence[str], quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in scenarios:
        with tempfile.TemporaryDirectory(prefix=f"tactful-fault-{name}-") as tmp:
            scratch = Path(tmp)
            with EmbeddedRedis(scratch / "redis", appendonly=False) as server:
                mock, mock_origin = start_mock(scratch)
                stack = Stack(scratch, server, mock, mock_origin)
                try:
                    print(f"running {name} ...", file=sys.stderr, flush=True)
                    RUNNERS[name](stack, quick)
                finally:
                    stack.stop_api()
                    mock.stop()
                figures.extend(stack.figures)
    return figures


def render(figures: Sequence[Figure]) -> str:
    lines = ["| scenario | figure | value | target | met |", "|---|---|---|---|---|"]
    for f in figures:
        met = "" if not f.target else ("yes" if f.ok else "**no**")
        lines.append(f"| {f.scenario} | {f.name} | {f.value} | {f.target} | {met} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="shorter runs: a smoke test, not the figures")
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    os.chdir(REPO_ROOT)
    try:
        figures = run(args.scenarios or SCENARIOS, args.quick)
    except BenchSetupError as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 2
    print(render(figures))
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
