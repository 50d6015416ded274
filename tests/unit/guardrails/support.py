"""Helpers for the guardrail tests: contexts, threads, and reading findings back as evidence."""

from __future__ import annotations

from service.guardrails import CheckContext
from service.language.analysis import Emotion, ThreadAnalysis
from service.models import Finding, GuardrailReport, Thread


def analysis(
    emotion: Emotion = Emotion.neutral, *, urgent: bool = False, language: str = "en"
) -> ThreadAnalysis:
    return ThreadAnalysis(emotion=emotion, urgent=urgent, language=language, issue="", issue_span=None)


def context(
    emotion: Emotion = Emotion.neutral, *, urgent: bool = False, language: str = "en"
) -> CheckContext:
    return CheckContext(analysis=analysis(emotion, urgent=urgent, language=language))


CALM = context()
UPSET = context(Emotion.frustrated)


def thread(body: str, *, locale: str | None = None) -> Thread:
    return Thread.model_validate(
        {"customer": {"name": "Ana", "locale": locale}, "messages": [{"role": "customer", "body": body}]}
    )


def findings(report: GuardrailReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


def evidence(text: str, report: GuardrailReport, rule: str) -> list[str]:
    """The text each finding of `rule` points at."""
    out: list[str] = []
    for f in findings(report, rule):
        assert f.start is not None
        assert f.end is not None
        out.append(text[f.start : f.end])
    return out


def fired(report: GuardrailReport) -> set[str]:
    """Rules with a finding that counts (block or warn)."""
    return {f.rule for f in report.findings if f.severity.value != "info"}
