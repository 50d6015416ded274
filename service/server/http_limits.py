"""Bounds on what a client may send before its request is read: header size, header count, read time.

uvicorn's httptools protocol takes any number of headers of any size and waits for a request head
as long as the client keeps sending a byte now and then (its keep-alive timeout only runs between
requests). :func:`bounded_protocol` makes a subclass of that protocol that:

- answers ``431 Request Header Fields Too Large`` and closes when one header (name and value) is
  over ``max_header_bytes``, when the head (request line and headers) is over ``max_head_bytes``,
  or when there are more than ``max_headers`` headers;
- answers ``408 Request Timeout`` and closes when a request head is not complete
  ``head_timeout_s`` after its first byte (a connection that sends nothing at all is closed
  silently after the same time).

The body is bounded elsewhere (``TACTFUL_MAX_BODY_BYTES``, by the app). Accounting happens as
bytes arrive, before httptools has buffered a whole header, so an 8 MB header costs at most
``max_head_bytes`` plus one read (64 KiB) of memory. See docs/decisions.md ("Header limits").
"""

from __future__ import annotations

import asyncio
import http
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class HeadLimits:
    max_header_bytes: int = 16_384
    max_head_bytes: int = 65_536
    max_headers: int = 100
    head_timeout_s: float = 10.0


class _Refused(Exception):
    """Stops the parser after a refusal has been answered."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with :class:`HeadLimits`; made by :func:`bounded_protocol`."""

    limits: HeadLimits = HeadLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = True  # between the end of a response (or the connection's start) and a head
        self._head_received = 0  # bytes received while a head was open (the whole chunks)
        self._head_size = 0  # bytes of request line and headers, as the parser reports them
        self._header_count = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._answered = False

    # --- the head's life ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._open_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _open_head(self) -> None:
        self._head_open = True
        self._head_received = self._head_size = self._header_count = 0
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.head_timeout_s, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._head_open or self._answered or self.transport.is_closing():
            return
        if self._head_received == 0 and self.cycle is None:
            self.transport.close()  # a connection that never sent anything
            return
        self._answer(408, "The request head was not received in time.")

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            # The next head starts now; the keep-alive timeout still closes a connection left idle.
            self._open_head()

    # --- parser callbacks --------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        self._grow(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            self._refuse(f"At most {self.limits.max_headers} request headers are accepted.")
        if len(name) + len(value) > self.limits.max_header_bytes:
            self._refuse(f"A request header is larger than {self.limits.max_header_bytes} bytes.")
        self._grow(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def _grow(self, size: int) -> None:
        self._head_size += size
        if self._head_size > self.limits.max_head_bytes:
            self._refuse(f"The request headers are larger than {self.limits.max_head_bytes} bytes.")

    # --- input ---------------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._answered:
            return
        if self._head_open:
            self._head_received += len(data)
        super().data_received(data)
        # A header still arriving (httptools reports it only once complete) is bounded here.
        if self._head_open and not self._answered and self._head_received > self.limits.max_head_bytes:
            self._answer(431, f"The request headers are larger than {self.limits.max_head_bytes} bytes.")

    def send_400_response(self, msg: str) -> None:
        if not self._answered:  # a refusal raised inside a parser callback is answered already
            super().send_400_response(msg)

    def _refuse(self, message: str) -> None:
        """From a parser callback: answer 431 and stop the parser."""
        self._answer(431, message)
        raise _Refused

    def _answer(self, status: int, message: str) -> None:
        """Answer ``status`` with ``message`` and close the connection (once)."""
        if self._answered:
            return
        self._answered = True
        self._head_open = False
        self._cancel_head_timer()
        body = message.encode()
        phrase = http.HTTPStatus(status).phrase
        self.transport.write(
            f"HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        self.transport.close()


def bounded_protocol(limits: HeadLimits) -> type[BoundedHttpToolsProtocol]:
    """A protocol class for ``uvicorn.Config(http=...)`` with these limits."""
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"limits": limits})
