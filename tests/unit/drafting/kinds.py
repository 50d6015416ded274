"""Builders the per-kind drafting tests share: a thread of one customer message and one note, the
outcome kinds our notes show, and the feelings a text shows."""

from __future__ import annotations

from typing import Any

from service.drafting.note_outcomes import read_note_outcomes
from service.language.feelings import Feeling, read_feelings
from service.models import Thread


def note_thread(
    customer: str,
    note: str,
    *,
    locale: str = "en",
    channel: str = "email",
    name: str = "Noor Haddad",
    agent: str = "Lene",
    subject: str = "Help please",
    day: str = "2026-03-09",
    thread_id: str = "T-KINDS",
) -> Thread:
    """The customer writes at 08:00 and our note follows at 09:00 on `day`."""
    data: dict[str, Any] = {
        "id": thread_id,
        "subject": subject,
        "channel": channel,
        "customer": {"name": name, "locale": locale},
        "agent": {"name": agent},
        "messages": [
            {"role": "customer", "created_at": f"{day}T08:00:00Z", "body": customer},
            {"role": "note", "created_at": f"{day}T09:00:00Z", "body": note},
        ],
    }
    return Thread.model_validate(data)


def outcome_kinds(thread: Thread, language: str = "en") -> list[str]:
    """The kinds of outcome the thread's notes show, in order."""
    return [o.kind for o in read_note_outcomes(thread, language).outcomes]


def feelings_of(text: str, language: str) -> set[Feeling]:
    """The feelings `text` shows."""
    return {reading.feeling for reading in read_feelings(text, language)}
