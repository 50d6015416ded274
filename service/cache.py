"""Draft cache: content-addressed keys, single-flight across processes, fail-open on Redis errors.

Single-flight has two layers. Inside one process, identical concurrent requests share one
``asyncio`` task (this also holds when Redis is down). Across processes, the first one to
``SET lock NX`` computes; the others poll for the stored result. Polling rather than pub/sub keeps
the waiter side stateless and survives a leader that dies: when its lock expires without a result,
a waiter takes over. Only one waiter per process polls, so the load on Redis stays small.

Every Redis error degrades to "compute without the cache"; a short suspension after an error keeps
a dead Redis from adding a connection timeout to every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

KEY_PREFIX = "tactful:draft:"
LOCK_PREFIX = "tactful:draft-lock:"

# Deletes the lock only if we still own it, so a slow leader never frees a successor's lock.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class CacheOutcome(StrEnum):
    hit = "HIT"  # stored result
    miss = "MISS"  # computed here
    coalesced = "COALESCED"  # waited for an identical request computed elsewhere
    bypass = "BYPASS"  # Redis unavailable: computed without the cache


@dataclass(frozen=True)
class Computed:
    """What a compute function returns: the payload to store and whether it may be stored."""

    payload: bytes
    cacheable: bool = True


def cache_key(material: Any) -> str:
    """sha256 over canonical JSON (sorted keys, no whitespace, UTF-8)."""
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class DraftCache:
    def __init__(
        self,
        redis: aioredis.Redis | None,
        *,
        ttl_s: int,
        wait_s: float,
        lock_ttl_s: float | None = None,
        poll_s: float = 0.02,
        suspend_after_error_s: float = 1.0,
    ) -> None:
        self._redis = redis
        self._ttl_s = ttl_s
        self._wait_s = wait_s
        # The lock outlives the longest computation we allow, so a live leader never loses it.
        self._lock_ttl_ms = int((lock_ttl_s or wait_s) * 1000)
        self._poll_s = poll_s
        self._suspend_after_error_s = suspend_after_error_s
        self._suspended_until = 0.0
        self._inflight: dict[str, asyncio.Task[tuple[bytes, CacheOutcome]]] = {}

    @property
    def enabled(self) -> bool:
        return self._redis is not None and self._ttl_s > 0

    def _redis_usable(self) -> aioredis.Redis | None:
        if not self.enabled or time.monotonic() < self._suspended_until:
            return None
        return self._redis

    def _note_error(self) -> None:
        self._suspended_until = time.monotonic() + self._suspend_after_error_s

    async def get_or_compute(
        self, key: str, compute: Callable[[], Awaitable[Computed]], *, refresh: bool = False
    ) -> tuple[bytes, CacheOutcome]:
        """Return the stored payload for ``key`` or compute it once for all concurrent callers."""
        flight = f"{'refresh' if refresh else 'read'}:{key}"
        task = self._inflight.get(flight)
        if task is None:
            task = asyncio.create_task(self._lead(key, compute, refresh=refresh))
            self._inflight[flight] = task
            task.add_done_callback(lambda _: self._inflight.pop(flight, None))
            # The leader keeps running if its own caller goes away: the others still wait on it.
            return await asyncio.shield(task)
        payload, outcome = await asyncio.shield(task)
        return payload, (CacheOutcome.coalesced if outcome is CacheOutcome.miss else outcome)

    async def _lead(
        self, key: str, compute: Callable[[], Awaitable[Computed]], *, refresh: bool
    ) -> tuple[bytes, CacheOutcome]:
        redis = self._redis_usable()
        if redis is None:
            return (await compute()).payload, CacheOutcome.bypass
        try:
            return await self._lead_with_redis(redis, key, compute, refresh=refresh)
        except RedisError:
            self._note_error()
            return (await compute()).payload, CacheOutcome.bypass

    async def _lead_with_redis(
        self,
        redis: aioredis.Redis,
        key: str,
        compute: Callable[[], Awaitable[Computed]],
        *,
        refresh: bool,
    ) -> tuple[bytes, CacheOutcome]:
        data_key, lock_key = KEY_PREFIX + key, LOCK_PREFIX + key
        if not refresh:
            stored = await redis.get(data_key)
            if stored is not None:
                return bytes(stored), CacheOutcome.hit
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self._wait_s
        while True:
            if await redis.set(lock_key, token, nx=True, px=self._lock_ttl_ms):
                return await self._compute_and_store(redis, data_key, lock_key, token, compute)
            # Someone else is computing this key: wait for their result, or their lock to lapse.
            await asyncio.sleep(self._poll_s)
            stored = await redis.get(data_key)
            if stored is not None and not refresh:
                return bytes(stored), CacheOutcome.coalesced
            if time.monotonic() > deadline:
                # Waited as long as a request may: compute ourselves rather than fail.
                return (await compute()).payload, CacheOutcome.miss

    async def _compute_and_store(
        self,
        redis: aioredis.Redis,
        data_key: str,
        lock_key: str,
        token: str,
        compute: Callable[[], Awaitable[Computed]],
    ) -> tuple[bytes, CacheOutcome]:
        try:
            computed = await compute()
        except BaseException:
            with contextlib.suppress(RedisError):
                await redis.eval(_RELEASE, 1, lock_key, token)  # type: ignore[misc]
            raise
        try:
            if computed.cacheable:
                await redis.set(data_key, computed.payload, ex=self._ttl_s)
            await redis.eval(_RELEASE, 1, lock_key, token)  # type: ignore[misc]
        except RedisError:
            self._note_error()  # the draft is still good; only storing it failed
        return computed.payload, CacheOutcome.miss

    async def ping(self) -> bool:
        if self._redis is None:
            return False
        try:
            return bool(await self._redis.ping())  # type: ignore[misc]
        except RedisError:
            return False
