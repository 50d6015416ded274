"""The benchmark scenarios, each against the running API and mock LLM, each adding rows to the report.

0. guardrails: the check time per reply size and the eval set per second, in process
   (bench/guardrails.py).
1. overhead: uncached drafts vs the same chat completion posted straight to the mock (0 ms LLM).
2. cache hit: one primed thread asked again and again.
3. coalescing: 100 identical concurrent requests for a never-seen thread -> LLM calls.
4. capacity: 1,000 concurrent uncached drafts against a 2 s LLM -> wall time, failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bench.clients import ClientKind, make_client
from bench.feedback import feedback
from bench.guardrails import measure as measure_guardrails
from bench.http1 import HTTPError, Response
from bench.load import LoadResult, burst, closed_loop, percentile
from bench.procs import WARM_TARGET, CPUMeter, start_floor
from bench.report import Report, Row, at_least, at_most, exactly, info
from bench.threads import ThreadFactory
from bench.webhooks import webhook_accept, webhook_durability
from service.drafting.cache import KEY_PREFIX as CACHE_KEY_PREFIX
from service.guardrails import load_guardrails

JSON_HEADERS = {"Content-Type": "application/json"}
DIRECT_HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer bench"}
DRAFTS = "/v1/drafts"
# Long enough that the 99 followers arrive while the first request's LLM call is still in flight,
# so the scenario tests single-flight and not just the cache (at 0 ms most would be plain hits).
COALESCE_LATENCY_MS = 500.0
CAPACITY_LATENCY_MS = 2000.0


@dataclass(frozen=True)
class Sizes:
    concurrency: int = 10
    warmup: int = 50
    overhead: int = 500
    overhead_serial: int = 200
    cache_hits: int = 2000
    cache_hits_serial: int = 500
    coalesce: int = 100
    capacity: int = 1000
    guard_checks: int = 3000  # timed checks per reply size (guardrails scenario)
    guard_eval_rounds: int = 10  # passes over the labelled eval set

    @classmethod
    def quick(cls, capacity: int = 1000) -> Sizes:
        return cls(
            warmup=20,
            overhead=100,
            overhead_serial=50,
            cache_hits=300,
            cache_hits_serial=100,
            capacity=capacity,
            guard_checks=300,
            guard_eval_rounds=2,
        )


@dataclass
class Bench:
    api: str  # origin, e.g. http://127.0.0.1:8123
    mock: str
    threads: ThreadFactory
    sizes: Sizes
    client: ClientKind = "raw"
    api_pid: int | None = None  # to read the API process's CPU time
    api_log: Path | None = None  # its JSON log: warnings during the run are reported
    redis_url: str | None = None  # to count what the cache stored
    scratch: Path | None = None  # where extra processes (the stack floor) keep their files


async def count_cached_drafts(redis_url: str | None) -> int | None:
    if redis_url is None:
        return None
    client = aioredis.Redis.from_url(redis_url)
    try:
        return sum([1 async for _ in client.scan_iter(match=f"{CACHE_KEY_PREFIX}*", count=1000)])
    except RedisError:
        return None
    finally:
        await client.aclose()


class MockControl:
    """The mock LLM's control endpoints (not measured, so plain httpx)."""

    def __init__(self, origin: str) -> None:
        self._client = httpx.AsyncClient(base_url=origin, timeout=10.0)

    async def configure(self, latency_ms: float) -> None:
        response = await self._client.post("/_config", json={"latency_ms": latency_ms, "token_ms": 0})
        response.raise_for_status()

    async def reset(self) -> None:
        (await self._client.post("/_reset")).raise_for_status()

    async def stats(self) -> dict[str, int]:
        response = await self._client.get("/_stats")
        response.raise_for_status()
        stats: dict[str, int] = response.json()
        return stats

    async def last_request(self) -> bytes | None:
        response = await self._client.get("/_last_request")
        return response.content if response.status_code == 200 else None

    async def aclose(self) -> None:
        await self._client.aclose()


