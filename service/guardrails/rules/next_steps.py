"""`next-steps` (warn): the reply tells the customer what happens next or what to do.

Present when the reply (outside quotes) has a cue from the lexicon: a commitment ("I'll", "we
will", "te escribiré"), an instruction ("please", "you can", "go to", "klicken Sie"), a time frame
("within 24 hours", "by Friday"), a follow-up promise ("I'll keep you posted") or a numbered list
of steps. The finding points at the customer's issue that asked for an answer.
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, load_rule_lexicon, phrase_matchers
from service.guardrails.phrases import PhraseMatcher
from service.guardrails.rules.base import Hit, Rule, RuleContext
from service.guardrails.rules.presence import obligation
from service.models import Finding, Severity

_KINDS = frozenset({"cue"})


class NextStepsLexicon(PhraseLexicon):
    # Verbs that give an instruction when they open a sentence or a clause ("Open Reports, then
    # click Export"); written in lower case, matched on the folded text.
    imperatives: dict[str, list[str]]


_NUMBERED_STEP = re.compile(r"(?m)^[ \t]*(?:\d{1,2}[.)]|step \d|paso \d|schritt \d|étape \d|passo \d)\s")


class NextSteps(Rule):
    id: ClassVar[str] = "next-steps"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "next_steps.yaml"

    def __init__(self, cues: PhraseMatcher[PhraseEntry], imperative: re.Pattern[str]) -> None:
        self._cues = cues
        self._imperative = imperative

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        lexicon = load_rule_lexicon(NextStepsLexicon, name, data, sources, cls.id)
        assert isinstance(lexicon, NextStepsLexicon)  # the TypeVar is constrained to the base class
        verbs = sorted(
            {v.casefold() for vs in lexicon.imperatives.values() for v in vs}, key=len, reverse=True
        )
        imperative = re.compile(
            # After a sentence or clause start; MASK (an emoji, a symbol) may stand in between.
            rf"(?:^|[.!?:;,]\s|\n|\b(?:then|and|y|und|et|e|luego|dann|puis|depois)\s)[\s\x1a]*"
            rf"(?:{'|'.join(map(re.escape, verbs))})\b"
        )
        return cls(phrase_matchers(lexicon, _KINDS, name)["cue"], imperative)

    def present(self, doc: Document) -> bool:
        return (
            self._cues.regex.search(doc.scan) is not None
            or _NUMBERED_STEP.search(doc.masked) is not None
            or self._imperative.search(doc.scan) is not None
        )

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        if self.present(doc):
            return []
        return [
            Hit(
                "The reply gives no next step" + obligation(ctx) + ": say what you will do, by when, "
                "or what the customer can do now.",
                suggestion="Add what happens next, e.g. 'I'll check this today and write back by 5 pm.'",
            )
        ]

    def instruction(self, finding: Finding) -> str:
        return (
            "Give the customer a clear next step: what you will do and when, or what they can do "
            "now, and how you will keep them informed."
        )
