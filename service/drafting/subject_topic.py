"""The topic of a customer's subject line: without mail prefixes, channel labels ("SMS", "Public
reply on X") and reference segments ("Kundennummer 700 4418 22").

The offline draft no longer says a subject back (review G: "I have read your message about «...»"
read stitched, and quoted a bereaved customer's subject to her); the topic is kept for readers that
need the subject's words without the helpdesk's labels.
"""

from __future__ import annotations

import re

from service.drafting.voice import subject_labels
from service.language.cues import fold
from service.models import Thread

_SUBJECT_MIN_WORDS = 2
_SUBJECT_MAX_CHARS = 90
# "Re:", "AW:", "Fwd:" in front of a subject are the mail client's, not the customer's.
SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:re|aw|wg|fwd?|tr|rv|res)\s*:\s*)+", re.IGNORECASE)
# Subject segments: "Kommentar: Ausfall Berlin–München", "Sinistro – apólice 77-0041288 – viatura".
_SEGMENT_SPLIT = re.compile(r"\s*:\s+|\s+[–—|-]\s+")
# A segment carrying a reference or a long number is a case label ("contrato RR-CUN-558190",
# "Kundennummer 700 4418 22", "Folio 44821"): said back, it reads like a form, not a topic.
_REFERENCE = re.compile(
    r"\d{4,}|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w]+(?:-[\w]+)+\b|\d+(?:\s\d+){2,}"
    r"|\b(?=\w*\d{3})(?=\w*[A-Za-z])\w{6,}\b"
)
# "[Web form] ...", "[Ticket 88214] ...": a helpdesk's bracketed tag is not the customer's topic.
_TAG = re.compile(r"\[[^\]]*\]")


def subject_topic(thread: Thread) -> str:
    """The subject's topic without prefixes, tags, channel labels and reference segments; "" when
    too little or too much is left, or when it is exclaimed."""
    subject = SUBJECT_PREFIX.sub("", _TAG.sub(" ", thread.subject or "")).strip().rstrip(".!?:;")
    labels = subject_labels()
    segments = [
        segment
        for segment in _SEGMENT_SPLIT.split(subject)
        if segment.strip()
        and not _REFERENCE.search(segment)
        and not (labels is not None and len(segment.split()) <= 4 and labels.search(fold(segment)))
    ]
    topic = " – ".join(segments).strip().rstrip(".!?:;")
    if len(topic.split()) < _SUBJECT_MIN_WORDS or len(topic) > _SUBJECT_MAX_CHARS or "!" in topic:
        return ""
    return topic
