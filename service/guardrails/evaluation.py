"""Measuring the guardrails on labelled replies (`tactful eval [DIR]`).

A labelled set is a folder of YAML files (seeds/replies/), each a list of cases: the customer's
message the reply answers (with the channel, names and options that shape the thread), the reply,
and `expect`, the rules that should fire on it (a warn or block finding). Labels are exhaustive
within the file's optional `scope:` (a list of rule ids; without one, DEFAULT_SCOPE, as the
labelling guide says): a rule in scope
and not listed is expected to stay quiet, so a finding of it is a false positive, and a rule out of
scope is not scored at all. Per rule, and per rule and language, the evaluation counts true and
false positives and false negatives, and reports precision, recall and F1, plus the cases where the
engine and the labels disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.guardrails.context import CheckContext
from service.guardrails.engine import Guardrails
from service.models import Channel, Severity, Thread
from service.yaml_data import load_yaml

# The rules a file's labels cover when it declares no `scope:` (seeds/replies/LABELLING.md, "Scope"):
# the form rules (restates-issue, length, language-match, signature) are judged only where a file
# lists them.
DEFAULT_SCOPE = (
    "acknowledgement",
    "no-blame",
    "no-dismissive",
    "positive-language",
    "off-limits-topic",
    "abuse",
    "unsafe-content",
    "placeholder",
    "secret",
    "pii",
    "prompt-leak",
    "shouting",
    "next-steps",
)


class EvalError(ValueError):
    """A labelled file cannot be read: its name and what is wrong (never its text)."""


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    lang: str
    customer: str  # the customer's message the reply answers
    reply: str
    expect: list[str] = Field(default_factory=list)  # rules that should fire (warn or block)
    channel: Channel = Channel.email
    customer_name: str | None = "Alex"
    customer_email: str | None = None
    agent_name: str | None = "Sam"
    agent_signature: str | None = None
    subject: str | None = None
    earlier: list[str] = Field(default_factory=list)  # earlier customer messages, oldest first
    max_words: int | None = None
    language: str | None = None  # options.language
    system_prompt: str | None = None  # what the model was told (prompt-leak cases)
    allowed_domains: list[str] = Field(default_factory=list)  # the company's own link domains
    # The rules these labels cover (from the file's `scope:`); None: every rule. A rule outside it
    # is not scored on this case: the labeller did not judge it.
    scope: list[str] | None = None
    note: str | None = None  # why the case is there (a trick it tests)

    def thread(self) -> Thread:
        data: dict[str, Any] = {
            "channel": self.channel,
            "subject": self.subject,
            "customer": {"name": self.customer_name, "email": self.customer_email},
            "agent": {"name": self.agent_name, "signature": self.agent_signature},
            "messages": [{"role": "customer", "body": body} for body in [*self.earlier, self.customer]],
        }
        options = {k: v for k, v in (("max_words", self.max_words), ("language", self.language)) if v}
        if options:
            data["options"] = options
        return Thread.model_validate(data)


@dataclass
class RuleScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        fired = self.tp + self.fp
        return self.tp / fired if fired else None

    @property
    def recall(self) -> float | None:
        wanted = self.tp + self.fn
        return self.tp / wanted if wanted else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)


@dataclass(frozen=True)
class Disagreement:
    case: str
    missed: tuple[str, ...]  # expected, did not fire
    extra: tuple[str, ...]  # fired, not expected


@dataclass
class EvalResult:
    cases: int = 0
    files: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    scores: dict[str, RuleScore] = field(default_factory=dict)
    by_language: dict[str, dict[str, RuleScore]] = field(default_factory=dict)  # language -> rule -> score
    scored: set[str] = field(default_factory=set)  # rules in scope of at least one case
    disagreements: list[Disagreement] = field(default_factory=list)


# What `tactful feedback export` adds to each JSON line besides the case: where the case came from
# (outcome, draft, findings). The evaluation reads the case and leaves this for labellers.
PROVENANCE_KEY = "feedback"


def _read_items(path: Path) -> list[Any]:
    """The cases of one file: a YAML mapping with a `cases` list, or JSON Lines (one case a line)."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            return [{k: v for k, v in row.items() if k != PROVENANCE_KEY} if isinstance(row, dict) else row
                    for row in rows]  # fmt: skip
        raw = load_yaml(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise EvalError(f"{path.name}: cannot read it ({type(exc).__name__})") from exc
    items = raw.get("cases") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise EvalError(f"{path.name}: expected a mapping with a `cases` list")
    return items


def _read_scope(path: Path) -> list[str]:
    """The file-level `scope:` of a YAML file (the rules its labels cover; DEFAULT_SCOPE without one)."""
    if path.suffix == ".jsonl":
        return list(DEFAULT_SCOPE)
    raw = load_yaml(path.read_text(encoding="utf-8"))
    scope = raw.get("scope", list(DEFAULT_SCOPE)) if isinstance(raw, dict) else list(DEFAULT_SCOPE)
    if not (isinstance(scope, list) and all(isinstance(r, str) for r in scope)):
        raise EvalError(f"{path.name}: `scope` must be a list of rule ids")
    return [str(r) for r in scope]


def load_cases(directory: Path) -> list[Case]:
    """Every case of every *.yaml and *.jsonl file under `directory` (or of that one file), ids unique."""
    if directory.is_file():
        files = [directory]
    else:
        files = sorted([*directory.rglob("*.yaml"), *directory.rglob("*.jsonl")])
    if not files:
        raise EvalError(f"no *.yaml or *.jsonl files in {directory}")
    cases: list[Case] = []
    seen: set[str] = set()
    for path in files:
        items = _read_items(path)
        scope = _read_scope(path)
        for index, item in enumerate(items):
            try:
                if isinstance(item, dict) and "scope" not in item:
                    item = {**item, "scope": scope}
                case = Case.model_validate(item)
            except ValidationError as exc:
                where = "; ".join(
                    ".".join(map(str, e["loc"])) + ": " + e["msg"]
                    for e in exc.errors(include_input=False, include_url=False)
                )
                raise EvalError(f"{path.name} case {index}: {where}") from exc
            if case.id in seen:
                raise EvalError(f"{path.name}: duplicate case id {case.id!r}")
            seen.add(case.id)
            cases.append(case)
    return cases


def evaluate(guardrails: Guardrails, cases: Sequence[Case], files: int = 0) -> EvalResult:
    known = set(guardrails.rules)
    result = EvalResult(cases=len(cases), files=files, scores={rule: RuleScore() for rule in known})
    for case in cases:
        unknown = (set(case.expect) | set(case.scope or ())) - known
        if unknown:
            raise EvalError(f"case {case.id}: unknown rule(s) {sorted(unknown)}")
        result.languages[case.lang] = result.languages.get(case.lang, 0) + 1
        context = CheckContext(
            thread=case.thread(),
            system_prompt=case.system_prompt,
            allowed_domains=tuple(case.allowed_domains),
        )
        report = guardrails.check(case.reply, context)
        scored = known if case.scope is None else set(case.scope)
        result.scored |= scored
        fired = {f.rule for f in report.findings if f.severity is not Severity.info} & scored
        expected = set(case.expect) & scored
        per_language = result.by_language.setdefault(case.lang, {})
        for rule in scored:
            for score in (result.scores[rule], per_language.setdefault(rule, RuleScore())):
                if rule in fired and rule in expected:
                    score.tp += 1
                elif rule in fired:
                    score.fp += 1
                elif rule in expected:
                    score.fn += 1
        if fired != expected:
            result.disagreements.append(
                Disagreement(case.id, tuple(sorted(expected - fired)), tuple(sorted(fired - expected)))
            )
    return result


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render(result: EvalResult, rule_order: Iterable[str], *, show_disagreements: bool = True) -> str:
    languages = ", ".join(f"{lang} {n}" for lang, n in sorted(result.languages.items()))
    lines = [
        f"{result.cases} labelled replies ({languages})",
        "",
        f"{'rule':<18} {'labelled':>8} {'fired':>6} {'TP':>4} {'FP':>4} {'FN':>4} "
        f"{'precision':>9} {'recall':>7} {'F1':>6}",
    ]
    for rule in rule_order:
        s = result.scores[rule]
        lines.append(
            f"{rule:<18} {s.tp + s.fn:>8} {s.tp + s.fp:>6} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
            f"{_fmt(s.precision):>9} {_fmt(s.recall):>7} {_fmt(s.f1):>6}"
        )
    if len(result.by_language) > 1:
        lines += ["", _language_table(result, rule_order)]
    if show_disagreements and result.disagreements:
        lines += ["", f"{len(result.disagreements)} replies where the engine and the labels disagree:"]
        for d in result.disagreements:
            missed = f" missed {', '.join(d.missed)}" if d.missed else ""
            extra = f" extra {', '.join(d.extra)}" if d.extra else ""
            lines.append(f"  {d.case}:{missed}{extra}")
    return "\n".join(lines)


def _pr(score: RuleScore | None) -> str:
    """precision/recall of one cell, "-" where undefined, blank where the rule was not scored."""
    if score is None or score.tp + score.fp + score.fn == 0:
        return "."
    p, r = score.precision, score.recall
    return f"{'-' if p is None else f'{p:.2f}'}/{'-' if r is None else f'{r:.2f}'}"


def _language_table(result: EvalResult, rule_order: Iterable[str]) -> str:
    languages = sorted(result.by_language)
    lines = [
        "precision/recall per language (. = nothing labelled or fired)",
        f"{'rule':<18} " + " ".join(f"{lang:>10}" for lang in languages),
    ]
    for rule in rule_order:
        cells = [_pr(result.by_language[lang].get(rule)) for lang in languages]
        lines.append(f"{rule:<18} " + " ".join(f"{cell:>10}" for cell in cells))
    return "\n".join(lines)


def _score_json(s: RuleScore) -> dict[str, Any]:
    return {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision, "recall": s.recall, "f1": s.f1}


def as_json(result: EvalResult) -> dict[str, Any]:
    return {
        "cases": result.cases,
        "languages": result.languages,
        "rules": {rule: _score_json(s) for rule, s in result.scores.items()},
        "by_language": {
            lang: {rule: _score_json(s) for rule, s in scores.items()}
            for lang, scores in sorted(result.by_language.items())
        },
        "disagreements": [
            {"case": d.case, "missed": list(d.missed), "extra": list(d.extra)} for d in result.disagreements
        ],
    }
