"""A minimal HTTP/1.1 keep-alive client for the load driver.

Why not httpx: on the 2-core benchmark machine one httpx.AsyncClient tops out near 1,000 requests/s
and spends about 1 ms of CPU per request (measured against the mock, which itself answers in 0.2 ms),
so at concurrency 10 it alone adds ~10 ms of queueing to every latency. The driver shares the CPU
with the service it measures; it has to cost far less than the figures it reports (a 2 ms cache
hit target). This client costs ~0.1 ms a request. httpx remains available (``--client httpx``) and
is used for everything that is not measured.

Scope: loopback, plain HTTP, requests with a body in memory, responses with Content-Length or
chunked encoding. No redirects, no retries: a failed request is a failed request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

# uvicorn closes idle keep-alive connections after 5 s by default; drop ours well before that so a
# request is never written into a connection the server is closing.
IDLE_LIMIT_S = 3.0


class HTTPError(Exception):
    """The connection failed or the response could not be parsed."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader = reader
        self._writer = writer
        self._host = host
        self.reusable = True
        self.last_used = time.monotonic()
        self._last_method = ""

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        # The default 64 KiB stream limit caps one header block or chunk-size line, never a body.
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Response:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host}"]
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self._last_method = method
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            await self._writer.drain()
            response = await self._read_response()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            self.reusable = False
            raise HTTPError(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            # Cancelled (a timeout) mid-exchange: the rest of the response may still arrive.
            self.reusable = False
            raise
        finally:
            self.last_used = time.monotonic()
        if response.headers.get("connection", "").lower() == "close":
            self.reusable = False
        return response

    async def _read_response(self) -> Response:
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ValueError(f"bad status line {status_line[:80]!r}")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(parts[1])
        if status in (204, 304) or status < 200 or self._last_method == "HEAD":
            body = b""  # no body, whatever the headers say (RFC 9112, 6.3)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        elif "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        else:
            body = await self._reader.read()  # delimited by the server closing the connection
            self.reusable = False
        return Response(status, headers, body)

    async def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await self._reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                return b"".join(chunks)
            chunks.append((await self._reader.readexactly(size + 2))[:-2])

    def close(self) -> None:
        self.reusable = False
        self._writer.close()


class Pool:
    """Keep-alive connections to one origin, opened on demand, at most ``size`` at once."""

    def __init__(self, base_url: str, size: int) -> None:
        split = urlsplit(base_url)
        if split.scheme != "http" or split.hostname is None:
            raise ValueError(f"only plain http:// origins are supported, not {base_url!r}")
        self.host = split.hostname
        self.port = split.port or 80
        self._idle: list[Connection] = []  # LIFO: the warmest connection first
        self._slots = asyncio.Semaphore(size)
        self._size = size

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Response:
        async with self._slots:
            connection = await self._acquire()
            try:
                return await connection.request(method, target, body, headers)
            finally:
                self._release(connection)

    async def warm(self, target: str = "/", count: int | None = None) -> None:
        """Open ``count`` connections (default: all) at once, each proven with a GET of ``target``.

        Scenarios that fire a burst of requests warm the pool first, so the burst measures the
        server's work and not the driver's TCP handshakes.
        """
        wanted = min(count or self._size, self._size) - len(self._idle)
        if wanted <= 0:
            return
        try:
            opened = await asyncio.gather(*(Connection.open(self.host, self.port) for _ in range(wanted)))
        except OSError as exc:
            raise HTTPError(f"connect to {self.host}:{self.port} failed: {exc}") from exc
        # A request on each makes the server accept and set up every connection now, not mid-burst.
        await asyncio.gather(*(connection.request("GET", target) for connection in opened))
        self._idle.extend(connection for connection in opened if connection.reusable)

    async def _acquire(self) -> Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if now - connection.last_used < IDLE_LIMIT_S:
                return connection
            connection.close()
        try:
            return await Connection.open(self.host, self.port)
        except OSError as exc:
            raise HTTPError(f"connect to {self.host}:{self.port} failed: {exc}") from exc

    def _release(self, connection: Connection) -> None:
        if connection.reusable:
            self._idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
