"""Words, lemmas and vocabularies: what the meaning-based rules (abuse, acknowledgement...) read.

A rule's lexicon lists *lemmas* by kind and language ("idiot", "frustrating", "Trottel"); the
generated `forms.yaml` (``python -m service.guardrails.build_forms``, built with simplemma's
dictionaries) lists the inflected forms of each of them ("idiots", "frustrantes", "Trottels").
So a check never lemmatises at run time: it looks each token up in a dict built at load time,
which keeps the per-check cost to one dict lookup per word and keeps simplemma's 350 MB of
dictionaries out of the serving process (docs/decisions.md).

Tokens come from the folded, quote-masked text (Document.masked): the customer's words quoted
back are never read as the reply's own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# A word: letters, with inner apostrophes or hyphens ("you're", "idiot-proof" is ONE token, so
# "idiot" inside it is never read alone). French elisions ("l'idiot", "qu'il") are split below.
TOKEN = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_ELISION = re.compile(r"^(?:l|d|j|t|m|s|n|c|qu|jusqu|lorsqu|puisqu)'(?=[^\W\d_])")
# Where a sentence (or a clause-level unit we judge on its own) ends.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n+|\x1a+")
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]| - ")


_NONE: frozenset[str] = frozenset()


class Token(NamedTuple):
    """A NamedTuple, not a frozen dataclass: a 20,000-character sentence has ~3,500 of them, and
    a frozen dataclass's __init__ (one object.__setattr__ per field) was about half of tokens_of."""

    text: str  # folded
    start: int  # offsets in the text it was read from (folded view)
    end: int
    clause: int  # index of its clause within the sentence: tokens of one clause share it


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...]


def strip_accents(word: str) -> str:
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


# A check may read one long sentence several times (abuse's sentences, acknowledgement's judging
# of the sentence around a hit): on a 20,000-character sentence each read was several ms. Long
# sentences are kept per Document (Document.tokens), so each is read once per check; short ones
# cost less to read again than to key.
MEMO_CHARS = 1_000
TokenMemo = dict[tuple[str, int], list[Token]]


def tokens_of(text: str, offset: int = 0, memo: TokenMemo | None = None) -> list[Token]:
    """The words of one sentence, each tagged with its clause number. With `memo` (one check's),
    a long sentence read before is not read again: callers must not change the list."""
    if memo is None or len(text) < MEMO_CHARS:
        return _tokens_of(text, offset)
    key = (text, offset)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _tokens_of(text, offset)
    return found


def _tokens_of(text: str, offset: int) -> list[Token]:
    out: list[Token] = []
    clause = 0
    last = 0
    search = _CLAUSE_BREAK.search
    append = out.append
    for match in TOKEN.finditer(text):
        word = match.group()
        start, end = match.span()
        # Most gaps between words are one space, which cannot hold a clause break: skip the
        # regex call there (same answer, one call fewer per word).
        gap = start - last
        if (gap > 1 or (gap == 1 and text[last] != " ")) and search(text, last, start):
            clause += 1
        last = end
        elision = _ELISION.match(word) if "'" in word else None
        if elision is not None:
            cut = elision.end()
            append(Token(word[:cut], offset + start, offset + start + cut, clause))
            word, start = word[cut:], start + cut
        append(Token(word, offset + start, offset + end, clause))
    return out


def sentences_of(text: str, offset: int = 0, memo: TokenMemo | None = None) -> list[Sentence]:
    """The sentences of a folded, quote-masked text; masked regions end a sentence. Offsets are
    those of `text` plus `offset`; `memo` as in tokens_of."""
    out: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            body = tuple(tokens_of(text[start : match.start()], offset + start, memo))
            out.append(Sentence(offset + start, offset + match.start(), body))
        start = match.end()
    if start < len(text):
        out.append(
            Sentence(offset + start, offset + len(text), tuple(tokens_of(text[start:], offset + start, memo)))
        )
    return [s for s in out if s.tokens]


# Presence rules (acknowledgement, next steps) read a reply's opening and its close, where people
# put them: on a 20,000-character reply that bounds their cost, and a reply that acknowledges only
# in its middle gets a finding an agent reviews (docs/decisions.md 50).
HEAD_CHARS = 2_500
TAIL_CHARS = 1_000
_WORD_CHARS = re.compile(r"\w")


@lru_cache(maxsize=16)
def window_sentences(text: str) -> tuple[Sentence, ...]:
    """sentences_of(text), reading only its first HEAD_CHARS and last TAIL_CHARS characters."""
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return tuple(sentences_of(text))
    tail = len(text) - TAIL_CHARS
    return (*sentences_of(text[:HEAD_CHARS]), *sentences_of(text[tail:], tail))


