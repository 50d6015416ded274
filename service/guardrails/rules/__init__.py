"""The rule registry: add a rule by writing its module and listing its class here (order = report order)."""

from __future__ import annotations

from service.guardrails.rules.acknowledgement import Acknowledgement
from service.guardrails.rules.base import Edit, Hit, Rule, RuleContext
from service.guardrails.rules.no_blame import NoBlame
from service.guardrails.rules.placeholder import Placeholder
from service.guardrails.rules.positive_language import PositiveLanguage
from service.guardrails.rules.secret import Secret

RULES: tuple[type[Rule], ...] = (
    Acknowledgement,
    NoBlame,
    PositiveLanguage,
    Placeholder,
    Secret,
)

__all__ = ["RULES", "Edit", "Hit", "Rule", "RuleContext"]
