"""A bound on the LLM calls one process has open against its endpoint at once.

A self-hosted server runs a few sequences at a time (llama.cpp: its slots, one by default;
Ollama: OLLAMA_NUM_PARALLEL); requests beyond that wait in the server's queue, where the wait
counts against our timeouts and, on llama-cpp-python, a new request can even interrupt the
running one. So calls queue here instead, where the wait is bounded by the call's deadline,
visible in metrics, and costs the server nothing when given up. A slot is held from sending the
request until the response is closed, never during a retry's back-off.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from service.llm.base import LLMUnavailable

WaitObserver = Callable[[float, bool], None]  # (seconds waited, got a slot)


class EndpointLimiter:
    def __init__(self, limit: int, *, on_wait: WaitObserver | None = None) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._free = asyncio.Semaphore(limit)
        self._in_use = 0
        self._waiting = 0
        self._on_wait = on_wait

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def waiting(self) -> int:
        return self._waiting

    def busy(self) -> bool:
        """A call holds a slot or waits for one."""
        return self._in_use + self._waiting > 0

    @property
    def saturated(self) -> bool:
        """Every slot busy or promised to a waiting call: a retry now would only queue behind
        other work (or, on llama.cpp, interrupt it)."""
        return self._in_use + self._waiting >= self.limit

    async def acquire(self, timeout_s: float) -> Slot:
        """A slot, or LLMUnavailable("saturated") when none frees up within ``timeout_s``."""
        began = time.monotonic()
        self._waiting += 1
        try:
            async with asyncio.timeout(max(timeout_s, 0.0)):
                await self._free.acquire()
        except TimeoutError:
            self._observe(began, got=False)
            raise LLMUnavailable("saturated") from None
        finally:
            self._waiting -= 1
        self._in_use += 1
        self._observe(began, got=True)
        return Slot(self)

    def _observe(self, began: float, *, got: bool) -> None:
        if self._on_wait is not None:
            self._on_wait(time.monotonic() - began, got)

    def _release(self) -> None:
        self._in_use -= 1
        self._free.release()


class Slot:
    """One held slot; ``release`` is idempotent so every exit path may call it."""

    def __init__(self, limiter: EndpointLimiter) -> None:
        self._limiter: EndpointLimiter | None = limiter

    def release(self) -> None:
        limiter, self._limiter = self._limiter, None
        if limiter is not None:
            limiter._release()
