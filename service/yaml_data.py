"""YAML validated by a pydantic model, with errors that name the file and the first bad field.

Shared by the language tables (service/language/data.py) and the tenant profiles
(service/tenancy.py): both are operator- or maintainer-edited YAML whose mistakes must point at
the place to fix, never dump the document.
"""

from __future__ import annotations

from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def parse_yaml(text: str | bytes, model: type[M], *, where: str, error: type[ValueError]) -> M:
    """``text`` parsed and validated as ``model``; ``error("<where>: <field>: <why>")`` otherwise."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{where}: not valid YAML ({exc})") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise error(f"{where}: {field}: {first['msg']}") from None
