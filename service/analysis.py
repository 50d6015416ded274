"""Reading a thread: what the customer feels, how urgent it is, which language, what the issue is.

A pure function of the thread, shared by the prompt builder, the offline composer and the
guardrails (which raise the bar for an acknowledgement when the customer is upset). Cheap enough to
run on every request: a handful of precompiled regular expressions, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from service.models import Thread


class Emotion(StrEnum):
    angry = "angry"
    frustrated = "frustrated"
    anxious = "anxious"
    disappointed = "disappointed"
    confused = "confused"
    neutral = "neutral"


@dataclass(frozen=True)
class ThreadAnalysis:
    emotion: Emotion
    urgent: bool
    language: str  # ISO 639-1 code of the customer's language ("en" when unsure)
    issue: str  # the customer's problem in their own words (one sentence, trimmed)
    issue_span: tuple[int, int] | None  # offsets of `issue` inside the last customer message
    injection_markers: list[str] = field(default_factory=list)

    @property
    def upset(self) -> bool:
        return self.emotion is not Emotion.neutral or self.urgent


_EMOTION_CUES: dict[Emotion, re.Pattern[str]] = {
    Emotion.angry: re.compile(
        r"\b(unacceptable|ridiculous|furious|outrageous|disgrace|worst|angry|livid|fed up|"
        r"inaceptable|indignad[oa]|inakzeptabel|wütend|inadmissible|furieux|furieuse|absurdo)\b",
        re.IGNORECASE,
    ),
    Emotion.frustrated: re.compile(
        r"\b(frustrat\w*|annoy\w*|again|still (not|doesn't|isn't|broken)|third time|keeps? "
        r"(crashing|failing|happening)|nothing works|frustrad\w*|genervt|ärgerlich|agacé\w*|"
        r"énervé\w*|cansad[oa])\b",
        re.IGNORECASE,
    ),
    Emotion.anxious: re.compile(
        r"\b(worried|anxious|scared|afraid|nervous|panic\w*|deadline|lost (all|my)|preocupad[oa]|"
        r"besorgt|inquiet\w*)\b",
        re.IGNORECASE,
    ),
    Emotion.disappointed: re.compile(
        r"\b(disappoint\w*|let down|expected better|decepcionad[oa]|enttäuscht|déçu\w*)\b",
        re.IGNORECASE,
    ),
    Emotion.confused: re.compile(
        r"\b(confus\w*|don't understand|do not understand|unclear|no idea how|how do i|"
        r"no entiendo|verstehe nicht|je ne comprends pas|não entendo)\b",
        re.IGNORECASE,
    ),
}

_URGENCY = re.compile(
    r"\b(urgent\w*|asap|immediately|right now|today|production (is )?down|outage|"
    r"can't work|cannot work|emergency|urgente|dringend|sofort|urgence|imm[ée]diatement)\b",
    re.IGNORECASE,
)

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and is are my i you it not to of for with this that have was can".split()),
    "es": frozenset("el la los las y es mi no de que para con por una un pero muy está".split()),
    "de": frozenset("der die das und ist mein nicht ich sie mit für ein eine auch aber bitte".split()),
    "fr": frozenset("le la les et est mon ne pas je vous de pour avec une un mais très".split()),
    "pt": frozenset("o a os as e é meu não de que para com uma um mas muito está".split()),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?", re.UNICODE)
_PROBLEM = re.compile(
    r"\b(can't|cannot|won't|doesn't|isn't|not working|broken|error|fail\w*|crash\w*|lost|missing|"
    r"charged|refund|late|locked|down|stuck|no puedo|error|falla|kann nicht|funktioniert nicht|"
    r"fehler|ne fonctionne|impossible|não consigo|erro)\b",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"(ignore (all |the )?(previous|prior|above) instructions|system prompt|you are now|"
    r"disregard .{0,20}instructions|reveal .{0,20}prompt|</?(system|assistant)>)",
    re.IGNORECASE,
)


def detect_language(text: str) -> str:
    """Guess the language from stop-word counts; English when nothing stands out."""
    words = [w.casefold() for w in _WORD.findall(text[:4_000])]
    if not words:
        return "en"
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else "en"


def detect_emotion(text: str) -> Emotion:
    hits = {emotion: len(pattern.findall(text)) for emotion, pattern in _EMOTION_CUES.items()}
    exclamations = text.count("!")
    if exclamations >= 3:
        hits[Emotion.frustrated] += 1
    best = max(hits, key=lambda emotion: hits[emotion])
    return best if hits[best] > 0 else Emotion.neutral


def find_issue(text: str) -> tuple[str, tuple[int, int] | None]:
    """The first sentence that names a problem, else the first sentence."""
    sentences = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
    if not sentences:
        return "", None
    chosen = next((m for m in sentences if _PROBLEM.search(m.group())), sentences[0])
    raw = chosen.group()
    start = chosen.start() + (len(raw) - len(raw.lstrip()))
    end = chosen.start() + len(raw.rstrip())
    return text[start:end], (start, end)


def analyse_thread(thread: Thread) -> ThreadAnalysis:
    last = thread.last_customer_message().body
    customer_text = "\n".join(m.body for m in thread.customer_messages())
    language = (thread.options.language if thread.options and thread.options.language else None) or (
        (thread.customer.locale or "")[:2].lower() or detect_language(customer_text)
    )
    issue, span = find_issue(last)
    return ThreadAnalysis(
        emotion=detect_emotion(customer_text),
        urgent=bool(_URGENCY.search(last)),
        language=language,
        issue=issue,
        issue_span=span,
        injection_markers=[m.group() for m in _INJECTION.finditer(customer_text)],
    )
