"""How a run is set up: the baseline's code, the floor's app in the workers, sizes and databases."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx
import pytest

from bench.__main__ import parse_args, redis_database, sizes_for
from bench.baseline import BaselineError, export, resolve
from bench.floor_app import ENV_LLM_BASE_URL, ENV_LLM_REQUEST, create_floor_from_env
from service.config import Settings


def _in_git_checkout() -> bool:
    try:
        resolve("HEAD")
    except BaselineError:
        return False
    return True


@pytest.mark.skipif(not _in_git_checkout(), reason="needs the repository's git history")
def test_a_baseline_is_that_commits_tracked_files(tmp_path: Path) -> None:
    commit = export("HEAD", tmp_path / "baseline")
    assert commit == resolve("HEAD")
    assert (tmp_path / "baseline" / "service" / "cli.py").is_file()
    assert not (tmp_path / "baseline" / ".venv").exists()  # tracked files only
    with pytest.raises(BaselineError):
        resolve("no-such-ref-anywhere")


async def test_the_workers_build_the_floor_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"model": "mock-1", "messages": []}), encoding="utf-8")
    monkeypatch.setenv(ENV_LLM_BASE_URL, "http://127.0.0.1:9/v1")
    monkeypatch.setenv(ENV_LLM_REQUEST, str(request))
    app = create_floor_from_env(Settings())
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types scope stricter
    async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
        hit = await client.post("/v1/hit", content=b'{"messages": []}')
    assert hit.status_code == 200
    assert hit.json()["reply"]


def test_the_loaded_loop_keeps_every_worker_busy_and_quick_stays_small() -> None:
    args = parse_args([])
    assert sizes_for(args, 1).concurrency == 10  # the c=10 the latencies are reported at
    assert sizes_for(args, 2).concurrency == 10
    assert sizes_for(args, 8).concurrency == 40
    quick = sizes_for(argparse.Namespace(quick=True, capacity=200), 2)
    assert (quick.capacity, quick.overhead) == (200, 100)
    with pytest.raises(SystemExit):
        parse_args(["--workers", "-1"])
    assert parse_args(["--only", "overhead,capacity"]).only == "overhead,capacity"
    with pytest.raises(SystemExit):
        parse_args(["--only", "overhead,no_such_scenario"])


def test_the_baseline_gets_its_own_redis_database() -> None:
    assert redis_database("redis://127.0.0.1:6390/0", 1) == "redis://127.0.0.1:6390/1"
