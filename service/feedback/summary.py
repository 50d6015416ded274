"""The summary's arithmetic: per-day aggregate hashes in, counts, rates and quantiles out (pure).

Aggregate fields (see :mod:`service.feedback.records`): in the ``all`` hash and, prefixed with
``{value}|``, in each dimension's hash: ``n:{outcome}`` counts, ``acc`` (sent unedited), and
``dc:{bucket}`` / ``dw:{bucket}`` histograms of character and word distance. The ``span`` hash
holds ``{rule}|carried`` and ``{rule}|edited``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
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


def quantile(histogram: Mapping[int, int], q: float) -> float | None:
    """Nearest-rank quantile of a bucketed histogram, as the bucket's centre."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for b in sorted(histogram):
        seen += histogram[b]
        if seen >= rank:
            return round(b / BUCKETS, 4)
    return None  # pragma: no cover - rank <= n


def _stats(key: str | None, fields: Hash) -> GroupStats:
    outcomes = {o.value: max(0, fields.get(f"n:{o.value}", 0)) for o in Outcome}
    total = sum(outcomes.values())
    accepted = max(0, fields.get("acc", 0))
    hist: dict[str, Counter[int]] = {"dc": Counter(), "dw": Counter()}
    for name, count in fields.items():
        kind, _, b = name.partition(":")
        if kind in hist and count > 0:
            hist[kind][int(b)] += count

    def quantiles(kind: str) -> Quantiles:
        h = hist[kind]
        return Quantiles(n=sum(h.values()), median=quantile(h, 0.5), p90=quantile(h, 0.9))

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


def summarise(
    *,
    since: date,
    until: date,
    group_by: str | None,
    days: Iterable[tuple[date, Hash, Hash | None, Hash]],
) -> FeedbackSummary:
    """``days``: per day, its ``all`` hash, its group-by dimension hash (or None) and its ``span`` hash."""
    overall: dict[str, int] = {}
    by_group: dict[str, dict[str, int]] = {}
    spans: dict[str, int] = {}
    points: list[DayPoint] = []
    for day, all_fields, dim_fields, span_fields in days:
        _add(overall, all_fields)
        _add(spans, span_fields)
        key_fields: dict[str, Hash] = {"": all_fields}
        if dim_fields is not None:
            key_fields = dict(_split(dim_fields))
            for value, fields in key_fields.items():
                _add(by_group.setdefault(value, {}), fields)
        point = {
            value: [sum(max(0, f.get(f"n:{o.value}", 0)) for o in Outcome), max(0, f.get("acc", 0))]
            for value, f in key_fields.items()
        }
        point = {value: counts for value, counts in point.items() if counts[0] > 0}
        if point:
            points.append(DayPoint(day=day, groups=point))
    groups = [_stats(value, fields) for value, fields in sorted(by_group.items())]
    rules = []
    for rule, counts in sorted(_split(spans).items()):
        carried, edited = max(0, counts.get("carried", 0)), max(0, counts.get("edited", 0))
        if carried:
            rules.append(
                RuleSpans(rule=rule, carried=carried, edited_at_span=edited, rate=round(edited / carried, 4))
            )
    return FeedbackSummary(
        since=since,
        until=until,
        group_by=group_by,
        overall=_stats(None, overall),
        groups=[g for g in groups if g.total > 0],
        rules=rules,
        days=points,
    )