def draft_problem(response: Response, *, expect_cache: str | None = None) -> str | None:
    """None when the response is a usable LLM draft (and a HIT/MISS as expected), else why not."""
    if response.status != 200:
        return f"HTTP {response.status}"
    cache = response.headers.get("x-cache", "")
    if expect_cache is not None and cache != expect_cache:
        return f"X-Cache {cache or 'missing'} (wanted {expect_cache})"
    try:
        body = json.loads(response.body)
    except ValueError:
        return "body is not JSON"
    if body.get("provider") != "openai":
        return f"provider {body.get('provider')} (fell back from the LLM)"
    if body.get("reply") is None:
        return f"status {body.get('status')}: no reply"
    return None


def server_timing(header: str) -> dict[str, float]:
    """``Server-Timing: llm;dur=1.2, total;dur=3.4`` -> {"llm": 1.2, "total": 3.4}."""
    timings: dict[str, float] = {}
    for entry in header.split(","):
        name, _, params = entry.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur":
                with contextlib.suppress(ValueError):
                    timings[name.strip()] = float(value)
    return timings


def _failures_note(result: LoadResult) -> str:
    if not result.failed:
        return ""
    top = "; ".join(f"{reason} x{count}" for reason, count in result.failures.most_common(3))
    return f"{result.failed} failed: {top}"


@dataclass
class FloorResult:
    """The stack floor (bench/floor_app.py) measured like the drafts: concurrent, then one at a time."""

    loaded: LoadResult
    serial: LoadResult
    cpu_ms: float | None

    def rows(
        self, name: str, c: int, draft: LoadResult, direct: LoadResult, direct_serial: LoadResult
    ) -> list[Row]:
        return [
            info(
                name,
                f"stack floor p50 / p99 (c={c})",
                self.loaded.p_ms(50),
                "ms",
                f"p99 {self.loaded.p_ms(99):.2f} ms; Litestar + uvicorn + one SDK call, none of Tactful's "
                "work (bench/floor_app.py)"
                + (f"; {_failures_note(self.loaded)}" if self.loaded.failed else ""),
            ),
            info(
                name,
                f"stack floor over the direct call p50 (c={c})",
                self.loaded.p_ms(50) - direct.p_ms(50),
                "ms",
                "what the framework, server and SDK alone add: below this no Tactful code can go",
            ),
            info(
                name,
                f"Tactful's own overhead over the stack floor p50 (c={c})",
                draft.p_ms(50) - self.loaded.p_ms(50),
                "ms",
                "p50(draft) - p50(stack floor): validation, Redis, analysis, prompt, guardrails, logs",
            ),
            info(
                name,
                "stack floor over the direct call p50 (c=1)",
                self.serial.p_ms(50) - direct_serial.p_ms(50),
                "ms",
            ),
            info(name, f"stack floor CPU per request (c={c})", self.cpu_ms, "ms", "CPU time of its process"),
        ]

    def details(self) -> dict[str, object]:
        return {"loaded": self.loaded.summary(), "serial": self.serial.summary(), "cpu_ms": self.cpu_ms}


async def stack_floor(bench: Bench, llm_request: bytes) -> FloorResult | None:
    """Start the floor app, measure it as the drafts were measured, stop it (None without scratch)."""
    if bench.scratch is None:
        return None
    sizes = bench.sizes
    floor_process, origin = await asyncio.to_thread(
        start_floor, bench.scratch, llm_origin=bench.mock, llm_request=llm_request
    )
    with floor_process:
        client = make_client(bench.client, origin, sizes.concurrency)
        cpu = CPUMeter(floor_process.process.pid)

        async def request(index: int) -> str | None:
            body = bench.threads.unique_json("floor", index)
            response = await client.request("POST", DRAFTS, body, JSON_HEADERS)
            return None if response.status == 200 else f"HTTP {response.status}"

        try:
            await closed_loop(request, total=sizes.warmup, concurrency=sizes.concurrency)
            cpu.start()
            loaded = await closed_loop(request, total=sizes.overhead, concurrency=sizes.concurrency)
            cpu_ms = cpu.per_request_ms(loaded.ok + loaded.failed)
            serial = await closed_loop(request, total=sizes.overhead_serial, concurrency=1)
        finally:
            await client.aclose()
    return FloorResult(loaded, serial, cpu_ms)


