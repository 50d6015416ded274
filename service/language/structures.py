"""Feelings that show in a shape rather than a word: counts, ordinals, elapsed time, time left.

A support lead reads "5 times", "dreimal", "third outage", "4e coupure", "day 11" and "6 weeks"
as repeated failure (frustration), and "in 3 hours", "dans 20 minutes", "by 11", "bis 17 Uhr"
as time pressure (urgency), whatever the nouns around them. Listing every such phrase would be
endless; the shapes are built here from word classes in data/structures.yaml (numbers, ordinals,
units, prepositions) and matched on folded text.

Time words that only sometimes mean a deadline ("today", "morgen", "demain") are listed there
too: `deadline_in_sentence` keeps them only when their sentence also carries a need or a stake
("I need it today"), since alone they mostly date an event ("it arrived today").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import compile_cues
from service.language.data import load_table


class _StructuresFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    numbers: dict[str, tuple[str, ...]]
    times: dict[str, tuple[str, ...]]
    contacts: dict[str, tuple[str, ...]]
    elapsed_short_before: dict[str, tuple[str, ...]]
    elapsed_short_after: dict[str, tuple[str, ...]]
    counted: dict[str, tuple[str, ...]]
    ordinals: dict[str, tuple[str, ...]]
    ordinal_not_before: dict[str, tuple[str, ...]]
    long_units: dict[str, tuple[str, ...]]
    age_after: dict[str, tuple[str, ...]]
    day_words: dict[str, tuple[str, ...]]
    future_before: dict[str, tuple[str, ...]]
    short_units: dict[str, tuple[str, ...]]
    time_left_before: dict[str, tuple[str, ...]]
    one_unit: dict[str, tuple[str, ...]]
    clock_before: dict[str, tuple[str, ...]]
    clock_not_before: dict[str, tuple[str, ...]]
    clock_words: dict[str, tuple[str, ...]]
    within_before: dict[str, tuple[str, ...]]
    day_units: dict[str, tuple[str, ...]]
    time_words: dict[str, tuple[str, ...]]
    pressure: dict[str, tuple[str, ...]]
    months: dict[str, tuple[str, ...]]
    weekdays: dict[str, tuple[str, ...]]
    past_before: dict[str, tuple[str, ...]]
    pressure_before: dict[str, tuple[str, ...]]
    not_time: dict[str, tuple[str, ...]]
    clause_final_time: dict[str, tuple[str, ...]] = {}


# Shapes found: (kind, start, end); kind is "repeated" (frustration) or "pressed" (urgency).
Shape = tuple[str, int, int]
_MAX_HOURS_LEFT = 12  # "within 24 hours" is a promise or a policy, not a clock running out
_SENTENCE_END = re.compile(r"[.!?\n]")
_LAST_WORD = re.compile(r"(\w+)\s+$")
# A time of day ("17 Uhr", "21h", "19:40", "5pm"): a deadline when its sentence carries a stake.
_CLOCK = re.compile(
    r"(?<![\w:.])(?:[01]?\d|2[0-3])(?::[0-5]\d|\s?h(?:[0-5]\d)?|\s?uhr|\s?[ap]\.?m\.?)(?![\w:])"
)


def _alternation(words: tuple[str, ...]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered) or r"(?!x)x"


@dataclass(frozen=True)
class _Compiled:
    shapes: tuple[tuple[str, re.Pattern[str]], ...]
    ordinal_stop: frozenset[str]
    pressure: re.Pattern[str] | None
    # A calendar day ("19 March", "am 28. März", "le 5 octobre", "on Saturday") not after a word
    # of the past ("since 4 March"): a deadline when its sentence carries a stake, like a clock time.
    date: re.Pattern[str] | None
    past: frozenset[str]
    # A deadline preposition ending right before the time ("by <Friday>", "até <sexta>").
    pressure_before: re.Pattern[str] | None
    # A time word that is part of a conjunction or formula ("ya que", "desde já").
    not_time: re.Pattern[str] | None


@cache
def _compiled(language: str) -> _Compiled:
    table = load_table("structures", _StructuresFile)

    def words(field: dict[str, tuple[str, ...]]) -> str:
        return _alternation(field.get(language, ()))

    number = rf"(?:\d+|{words(table.numbers)})"
    shapes = [
        # "5 times", "tres veces", "x-mal": two or more attempts.
        ("attempts", rf"(?<!\w)(?:[2-9]|\d\d+|{words(table.numbers)})[\s\-]*(?:{words(table.times)})(?!\w)"),
        ("attempts", rf"(?<!\w)(?:{words(table.counted)})(?!\w)"),
        # "four calls", "3 e-mails", "deux relances": a count of contacts already made.
        ("repeated", rf"(?<!\w)(?:[2-9]|{words(table.numbers)})\s+(?:{words(table.contacts)})(?!\w)"),
        # "third outage", "4e coupure": followed by a word, checked against places and dates.
        ("ordinal", rf"(?<!\w)(?:{words(table.ordinals)})(?!\w)(?:\s+(\w+))?"),
        # "6 weeks", "tres meses" of waiting, unless it is ahead ("in 3 weeks") or an age.
        (
            "elapsed",
            rf"(?<!\w)(?:(\w+)\s+)?{number}\s+(?:{words(table.long_units)})(?!\w)"
            rf"(?!\s+(?:{words(table.age_after)})(?!\w))",
        ),
        ("repeated", rf"(?<!\w)(?:{words(table.day_words)})\s+(?:[2-9]|\d\d+)(?![\w:.,/])"),
        # "in 3 hours", "dans une heure": the time left before something has to happen.
        (
            "left",
            rf"(?<!\w)(?:{words(table.time_left_before)})\s+(\d+(?:[.,]\d+)?|{words(table.numbers)})\s*"
            rf"({words(table.short_units)})(?!\w)",
        ),
        ("left_one", rf"(?<!\w)(?:{words(table.time_left_before)})\s+(?:{words(table.one_unit)})(?!\w)"),
        # "for 40 minutes", "hace 40 min", "depuis 2h", "10 minutes ago": a problem live right now.
        (
            "pressed",
            rf"(?<!\w)(?:{words(table.elapsed_short_before)})\s+(?:\d+|{words(table.numbers)})\s*"
            rf"(?:{words(table.short_units)})(?!\w)",
        ),
        (
            "pressed",
            rf"(?<!\w)(?:\d+|{words(table.numbers)})\s*(?:{words(table.short_units)})\s+"
            rf"(?:{words(table.elapsed_short_after)})(?!\w)",
        ),
        # "within 14 days", "sous quinze jours": a formal deadline.
        (
            "pressed",
            rf"(?<!\w)(?:{words(table.within_before)})\s+{number}\s*(?:{words(table.day_units)})(?!\w)",
        ),
        # "by 11", "before 5pm", "bis 17 Uhr", "avant minuit": a clock deadline.
        (
            "pressed",
            rf"(?<!\w)(?:{words(table.clock_before)})\s+(?:\d{{1,2}}(?:[:h.]\d\d)?\s*(?:am|pm|uhr|h)?"
            rf"(?!\w|[.,:]\d)(?!\s*(?:{words(table.clock_not_before)})(?!\w))|{words(table.clock_words)})(?!\w)",
        ),
    ]
    months, weekdays = words(table.months), words(table.weekdays)
    day = r"\d{1,2}(?:st|nd|rd|th|er|\.|º|ª)?"
    date = (
        rf"(?<!\w)(?:{day}\s+(?:de\s+)?(?:{months})(?!\w)"
        rf"|(?:{months})\s+\d{{1,2}}(?!\d)|(?:{weekdays})(?!\w))"
    )
    return _Compiled(
        date=re.compile(date) if table.months.get(language) else None,
        shapes=tuple((kind, re.compile(pattern)) for kind, pattern in shapes),
        past=frozenset(table.past_before.get(language, ())),
        ordinal_stop=frozenset(table.ordinal_not_before.get(language, ())),
        pressure=compile_cues(table.pressure.get(language, ())),
        pressure_before=_ending(table.pressure_before.get(language, ())),
        not_time=compile_cues(table.not_time.get(language, ())),
    )


def _ending(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern for one of `words` ending a text, allowing a short article after it ("by the")."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\s+(?:\w{{1,3}}\s+)?$")


@cache
def _future(language: str) -> frozenset[str]:
    return frozenset(load_table("structures", _StructuresFile).future_before.get(language, ()))


def find_shapes(folded: str, language: str) -> list[Shape]:
    """Repetition ("repeated"), time-pressure ("pressed") and time-left ("left") shapes in folded
    text. "In 10 minutes" is time left only when its sentence carries a stake ("my flight leaves
    in 2 hours"); "sorted it in 10 minutes" is how fast something went, so the caller gates
    "left" like a time word (`deadline_in_sentence`)."""
    compiled = _compiled(language)
    found: list[Shape] = []
    for kind, pattern in compiled.shapes:
        for match in pattern.finditer(folded):
            if kind == "ordinal":
                after = match.group(1)
                if after is not None and after in compiled.ordinal_stop:
                    continue
                found.append(("repeated", match.start(), match.end()))
            elif kind == "elapsed":
                before = match.group(1)
                if before is not None and before in _future(language):
                    continue
                found.append(("repeated", match.start(), match.end()))
            elif kind == "left":
                amount, unit = match.group(1), match.group(2)
                if amount.isdigit() and int(amount) > _MAX_HOURS_LEFT and not unit.startswith("m"):
                    continue
                found.append(("left", match.start(), match.end()))
            elif kind == "left_one":
                found.append(("left", match.start(), match.end()))
            else:
                found.append(("repeated" if kind == "attempts" else kind, match.start(), match.end()))
    return found


_CLAUSE_END = re.compile(r"[.!?;\n]")


def attempt_clauses(folded: str, language: str) -> list[tuple[int, int]]:
    """The clauses that count attempts ("I have written four times", "c'est la troisième fois",
    "Terceiro técnico, terceira visita"): steps the customer already took, for the facts."""
    compiled = _compiled(language)
    clauses: list[tuple[int, int]] = []
    for kind, pattern in compiled.shapes:
        if kind not in ("attempts", "ordinal"):
            continue
        for match in pattern.finditer(folded):
            if kind == "ordinal" and match.group(1) is not None and match.group(1) in compiled.ordinal_stop:
                continue
            start = max((m.end() for m in _CLAUSE_END.finditer(folded, 0, match.start())), default=0)
            end_match = _CLAUSE_END.search(folded, match.end())
            end = end_match.start() if end_match else len(folded)
            while start < end and folded[start].isspace():
                start += 1
            if not clauses or clauses[-1] != (start, end):
                clauses.append((start, end))
    return clauses


def deadline_in_sentence(
    text: str, folded: str, time_word_spans: list[tuple[int, int]], language: str
) -> list[Shape]:
    """Time words ("today", "demain") and times of day whose sentence also says something is
    needed or at stake; a time word in capitals ("TODAY", "HOJE") is emphasis enough."""
    compiled = _compiled(language)
    if compiled.pressure is None:
        return []
    found: list[Shape] = []
    spans = list(time_word_spans) + [m.span() for m in _CLOCK.finditer(folded)]
    if compiled.date is not None:
        for m in compiled.date.finditer(folded):
            before = _LAST_WORD.search(folded, max(0, m.start() - 24), m.start())
            # "antes del 30 de noviembre": a deadline preposition wins over "del" read as "since".
            lead = compiled.pressure_before
            led = lead is not None and lead.search(folded, max(0, m.start() - 24), m.start())
            if led or before is None or before.group(1) not in compiled.past:
                spans.append(m.span())
    blocked = [m.span() for m in compiled.not_time.finditer(folded)] if compiled.not_time else []
    for start, end in spans:
        if any(s <= start and end <= e for s, e in blocked):
            continue
        if end - start >= 2 and text[start:end].isupper():
            found.append(("pressed", start, end))
            continue
        left = max((m.end() for m in _SENTENCE_END.finditer(folded, 0, start)), default=0)
        right_match = _SENTENCE_END.search(folded, end)
        right = right_match.start() if right_match else len(folded)
        lead = compiled.pressure_before
        # The time itself is not its own stake ("deadline", "vence" are both): look around it.
        stake = compiled.pressure.search(folded, left, start) or compiled.pressure.search(folded, end, right)
        if stake or (lead is not None and lead.search(folded, max(left, start - 24), start)):
            found.append(("pressed", start, end))
    return found


def clause_final_time(language: str) -> frozenset[str]:
    """Time words that mean "now" only at the end of a clause ("lo necesito ya"); before another
    word they mean "already" ("ya he probado", "já atualizei")."""
    return frozenset(load_table("structures", _StructuresFile).clause_final_time.get(language, ()))


def time_words(language: str) -> tuple[str, ...]:
    """The time words for `language`; the caller finds them in its own token scan."""
    return load_table("structures", _StructuresFile).time_words.get(language, ())
