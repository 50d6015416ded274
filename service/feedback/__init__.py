"""The feedback loop: what agents did with each draft (sent, edited, discarded), how far they moved
from it, and the figures that follow (summary, metrics, export). See docs/feedback.md."""

from __future__ import annotations

from service.feedback.records import GroupBy, Outcome
from service.feedback.sealing import FeedbackKeyError, Sealer
from service.feedback.store import FeedbackStore
from service.feedback.summary import FeedbackSummary

__all__ = ["FeedbackKeyError", "FeedbackStore", "FeedbackSummary", "GroupBy", "Outcome", "Sealer"]
