"""Normalisation with an offset map: match on a canonical copy, report offsets into the original.

Steps, in order: curly quotes and guillemets to straight quotes, NFKC, zero-width and other
invisible format characters removed, whitespace runs folded to one character (a newline when the
run held a line break, so quoted lines stay recognisable, else a space), then casefold. Two views
come out: `cased` (everything but the casefold; secrets and placeholders are case-sensitive) and
`folded` (phrase lexicons). Both map back to the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from service.guardrails.offsets import IDENTITY, MapBuilder, OffsetMap, compose
from service.language.invisible import FORMAT_CHARS

# One character for one, so these replacements need no offset map: typographic quotes become
# straight ones (so "can’t" matches "can't" and “...” is recognised as a quotation), and no-break
# spaces become spaces (NFKC would do the same, but only through its slow path).
_ONE_FOR_ONE = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": '"',
    "\u203a": '"',
    "\u301d": '"',
    "\u301e": '"',
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
}
_ONE_FOR_ONE_RE = re.compile("[" + "".join(_ONE_FOR_ONE) + "]")
# Every run of whitespace/format characters except a lone space (the common case, left alone).
# Written to start with one character class (then: after a space, at least one more; after any
# other, any number) so the engine skips to the next candidate with a set test instead of trying
# three alternatives at every character.
_RUN = re.compile(rf"[\s{FORMAT_CHARS}](?:(?<= )[\s{FORMAT_CHARS}]+|(?<! )[\s{FORMAT_CHARS}]*)")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def _char_class(chars: list[str]) -> str:
    """A compact regex character class (consecutive code points as ranges)."""
    ranges: list[list[int]] = []
    for code in map(ord, chars):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


# Computed once at import (~20 ms) so that a check never walks the text character by character:
# characters NFKC may change or compose (compatibility forms, combining marks; every astral
# character, which are rare), and characters whose casefold is longer than one ("ß" -> "ss").
_BMP = [chr(code) for code in range(0x80, 0x10000)]
_NFKC_CANDIDATES = re.compile(
    "["
    + _char_class([c for c in _BMP if unicodedata.combining(c) or unicodedata.normalize("NFKC", c) != c])
    + "\U00010000-\U0010ffff]+"
)
_EXPANDING_RE = re.compile("[" + _char_class([c for c in _BMP if len(c.casefold()) > 1]) + "]")


@dataclass(frozen=True)
class View:
    """A derived copy of the text and the way back to original offsets."""

    text: str
    map: OffsetMap

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original half-open span of the derived span [start, end) (end > start)."""
        return self.map.lo(start), self.map.hi(end - 1)


def _nfkc(text: str) -> tuple[str, OffsetMap]:
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, IDENTITY
    builder = MapBuilder(text)
    for run in _NFKC_CANDIDATES.finditer(text):
        i, end = run.start(), run.end()
        if i > 0 and unicodedata.combining(text[i]):
            i -= 1  # the base character a leading combining mark belongs to
        # Per cluster (a base character and its combining marks), so that "e" + U+0301 becomes
        # one "é" mapped to both source characters. Exact for the Latin scripts we support.
        while i < end:
            j = i + 1
            while j < end and unicodedata.combining(text[j]):
                j += 1
            cluster = text[i:j]
            normal = unicodedata.normalize("NFKC", cluster)
            if normal != cluster:
                builder.replace(i, j, normal)
            i = j
    return builder.build()


def _fold_runs(text: str) -> tuple[str, OffsetMap]:
    builder = MapBuilder(text)
    # A run's replacement depends on its characters only; the same few runs ("\n", "  ") repeat
    # on every line, so each distinct run is classified once per text.
    folded: dict[str, str] = {}

    def edits() -> Iterator[tuple[int, int, str]]:
        for run in _RUN.finditer(text):
            chunk = run.group()
            new = folded.get(chunk)
            if new is None:
                if chunk == "\r\n" or _LINE_BREAK.search(chunk):
                    new = "\n"
                elif any(c.isspace() for c in chunk):
                    new = " "
                else:
                    new = ""
                folded[chunk] = new
            # A lone line break stays itself: replacing it with itself would map its offsets just
            # as keeping it does, but cost a map segment for each of a text's many lines.
            if new != chunk:
                yield run.start(), run.end(), new

    builder.replace_all(edits())
    return builder.build()


def _one_for_one(text: str) -> str:
    for char in set(_ONE_FOR_ONE_RE.findall(text)):
        text = text.replace(char, _ONE_FOR_ONE[char])
    return text


def _casefold(text: str) -> tuple[str, OffsetMap]:
    folded = text.casefold()
    if len(folded) == len(text):  # casefold never shrinks a character: equal length is 1:1
        return folded, IDENTITY
    builder = MapBuilder(text)
    for match in _EXPANDING_RE.finditer(text):
        builder.replace(match.start(), match.end(), match.group().casefold())
    built, mapping = builder.build()
    return built.casefold(), mapping


def normalise(text: str) -> tuple[View, View]:
    """The (cased, folded) views of `text`."""
    if not text.isascii():
        text = _one_for_one(text)  # before NFKC, so that most text takes its fast path
    nfkc, nfkc_map = _nfkc(text)
    cased, fold_map = _fold_runs(nfkc)
    cased_map = compose(nfkc_map, fold_map)
    folded, case_map = _casefold(cased)
    return View(cased, cased_map), View(folded, compose(cased_map, case_map))


_FORMAT_RE = re.compile(f"[{FORMAT_CHARS}]")


def folded_words(text: str) -> str:
    """The folded view of `text` with its whitespace runs joined to single spaces.

    What lexicon phrases are compared in, for ~80,000 phrase variants at start-up (issue 11). When
    the text has no typographic quote, no invisible format character and is already NFKC, the
    only steps of normalise() that change it are the whitespace folding, which the join redoes,
    and the casefold: the result is the same without building any offset map.
    """
    if text.isascii() or (
        _ONE_FOR_ONE_RE.search(text) is None
        and _FORMAT_RE.search(text) is None
        and unicodedata.is_normalized("NFKC", text)
    ):
        return " ".join(text.casefold().split())
    return " ".join(normalise(text)[1].text.split())
