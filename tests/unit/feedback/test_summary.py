"""The summary's arithmetic on a known fixture of aggregate hashes."""

from __future__ import annotations

from datetime import date

from service.feedback.records import BUCKETS
from service.feedback.summary import merge_days, quantile, summarise

DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 2)


def hist(counts: dict[int, int]) -> list[int]:
    return [counts.get(b, 0) for b in range(BUCKETS + 1)]


def test_quantiles_are_nearest_rank_on_bucket_centres() -> None:
    # distances 0.0 x5, 0.1 x3, 0.5 x2 (buckets of 1/50)
    histogram = hist({0: 5, 5: 3, 25: 2})
    assert quantile(histogram, 0.5) == 0.0
    assert quantile(histogram, 0.6) == 0.1
    assert quantile(histogram, 0.9) == 0.5
    assert quantile([], 0.5) is None


def test_summary_of_two_days_grouped_by_prompt_version() -> None:
    day1_all = {"n:sent": 6, "n:edited": 3, "n:discarded": 1, "acc": 5}
    day1_dim = {"v1|n:sent": 6, "v1|n:edited": 1, "v1|acc": 5, "v2|n:edited": 2, "v2|n:discarded": 1}
    day1_span = {"no-blame|carried": 4, "no-blame|edited": 3, "acknowledgement|carried": 8}
    day2_all = {"n:sent": 1, "acc": 0}
    day2_dim = {"v2|n:sent": 1}
    # The two days' histograms, summed (the store adds up the packed counters).
    histograms = {
        None: {"dc": hist({0: 6, 5: 3, 25: 1}), "dw": hist({0: 7, 10: 3})},
        "v1": {"dc": hist({0: 5, 5: 2})},
        "v2": {"dc": hist({0: 1, 5: 1, 25: 1})},
    }
    summary = summarise(
        since=DAY1,
        until=DAY2,
        group_by="prompt_version",
        merged=merge_days(
            [(DAY1, day1_all, day1_dim, day1_span), (DAY2, day2_all, day2_dim, {"no-blame|carried": 1})],
            histograms,
        ),
    )
    overall = summary.overall
    assert overall.total == 11
    assert overall.outcomes == {"sent": 7, "edited": 3, "discarded": 1}
    assert overall.accepted == 5
    assert overall.acceptance_rate == round(5 / 11, 4)
    assert overall.edit_distance.char.n == 10
    assert overall.edit_distance.char.median == 0.0
    assert overall.edit_distance.char.p90 == 0.1
    assert overall.edit_distance.word.p90 == 0.2
    v1, v2 = summary.groups
    assert (v1.key, v1.total, v1.accepted, v1.acceptance_rate) == ("v1", 7, 5, round(5 / 7, 4))
    assert (v2.key, v2.total, v2.accepted, v2.acceptance_rate) == ("v2", 4, 0, 0.0)
    assert v2.edit_distance.char.median == 0.1
    rules = {r.rule: (r.carried, r.edited_at_span, r.rate) for r in summary.rules}
    assert rules == {"acknowledgement": (8, 0, 0.0), "no-blame": (5, 3, 0.6)}
    assert [(p.day, p.groups) for p in summary.days] == [
        (DAY1, {"v1": [7, 5], "v2": [3, 0]}),
        (DAY2, {"v2": [1, 0]}),
    ]


def test_undone_counts_never_go_negative() -> None:
    merged = merge_days([(DAY1, {"n:sent": -1, "acc": -1}, None, {})], {None: {"dc": hist({0: -1})}})
    summary = summarise(since=DAY1, until=DAY1, group_by=None, merged=merged)
    assert summary.overall.total == 0
    assert summary.overall.acceptance_rate is None
    assert summary.overall.edit_distance.char.median is None
    assert summary.days == []
