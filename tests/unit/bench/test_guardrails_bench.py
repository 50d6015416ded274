"""The guardrail benchmark: replies of the stated sizes, and every figure reported."""

from __future__ import annotations

import pytest

from bench.guardrails import SCENARIO, measure, reply_of
from bench.report import Report
from service.guardrails import load_guardrails

pytestmark = pytest.mark.slow  # runs the guardrail benchmark's measurement loop


def test_replies_have_the_exact_sizes_and_pass_the_rules() -> None:
    guardrails = load_guardrails()
    for size in (200, 2048, 8192):
        text = reply_of(size)
        assert len(text) == size
        assert text.endswith("Best regards,\nSam\nPayroll Support")
    assert guardrails.check(reply_of(2048)).verdict.value in {"pass", "warn"}


def test_measure_reports_every_size_and_the_eval_rate() -> None:
    report = Report()
    measure(report, load_guardrails(), runs=3, eval_rounds=1)
    metrics = [row.metric for row in report.rows if row.scenario == SCENARIO]
    for label in ("200 chars", "2 KB", "8 KB"):
        assert f"full ruleset CPU p50, {label} reply" in metrics
        assert f"full ruleset CPU p99, {label} reply" in metrics
        assert f"full ruleset wall p50 / p99, {label} reply" in metrics
    assert "eval set replies checked per second" in metrics
    target = next(row for row in report.rows if row.target)
    assert target.metric == "full ruleset CPU p99, 2 KB reply"
    assert report.details[SCENARIO]["eval"]["replies"] >= 200
