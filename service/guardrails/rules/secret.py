"""`secret` (block): credentials with recognisable formats (API keys, tokens, private keys, JWTs,
"password: ..." assignments). The finding points at the secret; no message ever contains it."""

from __future__ import annotations

import re
from typing import ClassVar

from service.guardrails.document import Document
from service.guardrails.lexicon import PatternEntry
from service.guardrails.rules.base import article, at
from service.guardrails.rules.pattern_rule import PatternRule
from service.models import Finding, Severity

# Sentence punctuation after a value is not part of it; "!" and "?" often are, so they stay in.
_TRAILING = ".,;:)]}>'\""
_MASKED = re.compile(r"[*•xX.#_-]+")  # "********": already hidden, nothing to leak
_SYMBOL = re.compile(r"[^\w\s]|_")
_MIN_ASSIGNED = 6


def looks_like_credential(value: str) -> bool:
    """Tell "password: Tr0ub4dor!" from "password: please reset it" (prose after a keyword)."""
    if len(value) < _MIN_ASSIGNED or _MASKED.fullmatch(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = _SYMBOL.search(value) is not None
    mixed_case = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return has_digit or has_symbol or mixed_case


class Secret(PatternRule):
    id: ClassVar[str] = "secret"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "secret.yaml"

    def accept(self, entry: PatternEntry, match: re.Match[str], doc: Document) -> tuple[int, int] | None:
        group = f"{entry.id}__value"
        if group not in match.re.groupindex or match.group(group) is None:
            return match.span()
        start = match.start(group)
        end = start + len(match.group(group).rstrip(_TRAILING))  # "password: hunter22." ends a sentence
        if entry.check == "credential":
            text = match.string
            if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] == "_"):
                return None  # "mypassword: ..." is not the keyword
            # The pattern may run on the casefolded view: judge the value by its original spelling.
            view = doc.folded if entry.view == "folded" else doc.cased
            original = doc.original[slice(*view.span(start, end))] if end > start else ""
            if not looks_like_credential(original):
                return None
        return start, end

    def message(self, entry: PatternEntry, start: int, end: int) -> str:
        named = f"{article(entry.label)} {entry.label}"
        named = named[0].upper() + named[1:]
        return f"{named} appears {at(start, end)}; remove it: credentials never go in a reply."

    def instruction(self, finding: Finding) -> str:
        return (
            f"Remove the credential {at(finding.start, finding.end)} entirely; do not repeat, mask or "
            "paraphrase it. If the customer needs access, tell them how to create or reset it themselves."
        )
