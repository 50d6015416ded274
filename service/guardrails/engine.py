"""The guardrail engine: load the ruleset once, then check, repair and explain replies.

`check` is a pure function of (text, context, ruleset): no I/O, nothing from the web layer or the
LLM. The ruleset version is a short sha256 of the lexicon files and of the rule list (ids and
severities), so a cache keyed on it can never serve a verdict made under other rules.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from service.guardrails.context import CheckContext, resolve
from service.guardrails.document import Document
from service.guardrails.edits import apply_edits
from service.guardrails.lexicon import Sources, parse, read_lexicon_files
from service.guardrails.phrases import PhraseMatcher
from service.guardrails.rules import RULES, Rule, RuleContext
from service.guardrails.rules.base import at
from service.models import Finding, GuardrailReport, Severity, Verdict

# Bump when matching code changes in a way the lexicon files do not show (it is hashed too).
ENGINE_REVISION = "5"  # 5: issue 12 (word-level rules, meaning-based acknowledgement)
SOURCES_FILE = "sources.yaml"


# A short reply with no finding to speak of: checked once by warm_up().
_WARM_UP_REPLY = "Hi Ana,\n\nI'm sorry about the delay. I'll check your order today.\n\nBest regards,\nSam"

_WEIGHT = {Severity.info: 0, Severity.warn: 1, Severity.block: 2}
# A reply is only ever sendable when the customer is acknowledged (see decide_status in the
# pipeline), so a missing acknowledgement is repaired and re-asked for even when an operator has
# turned the rule's severity down to `info`.
ACKNOWLEDGEMENT = "acknowledgement"
ALWAYS_REPAIRED = frozenset({ACKNOWLEDGEMENT})


def capped(severity: Severity, cap: Severity | None) -> Severity:
    """The lighter of a rule's configured severity and a hit's own cap."""
    return severity if cap is None or _WEIGHT[severity] <= _WEIGHT[cap] else cap


def verdict_of(findings: Sequence[Finding]) -> Verdict:
    severities = {f.severity for f in findings}
    if Severity.block in severities:
        return Verdict.block
    if Severity.warn in severities:
        return Verdict.warn
    return Verdict.pass_


@dataclass(frozen=True)
class _Bound:
    rule: Rule
    severity: Severity


class Guardrails:
    """A compiled ruleset. Build it with load_guardrails(); share one instance per process."""

    def __init__(self, rules: Sequence[tuple[Rule, Severity]], version: str) -> None:
        self._rules = tuple(_Bound(rule, severity) for rule, severity in rules)
        self._by_id = {b.rule.id: b.rule for b in self._rules}
        self.version = version
        # One compiled pass over the flag phrases of every rule that lists them finds where any of
        # them may be; each rule then looks only there (most replies: nowhere), not at all the text.
        groups = [(rule.id, phrases) for rule in self._by_id.values() for phrases in rule.flag_phrases]
        self._flag_pass: PhraseMatcher[str] | None = PhraseMatcher(groups) if groups else None

    @property
    def rules(self) -> dict[str, Severity]:
        """Rule id -> severity, in report order."""
        return {b.rule.id: b.severity for b in self._rules}

    def check(self, text: str, context: CheckContext | None = None) -> GuardrailReport:
        return self._check(Document.of(text), resolve(context))

    def _check(self, doc: Document, ctx: RuleContext) -> GuardrailReport:
        if self._flag_pass is not None:
            windows = tuple((hit.start, hit.end) for hit in self._flag_pass.finditer(doc.scan))
            ctx = replace(ctx, flag_windows=windows)
        findings = self._findings(doc, ctx)
        return GuardrailReport(verdict=verdict_of(findings), ruleset_version=self.version, findings=findings)

    def warm_up(self) -> None:
        """Build what every check reads, now rather than on the first request.

        Phrase tries are compiled on first use (issue 11), which suits a one-shot `tactful draft`;
        a server calls this at start-up instead, so its first request does not pay about two
        seconds of CPU and the patterns exist before the start-up objects are frozen out of the
        garbage collector's reach. One check of a short reply reaches the tries every check reads;
        the others (exceptions next to a flag, and so on) are small and still built on first need.
        """
        self.check(_WARM_UP_REPLY)

    def present(self, rule_ids: Iterable[str]) -> tuple[str, ...]:
        """The ids among ``rule_ids`` that this ruleset has (a rule may not exist in every version)."""
        return tuple(rule_id for rule_id in rule_ids if rule_id in self._by_id)

    def check_rules(self, text: str, context: CheckContext | None, rule_ids: Iterable[str]) -> list[Finding]:
        """The findings of only the rules ``rule_ids`` (configured severities and caps applied).

        For checks of part of a text as it is written (the stream's sentence-by-sentence check);
        the verdict on a whole reply always comes from :meth:`check`.
        """
        return self._findings(Document.of(text), resolve(context), frozenset(rule_ids))

    def _findings(
        self, doc: Document, ctx: RuleContext, wanted: frozenset[str] | None = None
    ) -> list[Finding]:
        """Every rule's hits (or only the ``wanted`` rules'), with configured severities and caps."""
        return [
            Finding(
                rule=bound.rule.id,
                severity=capped(bound.severity, hit.cap),
                message=hit.message,
                start=hit.start,
                end=hit.end,
                suggestion=hit.suggestion,
            )
            for bound in self._rules
            if wanted is None or bound.rule.id in wanted
            for hit in bound.rule.check(doc, ctx)
        ]

    def repair(
        self,
        text: str,
        report: GuardrailReport,
        context: CheckContext | None = None,
        *,
        stock_acknowledgement: bool = True,
    ) -> str:
        """The repaired text only; see repair_and_check."""
        return self.repair_and_check(text, report, context, stock_acknowledgement=stock_acknowledgement)[0]

    def repair_and_check(
        self,
        text: str,
        report: GuardrailReport,
        context: CheckContext | None = None,
        *,
        stock_acknowledgement: bool = True,
    ) -> tuple[str, GuardrailReport]:
        """Deterministic safe fixes, and the report of the text that comes back.

        Every rule with a finding offers its span edits (insert a missing acknowledgement after the
        greeting, lower a shouted run...); they are applied right to left in one pass, then the
        whole ruleset runs once on the result. The result is kept only if it fixes something and
        adds no blocking finding; otherwise the text and `report` come back unchanged. Repairing a
        repaired or passing text is a no-op. `report` must be the check of `text` under the same
        context (it is trusted, not recomputed); the returned report is the final one, so each
        text is checked exactly once. `stock_acknowledgement=False` (an LLM draft) leaves a missing
        acknowledgement alone: the caller re-asks the writer with the finding instead.
        """
        failed = {
            f.rule for f in report.findings if f.severity is not Severity.info or f.rule in ALWAYS_REPAIRED
        }
        if not stock_acknowledgement:
            # A stock sentence glued in front of someone else's draft reads as a form letter and
            # hides that the draft never acknowledged the customer: the writer is re-asked instead.
            failed.discard(ACKNOWLEDGEMENT)
        if not failed:
            return text, report
        ctx = resolve(context)
        doc = Document.of(text)
        edits = [edit for b in self._rules if b.rule.id in failed for edit in b.rule.fix(doc, ctx)]
        if not edits:
            return text, report
        repaired = apply_edits(text, edits)
        if repaired == text:
            return text, report
        after_report = self._check(Document.of(repaired), ctx)
        before, after = _counts(report), _counts(after_report)
        blocking_added = any(after[key] > before[key] for key in after if key[1] is Severity.block)
        improved = any(after[key] < before[key] for key in before)
        if improved and not blocking_added:
            return repaired, after_report
        return text, report

    def reask_instructions(self, report: GuardrailReport) -> list[str]:
        """One instruction per block/warn finding, pointing by rule and position only."""
        instructions: list[str] = []
        for finding in report.findings:
            if finding.severity is Severity.info and finding.rule not in ALWAYS_REPAIRED:
                continue
            rule = self._by_id.get(finding.rule)
            if rule is not None:
                instructions.append(rule.instruction(finding))
            else:
                instructions.append(f"Fix the {finding.rule} problem {at(finding.start, finding.end)}.")
        return instructions


def _counts(report: GuardrailReport) -> Counter[tuple[str, Severity]]:
    return Counter((f.rule, f.severity) for f in report.findings)


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[Rule, ...], str]:
    """Read and compile the lexicons once per process; returns the rules and the data digest."""
    files = read_lexicon_files()
    if SOURCES_FILE not in files:
        raise FileNotFoundError(f"lexicon file {SOURCES_FILE} is missing")
    sources = parse(Sources, SOURCES_FILE, files[SOURCES_FILE])
    rules = tuple(cls.load(files.get(cls.lexicon_file or ""), sources) for cls in RULES)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return rules, digest.hexdigest()


def load_guardrails(severity_overrides: Mapping[str, Severity] | None = None) -> Guardrails:
    """Load and compile the rule data once (call at start-up); check() never does I/O."""
    rules, data_digest = _compiled()
    overrides = dict(severity_overrides or {})
    unknown = set(overrides) - {rule.id for rule in rules}
    if unknown:
        raise ValueError(f"severity override for unknown rule(s): {', '.join(sorted(unknown))}")
    bound = [(rule, Severity(overrides.get(rule.id, rule.default_severity))) for rule in rules]
    ruleset = "\n".join(f"{rule.id}:{severity.value}" for rule, severity in bound)
    version = hashlib.sha256(f"{data_digest}\n{ENGINE_REVISION}\n{ruleset}".encode()).hexdigest()[:12]
    return Guardrails(bound, version)
