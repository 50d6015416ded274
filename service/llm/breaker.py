"""A circuit breaker shared through Redis, so that every process stops calling a dead endpoint.

States: ``closed`` (calls flow), ``open`` (calls are refused without touching the network until
``reset_s`` has passed), ``half_open`` (exactly one probe, across all processes, may try; its
success closes the breaker, its failure re-opens it).

Redis layout (one hash tag so that a Redis Cluster keeps the keys on one slot for the scripts):

- ``failures``: consecutive failure count, INCR'd with an expiry so that a trickle of old failures
  never adds up to an open breaker.
- ``open``: present while open; its PX TTL *is* the open period, so no clocks are compared.
- ``probe``: SET NX PX while a half-open probe is in flight; whoever sets it is the probe.

Half-open is "failures >= threshold and no ``open`` key". Every decision runs as one Lua script,
so concurrent processes never both become the probe.

Fail-open: a Redis error never reaches the caller. Every record is mirrored into a process-local
breaker with the same semantics, and decisions fall back to it while Redis misbehaves.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger("tactful.llm")

BreakerState = Literal["closed", "open", "half_open"]
_STATES: tuple[BreakerState, ...] = ("closed", "open", "half_open")
T = TypeVar("T")

# KEYS: failures, open, probe. ARGV: threshold, probe_ttl_ms, token.
# Returns {allowed (0/1), state code (0 closed, 1 open, 2 half-open), ms until a retry makes sense,
# failure count}. The count lets a later success skip its reset when there was nothing to reset.
_ALLOW = """
local open_ttl = redis.call('PTTL', KEYS[2])
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if open_ttl > 0 then return {0, 1, open_ttl, failures} end
if failures < tonumber(ARGV[1]) then return {1, 0, 0, failures} end
if redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[2]) then return {1, 2, 0, failures} end
return {0, 2, math.max(redis.call('PTTL', KEYS[3]), 0), failures}
"""

# KEYS: failures, open, probe. ARGV: threshold, reset_ms, failure_ttl_ms. Returns the count.
_FAILURE = """
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
  redis.call('DEL', KEYS[3])
