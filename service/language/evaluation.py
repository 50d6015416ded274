"""Score the message reader against labelled customer messages (seeds/messages/*/*.yaml).

Labels follow seeds/messages/LABELLING.md. Figures: F1 per feeling (presence, intensity ignored)
and its macro average, macro-F1 per language, F1 for "any negative feeling", register and variant
accuracy, and hit rates for the latest request (the span found overlaps the labelled one, or both
are null) and for facts (a labelled fact overlapped by a found fact of the same kind).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.language.feelings import NEGATIVE, Feeling
from service.language.understanding import read_message
from service.yaml_data import load_yaml


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, expected: bool) -> None:
        self.tp += predicted and expected
        self.fp += predicted and not expected
        self.fn += expected and not predicted

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 1.0 if denominator == 0 else 2 * self.tp / denominator


@dataclass
class MessageEvaluation:
    cases: int = 0
    per_feeling: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    per_language: dict[str, dict[str, _Counts]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(_Counts))
    )
    any_negative: _Counts = field(default_factory=_Counts)
    register_right: int = 0
    variant_right: int = 0
    request_hits: int = 0
    facts_labelled: int = 0
    facts_hit: int = 0
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        feelings = {f.value: round(self.per_feeling[f.value].f1, 3) for f in Feeling}
        languages = {
            lang: round(sum(c[f.value].f1 for f in Feeling) / len(Feeling), 3)
            for lang, c in sorted(self.per_language.items())
        }
        n = max(self.cases, 1)
        return {
            "cases": self.cases,
            "macro_f1_feelings": round(sum(feelings.values()) / len(feelings), 3),
            "any_negative_f1": round(self.any_negative.f1, 3),
            "register_accuracy": round(self.register_right / n, 3),
            "variant_accuracy": round(self.variant_right / n, 3),
            "request_hit_rate": round(self.request_hits / n, 3),
            "fact_hit_rate": round(self.facts_hit / max(self.facts_labelled, 1), 3),
            "f1_per_feeling": feelings,
            "macro_f1_per_language": languages,
        }


def load_cases(folder: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        cases.extend(data.get("cases", []))
    return cases


def _overlaps(start: int, end: int, text: str, needle: str) -> bool:
    at = text.find(needle)
    return at >= 0 and start < at + len(needle) and at < end


def evaluate_messages(folder: Path) -> MessageEvaluation:
    result = MessageEvaluation()
    for case in load_cases(folder):
        text: str = case["text"]
        reading = read_message(text, locale=case.get("locale"))
        lang = case.get("lang", "?")
        result.cases += 1
        found = {r.feeling.value for r in reading.feelings}
        expected = set((case.get("feelings") or {}).keys())
        for feeling in Feeling:
            hit, want = feeling.value in found, feeling.value in expected
            result.per_feeling[feeling.value].add(hit, want)
            result.per_language[lang][feeling.value].add(hit, want)
        negatives = {f.value for f in NEGATIVE}
        result.any_negative.add(bool(found & negatives), bool(expected & negatives))
        result.register_right += reading.register.value == case.get("register", "unknown")
        result.variant_right += reading.variant == case.get("variant")
        wanted_request = case.get("request")
        if wanted_request is None:
            result.request_hits += reading.request is None
        elif reading.request is not None:
            result.request_hits += _overlaps(reading.request.start, reading.request.end, text, wanted_request)
        for fact in case.get("facts") or []:
            result.facts_labelled += 1
            result.facts_hit += any(
                f.kind == fact["kind"] and _overlaps(f.start, f.end, text, fact["text"])
                for f in reading.facts
            )
        if found != expected or reading.register.value != case.get("register"):
            result.mistakes.append(
                {
                    "id": case.get("id"),
                    "missed": sorted(expected - found),
                    "extra": sorted(found - expected),
                    "evidence": {r.feeling.value: [e.text for e in r.evidence] for r in reading.feelings},
                    "register": [reading.register.value, case.get("register")],
                    "variant": [reading.variant, case.get("variant")],
                }
            )
    return result


def render_messages(result: MessageEvaluation, *, show_mistakes: bool = False) -> str:
    summary = result.summary()
    lines = [
        f"cases: {summary['cases']}",
        f"any negative feeling F1: {summary['any_negative_f1']:.3f}",
        f"macro-F1 over feelings:  {summary['macro_f1_feelings']:.3f}",
        f"register accuracy:       {summary['register_accuracy']:.3f}",
        f"variant accuracy:        {summary['variant_accuracy']:.3f}",
        f"request hit rate:        {summary['request_hit_rate']:.3f}",
        f"fact hit rate:           {summary['fact_hit_rate']:.3f}",
        "",
        "feeling          F1     tp   fp   fn",
    ]
    for feeling in Feeling:
        counts = result.per_feeling[feeling.value]
        lines.append(f"{feeling.value:<15} {counts.f1:.3f} {counts.tp:5d} {counts.fp:4d} {counts.fn:4d}")
    lines += ["", "language  macro-F1"]
    lines += [f"{lang:<9} {f1:.3f}" for lang, f1 in summary["macro_f1_per_language"].items()]
    if show_mistakes:
        lines += ["", "read differently (id: missed / extra; register found/labelled):"]
        for m in result.mistakes:
            lines.append(
                f"  {m['id']}: -{','.join(m['missed']) or '0'} +{','.join(m['extra']) or '0'}"
                f"; register {m['register'][0]}/{m['register'][1]}"
            )
    return "\n".join(lines)
