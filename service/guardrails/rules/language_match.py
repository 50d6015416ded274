"""`language-match` (warn): the reply is written in the customer's language.

The customer's language comes from the thread analysis (options.language, else a clear reading of
their messages, else their locale). The reply's language is read offline by the same stop-word and
letter profile (service.language.analysis): no model, nothing downloaded. The rule only speaks when the
reply is long enough and clearly in one other language; quoted text is left out of the reading.
"""

from __future__ import annotations

from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import RuleData, Sources, load_rule_data
from service.guardrails.rules.base import Hit, Rule, RuleContext
from service.language.analysis import SUPPORTED_DETECTION
from service.models import Finding, Severity


class LanguageMatchData(RuleData):
    min_words: int  # shorter replies are not judged
    names: dict[str, str]  # code -> English name, for messages


class LanguageMatch(Rule):
    id: ClassVar[str] = "language-match"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "language_match.yaml"

    def __init__(self, data: LanguageMatchData) -> None:
        self._data = data

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(LanguageMatchData, cls.lexicon_file or "", data, sources, cls.id))

    def _name(self, code: str) -> str:
        return self._data.names.get(code, code)

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        analysis = ctx.analysis
        if analysis is None or analysis.language not in SUPPORTED_DETECTION:
            return []
        if not doc.has_words(self._data.min_words):
            return []
        detected, confident = doc.language
        if not confident or detected == analysis.language:
            return []
        where = "the thread's options" if analysis.language_source == "options" else "the customer"
        return [
            Hit(
                f"The reply reads as {self._name(detected)}, but {where} asks for "
                f"{self._name(analysis.language)} (language source: {analysis.language_source}).",
                suggestion=f"Write the reply in {self._name(analysis.language)}.",
            )
        ]

    def instruction(self, finding: Finding) -> str:
        return f"{finding.message} {finding.suggestion or ''}".strip()
