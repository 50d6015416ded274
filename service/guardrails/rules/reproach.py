"""Reproach in the modal perfect, read by structure: "you should have <done it>" (no-blame).

A phrase list of "you should have read / checked / ..." misses every verb nobody listed ("you
should have turned on purchase approval"). The structure is the signal: an opener that points a
counterfactual duty at the customer ("you should have", "tendría que haber", "Sie hätten ...
müssen", "vous auriez dû", "você deveria ter"), then the verb of what they failed to do: a past
participle (a listed irregular form or a regular ending) or, where the language says the duty
with an infinitive and a closing modal (German), the word before that modal. Verbs of expectation
are not a reproach: "you should have received an e-mail" says what we expected to happen.
An opener with a first-person word just before it is the team blaming itself ("yo debería haber
avisado"): not a reproach either. All words are data (no_blame.yaml, `reproach`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from service.guardrails.document import Document
from service.guardrails.phrases import PhraseMatcher
from service.guardrails.words import strip_accents

_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?;\n\x1a]")
_CLAUSE_BREAK = re.compile(r"[.!?;:,\n\x1a]")
_BEFORE = 3  # words before an opener read for a first-person subject
_MIN_REGULAR = 4  # letters a word needs before a regular participle ending counts ("bed" is not)


class ReproachLanguage(BaseModel):
    """How one language says "you should have done X" (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    openers: list[str]  # phrase syntax (phrases.py): "(you|you really) (should have|ought to have)"
    endings: list[str] = Field(default_factory=list)  # regular participle endings: "ed", "ado"
    participles: list[str] = Field(default_factory=list)  # irregular forms: "read", "hecho"
    closers: list[str] = Field(default_factory=list)  # German: the modal that ends the clause
    expected: list[str] = Field(default_factory=list)  # expectation verbs: "received", "erhalten"
    self_words: list[str] = Field(default_factory=list)  # first-person subjects: "i", "yo", "wir"
    # Comparisons right before the opener make it sympathy: "longer than you should have had to
    # wait", "más de lo que debería haber esperado".
    comparatives: list[str] = Field(default_factory=list)
    reach: int = 2  # words after the opener where the verb (or the closer) may be


@dataclass(frozen=True)
class ReproachHit:
    start: int  # offsets in the text read (the folded, quote-masked view)
    end: int
    opener: str  # the lexicon literal that opened it (safe to show: it is ours, not the text's)


@dataclass(frozen=True)
class _Language:
    endings: tuple[str, ...]
    participles: frozenset[str]
    closers: frozenset[str]
    expected: frozenset[str]
    self_words: frozenset[str]
    comparatives: tuple[str, ...]
    reach: int


class ReproachReader:
    def __init__(self, languages: Mapping[str, ReproachLanguage]) -> None:
        entries: list[tuple[_Language, list[str]]] = []
        for spec in languages.values():
            language = _Language(
                tuple(spec.endings),
                _forms(spec.participles),
                _forms(spec.closers),
                _forms(spec.expected),
                _forms(spec.self_words),
                tuple(_plain(c) for c in spec.comparatives),
                spec.reach,
            )
            entries.append((language, list(spec.openers)))
        # The shared phrase trie (phrases.py): one pass over the scan text, like the phrase rules.
        self._openers = PhraseMatcher(entries)

    def finditer(self, doc: Document) -> Iterator[ReproachHit]:
        """Reproaches in a reply (offsets in its folded, quote-masked view)."""
        text = doc.masked
        for hit in self._openers.finditer(doc.scan):
            language = hit.entry
            if self._not_theirs(text, hit.start, language):
                continue
            end = _sentence_end(text, hit.end)
            words = [(m.group(), m.end()) for m in _WORD.finditer(text, hit.end, end)]
            verb_end = _verb(words, language)
            if verb_end is not None:
                yield ReproachHit(hit.start, verb_end, hit.literal)

    @staticmethod
    def _not_theirs(text: str, start: int, language: _Language) -> bool:
        """A first-person subject or a comparison just before the opener, in its clause."""
        window = text[max(0, start - 40) : start]
        clause = max((m.end() for m in _CLAUSE_BREAK.finditer(window)), default=0)
        before = [_plain(w) for w in _WORD.findall(window[clause:])[-_BEFORE:]]  # same clause
        if any(w in language.self_words for w in before):
            return True  # "yo debería haber avisado" (not "Ich verstehe, aber Sie hätten")
        tail = " ".join(before)
        return any(tail == c or tail.endswith(f" {c}") for c in language.comparatives)


def _verb(words: Sequence[tuple[str, int]], language: _Language) -> int | None:
    """Where the reproached verb ends, or None when what follows is no such verb."""
    if language.closers:
        # German: "Sie hätten eben die Bestätigung einschalten müssen": the verb precedes the modal.
        for i, (word, end) in enumerate(words[: language.reach + 1]):
            if _plain(word) in language.closers:
                if i == 0 or _plain(words[i - 1][0]) in language.expected:
                    return None
                return end
        return None
    for word, end in words[: language.reach]:
        plain = _plain(word)
        if plain in language.expected:
            return None
        if plain in language.participles or (len(plain) >= _MIN_REGULAR and plain.endswith(language.endings)):
            return end
    return None


def _sentence_end(text: str, start: int) -> int:
    found = _SENTENCE_END.search(text, start)
    return found.start() if found else len(text)


def _plain(word: str) -> str:
    return strip_accents(word.casefold())


def _forms(words: Sequence[str]) -> frozenset[str]:
    return frozenset(_plain(w) for w in words)
