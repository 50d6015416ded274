"""Load patterns and statistics: a closed loop at fixed concurrency, and a burst fired all at once.

A request function takes the request index and returns ``None`` on success or a short reason on
failure (wrong status, a MISS where a HIT was expected ...). Latency is ``time.perf_counter``
around the whole call, so it is what a client sees; failed requests are counted, not timed.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bench.http1 import HTTPError

RequestFn = Callable[[int], Awaitable[str | None]]

# Far above any figure we measure; only there so that a hung server cannot hang the benchmark.
REQUEST_TIMEOUT_S = 60.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class LoadResult:
    latencies_s: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies_s)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def p_ms(self, q: float) -> float:
        return percentile(self.latencies_s, q) * 1000

    @property
    def rps(self) -> float:
        return self.ok / self.wall_s if self.wall_s > 0 else math.nan

    def summary(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "failed": self.failed,
            "failures": dict(self.failures.most_common(5)),
            "wall_s": round(self.wall_s, 4),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p_ms(50), 3),
            "p90_ms": round(self.p_ms(90), 3),
            "p99_ms": round(self.p_ms(99), 3),
            "max_ms": round(self.p_ms(100), 3),
        }


async def _timed(result: LoadResult, request: RequestFn, index: int) -> None:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            problem = await request(index)
    except HTTPError as exc:
        problem = str(exc)[:120]
    except TimeoutError:
        problem = f"no response within {REQUEST_TIMEOUT_S:g} s"
    elapsed = time.perf_counter() - started
    if problem is None:
        result.latencies_s.append(elapsed)
    else:
        result.failures[problem] += 1


async def closed_loop(request: RequestFn, *, total: int, concurrency: int) -> LoadResult:
    """``concurrency`` workers, each sending its next request as soon as the last one returned."""
    result = LoadResult()
    indices = iter(range(total))

    async def worker() -> None:
        for index in indices:  # one shared iterator: each index is taken exactly once
            await _timed(result, request, index)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall_s = time.perf_counter() - started
    return result


async def burst(request: RequestFn, *, total: int) -> LoadResult:
    """All ``total`` requests at once; ``wall_s`` runs until the last one has finished."""
    result = LoadResult()
    started = time.perf_counter()
    await asyncio.gather(*(_timed(result, request, index) for index in range(total)))
    result.wall_s = time.perf_counter() - started
    return result
