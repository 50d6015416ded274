"""`no-dismissive` (block): wording that brushes the customer off ("calm down", "it's not a big
deal", "works fine on our end", "there's no need to get upset"), in five languages.

Negation aware like no-blame, quotes masked: quoting the customer is not dismissing them.
"""

from __future__ import annotations

from typing import ClassVar

from service.guardrails.rules.phrase_rule import PhraseRule
from service.models import Severity


class NoDismissive(PhraseRule):
    id: ClassVar[str] = "no-dismissive"
    # Issue 12: below its block target on the development corpus (README), so it ships as warn.
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "no_dismissive.yaml"
    what: ClassVar[str] = "Dismisses the customer"
    default_suggestion: ClassVar[str] = (
        "Take the concern seriously: say what you checked and what you will do next."
    )
