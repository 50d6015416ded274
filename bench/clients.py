"""The load driver's HTTP clients behind one small interface: the raw HTTP/1.1 pool or httpx."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal, Protocol

import httpx

from bench.http1 import HTTPError, Pool, Response

ClientKind = Literal["raw", "httpx"]


class LoadClient(Protocol):
    async def request(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Response: ...

    async def warm(self, target: str = "/", count: int | None = None) -> None: ...

    async def aclose(self) -> None: ...


class RawClient:
    def __init__(self, base_url: str, size: int) -> None:
        self._pool = Pool(base_url, size)

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Response:
        return await self._pool.request(method, target, body, headers)

    async def warm(self, target: str = "/", count: int | None = None) -> None:
        await self._pool.warm(target, count)

    async def aclose(self) -> None:
        self._pool.close()


class HttpxClient:
    """httpx.AsyncClient, HTTP/1.1, with a pool sized for the concurrency (for comparison runs)."""

    def __init__(self, base_url: str, size: int) -> None:
        self._size = size
        self._client = httpx.AsyncClient(
            base_url=base_url,
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=3.0),
            timeout=httpx.Timeout(60.0),
        )

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Response:
        try:
            response = await self._client.request(method, target, content=body or None, headers=headers)
        except httpx.HTTPError as exc:
            raise HTTPError(f"{type(exc).__name__}: {exc}") from exc
        lowered = {name.lower(): value for name, value in response.headers.items()}
        return Response(response.status_code, lowered, response.content)

    async def warm(self, target: str = "/", count: int | None = None) -> None:
        # httpx offers no way to pre-open connections; concurrent GETs open most of them.
        await asyncio.gather(*(self._client.get(target) for _ in range(count or self._size)))

    async def aclose(self) -> None:
        await self._client.aclose()


def make_client(kind: ClientKind, base_url: str, size: int) -> LoadClient:
    return HttpxClient(base_url, size) if kind == "httpx" else RawClient(base_url, size)
