"""`tactful feedback export` writes redacted cases that `tactful eval` reads."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings, seed_thread
from tests.integration.test_cli import clean_env
from tests.support.serving import COMMAND

KEY = Fernet.generate_key().decode()


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_export_then_eval(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: Any) -> None:
    thread = seed_thread()
    thread["messages"][0]["body"] += " Reach me at dana.reyes@example.com."
    async with AsyncTestClient(app=create_app(make_settings(redis_server.url, feedback_key=KEY))) as client:
        result = (await client.post("/v1/drafts", json=thread)).json()
        draft = result["reply"] or result["rejected_draft"]
        final = draft + "\nI also wrote to dana.reyes@example.com."
        response = await client.post(
            f"/v1/drafts/{result['id']}/feedback", json={"outcome": "edited", "final_text": final}
        )
        assert response.status_code == 204

    out = tmp_path / "feedback.jsonl"
    env = {"TACTFUL_REDIS_URL": redis_server.url, "TACTFUL_FEEDBACK_KEY": KEY}
    exported = run("feedback", "export", "--since", "7d", "--out", str(out), cwd=tmp_path, **env)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    case = lines[0]
    assert case["id"] == result["id"]
    assert case["reply"].endswith("I also wrote to [EMAIL_1].")
    assert "dana.reyes@example.com" not in out.read_text(encoding="utf-8")
    assert "[EMAIL_1]" in case["customer"]
    assert case["feedback"]["outcome"] == "edited"
    assert case["feedback"]["draft"] is not None
    assert case["feedback"]["char_distance"] > 0

    evaluated = run("eval", str(out), "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["cases"] == 1


def test_export_without_a_key_says_why(tmp_path: Path, redis_server: EmbeddedRedis) -> None:
    out = tmp_path / "x.jsonl"
    exported = run("feedback", "export", "--out", str(out), cwd=tmp_path, TACTFUL_REDIS_URL=redis_server.url)
    assert exported.returncode == 64
    assert "TACTFUL_FEEDBACK_KEY" in exported.stderr
