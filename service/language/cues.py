"""Cue lists from the language tables, compiled to regular expressions.

A cue is one or more words written in lower case; a word ending in ``*`` matches any word that
starts with it (``frustrat*``). Cues match whole words on folded text (see :func:`fold`), and a cue
that starts or ends with a symbol ("👏", "/s") matches without a word boundary on that side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

P = TypeVar("P")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def fold(text: str) -> str:
    """Lower case with straight apostrophes, always the same length as `text` (offsets stay valid)."""
    folded = text.lower().translate(_APOSTROPHES)
    if len(folded) == len(text):
        return folded
    # A few letters grow when lower-cased ("İ"); keep those as they are so offsets still line up.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text).translate(_APOSTROPHES)


def _word(word: str) -> str:
    if word == "*":
        return r"\w+"  # any one word ("been * weeks")
    if word.endswith("*") and len(word) > 1:
        return re.escape(word[:-1]) + r"\w*"
    return re.escape(word)


def _body(cue: str) -> str:
    return r"[\s\-]+".join(_word(w) for w in cue.split())


def cue_regex(cue: str) -> str:
    body = _body(cue)
    head = r"(?<!\w)" if re.match(r"\w", cue) else ""
    tail = r"(?!\w)" if re.search(r"[\w*]$", cue) else ""
    return f"{head}{body}{tail}"


_HEAD = r"(?<!\w)"


def cue_alternation(cues: Iterable[str]) -> str:
    """The cues as one regex alternation, longest first (so "fed up" wins over "fed"); "" when empty.

    Consecutive cues that start with a word boundary share one look-behind in front of a group of
    their bodies: `(?<!\\w)(?:a|b)` matches what `(?<!\\w)a|(?<!\\w)b` matches, in the same order
    (the look-behind reads the same position for each), but tests it once per position instead of
    once per cue, which is most of the cost of a long alternation tried at every position (a
    month and week-day list: 590 → 250 µs a message, docs/decisions.md 150).
    """
    unique = sorted({c.strip().lower() for c in cues if c.strip()}, key=lambda c: (-len(c), c))
    runs: list[tuple[bool, list[str]]] = []
    for cue in unique:
        regex = cue_regex(cue)
        headed = regex.startswith(_HEAD)
        body = regex[len(_HEAD) :] if headed else regex
        if headed and runs and runs[-1][0]:
            runs[-1][1].append(body)
        else:
            runs.append((headed, [body]))
    return "|".join(f"{_HEAD}(?:{'|'.join(bodies)})" if headed else bodies[0] for headed, bodies in runs)


def compile_loose(cues: Iterable[str]) -> re.Pattern[str] | None:
    """The cues without their word boundaries; None when empty. Whatever a cue matches in a piece
    of a text, this matches in the whole text (it has no look-around or anchor that the text
    around the piece could fail), so no match in the text means no cue in any of its pieces."""
    unique = sorted({c.strip().lower() for c in cues if c.strip()}, key=lambda c: (-len(c), c))
    return re.compile("|".join(_body(c) for c in unique)) if unique else None


def compile_cues(cues: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation over `cues`, longest first; None when empty."""
    alternation = cue_alternation(cues)
    return re.compile(alternation) if alternation else None


# --- token matching -----------------------------------------------------------------------------
# Big alternations cost a regex attempt per branch at every position (190 ms for 4,000 characters
# with our feeling vocabularies). A cue set instead looks each token up in a dict: one pass.
_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s'\-]")
_PREFIX_KEY = 3


def tokens(folded: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(folded)]


class CueSet(Generic[P]):
    """Cues with a payload each, matched token by token; `find` yields (start, end, payload)."""

    def __init__(
        self, cues: Iterable[tuple[str, P]], elided: Iterable[str] = (), whole: Iterable[str] = ()
    ) -> None:
        # Elided clitics ("d'", "l'", "qu'"): a token that starts with one also matches a cue
        # word by its remainder ("d'incompétents" meets "incompétent*"), as a reader splits it.
        self._elided = tuple(sorted(set(elided), key=len, reverse=True))
        self._whole = frozenset(whole)  # "d'ailleurs": a word of its own, never split
        # Per first word: the cue's first word, matchers for the words after it, its payload.
        self._exact: dict[str, list[tuple[str, _Rest, P]]] = {}
        self._prefix: dict[str, list[tuple[str, _Rest, P]]] = {}
        for cue, payload in cues:
            marked = _cue_words(cue)
            if not marked or marked[0] == "*":
                continue
            first = marked[0]
            entry = (first, _matchers(marked[1:]), payload)
            if first.endswith("*") and len(first) > _PREFIX_KEY:
                self._prefix.setdefault(first[:_PREFIX_KEY], []).append(entry)
            else:
                self._exact.setdefault(first.rstrip("*"), []).append(entry)

    def find(self, toks: list[tuple[int, int, str]]) -> list[tuple[int, int, P]]:
        found: list[tuple[int, int, P]] = []
        count = len(toks)
        words_at = [self._forms(token) for _, _, token in toks]
        exact, prefix = self._exact, self._prefix
        for i, (start, _, _) in enumerate(toks):
            for form in words_at[i]:
                # An exact entry's first word is its key (or the key and a "*"): it matches `form`.
                for _, rest, payload in exact.get(form, ()):
                    if _rest_matches(rest, words_at, i, count):
                        found.append((start, toks[i + len(rest)][1], payload))
                if len(form) < _PREFIX_KEY:
                    continue
                for first, rest, payload in prefix.get(form[:_PREFIX_KEY], ()):
                    if form.startswith(first[:-1]) and _rest_matches(rest, words_at, i, count):
                        found.append((start, toks[i + len(rest)][1], payload))
        return found

    def _forms(self, token: str) -> tuple[str, ...]:
        """The token, and without its elided clitic when it has one ("d'incompétents")."""
        if token in self._whole:
            return (token,)
        for clitic in self._elided:
            if token.startswith(clitic) and len(token) > len(clitic):
                return (token, token[len(clitic) :])
        return (token,)


def _cue_words(cue: str) -> tuple[str, ...]:
    """The cue as token matchers: a word, a prefix ("frustrat*") or any one word ("*")."""
    words: list[str] = []
    for part in cue.lower().translate(_APOSTROPHES).split():
        if part == "*":
            words.append("*")
            continue
        pieces = _TOKEN.findall(part.rstrip("*"))
        if part.endswith("*") and pieces:
            pieces[-1] += "*"
        words.extend(pieces)
    return tuple(words)


# The words of a cue after its first, each as (stem, is_prefix, is_any): "frustrat*" is
# ("frustrat", True, False), "*" any one word, "up" ("up", False, False). Prepared once per cue so
# that `find`, which meets the cues starting with a common word at almost every token, only compares.
_Rest = tuple[tuple[str, bool, bool], ...]


def _matchers(words: tuple[str, ...]) -> _Rest:
    return tuple(
        (word[:-1], True, word == "*") if word.endswith("*") else (word, False, False) for word in words
    )


def _rest_matches(rest: _Rest, words_at: list[tuple[str, ...]], i: int, count: int) -> bool:
    """Whether the tokens after token `i` match the cue's remaining words, one form of each token
    sufficing: a word equal to a form, a prefix ("frustrat*") starting one, "*" any token."""
    if i + len(rest) >= count:
        return False
    for k, (stem, is_prefix, is_any) in enumerate(rest, start=1):
        forms = words_at[i + k]
        if is_any:
            continue  # "*": any one word ("" is a prefix of every form)
        if is_prefix:
            if not any(f.startswith(stem) for f in forms):
                return False
        elif stem not in forms:
            return False
    return True
