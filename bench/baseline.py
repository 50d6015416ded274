"""``--baseline REF``: another commit's code, served next to this one's in the same run.

The commit's tracked files are written into the run's scratch directory with ``git archive``
(no ``git worktree``: nothing is registered in the repository, so a crashed run leaves nothing to
prune). That copy's ``service`` package serves through ``PYTHONPATH``, with this checkout's
virtualenv: a baseline whose dependencies differ from the checked-out ones is out of reach.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class BaselineError(RuntimeError):
    """The reference is not a commit of this repository, or git is missing."""


def _git(*args: str) -> bytes:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise BaselineError(
            f"git {' '.join(args)}: {detail.decode(errors='replace').strip() or exc}"
        ) from exc


def resolve(ref: str) -> str:
    """The short commit id ``ref`` names (a branch, tag, ``HEAD~1``...)."""
    return _git("rev-parse", "--short=7", "--verify", f"{ref}^{{commit}}").decode().strip()


def export(ref: str, into: Path) -> str:
    """Write commit ``ref``'s tracked files into ``into``; returns the short commit id."""
    commit = resolve(ref)
    archive = _git("archive", "--format=tar", commit)
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit
