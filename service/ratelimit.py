"""Rate limits shared by every process: a sliding-window log per bucket in Redis, one Lua script.

Each bucket (an API key, a webhook source) is a sorted set of the admission times of the last
window. One script trims what fell out of the window, counts, and admits or refuses, so concurrent
processes can never both take the last slot. Time comes from Redis (``TIME``), not from the
callers, so processes on hosts with skewed clocks still agree. A refusal says how long until the
oldest admission leaves the window: that is the ``Retry-After``.

Memory is one entry per admitted request per window, so at most ``limit`` entries per bucket; the
set expires with its window when idle.

Fail-open: when Redis errors or is slow, requests are admitted (availability of the drafts
matters more than the limit during a Redis outage) and Redis is left alone for two seconds, so a
dead or hanging Redis does not add a timeout to every request. A healthy Redis answers in about a
millisecond, so the 0.25 s bound only ever cuts a Redis that is in trouble.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger("tactful.ratelimit")

KEY_PREFIX = "tactful:ratelimit:"

# KEYS: the bucket. ARGV: window in ms, limit, a unique member for this admission.
# Returns {admitted (0/1), remaining, ms until a slot frees when refused}.
_SLIDING_WINDOW = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - used - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = window
if oldest[2] then wait = math.max(1, tonumber(oldest[2]) + window - now) end
return {0, 0, wait}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after_s: float  # 0 when allowed


ADMIT = Decision(True, -1, 0.0)  # what fail-open answers: admitted, remaining unknown


class RateLimiter:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        op_timeout_s: float = 0.25,
        suspend_after_error_s: float = 2.0,
    ) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._op_timeout_s = op_timeout_s
        self._suspend_after_error_s = suspend_after_error_s
        self._suspended_until = 0.0

    async def hit(self, bucket: str, *, limit: int, window_s: float) -> Decision:
        """Count one request against ``bucket``; refuse it when ``limit`` were admitted in the window."""
        if limit <= 0:
            return ADMIT
        if time.monotonic() < self._suspended_until:
            return ADMIT
        member = secrets.token_hex(8)
        try:
            async with asyncio.timeout(self._op_timeout_s):
                reply = await self._script(
                    keys=[KEY_PREFIX + bucket], args=[max(1, round(window_s * 1000)), limit, member]
                )
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            if time.monotonic() >= self._suspended_until:
                log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
            self._suspended_until = time.monotonic() + self._suspend_after_error_s
            return ADMIT
        admitted, remaining, wait_ms = (int(part) for part in reply)
        return Decision(bool(admitted), remaining, wait_ms / 1000)
