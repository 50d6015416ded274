"""How the service connects to Redis: short timeouts, at most one quick retry, a blocking pool.

redis-py's default retry policy backs off for seconds on a refused connection. Everything that
uses Redis here fails open (cache, breaker) or answers 503 so the caller retries (webhooks), so a
dead Redis must cost a request milliseconds, not seconds.

The pool blocks for a free connection instead of raising at once. With redis-py's default pool, a
burst of concurrent requests (the benchmark's 1,000 drafts arriving together) got
``MaxConnectionsError`` for every command beyond ``max_connections`` in flight, and each one
silently became a cache bypass (no cross-process single-flight, nothing stored) and a local-only
breaker decision. Redis answers in well under a millisecond, so a modest pool that requests queue
for costs less CPU than hundreds of sockets: ``DEFAULT_MAX_CONNECTIONS`` (64) per process.

A connection is busy from a command's send until its task reads the reply, so what starved the
pool in that burst was the event loop, not Redis: hundreds of drafts ran their CPU steps in one
pass of the loop, every reply waited seconds to be read while its connection stayed taken, and
the 0.5 s socket timeouts fired on replies that had long arrived (the cache failed open: 336 of
1,000 drafts stored). The drafts' CPU steps now take turns on the loop (service/infra/turns.py),
so replies are read between steps and the same pool stores all 1,000 (docs/decisions.md, 64).

Waiting for a pool connection is our own queueing, not a sign that Redis is unwell, so the pool
wait (``POOL_WAIT_S``) is generous, while Redis's health is still judged by the short socket
timeouts: a hung Redis fails the commands holding connections within ``SOCKET_TIMEOUT_S`` (plus
one retry), which frees them, and the cache then stops calling Redis for a while (cache.py).

For high availability the URL may name Redis Sentinels instead of a server:
``redis+sentinel://[:password@]host:port[,host:port...]/service_name[/db]``. Every client (cache,
rate limits, breaker, webhook queue, workers) then asks the sentinels for the current primary and
reconnects to the new one after a failover; commands in flight during the switch fail like any
other Redis error (the cache fails open, webhooks answer 503 so the helpdesk retries, and SAQ
retries its own polling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ConstantBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

SOCKET_TIMEOUT_S = 0.5  # a reply, or a connection: Redis answers in well under a millisecond
POOL_WAIT_S = 5.0  # for a free pool connection, then ConnectionError (fail open, or 503)
DEFAULT_MAX_CONNECTIONS = 64  # per client, so per API process: see the module docstring


SENTINEL_SCHEME = "redis+sentinel"


class RedisURLError(ValueError):
    """A Redis URL that cannot be used; the message never repeats a password."""


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    service_name: str
    db: int = 0
    password: str | None = None


def parse_sentinel_url(url: str) -> SentinelTarget | None:
    """The sentinels and service a ``redis+sentinel://`` URL names; None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return None
    hosts = parts.netloc.rpartition("@")[2]
    sentinels: list[tuple[str, int]] = []
    for item in filter(None, hosts.split(",")):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise RedisURLError(f"{SENTINEL_SCHEME} URL: each sentinel is host:port")
        sentinels.append((host.strip("[]"), int(port)))
    path = [segment for segment in parts.path.split("/") if segment]
    if not sentinels or not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise RedisURLError(f"{SENTINEL_SCHEME}://host:port[,host:port]/service_name[/db]")
    password = unquote(parts.password) if parts.password else None
    return SentinelTarget(tuple(sentinels), path[0], int(path[1]) if len(path) == 2 else 0, password)


class _BlockingSentinelPool(SentinelConnectionPool, aioredis.BlockingConnectionPool):
    """Sentinel-managed connections (they follow the primary) with the blocking pool's queueing."""


def connect_redis(
    url: str,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    socket_timeout: float | None = SOCKET_TIMEOUT_S,
) -> aioredis.Redis:
    """A client for the service's Redis: a server URL or a ``redis+sentinel://`` URL.

    ``socket_timeout=None`` is for clients that block on purpose (a worker waiting on its queue).
    """
    options: dict[str, Any] = {
        "max_connections": max_connections,
        "timeout": POOL_WAIT_S,  # then ConnectionError, which every caller treats as Redis trouble
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": SOCKET_TIMEOUT_S,
        "retry": Retry(ConstantBackoff(0.01), retries=1),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 15,
    }
    target = parse_sentinel_url(url)
    if target is None:
        # from_pool: closing the client closes the pool it owns.
        return aioredis.Redis.from_pool(aioredis.BlockingConnectionPool.from_url(url, **options))
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        list(target.sentinels),
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=SOCKET_TIMEOUT_S,
        sentinel_kwargs={"socket_timeout": SOCKET_TIMEOUT_S, "socket_connect_timeout": SOCKET_TIMEOUT_S},
    )
    client: aioredis.Redis = sentinel.master_for(
        target.service_name,
        connection_pool_class=_BlockingSentinelPool,
        db=target.db,
        password=target.password,
        **options,
    )
    return client


def connect_redis_sync(url: str, *, timeout_s: float) -> redis.Redis:
    """A blocking client for one-off checks (the container health check)."""
    target = parse_sentinel_url(url)
    if target is None:
        return redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    from redis.sentinel import Sentinel as SyncSentinel

    sentinel = SyncSentinel(  # type: ignore[no-untyped-call]
        list(target.sentinels),
        sentinel_kwargs={"socket_timeout": timeout_s, "socket_connect_timeout": timeout_s},
    )
    client: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        target.service_name,
        db=target.db,
        password=target.password,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
    )
    return client