async def overhead(bench: Bench, control: MockControl, report: Report) -> None:
    sizes = bench.sizes
    await control.configure(0)
    api = make_client(bench.client, bench.api, sizes.concurrency)
    mock = make_client(bench.client, bench.mock, sizes.concurrency)
    # Server-Timing "total - llm" per draft, for the concurrent phase and the one-at-a-time phase.
    in_process_ms: tuple[list[float], list[float]] = ([], [])
    llm_phase_serial_ms: list[float] = []  # Server-Timing "llm": the SDK + HTTP + mock, one at a time
    cpu = CPUMeter(bench.api_pid)

    async def draft(index: int) -> str | None:
        response = await api.request("POST", DRAFTS, bench.threads.unique_json("ovh", index), JSON_HEADERS)
        problem = draft_problem(response, expect_cache="MISS")
        if problem is None:
            timing = server_timing(response.headers.get("server-timing", ""))
            if "total" in timing:
                in_process_ms[index >= sizes.overhead].append(timing["total"] - timing.get("llm", 0.0))
                if index >= sizes.overhead and "llm" in timing:
                    llm_phase_serial_ms.append(timing["llm"])
        return problem

    async def warm_draft(index: int) -> str | None:
        response = await api.request("POST", DRAFTS, bench.threads.unique_json("warm", index), JSON_HEADERS)
        return draft_problem(response)

    try:
        warm = await closed_loop(warm_draft, total=sizes.warmup, concurrency=sizes.concurrency)
        if warm.ok == 0:
            report.errors.append(f"overhead: no warm-up draft succeeded ({_failures_note(warm)})")
            return
        # Replay exactly what Tactful sent the LLM, so both sides of the comparison ask the same thing.
        payload = await control.last_request()
        if payload is None:
            report.errors.append("overhead: the mock saw no chat completion request during warm-up")
            return

        async def direct(index: int) -> str | None:
            response = await mock.request("POST", "/v1/chat/completions", payload, DIRECT_HEADERS)
            return None if response.status == 200 else f"HTTP {response.status}"

        await closed_loop(direct, total=sizes.warmup, concurrency=sizes.concurrency)
        direct_result = await closed_loop(direct, total=sizes.overhead, concurrency=sizes.concurrency)
        await control.reset()
        cpu.start()
        draft_result = await closed_loop(draft, total=sizes.overhead, concurrency=sizes.concurrency)
        cpu_per_draft = cpu.per_request_ms(draft_result.ok + draft_result.failed)
        llm_calls = (await control.stats())["chat_completions"]
        # One at a time as well: the cost of one draft without queueing behind the others.
        direct_serial = await closed_loop(direct, total=sizes.overhead_serial, concurrency=1)
        cpu.start()
        draft_serial = await closed_loop(
            lambda index: draft(sizes.overhead + index), total=sizes.overhead_serial, concurrency=1
        )
        cpu_per_draft_serial = cpu.per_request_ms(draft_serial.ok + draft_serial.failed)
        floor = await stack_floor(bench, payload)
    finally:
        await api.aclose()
        await mock.aclose()

    name, c = "overhead", sizes.concurrency
    added_p50 = draft_result.p_ms(50) - direct_result.p_ms(50)
    added_p99 = draft_result.p_ms(99) - direct_result.p_ms(99)
    report.add(
        info(
            name, f"direct LLM call p50 (c={c})", direct_result.p_ms(50), "ms", _failures_note(direct_result)
        ),
        info(name, f"direct LLM call p99 (c={c})", direct_result.p_ms(99), "ms"),
        info(name, f"uncached draft p50 (c={c})", draft_result.p_ms(50), "ms"),
        info(name, f"uncached draft p99 (c={c})", draft_result.p_ms(99), "ms"),
        at_most(
            name, "added overhead p50", added_p50, "ms", 5, "p50(draft) - p50(direct); guardrails included"
        ),
        at_most(name, "added overhead p99", added_p99, "ms", 20, "p99(draft) - p99(direct)"),
        info(name, "uncached drafts/s", draft_result.rps, "req/s", f"one API process, c={c}"),
        info(
            name,
            f"API CPU per uncached draft (c={c})",
            cpu_per_draft,
            "ms",
            "CPU time of the API process / drafts: what the code costs, without queueing",
        ),
        info(name, "API CPU per uncached draft (c=1)", cpu_per_draft_serial, "ms"),
        info(
            name,
            "added overhead p50 (c=1)",
            draft_serial.p_ms(50) - direct_serial.p_ms(50),
            "ms",
            "one request at a time: the per-draft cost without queueing",
        ),
        info(name, "added overhead p99 (c=1)", draft_serial.p_ms(99) - direct_serial.p_ms(99), "ms"),
        info(
            name,
            f"in-process time p50 (c={c})",
            percentile(in_process_ms[0], 50),
            "ms",
            "Server-Timing total - llm; includes waiting on the API's busy event loop",
        ),
        info(
            name,
            "in-process time p50 (c=1)",
            percentile(in_process_ms[1], 50),
            "ms",
            "Server-Timing total - llm; the pipeline's own work, without HTTP",
        ),
        info(
            name,
            "LLM phase p50 (c=1)",
            percentile(llm_phase_serial_ms, 50),
            "ms",
            f"Server-Timing llm (SDK + HTTP + mock); direct call p50 (c=1): {direct_serial.p_ms(50):.2f} ms",
        ),
        info(
            name,
            "LLM calls per uncached draft",
            llm_calls / draft_result.ok if draft_result.ok else None,
            "calls",
            "above 1: guardrail re-asks",
        ),
        exactly(
            name,
            "failed drafts",
            draft_result.failed + draft_serial.failed,
            "requests",
            0,
            _failures_note(draft_result) or _failures_note(draft_serial),
        ),
    )
    if floor is not None:
        report.add(*floor.rows(name, c, draft_result, direct_result, direct_serial))
        report.details["stack floor"] = floor.details()
    report.details[name] = {
        "direct": direct_result.summary(),
        "draft": draft_result.summary(),
        "direct_serial": direct_serial.summary(),
        "draft_serial": draft_serial.summary(),
        "llm_calls": llm_calls,
        "in_process_ms": {
            "concurrent_p50": percentile(in_process_ms[0], 50),
            "concurrent_p99": percentile(in_process_ms[0], 99),
            "serial_p50": percentile(in_process_ms[1], 50),
            "serial_p99": percentile(in_process_ms[1], 99),
        },
        "direct_request_bytes": len(payload),
        "api_cpu_ms_per_draft": {"concurrent": cpu_per_draft, "serial": cpu_per_draft_serial},
    }


