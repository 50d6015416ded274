"""The load driver's pure helpers: statistics, thread uniqueness, response checks, the report."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.http1 import Response
from bench.load import closed_loop, percentile
from bench.report import Report, at_least, at_most, exactly, info, write
from bench.scenarios import draft_problem, server_timing
from bench.threads import SYNTHETIC_THREADS, ThreadFactory, load_threads


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 100) == 100
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))


async def test_closed_loop_sends_each_request_once_and_counts_failures() -> None:
    seen: list[int] = []

    async def request(index: int) -> str | None:
        seen.append(index)
        return "odd" if index % 2 else None

    result = await closed_loop(request, total=10, concurrency=3)
    assert sorted(seen) == list(range(10))
    assert result.ok == 5
    assert result.failures == {"odd": 5}


def test_unique_threads_differ_in_id_and_prompt_text(tmp_path: Path) -> None:
    factory = ThreadFactory(load_threads(tmp_path), run_id="r1")  # empty dir: synthetic threads
    first, second = factory.unique("x", 0), factory.unique("x", 1)
    assert first["id"] != second["id"]
    assert "BENCH-r1-x-0" in first["messages"][-1]["body"]
    assert factory.unique_json("x", 0) == factory.unique_json("x", 0)  # deterministic
    assert factory.base(0) == SYNTHETIC_THREADS[0]  # the originals are never mutated


def test_seed_threads_are_used_and_topped_up(tmp_path: Path) -> None:
    seed = {"customer": {"name": "Zoe"}, "messages": [{"role": "customer", "body": "Help"}]}
    (tmp_path / "a.json").write_text(json.dumps(seed), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    threads = load_threads(tmp_path, minimum=3)
    assert threads[0] == seed
    assert len(threads) == 3


def _draft(http_status: int = 200, cache: str = "MISS", **body: object) -> Response:
    payload = {"provider": "openai", "reply": "Hi", "status": "approved"} | body
    return Response(http_status, {"x-cache": cache}, json.dumps(payload).encode())


def test_draft_problem_names_what_is_wrong() -> None:
    assert draft_problem(_draft()) is None
    assert draft_problem(_draft(cache="HIT"), expect_cache="HIT") is None
    assert draft_problem(_draft(http_status=503)) == "HTTP 503"
    assert draft_problem(_draft(), expect_cache="HIT") == "X-Cache MISS (wanted HIT)"
    assert "fell back" in (draft_problem(_draft(provider="offline")) or "")
    assert draft_problem(_draft(reply=None, status="blocked")) == "status blocked: no reply"


def test_server_timing_is_parsed() -> None:
    header = "cache;dur=0.40, llm;dur=1.25, guard;dur=0.30, total;dur=2.10"
    assert server_timing(header) == {"cache": 0.4, "llm": 1.25, "guard": 0.3, "total": 2.1}
    assert server_timing("") == {}


def test_report_is_written_as_markdown_and_json(tmp_path: Path) -> None:
    report = Report(options={"command": "python -m bench --quick", "quick": True})
    report.add(
        at_most("overhead", "added p50", 3.2, "ms", 5),
        at_least("cache hit", "hits/s", 420.0, "req/s", 500),
        exactly("coalescing", "LLM calls", 1, "calls", 1),
        info("capacity", "p99", math.nan, "ms"),
    )
    markdown, md_path, json_path = write(report, tmp_path)
    assert "| overhead | added p50 | 3.20 | ms | <= 5 | PASS |" in markdown
    assert "| cache hit | hits/s | 420 | req/s | >= 500 | FAIL |" in markdown
    assert "| capacity | p99 | n/a |" in markdown
    assert md_path.read_text(encoding="utf-8") == markdown
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert document["machine"]["cpu_count"] >= 1
    assert document["rows"][3]["value"] is None  # NaN is not JSON
    assert [row["verdict"] for row in document["rows"]] == ["PASS", "FAIL", "PASS", ""]
    assert [row.metric for row in report.missed_targets] == ["hits/s"]