end
return failures
"""

# KEYS: probe. ARGV: token. Frees the probe slot only if we still hold it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Admission:
    allowed: bool
    state: BreakerState
    retry_after: float | None  # seconds until asking again makes sense, when refused
    # False when Redis said there were no failures to reset: a success of this call then costs
    # no Redis write. True whenever unsure (local fallback decisions).
    reset_needed: bool = True


# What a lease answers: closed, and (as Redis said when the lease began) nothing to reset.
_LEASED = Admission(True, "closed", None, reset_needed=False)


class LocalBreaker:
    """The same state machine in process memory: the fallback when Redis is unreachable."""

    def __init__(
        self, failure_threshold: int, reset_s: float, probe_ttl_s: float, clock: Callable[[], float]
    ) -> None:
        self._threshold = failure_threshold
        self._reset_s = reset_s
        self._probe_ttl_s = probe_ttl_s
        self._clock = clock
        self._failures = 0
        self._open_until = 0.0
        self._probe_until = 0.0

    def admit(self) -> Admission:
        now = self._clock()
        if now < self._open_until:
            return Admission(False, "open", self._open_until - now)
        if self._failures < self._threshold:
            return Admission(True, "closed", None)
        if now >= self._probe_until:
            self._probe_until = now + self._probe_ttl_s
            return Admission(True, "half_open", None)
        return Admission(False, "half_open", self._probe_until - now)

    def state(self) -> BreakerState:
        now = self._clock()
        if now < self._open_until:
            return "open"
        return "closed" if self._failures < self._threshold else "half_open"

    def record_success(self) -> None:
        self._failures = 0
        self._open_until = self._probe_until = 0.0

    def record_failure(self) -> None:
        self._failures += 1
        if self._failures >= self._threshold:
            self._open_until = self._clock() + self._reset_s
            self._probe_until = 0.0

    def release_probe(self) -> None:
        self._probe_until = 0.0


class CircuitBreaker:
    """Shared breaker; see the module docstring. Methods never raise Redis errors.

    ``probe_ttl_s`` bounds how long one probe holds the half-open slot if its process dies; give it
    at least the LLM deadline so that a slow probe is not joined by a second one. ``op_timeout_s``
    bounds each Redis round trip so a hung Redis cannot stall drafting; after a Redis error the
    local breaker decides alone for ``redis_retry_s`` before Redis is tried again.

    ``closed_lease_s``: after Redis reports the breaker closed with no failures, this process
    admits calls without asking again for that long (its own failures end the lease at once). A
    round trip per LLM call was ~3% of an uncached draft's CPU; the price is that a breaker another
    process opens is noticed here up to ``closed_lease_s`` later. 0 (the default) asks every time.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        name: str,
        failure_threshold: int,
        reset_s: float,
        *,
        probe_ttl_s: float | None = None,
        failure_ttl_s: float | None = None,
        op_timeout_s: float = 0.5,
        redis_retry_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        closed_lease_s: float = 0.0,
    ) -> None:
        if failure_threshold < 1 or reset_s <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_s > 0")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_s = reset_s
        self._probe_ttl_ms = _ms(probe_ttl_s if probe_ttl_s is not None else max(reset_s, 60.0))
        # Long enough to outlive the open period (else half-open would be skipped), short enough
        # that failures an hour apart do not count as "consecutive".
        self._failure_ttl_ms = _ms(failure_ttl_s if failure_ttl_s is not None else max(4 * reset_s, 300.0))
        self._op_timeout_s = op_timeout_s
        self._redis = redis
        prefix = f"tactful:breaker:{{{name}}}"
        self._keys = [f"{prefix}:failures", f"{prefix}:open", f"{prefix}:probe"]
        self._allow = redis.register_script(_ALLOW)
        self._failure = redis.register_script(_FAILURE)
        self._release = redis.register_script(_RELEASE)
        self._local = LocalBreaker(failure_threshold, reset_s, self._probe_ttl_ms / 1000, clock)
        self._probe_token: str | None = None
        self._redis_retry_s = redis_retry_s
        self._clock = clock
        self._redis_down = False
        self._skip_redis_until = 0.0
        self._closed_lease_s = closed_lease_s
        self._closed_until = 0.0

    @property
    def holds_probe(self) -> bool:
        """Whether this instance won the current half-open probe slot."""
        return self._probe_token is not None

    async def allow(self) -> bool:
        return (await self.admit()).allowed

    async def admit(self) -> Admission:
        """Whether a call may go ahead now, and if not, how long until asking again makes sense."""
        if self._clock() < self._closed_until:
            return _LEASED
        token = uuid.uuid4().hex
        reply = await self._guard(
            lambda: self._allow(keys=self._keys, args=[self.failure_threshold, self._probe_ttl_ms, token])
        )
        if reply is None:
            return self._local.admit()
        allowed, code, wait_ms, failures = (int(part) for part in reply)
        state = _STATES[code]
        if allowed and state == "half_open":
            self._probe_token = token
        if state == "closed" and failures == 0 and self._closed_lease_s > 0:
            self._closed_until = self._clock() + self._closed_lease_s
        return Admission(bool(allowed), state, None if allowed else wait_ms / 1000, failures > 0)

    async def state(self) -> BreakerState:
        async def read() -> tuple[Any, Any]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.pttl(self._keys[1])
                pipe.get(self._keys[0])
                open_ttl, failures = await pipe.execute()
            return open_ttl, failures

        reply = await self._guard(read)
        if reply is None:
            return self._local.state()
        open_ttl, failures = reply
        if int(open_ttl) > 0:
            return "open"
        return "closed" if int(failures or 0) < self.failure_threshold else "half_open"

    async def record_success(self, admission: Admission | None = None) -> None:
        """Reset the failure count (closing a half-open breaker).

        Pass the call's ``admission`` to skip the Redis write when Redis reported no failures at
        admission time, the common case, which saves a round trip per call. The cost: a failure
        another process records while this call is in flight is not cleared by this success
        (the next success admitted after it clears it), so "consecutive" is judged from admission
        rather than completion order for calls that overlap. Without ``admission`` it always
        resets.
        """
        self._local.record_success()
        self._probe_token = None
        if admission is not None and not admission.reset_needed:
            return
        await self._guard(lambda: self._redis.delete(*self._keys))

    async def record_failure(self) -> None:
        self._local.record_failure()
        self._probe_token = None
        self._closed_until = 0.0  # our own failure: ask Redis again from the next call
        count = await self._guard(
            lambda: self._failure(
                keys=self._keys, args=[self.failure_threshold, _ms(self.reset_s), self._failure_ttl_ms]
            )
        )
        if count is not None and int(count) == self.failure_threshold:
            log.warning("llm.breaker_opened", breaker=self.name, reset_s=self.reset_s)

    async def release_probe(self) -> None:
        """Give the half-open slot back without a verdict (the probe was cancelled)."""
        self._local.release_probe()
        token, self._probe_token = self._probe_token, None
        if token is not None:
            await self._guard(lambda: self._release(keys=[self._keys[2]], args=[token]))

    async def _guard(self, operation: Callable[[], Awaitable[T]]) -> T | None:
        """Run one Redis operation; on any Redis trouble log once and return None (fail open)."""
        if self._redis_down and self._clock() < self._skip_redis_until:
            return None
        try:
            async with asyncio.timeout(self._op_timeout_s):
                result = await operation()
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            if not self._redis_down:
                log.warning("llm.breaker_redis_down", breaker=self.name, error=type(exc).__name__)
            self._redis_down = True
            self._skip_redis_until = self._clock() + self._redis_retry_s
            return None
        if self._redis_down:
            log.info("llm.breaker_redis_back", breaker=self.name)
            self._redis_down = False
        return result


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
