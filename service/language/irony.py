"""Sarcasm as a shape: praise or thanks aimed at a failure (data/irony.yaml).

feelings.yaml holds the fixed sarcastic phrases. What a support lead also reads as irony, in any
wording, is one of three shapes in a message about something going wrong:

- a bare word of praise alone in its clause ("Lovely.", "Great, so ...", "Génial. Vraiment génial.");
- thanks or love *for* the failure, the failure inside the same clause ("thanks for leaving us
  stranded", "merci pour le voyage", "adoro chegar atrasado");
- a confident forecast of the next repeat ("I'm sure the sixth will be even more informative").

A word from `resolved` in the message ("fixed", "arrived", "rapidez"), not negated, keeps praise
sincere: someone thanking for a fix names the fix. One regex pass per class over folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import CueSet, compile_cues
from service.language.data import load_table


class _IronyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    praise: dict[str, tuple[str, ...]]
    fillers: dict[str, tuple[str, ...]]
    thanks_for: dict[str, tuple[str, ...]]
    forecast: dict[str, tuple[str, ...]]
    next_words: dict[str, tuple[str, ...]]
    resolved: dict[str, tuple[str, ...]]
    determiners: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class _Compiled:
    # One token scan for every class (a dict probe per word), not regex alternations: this
    # runs on every message, and alternations or one scan per class cost more than the rest of
    # the reading together.
    cues: CueSet[str]
    fillers: frozenset[str]
    next_words: re.Pattern[str] | None


# What one scan found, by class: praise, thanks_for, forecast, resolved.
Scan = dict[str, list[tuple[int, int]]]


_CLAUSE_END = re.compile(r"[.!?,;:\n()\"«»“”—–]|\s-\s")
_SENTENCE_END = re.compile(r"[.!?\n]")
_WORD = re.compile(r"\w+(?:'\w+)*")


@cache
def _compiled(language: str) -> _Compiled:
    table = load_table("irony", _IronyFile)
    praise = table.praise.get(language, ())
    classes = {
        "praise": praise,
        "thanks_for": table.thanks_for.get(language, ()),
        "forecast": table.forecast.get(language, ()),
        "resolved": table.resolved.get(language, ()),
    }
    return _Compiled(
        cues=CueSet((word, kind) for kind, words in classes.items() for word in words),
        fillers=frozenset(
            word for phrase in table.fillers.get(language, ()) + praise for word in _WORD.findall(phrase)
        ),
        next_words=compile_cues(table.next_words.get(language, ())),
    )


@cache
def _determiners(language: str) -> frozenset[str]:
    return frozenset(load_table("irony", _IronyFile).determiners.get(language, ()))


def scan(toks: list[tuple[int, int, str]], language: str) -> Scan:
    """Praise, thanks-for, forecast and fix words in one pass over the tokens."""
    found: Scan = {"praise": [], "thanks_for": [], "forecast": [], "resolved": []}
    for start, end, kind in _compiled(language).cues.find(toks):
        found[kind].append((start, end))
    return found


def _bounds(folded: str, start: int, end: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    left = max((m.end() for m in pattern.finditer(folded, 0, start)), default=0)
    right = pattern.search(folded, end)
    return left, right.start() if right else len(folded)


def sincere(folded: str, scanned: Scan, negators: frozenset[str], language: str = "en") -> bool:
    """Whether the message names something put right ("fixed", "arrived"), not negated, not in
    scare quotes (the 'fixed' update that deleted everything was no fix) and not a participle
    used as an adjective after a determiner ("my saved playlists", "os meus dados resolvidos")."""
    quoted = [m.span() for m in _SCARE_QUOTES.finditer(folded)] if scanned["resolved"] else []
    determiners = _determiners(language)
    for start, end in scanned["resolved"]:
        if any(s <= start and end <= e for s, e in quoted):
            continue
        before = _WORD.findall(folded[max(0, start - 30) : start])[-2:]
        if before and before[-1] in determiners:
            continue
        if not any(w in negators or w.endswith("n't") for w in before):
            return True
    return False


# A few words in quotation marks inside a complaint ("upgraded", « nouvelle recette »): scare quotes.
# In single marks too ('fixed', ‘kleine Anpassung’), where the opening mark follows no letter and
# the closing one precedes none, so an apostrophe ("don't", "j'ai") opens or closes nothing.
_SCARE_QUOTES = re.compile(
    r"[\"“«„]\s?(?:[^\s\"“”«»„]+\s?){1,6}[\"”»“]|(?<!\w)['‘]\s?(?:[^\s'‘’]+\s?){1,6}['’](?!\w)"
)


def find_irony(
    folded: str,
    scanned: Scan,
    language: str,
    trouble: re.Pattern[str] | None,
    negative_spans: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Spans of praise or thanks that mean their opposite; empty when nothing went wrong (call
    it only when the message is not `sincere`).

    Trouble is a word from feelings.yaml's `sarcasm_trouble`, scare quotes, or a negative feeling
    already read in the message (`negative_spans`: "day 5", "sixth e-mail", "two hours late").
    """
    compiled = _compiled(language)
    praise, thanks, forecasts = scanned["praise"], scanned["thanks_for"], scanned["forecast"]
    if not (praise or thanks or forecasts):
        return []  # the common case: no praise at all, so no need to look for trouble
    spans = list(negative_spans) + [m.span() for m in _SCARE_QUOTES.finditer(folded)]
    if trouble is not None:
        spans += [m.span() for m in trouble.finditer(folded)]
    if not spans:
        return []
    found: list[tuple[int, int]] = []
    for start, end in praise:
        left, right = _bounds(folded, start, end, _CLAUSE_END)
        if all(w in compiled.fillers for w in _WORD.findall(folded[left:right])):
            found.append((start, end))
    for start, end in thanks:
        _, right = _bounds(folded, start, end, _SENTENCE_END)
        if any(end <= s and e <= right for s, e in spans):
            found.append((start, end))
    if compiled.next_words is not None:
        for start, end in forecasts:
            _, right = _bounds(folded, start, end, _SENTENCE_END)
            if compiled.next_words.search(folded, end, right):
                found.append((start, end))
    return found
