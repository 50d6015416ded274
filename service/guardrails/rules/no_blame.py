"""`no-blame` (block): the reply must not blame the customer ("your fault", "you should have read",
"as I already told you", "user error"), in five languages.

Negation aware: entries marked `negatable` are cancelled by a negation cue a few words before them
in the same clause ("this is *not* your fault", "no es su culpa", "ce n'est pas votre faute").
Exculpations that are whole phrases ("through no fault of your own") are `exception` entries.
"""

from __future__ import annotations

from typing import ClassVar

from service.guardrails.rules.phrase_rule import PhraseRule
from service.models import Severity


class NoBlame(PhraseRule):
    id: ClassVar[str] = "no-blame"
    # Issue 12: below its block target on the development corpus (README), so it ships as warn.
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "no_blame.yaml"
    what: ClassVar[str] = "Blames the customer"
    default_suggestion: ClassVar[str] = (
        "Describe what happened and the fix without assigning fault, e.g. 'Here is what went wrong "
        "and how we will put it right.'"
    )
