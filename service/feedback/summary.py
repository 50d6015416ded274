"""The summary's arithmetic: per-day aggregate hashes in, counts, rates and quantiles out (pure).

Aggregate fields (see :mod:`service.feedback.records`): in the ``all`` hash and, prefixed with
``{value}|``, in each dimension's hash: ``n:{outcome}`` counts and ``acc`` (sent unedited). The
``span`` hash holds ``{rule}|carried`` and ``{rule}|edited``. Histograms of character (``dc``) and
word (``dw``) distance come separately, as counts by bucket.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field

from service.feedback.records import BUCKETS, Outcome


class Quantiles(BaseModel):
    n: int = Field(description="Feedbacks with a known distance (sent, or edited with the draft text known).")
    median: float | None
    p90: float | None


class EditDistance(BaseModel):
    char: Quantiles
    word: Quantiles


class GroupStats(BaseModel):
    key: str | None = Field(description="The group's value (null for the overall figures).")
    total: int
    outcomes: dict[str, int] = Field(description="Feedbacks per outcome: sent, edited, discarded.")
    accepted: int = Field(description="Sent unedited.")
    acceptance_rate: float | None = Field(description="accepted / total; null without feedback.")
    edit_distance: EditDistance


class RuleSpans(BaseModel):
    rule: str
    carried: int = Field(description="Compared drafts that carried a finding of this rule with a span.")
    edited_at_span: int = Field(description="Of those, drafts whose agent changed text inside the span.")
    rate: float | None


class DayPoint(BaseModel):
    day: date
    groups: dict[str, list[int]] = Field(description="Per group value: [total, accepted] that day.")


class FeedbackSummary(BaseModel):
    since: date
    until: date
    group_by: str | None
    overall: GroupStats
    groups: list[GroupStats]
    rules: list[RuleSpans]
    days: list[DayPoint]


Hash = Mapping[str, int]


def quantile(histogram: Sequence[int], q: float) -> float | None:
    """Nearest-rank quantile of a histogram (counts by bucket), as the bucket's centre."""
    n = sum(c for c in histogram if c > 0)
    if n <= 0:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for b, count in enumerate(histogram):
        seen += max(0, count)
        if seen >= rank:
            return round(b / BUCKETS, 4)
    return None  # pragma: no cover - rank <= n


# Per group value (None: overall) and level ("dc" character, "dw" word): counts by bucket.
Histograms = Mapping[str | None, Mapping[str, Sequence[int]]]


def _stats(key: str | None, fields: Hash, histograms: Histograms) -> GroupStats:
    outcomes = {o.value: max(0, fields.get(f"n:{o.value}", 0)) for o in Outcome}
    total = sum(outcomes.values())
    accepted = max(0, fields.get("acc", 0))
    levels = histograms.get(key, {})

    def quantiles(level: str) -> Quantiles:
        h = levels.get(level, ())
        return Quantiles(n=sum(c for c in h if c > 0), median=quantile(h, 0.5), p90=quantile(h, 0.9))

    return GroupStats(
        key=key,
        total=total,
        outcomes=outcomes,
        accepted=accepted,
        acceptance_rate=round(accepted / total, 4) if total else None,
        edit_distance=EditDistance(char=quantiles("dc"), word=quantiles("dw")),
    )


def _split(fields: Hash) -> dict[str, dict[str, int]]:
    """``{value}|{field}`` fields of a dimension hash, by value."""
    groups: dict[str, dict[str, int]] = {}
    for name, count in fields.items():
        value, sep, field = name.rpartition("|")
        if sep:
            groups.setdefault(value, {})[field] = count
    return groups


def _add(into: dict[str, int], fields: Hash) -> None:
    for name, count in fields.items():
        into[name] = into.get(name, 0) + count


def _is_count(field: str) -> bool:
    metric = field.rpartition("|")[2]
    return metric.startswith("n:") or metric == "acc"


@dataclass(frozen=True)
class Merged:
    """The day hashes of a period summed field by field (what MERGE_SCRIPT returns), and per day the
    count fields of the group-by hash (of the ``all`` hash without a group-by)."""

    overall: Hash
    dim: Hash | None
    spans: Hash
    days: Sequence[tuple[date, Hash]]
    histograms: Histograms


def merge_days(days: Iterable[tuple[date, Hash, Hash | None, Hash]], histograms: Histograms) -> Merged:
    """Per day its ``all``, group-by (or None) and ``span`` count hashes, summed; with the period's
    histograms, already summed (see :meth:`service.feedback.store.FeedbackStore.summary`)."""
    overall: dict[str, int] = {}
    dim: dict[str, int] | None = None
    spans: dict[str, int] = {}
    points: list[tuple[date, Hash]] = []
    for day, all_fields, dim_fields, span_fields in days:
        _add(overall, all_fields)
        _add(spans, span_fields)
        if dim_fields is not None:
            dim = {} if dim is None else dim
            _add(dim, dim_fields)
        counted = dim_fields if dim_fields is not None else all_fields
        points.append((day, {k: v for k, v in counted.items() if _is_count(k)}))
    return Merged(overall, dim, spans, points, histograms)


def summarise(*, since: date, until: date, group_by: str | None, merged: Merged) -> FeedbackSummary:
    points: list[DayPoint] = []
    for day, fields in merged.days:
        by_value = _split(fields) if group_by is not None else {"": dict(fields)}
        point = {
            value: [sum(max(0, f.get(f"n:{o.value}", 0)) for o in Outcome), max(0, f.get("acc", 0))]
            for value, f in by_value.items()
        }
        point = {value: counts for value, counts in point.items() if counts[0] > 0}
        if point:
            points.append(DayPoint(day=day, groups=point))
    groups = []
    if group_by is not None and merged.dim is not None:
        groups = [_stats(v, fields, merged.histograms) for v, fields in sorted(_split(merged.dim).items())]
    rules = []
    for rule, counts in sorted(_split(merged.spans).items()):
        carried, edited = max(0, counts.get("carried", 0)), max(0, counts.get("edited", 0))
        if carried:
            rules.append(
                RuleSpans(rule=rule, carried=carried, edited_at_span=edited, rate=round(edited / carried, 4))
            )
    return FeedbackSummary(
        since=since,
        until=until,
        group_by=group_by,
        overall=_stats(None, merged.overall, merged.histograms),
        groups=[g for g in groups if g.total > 0],
        rules=rules,
        days=points,
    )
