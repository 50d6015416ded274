"""A path through a product's menus ("Conta > Pagamentos", "espace client › Mes cartes → Contester").

One reading for every reader: the next-steps guardrail counts a path in a reply as something to act
on, and the note relay removes a note's paths before reading its words (the labels are the
product's, not ours). A path is made of steps: a letter, an arrow with blanks, emoji or invisible
format characters around it, and a letter; never a line break, since a line that opens with ">" is
a quoted line, not a path. Its labels run from a step outwards over words, up to _LABEL_CHARS each.

Only the step is a regular expression: a pattern that matched the labels too would be tried at
every letter of a text with an arrow in it (30 times slower on a 20,000-character reply).
"""

from __future__ import annotations

import re

from service.language.invisible import FORMAT_CHARS

ARROWS = ">›→"
_EMOJI = "[\u2600-\u27bf\ufe0f\u200d\U0001f000-\U0001faff]"
# Any run of blanks (not a line break) or emoji between the words and the arrow: the same path
# with two spaces, or with an emoji after its first word, is still a path.
_STEP = re.compile(
    rf"[^\W\d_](?:[^\S\n]|{_EMOJI}|[{FORMAT_CHARS}])*[{ARROWS}](?:[^\S\n]|[{FORMAT_CHARS}])*(?=[^\W\d_])"
)
_LABEL_CHARS = 30
_LABEL_CHAR = re.compile(r"[\w'’ -]")


def has_menu_path(text: str) -> bool:
    """Whether `text` holds a path through menus."""
    # Every path has an arrow: without one, substring tests replace the regex.
    return any(arrow in text for arrow in ARROWS) and _STEP.search(text) is not None


def _label_start(text: str, at: int) -> int:
    """Where the label whose last letter is at `at` starts: back over label characters, then
    forward to the first letter."""
    start = at
    while start > max(0, at - _LABEL_CHARS) and _LABEL_CHAR.match(text, start - 1):
        start -= 1
    while not text[start].isalpha():
        start += 1
    return start


def _label_end(text: str, at: int) -> int:
    """Where the label whose first letter is at `at` ends (after its last letter)."""
    end = at + 1
    while end < min(len(text), at + 1 + _LABEL_CHARS) and _LABEL_CHAR.match(text, end):
        end += 1
    while not text[end - 1].isalpha():
        end -= 1
    return end


def menu_paths(text: str) -> list[tuple[int, int]]:
    """The spans of the paths through menus in `text`, labels included, in text order."""
    if not any(arrow in text for arrow in ARROWS):
        return []
    spans: list[tuple[int, int]] = []
    for step in _STEP.finditer(text):
        start, end = _label_start(text, step.start()), _label_end(text, step.end())
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def without_menu_paths(text: str, blank: str = " ") -> str:
    """`text` with each path through menus replaced by `blank`."""
    out: list[str] = []
    last = 0
    for start, end in menu_paths(text):
        out += [text[last:start], blank]
        last = end
    return "".join([*out, text[last:]])
