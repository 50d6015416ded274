"""What our internal notes say has already happened, said to the customer in our own words.

A note that reads "Refund issued today 09/03, ref RFD-44190-ES, 49,00 EUR; bank takes 5-10 working
days" settles the customer's question: "I'm looking into this" would misstate the status. This
module finds such outcomes deterministically: a note sentence naming a thing (refund, deposit,
booking, fee, direct debit...) and what was done to it (issued, released, confirmed...), not
negated. From that sentence, or the next one, it takes the reference, the amount, the date and the
timeline, and renders a template of ours (data/note_outcomes.yaml): the note's sentence itself is
never copied. It also reads whether a note admits a fault of ours (the reply then apologises) and
whether the problem is a known fault (the customer did nothing wrong; its id is never said).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import compile_cues, fold
from service.language.data import load_table
from service.language.notes import NoteFacts
from service.models import Role, Thread

_NOTE_CHARS = 3_000  # per note, as in service/language/notes.py
_MAX_NOTES = 12
# A reference: letters and digits in dash-joined groups with at least three digits in one group
# ("RFD-44190-ES", "REE-PT-30917", "7004-2261-889"); plain numbers and dates are not references.
_REF = re.compile(r"(?<![\w/.])(?=[A-Z0-9-]*\d{3})(?!\d{4}-\d\d-\d\d)[A-Z0-9]+(?:-[A-Z0-9]+)+(?![\w/])")
_AMOUNT = re.compile(
    r"(?:(?:€|£|\$|R\$|US\$|ARS|EUR|GBP|USD|BRL)\s?\d[\d.,\u202f\u00a0 ]*\d"
    r"|\d[\d.,\u202f\u00a0 ]*\d\s?(?:€|£|EUR|GBP|USD|BRL|ARS|euros?|reais))"
)
_DATE = re.compile(r"(?<![\d/.])(\d{1,2})([./])(\d{1,2})(?:\2(\d{2,4}))?\.?(?![\d/])")
_TIMELINE = re.compile(
    r"\b(?:\d{1,3}\s*(?:-|–|to|a|à|bis|e)\s*)?\d{1,3}\s*"
    r"(?:(?:business|working)\s+)?(?:days?|hours?|weeks?|días(?:\s+hábiles)?|horas|semanas|"
    r"werktage[n]?|arbeitstage[n]?|tage[n]?|stunden|wochen|jours(?:\s+ouvrés|\s+ouvrables)?|heures|"
    r"semaines|dias(?:\s+úteis)?)"
    r"(?:\s+(?:business|working|hábiles|ouvrés|ouvrables|úteis))?\b",
    re.IGNORECASE,
)
_TODAY = compile_cues(["today", "hoy", "heute", "aujourd'hui", "hoje"])
# Kinds whose date is the day it happened; other dates in those sentences are not theirs.
_DATED = frozenset({"refund_issued", "refund_requested", "deposit_released", "payment_released"})
_BANK = frozenset({"refund_issued", "refund_requested", "deposit_released", "payment_released"})
_DATE_REACH = 30  # characters between an action word and its date
_THING_REACH = 55  # characters between the thing and what was done to it
_REF_REACH = 120
_AMOUNT_REACH = 80


class _Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    things: tuple[str, ...]
    actions: tuple[str, ...]


class _OutcomesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    outcomes: dict[str, _Outcome]
    known_issue: tuple[str, ...]
    our_fault: tuple[str, ...]
    negators: tuple[str, ...]
    templates: dict[str, dict[str, str | dict[str, str]]]


@dataclass(frozen=True)
class Outcome:
    kind: str
    ref: str | None = None
    amount: str | None = None
    date: str | None = None
    timeline: str | None = None


@dataclass(frozen=True)
class NoteOutcomes:
    outcomes: tuple[Outcome, ...] = ()
    known_issue: bool = False
    our_fault: bool = False


@dataclass(frozen=True)
class _Compiled:
    things: dict[str, re.Pattern[str]]
    actions: dict[str, re.Pattern[str]]
    known: re.Pattern[str] | None
    fault: re.Pattern[str] | None
    negators: frozenset[str]


def _table() -> _OutcomesFile:
    return load_table("note_outcomes", _OutcomesFile)


@cache
def _compiled() -> _Compiled:
    table = _table()
    things: dict[str, re.Pattern[str]] = {}
    actions: dict[str, re.Pattern[str]] = {}
    for kind, outcome in table.outcomes.items():
        thing, action = compile_cues(outcome.things), compile_cues(outcome.actions)
        if thing is not None and action is not None:
            things[kind], actions[kind] = thing, action
    return _Compiled(
        things,
        actions,
        compile_cues(table.known_issue),
        compile_cues(table.our_fault),
        frozenset(table.negators),
    )


_WORD = re.compile(r"\w+(?:'\w+)?")


def _negated(folded: str, at: int, negators: frozenset[str]) -> bool:
    before = _WORD.findall(folded[max(0, at - 30) : at])[-3:]
    return any(word in negators or word.endswith("n't") for word in before)


def _near(pattern: re.Pattern[str], text: str, at: int, reach: int) -> str | None:
    """The match of `pattern` in `text` closest to offset `at`, within `reach` characters."""
    best: tuple[int, str] | None = None
    for match in pattern.finditer(text):
        distance = max(match.start() - at, at - match.end(), 0)
        if distance <= reach and (best is None or distance < best[0]):
            best = (distance, match.group())
    return best[1] if best else None


def _ref_near(text: str, at: int) -> str | None:
    """The reference that follows the action ("issued, ref. RF-1"), else the nearest one before it
    ("Booking HX-1 confirmed"): a booking number before "deposit released, ref. REL-2" is not it."""
    for match in _REF.finditer(text, at):
        if match.start() - at <= _REF_REACH:
            return match.group()
    return _near(_REF, text[:at], at, _REF_REACH)


def _note_date(created: datetime | None, language: str) -> str | None:
    if created is None:
        return None
    return (
        f"{created.day:02d}.{created.month:02d}."
        if language == "de"
        else f"{created.day:02d}/{created.month:02d}"
    )


def _date_text(raw: str, language: str) -> str:
    match = _DATE.fullmatch(raw.strip())
    if match is None:
        return raw.strip()
    day, month = int(match.group(1)), int(match.group(3))
    return f"{day:02d}.{month:02d}." if language == "de" else f"{day:02d}/{month:02d}"


# Where a note sentence may end. pysbd would cost ~7 µs a character (20 ms for a long note, per
# draft); outcomes only need bounds for their searches, and false cuts are mended by _joined.
_BOUNDARY = re.compile(r"(?<=[.!?;])\s+|\n+")


# "ref.", "Nr.", "n.º", "Dr." at the end of a clause: an abbreviation, not the sentence's end.
_ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,4}\.º?$|\bn\.º$")


def _clauses(body: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(body):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(body):
        spans.append((start, len(body)))
    return spans


def _joined(spans: list[tuple[int, int]], body: str) -> list[tuple[int, int]]:
    """Sentences with a cut mended: a "sentence" that starts in lower case continues the one before
    ("Kaution wurde am 12.03." + "freigegeben, Referenz ...") or after an abbreviation ("ref.")."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        head = body[start:end].lstrip()
        after_abbreviation = bool(out) and _ABBREVIATION.search(body, out[-1][0], out[-1][1]) is not None
        if out and (head[:1].islower() or after_abbreviation):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def read_note_outcomes(thread: Thread, language: str) -> NoteOutcomes:
    """The outcomes our notes state, newest note first, at most one of each kind."""
    compiled = _compiled()
    notes = [m for m in thread.messages if m.role is Role.note and m.body.strip()][-_MAX_NOTES:]
    found: dict[str, Outcome] = {}
    known = fault = False
    for note in reversed(notes):
        body = note.body[:_NOTE_CHARS]
        folded_body = fold(body)
        known = known or bool(compiled.known and compiled.known.search(folded_body))
        fault = fault or bool(compiled.fault and compiled.fault.search(folded_body))
        spans = _joined(_clauses(body), body)
        for index, (start, end) in enumerate(spans):
            folded = folded_body[start:end]
            for kind, thing in compiled.things.items():
                if kind in found:
                    continue
                things = [m.span() for m in thing.finditer(folded)]
                action = next(
                    (
                        m
                        for m in compiled.actions[kind].finditer(folded)
                        if not _negated(folded, m.start(), compiled.negators)
                        and any(_gap(m.span(), t) <= _THING_REACH for t in things)
                    ),
                    None,
                )
                if action is None:
                    continue
                following = spans[index + 1] if index + 1 < len(spans) else (end, end)
                found[kind] = _outcome(
                    kind, body, (start, end), following, start + action.start(), note.created_at, language
                )
    return NoteOutcomes(tuple(found.values()), known, fault)


