"""One Lua script run for many concurrent callers: the calls that arrive together share a pipeline.

A burst of webhook deliveries makes one script call each. Made one by one, every call pays
redis-py's per-command machinery (a pool connection, a retry wrapper, a timeout, a write and a
read syscall, their wake-ups), which at 200 concurrent deliveries was a fifth of the API's CPU.
Here the calls made during one turn of the event loop are sent together as a pipeline of
``EVALSHA`` (one write, the replies read in one go), at most ``MAX_BATCH`` to a pipeline. Nothing
waits for a batch to fill: a lone call is sent on the next turn of the loop, so an idle service
answers as fast as before, and a busy one makes fewer, larger trips.

Each call is still its own script run, atomic on its own, and gets its own reply or error: a
script error fails only its caller; a connection error fails every caller of that pipeline (as it
would have failed each of their calls). ``NOSCRIPT`` (a restarted or flushed Redis) loads the
script and sends those calls again.

With ``replicas`` > 0 (Sentinel deployments), each pipeline ends with ``WAIT replicas timeout``:
the callers are answered only once that many replicas hold their writes, so a failover right
after a 202 cannot lose the job. Fewer acknowledgements in time fail the whole batch with
:class:`ReplicationLag`, and the webhook door answers 503 so the helpdesk retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

Call = tuple[Sequence[Any], Sequence[Any], "asyncio.Future[Any]"]


# A burst is cut into pipelines of at most this many calls, so Redis starts on the first ones while
# the process still reads the rest (one pipeline of 200 left the process idle while Redis ran them).
MAX_BATCH = 32


class ReplicationLag(RuntimeError):
    """Fewer replicas than required acknowledged a batch's writes in time."""


class BatchedScript:
    def __init__(
        self,
        redis: aioredis.Redis,
        script: str,
        *,
        max_batch: int = MAX_BATCH,
        replicas: int = 0,
        replica_wait_ms: int = 200,
    ) -> None:
        self._redis = redis
        self._replicas = replicas
        self._replica_wait_ms = replica_wait_ms
        self._script = redis.register_script(script)
        self._max_batch = max_batch
        self._pending: list[Call] = []
        self._flush_scheduled = False
        self._in_flight: set[asyncio.Task[None]] = set()  # strong references until each is done

    async def __call__(self, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, future))
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
            replies = await self._execute(batch)
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

    async def _execute(self, batch: list[Call]) -> list[Any]:
        replies = await self._pipeline(batch)
        missing = [index for index, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing:
            await self._redis.script_load(self._script.script)
            again = await self._pipeline([batch[index] for index in missing])
            for index, reply in zip(missing, again, strict=True):
                replies[index] = reply
        return replies

    async def _pipeline(self, batch: list[Call]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                pipe.evalsha(self._script.sha, len(keys), *keys, *args)
            if self._replicas:
                # Same connection as the scripts: WAIT counts the writes this connection made.
                pipe.execute_command("WAIT", self._replicas, self._replica_wait_ms)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        if self._replicas:
            acknowledged = replies.pop()
            if isinstance(acknowledged, Exception) or int(acknowledged) < self._replicas:
                raise ReplicationLag(f"{acknowledged} of {self._replicas} replicas acknowledged in time")
        return replies
