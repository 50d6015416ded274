"""Webhook scenarios: how fast a signed delivery is accepted, and whether deliveries survive a killed worker.

5. webhook accept: bursts of 200 concurrent signed Chatwoot deliveries against every stack of the
   run (bench/stacks.py), all with the same API workers; every answer must be 202 and the p99 at
   most twice the stack floor's (bench/floor_app.py: Litestar and uvicorn verifying the signature,
   parsing the JSON and claiming and queueing the body in the same Redis in one script, the least
   a real receiver does).
6. webhook durability: 1,000 deliveries drafted by two ``tactful worker`` processes (mock LLM at
   300 ms), one killed with SIGKILL when about a third are delivered; a loopback Chatwoot counts
   the notes: every conversation gets exactly one, none is lost, none is doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from bench.clients import ClientKind, make_client
from bench.cpu import CPUMeter
from bench.floor_app import QUEUE_KEY as FLOOR_QUEUE_KEY
from bench.http1 import Response
from bench.load import burst, closed_loop
from bench.mock_helpdesk import MockChatwoot
from bench.phases import PerStack, Phase, cpu_ms, failures, merged, p_ms
from bench.procs import BENCH_CHATWOOT_TOKEN, BENCH_WEBHOOK_SECRET, WARM_TARGET, Managed, start_worker
from bench.report import Report, exactly, info, ratio
from bench.stacks import FLOOR, TACTFUL, Bench, MockControl, Stack
from service.integrations.signing import sign
from service.jobs import keys, queue_stats

WEBHOOK = "/v1/webhooks/chatwoot"
BARE_WEBHOOK = "/v1/webhooks-bare/chatwoot"  # the floor's route that only reads and answers 202
BARE_FLOOR = "floor-bare"
ACCEPT_CONCURRENCY = 200
ACCEPT_BURSTS = 3
DURABILITY_TOTAL = 1_000
DURABILITY_LLM_MS = 300.0
DURABILITY_DEADLINE_S = 300.0
P99_RATIO = 2.0  # issue 11: the bursts' p99 at most twice the floor's


def chatwoot_delivery(run: str, index: int) -> bytes:
    """A Chatwoot ``message_created`` for a new incoming message, unique per run and index."""
    body = {
        "event": "message_created",
        "id": 1_000_000 + index,
        "content": f"Hi, my order {run}-{index} arrived damaged and I'm upset, it was a gift. "
        "Can you send a replacement before Friday?",
        "message_type": "incoming",
        "private": False,
        "sender": {"id": 7, "name": "Dana Reyes", "email": "dana@example.com", "type": "contact"},
        "account": {"id": 1},
        "conversation": {"id": 50_000 + index, "display_id": index + 1, "channel": "Channel::Email"},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def accepted_problem(response: Response) -> str | None:
    if response.status != 202:
        return f"HTTP {response.status}"
    if b'"job_id"' not in response.body:
        return "202 without a job_id"
    return None


async def clear_queue(redis_url: str | None) -> None:
    """Drop the queued jobs of a scenario (no worker ran them), so the next starts from zero."""
    if redis_url is None:
        return
    client = aioredis.Redis.from_url(redis_url)
    try:
        for pattern in ("saq:*", "tactful:webhook:*", "tactful:jobs:*", "floor:webhooks:*"):
            async for key in client.scan_iter(match=pattern, count=1_000):
                await client.delete(key)
    finally:
        await client.aclose()


def _signed(bodies: list[bytes], indices: range) -> dict[int, dict[str, str]]:
    return {i: sign("chatwoot", bodies[i], BENCH_WEBHOOK_SECRET) for i in indices}


class _Deliveries:
    """One stack's signed deliveries: a warm-up, then bursts of fresh ones, its CPU metered per burst."""

    def __init__(self, stack: Stack, client_kind: ClientKind, path: str = WEBHOOK) -> None:
        self.stack = stack
        self.path = path
        self.api = make_client(client_kind, stack.origin, ACCEPT_CONCURRENCY)
        run = uuid.uuid4().hex[:8]
        self.bodies = [chatwoot_delivery(run, i) for i in range(ACCEPT_CONCURRENCY * (ACCEPT_BURSTS + 1))]
        self.signed: dict[int, dict[str, str]] = {}
        self.phase: Phase | None = None

    async def deliver(self, index: int) -> str | None:
        return accepted_problem(
            await self.api.request("POST", self.path, self.bodies[index], self.signed[index])
        )

    async def warm(self) -> None:
        floor = self.stack.is_floor or self.path == BARE_WEBHOOK
        await self.api.warm("/ready" if floor else WARM_TARGET)
        self.signed.update(_signed(self.bodies, range(ACCEPT_CONCURRENCY)))
        await closed_loop(self.deliver, total=ACCEPT_CONCURRENCY, concurrency=20)  # not measured

    async def burst(self, round_: int) -> None:
        offset = round_ * ACCEPT_CONCURRENCY
        # Signed just before sending (the timestamp is signed), outside the timed part.
        self.signed.update(_signed(self.bodies, range(offset, offset + ACCEPT_CONCURRENCY)))

        async def in_round(index: int) -> str | None:
            return await self.deliver(offset + index)

        cpu = CPUMeter(self.stack.pid)
        cpu.start()
        result = await burst(in_round, total=ACCEPT_CONCURRENCY)
        phase = Phase(result, cpu.per_request_ms(ACCEPT_CONCURRENCY))
        self.phase = phase if self.phase is None else merged(self.phase, phase)


