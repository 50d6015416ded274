"""Shared shape of the phrase rules that flag wording (no-blame, positive-language, ...).

A lexicon of `flag` phrases and of `exception` phrases; an exception overlapping a flag cancels it
("I can't imagine how stressful" is empathy, not negative framing). Matching runs on the folded
text with quotes masked: the customer's quoted words are never held against the reply. Entries
marked `negatable` are cancelled by a negation cue up to three words before them in the same
clause ("this is NOT your fault"); an entry's `cap` limits how much its hit weighs.
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, load_rule_lexicon, phrase_matchers
from service.guardrails.phrases import PhraseHit, PhraseMatcher
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.models import Finding, Severity

KINDS = frozenset({"flag", "exception"})
_WINDOW = 60  # characters looked at before a negatable phrase
_CLAUSE_END = re.compile(r"[.,;:!?\n\x1a]")  # a negation does not reach across these


def negation_pattern(lexicon: PhraseLexicon) -> re.Pattern[str] | None:
    """A cue, then at most three more words, then the end of the window (the flagged phrase)."""
    words = sorted({w.casefold() for cues in lexicon.negation_cues.values() for w in cues})
    suffixes = sorted({s.casefold() for s in lexicon.negation_suffixes})
    alternatives = ([rf"\b(?:{'|'.join(map(re.escape, words))})"] if words else []) + [
        rf"\w+{re.escape(s)}" for s in suffixes
    ]
    if not alternatives:
        return None
    return re.compile(rf"(?:{'|'.join(alternatives)})\b(?:\s+[\w'-]+){{0,3}}\s*$")


def negated(masked: str, start: int, pattern: re.Pattern[str]) -> bool:
    """Is the phrase starting at `start` (folded offsets) negated within its clause?"""
    window = masked[max(0, start - _WINDOW) : start]
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(window)), default=0)
    return pattern.search(window, clause_start) is not None


def windowed_hits(
    matcher: PhraseMatcher[PhraseEntry], doc: Document, ctx: RuleContext
) -> list[PhraseHit[PhraseEntry]]:
    """The matcher's hits, read only where the engine's combined pass found any flag phrase."""
    if ctx.flag_windows is None:
        return list(matcher.finditer(doc.scan))
    # Every occurrence of one of our phrases overlaps a window of the combined pass (a scan skips
    # a position only inside a match it reported), so looking there finds them all.
    found: dict[tuple[int, int, str], PhraseHit[PhraseEntry]] = {}
    for start, end in ctx.flag_windows:
        for hit in matcher.near(doc.scan, start, end):
            found.setdefault((hit.start, hit.end, hit.literal), hit)
    return sorted(found.values(), key=lambda h: (h.start, h.end))


class PhraseRule(Rule):
    lexicon_model: ClassVar[type[PhraseLexicon]] = PhraseLexicon
    default_suggestion: ClassVar[str]
    what: ClassVar[str]  # how a message names a hit: "Negative framing"

    def __init__(self, lexicon: PhraseLexicon, matchers: dict[str, PhraseMatcher[PhraseEntry]]) -> None:
        self.flag_phrases = tuple(tuple(e.phrases) for e in lexicon.entries if e.kind == "flag")
        self._flags = matchers["flag"]
        self._exceptions = matchers["exception"]
        self._negated = negation_pattern(lexicon)
        if self._negated is None and any(e.negatable for e in lexicon.entries):
            raise ValueError(f"{self.id}: negatable entries need negation_cues")

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        lexicon = load_rule_lexicon(cls.lexicon_model, name, data, sources, cls.id)
        return cls(lexicon, phrase_matchers(lexicon, KINDS, name))

    def cancelled(self, doc: Document, hit: PhraseHit[PhraseEntry]) -> bool:
        """Context that turns a flagged phrase harmless: a negation before a negatable entry."""
        if not hit.entry.negatable or self._negated is None:
            return False
        return negated(doc.masked, hit.start, self._negated)

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        flags = windowed_hits(self._flags, doc, ctx)
        if not flags:
            return []
        hits: list[Hit] = []
        for flag in flags:
            if self._exceptions.near(doc.scan, flag.start, flag.end):
                continue
            if self.cancelled(doc, flag):
                continue
            start, end = doc.folded.span(flag.start, flag.end)
            suggestion = flag.entry.suggestion or self.default_suggestion
            cap = Severity(flag.entry.cap) if flag.entry.cap else None
            # The literal comes from our lexicon, not from the text: safe to show.
            message = f"{self.what} {at(start, end)} ('{flag.literal}')."
            hits.append(Hit(message, start, end, suggestion, cap))
        return hits

    def instruction(self, finding: Finding) -> str:
        hint = f" {finding.suggestion}" if finding.suggestion else ""
        return f"Rewrite the wording {at(finding.start, finding.end)}: {self.what.lower()}.{hint}"
