"""The Dockerfile: hadolint-clean, multi-stage, slim, non-root, Python health check, an init."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from service.config import REPO_ROOT
from tests.deploy.conftest import (
    DOCKERFILE,
    Instruction,
    dockerfile_env,
    env_example_names,
    setting_env_names,
)


def runtime(dockerfile: list[Instruction]) -> list[Instruction]:
    last = max(ins.stage for ins in dockerfile)
    return [ins for ins in dockerfile if ins.stage == last]


def only(instructions: list[Instruction], keyword: str) -> str:
    found = [ins.args for ins in instructions if ins.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {found}"
    return found[0]


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(REPO_ROOT / ".venv" / "bin" / "hadolint"))
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_on_slim_python(dockerfile: list[Instruction]) -> None:
    stages = [ins.args for ins in dockerfile if ins.keyword == "FROM"]
    assert len(stages) >= 2
    base = next(
        ins.args for ins in dockerfile if ins.keyword == "ARG" and ins.args.startswith("PYTHON_IMAGE=")
    )
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim(-\w+)?", base)
    assert all(stage.startswith("${PYTHON_IMAGE}") for stage in stages)
    assert any("--from=build" in ins.args for ins in runtime(dockerfile) if ins.keyword == "COPY")


def test_runs_as_an_unprivileged_user(dockerfile: list[Instruction]) -> None:
    user = only(runtime(dockerfile), "USER")
    uid = user.split(":")[0]
    assert uid not in {"root", "0"}
    assert uid.isdigit()
    assert int(uid) >= 1000


def test_health_check_in_python_and_an_init_for_signals(dockerfile: list[Instruction]) -> None:
    check = only(runtime(dockerfile), "HEALTHCHECK")
    assert 'CMD ["python", "-m", "service.server.healthcheck"]' in check
    assert "curl" not in check
    assert "wget" not in check
    assert only(runtime(dockerfile), "ENTRYPOINT") == '["dumb-init", "--"]'
    assert only(runtime(dockerfile), "CMD") == '["tactful", "serve"]'
    installs = " ".join(ins.args for ins in dockerfile if ins.keyword == "RUN")
    assert "dumb-init==" in installs  # pinned


def test_prompts_and_web_files_are_in_the_image(dockerfile: list[Instruction]) -> None:
    copies = [ins.args for ins in runtime(dockerfile) if ins.keyword == "COPY"]
    assert "seeds/threads /app/seeds/threads" in copies  # the agent page's sample picker
    env = dockerfile_env(dockerfile, max(ins.stage for ins in dockerfile))
    assert "TACTFUL_PROMPTS_DIR" not in env  # the installed package carries its templates
    assert env["TACTFUL_SAMPLES_DIR"] == "/app/seeds/threads"
    build = [ins.args for ins in dockerfile if ins.keyword == "COPY" and ins.stage == 0]
    assert "prompts ./prompts" in build
    assert any("setup.py" in args for args in build)
    # The page, the templates, the lexicons and the language tables travel as package data.
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for data in ('"web/*"', '"guardrails/lexicons/*.yaml"', '"language/data/*.yaml"', '"service.prompts"'):
        assert data in pyproject
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    kept = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "service/", "prompts/", "seeds/threads/")
    for needed in kept:
        assert f"!{needed}" in ignored, f"{needed} is kept out of the build context"


def test_every_variable_the_image_sets_is_a_documented_setting(dockerfile: list[Instruction]) -> None:
    settings, example = setting_env_names(), env_example_names()
    env = dockerfile_env(dockerfile, max(ins.stage for ins in dockerfile))
    tactful = {name for name in env if name.startswith("TACTFUL_")}
    assert tactful, "the image sets its host, port, prompts and data folders"
    for name in tactful:
        assert name in settings, name
        assert name in example, name
