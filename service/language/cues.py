"""Cue lists from the language tables, compiled to regular expressions.

A cue is one or more words written in lower case; a word ending in ``*`` matches any word that
starts with it (``frustrat*``). Cues match whole words on folded text (see :func:`fold`), and a cue
that starts or ends with a symbol ("👏", "/s") matches without a word boundary on that side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def fold(text: str) -> str:
    """Lower case with straight apostrophes, always the same length as `text` (offsets stay valid)."""
    folded = text.lower().translate(_APOSTROPHES)
    if len(folded) == len(text):
        return folded
    # A few letters grow when lower-cased ("İ"); keep those as they are so offsets still line up.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text).translate(_APOSTROPHES)


def _word(word: str) -> str:
    if word.endswith("*") and len(word) > 1:
        return re.escape(word[:-1]) + r"\w*"
    return re.escape(word)


def cue_regex(cue: str) -> str:
    words = cue.split()
    body = r"[\s\-]+".join(_word(w) for w in words)
    head = r"(?<!\w)" if re.match(r"\w", cue) else ""
    tail = r"(?!\w)" if re.search(r"[\w*]$", cue) else ""
    return f"{head}{body}{tail}"


def compile_cues(cues: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation over `cues`, longest first (so "fed up" wins over "fed"); None when empty."""
    unique = sorted({c.strip().lower() for c in cues if c.strip()}, key=lambda c: (-len(c), c))
    if not unique:
        return None
    return re.compile("|".join(cue_regex(c) for c in unique))