def _gap(one: tuple[int, int], other: tuple[int, int]) -> int:
    return max(one[0] - other[1], other[0] - one[1], 0)


def _outcome(
    kind: str,
    body: str,
    sentence: tuple[int, int],
    following: tuple[int, int],
    at: int,
    created: datetime | None,
    language: str,
) -> Outcome:
    """The outcome whose action word is at `at` in `body`, with the details of its sentence (the
    reference or timeline may follow in the next one). When the action opens the sentence, pysbd
    may have cut its date off just before ("am 12.03. | freigegeben"): a few characters back count."""
    start, end = sentence
    text = body[start:end]
    ref = _ref_near(text, at - start) or _near(_REF, body[following[0] : following[1]], 0, 40)
    amount = _near(_AMOUNT, text, at - start, _AMOUNT_REACH)
    timeline = _TIMELINE.search(body, start, following[1])
    date: str | None = None
    if kind in _DATED:
        reach_back = max(0, start - 16) if at - start < 3 else start
        window = body[reach_back:end]
        near = _near(_DATE, window, at - reach_back, _DATE_REACH)
        if near is not None:
            date = _date_text(near, language)
        elif _TODAY is not None and _near(_TODAY, fold(window), at - reach_back, _DATE_REACH):
            date = _note_date(created, language)
    return Outcome(
        kind,
        ref=ref,
        amount=" ".join(amount.split()) if amount else None,
        date=date,
        timeline=_timeline_text(timeline.group(), language) if timeline else None,
    )


