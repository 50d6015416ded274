"""Phrase lexicons compiled to one regular expression per rule and kind.

Lexicon phrases are written for people: `(a|b|)` lists alternatives (the empty one makes the
group optional), a comma is optional ("ich verstehe, wie" also matches "ich verstehe wie"), and
` ... ` stands for one to four words inside the same sentence (German verb brackets: "sie hätten
... sollen"; a matcher may allow more, see PhraseMatcher's gap_words). At load time every phrase
is expanded to literals, normalised like the checked text, and the literals are merged into a
prefix trie, so the regex engine rejects most positions after one character instead of trying
hundreds of alternatives. Matches are word-boundary anchored; they are searched in a document's
scan text (document.scan_text), where every word start follows an ASCII non-word character.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Generic, TypeVar

from service.guardrails.document import SCAN_OFFSET
from service.guardrails.normalise import folded_words

E = TypeVar("E")

_GROUP = re.compile(r"\(([^()]*)\)")
_GAP = " ... "
GAP_WORDS = 4  # how many words a gap stands for, unless a matcher says otherwise
_GAP_MARK = "\x00"  # stands for a gap inside the trie (never in a literal: phrases are validated)
_MAX_EXPANSIONS = 2048
_BEFORE_WORD = r"[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # every ASCII non-word character
_LITERAL_CHARS = re.compile(r"[\w ',.-]+")  # what a phrase may contain (scan_text keeps these)


class LexiconError(ValueError):
    """A lexicon file is malformed; raised at load time, never during a check."""


def expand(phrase: str) -> list[str]:
    """All literal variants of a lexicon phrase, normalised like the checked text."""
    return list(_expanded(phrase))


@cache
def _expanded(phrase: str) -> tuple[str, ...]:
    """expand(), kept per phrase: the same phrases are expanded by several matchers at start-up
    (a rule's own flags and the engine's combined pass, next-steps' cue split), and normalising
    every variant was a third of building the ruleset (issue 11). A bad phrase raises every time
    (exceptions are not cached)."""
    template = phrase.replace(",", "(,|)")
    if "(" in _GROUP.sub("", template) or ")" in _GROUP.sub("", template):
        raise LexiconError(f"unbalanced or nested group in phrase {phrase!r}")
    pieces = _GROUP.split(template)  # literal, alternatives, literal, alternatives, ...
    choices = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(pieces)]
    variants = ["".join(combo) for combo in itertools.product(*choices)]
    if len(variants) > _MAX_EXPANSIONS:
        raise LexiconError(f"phrase {phrase!r} expands to {len(variants)} variants; split it")
    out: list[str] = []
    for variant in variants:
        literal = _canonical(variant)
        for part in literal.split(_GAP):
            if not part or not (part[0].isalnum() and part[-1].isalnum()):
                raise LexiconError(f"phrase {phrase!r} must start and end with a letter or digit")
            if not _LITERAL_CHARS.fullmatch(part):
                raise LexiconError(f"phrase {phrase!r}: only letters, digits, spaces and ' , . - allowed")
        out.append(literal)
    return tuple(out)


def _gap_re(words: int) -> str:
    """One to `words` gap words: anything but whitespace, sentence punctuation or a masked character."""
    return rf"(?:\s[^\s.!?;\x1a]+){{1,{words}}}?\s"


def _canonical(text: str) -> str:
    return folded_words(text).replace(" ... ", _GAP)


def _escape_literal(literal: str) -> str:
    return r"\s".join(re.escape(word) for word in literal.split(" "))


Trie = dict[str, "Trie"]  # char -> subtree; the key "" marks the end of a literal


def trie_regex(literals: Iterable[str], gap: str | None = None) -> str:
    """A regex matching exactly `literals` (spaces as \\s), built as a trie; see _trie_regex."""
    return _trie_regex(literals, gap)


def _trie_regex(literals: Iterable[str], gap: str | None = None) -> str:
    gap = gap or _gap_re(GAP_WORDS)

    trie: Trie = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    # Start-up cost (issue 11): the tries of a ruleset have ~400,000 nodes, most of them in the
    # single-child tails of literals. Each character's piece is escaped once, and a tail is
    # walked in a loop instead of one call per character; the regex built is the same string.
    pieces: dict[str, str] = {" ": r"\s", _GAP_MARK: gap}

    def piece(char: str) -> str:
        found = pieces.get(char)
        if found is None:
            found = pieces[char] = re.escape(char)
        return found

    def build(node: Trie) -> str:
        head: list[str] = []
        while len(node) == 1 and "" not in node:
            ((char, node),) = node.items()
            head.append(piece(char))
        branches = [piece(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return "".join(head)
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A literal that is a prefix of a longer one: try the longer one first (greedy "?").
        return "".join(head) + (f"(?:{body})?" if "" in node else body)

    return build(trie)


@dataclass(frozen=True)
class PhraseHit(Generic[E]):
    start: int  # offsets in the folded view
    end: int
    entry: E
    literal: str  # the lexicon literal that matched (never customer data: safe to show)


class PhraseMatcher(Generic[E]):
    """All phrases of one rule and kind, compiled once.

    `gap_words` is how many words a ` ... ` gap may stand for (at least one): four by default; more
    for clauses whose verb closes them a long way off (German perfect: "ich habe Ihnen heute den
    neuen Treiber per E-Mail geschickt").
    """

    def __init__(self, entries: Iterable[tuple[E, Iterable[str]]], gap_words: int = GAP_WORDS) -> None:
        self._gap_re = _gap_re(gap_words)
        self._literals: dict[str, E] = {}
        # Gap phrases as (literal, entry); their patterns are compiled with the trie (see regex).
        self._gap_literals: list[tuple[str, E]] = []
        for entry, phrases in entries:
            for phrase in phrases:
                # Expanding validates every phrase: a malformed lexicon still fails at load time.
                for literal in expand(phrase):
                    if _GAP in literal:
                        self._gap_literals.append((literal, entry))
                        continue
                    # Languages share words ("entendemos" is Spanish and Portuguese): first entry wins.
                    self._literals.setdefault(literal, entry)
        # How far a match can reach: bounds the window `near` scans (a gap word: 50 characters is
        # generous).
        self._reach = max((len(k) for k in self._literals), default=0) + 50 * gap_words * bool(
            self._gap_literals
        )

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled trie, built on first use (issue 11).

        Building and compiling the ~30 matchers of the ruleset was most of a process's start-up
        CPU, and many are only read when something else matched first (a rule's own flags after
        the engine's combined pass, exceptions next to a flag): a matcher nothing reaches is never
        compiled. Same pattern, same answers; only when it is built changes.
        """
        # Gap phrases join the trie too (the gap as one marker character), so variants that share
        # their first words cost one branch instead of one alternative each.
        trie = [*self._literals, *(literal.replace(_GAP, _GAP_MARK) for literal, _ in self._gap_literals)]
        alternatives = [_trie_regex(trie, self._gap_re)] if trie else []
        # (?!) never matches: an empty lexicon finds nothing.
        body = "|".join(alternatives) if alternatives else "(?!)"
        # A phrase starts after a non-word character. Matching that character explicitly, from an
        # ASCII set (scan_text maps other symbols to one of them), lets the regex engine skip to
        # candidate positions in C instead of trying every position: about twice as fast as \b.
        return re.compile(rf"{_BEFORE_WORD}({body})\b")

    @cached_property
    def _gaps(self) -> list[tuple[re.Pattern[str], str, E]]:
        """Each gap phrase's own pattern, to tell which one a trie match was (built on first need)."""
        return [
            (re.compile(self._gap_re.join(_escape_literal(p) for p in literal.split(_GAP))), literal, entry)
            for literal, entry in self._gap_literals
        ]

    def __len__(self) -> int:
        return len(self._literals) + len(self._gap_literals)

    def finditer(self, scan: str) -> Iterator[PhraseHit[E]]:
        """Matches in a scan_text(); offsets are those of the text it was made from."""
        for m in self.regex.finditer(scan):
            found = m.group(1)
            start, end = m.start(1) - SCAN_OFFSET, m.end(1) - SCAN_OFFSET
            key = " ".join(found.split())
            entry = self._literals.get(key)
            if entry is not None:
                yield PhraseHit(start, end, entry, key)
                continue
            for pattern, literal, gap_entry in self._gaps:
                if pattern.fullmatch(found):
                    yield PhraseHit(start, end, gap_entry, literal)
                    break

    def near(self, scan: str, start: int, end: int) -> list[PhraseHit[E]]:
        """Matches overlapping [start, end) (text offsets), scanning only a window around it.

        The window starts on a whitespace character and ends before one, so matching inside it
        behaves exactly as in the whole scan text.
        """
        lo = max(0, start + SCAN_OFFSET - self._reach)
        # The nearest space, then a line break only between it and the window: on a text without
        # line breaks, looking for one from the text's start (or to its end) at every call made a
        # reply's hits cost quadratic time (800 apologies: ~100 ms of near() per check).
        space = scan.rfind(" ", 0, lo + 1)
        lo = max(space, scan.rfind("\n", max(space, 0), lo + 1), 0)
        hi = min(len(scan), end + SCAN_OFFSET + self._reach)
        space = scan.find(" ", hi)
        stop = scan.find("\n", hi, space if space >= 0 else len(scan))
        hi = stop if stop >= 0 else space if space >= 0 else len(scan)
        # Inside the window the prefix character sits at 0, as the leading space does in `scan`:
        # a match's text offset is its window offset - SCAN_OFFSET + lo. finditer's matches,
        # filtered by position before their entry is looked up, each built once (not once in the
        # window and again shifted): the same hits, for less on a reply that asks near() per hit.
        shift = lo - SCAN_OFFSET
        hits: list[PhraseHit[E]] = []
        for m in self.regex.finditer(scan[lo:hi]):
            hit_start, hit_end = m.start(1) + shift, m.end(1) + shift
            if not (hit_start < end and start < hit_end):
                continue
            found = m.group(1)
            key = " ".join(found.split())
            entry = self._literals.get(key)
            if entry is not None:
                hits.append(PhraseHit(hit_start, hit_end, entry, key))
                continue
            for pattern, literal, gap_entry in self._gaps:
                if pattern.fullmatch(found):
                    hits.append(PhraseHit(hit_start, hit_end, gap_entry, literal))
                    break
        return hits
