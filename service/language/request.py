"""The latest request (what the customer asks for now) and the facts they already gave.

The request is the sentence of the newest customer message that asks most clearly: a question
mark or a request cue (data/requests.yaml), the later of equals winning (customers tend to end with
the ask). Facts are ids, amounts, dates, deadlines, error text, steps already tried and devices,
each an exact span of the message, found with bounded patterns on bounded windows; timestamps,
versions and order ids are facts, never phone numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import compile_cues, cue_regex, fold
from service.language.data import load_table
from service.language.sentences import sentence_spans

FACT_CHARS = 2_500
MAX_FACTS = 40  # a pasted log is full of timestamps; the prompt shows a dozen at most
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear [^,\n]{0,40}|hola|buenas(?: tardes| noches| días)?|buenos días"
    r"|estimad[oa]s?[^,\n]{0,30}|hallo|guten (?:tag|morgen|abend)|sehr geehrte[^,\n]{0,40}"
    r"|bonjour|bonsoir|salut|madame, monsieur|coucou"
    r"|olá|ola|oi|bom dia|boa tarde|boa noite|prezad[oa]s?[^,\n]{0,30}|exm[oa]s?\.?[^,\n]{0,40})[\s,:!.]*",
    re.IGNORECASE,
)


# A closing line of thanks ("Merci de votre aide,", "Thanks for your help!") asks for nothing.
_THANKS_CLOSING = re.compile(
    r"^\W*(?:many thanks|thanks|thank you|thx|muchas gracias|gracias|vielen dank|danke|merci|"
    r"muito obrigad[oa]|obrigad[oa])\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fact:
    kind: str  # id | amount | date | deadline | error | tried | device
    start: int
    end: int
    text: str


class _RequestsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    request_cues: dict[str, tuple[str, ...]]
    id_words: dict[str, tuple[str, ...]]
    deadline_words: dict[str, tuple[str, ...]]
    time_words: dict[str, tuple[str, ...]]
    months: dict[str, tuple[str, ...]]
    error_words: dict[str, tuple[str, ...]]
    tried_words: dict[str, tuple[str, ...]]
    devices: tuple[str, ...]
    relative_dates: dict[str, tuple[str, ...]] = {}
    strong_request_cues: dict[str, tuple[str, ...]] = {}
    condition_openers: dict[str, tuple[str, ...]] = {}
    negative_openers: dict[str, tuple[str, ...]] = {}
    negations: dict[str, tuple[str, ...]] = {}
    closings: dict[str, tuple[str, ...]] = {}
    nudges: dict[str, tuple[str, ...]] = {}
    tag_questions: dict[str, tuple[str, ...]] = {}
    thanking_verbs: dict[str, tuple[str, ...]] = {}
    thanks_objects: dict[str, tuple[str, ...]] = {}
    question_openers: dict[str, tuple[str, ...]] = {}
    question_opener_not_before: dict[str, tuple[str, ...]] = {}
    imperative_verbs: dict[str, tuple[str, ...]] = {}
    imperative_shapes: dict[str, tuple[str, ...]] = {}
    duration_units: dict[str, tuple[str, ...]] = {}
    number_words: dict[str, tuple[str, ...]] = {}
    weekdays: dict[str, tuple[str, ...]] = {}
    day_number_before: dict[str, tuple[str, ...]] = {}
    month_before: dict[str, tuple[str, ...]] = {}
    ambiguous_months: tuple[str, ...] = ()
    device_nouns: dict[str, tuple[str, ...]] = {}
    id_tail_words: dict[str, tuple[str, ...]] = {}
    referral_words: dict[str, tuple[str, ...]] = {}


def _table() -> _RequestsFile:
    return load_table("requests", _RequestsFile)


def _alternation(cues: tuple[str, ...]) -> str:
    unique = sorted({c.lower() for c in cues}, key=lambda c: (-len(c), c))
    return "|".join(cue_regex(c) for c in unique)


@dataclass(frozen=True)
class _Patterns:
    request: re.Pattern[str] | None
    id: re.Pattern[str]
    amount: re.Pattern[str]
    date: re.Pattern[str]
    deadline: re.Pattern[str]
    error: re.Pattern[str]
    tried: re.Pattern[str] | None
    device: re.Pattern[str]
    version: re.Pattern[str]


# A version ("4.12.1") or an id ("55-0194") is not a date: no digit or dot-digit may touch it.
_NUM_DATE = (
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|(?<![\d.,-])\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?(?![\d]|[./-]\d)"
)
_VERSION = r"(?<![\w.])(?:v|version|versão|versión|firmware|fw|build)?\s?\d+\.\d+(?:\.\d+)+(?![\w.])"
_CURRENCY_MARK = re.compile(
    r"[$€£¥]|\b(?:usd|eur|gbp|brl|mxn|cad|chf|ars|cop|clp|nok|sek|dkk|ngn|inr|rs|euros?|dollars?|reais|pesos|"
    r"libras|francs?)\b",
    re.IGNORECASE,
)
_UPPER_ID = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{5,12}\b")
_TIME = r"\d{1,2}(?::\d{2}|h\d{0,2})(?:\s?[ap]\.?m\.?)?|\d{1,2}\s?[ap]\.?m\.?"
_CURRENCY = r"(?:R\$|US\$|CA\$|A\$|[$€£¥]|usd|eur|gbp|brl|mxn|cad|chf|ars|cop|clp|nok|sek|dkk|ngn|inr|rs)"
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CODE_ID = (
    r"(?<![\w/])#?(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]{1,12}(?:[-_/][A-Za-z0-9]{1,14}){1,4}(?![\w-])"
)


@cache
def _patterns(language: str) -> _Patterns:
    t = _table()
    lang = language if language in t.request_cues else "en"
    months = _alternation(t.months[lang] + (t.months["en"] if lang != "en" else ()))
    day_month = (
        rf"(?:\d{{1,2}}(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?(?:{months})\.?(?:\s+(?:de\s+)?\d{{4}})?"
        rf"|(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
    )
    at_time = rf"(?:,?\s+(?:at\s+|à\s+|às\s+|a las\s+|um\s+)?(?:{_TIME}))?"
    date = rf"(?:{_NUM_DATE}|{day_month}){at_time}|(?<![\w:]){_TIME}(?![\w:])"
    when = rf"(?:{_alternation(t.time_words[lang])}|{date})"
    relative = _alternation(t.relative_dates.get(lang, ()))
    date = rf"{date}|(?:{relative})" if relative else date
    deadline = rf"(?:{_alternation(t.deadline_words[lang])})\s+(?:(?:the|el|la|le|o|a|dem|den|der)\s+)?{when}"
    error_lead = _alternation(t.error_words[lang])
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
    tried = t.tried_words.get(lang, ())
    return _Patterns(
        request=compile_cues(t.request_cues[lang]),
        id=re.compile(
            rf"{_CODE_ID}|(?:(?:{_alternation(t.id_words[lang])})\s*(?:n[°ºo.]*\s*|#|:|number\s)?\s*)(\d{{4,}})|#\d{{3,}}|(?<![\d.,:/-])\d{{6,}}(?:-\d{{2,}})?(?![\d.,:/-])",
            re.IGNORECASE,
        ),
        amount=re.compile(
            rf"{_CURRENCY}\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:{_CURRENCY}|euros?|dollars?|reais|pesos|libras|francs?)(?!\w)",
            re.IGNORECASE,
        ),
        date=re.compile(date, re.IGNORECASE),
        deadline=re.compile(deadline, re.IGNORECASE),
        error=re.compile(error),
        tried=re.compile(rf"(?:{_alternation(tried)})[^.!?\n;]{{0,160}}", re.IGNORECASE) if tried else None,
        version=re.compile(_VERSION, re.IGNORECASE),
        device=re.compile(
            rf"(?<!\w)(?:{_alternation(t.devices)})"
            r"(?:[ -]?(?:\d+(?:\.\d+)*|pro|max|plus|ultra|mini|se|[a-z]\d+))*",
            re.IGNORECASE,
        ),
    )


@dataclass(frozen=True)
class _Asks:
    """How a sentence asks, compiled from requests.yaml for one language."""

    strong: re.Pattern[str] | None
    opener: re.Pattern[str] | None
    negative_opener: re.Pattern[str] | None
    negation: re.Pattern[str] | None
    closing: re.Pattern[str] | None
    nudge: re.Pattern[str] | None
    tag: re.Pattern[str] | None
    thanking: re.Pattern[str] | None
    thanks_for: re.Pattern[str] | None
    question: re.Pattern[str] | None
    imperative: re.Pattern[str] | None


def _at_clause_start(body: str) -> str:
    # A clause starts a sentence or follows a comma, colon or semicolon ("Urgente: bloqueen ...").
    return rf"(?:^|[,;:]\s+)(?:{body})"


@cache
def _asks(language: str) -> _Asks:
    t = _table()
    lang = language if language in t.request_cues else "en"

    def words(field: dict[str, tuple[str, ...]]) -> str:
        return _alternation(field.get(lang, ()))

    def optional(pattern: str) -> re.Pattern[str] | None:
        return re.compile(pattern) if pattern else None

    opener_stop = words(t.question_opener_not_before)
    question = words(t.question_openers)
    if question:
        stop = rf"(?!\s+(?:{opener_stop})(?!\w))" if opener_stop else ""
        question = rf"^\W*(?:{question}){stop}"
    imperative_parts = [p for p in t.imperative_shapes.get(lang, ()) if p]
    if t.imperative_verbs.get(lang):
        imperative_parts.append(words(t.imperative_verbs))
    thanked = words(t.thanks_objects)
    return _Asks(
        strong=compile_cues(t.strong_request_cues.get(lang, ())),
        opener=optional(words(t.condition_openers)),
        negative_opener=optional(words(t.negative_openers)),
        negation=optional(words(t.negations)),
        closing=optional(rf"^\W*(?:{words(t.closings)})" if t.closings.get(lang) else ""),
        # Nudges are too short for language detection to be sure of: every language's count.
        nudge=optional(rf"^\W*(?:{_alternation(tuple(n for ns in t.nudges.values() for n in ns))})[\W\d]*$"),
        tag=optional(rf"(?:{words(t.tag_questions)})\W*\?+\W*$" if t.tag_questions.get(lang) else ""),
        thanking=optional(words(t.thanking_verbs)),
        thanks_for=optional(rf"\bmerci\s+(?:de\s+|d')(?:{thanked})(?!\w)" if thanked else ""),
        question=optional(question),
        imperative=optional(_at_clause_start("|".join(imperative_parts)) if imperative_parts else ""),
    )


def _conditional_demand(sentence: str, asks: _Asks) -> bool:
    """ "Unless my deposit is back ...", "si no me responden hoy, ...", "sollte ... nicht ...": a
    condition opener followed, later in the sentence, by a negation (or the second "ou" of an
    "ou ... ou")."""
    if asks.negative_opener is not None and asks.negative_opener.search(sentence):
        return True
    if asks.opener is None or asks.negation is None:
        return False
    opener = asks.opener.search(sentence)
    return opener is not None and asks.negation.search(sentence, opener.end()) is not None


def _score(sentence: str, patterns: _Patterns, asks: _Asks) -> int:
    """How clearly one folded sentence asks: 0 not at all, 1 a weak cue, 2 a question, a need, an
    order or an ultimatum, 3 a question that also carries a request cue."""
    if asks.closing is not None and asks.closing.match(sentence):
        return 0  # "Veuillez agréer ...", "Please find attached ...": a letter's formula
    if asks.nudge is not None and asks.nudge.match(sentence):
        return 0  # "hello??", "Noch jemand da?": a nudge, not a request
    if not any(c.isalpha() for c in sentence):
        return 0
    asks_question = sentence.rstrip().endswith("?") or "¿" in sentence
    if asks_question and asks.tag is not None and asks.tag.search(sentence):
        asks_question = False  # "..., viu?", "..., right?" asks for agreement
    if not asks_question and asks.thanking is not None and asks.thanking.search(sentence):
        return 0  # "I wanted to thank ...", "queria agradecer ...": thanks
    after = 0  # where the asking words may start: after a closing line of thanks
    thanks = _THANKS_CLOSING.match(sentence)
    if thanks and not asks_question:
        please_do = sentence.lstrip().startswith("merci d") and (
            asks.thanks_for is not None and not asks.thanks_for.search(sentence)
        )  # "Merci de résilier ...": please do; "Merci de votre aide": thanks
        if not please_do:
            after = thanks.end()
    weak = patterns.request is not None and patterns.request.search(sentence, after) is not None
    strong = (asks.strong is not None and asks.strong.search(sentence, after) is not None) or (
        asks.imperative is not None and asks.imperative.search(sentence, after) is not None
    )
    if after and not strong and not _conditional_demand(sentence[after:], asks):
        return 0  # "Thanks for your help!", "Merci de votre aide": thanks
    if asks_question:
        return 3 if strong or weak else 2
    if strong:
        return 2
    if _conditional_demand(sentence, asks):
        return 1  # an ultimatum is the request only when nothing asks more plainly
    if asks.question is not None and asks.question.search(sentence):
        return 1  # "whats going on", "wie schalte ich das ab": a question without its mark
    return 1 if weak else 0


def find_request(text: str, language: str) -> Span | None:
    """The sentence of `text` that asks for something, or None when the customer only informs."""
    patterns = _patterns(language)
    asks = _asks(language)
    best: tuple[int, int, int] | None = None
    # Only the sentences are folded (sentence_spans reads a message's opening and end): never the
    # whole of a 100,000-character message.
    for start, end in sentence_spans(text, language):
        body = start
        greeting = _GREETING.match(text, start, end)
        if greeting and greeting.end() > start:
            body = greeting.end()  # judge "Hi, can you ..." by what follows the greeting
        sentence = fold(text[body:end])
        score = _score(sentence, patterns, asks)
        if score and (best is None or score >= best[0]):
            best = (score, start, end)
    if best is None:
        return None
    _, start, end = best
    greeting = _GREETING.match(text, start, end)
    if greeting and greeting.end() < end - 3:
        start = greeting.end()
    return Span(start, end, text[start:end])


def _kinds(text: str, patterns: _Patterns) -> list[Fact]:
    facts: list[Fact] = []

    def add(kind: str, match: re.Match[str], group: int = 0) -> None:
        start, end = match.span(group) if match.group(group) is not None else match.span()
        facts.append(Fact(kind, start, end, text[start:end].strip()))

    for m in patterns.deadline.finditer(text):
        add("deadline", m)
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
    for m in patterns.id.finditer(text):
        add("id", m, 1 if m.group(1) else 0)
    for m in _UPPER_ID.finditer(text):
        add("id", m)
    for m in patterns.date.finditer(text):
        add("date", m)
    if patterns.tried is not None:
        for m in patterns.tried.finditer(text):
            add("tried", m)
    for m in patterns.device.finditer(text):
        if any(ch.isdigit() for ch in m.group()) or len(m.group()) > 3:
            add("device", m)
    return facts


def find_facts(text: str, language: str) -> list[Fact]:
    """The facts `text` gives, in text order. Facts of one kind never overlap (the first found keeps
    its span); facts of different kinds may ("I restarted it on v3.8.0" is a step and a version)."""
    text = text[:FACT_CHARS]
    kept: list[Fact] = []
    for fact in _kinds(text, _patterns(language)):
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