async def webhook_accept(bench: Bench, control: MockControl, report: Report) -> None:
    size = ACCEPT_CONCURRENCY
    stacks = [_Deliveries(stack, bench.client) for stack in bench.stacks()]
    if bench.floor is not None:
        # The bare route too: Litestar and uvicorn alone, the floor this scenario used before.
        bare = dataclasses.replace(bench.floor, name=BARE_FLOOR)
        stacks.insert(1, _Deliveries(bare, bench.client, BARE_WEBHOOK))
    try:
        for deliveries in stacks:
            await deliveries.warm()
        # The stacks take turns burst by burst, so drift of the shared machine falls on all alike.
        for round_ in range(1, ACCEPT_BURSTS + 1):
            for deliveries in stacks:
                await deliveries.burst(round_)
                await asyncio.sleep(0.2)
    finally:
        for deliveries in stacks:
            await deliveries.api.aclose()
    bursts = PerStack({d.stack.name: d.phase for d in stacks if d.phase is not None})
    queued: dict[str, int | None] = {}
    for stack in bench.stacks():
        queued[stack.name] = await (_floor_queued if stack.is_floor else _queued)(stack.redis_url)
        await clear_queue(stack.redis_url)
    total = size * ACCEPT_BURSTS
    name = "webhook accept"
    tactful = bursts.phases.get(TACTFUL)
    failed, failed_note = failures(bursts)
    report.add(
        bursts.versus(name, f"202 latency p99, bursts of {size} concurrent", "ms", p_ms(99), judge="ratio",
                      at_most=P99_RATIO, note=f"{ACCEPT_BURSTS} bursts; verify, parse, rate limit, enqueue"),
        bursts.versus(name, "202 latency p50", "ms", p_ms(50)),
        bursts.versus(name, "CPU per delivery", "ms", cpu_ms, note="all API processes"),
        exactly(name, f"202 answers of {total} signed deliveries", tactful.result.ok if tactful else None,
                "requests", total, failed_note),
        exactly(name, "failed deliveries, every stack", failed, "requests", 0, failed_note),
        info(name, "jobs queued", queued.get(TACTFUL), "jobs",
             f"of {total + size} accepted (warm-up included); no worker runs"),
        info(name, "bare floor (body read, 202): p99", bursts.value(BARE_FLOOR, p_ms(99)), "ms",
             "the same bursts to the floor's route that verifies and queues nothing"),
        info(name, "Tactful p99 / bare floor p99", ratio(bursts.value(TACTFUL, p_ms(99)),
             bursts.value(BARE_FLOOR, p_ms(99))), "x", "the framework's share left out of the floor"),
        info(name, "floor: bodies queued", queued.get(FLOOR), "jobs",
             f"of {total + size}; bench/floor_app.py verifies, parses, claims and queues in one script"),
    )  # fmt: skip
    report.details[name] = {"bursts": bursts.details(), "queued": queued}


async def _floor_queued(redis_url: str | None) -> int | None:
    if redis_url is None:
        return None
    client = aioredis.Redis.from_url(redis_url)
    try:
        return int(await client.llen(FLOOR_QUEUE_KEY))  # type: ignore[misc]
    finally:
        await client.aclose()


async def _queued(redis_url: str | None) -> int | None:
    if redis_url is None:
        return None
    client = aioredis.Redis.from_url(redis_url)
    try:
        return (await queue_stats(client)).queued
    finally:
        await client.aclose()


