"""Comparison rows: Tactful's figure against the floor's of the same run, judged as the issue sets it."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.load import LoadResult, RequestFn
from bench.phases import PerStack, Phase, failures, interleaved, merged, p_ms, rps
from bench.report import Report, info, versus, write
from bench.stacks import Stack


def test_a_difference_target_judges_tactful_minus_the_floor() -> None:
    row = versus("overhead", "p50 (c=1)", 4.0, 1.5, "ms", judge="difference", at_most=3)
    assert (row.target, row.passed) == ("<= floor + 3 ms", True)
    assert versus("overhead", "p50 (c=1)", 4.6, 1.5, "ms", judge="difference", at_most=3).passed is False


def test_a_ratio_target_judges_tactful_over_the_floor_either_way() -> None:
    assert versus("capacity", "wall", 3.0, 2.1, "s", judge="ratio", at_most=1.5).passed is True
    assert versus("capacity", "wall", 3.3, 2.1, "s", judge="ratio", at_most=1.5).passed is False
    throughput = versus("overhead", "drafts/s", 240.0, 500.0, "req/s", judge="ratio", at_least=0.5)
    assert (throughput.target, throughput.passed) == (">= 0.5 x floor", False)


def test_a_value_target_ignores_the_floor_and_a_missing_floor_fails_a_relative_target() -> None:
    assert versus("cache hit", "p50", 1.2, 0.2, "ms", judge="value", at_most=2).passed is True
    assert versus("overhead", "p50", 1.0, None, "ms", judge="difference", at_most=3).passed is False
    assert versus("overhead", "p50", 1.0, math.nan, "ms", judge="ratio", at_most=3).passed is False
    assert versus("overhead", "cpu", 1.0, 0.5, "ms").passed is None  # reported only


def test_the_markdown_puts_comparisons_first_with_ratio_difference_and_baseline(tmp_path: Path) -> None:
    report = Report(options={"command": "python -m bench", "workers": 2, "baseline": "HEAD~1"})
    report.options["baseline_commit"] = "abc1234"
    report.add(
        versus("overhead", "p50 (c=1)", 4.0, 2.0, "ms", judge="difference", at_most=3, baseline=5.0),
        info("coalescing", "LLM calls", 1, "calls"),
    )
    markdown, _, json_path = write(report, tmp_path)
    assert "2 API workers (service and floor)" in markdown
    assert "Baseline: `HEAD~1` at abc1234" in markdown
    row = "| overhead | p50 (c=1) | 4 | 2 | ms | 2.00 | +2.00 | 5 | 2.50 | -20 % | <= floor + 3 ms | PASS |"
    assert row in markdown
    assert markdown.index("## Against the stack floor") < markdown.index("| coalescing | LLM calls |")
    rows = json.loads(json_path.read_text(encoding="utf-8"))["rows"]
    assert rows[0]["floor"] == 2.0
    assert rows[0]["baseline"] == 5.0
    assert rows[0]["compared"] is True


def _phase(latencies_ms: list[float], wall_s: float = 1.0, failures: int = 0) -> Phase:
    result = LoadResult([ms / 1000 for ms in latencies_ms], wall_s=wall_s)
    if failures:
        result.failures["HTTP 503"] = failures
    return Phase(result, cpu_ms=None)


def test_per_stack_phases_read_one_figure_into_a_row() -> None:
    phases = PerStack({"floor": _phase([1.0] * 100, wall_s=0.5), "tactful": _phase([2.0] * 100, failures=2)})
    row = phases.versus("overhead", "drafts/s", "req/s", rps, judge="ratio", at_least=0.5)
    assert (row.value, row.floor, row.baseline, row.passed) == (100.0, 200.0, None, True)
    assert phases.versus("overhead", "p50", "ms", p_ms(50)).value == 2.0
    count, note = failures(phases)
    assert count == 2
    assert note.startswith("tactful: 2 failed: HTTP 503")


async def test_interleaved_slices_take_turns_and_keep_indices_unique() -> None:
    stacks = [Stack("floor", "http://f"), Stack("tactful", "http://t")]
    calls: list[tuple[str, int]] = []

    def request_for(stack: Stack) -> RequestFn:
        async def request(index: int) -> str | None:
            calls.append((stack.name, index))
            return None

        return request

    phases = await interleaved(stacks, request_for, total=10, concurrency=1, rounds=3)
    assert [name for name, _ in calls[:8]] == ["floor"] * 4 + ["tactful"] * 4  # slices of 4, 4, 2
    assert sorted(i for name, i in calls if name == "tactful") == list(range(10))
    assert phases.phases["floor"].result.ok == 10
    assert phases.phases["tactful"].cpu_ms is None  # no process to read


def test_merged_weights_cpu_by_requests() -> None:
    first = Phase(LoadResult([0.001] * 3, wall_s=1.0), cpu_ms=2.0)
    second = Phase(LoadResult([0.002], wall_s=0.5), cpu_ms=6.0)
    both = merged(first, second)
    assert both.result.ok == 4
    assert both.result.wall_s == 1.5
    assert both.cpu_ms == 3.0
