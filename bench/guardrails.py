"""Guardrail check time, in process: the full ruleset on 200-character, 2 KB and 8 KB replies, on
the slowest of the adversarial inputs of bench/worst_case.py (20,000 characters: the check limit),
and the labelled eval set (seeds/replies) in replies per second.

Runs on one core (the process is pinned to one CPU while it measures, where the OS allows it),
with the thread analysis computed beforehand as the pipeline does, so the figures are the check
itself. Each size also reports its baseline from the same run: normalising the text alone (the
one step every check must take), so the ratio says what the fifteen rules add on top.

``python -m bench.guardrails [--quick]`` prints just these rows; ``make bench`` includes them.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from bench.load import percentile
from bench.report import Report, at_most, info
from bench.worst_case import MAX_CHARS, WORST_CASES
from service.guardrails import CheckContext, Guardrails, load_guardrails
from service.guardrails.document import Document
from service.guardrails.evaluation import load_cases
from service.language.analysis import analyse_thread
from service.models import Thread

SCENARIO = "guardrails"
REPLIES_DIR = Path(__file__).resolve().parent.parent / "seeds" / "replies"
TARGET_2KB_P99_MS = 1.5  # issue 12: full ruleset, 2 KB reply, CPU p99
TARGET_WORST_MS = 50.0  # issue 12: the slowest input within the check limit (20,000 characters)
WORST_RUNS = 20

CUSTOMER = (
    "Hi, my payroll export failed again this morning, right before the deadline. I've tried twice "
    "and the payslips are still missing. This is really frustrating, please help today."
)
# A realistic reply: greeting, acknowledgement, restated issue, steps with numbers and a link,
# a follow-up promise and a sign-off. Repeated paragraphs make the longer sizes.
OPENING = (
    "Hi Ana,\n\nI'm so sorry your payroll export failed again before the deadline; I've restarted it "
    "now. I understand how stressful this is. "
)
PARAGRAPH = (
    "I looked into your account and found the export job stalled at 09:42 because a report template "
    "was still locked by an earlier run. I released the lock and restarted the export, and the "
    "payslips for March are now in Reports > Payroll. If anything still looks wrong, open the job "
    "history and click Retry; it takes about two minutes. I'll keep an eye on tomorrow's run too. "
)
CLOSING = "\n\nBest regards,\nSam\nPayroll Support"


def reply_of(size: int) -> str:
    """A reply of exactly `size` characters (sign-off included)."""
    body_size = size - len(CLOSING)
    body = OPENING + PARAGRAPH * (body_size // len(PARAGRAPH) + 2)
    body = body[:body_size].rsplit(" ", 1)[0].ljust(body_size, ".")
    return body + CLOSING


@contextlib.contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU while measuring; says which (or why not)."""
    getter = getattr(os, "sched_getaffinity", None)
    setter = getattr(os, "sched_setaffinity", None)
    if getter is None or setter is None:
        yield "not pinned (no sched_setaffinity here)"
        return
    before = getter(0)
    core = max(before)
    setter(0, {core})
    try:
        yield f"pinned to CPU {core}"
    finally:
        setter(0, before)