async def _job_records(redis: aioredis.Redis) -> list[dict[str, Any]]:
    records = []
    async for key in redis.scan_iter(match=f"saq:job:{keys.QUEUE_NAME}:*", count=1_000):
        raw = await redis.get(key)
        if raw:
            records.append(json.loads(raw))
    return records


async def _finished(redis: aioredis.Redis, total: int) -> bool:
    """Every job ended. Queue lengths alone are not enough: a swept job is in no list for a moment."""
    records = await _job_records(redis)
    return sum(1 for r in records if r.get("status") in ("complete", "failed", "aborted")) >= total


async def webhook_durability(bench: Bench, control: MockControl, report: Report) -> None:
    redis_url = bench.tactful.redis_url
    if redis_url is None:
        raise ValueError("the durability scenario needs the run's Redis URL")
    run = uuid.uuid4().hex[:8]
    name = "webhook durability"
    redis = aioredis.Redis.from_url(redis_url)
    api = make_client(bench.client, bench.tactful.origin, 50)
    await control.configure(DURABILITY_LLM_MS)
    workers: list[Managed] = []
    with (
        tempfile.TemporaryDirectory(prefix="tactful-bench-workers-") as scratch_name,
        MockChatwoot(BENCH_CHATWOOT_TOKEN) as chatwoot,
    ):
        scratch = Path(scratch_name)
        try:
            workers = [start_worker(scratch, n, redis_url, bench.mock, chatwoot.url) for n in (1, 2)]
            bodies = [chatwoot_delivery(run, i) for i in range(DURABILITY_TOTAL)]

            async def deliver(index: int) -> str | None:
                headers = sign("chatwoot", bodies[index], BENCH_WEBHOOK_SECRET)
                return accepted_problem(await api.request("POST", WEBHOOK, bodies[index], headers))

            started = time.perf_counter()
            accepted = await closed_loop(deliver, total=DURABILITY_TOTAL, concurrency=50)
            deadline = time.monotonic() + DURABILITY_DEADLINE_S
            while len(chatwoot.notes) < DURABILITY_TOTAL // 3:
                if time.monotonic() > deadline:
                    raise ValueError(f"only {len(chatwoot.notes)} notes after {DURABILITY_DEADLINE_S:g} s")
                await asyncio.sleep(0.05)
            victim = workers[0]
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait()
            killed_at = len(chatwoot.notes)
            deadline = time.monotonic() + DURABILITY_DEADLINE_S
            while not await _finished(redis, accepted.ok) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(1.0)  # each look reads every job record: not too often
            wall = time.perf_counter() - started
            stats = await queue_stats(redis)
            attempts = [int(r.get("attempts", 0)) for r in await _job_records(redis)]
        finally:
            for worker in workers:
                worker.stop()
            await api.aclose()
            await control.configure(0)
        per_conversation = chatwoot.per_conversation()
        lookups = chatwoot.lookups
    delivered = len(per_conversation)
    duplicates = sum(count - 1 for count in per_conversation.values())
    taken_over = sum(1 for a in attempts if a > 1)
    report.add(
        exactly(name, "deliveries accepted (202)", accepted.ok, "requests", DURABILITY_TOTAL),
        exactly(name, "conversations with a note (0 lost)", delivered, "notes", DURABILITY_TOTAL,
                f"2 workers, one SIGKILLed after {killed_at} notes; LLM {DURABILITY_LLM_MS:g} ms"),
        exactly(name, "duplicate notes", duplicates, "notes", 0, "same conversation noted twice"),
        exactly(name, "dead-lettered jobs", stats.dead_lettered, "jobs", 0),
        info(name, "jobs taken over from the killed worker", taken_over, "jobs", "attempts > 1"),
        info(name, "retries that looked for their note first", lookups, "lookups",
             "the killed attempt had started posting: the retry lists the conversation (decision 35)"),
        info(name, "wall time, accept to last note", wall, "s"),
    )  # fmt: skip
    report.details[name] = {
        "accepted": accepted.summary(),
        "killed_after_notes": killed_at,
        "delivered": delivered,
        "duplicates": duplicates,
        "stats": stats.as_dict(),
        "taken_over": taken_over,
        "lookups": lookups,
        "wall_s": round(wall, 3),
    }
    with contextlib.suppress(Exception):
        await redis.aclose()
    await clear_queue(redis_url)
