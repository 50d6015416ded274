"""`no-blame` (block): the reply must not blame the customer ("your fault", "you should have read",
"as I already told you", "user error"), in five languages.

Negation aware: entries marked `negatable` are cancelled by a negation cue a few words before them
in the same clause ("this is *not* your fault", "no es su culpa", "ce n'est pas votre faute").
Exculpations that are whole phrases ("through no fault of your own") are `exception` entries.
Besides the phrases, a reproach in the modal perfect is read by structure ("you should have turned
on ...", rules/reproach.py), so a verb nobody listed is still caught.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import Field

from service.guardrails.document import Document
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, load_rule_lexicon, phrase_matchers
from service.guardrails.phrases import PhraseMatcher
from service.guardrails.rules.base import Hit, RuleContext, at
from service.guardrails.rules.phrase_rule import KINDS, PhraseRule
from service.guardrails.rules.reproach import ReproachLanguage, ReproachReader
from service.models import Severity


class NoBlameLexicon(PhraseLexicon):
    reproach: dict[str, ReproachLanguage] = Field(default_factory=dict)  # language -> structure


class NoBlame(PhraseRule):
    id: ClassVar[str] = "no-blame"
    # Issue 12: below its block target on the development corpus (README), so it ships as warn.
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "no_blame.yaml"
    lexicon_model: ClassVar[type[PhraseLexicon]] = NoBlameLexicon
    what: ClassVar[str] = "Blames the customer"
    default_suggestion: ClassVar[str] = (
        "Describe what happened and the fix without assigning fault, e.g. 'Here is what went wrong "
        "and how we will put it right.'"
    )
    reproach_suggestion: ClassVar[str] = (
        "Give the step as help for next time, not as a reproach: 'To avoid this in future, you can ...'"
    )

    def __init__(self, lexicon: PhraseLexicon, matchers: dict[str, PhraseMatcher[PhraseEntry]]) -> None:
        super().__init__(lexicon, matchers)
        reproach = lexicon.reproach if isinstance(lexicon, NoBlameLexicon) else {}
        self._reproach = ReproachReader(reproach)

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        lexicon = load_rule_lexicon(NoBlameLexicon, name, data, sources, cls.id)
        return cls(lexicon, phrase_matchers(lexicon, KINDS, name))

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        hits = super().check(doc, ctx)
        for found in self._reproach.finditer(doc):
            if self._exceptions.near(doc.scan, found.start, found.end):
                continue  # "you should have read access": the lexicon's own harmless phrases
            start, end = doc.folded.span(found.start, found.end)
            if any(h.start is not None and h.start < end and start < (h.end or start) for h in hits):
                continue  # a phrase entry already reported it
            message = f"{self.what} {at(start, end)} ('{found.opener} ...')."
            hits.append(Hit(message, start, end, self.reproach_suggestion))
        return hits
