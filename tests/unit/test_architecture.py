"""The layout stays one way down: the contracts in pyproject.toml ([tool.importlinter]) hold.

A new import that points up a layer, or closes a cycle between sibling modules or packages anywhere
in `service` or `bench`, fails this test with import-linter's report of the offending chain.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(os.fspath(ROOT))
    exit_code = lint_imports(config_filename=os.fspath(ROOT / "pyproject.toml"), no_cache=True)
    assert exit_code == 0, "an import breaks the layering or makes a cycle: see the report above"