class Vocabulary:
    """Kinds of words per language, looked up by any inflected form (accents optional)."""

    def __init__(
        self,
        kinds: Mapping[str, Mapping[str, Sequence[str]]],
        forms: Mapping[str, Mapping[str, Sequence[str]]],
        closed: Iterable[str] = (),
    ) -> None:
        """`kinds`: kind -> language -> lemmas; `forms`: language -> lemma -> inflected forms;
        `closed`: kinds listed in full (pronouns, articles), never widened to other forms."""
        closed = frozenset(closed)
        index: dict[str, dict[str, set[str]]] = {}
        for kind, by_language in kinds.items():
            for language, lemmas in by_language.items():
                table = index.setdefault(language, {})
                known = {} if kind in closed else forms.get(language, {})
                for lemma in lemmas:
                    key = lemma.casefold()
                    forms_of = (key, *known.get(key, ()))
                    if kind not in closed:
                        forms_of = (*forms_of, *agreement(key, language))
                    for form in forms_of:
                        for variant in {form, strip_accents(form)}:
                            table.setdefault(variant, set()).add(kind)
        self._index = {lang: {w: frozenset(k) for w, k in table.items()} for lang, table in index.items()}
        # Few distinct language sets occur (one reply language plus English, or all five): the
        # merged tables are built on first use and kept, bounded by the number of such sets.
        self._merged: dict[tuple[str, ...], dict[str, frozenset[str]]] = {}

    def words(self, kinds: Iterable[str]) -> frozenset[str]:
        """Every listed form, in any language, of a word of one of `kinds`."""
        wanted = frozenset(kinds)
        return frozenset(w for table in self._index.values() for w, k in table.items() if k & wanted)

    def words_in(self, kinds: Iterable[str], language: str) -> frozenset[str]:
        """Every listed form, in one language, of a word of one of `kinds`."""
        wanted = frozenset(kinds)
        return frozenset(w for w, k in self._index.get(language, {}).items() if k & wanted)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._index)

    def kinds(self, word: str, languages: tuple[str, ...]) -> frozenset[str]:
        """The kinds `word` (folded) belongs to in any of `languages`."""
        return self.table(languages).get(word, _NONE)

    def table(self, languages: tuple[str, ...]) -> Mapping[str, frozenset[str]]:
        """word -> kinds over `languages`, merged once per set of languages (one lookup a word)."""
        merged = self._merged.get(languages)
        if merged is None:
            acc: dict[str, frozenset[str]] = {}
            for language in languages:
                for word, kinds in self._index.get(language, {}).items():
                    acc[word] = acc.get(word, _NONE) | kinds
            merged = self._merged[languages] = acc
        return merged

    def has(self, word: str, kind: str, languages: tuple[str, ...]) -> bool:
        return kind in self.kinds(word, languages)


# Gender and number agreement of adjectives and participles, which simplemma's dictionaries often
# file under the verb ("molesta" -> molestar) rather than under the adjective listed: the regular
# endings are added to every listed word of an open kind ("molesto" -> molesta, molestos, molestas).
_AGREEMENT: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "es": (("o", ("a", "os", "as")), ("e", ("es",)), ("", ("s",))),
    "pt": (("o", ("a", "os", "as")), ("e", ("es",)), ("", ("s",))),
    "fr": (
        ("et", ("ète", "ets", "ètes")),
        ("eux", ("euse", "euses")),
        ("if", ("ive", "ifs", "ives")),
        ("é", ("ée", "és", "ées")),
        ("ant", ("ante", "ants", "antes")),
        ("", ("e", "s", "es")),
    ),
    "de": (("", ("e", "en", "er", "es", "em")),),
    "en": (),
}


def agreement(word: str, language: str) -> tuple[str, ...]:
    """The regular agreement forms of `word` (first matching ending only)."""
    if " " in word:
        return ()
    for ending, replacements in _AGREEMENT.get(language, ()):
        if word.endswith(ending):
            base = word[: len(word) - len(ending)] if ending else word
            return tuple(base + r for r in replacements)
    return ()


# Content words shared by the customer and the reply: a cheap, language-agnostic stem (accents
# off, at most the first six letters) is enough to tell "refund" in "your refunded order" from an
# unrelated word, and costs nothing per check. Lemmas would be better; see docs/decisions.md.
_STEM_LETTERS = 6


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    plain = strip_accents(word).replace("'", "").replace("-", "")
    return plain[:_STEM_LETTERS]
