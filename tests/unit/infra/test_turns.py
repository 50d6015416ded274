"""CPU steps take turns: one per pass of the event loop, with other work read in between."""

from __future__ import annotations

import asyncio
import threading

import pytest

from service.infra.turns import CpuTurns


async def test_steps_run_one_per_pass_with_other_tasks_in_between() -> None:
    turns = CpuTurns()
    ran: list[str] = []

    def step(i: int) -> int:
        ran.append("s")
        return i

    async def other_task() -> None:  # stands for a Redis reply or LLM bytes waiting to be read
        for _ in range(60):
            ran.append("o")
            await asyncio.sleep(0)

    results = await asyncio.gather(other_task(), *(turns.run(step, i) for i in range(20)))

    assert results[1:] == list(range(20))
    sequence = "".join(ran)
    assert sequence.count("s") == 20
    assert "ss" not in sequence  # never two steps in one pass of the loop


async def test_more_steps_per_pass_when_asked() -> None:
    turns = CpuTurns(per_pass=3)
    ran: list[str] = []

    async def other_task() -> None:
        for _ in range(40):
            ran.append("o")
            await asyncio.sleep(0)

    await asyncio.gather(other_task(), *(turns.run(ran.append, "s") for _ in range(12)))

    assert "ssss" not in "".join(ran)


async def test_a_thread_step_runs_off_the_loop_and_returns_its_value() -> None:
    loop_thread = threading.get_ident()
    assert await CpuTurns().run_in_thread(threading.get_ident) != loop_thread


def test_each_event_loop_gets_its_own_turns() -> None:
    turns = CpuTurns()

    async def burst() -> list[int]:
        return list(await asyncio.gather(*(turns.run(int, n) for n in range(5))))

    assert asyncio.run(burst()) == asyncio.run(burst()) == [0, 1, 2, 3, 4]


def test_at_least_one_step_per_pass() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CpuTurns(per_pass=0)
