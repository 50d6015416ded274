"""Language tables are data: loaded from the package, validated, and hashed into the prompt version."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from service.drafting.prompts import PromptBuilder
from service.language import data
from service.language.data import LanguageDataError, data_version, load_table, read_data_files

PROMPTS = Path(__file__).resolve().parents[3] / "prompts"


def test_every_table_loads_from_the_package() -> None:
    files = read_data_files()
    assert {"acknowledgements.yaml", "composer_phrases.yaml", "restatement.yaml"} <= set(files)


def test_a_changed_table_changes_the_prompt_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = PromptBuilder(PROMPTS, token_budget=6000).version
    files = dict(read_data_files())
    files["restatement.yaml"] = files["restatement.yaml"] + b"\n# edited\n"
    monkeypatch.setattr(data, "language_data_version", lambda: data_version(files))
    monkeypatch.setattr("service.drafting.prompts.language_data_version", lambda: data_version(files))
    assert PromptBuilder(PROMPTS, token_budget=6000).version != before


def test_version_depends_on_names_and_bytes() -> None:
    assert data_version({"a.yaml": b"xy"}) != data_version({"a.yaml": b"x", "y.yaml": b""})
    assert data_version({"a.yaml": b"x"}) == data_version({"a.yaml": b"x"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    missing_field: str


def test_a_malformed_table_names_the_file_and_the_field() -> None:
    with pytest.raises(LanguageDataError, match=r"data/restatement\.yaml: .*missing_field"):
        load_table("restatement", _Strict)


def test_a_missing_table_is_named() -> None:
    with pytest.raises(LanguageDataError, match=r"data/nope\.yaml: missing"):
        load_table("nope", _Strict)
