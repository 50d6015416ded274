"""The sign-off's name line: the writer's own name, never a word said to the customer.

A reply often ends with a paragraph like "Memo\\nFoto Estudio Luz" or "Saludos,\\nMemo": a one-word
line there is the writer's name, and a name can be a word of a vocabulary ("Memo" is also "fool" in
Spanish, "Bruno", "Rata"...). Only the last paragraph is read, and only a one-word line that a
company line follows or a closing line ending in a comma precedes: a last line "Idiot." alone after
a blank line is still read as said to the customer.
"""

from __future__ import annotations

import re

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_NAME_LINE = re.compile(r"[^\W\d_][\w'-]*")  # no full stop: "Idiot." is a sentence
_MAX_LINES = 4  # name, role, company, place: a longer last paragraph is text, not a sign-off


def signoff_names(text: str) -> list[tuple[int, int]]:
    """Offsets of the one-word name lines of `text`'s sign-off (read on the original text: its
    blank lines are what mark the last paragraph)."""
    breaks = list(_PARAGRAPH.finditer(text))
    if not breaks:
        return []
    start = breaks[-1].end()
    lines = text[start:].split("\n")
    if len(lines) > _MAX_LINES:
        return []
    names: list[tuple[int, int]] = []
    offset = start
    for k, line in enumerate(lines):
        word = line.strip()
        follows = k + 1 < len(lines) and lines[k + 1].strip() != ""
        closing = k > 0 and lines[k - 1].rstrip().endswith(",")
        if _NAME_LINE.fullmatch(word) and (follows or closing):
            names.append((offset, offset + len(line)))
        offset += len(line) + 1
    return names
