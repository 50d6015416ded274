"""CPU per request sums a server's whole process tree: the supervisor's API workers, not one pid."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.cpu import CPUMeter, process_tree, serving_processes, tree_cpu_s

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

# A parent that only waits, with two children that burn CPU: the shape of `tactful serve --workers 2`.
SUPERVISOR = """
import subprocess, sys
burn = (
    "import time\\nend = time.process_time() + 0.3\\n"
    "while time.process_time() < end: pass\\ntime.sleep(30)"
)
children = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(2)]
print("started", flush=True)
for child in children:
    child.wait()
"""


@pytest.mark.slow  # three interpreters and 0.6 s of CPU
def test_the_tree_of_a_supervisor_holds_its_workers_and_sums_their_cpu() -> None:
    parent = subprocess.Popen([sys.executable, "-c", SUPERVISOR], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == b"started\n"
        meter = CPUMeter(parent.pid)
        meter.start()
        deadline = time.monotonic() + 20
        while (tree_cpu_s(parent.pid) or 0) < 0.55 and time.monotonic() < deadline:
            time.sleep(0.05)
        tree = process_tree(parent.pid)
        assert len(tree) == 3
        assert parent.pid in tree
        assert serving_processes(parent.pid) == 2
        # Both children's 0.3 s, though the parent itself spent almost nothing.
        per_request = meter.per_request_ms(1)
        assert per_request is not None
        assert per_request >= 450
        assert tree[parent.pid].cpu_s < 0.3
    finally:
        for pid in process_tree(parent.pid):
            if pid != parent.pid:
                subprocess.run(["kill", str(pid)], check=False)
        parent.wait(timeout=10)


def test_a_server_without_workers_serves_itself_and_a_gone_one_reads_none() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert serving_processes(child.pid) == 1
        assert process_tree(child.pid).keys() == {child.pid}
    finally:
        child.kill()
        child.wait()
    assert tree_cpu_s(child.pid) is None
    meter = CPUMeter(child.pid)
    meter.start()
    assert meter.per_request_ms(10) is None
    assert CPUMeter(None).per_request_ms(10) is None
