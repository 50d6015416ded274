"""Delivering each result at most once per channel, even when workers die and jobs are retried.

A job may run again after a worker dies (SIGKILL, OOM, a lost host) or after a failed attempt.
Before calling a helpdesk, the worker looks for the receipt of an earlier attempt and, finding one,
does not post again. While it posts, it holds a short lock so that a second worker (a job swept
from a worker that was only slow) cannot post at the same time; after the helpdesk accepts, the
receipt is written.

The window: a worker killed after the helpdesk accepted the note and before the receipt was
written leaves no receipt. That is one Redis round trip, but on a busy worker also the time its
event loop takes to come back to the answer (the benchmark's SIGKILL, with 20 jobs in flight, hit
it several times in 1,000). So a worker marks each call as started before making it; a retry
that finds the mark without a receipt asks the helpdesk whether the note is already there
(``find``: every helpdesk integration can look) and posts only if it is not. An integration that
could not look would post again, leaving the window open. Callbacks close it on the receiver's
side: their ``webhook-id`` is the same on every retry.

A lock is waited out, not turned into a failed attempt. An attempt cut off by a Redis failover
(decision 157) cannot run its unlock, so its lock stays on the promoted primary for its full TTL;
each retry that met it used to fail at once, and SAQ's jittered retries could spend every attempt
inside that one TTL and dead-letter a job that nobody was delivering. A held lock now makes the
attempt wait (heart-beating) until the receipt appears or the lock can be taken, for at most one
lock TTL: the longest a live holder may post, and when a dead holder's lock is gone.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from service.integrations.base import Receipt
from service.jobs import keys

LOCK_POLL_S = 0.2  # how often a waiting attempt looks for the receipt or a free lock

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class DeliveryBusy(Exception):
    """The lock was still held after one lock TTL of waiting; the job retries later and finds its receipt."""


class DeliveryLedger:
    def __init__(self, redis: aioredis.Redis, *, receipt_ttl_s: int, lock_ttl_s: float) -> None:
        self._redis = redis
        self._receipt_ttl_s = receipt_ttl_s
        self._lock_ms = int(lock_ttl_s * 1000)
        self._unlock = redis.register_script(_UNLOCK)

    async def recorded(self, source: str, delivery_id: str, channel: str) -> Receipt | None:
        raw = await self._redis.get(keys.delivered(source, delivery_id, channel))
        return Receipt.from_dict(_loads(raw)) if raw else None

    async def deliver_once(
        self,
        source: str,
        delivery_id: str,
        channel: str,
        send: Callable[[], Awaitable[Receipt]],
        find: Callable[[], Awaitable[Receipt | None]] | None = None,
        not_sent: tuple[type[BaseException], ...] = (),
    ) -> Receipt:
        """``send`` once; ``find`` (optional) looks in the helpdesk for what an earlier attempt sent.

        ``not_sent``: errors of ``send`` after which nothing can have been delivered (the helpdesk
        answered with an error, the connection never opened), so a retry need not look first."""
        earlier = await self.recorded(source, delivery_id, channel)
        if earlier is not None:
            return earlier
        lock, token = keys.delivering(source, delivery_id, channel), uuid.uuid4().hex
        deadline = time.monotonic() + self._lock_ms / 1000
        while not await self._redis.set(lock, token, nx=True, px=self._lock_ms):
            # Held by a live worker posting now, or left by an attempt a failover cut off: either
            # way it is gone within one TTL, and the holder's receipt may appear first.
            earlier = await self.recorded(source, delivery_id, channel)
            if earlier is not None:
                return earlier
            if time.monotonic() >= deadline:
                raise DeliveryBusy(f"{channel}: another worker is delivering this result")
            await asyncio.sleep(LOCK_POLL_S)
        try:
            # Checked again under the lock: the other worker may have finished just before we took it.
            earlier = await self.recorded(source, delivery_id, channel)
            if earlier is not None:
                return earlier
            started = keys.sending(source, delivery_id, channel)
            # An earlier attempt got as far as calling the helpdesk and left no receipt: it may have
            # died after the helpdesk accepted. Look before posting a second note.
            found = await find() if find is not None and await self._redis.exists(started) else None
            if found is not None:
                receipt = found
            else:
                await self._redis.set(started, "1", ex=self._receipt_ttl_s)
                try:
                    receipt = await send()
                except not_sent:
                    await self._redis.delete(started)
                    raise
            await self._redis.set(
                keys.delivered(source, delivery_id, channel), _dumps(receipt), ex=self._receipt_ttl_s
            )
            return receipt
        finally:
            await self._unlock(keys=[lock], args=[token])


def _dumps(receipt: Receipt) -> str:
    return json.dumps(receipt.as_dict())


def _loads(raw: bytes | str) -> dict[str, object]:
    data: dict[str, object] = json.loads(raw)
    return data