def _timeline_text(raw: str, language: str) -> str:
    text = " ".join(raw.split())
    # German templates put the timeline after "innerhalb von", which takes the dative plural.
    return re.sub(r"(tage)$", r"\1n", text) if language == "de" else text


def _templates(language: str, variant: str | None) -> dict[str, str | dict[str, str]]:
    table = _table().templates
    merged = dict(table.get(language, table["en"]))
    if variant and variant in table:
        merged.update(table[variant])
    return merged


def outcome_sentences(
    found: NoteOutcomes, notes: NoteFacts, language: str, variant: str | None, *, in_chat: bool
) -> list[str]:
    """What our notes settle, in the customer's language; [] when they settle nothing."""
    templates = _templates(language, variant)
    slots = templates["slots"]
    assert isinstance(slots, dict)
    out: list[str] = []
    for outcome in found.outcomes:
        if outcome.kind.startswith("refund") and "refund" in notes.forbidden:
            continue
        template = templates.get(outcome.kind)
        if not isinstance(template, str):
            continue
        out.append(
            template.format(
                ref=slots["ref"].format(ref=outcome.ref) if outcome.ref else "",
                amount=slots["amount"].format(amount=outcome.amount) if outcome.amount else "",
                date=slots["date"].format(date=outcome.date) if outcome.date else "",
            )
        )
        if outcome.timeline:
            key = "bank_timeline" if outcome.kind in _BANK else "timeline"
            key = "callback_timeline" if outcome.kind == "callback_arranged" else key
            line = templates[key]
            assert isinstance(line, str)
            out.append(line.format(timeline=outcome.timeline))
        if outcome.kind == "callback_arranged" and in_chat and "password_reset" in notes.forbidden:
            line = templates["no_unlock_here"]
            assert isinstance(line, str)
            out.append(line)
    if found.known_issue:
        line = templates["known_issue"]
        assert isinstance(line, str)
        out.append(line)
    return out
