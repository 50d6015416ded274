"""`positive-language` (warn): negative framing ("we cannot", "that's not possible", "not our
policy") where the seed guidelines ask for "here is what we can do".

A refusal the reply follows with what it can do instead is what the guidelines ask for, so an
`alternative` phrase anywhere in the reply's own words ("but I can move it", "lo que sí podemos
hacer", "je vous propose", "stattdessen"), not negated, clears every refusal in it.

A refusal the reply attributes to its own instructions in the same sentence ("My instructions say
I can't promise …", "Según mis directrices internas no puedo …") reports a rule rather than
refusing the customer: that is prompt-leak's finding (block), not negative framing (`reported`),
unless a consequence connector ("so", "así que", `consequence`) makes it the reply's own again.

A refusal whose own sentence goes on with a contrast ("Las gemas gastadas no se pueden
reembolsar, pero estas siguen intactas, así que las cancelo", "Não consigo devolver o sinal, mas
guardo-o", `contrast`) is the "can't …, but …" the guidelines allow: what follows the connector is
the nearest alternative. A contrast before the refusal ("I understand, but …") is not one.
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from service.guardrails.document import SCAN_OFFSET, Document
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, load_rule_lexicon, phrase_matchers
from service.guardrails.phrases import PhraseHit, PhraseMatcher
from service.guardrails.rules.base import Hit, RuleContext
from service.guardrails.rules.phrase_rule import KINDS, PhraseRule
from service.models import Severity

_KINDS = KINDS | {"alternative", "reported", "consequence", "contrast"}
_SENTENCE_END = re.compile(r"[.!?\n]")
_REPORT_REACH = 200  # characters before a refusal read for "my instructions say"
# A negation just after an alternative turns it back into a refusal ("but we can't", "mais je ne").
_NEGATED_AFTER = re.compile(r"\A\s*(?:'t|’t|n't|not|no|nicht|kein\w*|ne|pas|não|nada|nichts|nothing)\b")
_NEGATION_REACH = 16  # characters after an alternative read for a negation
_CONTRAST_WORDS = 4  # words after "but" read for something done instead of an alternative
# Words right after a contrast that report something done or the customer's own case, not what
# can be done instead: a first-person perfect, "yours", "this one is recent".
_NOT_ALTERNATIVE = frozenset(
    {"i've", "we've", "have", "he", "hemos", "habe", "haben", "ai", "avons", "yours", "este", "esta"}
    | {"tenho", "temos"}
)


class PositiveLanguage(PhraseRule):
    id: ClassVar[str] = "positive-language"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "positive_language.yaml"
    what: ClassVar[str] = "Negative framing"
    default_suggestion: ClassVar[str] = (
        "Say what you can do instead: 'Here is what we can do: ...', and offer the closest option."
    )

    def __init__(self, lexicon: PhraseLexicon, matchers: dict[str, PhraseMatcher[PhraseEntry]]) -> None:
        super().__init__(lexicon, matchers)
        self._alternatives = matchers["alternative"]
        self._reported = matchers["reported"]
        self._consequence = matchers["consequence"]
        self._contrast = matchers["contrast"]

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        lexicon = load_rule_lexicon(cls.lexicon_model, name, data, sources, cls.id)
        return cls(lexicon, phrase_matchers(lexicon, _KINDS, name))

    def _offers_alternative(self, doc: Document) -> bool:
        for hit in self._alternatives.finditer(doc.scan):
            after = doc.masked[hit.end : hit.end + _NEGATION_REACH]
            if _NEGATED_AFTER.match(after) is None:
                return True
        return False

    def _contrast_follows(self, doc: Document, hit: PhraseHit[PhraseEntry]) -> bool:
        """Does the refusal's sentence go on, after it, with a contrast connector ("…, but …")?"""
        end = _SENTENCE_END.search(doc.masked, hit.end)
        stop = end.start() if end is not None else len(doc.masked)
        for contrast in self._contrast.finditer(doc.scan[hit.end + SCAN_OFFSET : stop + SCAN_OFFSET]):
            after = doc.masked[hit.end + contrast.end : stop].split()[:_CONTRAST_WORDS]
            # "I cannot see your key, but I've raised the rate limit", "but yours is still
            # there": something done on another part of the request leaves the refusal standing.
            if _NOT_ALTERNATIVE.isdisjoint(w.strip(",.;:") for w in after):
                return True
        return False

    def cancelled(self, doc: Document, hit: PhraseHit[PhraseEntry]) -> bool:
        if super().cancelled(doc, hit) or self._contrast_follows(doc, hit):
            return True
        # The sentence up to the refusal: does it say the refusal comes from our instructions?
        lo = max(0, hit.start - _REPORT_REACH)
        ends = [m.end() for m in _SENTENCE_END.finditer(doc.masked, lo, hit.start)]
        lo = ends[-1] if ends else lo
        window = doc.scan[lo : hit.start + SCAN_OFFSET]
        reports = [r.end for r in self._reported.finditer(window)]
        # "… my instructions say I must never refund it, so that's not possible": after a
        # consequence connector the refusal is the reply's own conclusion again.
        return bool(reports) and not any(True for _ in self._consequence.finditer(window[reports[0] :]))

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        hits = super().check(doc, ctx)
        if hits and self._offers_alternative(doc):
            return []
        return hits
