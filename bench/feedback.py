"""The feedback scenario: what recording an agent's feedback costs, and the summary over 100,000.

1. The endpoint: ``POST /v1/drafts/{id}/feedback`` one at a time (sent, edited with a final text
   compared against the draft, discarded; each draft gets several, so most replace an earlier one),
   against the stack floor's bare route (``bench/floor_app.py``: the body read and answered, nothing
   else) with the same body, in the same run, the two taking turns in slices (bench/phases.py).
   Target: p50(feedback) - p50(floor) <= 2 ms at c=1.
2. The summary: 100,000 feedbacks recorded straight into the service's Redis through the service's
   own script and key layout (spread over 30 days, 3 prompt versions, 5 languages, 5 channels, up
   to 3 of 17 rules a draft), then ``GET /v1/feedback/summary`` for every ``group_by``, one at a
   time. Target: p50 <= 200 ms for the slowest grouping.
"""

from __future__ import annotations

import json
import random
import time

import redis.asyncio as aioredis

from bench.clients import LoadClient, make_client
from bench.load import RequestFn, closed_loop, percentile
from bench.phases import cpu_ms, failures, interleaved, p_ms
from bench.report import Report, at_most, exactly, info
from bench.stacks import TACTFUL, Bench, MockControl, Stack
from service.feedback import records as rec
from service.feedback.distances import EditReport
from service.feedback.records import DraftRecord, FeedbackItem, GroupBy, Outcome
from service.feedback.store import SUBMIT_SCRIPT, day_of, increments

JSON_HEADERS = {"Content-Type": "application/json"}
# The floor's bare route (body read, 202). Not ``/v1/webhooks/{source}``: with the run's Redis that
# route is the webhook door's production-shaped floor and answers 401 to an unsigned body, so every
# floor request of this scenario failed and no ratio was measured.
FLOOR_BARE = "/v1/webhooks-bare/feedback"
SEEDED = 100_000
DAYS = 30
RULES = ["acknowledgement", "restates-issue", "positive-language", "no-blame", "no-dismissive",
         "off-limits-topic", "next-steps", "placeholder", "secret", "pii", "prompt-leak", "shouting",
         "length", "language-match", "signature", "agent-gap", "unsafe-content"]  # fmt: skip


def _bodies(reply: str) -> list[bytes]:
    edited = reply.replace(".", "!", 2) + "\nP.S. I have also added a voucher to your account."
    return [
        json.dumps({"outcome": "sent"}).encode(),
        json.dumps({"outcome": "edited", "final_text": edited}).encode(),
        json.dumps({"outcome": "discarded", "reason": "wrong customer"}).encode(),
    ]