async def cache_hits(bench: Bench, control: MockControl, report: Report) -> None:
    sizes = bench.sizes
    await control.configure(0)
    body = bench.threads.unique_json("cache", 0)
    api = make_client(bench.client, bench.api, sizes.concurrency)
    cpu = CPUMeter(bench.api_pid)

    async def hit(index: int) -> str | None:
        return draft_problem(await api.request("POST", DRAFTS, body, JSON_HEADERS), expect_cache="HIT")

    try:
        primed = draft_problem(await api.request("POST", DRAFTS, body, JSON_HEADERS), expect_cache="MISS")
        if primed is not None:
            report.errors.append(f"cache: priming draft failed: {primed}")
            return
        await closed_loop(hit, total=sizes.warmup, concurrency=sizes.concurrency)
        serial = await closed_loop(hit, total=sizes.cache_hits_serial, concurrency=1)
        cpu.start()
        loaded = await closed_loop(hit, total=sizes.cache_hits, concurrency=sizes.concurrency)
        cpu_per_hit = cpu.per_request_ms(loaded.ok + loaded.failed)
    finally:
        await api.aclose()

    name, c = "cache hit", sizes.concurrency
    # The latency target is what one agent's click sees (one request at a time); the throughput
    # target is the loaded process. Under a closed loop of c clients the p50 is about c / (hits/s)
    # by Little's law, so it is reported, not judged (docs/decisions.md, "Cache-hit targets").
    report.add(
        at_most(name, "hit p50 (c=1)", serial.p_ms(50), "ms", 2, "one request at a time: no queueing"),
        info(name, "hit p99 (c=1)", serial.p_ms(99), "ms"),
        at_least(name, f"hits/s (c={c})", loaded.rps, "req/s", 500, "one API process"),
        info(
            name,
            f"hit p50 (c={c})",
            loaded.p_ms(50),
            "ms",
            f"closed loop: includes queueing behind {c - 1} others",
        ),
        info(name, f"hit p99 (c={c})", loaded.p_ms(99), "ms"),
        info(name, f"API CPU per hit (c={c})", cpu_per_hit, "ms", "CPU time of the API process / hits"),
        exactly(
            name,
            "failed or missed hits",
            loaded.failed + serial.failed,
            "requests",
            0,
            _failures_note(loaded),
        ),
    )
    report.details[name] = {
        "concurrent": loaded.summary(),
        "serial": serial.summary(),
        "api_cpu_ms_per_hit": cpu_per_hit,
    }


