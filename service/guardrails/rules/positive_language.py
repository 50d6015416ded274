"""`positive-language` (warn): negative framing ("we cannot", "that's not possible", "not our
policy") where the seed guidelines ask for "here is what we can do"."""

from __future__ import annotations

from typing import ClassVar

from service.guardrails.rules.phrase_rule import PhraseRule
from service.models import Severity


class PositiveLanguage(PhraseRule):
    id: ClassVar[str] = "positive-language"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "positive_language.yaml"
    what: ClassVar[str] = "Negative framing"
    default_suggestion: ClassVar[str] = (
        "Say what you can do instead: 'Here is what we can do: ...', and offer the closest option."
    )
