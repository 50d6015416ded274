"""The feedback loop: what agents did with each draft (sent, edited, discarded), how far they moved
from it, and the figures that follow (summary, metrics, export). See docs/feedback.md."""

from __future__ import annotations

from service.feedback.records import GroupBy, Outcome
from service.feedback.sealing import FeedbackKeyError, Sealer
from service.feedback.store import FeedbackStore
from service.feedback.summary import FeedbackSummary


def webhook_tenant(source: str, *, keyed: bool) -> str:
    """Whose feedback a helpdesk's drafts are. Without API keys there is one local tenant, and the
    helpdesks' drafts are its drafts (the summary shows them); with keys a helpdesk is a tenant of its
    own (``webhook:{source}``), seen in the metrics and the export, never in a key's summary."""
    return f"webhook:{source}" if keyed else ""


__all__ = [
    "FeedbackKeyError",
    "FeedbackStore",
    "FeedbackSummary",
    "GroupBy",
    "Outcome",
    "Sealer",
    "webhook_tenant",
]
