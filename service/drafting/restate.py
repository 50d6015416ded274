"""The customer's issue said back: their clean request sentence, else the topic of their subject.

A restatement that quotes a rebuke, a side remark, self-talk or half a sentence back at the
customer is worse than none. In order: the latest request the analysis found
(service/language/request.py) when it is a whole question with enough words to say something (not
"any news?") and the customer is not upset (an upset customer's question is often a rebuke); else
the subject line, the customer's own summary of the topic; else a calm customer's whole sentence
naming the issue. English is turned to the second person (empathy.py); other languages are quoted.
"""

from __future__ import annotations

import dataclasses
import re

from service.drafting.voice import Voice, subject_labels
from service.language.analysis import ThreadAnalysis
from service.language.cues import fold
from service.language.empathy import restate_issue
from service.language.feelings import NEGATIVE, Feeling
from service.models import Channel, Thread

_MIN_WORDS = 6
_STATEMENT_MIN_WORDS = 4
_MAX_CHARS = 160
_SUBJECT_MIN_WORDS = 2
_SUBJECT_MAX_CHARS = 90
# "Re:", "AW:", "Fwd:" in front of a subject are the mail client's, not the customer's.
_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:re|aw|wg|fwd?|tr|rv|res)\s*:\s*)+", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# "1) How do I ...", "- Where is ...": list markers are layout.
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[).:]|[-*•])\s+")
# An upset customer's question is often a rebuke ("Shall I send it by carrier pigeon?"): their
# subject names the topic without quoting their words back at them.
_UPSET = 2


def clean_sentence(text: str, *, ends: str, min_words: int, lower_start: bool = False) -> bool:
    """A whole sentence (capital first unless the analysis cut a greeting off its front, ending in
    one of `ends`), without exclamation, short enough to quote."""
    flat = " ".join(text.split())
    if not flat or len(flat) > _MAX_CHARS or "!" in flat or "\n" in text.strip():
        return False
    if not (lower_start or flat[0].isupper() or flat[0] in "¿¡"):
        return False
    return flat[-1] in ends and len(_WORD.findall(flat)) >= min_words


def clean_request(text: str) -> bool:
    """A whole question worth saying back (a statement in the request slot is often a remark)."""
    return clean_sentence(text, ends="?", min_words=_MIN_WORDS)


# Subject segments: "Kommentar: Ausfall Berlin–München", "Sinistro – apólice 77-0041288 – viatura".
_SEGMENT_SPLIT = re.compile(r"\s*:\s+|\s+[–—|-]\s+")
# A segment carrying a reference or a long number is a case label ("contrato RR-CUN-558190",
# "Kundennummer 700 4418 22", "Folio 44821"): said back, it reads like a form, not a topic.
_REFERENCE = re.compile(
    r"\d{4,}|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w]+(?:-[\w]+)+\b|\d+(?:\s\d+){2,}"
    r"|\b(?=\w*\d{3})(?=\w*[A-Za-z])\w{6,}\b"
)


def _subject(thread: Thread) -> str:
    """The subject's topic: without mail prefixes, channel labels and reference segments."""
    subject = _SUBJECT_PREFIX.sub("", thread.subject or "").strip().rstrip(".!?:;")
    labels = subject_labels()
    segments = [
        segment
        for segment in _SEGMENT_SPLIT.split(subject)
        if segment.strip()
        and not _REFERENCE.search(segment)
        and not (labels is not None and len(segment.split()) <= 4 and labels.search(fold(segment)))
    ]
    subject = " – ".join(segments).strip().rstrip(".!?:;")
    words = subject.split()
    if len(words) < _SUBJECT_MIN_WORDS or len(subject) > _SUBJECT_MAX_CHARS or "!" in subject:
        return ""
    return subject


def restatement(thread: Thread, analysis: ThreadAnalysis, voice: Voice) -> str:
    request = _LIST_MARKER.sub("", analysis.request.text.strip()) if analysis.request else ""
    upset = any(f.feeling in NEGATIVE and f.intensity >= _UPSET for f in analysis.feelings)
    if not upset and clean_request(request):
        return _said_back(analysis, voice, request, "quote_question")
    # A text message or a public reply has no room for the subject line (often the helpdesk's
    # own label); only the customer's own words are said back there.
    short = thread.channel in (Channel.sms, Channel.social)
    subject = "" if short else _subject(thread)
    if subject:
        return voice.line("about_subject").format(text=subject)
    if short and analysis.language != "en":
        return ""  # "You wrote: «...»" in a text or a public reply reads like a form
    if any(f.feeling is Feeling.sarcasm for f in analysis.feelings):
        return ""  # sarcasm said back to its writer reads as mockery
    issue = _LIST_MARKER.sub("", analysis.issue.strip())
    # English is said back in our words (the person swapped), so an upset customer's statement can
    # be too; elsewhere it would be their own words quoted back at them.
    calm_enough = not upset or analysis.language == "en"
    # A lower-case start is a greeting cut off ("Ciao, non riesco..."); in English it is more often
    # a subjectless fragment ("internet down again") that reads broken when said back.
    lower_start = analysis.language != "en"
    if calm_enough and clean_sentence(
        issue, ends=".", min_words=_STATEMENT_MIN_WORDS, lower_start=lower_start
    ):
        return _said_back(analysis, voice, issue, "quote_statement")
    return ""


def _said_back(analysis: ThreadAnalysis, voice: Voice, text: str, frame: str) -> str:
    if voice.language == "en":  # English (and languages without a voice) has its own restatement
        return restate_issue(dataclasses.replace(analysis, issue=text))
    return voice.line(frame).format(text=text.rstrip(".") if frame == "quote_statement" else text)
