"""One checked text, prepared once per check and shared by every rule."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cached_property

from service.guardrails.normalise import View, normalise
from service.guardrails.words import TokenMemo
from service.language.analysis import detect_language_confident

_LANGUAGE_SAMPLE = 400  # characters read for the reply's language: ~70 words, a clear reading
_LETTERS = re.compile(r"[^\W\d_]+")
MASK = "\x1a"  # neither a word character nor whitespace: a masked region never joins a phrase

# On the folded view, where every double-quote form is already '"' and line breaks are single "\n".
# Quoted lines (e-mail style "> ...") and double-quoted passages on one line are the customer's or
# someone else's words, not ours: phrase rules must not credit or blame the reply for them.
# Single quotes are left alone: they double as apostrophes ("can't") and cannot be paired safely.
_QUOTED = re.compile(r'(?m)^ ?>[^\n]*|"[^"\n]*"')


# Phrase scans only try positions right after a non-word character (see phrases.py); for that
# test to be a fast ASCII bitmap, non-ASCII symbols become MASK in the scan text (lexicon phrases
# never contain one), and a leading space gives the first word a character to follow.
_NON_ASCII_SYMBOL = re.compile(r"[^\x00-\x7f\w\s]")
SCAN_OFFSET = 1


def scan_text(text: str) -> str:
    """The text phrase matchers scan: offsets are those of `text` plus SCAN_OFFSET."""
    return " " + (text if text.isascii() else _NON_ASCII_SYMBOL.sub(MASK, text))


def mask_quotes(text: str) -> str:
    """`text` with quoted regions replaced by MASK characters (same length, same offsets)."""
    if ">" not in text and '"' not in text:
        return text
    return _QUOTED.sub(lambda m: MASK * len(m.group()), text)


@dataclass(frozen=True)
class Document:
    original: str
    cased: View  # normalised, case kept: secrets and placeholders
    folded: View  # normalised and casefolded: phrase lexicons
    masked: str  # folded.text with quoted regions masked
    scan: str  # scan_text(masked): what phrase matchers read

    @cached_property
    def language(self) -> tuple[str, bool]:
        """The reply's own language (quotes left out) and whether the reading is clear.

        Read once per check and shared by the rules that need it (language-match, restates-issue).
        """
        return detect_language_confident(self.masked[:_LANGUAGE_SAMPLE].replace(MASK, " "))

    @cached_property
    def tokens(self) -> TokenMemo:
        """Long sentences already read into words in this check (see words.tokens_of): shared by
        the rules, which read the same text the same way."""
        return {}

    def has_words(self, count: int) -> bool:
        """Are there at least `count` words (letters only) outside quotes? Stops once it knows."""
        return sum(1 for _ in itertools.islice(_LETTERS.finditer(self.masked), count)) >= count

    @classmethod
    def of(cls, text: str) -> Document:
        cased, folded = normalise(text)
        masked = mask_quotes(folded.text)
        return cls(original=text, cased=cased, folded=folded, masked=masked, scan=scan_text(masked))
