"""Durable webhook jobs on SAQ (Redis): enqueue, run, deliver once, dead-letter, report."""

from __future__ import annotations

from service.jobs.idempotency import Idempotency
from service.jobs.queue import JOB_FUNCTION, WebhookQueue
from service.jobs.stats import QueueStats, queue_stats

__all__ = ["JOB_FUNCTION", "Idempotency", "QueueStats", "WebhookQueue", "queue_stats"]
