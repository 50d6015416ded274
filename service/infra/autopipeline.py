"""A Redis client whose script calls made together go out together: one pipeline per loop turn.

A burst of webhook deliveries makes two script calls each: our claim (rate limit and idempotency
key) and SAQ's enqueue, which SAQ makes through the client it was given. Made one by one, every
call pays redis-py's per-command machinery (a pool connection, a retry wrapper, a timeout task, a
write and a read syscall, their wake-ups); at 200 concurrent deliveries that was a quarter of the
API's CPU. :class:`PipeliningRedis` is an ordinary ``redis.asyncio.Redis`` sharing another
client's pool whose ``EVALSHA`` calls made during one turn of the event loop are sent as one
pipeline (``transaction=False``), at most ``max_batch`` to a pipeline, so Redis starts on the first
while the process still reads the rest. Nothing waits for a batch to fill: a lone call goes out on
the next turn of the loop, so an idle service answers as fast as before.

Only script calls are gathered: each is atomic on its own and takes no connection state, so
sending it in a pipeline changes nothing but the number of trips. Every other command (and every
``pipeline()``, ``WAIT`` fence or blocking read) goes straight through, as on the client it shares
a pool with. Each call gets its own reply or error: a script error fails only its caller (redis-py's
``Script`` object still loads a script Redis does not know and calls again); a lost connection
fails every caller of that pipeline, as it would have failed each of their calls. redis-py retries
a pipeline once after a lost connection, as it retries a lone command, so the scripts sent through
here must tolerate being run twice (ours and SAQ's enqueue do: docs/decisions.md 34, 51).

This overrides ``execute_command``, redis-py's public entry for every command; SAQ sees a plain
client (its constructor takes any ``redis.asyncio.Redis``). See docs/decisions.md, 111.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis

# A burst is cut into pipelines of at most this many calls, so Redis starts on the first ones while
# the process still reads the rest (one pipeline of 200 left the process idle while Redis ran them).
MAX_BATCH = 32
# Commands gathered into pipelines: script runs, atomic one by one and free of connection state.
GATHERED = frozenset({"EVALSHA", "EVALSHA_RO"})

Call = tuple[Sequence[Any], dict[str, Any], "asyncio.Future[Any]"]


class PipeliningRedis(aioredis.Redis):
    """See the module docstring. Build it with :meth:`sharing` (it never owns the pool)."""

    def __init__(self, *args: Any, max_batch: int = MAX_BATCH, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._max_batch = max_batch
        self._pending: list[Call] = []
        self._flush_scheduled = False
        self._in_flight: set[asyncio.Task[None]] = set()  # strong references until each is done

    @classmethod
    def sharing(cls, client: aioredis.Redis, *, max_batch: int = MAX_BATCH) -> PipeliningRedis:
        """A pipelining client on ``client``'s pool (same server, timeouts and retries); closing it
        leaves the pool to ``client``."""
        return cls(connection_pool=client.connection_pool, max_batch=max_batch)

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if str(args[0]).upper() not in GATHERED:
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((args, options, future))
        if len(self._pending) >= self._max_batch:
            self._flush()
        elif not self._flush_scheduled:
            # Every call made during this turn of the event loop goes in the same pipeline.
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _send(self, batch: list[Call]) -> None:
        try:
            replies = await self._pipeline(batch)
        except asyncio.CancelledError:
            for _, _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue  # the caller was cancelled; its script may still have run, as it could alone
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _pipeline(self, batch: list[Call]) -> list[Any]:
        async with self.pipeline(transaction=False) as pipe:
            for args, options, _ in batch:
                pipe.execute_command(*args, **options)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        return replies
