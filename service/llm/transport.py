"""The HTTP client under the openai SDK: aiohttp by default, httpx on sharded pools otherwise.

Measured on a 2-core machine, a chat completion through the SDK costs about half the CPU on the
SDK's aiohttp backend (``openai[aiohttp]``) that it costs on its default httpx one, and
1,000 concurrent completions ~1.4 s of CPU instead of 3-8 s on one big httpx pool. So ``auto``
picks aiohttp, except when a proxy is configured through the environment: httpx-aiohttp does not
read HTTP(S)_PROXY/ALL_PROXY, and silently going around a corporate proxy would be worse than
slower calls.

The httpx backend spreads requests over several small connection pools: httpcore's pool does
work proportional to (queued requests x connections) every time a request starts or ends
(encode/httpx#3215), so one pool with hundreds of requests in flight spends more CPU managing
itself than sending requests (16 pools of 63 connections: ~2 s for the 1,000 completions). Every
shard is a stock ``httpx.AsyncHTTPTransport``, so behaviour, errors, timeouts and test doubles
that patch httpcore (respx) are unchanged. Proxies from the environment keep httpx's own
single-pool proxy transports.
"""

from __future__ import annotations

import math
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import aiohttp
import httpx
import httpx_aiohttp
from openai import DefaultAioHttpClient, DefaultAsyncHttpxClient

DEFAULT_SHARDS = 16
# The openai SDK's own defaults for its httpx client, as totals over all shards.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


class ShardedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, *, shards: int = DEFAULT_SHARDS, limits: httpx.Limits = DEFAULT_LIMITS, **kwargs: Any
    ) -> None:
        if shards < 1:
            raise ValueError("shards must be at least 1")
        per_shard = httpx.Limits(
            max_connections=_share(limits.max_connections, shards),
            max_keepalive_connections=_share(limits.max_keepalive_connections, shards),
            keepalive_expiry=limits.keepalive_expiry,
        )
        self.limits = per_shard
        # One TLS context for all shards, built as each shard would build its own: loading the
        # CA bundle takes ~25 ms, which 16 times over would slow every client construction.
        kwargs["verify"] = httpx.create_ssl_context(
            verify=kwargs.get("verify", True), trust_env=kwargs.get("trust_env", True)
        )
        self._shards = [httpx.AsyncHTTPTransport(limits=per_shard, **kwargs) for _ in range(shards)]
        self._in_flight = [0] * shards

    @property
    def in_flight(self) -> list[int]:
        """Requests per shard whose response has not been closed yet."""
        return list(self._in_flight)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            self._in_flight[index] -= 1
            raise
        # The connection is busy until the body is read or the response closed, and so the shard.
        response.stream = _ReleasingStream(response.stream, lambda: self._release(index))
        return response

    def _release(self, index: int) -> None:
        self._in_flight[index] -= 1

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that calls ``on_close`` once, when it is closed."""

    def __init__(
        self, stream: httpx.AsyncByteStream | httpx.SyncByteStream, on_close: Callable[[], None]
    ) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)  # an async transport returns async bodies
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            on_close, self._on_close = self._on_close, None
            if on_close is not None:
                on_close()


HttpBackend = Literal["auto", "aiohttp", "httpx"]
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")


def llm_http_client(backend: HttpBackend = "auto") -> httpx.AsyncClient:
    """The httpx-compatible client the SDK sends through, for the configured backend."""
    if resolve_backend(backend) == "aiohttp":
        return DefaultAioHttpClient(transport=AiohttpTransport(limits=DEFAULT_LIMITS))
    return sharded_http_client()


class AiohttpTransport(httpx_aiohttp.AiohttpTransport):
    """httpx-aiohttp's transport, with refused and dropped connections reported as such.

    httpx-aiohttp maps every ``aiohttp.ClientConnectionError`` (connection refused, server
    disconnected) to ``httpx.ConnectTimeout``; the retry policy and the metrics would then call a
    dead endpoint slow instead of down. Real timeouts keep their type.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as exc:
            cause = exc.__cause__
            if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(cause, TimeoutError):
                raise httpx.ConnectError(str(exc), request=request) from cause
            raise


def resolve_backend(backend: HttpBackend) -> Literal["aiohttp", "httpx"]:
    if backend != "auto":
        return backend
    return "httpx" if any(os.environ.get(name) for name in PROXY_VARIABLES) else "aiohttp"


def sharded_http_client(*, shards: int = DEFAULT_SHARDS, **kwargs: Any) -> httpx.AsyncClient:
    """The SDK's default async httpx client (timeouts, redirects, limits) on a ShardedTransport."""
    return DefaultAsyncHttpxClient(transport=ShardedTransport(shards=shards), **kwargs)


def _share(total: int | None, shards: int) -> int | None:
    # Rounded up: 1,000 over 16 shards must still admit 1,000 requests, not 992.
    return None if total is None else max(1, math.ceil(total / shards))
