"""Rate limits shared by every process: a sliding-window log per bucket in Redis, one Lua script.

Each bucket (an API key, a webhook source) is a sorted set of the admission times of the last
window. One script trims what fell out of the window, counts, and admits or refuses, so concurrent
processes can never both take the last slot. Time comes from Redis (``TIME``), not from the
callers, so processes on hosts with skewed clocks still agree. A refusal says how long until the
oldest admission leaves the window: that is the ``Retry-After``.

Memory is one entry per admitted request per window, so at most ``limit`` entries per bucket; the
set expires with its window when idle.

The webhook door does not call :class:`RateLimiter`: its budget per source is checked by the same
window functions inside the script that claims and enqueues the delivery (one round trip instead of
two; see WebhookQueue.claim_and_enqueue), and a Redis that cannot take the job answers 503 anyway.

Fail-open (the API limiter): when Redis errors or is slow, requests are admitted (availability of the drafts
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

# The sliding window as Lua functions, shared by every script that counts against a bucket: the
# limiter's own script below and the webhook door's claim-and-enqueue script (service/jobs/queue.py),
# which checks the source's budget in the same round trip as the claim. window_check trims what fell
# out of the window and counts; it returns Redis' clock, the count, and 0 when a slot is free or the
# ms until the oldest admission leaves the window. window_admit records one admission.
SLIDING_WINDOW_LUA = """
if redis.replicate_commands then redis.replicate_commands() end
local function window_check(key, window, limit)
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local used = redis.call('ZCARD', key)
  if used < limit then return now, used, 0 end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local wait = window
  if oldest[2] then wait = math.max(1, tonumber(oldest[2]) + window - now) end
  return now, used, wait
end
local function window_admit(key, window, now, member)
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
end
"""

# KEYS: the bucket. ARGV: window in ms, limit, a unique member for this admission.
# Returns {admitted (0/1), remaining, ms until a slot frees when refused}.
_SLIDING_WINDOW = (
    SLIDING_WINDOW_LUA
    + """
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local now, used, wait = window_check(KEYS[1], window, limit)
if wait > 0 then return {0, 0, wait} end
window_admit(KEYS[1], window, now, ARGV[3])
return {1, limit - used - 1, 0}
"""
)


def bucket_key(bucket: str) -> str:
    """The Redis key of a bucket (``api:<tenant>``, ``webhook:<source>``)."""
    return KEY_PREFIX + bucket


def window_ms(window_s: float) -> int:
    return max(1, round(window_s * 1000))


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
                    keys=[bucket_key(bucket)], args=[window_ms(window_s), limit, member]
                )
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            if time.monotonic() >= self._suspended_until:
                log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
            self._suspended_until = time.monotonic() + self._suspend_after_error_s
            return ADMIT
        admitted, remaining, wait_ms = (int(part) for part in reply)
        return Decision(bool(admitted), remaining, wait_ms / 1000)
