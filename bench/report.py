"""Benchmark figures as rows with targets; rendered as Markdown tables and a JSON document.

A comparison row (:func:`versus`) carries Tactful's figure and the stack floor's from the same run
(and, with ``--baseline REF``, that commit's): the report shows each as a ratio to the floor and as
a difference, and the target judges one of them. Absolute figures across runs drift with the load
on the machine (1.5x within an evening on the shared development box); ratios to a floor measured
minutes apart under the same load do not.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Row:
    scenario: str
    metric: str
    value: float | None
    unit: str
    target: str = ""  # e.g. "<= 5"; empty for figures reported for context only
    passed: bool | None = None  # None: no target
    note: str = ""
    # Comparison rows only (versus()): value is Tactful's figure, these the others' in the same run.
    floor: float | None = None
    baseline: float | None = None
    compared: bool = False

    @property
    def verdict(self) -> str:
        return "" if self.passed is None else ("PASS" if self.passed else "FAIL")


def _finite(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def at_most(scenario: str, metric: str, value: float | None, unit: str, limit: float, note: str = "") -> Row:
    passed = _finite(value) and value is not None and value <= limit
    return Row(scenario, metric, value, unit, f"<= {limit:g}", passed, note)


def at_least(scenario: str, metric: str, value: float | None, unit: str, limit: float, note: str = "") -> Row:
    passed = _finite(value) and value is not None and value >= limit
    return Row(scenario, metric, value, unit, f">= {limit:g}", passed, note)


def exactly(scenario: str, metric: str, value: float | None, unit: str, wanted: float, note: str = "") -> Row:
    return Row(scenario, metric, value, unit, f"= {wanted:g}", value == wanted, note)


def info(scenario: str, metric: str, value: float | None, unit: str, note: str = "") -> Row:
    return Row(scenario, metric, value, unit, "", None, note)


Judge = Literal["difference", "ratio", "value"]


def ratio(value: float | None, floor: float | None) -> float | None:
    if not _finite(value) or not _finite(floor) or value is None or floor is None or floor == 0:
        return None
    return value / floor


def difference(value: float | None, floor: float | None) -> float | None:
    if not _finite(value) or not _finite(floor) or value is None or floor is None:
        return None
    return value - floor


def versus(
    scenario: str,
    metric: str,
    value: float | None,
    floor: float | None,
    unit: str,
    *,
    judge: Judge | None = None,
    at_most: float | None = None,
    at_least: float | None = None,
    baseline: float | None = None,
    note: str = "",
) -> Row:
    """Tactful's figure next to the stack floor's; ``judge`` says what the target limits:
    Tactful minus the floor, Tactful divided by the floor, or Tactful's own value."""
    target, passed = "", None
    if judge is not None:
        judged = {"difference": difference, "ratio": ratio}.get(judge, lambda v, _f: v)(value, floor)
        limit = at_most if at_most is not None else at_least
        if limit is None:
            raise ValueError("a judged comparison needs at_most or at_least")
        sign = "<=" if at_most is not None else ">="
        target = {
            "difference": f"{sign} floor + {limit:g} {unit}",
            "ratio": f"{sign} {limit:g} x floor",
            "value": f"{sign} {limit:g} {unit}",
        }[judge]
        passed = (
            _finite(judged) and judged is not None and (judged <= limit if sign == "<=" else judged >= limit)
        )
    return Row(scenario, metric, value, unit, target, passed, note, floor, baseline, compared=True)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # raw figures per scenario
    options: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, *rows: Row) -> None:
        self.rows.extend(rows)

    @property
    def missed_targets(self) -> list[Row]:
        return [row for row in self.rows if row.passed is False]


def _fmt(value: float | None) -> str:
    if not _finite(value) or value is None:
        return "n/a"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}"


