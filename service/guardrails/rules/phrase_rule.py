"""Shared shape of the phrase rules that flag wording (no-blame, positive-language, ...).

A lexicon of `flag` phrases and of `exception` phrases; an exception overlapping a flag cancels it
("I can't imagine how stressful" is empathy, not negative framing). Matching runs on the folded
text with quotes masked: the customer's quoted words are never held against the reply.
"""

from __future__ import annotations

from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, load_rule_lexicon, phrase_matchers
from service.guardrails.phrases import PhraseHit, PhraseMatcher
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.models import Finding

KINDS = frozenset({"flag", "exception"})


class PhraseRule(Rule):
    lexicon_model: ClassVar[type[PhraseLexicon]] = PhraseLexicon
    default_suggestion: ClassVar[str]
    what: ClassVar[str]  # how a message names a hit: "Negative framing"

    def __init__(self, lexicon: PhraseLexicon, matchers: dict[str, PhraseMatcher[PhraseEntry]]) -> None:
        self._flags = matchers["flag"]
        self._exceptions = matchers["exception"]

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        lexicon = load_rule_lexicon(cls.lexicon_model, name, data, sources, cls.id)
        return cls(lexicon, phrase_matchers(lexicon, KINDS, name))

    def cancelled(self, doc: Document, hit: PhraseHit[PhraseEntry]) -> bool:
        """Context that turns a flagged phrase harmless (negation, ...); none by default."""
        return False

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        flags = list(self._flags.finditer(doc.scan))
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
            # The literal comes from our lexicon, not from the text: safe to show.
            hits.append(Hit(f"{self.what} {at(start, end)} ('{flag.literal}').", start, end, suggestion))
        return hits

    def instruction(self, finding: Finding) -> str:
        hint = f" {finding.suggestion}" if finding.suggestion else ""
        return f"Rewrite the wording {at(finding.start, finding.end)}: {self.what.lower()}.{hint}"
