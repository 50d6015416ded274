"""Shared shape of the rules that look for formats rather than phrases (placeholder, secret, ...).

Patterns are data (YAML, one regex per entry), run on the normalised text, unmasked: a credential
or a `{{first_name}}` inside quotes is still sent to the customer. Each entry runs on its own
(a rejected match of one entry can never hide another entry's match at the same place); patterns
are written to start with a literal, so each scan is a fast substring search. Overlapping matches
keep the longest.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import ClassVar, NamedTuple, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import (
    PatternEntry,
    PatternLexicon,
    Sources,
    compile_pattern,
    load_rule_lexicon,
)
from service.guardrails.normalise import View
from service.guardrails.rules.base import Hit, Rule, RuleContext


class PatternHit(NamedTuple):
    """A NamedTuple, not a frozen dataclass (one object.__setattr__ per field): a reply of
    addresses or card numbers makes thousands of them."""

    start: int  # offsets in the original text
    end: int
    entry: PatternEntry


class PatternRule(Rule):
    lexicon_model: ClassVar[type[PatternLexicon]] = PatternLexicon

    def __init__(self, lexicon: PatternLexicon) -> None:
        name = self.lexicon_file or ""
        self._entries = [(entry, re.compile(compile_pattern(entry, name))) for entry in lexicon.entries]

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_lexicon(cls.lexicon_model, cls.lexicon_file or "", data, sources, cls.id))

    def accept(self, entry: PatternEntry, match: re.Match[str], doc: Document) -> tuple[int, int] | None:
        """The evidence span of a raw match (offsets in the entry's view), or None to reject it."""
        return match.span()

    @abstractmethod
    def message(self, entry: PatternEntry, start: int, end: int) -> str:
        """The finding's message: names the kind and the position, never the matched text."""

    def matches(self, doc: Document) -> list[PatternHit]:
        found: list[PatternHit] = []
        longest_run: int | None = None  # of non-space characters, measured once if an entry asks
        for entry, pattern in self._entries:
            view: View = doc.folded if entry.view == "folded" else doc.cased
            needed = entry.needed
            if needed and not any(literal in view.text for literal in needed):
                continue  # every match contains one of these literals, and none is here: skip
            if entry.min_run:
                if longest_run is None:
                    longest_run = max(map(len, doc.cased.text.split()), default=0)
                if longest_run < entry.min_run:
                    continue  # no token long enough anywhere: skip
            for match in pattern.finditer(view.text):
                span = self.accept(entry, match, doc)
                if span is not None and span[1] > span[0]:
                    start, end = view.span(*span)
                    found.append(PatternHit(start, end, entry))
        found.sort(key=lambda h: (h.start, -h.end))
        kept: list[PatternHit] = []
        for hit in found:
            if kept and hit.start < kept[-1].end:
                continue  # overlaps a longer or earlier one: same evidence, reported once
            kept.append(hit)
        return kept

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        return [
            Hit(self.message(hit.entry, hit.start, hit.end), hit.start, hit.end, hit.entry.suggestion)
            for hit in self.matches(doc)
        ]
