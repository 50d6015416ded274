"""YAML validated by a pydantic model, with errors that name the file and the first bad field.

Shared by the language tables (service/language/data.py) and the tenant profiles
(service/tenancy.py): both are operator- or maintainer-edited YAML whose mistakes must point at
the place to fix, never dump the document.
"""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# libyaml's parser when PyYAML was built with it: the same safe constructor, about ten times
# faster; the language and lexicon tables are megabytes and every process start reads them.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load`` with libyaml's parser where available (same types, same errors)."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def parse_yaml(text: str | bytes, model: type[M], *, where: str, error: type[ValueError]) -> M:
    """``text`` parsed and validated as ``model``; ``error("<where>: <field>: <why>")`` otherwise."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise error(f"{where}: not valid YAML ({exc})") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise error(f"{where}: {field}: {first['msg']}") from None
