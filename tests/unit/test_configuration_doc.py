"""docs/configuration.md lists exactly the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.config import Settings
from service.config.env import leaves
from service.config_docs import DOC, render_env_example, rewrite


def test_configuration_doc_is_generated_from_settings() -> None:
    assert DOC.read_text(encoding="utf-8") == rewrite(), "run: python -m service.config_docs"


def test_every_documented_variable_exists() -> None:
    documented = set(re.findall(r"`(TACTFUL_[A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    known = {env for leaf in leaves(Settings) for env in leaf.env}
    assert documented <= known


def test_api_key_falls_back_to_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TACTFUL_LLM_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fallback")
    settings = Settings(_env_file=None)
    assert settings.llm.api_key is not None
    assert settings.llm.api_key.get_secret_value() == "sk-test-fallback"
    assert settings.provider == "openai"


def test_api_keys_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_API_KEYS", "alpha, beta,,gamma")
    keys = Settings(_env_file=None).auth.api_keys
    assert [k.get_secret_value() for k in keys] == ["alpha", "beta", "gamma"]


def test_offline_is_the_default_without_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TACTFUL_LLM_BASE_URL", "TACTFUL_LLM_API_KEY", "OPENAI_API_KEY", "TACTFUL_LLM_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None).provider == "offline"


def test_default_factory_values_are_documented_and_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TACTFUL_FRAME_ANCESTORS defaults to ['self'] through a default_factory: the doc shows it, and
    # the .env.example line, uncommented, reads back as that default.
    row = next(line for line in rewrite().splitlines() if "`TACTFUL_FRAME_ANCESTORS`" in line)
    assert "| `'self'` |" in row
    line = next(line for line in render_env_example().splitlines() if "TACTFUL_FRAME_ANCESTORS=" in line)
    env_file = tmp_path / ".env"
    env_file.write_text(line.removeprefix("# ") + "\n", encoding="utf-8")
    monkeypatch.delenv("TACTFUL_FRAME_ANCESTORS", raising=False)
    assert Settings(_env_file=env_file).browser.frame_ancestors == ["'self'"]
