"""The casual voice: informality a customer shows without an informal pronoun.

Young customers, gamers and students often write "digga mein paket is immer noch nich da" or
"wesh ma commande est tjrs pas arrivée": no du or tu, yet a support lead reads them as informal
(seeds/messages/LABELLING.md). The signs come by kind (data/casual_voice.yaml):

- strong, informal on their own: a slang vocative where it addresses someone (at a line's start,
  after a greeting, or set off by punctuation or the line's end) and slang interjections;
- weak, informal only when both kinds show: a chat abbreviation ("pls", "stp", "vc", "tjrs") and
  a slang word ("pote", "zapas", "kohle"). One alone is shorthand or colour, not an address.

The look of a text is no sign at all: lower case, emoji and stretched letters were measured as a
third weak kind (docs/decisions.md, 146) and the writers split on it, so it is left out.

A fifth kind, `address`, holds the casual words that show informal address wherever they stand
("mate", "tío", "leute", "mdr", "vc"): `register.read_register` counts them with the informal
pronouns, so no other kind repeats them. `register.read_register` asks the four kinds above only
when the address itself shows nothing: a formal frame
wins, and a plural "vous"/"ustedes"/"vocês" with nothing casual stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import CueSet, tokens
from service.language.data import load_table

WEAK_KINDS_NEEDED = 2
# A vocative addresses someone when it opens its line (after a greeting at most), follows a
# comma, or is followed by a comma, "!" or "?": "digga mein paket", "oi, mano", "thanks, mate!".
_AFTER_COMMA = re.compile(r",[^\w\n]*$")
_SET_OFF_AFTER = re.compile(r"\s*[,!?]")
_NOT_WORD = re.compile(r"[^\w\s']+")


class _Kinds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Informal wherever it stands: register.py counts it with the pronouns, so it is never read here.
    address: tuple[str, ...] = ()
    vocatives: tuple[str, ...] = ()
    interjections: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    slang: tuple[str, ...] = ()


class _CasualFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    greetings: tuple[str, ...]
    languages: dict[str, _Kinds]


@dataclass(frozen=True)
class CasualReading:
    informal: bool
    evidence: tuple[int, int] | None  # the first sign that decided it, offsets into the text


_SIGNS = ("vocatives", "interjections", "abbreviations", "slang")


def _table() -> _CasualFile:
    return load_table("casual_voice", _CasualFile)


def address_words(language: str) -> tuple[str, ...]:
    """The casual words that show informal address wherever they stand ("mate", "tío", "mdr"):
    `register.read_register` counts them with the informal pronouns, against a formal frame."""
    kinds = _table().languages.get(language)
    return kinds.address if kinds is not None else ()


@cache
def _cues(language: str) -> tuple[CueSet[str], frozenset[str]] | None:
    table = _table()
    kinds = table.languages.get(language)
    if kinds is None:
        return None
    pairs = [(cue, kind) for kind in _SIGNS for cue in getattr(kinds, kind)]
    pairs += [(cue, "greeting") for cue in table.greetings]
    return CueSet(pairs), frozenset(table.greetings)


def _addresses(folded: str, start: int, end: int, greetings: frozenset[str]) -> bool:
    before = folded[:start]
    line_before = _NOT_WORD.sub(" ", before[before.rfind("\n") + 1 :]).strip()
    if not line_before or line_before in greetings or _AFTER_COMMA.search(before):
        return True
    return bool(_SET_OFF_AFTER.match(folded[end:]))


def read_casual(folded: str, language: str) -> CasualReading:
    """Whether the casual voice shows informality in `folded` (`cues.fold` of the text)."""
    compiled = _cues(language)
    if compiled is None:
        return CasualReading(False, None)
    cues, greetings = compiled
    weak: dict[str, tuple[int, int]] = {}
    for start, end, kind in sorted(cues.find(tokens(folded))):
        if kind == "interjections" or (kind == "vocatives" and _addresses(folded, start, end, greetings)):
            return CasualReading(True, (start, end))
        if kind in ("abbreviations", "slang"):
            weak.setdefault(kind, (start, end))
    if len(weak) >= WEAK_KINDS_NEEDED:
        return CasualReading(True, min(weak.values()))
    return CasualReading(False, None)
