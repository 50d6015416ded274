"""Prometheus metrics, one registry per app so that several apps in one process (tests) never clash.

Under ``tactful serve --workers N`` every worker writes its values to files in a directory the
supervisor creates for the run (prometheus_client's multiprocess mode, switched on by
``PROMETHEUS_MULTIPROC_DIR`` before a worker imports the library), and a scrape, whichever worker
answers it, sums the counters and histograms of all of them, dead ones included so totals never
go back. Gauges say how they combine: figures read from Redis at scrape time are the most recent
value of a live worker; per-process figures (requests in flight, LLM slots) are summed over the
live workers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

from service.models import DraftResult

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Set at scrape time from Redis by whichever worker answers: that worker's value is the current one.
READ_AT_SCRAPE: Final = "livemostrecent"
# Each worker's own share of a figure: the workers' shares add up.
PER_PROCESS: Final = "livesum"

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.drafts = Counter(
            "tactful_drafts_total", "Drafts answered, by status, provider and cache outcome.",
            ["status", "provider", "cache"], registry=self.registry,
        )  # fmt: skip
        self.draft_seconds = Histogram(
            "tactful_draft_seconds", "Draft latency by phase (llm, guard, total).",
            ["phase"], buckets=_LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.tokens = Counter(
            "tactful_llm_tokens_total", "LLM tokens spent, by kind.", ["kind"], registry=self.registry
        )
        self.findings = Counter(
            "tactful_guardrail_findings_total",
            "Guardrail findings on answered drafts, by rule and severity.",
            ["rule", "severity"], registry=self.registry,
        )  # fmt: skip
        self.checks = Counter(
            "tactful_guardrail_checks_total", "Replies checked through /v1/guardrails/check, by verdict.",
            ["verdict"], registry=self.registry,
        )  # fmt: skip
        self.cache = Counter(
            "tactful_draft_cache_total",
            "Draft cache lookups by outcome: hit, miss, coalesced (waited for an identical request in "
            "flight) or bypass (Redis unavailable).",
            ["outcome"], registry=self.registry,
        )  # fmt: skip
        self.llm_errors = Counter(
            "tactful_llm_errors_total",
            "Drafts whose LLM call failed, by the kind of the last failure (rate_limited, server_error, "
            "timeout, connection, bad_response, incomplete, saturated, deadline, breaker_open, "
            "rejected, context_length).",
            ["kind"], registry=self.registry,
        )  # fmt: skip
        self.breaker = Gauge(
            "tactful_llm_breaker_state", "1 for the LLM circuit breaker's current state (read at scrape).",
            ["state"], registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip
        self.redactions = Counter(
            "tactful_pii_redactions_total", "Distinct sensitive values replaced by placeholders, by kind.",
            ["kind"], registry=self.registry,
        )  # fmt: skip
        self.stream_stops = Counter(
            "tactful_stream_stops_total",
            "Streamed drafts ended by a blocking content rule before their result, by rule.",
            ["rule"], registry=self.registry,
        )  # fmt: skip
        self.rate_limited = Counter(
            "tactful_rate_limited_total", "Requests refused with 429, by scope (api, webhook).",
            ["scope"], registry=self.registry,
        )  # fmt: skip
        self.http_requests = Counter(
            "tactful_http_requests_total", "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.http_seconds = Histogram(
            "tactful_http_request_seconds", "HTTP request latency by route template.",
            ["route"], buckets=_LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.jobs = Gauge(
            "tactful_jobs",
            "Webhook jobs now, by state: queued, scheduled (waiting for a retry), running (read at scrape).",
            ["state"], registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip
        self.job_failed_attempts = Gauge(
            "tactful_job_failed_attempts",
            "Webhook job attempts that failed and were retried, since the Redis was new (read at scrape).",
            registry=self.registry,
            multiprocess_mode=READ_AT_SCRAPE,
        )
        self.jobs_dead_lettered = Gauge(
            "tactful_jobs_dead_lettered", "Webhook jobs in the dead-letter record (read at scrape).",
            registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip
        self.http_in_flight = Gauge(
            "tactful_http_requests_in_flight",
            "HTTP requests being served now.",
            registry=self.registry,
            multiprocess_mode=PER_PROCESS,
        )

        self.llm_slot_wait_seconds = Histogram(
            "tactful_llm_slot_wait_seconds",
            "Time LLM calls waited for a free slot of the endpoint (TACTFUL_LLM_MAX_CONCURRENCY), by "
            "outcome: acquired, or gave_up when the call's deadline came first.",
            ["outcome"], buckets=_LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.llm_slots = Gauge(
            "tactful_llm_slots", "LLM calls holding an endpoint slot (busy) or waiting for one (waiting), "
            "summed over the API workers, read at scrape.",
            ["state"], registry=self.registry, multiprocess_mode=PER_PROCESS,
        )  # fmt: skip
        self.llm_incidents = Counter(
            "tactful_llm_incidents_total",
            "Answers the drafting had to handle: context_length (prompt over the window), length (cut "
            "at max_tokens), incomplete (stream ended without finish_reason), by what was done.",
            ["kind", "action"], registry=self.registry,
        )  # fmt: skip

        self.webhooks = Counter(
            "tactful_webhooks_total",
            "Webhook deliveries by source and outcome (accepted, duplicate, ignored, unauthorized...).",
            ["source", "outcome"], registry=self.registry,
        )  # fmt: skip

        self.feedback_received = Counter(
            "tactful_feedback_received_total",
            "Feedbacks recorded by the API, by outcome and source (api or the helpdesk).",
            ["outcome", "source"], registry=self.registry,
        )  # fmt: skip
        # Read at scrape from the all-tenant daily aggregates over the retention period: the same
        # figures GET /v1/feedback/summary gives (a replaced feedback counts once, as its last outcome).
        self.feedback_outcomes = Gauge(
            "tactful_feedback_outcomes",
            "Drafts with feedback, by prompt version and outcome (read at scrape).",
            ["prompt_version", "outcome"], registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip
        self.feedback_acceptance = Gauge(
            "tactful_feedback_acceptance_ratio",
            "Drafts sent unedited / drafts with feedback, by prompt version (read at scrape).",
            ["prompt_version"], registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip
        self.feedback_edit_distance = Gauge(
            "tactful_feedback_edit_distance",
            "Normalised edit distance of what agents sent from the draft, by level (char, word) and "
            "quantile (0.5, 0.9) (read at scrape).",
            ["level", "quantile"], registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip
        self.feedback_rule_span_edited = Gauge(
            "tactful_feedback_rule_span_edited_ratio",
            "Per rule: compared drafts carrying its finding whose agent edited inside its span "
            "(read at scrape).",
            ["rule"], registry=self.registry, multiprocess_mode=READ_AT_SCRAPE,
        )  # fmt: skip

    def render(self) -> bytes:
        """The exposition: this registry's, or every worker's from the shared directory."""
        directory = os.environ.get(MULTIPROC_ENV)
        if not directory:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    def set_queue(
        self, *, queued: int, scheduled: int, running: int, failed: int, dead_lettered: int
    ) -> None:
        self.jobs.labels("queued").set(queued)
        self.jobs.labels("scheduled").set(scheduled)
        self.jobs.labels("running").set(running)
        self.job_failed_attempts.set(failed)
        self.jobs_dead_lettered.set(dead_lettered)

    def observe_slot_wait(self, seconds: float, acquired: bool) -> None:
        self.llm_slot_wait_seconds.labels("acquired" if acquired else "gave_up").observe(seconds)

    def set_llm_slots(self, busy: int, waiting: int) -> None:
        self.llm_slots.labels("busy").set(busy)
        self.llm_slots.labels("waiting").set(waiting)

    def set_breaker_state(self, state: str) -> None:
        for name in ("closed", "open", "half_open"):
            self.breaker.labels(name).set(1 if name == state else 0)

    def record_draft(self, result: DraftResult, *, cache: str) -> None:
        self.drafts.labels(result.status.value, result.provider, cache).inc()
        for phase in ("llm", "guard", "total"):
            if phase in result.timings_ms:
                self.draft_seconds.labels(phase).observe(result.timings_ms[phase] / 1000)
        if result.usage is not None and cache == "MISS":
            self.tokens.labels("prompt").inc(result.usage.prompt_tokens)
            self.tokens.labels("completion").inc(result.usage.completion_tokens)
        for finding in result.guardrails.findings:
            self.findings.labels(finding.rule, finding.severity.value).inc()


@contextlib.contextmanager
def shared_across_processes() -> Iterator[str]:
    """A fresh directory for one run's worker metrics, in the environment the workers inherit.

    Always a new one: files left by an earlier run would add its counts to this run's. Removed,
    and the environment restored, when the run ends.
    """
    previous = os.environ.get(MULTIPROC_ENV)
    directory = tempfile.mkdtemp(prefix="tactful-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(directory, ignore_errors=True)


def process_ended(directory: str, pid: int) -> None:
    """Drop an ended worker's live gauges (its counters stay: totals must not go back)."""
    multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
