"""Benchmark figures as rows with targets; rendered as a Markdown table and a JSON document."""

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
from typing import Any

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


def to_markdown(report: Report, machine: dict[str, Any], date: str) -> str:
    lines = [
        "# Tactful benchmark",
        "",
        f"{date} · {machine['cpu_count']} CPUs ({machine.get('cpu_model') or 'unknown CPU'}) · "
        f"Python {machine['python']} · driver on {machine['driver_loop']} · commit {machine['git_commit']}",
        "",
        f"Command: `{report.options.get('command', 'python -m bench')}`"
        + (" (quick: smaller samples, a smoke test)" if report.options.get("quick") else ""),
        "",
        "| scenario | figure | value | unit | target | result | notes |",
        "|---|---|---:|---|---|---|---|",
    ]
    for row in report.rows:
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
