"""`no-blame` (block): the reply must not blame the customer ("your fault", "you should have read",
"as I already told you", "user error"), in five languages.

Negation aware: entries marked `negatable` are cancelled by a negation cue a few words before them
in the same clause ("this is *not* your fault", "no es su culpa", "ce n'est pas votre faute").
Exculpations that are whole phrases ("through no fault of your own") are `exception` entries.
"""

from __future__ import annotations

import re
from typing import ClassVar

from service.guardrails.document import Document
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon
from service.guardrails.phrases import PhraseHit, PhraseMatcher
from service.guardrails.rules.phrase_rule import PhraseRule
from service.models import Severity

_WINDOW = 60  # characters looked at before a negatable phrase
_CLAUSE_END = re.compile(r"[.,;:!?\n\x1a]")  # a negation does not reach across these


class NoBlameLexicon(PhraseLexicon):
    negation_cues: dict[str, list[str]]  # language -> words that negate what follows
    negation_suffixes: list[str]  # word endings that negate ("n't")


class NoBlame(PhraseRule):
    id: ClassVar[str] = "no-blame"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "no_blame.yaml"
    lexicon_model: ClassVar[type[PhraseLexicon]] = NoBlameLexicon
    what: ClassVar[str] = "Blames the customer"
    default_suggestion: ClassVar[str] = (
        "Describe what happened and the fix without assigning fault, e.g. 'Here is what went wrong "
        "and how we will put it right.'"
    )

    def __init__(self, lexicon: PhraseLexicon, matchers: dict[str, PhraseMatcher[PhraseEntry]]) -> None:
        super().__init__(lexicon, matchers)
        if not isinstance(lexicon, NoBlameLexicon):
            raise TypeError("no-blame needs a NoBlameLexicon")
        words = sorted({w.casefold() for cues in lexicon.negation_cues.values() for w in cues})
        suffixes = sorted({s.casefold() for s in lexicon.negation_suffixes})
        cue = "|".join(
            [rf"\b(?:{'|'.join(map(re.escape, words))})"] + [rf"\w+{re.escape(s)}" for s in suffixes]
        )
        # A cue, then at most three more words, then the end of the window (the blamed phrase).
        self._negated = re.compile(rf"(?:{cue})\b(?:\s+[\w'-]+){{0,3}}\s*$")

    def cancelled(self, doc: Document, hit: PhraseHit[PhraseEntry]) -> bool:
        if not hit.entry.negatable:
            return False
        window = doc.masked[max(0, hit.start - _WINDOW) : hit.start]
        clause_start = max((m.end() for m in _CLAUSE_END.finditer(window)), default=0)
        return self._negated.search(window, clause_start) is not None
