"""Span edits a rule proposes, and applying them to the original text right to left, so earlier
offsets stay valid."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace original[start:end] by `text` (start == end: an insertion)."""

    start: int
    end: int
    text: str


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; an edit overlapping one already applied is dropped (not safe)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end, e.text), reverse=True)
    limit = len(text)  # edits further left must end at or before this
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= limit:
            continue
        text = text[: edit.start] + edit.text + text[edit.end :]
        limit = edit.start
    return text
