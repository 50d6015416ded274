"""`off-limits-topic` (block): religion and politics stay out of support replies.

Clear references ("God bless", "vote for", a party or a politician) block; words that are usually
harmless figures of speech ("thank God", "oh my god", "government" in a tax question) carry
`cap: warn` in the lexicon and only warn. Quotes are masked: the customer may mention anything.
"""

from __future__ import annotations

from typing import ClassVar

from service.guardrails.rules.phrase_rule import PhraseRule
from service.models import Severity


class OffLimitsTopic(PhraseRule):
    id: ClassVar[str] = "off-limits-topic"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "off_limits_topic.yaml"
    what: ClassVar[str] = "Off-limits topic (religion or politics)"
    default_suggestion: ClassVar[str] = "Leave religion and politics out; keep to the customer's issue."