async def coalescing(bench: Bench, control: MockControl, report: Report) -> None:
    total = bench.sizes.coalesce
    await control.configure(COALESCE_LATENCY_MS)
    body = bench.threads.unique_json("coalesce", 0)
    api = make_client(bench.client, bench.api, total)
    cache_headers: Counter[str] = Counter()

    async def same(index: int) -> str | None:
        response = await api.request("POST", DRAFTS, body, JSON_HEADERS)
        cache_headers[response.headers.get("x-cache", "missing")] += 1
        return draft_problem(response)

    try:
        await api.warm(WARM_TARGET)
        await control.reset()
        result = await burst(same, total=total)
        llm_calls = (await control.stats())["chat_completions"]
    finally:
        await api.aclose()
        await control.configure(0)

    name = "coalescing"
    report.add(
        exactly(
            name,
            f"LLM calls for {total} identical concurrent drafts",
            llm_calls,
            "calls",
            1,
            f"LLM latency {COALESCE_LATENCY_MS:g} ms; X-Cache {dict(cache_headers)}",
        ),
        exactly(name, "drafts answered 200", result.ok, "requests", total, _failures_note(result)),
        info(name, "wall time", result.wall_s * 1000, "ms"),
    )
    report.details[name] = {
        "result": result.summary(),
        "llm_calls": llm_calls,
        "x_cache": dict(cache_headers),
    }


