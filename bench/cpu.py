"""CPU time of a server's whole process tree, read from ``/proc`` (Linux; elsewhere figures are None).

``tactful serve --workers N`` (and the stack floor, which runs under the same supervisor) is a
parent that only waits plus N API processes that do the work, so the CPU a request costs is the
sum over the tree, not the CPU of the pid the benchmark started. The tree is walked at the start
and at the end of a phase; a worker that died in between is still counted, because its parent
reaped it and the kernel adds a reaped child's CPU to the parent's ``cutime``/``cstime``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcStat:
    pid: int
    ppid: int
    cpu_s: float  # utime + stime
    reaped_children_s: float  # cutime + cstime: CPU of children that ended and were waited for


def _read_stat(pid: int) -> ProcStat | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields follow the last ")".
    fields = raw.rpartition(")")[2].split()
    try:
        tick = os.sysconf("SC_CLK_TCK")
        # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
        return ProcStat(
            pid=pid,
            ppid=int(fields[1]),
            cpu_s=(int(fields[11]) + int(fields[12])) / tick,
            reaped_children_s=(int(fields[13]) + int(fields[14])) / tick,
        )
    except (ValueError, IndexError):
        return None


def process_tree(root: int) -> dict[int, ProcStat]:
    """The stat of ``root`` and of every live descendant, by pid; empty when ``root`` is gone."""
    top = _read_stat(root)
    if top is None:
        return {}
    children: dict[int, list[ProcStat]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read_stat(int(entry.name))
            if stat is not None:
                children.setdefault(stat.ppid, []).append(stat)
    tree, todo = {root: top}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child.pid not in tree:
                tree[child.pid] = child
                todo.append(child.pid)
    return tree


def tree_cpu_s(root: int) -> float | None:
    """CPU seconds used so far by ``root``'s tree: the live processes and the children they reaped."""
    tree = process_tree(root)
    if not tree:
        return None
    return sum(stat.cpu_s + stat.reaped_children_s for stat in tree.values())


def serving_processes(root: int) -> int:
    """How many processes of the tree serve requests: the workers, or the root when it has none.

    Python's spawn start method adds a ``resource_tracker`` child that serves nothing; it is left out.
    """
    workers = 0
    for pid in process_tree(root):
        if pid == root:
            continue
        try:
            cmdline = (PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            workers += 1
    return max(workers, 1) if PROC.joinpath(str(root)).exists() else 0


class CPUMeter:
    """CPU milliseconds per request a server's process tree spends between start() and per_request_ms()."""

    def __init__(self, pid: int | None) -> None:
        self._pid = pid
        self._started: float | None = None

    def _now(self) -> float | None:
        return tree_cpu_s(self._pid) if self._pid is not None else None

    def start(self) -> None:
        self._started = self._now()

    def per_request_ms(self, requests: int) -> float | None:
        now = self._now()
        if now is None or self._started is None or requests <= 0:
            return None
        return (now - self._started) * 1000 / requests
