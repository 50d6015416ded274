"""Where the package and, in a source checkout, the repository are."""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_ROOT.parent


def packaged_prompts_dir() -> Path:
    """The templates an installed wheel carries (setup.py maps prompts/ to service/prompts), or the
    repository's own prompts/ in a source checkout or an editable install."""
    installed = PACKAGE_ROOT / "prompts"
    return installed if (installed / "system.j2").is_file() else REPO_ROOT / "prompts"
