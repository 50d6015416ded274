"""The phrasebook of being heard: one acknowledgement sentence, and the issue said back.

Used by the offline composer (to open a reply) and by the guardrail repair (to prepend when a draft
forgot to acknowledge the customer), so both speak with one voice. The wording follows our
guidelines "acknowledge the feeling in your own words" and "listen and restate the problem"
(prompts/guidelines.yaml): the acknowledgement names the feeling that fits the detected emotion
and the situation (urgent or not, a problem or a question); :func:`restate_issue` gives the
customer's issue back to them, in the second person in English and as a short quotation elsewhere
(turning a Spanish or German sentence from "I" to "you" needs verb conjugation we do not attempt).

Every acknowledgement contains a plain "I understand" / "I'm sorry" (or its equivalent), the core
that any acknowledgement check recognises, and avoids words that other rules flag ("unfortunately",
"just", "calm down", blame).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from service.language.analysis import Category, Emotion, ThreadAnalysis
from service.language.data import load_table


def _split(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A neutral customer with a problem ("my parcel is late") gets a different opening from a neutral
# customer with a question ("how do I export my data?").
_NEUTRAL_PROBLEM = "neutral_problem"
_QUESTION_CATEGORIES = frozenset({Category.howto, Category.general})


class _Acknowledgements(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    plain: dict[str, dict[str, str]]  # language -> feeling -> sentence
    urgent: dict[str, dict[str, str]]  # the same when the customer is pressed for time


class _QuoteFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    statement: str  # {issue} is the customer's sentence
    question: str


class _Restatement(BaseModel):
    # The file also holds the composer's frames (service/drafting/restate.py reads those).
    model_config = ConfigDict(extra="ignore", frozen=True)

    version: int
    quote_frames: dict[str, _QuoteFrame]


_ACKNOWLEDGEMENTS = load_table("acknowledgements", _Acknowledgements)
_ACK = _ACKNOWLEDGEMENTS.plain
# When the customer is pressed for time, the acknowledgement says that we see the urgency too.
_ACK_URGENT = _ACKNOWLEDGEMENTS.urgent

SUPPORTED_LANGUAGES = frozenset(_ACK)


def _phrase_language(language: str) -> str:
    return language if language in _ACK else "en"


def acknowledgement_for(analysis: ThreadAnalysis) -> str:
    """One acknowledgement sentence in the customer's language, fitted to their emotion and situation."""
    language = _phrase_language(analysis.language)
    if analysis.urgent:
        return _ACK_URGENT[language][analysis.emotion.value]
    key = analysis.emotion.value
    if analysis.emotion is Emotion.neutral and analysis.category not in _QUESTION_CATEGORIES:
        key = _NEUTRAL_PROBLEM
    return _ACK[language][key]


# --- restating the issue ------------------------------------------------------------------------

_RESTATE_MAX_CHARS = 160

# Quotation frames for languages where we quote rather than convert the person.
_QUOTE_FRAMES = {
    language: (frame.statement, frame.question)
    for language, frame in load_table("restatement", _Restatement).quote_frames.items()
}

# English person swap. "you" becomes "us" after these words (objects) and "we" elsewhere.
_FIRST_TO_SECOND = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "we're": "you're",
    "we've": "you've",
    "we'd": "you'd",
    "we'll": "you'll",
    "your": "our",
    "yours": "ours",
    "yourself": "ourselves",
    "yourselves": "ourselves",
    "you're": "we're",
    "you've": "we've",
    "you'd": "we'd",
    "you'll": "we'll",
}
_ALWAYS_CAPITAL = frozenset({"I", "I'm", "I've", "I'd", "I'll"})
_SECOND_PERSON = frozenset(_FIRST_TO_SECOND.values())
# After "I", these verbs change with the subject ("I was" -> "you were").
_AFTER_I = {"am": "are", "was": "were", "wasn't": "weren't"}
# "am I" / "was I" in questions.
_BEFORE_I = {"am": "are", "was": "were"}
_OBJECT_CONTEXT = _split(
    "to for with at from about by of on into onto than told asked emailed contacted called sent "
    "paid gave give giving thank thanked let charged billed notified informed promised "
    "reached messaged wrote phoned owe owed"
)
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Words that start a sentence but are not names: lower-cased after "You mentioned that".
_COMMON_STARTERS = _split(
    "the a an it its this that these those there their they he she his her since after before "
    "when while yesterday today tonight last every all none nothing some someone one each both "
    "for on at in about although because also still recently suddenly apparently so and but now "
    "again once whenever my our your we you i me us if as even then what which who"
)
# Customers often drop the subject ("Locked out of my account", "Can't log in since Monday").
_FRAGMENT_SUBJECTS = {
    **dict.fromkeys(_split("locked stuck unable still having getting trying waiting unhappy"), "I'm"),
    **dict.fromkeys(
        _split(
            "can't cannot couldn't didn't haven't need tried got received lost paid ordered bought "
            "keep wanted want was been"
        ),
        "I",
    ),
    **dict.fromkeys(_split("charged billed overcharged"), "I was"),
}
_EMOTION_TAIL = re.compile(
    r"[,;]?\s+(?:and|but|so)\s+(?:i'm|i am|we're|we are|i feel|i'm feeling|this is|it's|it is)\s+"
    r"(?:(?:really|so|very|extremely|quite|getting|absolutely|pretty|incredibly)\s+)*"
    r"(?:frustrated|frustrating|angry|upset|annoyed|disappointed|disappointing|worried|confused|"
    r"fed up|furious|unacceptable|ridiculous|stressed|anxious)\b[^.!?]*",
    re.IGNORECASE,
)
_QUESTION_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^how (?:do|can|should|would) (?:i|we) (.+)$", re.I), "You asked how to {rest}."),
    (re.compile(r"^(?:can|could|may) (?:i|we) (.+)$", re.I), "You asked whether you can {rest}."),
    (
        re.compile(r"^is there (?:a|any) way (?:to|for)? ?(.+)$", re.I),
        "You asked whether there is a way to {rest}.",
    ),
    (re.compile(r"^is it possible to (.+)$", re.I), "You asked whether it is possible to {rest}."),
    (
        re.compile(r"^(?:can|could|would|will) (?:you|someone|somebody|anyone) (?:please )?(.+)$", re.I),
        "You asked us to {rest}.",
    ),
)
_REQUEST = re.compile(r"^(?:please|kindly)\s+(.+)$", re.IGNORECASE)


