"""CPU steps take turns on the event loop, so a burst cannot stall everything else in the process.

An API process runs every request on one event loop. When hundreds of drafts arrive together
(a helpdesk replaying its backlog, the benchmark's 1,000-draft burst), they also reach each CPU
step together (analysis, prompt, guardrails: milliseconds each), and one pass of the loop runs all
of them back to back: seconds in which no Redis reply and no LLM byte is read. Every timeout
armed meanwhile fires although its peer answered at once (Redis's 0.5 s socket timeout, the LLM's
first-token timeout), the cache fails open, the breaker logs Redis as down, and each failure costs
a retry. Through :class:`CpuTurns`, at most ``per_pass`` such steps run in one pass of the loop;
the others wait, not runnable, until a turn frees, and replies that arrived meanwhile are read in
between. Throughput is unchanged (the process has one core's worth of Python either way); what
changes is that waiting for a turn, unlike a stalled loop, never trips a timeout.

Cost: one extra pass of the loop per step (tens of microseconds), also when nothing else runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")

# Steps run per pass of the event loop. One keeps the loop's passes as short as one step (a few
# milliseconds for an ordinary thread); more would only batch steps that run one after the other
# anyway on the process's single thread.
CPU_STEPS_PER_PASS = 1


class CpuTurns:
    """A turnstile for CPU-bound steps; see the module docstring. One per event loop (process)."""

    def __init__(self, per_pass: int = CPU_STEPS_PER_PASS) -> None:
        if per_pass < 1:
            raise ValueError("per_pass must be at least 1")
        self._per_pass = per_pass
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore = asyncio.Semaphore(per_pass)

    def _turns(self) -> asyncio.Semaphore:
        # A semaphore belongs to one loop; a process serves on one, but tests run many in turn.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self._per_pass)
        return self._semaphore

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` on the loop, in its turn."""
        async with self._turns():
            # Hold the turn across one pass of the loop: the step then runs in a pass of its own,
            # after whatever became ready meanwhile (Redis replies, LLM bytes) has been handled.
            await asyncio.sleep(0)
            return fn(*args)

    async def run_in_thread(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` in a worker thread, in its turn (a large thread: the loop stays free)."""
        async with self._turns():
            return await asyncio.to_thread(fn, *args)
