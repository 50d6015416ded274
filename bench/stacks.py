"""What a run's scenarios measure: the servers under test, the mock LLM's controls and the sample sizes.

A run serves up to three stacks side by side, each with the same number of API workers under the
same supervisor: ``tactful`` (this checkout), ``baseline`` (``--baseline REF``: another commit) and
``floor`` (bench/floor_app.py: a bare Litestar route making the same SDK call). A load scenario
runs the same load against each in turn, and reports Tactful's figures against the floor's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bench.clients import ClientKind
from bench.threads import ThreadFactory
from service.drafting.cache import KEY_PREFIX as CACHE_KEY_PREFIX

TACTFUL, BASELINE, FLOOR = "tactful", "baseline", "floor"


@dataclass(frozen=True)
class Stack:
    """One server under test."""

    name: str  # TACTFUL, BASELINE or FLOOR
    origin: str  # e.g. http://127.0.0.1:8123
    pid: int | None = None  # the root of its process tree (CPU per request sums the tree)
    log: Path | None = None  # the service's JSON log: warnings during the run are reported
    redis_url: str | None = None  # a stack's cache and queue (each its own database of one server)

    @property
    def is_floor(self) -> bool:
        return self.name == FLOOR


@dataclass(frozen=True)
class Sizes:
    concurrency: int = 10  # the loaded closed loop (drafts, hits): at least 10, 5 per worker
    warmup: int = 50
    overhead: int = 500
    overhead_serial: int = 200
    cache_hits: int = 2000
    cache_hits_serial: int = 500
    coalesce: int = 100
    capacity: int = 1000
    guard_checks: int = 3000  # timed checks per reply size (guardrails scenario)
    guard_eval_rounds: int = 10  # passes over the labelled eval set
    rounds: int = 5  # closed loops run in this many slices, the stacks taking turns (phases.interleaved)

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
    tactful: Stack
    mock: str  # the mock LLM's origin
    threads: ThreadFactory
    sizes: Sizes
    client: ClientKind = "raw"
    floor: Stack | None = None
    baseline: Stack | None = None
    workers: int = 1  # API processes of every stack
    scratch: Path | None = None  # where extra processes (webhook workers) keep their files
    notes: dict[str, str] = field(default_factory=dict)

    def stacks(self) -> list[Stack]:
        """Every stack of the run, floor first: each phase measures them in this order, back to back."""
        return [stack for stack in (self.floor, self.tactful, self.baseline) if stack is not None]

    def services(self) -> list[Stack]:
        """The Tactful stacks (this checkout, then the baseline)."""
        return [stack for stack in (self.tactful, self.baseline) if stack is not None]


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
