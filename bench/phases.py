"""One stack under one load, and a scenario's loads by stack: the figures comparison rows are read from.

Each phase meters the CPU of the stack's whole process tree (bench/cpu.py: the supervisor's API
workers, not the pid the benchmark started) around the load, so CPU per request is what all the
API processes spent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bench.cpu import CPUMeter
from bench.load import LoadResult, RequestFn, burst, closed_loop
from bench.report import Judge, Row, versus
from bench.stacks import BASELINE, FLOOR, TACTFUL, Stack

Figure = Callable[["Phase"], float | None]


def failures_note(result: LoadResult) -> str:
    if not result.failed:
        return ""
    top = "; ".join(f"{reason} x{count}" for reason, count in result.failures.most_common(3))
    return f"{result.failed} failed: {top}"


@dataclass
class Phase:
    """One stack under one load: what the clients saw and what the server's process tree spent."""

    result: LoadResult
    cpu_ms: float | None  # CPU milliseconds per request, summed over the API worker processes

    def summary(self) -> dict[str, object]:
        return {**self.result.summary(), "cpu_ms_per_request": self.cpu_ms}


async def measured(stack: Stack, request: RequestFn, *, total: int, concurrency: int | None) -> Phase:
    """A closed loop (or, with ``concurrency`` None, a burst) with the stack's CPU metered around it."""
    cpu = CPUMeter(stack.pid)
    cpu.start()
    if concurrency is None:
        result = await burst(request, total=total)
    else:
        result = await closed_loop(request, total=total, concurrency=concurrency)
    return Phase(result, cpu.per_request_ms(result.ok + result.failed))


def merged(first: Phase, second: Phase) -> Phase:
    """Two slices of one stack's load as one phase (CPU per request weighted by requests)."""
    result = LoadResult(
        first.result.latencies_s + second.result.latencies_s,
        first.result.failures + second.result.failures,
        first.result.wall_s + second.result.wall_s,
    )
    cpu: float | None = None
    if first.cpu_ms is not None and second.cpu_ms is not None:
        requests = (first.result.ok + first.result.failed, second.result.ok + second.result.failed)
        if sum(requests) > 0:
            cpu = (first.cpu_ms * requests[0] + second.cpu_ms * requests[1]) / sum(requests)
    return Phase(result, cpu)


async def interleaved(
    stacks: list[Stack],
    request_for: Callable[[Stack], RequestFn],
    *,
    total: int,
    concurrency: int,
    rounds: int,
) -> PerStack:
    """Each stack's closed loop in ``rounds`` slices taken in turn (floor, tactful, baseline, floor...).

    The machine is shared, and its speed drifts within minutes: measured one after the other, the
    last stack would carry the drift alone. In slices, it falls on every stack alike. Request
    indices stay unique across slices (each draft of a stack is a new thread).
    """
    phases = PerStack()
    size = -(-total // max(rounds, 1))
    for offset in range(0, total, size):
        count = min(size, total - offset)
        for stack in stacks:
            request = request_for(stack)

            async def shifted(index: int, request: RequestFn = request, offset: int = offset) -> str | None:
                return await request(offset + index)

            phase = await measured(stack, shifted, total=count, concurrency=concurrency)
            previous = phases.phases.get(stack.name)
            phases.phases[stack.name] = phase if previous is None else merged(previous, phase)
    return phases


@dataclass
class PerStack:
    """A scenario's phases by stack name, read one figure at a time into comparison rows."""

    phases: dict[str, Phase] = field(default_factory=dict)

    def value(self, name: str | None, figure: Figure) -> float | None:
        phase = self.phases.get(name) if name is not None else None
        return figure(phase) if phase is not None else None

    def versus(
        self,
        scenario: str,
        metric: str,
        unit: str,
        figure: Figure,
        *,
        judge: Judge | None = None,
        at_most: float | None = None,
        at_least: float | None = None,
        note: str = "",
    ) -> Row:
        """The comparison row of one figure: Tactful's, the floor's and the baseline's phase."""
        return versus(
            scenario,
            metric,
            self.value(TACTFUL, figure),
            self.value(FLOOR, figure),
            unit,
            judge=judge,
            at_most=at_most,
            at_least=at_least,
            baseline=self.value(BASELINE, figure),
            note=note,
        )

    def details(self) -> dict[str, object]:
        return {name: phase.summary() for name, phase in self.phases.items()}


def p_ms(q: float) -> Figure:
    return lambda phase: phase.result.p_ms(q)


def cpu_ms(phase: Phase) -> float | None:
    return phase.cpu_ms


def rps(phase: Phase) -> float | None:
    return phase.result.rps


def wall_s(phase: Phase) -> float | None:
    return phase.result.wall_s


def failures(phases: PerStack) -> tuple[int, str]:
    """Failed requests of every stack, and which."""
    failed = sum(phase.result.failed for phase in phases.phases.values())
    notes = "; ".join(
        f"{name}: {failures_note(phase.result)}"
        for name, phase in phases.phases.items()
        if phase.result.failed
    )
    return failed, notes
