"""A delivery lock left behind (an attempt a failover cut off before its unlock) is waited out within
the attempt, instead of failing it: retries that each met the lock spent a job's every attempt."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from service.integrations.base import Receipt
from service.jobs import keys
from service.jobs.ledger import DeliveryBusy, DeliveryLedger


async def test_an_orphaned_lock_is_waited_out_and_the_result_delivered(redis_client: Any) -> None:
    ledger = DeliveryLedger(redis_client, receipt_ttl_s=60, lock_ttl_s=1.0)
    # What a cut-off attempt leaves on the promoted primary: its lock, no receipt.
    await redis_client.set(keys.delivering("generic", "d1", "callback"), "dead-attempt", px=1000)
    sent: list[str] = []

    async def send() -> Receipt:
        sent.append("callback")
        return Receipt("callback", True)

    started = time.monotonic()
    receipt = await ledger.deliver_once("generic", "d1", "callback", send)
    assert receipt.delivered
    assert sent == ["callback"]
    assert time.monotonic() - started < 3.0  # bounded by the lock's TTL, not a retry schedule
    assert await ledger.recorded("generic", "d1", "callback") is not None


async def test_a_holder_that_delivers_meanwhile_is_not_posted_again(redis_client: Any) -> None:
    ledger = DeliveryLedger(redis_client, receipt_ttl_s=60, lock_ttl_s=5.0)
    await redis_client.set(keys.delivering("generic", "d2", "callback"), "live-worker", px=5000)
    sent: list[str] = []

    async def send() -> Receipt:
        sent.append("callback")
        return Receipt("callback", True)

    async def holder_finishes() -> None:
        await asyncio.sleep(0.3)
        await redis_client.set(
            keys.delivered("generic", "d2", "callback"), '{"channel": "callback", "delivered": true}'
        )

    task = asyncio.create_task(holder_finishes())
    receipt = await ledger.deliver_once("generic", "d2", "callback", send)
    await task
    assert receipt.delivered
    assert sent == []


async def test_a_lock_held_past_its_ttl_still_fails_the_attempt(redis_client: Any) -> None:
    ledger = DeliveryLedger(redis_client, receipt_ttl_s=60, lock_ttl_s=0.5)
    # A lock renewed beyond one TTL (not ours to judge): the attempt gives up and SAQ retries it.
    await redis_client.set(keys.delivering("generic", "d3", "callback"), "other", px=10_000)

    async def send() -> Receipt:
        raise AssertionError("must not post while another worker holds the lock")

    started = time.monotonic()
    with pytest.raises(DeliveryBusy):
        await ledger.deliver_once("generic", "d3", "callback", send)
    assert 0.4 < time.monotonic() - started < 2.0
