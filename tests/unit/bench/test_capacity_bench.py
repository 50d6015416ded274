"""The capacity scenario judges each stack's median burst, not whichever burst came last."""

from __future__ import annotations

from collections import Counter

from bench.load import LoadResult
from bench.phases import Phase
from bench.scenarios import _median_burst


def _burst(wall_s: float, latencies_s: list[float], cpu_ms: float, failed: int = 0) -> Phase:
    return Phase(LoadResult(latencies_s, Counter({"HTTP 500": failed} if failed else {}), wall_s), cpu_ms)


def test_a_stacks_bursts_give_the_median_wall_and_every_request() -> None:
    stalled = _burst(5.9, [2.1, 5.8], 14.0, failed=1)
    bursts = [_burst(2.4, [2.0, 2.3], 10.0), stalled, _burst(2.6, [2.2], 12.0)]
    phase = _median_burst(bursts)
    assert phase.result.wall_s == 2.6  # one stalled burst (5.9 s) does not decide the figure
    assert sorted(phase.result.latencies_s) == [2.0, 2.1, 2.2, 2.3, 5.8]
    assert phase.result.failed == 1
    assert phase.cpu_ms is not None
    assert 10.0 < phase.cpu_ms < 14.0  # weighted by requests over all bursts


def test_one_burst_is_its_own_median() -> None:
    assert _median_burst([_burst(3.1, [3.0], 9.0)]).result.wall_s == 3.1
