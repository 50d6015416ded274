"""Applying span edits to the original text: right to left, so earlier offsets stay valid."""

from __future__ import annotations

from collections.abc import Iterable

from service.guardrails.rules.base import Edit


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