@contextlib.contextmanager
def frozen_start_up(guardrails: Guardrails) -> Iterator[None]:
    """Measure the check as a server runs it: the ruleset warmed up and every object alive at that
    point frozen out of the collector's reach, as the API's lifespan does (service/app.py).

    Unfrozen, a full collection walks the ~60,000 objects the ruleset holds (~15-30 ms) and
    lands inside one of the few worst-case checks, which decided their p99; the served process
    never pays that walk. Unfrozen when done: the bench driver goes on to other scenarios.
    """
    guardrails.warm_up()
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def timed_ms(call: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """(wall, CPU) milliseconds of each call, after a short warm-up with GC collected first.

    CPU time is this thread's own (CLOCK_THREAD_CPUTIME_ID): what the check costs, whatever else
    the machine runs. Wall time adds waiting for the core, which other processes decide.
    """
    for _ in range(min(50, runs)):
        call()
    gc.collect()
    wall: list[float] = []
    cpu: list[float] = []
    clock, cpu_clock = time.perf_counter, time.thread_time
    for _ in range(runs):
        started, cpu_started = clock(), cpu_clock()
        call()
        cpu.append((cpu_clock() - cpu_started) * 1000)
        wall.append((clock() - started) * 1000)
    return wall, cpu


def eval_contexts() -> list[tuple[str, CheckContext]]:
    cases = load_cases(REPLIES_DIR)
    out: list[tuple[str, CheckContext]] = []
    for case in cases:
        thread = case.thread()
        out.append(
            (
                case.reply,
                CheckContext(
                    thread=thread, analysis=analyse_thread(thread), system_prompt=case.system_prompt
                ),
            )
        )
    return out


def measure(report: Report, guardrails: Guardrails, runs: int, eval_rounds: int) -> None:
    thread = Thread.model_validate(
        {
            "customer": {"name": "Ana"},
            "agent": {"name": "Sam"},
            "messages": [{"role": "customer", "body": CUSTOMER}],
        }
    )
    context = CheckContext(thread=thread, analysis=analyse_thread(thread))
    details: dict[str, object] = {"rules": len(guardrails.rules), "ruleset": guardrails.version}
    details["gc"] = "start-up objects frozen, as served (service/app.py)"
    with one_core() as pinning, frozen_start_up(guardrails):
        details["cpu"] = pinning
        for size, label in ((200, "200 chars"), (2048, "2 KB"), (8192, "8 KB")):
            text = reply_of(size)
            first = guardrails.check(text, context)
            wall, cpu = timed_ms(partial(guardrails.check, text, context), runs)
            base = percentile(timed_ms(partial(Document.of, text), runs)[1], 50)
            cpu50, cpu99 = percentile(cpu, 50), percentile(cpu, 99)
            note = f"verdict {first.verdict.value}; normalising alone {base:.3f} ms CPU (x{cpu50 / base:.1f})"
            report.add(info(SCENARIO, f"full ruleset CPU p50, {label} reply", cpu50, "ms", note))
            if size == 2048:
                report.add(
                    at_most(
                        SCENARIO,
                        f"full ruleset CPU p99, {label} reply",
                        cpu99,
                        "ms",
                        TARGET_2KB_P99_MS,
                        pinning,
                    )
                )
            else:
                report.add(info(SCENARIO, f"full ruleset CPU p99, {label} reply", cpu99, "ms"))
            wall50, wall99 = percentile(wall, 50), percentile(wall, 99)
            report.add(
                info(
                    SCENARIO,
                    f"full ruleset wall p50 / p99, {label} reply",
                    wall50,
                    "ms",
                    f"p99 {wall99:.2f} ms: wall time includes waiting for the core",
                )
            )
            details[label] = {
                "cpu_p50": cpu50,
                "cpu_p99": cpu99,
                "wall_p50": wall50,
                "wall_p99": wall99,
                "normalise_cpu_p50": base,
                "runs": runs,
            }
        worst: dict[str, float] = {}
        for name, make in WORST_CASES.items():
            text = make()
            worst[name] = percentile(timed_ms(partial(guardrails.check, text, context), WORST_RUNS)[1], 99)
        slowest = max(worst, key=worst.__getitem__)
        report.add(
            at_most(
                SCENARIO,
                f"full ruleset CPU p99, worst-case input ({MAX_CHARS:,} chars)",
                worst[slowest],
                "ms",
                TARGET_WORST_MS,
                f"slowest of {len(worst)} adversarial inputs: {slowest}",
            )
        )
        details["worst_case"] = worst
        labelled = eval_contexts()
        for reply, ctx in labelled:  # warm-up: memos filled as in a long-running process
            guardrails.check(reply, ctx)
        gc.collect()
        started = time.perf_counter()
        for _ in range(eval_rounds):
            for reply, ctx in labelled:
                guardrails.check(reply, ctx)
        elapsed = time.perf_counter() - started
    rate = eval_rounds * len(labelled) / elapsed
    report.add(
        info(
            SCENARIO,
            "eval set replies checked per second",
            rate,
            "replies/s",
            f"{len(labelled)} labelled replies x {eval_rounds}",
        )
    )
    details["eval"] = {"replies": len(labelled), "rounds": eval_rounds, "seconds": elapsed}
    report.details[SCENARIO] = details


def main() -> None:
    from bench.report import machine_info, to_markdown

    parser = argparse.ArgumentParser(prog="python -m bench.guardrails", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples: a smoke test")
    args = parser.parse_args()
    report = Report(options={"command": "python -m bench.guardrails", "quick": args.quick})
    measure(report, load_guardrails(), runs=300 if args.quick else 3000, eval_rounds=2 if args.quick else 10)
    print(to_markdown(report, machine_info(), time.strftime("%Y-%m-%dT%H:%M:%S%z")))


if __name__ == "__main__":
    main()