def _feedback_request(stack: Stack, client: LoadClient, drafts: list[tuple[str, list[bytes]]]) -> RequestFn:
    """The same feedback bodies to Tactful's endpoint or, on the floor, to its bare route."""

    def body_for(index: int) -> tuple[str, bytes]:
        draft_id, bodies = drafts[index % len(drafts)]
        return f"/v1/drafts/{draft_id}/feedback", bodies[(index // len(drafts)) % len(bodies)]

    async def feedback(index: int) -> str | None:
        path, body = body_for(index)
        if stack.is_floor:
            response = await client.request("POST", FLOOR_BARE, body, JSON_HEADERS)
            return None if response.status == 202 else f"HTTP {response.status}"
        response = await client.request("POST", path, body, JSON_HEADERS)
        return None if response.status == 204 else f"HTTP {response.status}"

    return feedback


async def _endpoint(bench: Bench, report: Report) -> None:
    sizes = bench.sizes
    total = sizes.overhead_serial * 2
    # Not the baseline: a commit from before the feedback API has no endpoint to compare.
    stacks = [stack for stack in (bench.floor, bench.tactful) if stack is not None]
    clients = {stack.name: make_client(bench.client, stack.origin, 1) for stack in stacks}
    api = clients[TACTFUL]
    drafts: list[tuple[str, list[bytes]]] = []
    try:
        for index in range(40):
            response = await api.request(
                "POST", "/v1/drafts", bench.threads.unique_json("fb", index), JSON_HEADERS
            )
            if response.status != 200:
                report.errors.append(f"feedback: draft failed: HTTP {response.status}")
                return
            result = json.loads(response.body)
            drafts.append((result["id"], _bodies(result["reply"] or result["rejected_draft"])))

        def request_for(stack: Stack) -> RequestFn:
            return _feedback_request(stack, clients[stack.name], drafts)

        for stack in stacks:
            await closed_loop(request_for(stack), total=sizes.warmup, concurrency=1)
        phases = await interleaved(stacks, request_for, total=total, concurrency=1, rounds=sizes.rounds)
    finally:
        for client in clients.values():
            await client.aclose()

    name = "feedback"
    failed, failed_note = failures(phases)
    report.add(
        phases.versus(name, "feedback p50 (c=1)", "ms", p_ms(50), judge="difference", at_most=2,
                      note="sent, edited (with final text), discarded; most replace one; floor: bare route, "
                      "same bodies"),
        phases.versus(name, "feedback p99 (c=1)", "ms", p_ms(99)),
        phases.versus(name, "CPU per feedback (c=1)", "ms", cpu_ms, note="all API processes"),
        exactly(name, "failed feedbacks", failed, "requests", 0, failed_note),
    )  # fmt: skip
    report.details["feedback endpoint"] = phases.details()


def _record(rng: random.Random) -> DraftRecord:
    carried = rng.sample(RULES, rng.choice([0, 1, 1, 2, 3]))
    return DraftRecord(
        tenant="",
        prompt_version=rng.choice(["3f1a9c0b2d4e", "77be0c1d9a02", "c0ffee123456"]),
        provider=rng.choice(["openai", "openai", "offline"]),
        model="mock-1",
        language=rng.choice(["en", "en", "en", "de", "es", "fr", "pt"]),
        channel=rng.choice(["email", "email", "chat", "sms", "social", "other"]),
        at=0.0,
        findings=[(rule, "warn", 10 * i, 10 * i + 20) for i, rule in enumerate(carried)],
    )


def _item(rng: random.Random, index: int, now: float) -> tuple[str, bytes]:
    record = _record(rng)
    outcome = rng.choices([Outcome.sent, Outcome.edited, Outcome.discarded], [55, 35, 10])[0]
    at = now - rng.random() * (DAYS - 1) * 86_400
    report = None
    if outcome is not Outcome.discarded:
        distance = 0.0 if outcome is Outcome.sent else round(rng.betavariate(1.5, 6), 4)
        carried = tuple(sorted({rule for rule, *_ in record.findings}))
        rewritten = tuple(rule for rule in carried if outcome is Outcome.edited and rng.random() < 0.4)
        report = EditReport(distance, min(1.0, distance * 1.3), 5, (), rewritten, carried)
    accepted = outcome is Outcome.sent
    draft_id = f"drf_bench{index:023d}"
    item = FeedbackItem(
        draft_id=draft_id, tenant="", outcome=outcome.value, source="api", at=at, accepted=accepted,
        char_distance=report.char_distance if report else None,
        word_distance=report.word_distance if report else None, sentences=5, changed_sentences=[],
        rewritten_rules=list(report.rewritten_rules) if report else [], final_text=None, reason=None,
        incs=increments(record, outcome, accepted, report, day_of(at)),
    )  # fmt: skip
    return draft_id, rec.encode(item)


async def seed_feedback(redis_url: str, count: int, retention_s: int = 30 * 86_400) -> float:
    """Record ``count`` feedbacks through the service's script; returns the seconds it took."""
    started = time.perf_counter()
    client = aioredis.Redis.from_url(redis_url)
    rng = random.Random(15)
    now = time.time()
    try:
        sha = await client.script_load(SUBMIT_SCRIPT)
        for start in range(0, count, 1_000):
            pipe = client.pipeline(transaction=False)
            for index in range(start, min(count, start + 1_000)):
                draft_id, raw = _item(rng, index, now)
                args: list[bytes | int | float | str] = [
                    raw,
                    retention_s,
                    retention_s + 2 * 86_400,
                    now,
                    draft_id,
                    now - retention_s,
                    rec.HIST_PREFIX,
                ]
                pipe.evalsha(sha, 2, rec.item_key(draft_id), rec.INDEX_KEY, *args)
            await pipe.execute()
    finally:
        await client.aclose()
    return time.perf_counter() - started


async def _summary(bench: Bench, report: Report) -> None:
    redis_url = bench.tactful.redis_url
    if redis_url is None:
        report.errors.append("feedback: no Redis URL to seed")
        return
    seeded_s = await seed_feedback(redis_url, SEEDED)
    api = make_client(bench.client, bench.tactful.origin, 1)
    timings: dict[str, list[float]] = {}
    total = None
    try:
        for group_by in [None, *GroupBy]:
            query = f"?since={DAYS}d" + (f"&group_by={group_by.value}" if group_by else "")
            times: list[float] = []
            for _ in range(3 if bench.sizes.overhead_serial < 100 else 15):
                began = time.perf_counter()
                response = await api.request("GET", "/v1/feedback/summary" + query, b"", {})
                times.append((time.perf_counter() - began) * 1000)
                if response.status != 200:
                    report.errors.append(f"feedback: summary HTTP {response.status}")
                    return
                total = json.loads(response.body)["overall"]["total"]
            timings[group_by.value if group_by else "none"] = times
        began = time.perf_counter()
        await api.request("GET", "/metrics", b"", {})
        scrape_ms = (time.perf_counter() - began) * 1000
    finally:
        await api.aclose()
    slowest = max(timings, key=lambda key: percentile(timings[key], 50))
    name = "feedback"
    report.add(
        info(name, "feedbacks in the summary", total, "feedbacks",
             f"{SEEDED:,} seeded over {DAYS} days in {seeded_s:.1f} s, plus the endpoint's"),
        at_most(name, "summary p50, slowest group_by (c=1)", percentile(timings[slowest], 50), "ms", 200,
                f"group_by={slowest}; " + ", ".join(
                    f"{key} {percentile(values, 50):.1f}" for key, values in timings.items())),
        info(name, "summary max, slowest group_by (c=1)", max(timings[slowest]), "ms"),
        info(name, "/metrics scrape with the feedback gauges", scrape_ms, "ms", "one scrape, all tenants"),
    )  # fmt: skip
    report.details["feedback summary"] = {"ms": timings, "seed_s": seeded_s, "total": total}


async def feedback(bench: Bench, control: MockControl, report: Report) -> None:
    await control.configure(0)
    await _endpoint(bench, report)
    await _summary(bench, report)
