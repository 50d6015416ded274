"""Shared pieces of the rules that read words and sentences rather than phrases (abuse, ...).

`VocabularyData` is the lexicon shape: a `vocabulary` (kind -> language -> lemmas) and phrase
lists per language. `phrase_regex` compiles such a list into one word-bounded alternation over
the folded text. `reply_languages` says which languages' words to read a reply in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pydantic import Field

from service.guardrails.document import MASK, Document
from service.guardrails.forms import load_forms
from service.guardrails.lexicon import RuleData
from service.guardrails.words import Vocabulary

LANGUAGES = ("en", "es", "de", "fr", "pt")
# Single-quoted passages ('total crap') are the customer's words too; Document masks only double
# quotes because an apostrophe cannot be told from a quote in general. Here a quote must open
# after a non-letter and close before one, which an apostrophe inside a word never does.
_SINGLE_QUOTED = re.compile(r"(?<![^\W_])'[^'\n]{1,200}?'(?![^\W_])")
_HANDLE = re.compile(r"(?<![\w@.])@\w+")


class VocabularyData(RuleData):
    vocabulary: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    closed: list[str] = Field(default_factory=list)  # kinds listed in full: no inflected forms


def vocabulary_of(data: VocabularyData) -> Vocabulary:
    return Vocabulary(data.vocabulary, load_forms(), data.closed)


def masked_text(doc: Document) -> str:
    """The folded text with double- and single-quoted passages and @handles masked (offsets
    unchanged): "@kevin_mange" is an address, not two words of the sentence."""
    return _masked(doc.masked)


def mask_text(text: str) -> str:
    """What masked_text does, for a text a rule has already changed (same offsets)."""
    return _masked(text)


# Several rules read the same reply this way in one check (abuse, acknowledgement, next-steps):
# masking it once saves a few milliseconds on a long reply. A str caches its hash, so the lookup
# on the same Document's text is cheap.
@lru_cache(maxsize=8)
def _masked(text: str) -> str:
    if "@" in text:
        text = _HANDLE.sub(lambda m: MASK * len(m.group()), text)
    if "'" not in text:
        return text
    return _SINGLE_QUOTED.sub(lambda m: MASK * len(m.group()), text)


def phrase_regex(phrases: Iterable[str], prefix: str = "") -> re.Pattern[str] | None:
    """One alternation of `phrases` (lower case, words separated by spaces), longest first.

    Group "phrase" is the phrase itself; `prefix` (a regex) must match just before it."""
    unique = sorted({p.casefold().strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not unique:
        return None
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in unique)
    return re.compile(rf"{prefix}(?<![^\W_])(?P<phrase>{body})(?![^\W_])")


def reply_languages(doc: Document, also: Sequence[str] = ("en",)) -> tuple[str, ...]:
    """The languages to read the reply's words in: its own (and `also`) when the reading is clear,
    else all five (a short tweet may not say which it is)."""
    language, clear = doc.language
    if clear and language in LANGUAGES:
        return tuple(dict.fromkeys((language, *also)))
    return LANGUAGES
