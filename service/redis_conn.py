"""How the service connects to Redis: short timeouts and at most one quick retry.

redis-py's default retry policy backs off for seconds on a refused connection. Everything that
uses Redis here fails open (cache, breaker) or answers 503 so the caller retries (webhooks), so a
dead Redis must cost a request milliseconds, not seconds.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ConstantBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

SOCKET_TIMEOUT_S = 0.5


def connect_redis(url: str, *, max_connections: int = 512) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=SOCKET_TIMEOUT_S,
        retry=Retry(ConstantBackoff(0.01), retries=1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=15,
        max_connections=max_connections,
    )
