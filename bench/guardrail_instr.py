"""Instructions per guardrail check, counted by callgrind: a figure load on the machine does not move.

``python -m bench.guardrail_instr`` runs itself under ``valgrind --tool=callgrind
--instr-atstart=no`` (with ``PYTHONHASHSEED=0``, so set and dict orders repeat), builds and warms
the ruleset as the bench does, checks every input once uninstrumented (memos filled as in a
long-running process), then counts one check of each worst-case input of bench/worst_case.py and
``--repeat`` checks of the bench's 200-character, 2 KB and 8 KB replies, switching callgrind's
instrumentation on and off around each and dumping its counters after each. An empty interval
(switching on and off around nothing) is counted too and taken off every figure.

Prints one line per input: instructions per check (millions). ``--json OUT`` writes them,
``--compare BEFORE.json`` adds the earlier figures and the change. Under valgrind a check runs
~50x slower: the whole run takes several minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.guardrails import CUSTOMER, reply_of
from bench.worst_case import WORST_CASES

EMPTY = "(empty)"
SIZES = {"200 chars": 200, "2 KB": 2048, "8 KB": 8192}
_TOTALS = re.compile(r"^(?:totals|summary):\s*(\d+)", re.MULTILINE)


def inputs() -> dict[str, str]:
    """Label -> text: the bench's replies first, then the worst-case inputs."""
    texts = {label: reply_of(size) for label, size in SIZES.items()}
    texts.update({name: make() for name, make in WORST_CASES.items()})
    return texts


def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def inner(only: list[str], repeat: int) -> None:
    """Runs under callgrind: count each input's checks in an interval of its own."""
    from service.guardrails import CheckContext, load_guardrails
    from service.language.analysis import analyse_thread
    from service.models import Thread

    guardrails = load_guardrails()
    thread = Thread.model_validate(
        {
            "customer": {"name": "Ana"},
            "agent": {"name": "Sam"},
            "messages": [{"role": "customer", "body": CUSTOMER}],
        }
    )
    context = CheckContext(thread=thread, analysis=analyse_thread(thread))
    texts = {k: v for k, v in inputs().items() if not only or k in only}
    guardrails.warm_up()
    for text in texts.values():
        guardrails.check(text, context)
    gc.collect()
    gc.freeze()  # as served (service/app.py) and as bench.guardrails measures
    gc.disable()  # a collection would land in whichever interval crossed its threshold

    intervals: list[tuple[str, int]] = []

    def counted(label: str, call: Callable[[], object], times: int) -> None:
        _control("-i", "on")
        for _ in range(times):
            call()
        _control("-i", "off")
        # callgrind_control keeps a dump's reason to plain words: the label is found by number.
        _control(f"--dump=interval{len(intervals)}")
        intervals.append((label, times))

    counted(EMPTY, lambda: None, 1)
    for label, text in texts.items():
        counted(label, partial(guardrails.check, text, context), repeat if label in SIZES else 1)
    Path(os.environ["GUARDRAIL_INSTR_LABELS"]).write_text(json.dumps(intervals))


def _read_dumps(directory: Path) -> dict[str, float]:
    """Label -> instructions per check, the empty interval taken off."""
    intervals = json.loads((directory / "labels.json").read_text())
    raw: dict[str, tuple[int, int]] = {}
    for path in sorted(directory.glob("cg.out.*")):
        content = path.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: .*?interval(\d+)$", content, re.MULTILINE)
        totals = _TOTALS.findall(content)
        if trigger is None or not totals:
            continue
        label, times = intervals[int(trigger.group(1))]
        raw[label] = (max(map(int, totals)), times)
    empty = raw.pop(EMPTY, (0, 1))[0]
    return {label: (total - empty) / times for label, (total, times) in raw.items()}


def outer(only: list[str], repeat: int, out: Path | None, compare: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="guardrail-instr-") as scratch:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={scratch}/cg.out.%p",
            sys.executable,
            "-m",
            "bench.guardrail_instr",
            "--inner",
            "--repeat",
            str(repeat),
            *(arg for name in only for arg in ("--only", name)),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0", "GUARDRAIL_INSTR_LABELS": f"{scratch}/labels.json"}
        subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)
        counts = _read_dumps(Path(scratch))
    order = [label for label in inputs() if label in counts]
    before: dict[str, float] = json.loads(compare.read_text()) if compare else {}
    print(f"{'input':<26} {'Minstr/check':>13}" + (f" {'before':>10} {'change':>8}" if before else ""))
    for label in order:
        line = f"{label:<26} {counts[label] / 1e6:>13.2f}"
        if label in before:
            change = counts[label] / before[label] - 1
            line += f" {before[label] / 1e6:>10.2f} {change:>+8.1%}"
        print(line)
    worst = [label for label in order if label not in SIZES]
    if worst:
        slowest = max(worst, key=counts.__getitem__)
        print(f"slowest worst-case input: {slowest} ({counts[slowest] / 1e6:.2f} M)")
    if out is not None:
        out.write_text(json.dumps({label: counts[label] for label in order}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.guardrail_instr", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--only", action="append", default=[], help="an input's label (repeatable)")
    parser.add_argument("--repeat", type=int, default=10, help="checks counted per bench reply size")
    parser.add_argument("--json", type=Path, help="write the counts here")
    parser.add_argument("--compare", type=Path, help="a --json file of an earlier run")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.only, args.repeat)
    else:
        outer(args.only, args.repeat, args.json, args.compare)


if __name__ == "__main__":
    main()
