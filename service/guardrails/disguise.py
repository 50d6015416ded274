"""Undo the ways people disguise a rude word so that a word list can still read it.

Four disguises, all of the *kind*, none tied to a word: leetspeak ("d1ckhead", "b@b@ca"), masking
with asterisks ("m***e", "f**k"), letters spaced or dotted apart ("I.d.i.o.t", "T u b e l",
"g-i-l-a") and letters stretched ("Imbéééécil", "débiiiile"). A candidate is rewritten only when
its plain spelling is a word the caller knows (`known`): an order code such as "A55-B" or a
spelled-out acronym stays as it is. The result has exactly the length of the input, so every
offset still points into the original text (a shortened word is padded with spaces).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

# Characters that stand for letters. "1" and "|" may be "i" or "l": both are tried.
_LEET: dict[str, tuple[str, ...]] = {
    "0": ("o",),
    "1": ("i", "l"),
    "3": ("e",),
    "4": ("a",),
    "5": ("s",),
    "7": ("t",),
    "9": ("g",),
    "@": ("a",),
    "$": ("s",),
    "!": ("i",),
    "|": ("l", "i"),
}
_MAX_VARIANTS = 8  # at most three ambiguous characters in one word are tried both ways
# A word with a letter-standing symbol or digit in it, or an asterisk mask: starts with a letter
# or a symbol, holds at least one letter. Trailing "!" is punctuation, not a letter.
_MIXED = re.compile(r"(?<![\w@$*|!])(?=[\w@$*|!]*[^\W\d_])[\w@$*|!]*[0-9@$*|!][\w@$*|!]*")
# Single letters kept apart by one repeated separator: "i d i o t", "a.n.t.a", "f-o-d-e-r".
_SPACED = re.compile(r"(?<![\w.\-])([^\W\d_])([ .\-_*])[^\W\d_](?:\2[^\W\d_]){1,14}(?![^\W_])")
# A letter written three or more times in a row ("chaaaata").
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_WORD_WITH_RUN = re.compile(r"[^\W\d_]*([^\W\d_])\1{2,}[^\W\d_]*")
# Cheap tests first (str methods in C, no regex over the whole text): most replies have none of
# these shapes. Stretching is tested on the letters people stretch most: the vowels.
_STRETCHABLE = "aeiouéíóáúäöüèê"
_EDGE_PUNCTUATION = ".,;:!?()[]\"'\x1a"
_LEET_CHARS = frozenset("0134579@$*|!")
_SEPARATORS = frozenset(".-_*")
_NOT_LETTERS = frozenset("0123456789@$*|!.,;:-_/\\+=#%&()[]{}<>\"'?~^`")
_SHORTEST = 3  # a disguised word has at least three characters: "a$$" yes, "$x" no
_ADDRESS_NEXT = frozenset("@\x1a")  # an "@" or a masked e-mail or @handle follows
_SHORT_MASK = 4  # "f***", "s***": the longest mostly-star mask still read as a swear word


def _shapes(text: str) -> tuple[bool, bool]:
    """(spaced, mixed): three one-letter words in a row; a word mixing letters and leet."""
    spaced = mixed = False
    singles = 0
    for word in text.split():
        if word.isalpha():
            singles = singles + 1 if len(word) == 1 else 0
            spaced = spaced or singles >= 3
            continue
        singles = 0
        core = word.strip(_EDGE_PUNCTUATION)
        if len(core) < _SHORTEST or core.isalpha() or core.isdigit():
            continue  # set tests in C below: this loop runs once per word of the reply
        if not _LEET_CHARS.isdisjoint(core) and not _NOT_LETTERS.issuperset(core):
            mixed = True
        elif len(core) >= 5 and core[1] in _SEPARATORS and core[3] == core[1]:
            spaced = True  # "I.d.i.o.t", "g-i-l-a": one word to split()
    return spaced, mixed


def _has_run(word: str) -> bool:
    return any(a == b == c for a, b, c in zip(word, word[1:], word[2:], strict=False))


class Undisguiser:
    """Rewrites disguised spellings of `known` words (folded) to their plain spelling."""

    def __init__(self, known: Iterable[str], first: Iterable[str] = (), second: Iterable[str] = ()) -> None:
        """`first`: the words a mask is read as when it fits one of them ("m***e" fits "merde"
        and "monde"; the strong swear words come first); `second`: the next choice when no
        `first` word fits ("a**" fits "ass" and "âne": the milder swear words)."""
        self._known = frozenset(w for w in known if w.isalpha())
        self._first = frozenset(w for w in first if w.isalpha()) & self._known
        self._second = frozenset(w for w in second if w.isalpha()) & self._known
        by_shape: dict[tuple[int, str], list[str]] = {}
        for word in sorted(self._known):
            by_shape.setdefault((len(word), word[0]), []).append(word)
        self._by_shape = by_shape
        self._longest = max(map(len, self._known), default=0)
        self._firsts = frozenset(w[0] for w in self._known)

    def __call__(self, text: str) -> str:
        """`text` (folded) with disguised known words spelled plainly, same length."""
        spaced, mixed = _shapes(text)
        stretched = any(c * 3 in text for c in _STRETCHABLE)
        if not (spaced or mixed or stretched):
            return text
        chars = list(text)
        if spaced:
            for match in _SPACED.finditer(text):
                self._put(chars, match.start(), match.end(), self._plain(match.group()[::2]))
        if mixed:
            # A word's reading depends on the word alone: a reply that repeats one ("a@b.co" a
            # thousand times) decodes it once.
            readings: dict[str, str | None] = {}
            for match in _MIXED.finditer(text):
                word = match.group()
                if text[match.end() : match.end() + 1] in _ADDRESS_NEXT:
                    continue  # "j***@mail.com" (or its masked form): a hidden address, not a word
                if word in readings:
                    plain = readings[word]
                else:
                    plain = readings[word] = self._decode(word) if self._may_be_known(word) else None
                self._put(chars, match.start(), match.end(), plain)
        if stretched:
            for match in _WORD_WITH_RUN.finditer(text):
                self._put(chars, match.start(), match.end(), self._unstretch(match.group()))
        return "".join(chars)

    def _may_be_known(self, word: str) -> bool:
        """Could `word` spell a known word: not longer than the longest (stretching aside) and
        starting as some known word of a length it could have does? Skips the decoding of codes
        and random tokens ("aZ3kQ9xP2mL7vB4n") in one set test each."""
        word = word.rstrip("!|")
        if len(word) < _SHORTEST:
            return False
        readable = all(c.isalpha() or c in _LEET or c == "*" for c in word)
        if not word or len(word) > self._longest or not readable:
            return False  # "aZ3kQ9xP2" has a 2: no letter looks like it
        return any(first in self._firsts for first in _LEET.get(word[0], (word[0],)))

    @staticmethod
    def _put(chars: list[str], start: int, end: int, word: str | None) -> None:
        if word is None:
            return
        width = end - start
        chars[start:end] = list(word.ljust(width)[:width])

    def _plain(self, word: str) -> str | None:
        word = word.casefold()
        return word if word in self._known else self._unstretch(word)

    def _unstretch(self, word: str) -> str | None:
        for keep in (r"\1", r"\1\1"):
            plain = _STRETCHED.sub(keep, word)
            if plain in self._known:
                return plain
        return None

    def _decode(self, word: str) -> str | None:
        core = word.rstrip("!|")  # "1d10t!": the last "!" ends the sentence
        if core != word:
            plain = self._decode(core) if core else None
            return None if plain is None else plain.ljust(len(core)) + word[len(core) :]
        if "*" in word:
            return self._unmask(word)
        options = [_LEET.get(c, (c,)) for c in word]
        if sum(len(o) > 1 for o in options) > 3:
            return None
        for variant in itertools.islice(itertools.product(*options), _MAX_VARIANTS):
            plain = "".join(variant)
            if plain in self._known:
                return plain
            if _has_run(plain):
                unstretched = self._unstretch(plain)
                if unstretched is not None:
                    return unstretched
        return None

    def _unmask(self, word: str) -> str | None:
        """ "m***e" -> the one known word of that length that fits every visible letter.

        A short mask that is mostly stars ("f***", "s***") is read only as a `first` word: people
        mask exactly the swear words that way. Longer ones ("p*******") are more often a hidden
        value than a word, and stay as they are."""
        if word[0] == "*":
            return None  # "***" alone: nothing left to tell a word
        mostly_stars = word.count("*") * 2 > len(word) + 1
        if mostly_stars and len(word) > _SHORT_MASK:
            return None
        pattern = re.compile("".join("." if c == "*" else re.escape(_LEET.get(c, (c,))[0]) for c in word))
        fits = [w for w in self._by_shape.get((len(word), word[0]), ()) if pattern.fullmatch(w)]
        preferred = [w for w in fits if w in self._first]
        if preferred:
            return preferred[0]  # any reading among the strong swear words is one
        if mostly_stars:
            return None
        milder = [w for w in fits if w in self._second]
        if len(milder) == 1:
            return milder[0]
        return fits[0] if len(fits) == 1 else None
