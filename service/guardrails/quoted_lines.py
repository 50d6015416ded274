"""Which e-mail style quoted lines ("> ...") are really someone else's words.

The document masks every "> ..." line as quoted (document.py), because a reply usually quotes the
customer that way. But an agent's own internal note pasted into a reply can carry the same marker
(">> internal note: this idiot calls daily"): those words are the team's, and the abuse rule must
read them. A quoted line counts as quoted only when most of its words are words of the thread.
"""

from __future__ import annotations

import re
from functools import lru_cache

from service.guardrails.document import MASK, mask_quotes
from service.guardrails.normalise import normalise
from service.models import Thread

_QUOTED_LINE = re.compile(r"(?m)^ ?>[^\n]*")
_WORD = re.compile(r"[^\W\d_]{3,}")  # short words ("de", "is") say nothing of who wrote a line
_MIN_SHARED = 0.5  # at least half of a quoted line's words come from the thread: it quotes it
_MIN_WORDS = 3  # a line of one or two words is left masked: too little to tell


@lru_cache(maxsize=8)
def _thread_words(bodies: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for body in bodies for w in _WORD.findall(normalise(body)[1].text))


def unquote_foreign_lines(folded: str, masked: str, thread: Thread | None) -> str:
    """`masked` with each "> ..." line of `folded` that does not quote the thread put back.

    Offsets are unchanged (each line is restored in place). Without a thread nothing is put back:
    we cannot tell whose words a line holds, so the document's reading stands."""
    if thread is None or ">" not in folded:
        return masked
    known: frozenset[str] | None = None  # read only when some line could be put back
    out = masked
    for m in _QUOTED_LINE.finditer(folded):
        # Words first: most quoted lines of a long quote-heavy reply ("> ", "> ok") are too short
        # to tell, and skipping them before the mask test keeps that test off 6,000 lines.
        words = _WORD.findall(m.group())
        if len(words) < _MIN_WORDS:
            continue
        start, end = m.span()  # never empty: the line holds its ">"
        if masked.count(MASK, start, end) != end - start:
            continue  # not masked as a whole: the document did not read it as a quote
        if known is None:
            known = _thread_words(tuple(message.body for message in thread.messages))
        shared = sum(1 for w in words if w in known)
        if shared < _MIN_SHARED * len(words):
            # The marker stays masked so no phrase or word reads it as part of the text.
            marker = len(m.group()) - len(m.group().lstrip(" >"))
            out = out[: start + marker] + mask_quotes(m.group()[marker:]) + out[end:]
    return out
