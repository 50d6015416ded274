"""Whether a negation before a word reaches it: one scope for every reader.

A negation reaches a few words forward inside its clause and no further: "sin avisar. Un servicio
de diez" is not "sin diez", "Nicht möglich: Erstattung erfolgt" refunds, "ohne App/WLAN.\\nFix
kommt" fixes. How many words back a negation may stand is the reader's own (a feeling cue reads
four, a note's outcome three, a deadline only the word right before); the clause, the characters
read and what counts as a negation are shared here.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_CLAUSE_END = re.compile(r"[.!?;:\n]")
_CLAUSE_END_OR_COMMA = re.compile(r"[.!?;:,\n]")
_REACH_CHARS = 40
_WORD = re.compile(r"[\w']+")


def words_before(folded: str, start: int, count: int, *, comma_ends: bool = False) -> list[str]:
    """The last `count` words of `folded` before `start`, inside the clause `start` stands in
    (a comma ends the clause too when `comma_ends`)."""
    window = folded[max(0, start - _REACH_CHARS) : start]
    ends = list((_CLAUSE_END_OR_COMMA if comma_ends else _CLAUSE_END).finditer(window))
    if ends:
        window = window[ends[-1].end() :]
    return _WORD.findall(window)[-count:] if count > 0 else []


def negates(words: Collection[str], negators: Collection[str]) -> bool:
    """Whether any of `words` is a negation: a negator of the language, an English "-n't" or a
    French elided "n'" ("n'est", "n'ai")."""
    return any(w in negators or w.endswith("n't") or w.startswith("n'") for w in words)


def negated_before(
    folded: str, start: int, negators: Collection[str], count: int, *, comma_ends: bool = False
) -> bool:
    """Whether a negation among the `count` words before `start` in its clause reaches it."""
    return negates(words_before(folded, start, count, comma_ends=comma_ends), negators)
