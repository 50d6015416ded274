"""What every rule is: an id, a default severity, its lexicon file, a check and (optionally) a fix."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.edits import Edit
from service.guardrails.lexicon import Sources
from service.language.analysis import Emotion, ThreadAnalysis
from service.models import Finding, Severity, Thread


@dataclass(frozen=True)
class RuleContext:
    """The resolved CheckContext: analysis already computed when a thread was given."""

    analysis: ThreadAnalysis | None = None
    system_prompt: str | None = None
    prompt_parts: tuple[str, ...] = ()
    thread: Thread | None = None
    canary: str | None = None
    allowed_domains: tuple[str, ...] = ()  # link hosts allowed besides the thread's (subdomains too)
    # Set by the engine: spans (folded offsets) where one combined pass over every phrase rule's
    # flags found something. A phrase rule looks only there; None means "scan the whole text".
    flag_windows: tuple[tuple[int, int], ...] | None = None

    @property
    def upset(self) -> bool:
        """Does the customer's state raise the bar for an acknowledgement?

        Anger, frustration, worry, disappointment and urgency do; confusion alone does not: "I
        can't find my invoice" asks for a clear answer, and a courtesy plus that answer is enough.
        """
        analysis = self.analysis
        if analysis is None:
            return False
        return analysis.urgent or analysis.emotion not in (Emotion.neutral, Emotion.confused)


@dataclass(frozen=True)
class Hit:
    """A finding before the engine gives it the rule id and severity. Offsets are original ones."""

    message: str
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None
    # The most this hit may weigh (an ambiguous word only warns); the configured severity of the
    # rule still caps it from above, so an operator can always turn a rule down.
    cap: Severity | None = None


def at(start: int | None, end: int | None) -> str:
    """How messages and instructions point at evidence: by position, never by quoting it."""
    return f"at characters {start}-{end}" if start is not None and end is not None else "in the reply"


# Words read letter by letter whose first letter sounds like a vowel ("an SMS reply").
_SPELLED_WITH_VOWEL_SOUND = frozenset({"sms"})


def article(word: str) -> str:
    """The indefinite article for `word` in a message: "an email reply", "an OpenAI-style key"."""
    head = word.split(" ", 1)[0].lower()
    return "an" if head[:1] in set("aeiou") or head in _SPELLED_WITH_VOWEL_SOUND else "a"


class Rule(ABC):
    id: ClassVar[str]  # kebab-case, a stable contract (docs/api.md "Rule ids")
    default_severity: ClassVar[Severity]
    lexicon_file: ClassVar[str | None] = None
    # Phrases this rule flags, for the engine's combined pass (see RuleContext.flag_windows); a
    # rule that lists them must read its phrase hits through phrase_rule.windowed_hits.
    flag_phrases: tuple[tuple[str, ...], ...] = ()

    @classmethod
    @abstractmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        """Build the rule from its lexicon file (compile everything here, once)."""

    @abstractmethod
    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        """Pure and I/O-free: findings of this rule on `doc`."""

    def fix(self, doc: Document, ctx: RuleContext) -> list[Edit]:
        """Deterministic safe edits for this rule's findings; none by default."""
        return []

    def instruction(self, finding: Finding) -> str:
        """A re-ask instruction for the LLM; must not quote the text (it may hold secrets or PII)."""
        return f"Fix the {self.id} problem {at(finding.start, finding.end)}."
