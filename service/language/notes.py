"""Internal notes read as facts and constraints for the reply.

Notes (``role: note``) are our team's words, never the customer's: the prompt gives them to the
model in a section of their own, to use and never to quote. This module finds what code can use
deterministically: the sentences that constrain the reply ("do not unlock without a verified
callback"), the actions those forbid, and a refund reference with its timeline
("RF-11902 ... 5-10 business days"). Cue lists are data (data/notes.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import compile_cues, compile_loose, fold
from service.language.data import load_table
from service.language.sentences import sentence_spans
from service.models import Role, Thread

NOTE_CHARS = 3_000  # per note; notes are short, a pasted log is not read whole
# The newest notes are read up to this many characters in all: sentence splitting costs ~3 ms per
# note, and a thread of 500 notes must cost what a dozen do (issue 14).
NOTES_READ_CHARS = 16_000
_REF = re.compile(r"\b[A-Z]{1,6}[-_]?\d{3,}(?:[-_]\d+)*\b")
_TIMELINE = re.compile(
    r"\b(?:\d{1,3}\s*(?:-|–|to|a|bis|à|e)\s*)?\d{1,3}\s*"
    r"(?:business|working)?\s*(?:days?|hours?|weeks?|días(?: hábiles)?|horas|semanas|"
    r"werktage|arbeitstage|tage|stunden|wochen|jours(?: ouvrés| ouvrables)?|heures|semaines|"
    r"dias(?: úteis)?|horas)\b",
    re.IGNORECASE,
)


class _NotesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    constraint_cues: dict[str, tuple[str, ...]]
    forbidden_actions: dict[str, tuple[str, ...]]
    refund_words: tuple[str, ...]


@dataclass(frozen=True)
class NoteFacts:
    texts: tuple[str, ...]  # every note's text, oldest first (for the prompt)
    constraints: tuple[str, ...]  # sentences that restrict what the reply may say or offer
    forbidden: frozenset[str]  # actions a constraint rules out ("password_reset", "refund")
    refund_ref: str | None = None
    refund_timeline: str | None = None


@dataclass(frozen=True)
class _Compiled:
    constraint: re.Pattern[str] | None
    actions: dict[str, re.Pattern[str]]
    refund: re.Pattern[str] | None
    # Any constraint or refund cue without its word boundaries: a note line with none of them
    # has no sentence that matters here, so it is not split into sentences (pysbd costs ~7 µs a
    # character; about an eighth of the seed threads' note text is such lines).
    wanted: re.Pattern[str] | None


@cache
def _compiled() -> _Compiled:
    table = _table()
    cues = [c for words in table.constraint_cues.values() for c in words]
    actions = {name: compile_cues(words) for name, words in table.forbidden_actions.items()}
    return _Compiled(
        constraint=compile_cues(cues),
        actions={name: p for name, p in actions.items() if p is not None},
        refund=compile_cues(table.refund_words),
        wanted=compile_loose([*cues, *table.refund_words]),
    )


def _may_matter(compiled: _Compiled) -> Callable[[str], bool] | None:
    wanted = compiled.wanted
    if wanted is None:
        return None
    return lambda line: wanted.search(fold(line)) is not None


def _table() -> _NotesFile:
    return load_table("notes", _NotesFile)


def read_notes(thread: Thread, language: str = "en") -> NoteFacts:
    compiled = _compiled()
    texts: list[str] = []
    constraints: list[str] = []
    forbidden: set[str] = set()
    refund_ref = refund_timeline = None
    notes: list[str] = []
    budget = NOTES_READ_CHARS
    for message in reversed(thread.messages):
        if budget <= 0:
            break
        if message.role is Role.note and message.body.strip():
            notes.append(message.body[:NOTE_CHARS].strip())
            budget -= len(notes[-1])
    for body in reversed(notes):
        texts.append(body)
        for start, end in sentence_spans(body, language, keep=_may_matter(compiled)):
            sentence = body[start:end].strip()
            folded = fold(sentence)
            if compiled.constraint is not None and compiled.constraint.search(folded):
                constraints.append(sentence)
                forbidden.update(name for name, p in compiled.actions.items() if p.search(folded))
            if compiled.refund is not None and compiled.refund.search(folded):
                ref = _REF.search(sentence)
                timeline = _TIMELINE.search(sentence)
                if ref and refund_ref is None:
                    refund_ref = ref.group()
                if timeline and refund_timeline is None:
                    refund_timeline = timeline.group().strip()
    return NoteFacts(tuple(texts), tuple(constraints), frozenset(forbidden), refund_ref, refund_timeline)


def mentions_refund(text: str) -> bool:
    pattern = _compiled().refund
    return pattern is not None and pattern.search(fold(text)) is not None
