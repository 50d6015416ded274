"""The latest request: what the customer asks for now, in their newest message.

The request is the sentence that asks most clearly (data/requests.yaml), the later of equals
winning (customers tend to end with the ask): a question that also carries a request cue; then a
question, a need, an order ("Fix it NOW.", "Rufen Sie mich an", "Llamadme") or a formal ask ("Les
ruego ...", "Merci de résilier ..."); then a weak cue, an ultimatum ("unless ...", "si no ...") or a
question without its mark. Letter closings, nudges ("hello??"), thanks and agreement tags ask for
nothing. The facts the customer gave are read by facts.py and re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.language.cues import compile_cues, cue_alternation, fold
from service.language.facts import FACT_CHARS, MAX_FACTS, Fact, find_facts
from service.language.request_table import table
from service.language.sentences import sentence_spans

__all__ = ["FACT_CHARS", "MAX_FACTS", "Fact", "Span", "find_facts", "find_request"]

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


_ELONGATED = re.compile(r"(\w)\1{2,}")  # "helloooo", "holaaa": one letter held


@dataclass(frozen=True)
class _Asks:
    """How a sentence asks, compiled from requests.yaml for one language."""

    weak: re.Pattern[str] | None
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
    t = table()
    lang = language if language in t.request_cues else "en"

    def words(field: dict[str, tuple[str, ...]]) -> str:
        return cue_alternation(field.get(lang, ()))

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
        weak=compile_cues(t.request_cues[lang]),
        strong=compile_cues(t.strong_request_cues.get(lang, ())),
        opener=optional(words(t.condition_openers)),
        negative_opener=optional(words(t.negative_openers)),
        negation=optional(words(t.negations)),
        closing=optional(rf"^\W*(?:{words(t.closings)})" if t.closings.get(lang) else ""),
        # Nudges are too short for language detection to be sure of: every language's count.
        nudge=optional(
            rf"^\W*(?:{cue_alternation(tuple(n for ns in t.nudges.values() for n in ns))})[\W\d]*$"
        ),
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


def _score(sentence: str, asks: _Asks) -> int:
    """How clearly one folded sentence asks: 0 not at all, 1 a weak cue, 2 a question, a need, an
    order or an ultimatum, 3 a question that also carries a request cue."""
    if asks.closing is not None and asks.closing.match(sentence):
        return 0  # "Veuillez agréer ...", "Please find attached ...": a letter's formula
    if asks.nudge is not None and asks.nudge.match(_ELONGATED.sub(r"\1", sentence)):
        return 0  # "hello??", "helloooo??", "Noch jemand da?": a nudge, not a request
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
    weak = asks.weak is not None and asks.weak.search(sentence, after) is not None
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
    asks = _asks(language)
    best: tuple[int, int, int] | None = None
    # Only the sentences are folded (sentence_spans reads a message's opening and end): never the
    # whole of a 100,000-character message.
    for start, end in sentence_spans(text, language):
        body = start
        greeting = _GREETING.match(text, start, end)
        if greeting and greeting.end() > start:
            body = greeting.end()  # judge "Hi, can you ..." by what follows the greeting
        score = _score(fold(text[body:end]), asks)
        if score and body > start and _score(fold(text[start:end]), asks) == 0:
            score = 0  # the greeting was the whole of it ("helloooo??")
        if score and (best is None or score >= best[0]):
            best = (score, start, end)
    if best is None:
        return None
    _, start, end = best
    greeting = _GREETING.match(text, start, end)
    if greeting and greeting.end() < end - 3:
        start = greeting.end()
    return Span(start, end, text[start:end])