def machine_info() -> dict[str, Any]:
    try:
        loop = f"uvloop {importlib.metadata.version('uvloop')}"
    except importlib.metadata.PackageNotFoundError:
        loop = "asyncio"
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "driver_loop": loop,
        "git_commit": _git_commit(),
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            # "-dirty" when tracked files differ from the commit: the figures are not that commit's.
            ["git", "describe", "--always", "--dirty", "--abbrev=7"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _change(row: Row) -> str:
    """Tactful against the baseline commit, in per cent of the baseline's figure."""
    if not _finite(row.value) or not _finite(row.baseline) or not row.baseline or row.value is None:
        return "n/a"
    return f"{(row.value - row.baseline) / row.baseline * 100:+.0f} %"


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _fmt_diff(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}" if abs(value) < 100 else f"{value:+.0f}"


def comparison_table(rows: list[Row], baseline_ref: str | None = None) -> list[str]:
    head = "| scenario | figure | Tactful | floor | unit | ÷ floor | − floor |"
    rule = "|---|---|---:|---:|---|---:|---:|"
    if baseline_ref is not None:
        head += f" baseline ({baseline_ref}) | baseline ÷ floor | Tactful vs baseline |"
        rule += "---:|---:|---:|"
    lines = [head + " target | result | notes |", rule + "---|---|---|"]
    for row in rows:
        line = (
            f"| {row.scenario} | {row.metric} | {_fmt(row.value)} | {_fmt(row.floor)} | {row.unit} | "
            f"{_fmt_ratio(ratio(row.value, row.floor))} | {_fmt_diff(difference(row.value, row.floor))} |"
        )
        if baseline_ref is not None:
            line += f" {_fmt(row.baseline)} | {_fmt_ratio(ratio(row.baseline, row.floor))} | {_change(row)} |"
        lines.append(line + f" {row.target} | {row.verdict} | {row.note} |")
    return lines


def to_markdown(report: Report, machine: dict[str, Any], date: str) -> str:
    setup = report.options
    workers = setup.get("workers")
    lines = [
        "# Tactful benchmark",
        "",
        f"{date} · {machine['cpu_count']} CPUs ({machine.get('cpu_model') or 'unknown CPU'}) · "
        f"Python {machine['python']} · driver on {machine['driver_loop']} · commit {machine['git_commit']}"
        + (f" · {workers} API workers (service and floor)" if workers else ""),
        "",
        f"Command: `{setup.get('command', 'python -m bench')}`"
        + (" (quick: smaller samples, a smoke test)" if setup.get("quick") else ""),
    ]
    baseline_ref = setup.get("baseline")
    if baseline_ref:
        lines += [
            "",
            f"Baseline: `{baseline_ref}` at {setup.get('baseline_commit')}, measured in the same run.",
        ]
    compared = [row for row in report.rows if row.compared]
    if compared:
        lines += [
            "",
            "## Against the stack floor",
            "",
            "The floor (bench/floor_app.py) is a bare Litestar route making the same SDK call, on the same "
            "server with the same number of workers, measured in the same run. ÷ floor: Tactful's figure "
            "divided by the floor's; − floor: the difference.",
            "",
            *comparison_table(compared, baseline_ref or None),
        ]
    lines += [
        "",
        "## All other figures" if compared else "## Figures",
        "",
        "| scenario | figure | value | unit | target | result | notes |",
        "|---|---|---:|---|---|---|---|",
    ]
    for row in report.rows:
        if row.compared:
            continue
        lines.append(
            f"| {row.scenario} | {row.metric} | {_fmt(row.value)} | {row.unit} | {row.target} | "
            f"{row.verdict} | {row.note} |"
        )
    missed = report.missed_targets
    lines += ["", f"Targets: {sum(r.passed is True for r in report.rows)} met, {len(missed)} missed."]
    if report.errors:
        lines += ["", "Errors:", *(f"- {error}" for error in report.errors)]
    return "\n".join(lines) + "\n"


def _json_safe(value: Any) -> Any:
    # JSON has no NaN: a figure that could not be measured is null.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def to_json(report: Report, machine: dict[str, Any], date: str) -> dict[str, Any]:
    document: dict[str, Any] = _json_safe(
        {
            "date": date,
            "machine": machine,
            "options": report.options,
            "rows": [asdict(row) | {"verdict": row.verdict} for row in report.rows],
            "details": report.details,
            "errors": report.errors,
        }
    )
    return document


def write(report: Report, directory: Path = RESULTS_DIR) -> tuple[str, Path, Path]:
    """Render both forms and write ``latest.md`` and ``latest.json``; returns the Markdown too."""
    date = datetime.now(UTC).isoformat(timespec="seconds")
    machine = machine_info()
    markdown = to_markdown(report, machine, date)
    directory.mkdir(parents=True, exist_ok=True)
    md_path, json_path = directory / "latest.md", directory / "latest.json"
    # Written next to the target, then renamed: a reader never sees half a file.
    for path, text in (
        (md_path, markdown),
        (json_path, json.dumps(to_json(report, machine, date), indent=2, allow_nan=False, default=str)),
    ):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        tmp.replace(path)
    return markdown, md_path, json_path
