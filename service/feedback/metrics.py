"""The summary's figures as Prometheus gauges (all tenants, the whole retention period; no text)."""

from __future__ import annotations

from service.feedback.summary import FeedbackSummary
from service.infra.metrics import Metrics


def publish(metrics: Metrics, summary: FeedbackSummary) -> None:
    """Set the feedback gauges from a summary grouped by prompt version."""
    for gauge in (
        metrics.feedback_outcomes,
        metrics.feedback_acceptance,
        metrics.feedback_edit_distance,
        metrics.feedback_rule_span_edited,
    ):
        gauge.clear()  # a prompt version or rule gone from the period must not linger
    for group in summary.groups:
        version = group.key or ""
        for outcome, count in group.outcomes.items():
            metrics.feedback_outcomes.labels(version, outcome).set(count)
        if group.acceptance_rate is not None:
            metrics.feedback_acceptance.labels(version).set(group.acceptance_rate)
    distances = summary.overall.edit_distance
    for level, quantiles in (("char", distances.char), ("word", distances.word)):
        for label, value in (("0.5", quantiles.median), ("0.9", quantiles.p90)):
            if value is not None:
                metrics.feedback_edit_distance.labels(level, label).set(value)
    for rule in summary.rules:
        if rule.rate is not None:
            metrics.feedback_rule_span_edited.labels(rule.rule).set(rule.rate)