async def capacity(bench: Bench, control: MockControl, report: Report) -> None:
    total = bench.sizes.capacity
    await control.configure(CAPACITY_LATENCY_MS)
    api = make_client(bench.client, bench.api, total)
    bodies = [bench.threads.unique_json("cap", index) for index in range(total)]
    cpu = CPUMeter(bench.api_pid)

    async def draft(index: int) -> str | None:
        return draft_problem(await api.request("POST", DRAFTS, bodies[index], JSON_HEADERS))

    try:
        # The driver's TCP handshakes are not the server's work: open the connections first.
        await api.warm(WARM_TARGET)
        await control.reset()
        cached_before = await count_cached_drafts(bench.redis_url)
        cpu.start()
        result = await burst(draft, total=total)
        cpu_per_draft = cpu.per_request_ms(total)
        stats = await control.stats()
        cached_after = await count_cached_drafts(bench.redis_url)
    finally:
        await api.aclose()
        await control.configure(0)

    cached = None if cached_before is None or cached_after is None else cached_after - cached_before
    name = "capacity"
    report.add(
        exactly(
            name,
            f"drafts succeeded of {total} concurrent",
            result.ok,
            "requests",
            total,
            _failures_note(result),
        ),
        at_most(
            name,
            f"wall time, {total} concurrent drafts",
            result.wall_s,
            "s",
            3.5,
            f"LLM latency {CAPACITY_LATENCY_MS / 1000:g} s; one API process",
        ),
        info(name, "draft latency p50", result.p_ms(50), "ms"),
        info(name, "draft latency p99", result.p_ms(99), "ms"),
        info(name, "peak LLM calls in flight", stats.get("max_in_flight"), "calls", "seen by the mock"),
        info(
            name,
            "drafts cached by the burst",
            cached,
            "drafts",
            f"of {total}: fewer means Redis calls failed open under load (cache bypassed, "
            "no cross-process single-flight), which also makes the burst cheaper",
        ),
        info(name, "API CPU per draft", cpu_per_draft, "ms", "CPU time of the API process / drafts"),
    )
    report.details[name] = {
        "result": result.summary(),
        "mock": stats,
        "cached": cached,
        "api_cpu_ms_per_draft": cpu_per_draft,
    }


async def guardrail_checks(bench: Bench, control: MockControl, report: Report) -> None:
    """In process, before the load scenarios: the check time per reply size (bench/guardrails.py)."""
    measure_guardrails(
        report, load_guardrails(), runs=bench.sizes.guard_checks, eval_rounds=bench.sizes.guard_eval_rounds
    )


SCENARIOS = (
    guardrail_checks,
    overhead,
    cache_hits,
    coalescing,
    capacity,
    webhook_accept,
    webhook_durability,
    feedback,
)


def log_offset(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def service_warnings(path: Path | None, offset: int) -> Counter[str]:
    """Warning and error events the API logged (JSON lines) from ``offset`` on, by event name."""
    events: Counter[str] = Counter()
    if path is None:
        return events
    try:
        with path.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return events
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            events["(not JSON)"] += 1
            continue
        if isinstance(entry, dict) and str(entry.get("level", "")).lower() in {
            "warning",
            "error",
            "critical",
        }:
            events[str(entry.get("event", "?"))[:80]] += 1
    return events


def add_service_warnings(report: Report, events: Counter[str]) -> None:
    # A run can look fast because something degraded (Redis calls failing open, LLM fallbacks):
    # the service says so in its log, and the report repeats it.
    top = "; ".join(f"{event} x{count}" for event, count in events.most_common(4))
    report.add(
        info("service", "warnings and errors logged during the run", sum(events.values()), "lines", top)
    )
    report.details["service_warnings"] = dict(events)


async def run_all(bench: Bench, report: Report, *, only: set[str] | None = None) -> None:
    control = MockControl(bench.mock)
    offset = log_offset(bench.api_log)
    try:
        for scenario in SCENARIOS:
            if only is not None and scenario.__name__ not in only:
                continue
            try:
                await scenario(bench, control, report)
            except (HTTPError, httpx.HTTPError, OSError, KeyError, ValueError) as exc:
                # One broken scenario should not hide the figures of the others.
                report.errors.append(f"{scenario.__name__}: {type(exc).__name__}: {exc}")
            await asyncio.sleep(0.2)  # let stragglers and closed connections settle between scenarios
        add_service_warnings(report, service_warnings(bench.api_log, offset))
    finally:
        await control.aclose()
