"""The facts a customer already gave: ids, amounts, dates, deadlines, error text, steps already
tried and devices, each an exact span of the message, found with bounded patterns on a bounded
window (data/requests.yaml). Timestamps, versions and order ids are facts, never phone numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.language.cues import cue_alternation, fold
from service.language.request_table import RequestsFile, table
from service.language.structures import attempt_clauses, deadline_in_sentence

FACT_CHARS = 2_500
MAX_FACTS = 40  # a pasted log is full of timestamps; the prompt shows a dozen at most


@dataclass(frozen=True)
class Fact:
    kind: str  # id | amount | date | deadline | error | tried | device
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Patterns:
    id: re.Pattern[str]
    amount: re.Pattern[str]
    date: re.Pattern[str]
    deadline: re.Pattern[str]
    error: re.Pattern[str]
    tried: re.Pattern[str] | None
    device: re.Pattern[str]
    version: re.Pattern[str]
    when: re.Pattern[str]  # week days, days of the month, months and years alone
    duration: re.Pattern[str]  # "40 minutes", "drei Wochen": a date, never a deadline by itself
    time_word: re.Pattern[str] | None  # "today", "tomorrow", "lundi": a deadline under pressure
    id_tail: re.Pattern[str] | None
    id_more: re.Pattern[str]  # ", 72981 e 74412": more numbers in a list after the first id


# A version ("4.12.1") or an id ("55-0194") is not a date: no digit or dot-digit may touch it.
_NUM_DATE = (
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|(?<![\d.,-])\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?(?![\d]|[./-]\d)"
)
# Compiled once: through re.fullmatch it sat in re's 512-entry cache, which pysbd's one pattern
# per sentence keeps flushing.
_NUM_DATE_ONLY = re.compile(_NUM_DATE)
_VERSION = r"(?<![\w.])(?:v|version|versão|versión|firmware|fw|build)?\s?\d+\.\d+(?:\.\d+)+(?![\w.])"
_CURRENCY_MARK = re.compile(
    r"[$€£¥]|S/|\b(?:usd|eur|gbp|brl|mxn|cad|chf|ars|cop|clp|nok|sek|dkk|ngn|inr|rs|euros?|dollars?|reais|pesos|"
    r"libras|francs?)\b",
    re.IGNORECASE,
)
_UPPER_ID = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{5,12}\b")
_TIME = (
    r"\d{1,2}(?::\d{2}|\s?h(?:\s?\d{2})?)(?:\s?[ap]\.?m\.?)?|\d{1,2}\s?[ap]\.?m\.?"
    r"|\d{1,2}(?:[:.]\d{2})?\s?uhr"
)
_CURRENCY = r"(?:R\$|US\$|CA\$|A\$|S/|[$€£¥]|usd|eur|gbp|brl|mxn|cad|chf|ars|cop|clp|nok|sek|dkk|ngn|inr|rs)"
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# "55-0194", "2024-7719", "77-402-118": digit groups joined by dashes (dates are told apart
# after matching); "DE12 5001 0517 ...", "1400 2288 71": grouped account and parcel numbers.
_NUMERIC_ID = re.compile(
    r"(?<![\w.,:/-])\d{2,8}(?:-\d{2,12}){1,4}(?![\w:/-]|[.,]\d)"
    r"|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b"
    r"|(?<![\w.,])\d{2,4}(?: \d{2,4}){2,5}(?![\w.,]|\s?[$€£%])"
)
_DIGITS_IN_ID = 5
_MAX_LISTED = 8
_CODE_ID = (
    r"(?<![\w/])#?(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]{1,12}(?:[-_/][A-Za-z0-9]{1,14}){1,4}(?![\w-])"
)


def _duration(t: RequestsFile, lang: str) -> str:
    """ "40 minutes", "drei Wochen", "10 días hábiles", "3h": an amount of time."""
    number = rf"(?:\d+(?:[.,]\d+)?|{cue_alternation(t.number_words.get(lang, ()))})"
    units = cue_alternation(t.duration_units.get(lang, ()))
    qualified = cue_alternation(t.duration_qualifiers.get(lang, ()))
    tail = rf"(?:\s+(?:{qualified}))?" if qualified else ""
    return rf"(?<!\w){number}[\s-]?(?:{units}){tail}(?!\w)"


def _when(t: RequestsFile, lang: str) -> str:
    """Dates without a full day and month: amounts of time, week days, a day of the month, a month
    or a year alone. Words that are also common words ("may", "so", "sat") count only after a
    preposition that dates them ("in May", "am So.")."""
    ambiguous = set(t.ambiguous_months)
    months = t.months.get(lang, ()) + (t.months["en"] if lang != "en" else ())
    days = t.weekdays.get(lang, ())
    plain = cue_alternation(tuple(w for w in months + days if w not in ambiguous))
    dated = cue_alternation(tuple(w for w in months + days if w in ambiguous))
    before = cue_alternation(t.month_before.get(lang, ()) + t.day_number_before.get(lang, ()))
    day_before = cue_alternation(t.day_number_before.get(lang, ()))
    parts = [
        rf"(?<!\w)(?:(?:{before})\s+)?(?:{plain})\.?(?!\w)" if plain else "",
        rf"(?<!\w)(?:{before})\s+(?:{dated})\.?(?!\w)" if dated else "",
        rf"(?<!\w)(?:{before})\s+(?:19|20)\d\d(?![\w.,])",
        rf"(?<!\w)(?:{day_before})\s+\d{{1,2}}(?:st|nd|rd|th|er|e|º|ª|\.)?(?![\w:/]|[.,]\d|\s*[%€$£])"
        if day_before
        else "",
    ]
    return "|".join(p for p in parts if p)


def _id_tail(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """ "ending in 4471", "terminada en 4471": the last digits of a card or an account."""
    if not words:
        return None
    return re.compile(rf"(?:{cue_alternation(words)})\s*:?\s*(\d{{3,6}})(?!\d)", re.IGNORECASE)


@cache
def _patterns(language: str) -> _Patterns:
    t = table()
    lang = language if language in t.request_cues else "en"
    months = cue_alternation(t.months[lang] + (t.months["en"] if lang != "en" else ()))
    day_month = (
        rf"(?:\d{{1,2}}(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?(?:{months})\.?(?:\s+(?:de\s+)?\d{{4}})?"
        rf"|(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
    )
    at_time = rf"(?:,?\s+(?:at\s+|à\s+|às\s+|a las\s+|um\s+)?(?:{_TIME}))?"
    date = rf"(?:{_NUM_DATE}|{day_month}){at_time}|(?<![\w:]){_TIME}(?![\w:])"
    when = rf"(?:{cue_alternation(t.time_words[lang])}|{date})"
    relative = cue_alternation(t.relative_dates.get(lang, ()))
    date = rf"{date}|(?:{relative})" if relative else date
    more_when = _when(t, lang)
    deadline = (
        rf"(?:{cue_alternation(t.deadline_words[lang])})\s+(?:(?:the|el|la|le|o|a|dem|den|der)\s+)?"
        rf"(?:{when}|{more_when})"
    )
    within = t.within_words.get(lang, ())
    if within:
        deadline += rf"|(?:{cue_alternation(within)})\s+{_duration(t, lang)}"
    error_lead = cue_alternation(t.error_words[lang])
    quoted = r"[\"“«„][^\"”»“\n]{2,120}[\"”»“]"
    code = (
        r"\b(?:[A-Z]{1,5}[-_]?\d{1,5}|0x[0-9A-Fa-f]{2,8}|HTTP\s?\d{3}|\d{3}\s(?:error|erreur|fehler|erro))\b"
    )
    exception = r"\b\w+(?:Error|Exception)\b:?[^\n]{0,120}"
    status = r"\b[1-5]\d{2} (?:[A-Z][a-z]+ ?){1,4}"
    snake = r"\b[a-z]+_[a-z_]+:[^\n]{0,100}"
    error = (
        rf"(?:(?:{error_lead})\s*:?\s*(?:{quoted}|{code}))|{quoted}|(?i:err[_-][a-z_]+)"
        rf"|{exception}|{status}|{snake}"
    )
    tried = t.tried_words.get(lang, ()) + t.referral_words.get(lang, ())
    return _Patterns(
        id=re.compile(
            rf"{_CODE_ID}|(?:(?:{cue_alternation(t.id_words[lang])})\.?\s*(?:n[°ºo.]*\s*|#|:|number\s)?\s*)(\d{{4,}})|#\d{{3,}}|(?<![\d.,:/-])\d{{6,}}(?:-\d{{2,}})?(?![\d.,:/-])",
            re.IGNORECASE,
        ),
        amount=re.compile(
            rf"{_CURRENCY}\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:{_CURRENCY}|euros?|dollars?|reais|pesos|libras|francs?)(?!\w)",
            re.IGNORECASE,
        ),
        date=re.compile(date, re.IGNORECASE),
        deadline=re.compile(deadline, re.IGNORECASE),
        error=re.compile(error),
        tried=re.compile(rf"(?:{cue_alternation(tried)})[^.!?\n;]{{0,160}}", re.IGNORECASE)
        if tried
        else None,
        version=re.compile(_VERSION, re.IGNORECASE),
        when=re.compile(more_when, re.IGNORECASE),
        duration=re.compile(_duration(t, lang), re.IGNORECASE),
        time_word=re.compile(rf"(?<!\w)(?:{cue_alternation(t.time_words[lang])})(?!\w)", re.IGNORECASE)
        if t.time_words.get(lang)
        else None,
        id_tail=_id_tail(t.id_tail_words.get(lang, ())),
        id_more=re.compile(
            rf"(?:,\s*|\s+(?:{cue_alternation(t.list_joiners.get(lang, ('and',)))})\s+)(\d{{4,}})(?![\d.,]\d)"
        ),
        device=re.compile(
            rf"(?<!\w)(?:{cue_alternation(t.devices + t.device_nouns.get(lang, ()))})"
            r"(?:[ -]?(?:\d+(?:\.\d+)*|pro|max|plus|ultra|mini|se|[a-z]\d+))*",
            re.IGNORECASE,
        ),
    )


_SENTENCE_END = re.compile(r"[.!?\n]")
_QUESTION_WINDOW = 200  # a question mark further away than this ends another sentence


def _in_question(text: str, start: int, end: int) -> bool:
    """Whether the sentence holding text[start:end] ends with a question mark."""
    after = _SENTENCE_END.search(text, end, min(len(text), end + _QUESTION_WINDOW))
    return after is not None and after.group() == "?"


def _kinds(text: str, patterns: _Patterns, language: str) -> list[Fact]:
    facts: list[Fact] = []

    def add(kind: str, match: re.Match[str], group: int = 0) -> None:
        start, end = match.span(group) if match.group(group) is not None else match.span()
        facts.append(Fact(kind, start, end, text[start:end].strip()))

    for m in patterns.deadline.finditer(text):
        add("deadline", m)
    for m in patterns.duration.finditer(text):
        add("date", m)
    for m in patterns.error.finditer(text):
        add("error", m)
    # An amount has a currency next to it: look only around currency marks (the amount pattern
    # tried at every digit of a pasted log costs more than all the others together).
    seen_amounts: set[int] = set()
    for mark in _CURRENCY_MARK.finditer(text):
        lo = max(0, mark.start() - 24)
        for m in patterns.amount.finditer(text, lo, min(len(text), mark.end() + 24)):
            if m.start() not in seen_amounts and m.start() <= mark.start() < m.end() + 1:
                seen_amounts.add(m.start())
                add("amount", m)
    for m in patterns.version.finditer(text):
        add("device", m)
    for m in _NUMERIC_ID.finditer(text):
        if sum(c.isdigit() for c in m.group()) >= _DIGITS_IN_ID and not _NUM_DATE_ONLY.fullmatch(m.group()):
            add("id", m)
    if patterns.id_tail is not None:
        for m in patterns.id_tail.finditer(text):
            add("id", m, 1)
    for m in patterns.id.finditer(text):
        add("id", m, 1 if m.group(1) else 0)
        if m.group(1):
            # A list of ids shares one id word ("pedidos 71100, 72981 e 74412"); bounded to a few.
            end = m.end()
            for _ in range(_MAX_LISTED):
                more = patterns.id_more.match(text, end)
                if more is None:
                    break
                add("id", more, 1)
                end = more.end()
    for m in _UPPER_ID.finditer(text):
        add("id", m)
    # The date pattern (every month and week day, case-blind) is the costliest here: run it once.
    dates = list(patterns.date.finditer(text))
    for m in dates:
        add("date", m)
    points = [m.span() for m in dates if any(c.isdigit() for c in m.group())]
    for m in patterns.when.finditer(text):
        add("date", m)
        points.append(m.span())
    if patterns.time_word is not None:
        for m in patterns.time_word.finditer(text):
            add("date", m)
            points.append(m.span())
    # A day, a time or a time word in a sentence that says something is needed or at stake
    # ("I need it today", "bis 9 Uhr brauche ich ...") is a deadline as well as a date; an amount
    # of time or a past date ("six weeks", "last month") is not.
    folded = fold(text)
    pressed = {(start, end) for _, start, end in deadline_in_sentence(text, folded, points, language)}
    # A day or a time in a question ("Can it come on Saturday?") is when the customer needs it.
    pressed.update(span for span in points if _in_question(text, *span))
    for start, end in sorted(pressed):
        facts.append(Fact("deadline", start, end, text[start:end].strip()))
    if patterns.tried is not None:
        for m in patterns.tried.finditer(text):
            add("tried", m)
    # "I have written four times", "c'est la troisième fois": repeated attempts are steps taken.
    for start, end in attempt_clauses(folded, language):
        facts.append(Fact("tried", start, end, text[start:end].strip()))
    for m in patterns.device.finditer(text):
        if any(ch.isdigit() for ch in m.group()) or len(m.group()) > 3:
            add("device", m)
    return facts


def find_facts(text: str, language: str) -> list[Fact]:
    """The facts `text` gives, in text order. Facts of one kind never overlap (the first found keeps
    its span); facts of different kinds may ("I restarted it on v3.8.0" is a step and a version)."""
    text = text[:FACT_CHARS]
    kept: list[Fact] = []
    for fact in _kinds(text, _patterns(language), language):
        if fact.end <= fact.start or not fact.text:
            continue
        if len(kept) >= MAX_FACTS:
            break
        if any(fact.start < k.end and k.start < fact.end for k in kept if k.kind == fact.kind):
            continue
        if fact.kind in ("date", "id") and any(
            fact.start < k.end and k.start < fact.end for k in kept if k.kind in ("date", "id", "device")
        ):
            continue  # a date inside an id or a version is part of it
        kept.append(fact)
    return sorted(kept, key=lambda f: f.start)
