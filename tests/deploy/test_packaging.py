"""The built package stands on its own: installed from the wheel into a folder and run from another
directory, `tactful` drafts with the templates, lexicons and language tables the wheel carries.

The dependencies come from the test's own environment; the package itself is only the installed
copy (it comes first on the path, so the checkout's `service/` is never imported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_an_installed_wheel_drafts_from_any_directory(tmp_path: Path) -> None:
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    packaged = target / "service"
    assert (packaged / "prompts" / "system.j2").is_file()
    assert list((packaged / "guardrails" / "lexicons").glob("*.yaml"))
    assert list((packaged / "language" / "data").glob("*.yaml"))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    env.update({"PYTHONPATH": str(target), "TACTFUL_LLM_PROVIDER": "offline", "TACTFUL_LOG_LEVEL": "WARNING"})
    code = (
        "import service, service.config as c; print(service.__file__); "
        "print(c.Settings().drafting.prompts_dir)"
    )
    probe = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-2000:]
    module_file, prompts_dir = probe.stdout.split()
    assert Path(module_file).is_relative_to(target)
    assert Path(prompts_dir) == packaged / "prompts"

    thread = SEEDS / "threads" / "billing_double_charge.json"
    draft = subprocess.run(
        [sys.executable, "-m", "service.cli", "draft", str(thread), "--json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert draft.returncode == 0, draft.stderr[-2000:]
    result = json.loads(draft.stdout)
    assert result["provider"] == "offline"
    assert result["reply"]
