"""The rule registry: add a rule by writing its module and listing its class here (order = report order)."""

from __future__ import annotations

from service.guardrails.edits import Edit
from service.guardrails.rules.abuse import Abuse
from service.guardrails.rules.acknowledgement import Acknowledgement
from service.guardrails.rules.base import Hit, Rule, RuleContext
from service.guardrails.rules.language_match import LanguageMatch
from service.guardrails.rules.length import Length
from service.guardrails.rules.next_steps import NextSteps
from service.guardrails.rules.no_blame import NoBlame
from service.guardrails.rules.no_dismissive import NoDismissive
from service.guardrails.rules.off_limits import OffLimitsTopic
from service.guardrails.rules.parroting import Parroting
from service.guardrails.rules.pii import Pii
from service.guardrails.rules.placeholder import Placeholder
from service.guardrails.rules.positive_language import PositiveLanguage
from service.guardrails.rules.prompt_leak import PromptLeak
from service.guardrails.rules.restates_issue import RestatesIssue
from service.guardrails.rules.secret import Secret
from service.guardrails.rules.shouting import Shouting
from service.guardrails.rules.signature import Signature
from service.guardrails.rules.unsafe_content import UnsafeContent

RULES: tuple[type[Rule], ...] = (
    Acknowledgement,
    RestatesIssue,
    NoBlame,
    NoDismissive,
    PositiveLanguage,
    OffLimitsTopic,
    Abuse,
    UnsafeContent,
    NextSteps,
    Placeholder,
    Secret,
    Pii,
    PromptLeak,
    Parroting,
    Shouting,
    Length,
    LanguageMatch,
    Signature,
)

__all__ = ["RULES", "Edit", "Hit", "Rule", "RuleContext"]