def _match_case(original: str, replacement: str) -> str:
    # "I" and its contractions are capitalised wherever they stand: their case says nothing.
    if original.replace("’", "'") not in _ALWAYS_CAPITAL and original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def to_second_person(text: str) -> str:
    """The customer's English sentence as we would say it back to them: I -> you, you -> we.

    One pass over the words, so "you" produced from "I" is never swapped back. Handles the common
    cases (subject/object "you", "I was" -> "you were", contractions); rarer grammar is left alone.
    """
    out: list[str] = []
    last = 0
    previous = ""
    tokens = list(_TOKEN.finditer(text))
    for index, match in enumerate(tokens):
        word = match.group()
        key = word.lower().replace("’", "'")
        following = tokens[index + 1].group().lower() if index + 1 < len(tokens) else ""
        replacement: str | None = None
        if key == "you":
            replacement = "us" if previous in _OBJECT_CONTEXT else "we"
        elif key in _FIRST_TO_SECOND:
            replacement = _FIRST_TO_SECOND[key]
        elif previous == "i" and key in _AFTER_I:
            replacement = _AFTER_I[key]
        elif following == "i" and key in _BEFORE_I:
            replacement = _BEFORE_I[key]
        out.append(text[last : match.start()])
        if replacement is None:
            out.append(word)
        else:
            # Keep the customer's apostrophe style.
            if "’" in word:
                replacement = replacement.replace("'", "’")
            out.append(_match_case(word, replacement))
        last = match.end()
        previous = key
    out.append(text[last:])
    return "".join(out)


def _lower_first(text: str) -> str:
    """Lower-case the first word when it is a common word, never a name or an acronym."""
    match = _TOKEN.match(text)
    if not match:
        return text
    word = match.group()
    key = word.lower().replace("’", "'")
    is_acronym = len(word) > 1 and word.isupper()
    head = key.split("'")[0]
    if not is_acronym and (head in _COMMON_STARTERS or key in _SECOND_PERSON):
        return text[:1].lower() + text[1:]
    return text


def _add_subject(text: str) -> str:
    """Give a subjectless fragment ("Locked out of my account") its subject back ("you're ...")."""
    match = _TOKEN.match(text)
    if not match:
        return text
    subject = _FRAGMENT_SUBJECTS.get(match.group().lower())
    if subject is None:
        return text
    return f"{subject} {text[:1].lower()}{text[1:]}"


def with_subject(text: str) -> str:
    """The English fragment with its subject back ("Locked out of ..." -> "I'm locked out of ...")."""
    return _add_subject(text)


def _shorten(text: str, limit: int = _RESTATE_MAX_CHARS) -> str:
    """At most `limit` characters, cut at a clause boundary when there is one."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    for separator in ("; ", ", ", " because ", " but ", " and ", " - "):
        cut = window.rfind(separator)
        if cut >= limit // 3:
            return window[:cut].rstrip()
    cut = window.rfind(" ")
    return (window[:cut] if cut > 0 else window).rstrip() + "…"


def _clean_issue(issue: str) -> tuple[str, bool]:
    """(sentence without its end punctuation, is it a question)."""
    text = " ".join(issue.split())
    question = text.rstrip().endswith("?")
    text = text.rstrip(" .!?;:,…").lstrip("¿¡ ")
    return text, question


def restate_issue(analysis: ThreadAnalysis) -> str:
    """The customer's issue said back to them, one sentence in their language ("" if none)."""
    text, question = _clean_issue(analysis.issue)
    if not text:
        return ""
    if analysis.language != "en":
        # Other languages are quoted (in English words when we have no phrases for the language).
        statement, asked = _QUOTE_FRAMES[_phrase_language(analysis.language)]
        quoted = _shorten(text) + ("?" if question else "")
        return (asked if question else statement).format(issue=quoted)
    return _restate_english(text, question)


def _restate_english(text: str, question: bool) -> str:
    text = _EMOTION_TAIL.sub("", text)
    request = _REQUEST.match(text)
    if request:
        return f"You asked us to {_shorten(to_second_person(request.group(1)))}."
    if question:
        for pattern, frame in _QUESTION_FORMS:
            found = pattern.match(text)
            if found:
                return frame.format(rest=_shorten(to_second_person(found.group(1))))
        return _QUOTE_FRAMES["en"][1].format(issue=_shorten(text) + "?")
    return f"You mentioned that {_lower_first(_shorten(to_second_person(_add_subject(text))))}."
