"""Language data: the phrase and cue tables that read and write customer language, as YAML files.

The tables live in `service/language/data/*.yaml`, are read from the installed package (so a wheel
carries them), validated against a strict pydantic model on first use, and hashed together into
:data:`LANGUAGE_DATA_VERSION`. The prompt version includes that hash, so editing a table changes
the cache key and drafts built with the old wording do not survive a deploy.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel

from service.yaml_data import parse_yaml

PACKAGE = "service.language"
DATA_DIR = "data"

M = TypeVar("M", bound=BaseModel)


class LanguageDataError(ValueError):
    """A language data file is missing or malformed: the message names the file and the field."""


@cache
def read_data_files() -> dict[str, bytes]:
    """Every table's bytes by file name, read once per process."""
    folder = resources.files(PACKAGE).joinpath(DATA_DIR)
    return {
        entry.name: entry.read_bytes()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def data_version(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        # Name and length delimit each file, so moving bytes between files changes the hash.
        digest.update(f"{name}\0{len(files[name])}\0".encode())
        digest.update(files[name])
    return digest.hexdigest()[:12]


def language_data_version() -> str:
    """The hash of every language table: part of the prompt version, hence of every cache key."""
    return data_version(read_data_files())


def load_table(name: str, model: type[M]) -> M:
    """Parse and validate one table (`name` without `.yaml`); errors name the file and the field."""
    return _load(name, model)  # type: ignore[return-value]


@cache
def _load(name: str, model: type[BaseModel]) -> BaseModel:
    filename = f"{name}.yaml"
    data = read_data_files().get(filename)
    if data is None:
        raise LanguageDataError(f"{DATA_DIR}/{filename}: missing")
    return parse_yaml(data, model, where=f"{DATA_DIR}/{filename}", error=LanguageDataError)
