"""How nested settings meet the flat ``TACTFUL_...`` variables deployments already set.

Settings are grouped per concern (``settings.llm.model``), but every variable keeps the flat name it
had before the grouping (``TACTFUL_LLM_MODEL``): compose files, ``.env`` files and orchestrators set
those names. A :class:`Section` names its variables as ``env_prefix`` + the field name, unless the
field carries an :class:`Env` marker with the name(s) it answers to. :class:`FlatEnvSource` reads
those names from the environment or ``.env`` into the nested shape; :func:`leaves` walks the tree
for the generated docs, the start-up errors and :func:`environment`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from pydantic_settings.sources import EnvSettingsSource

PREFIX = "TACTFUL_"


@dataclass(frozen=True, init=False)
class Env:
    """Annotated marker: the variable name(s) a field is read from, first one wins."""

    names: tuple[str, ...]

    def __init__(self, *names: str) -> None:
        object.__setattr__(self, "names", names)


class Section(BaseModel):
    """One concern's settings; its variables are ``env_prefix`` + the field name, upper-cased."""

    model_config = ConfigDict(extra="forbid")
    env_prefix: ClassVar[str] = PREFIX

    @classmethod
    def env_names(cls, name: str) -> tuple[str, ...]:
        for item in cls.model_fields[name].metadata:
            if isinstance(item, Env):
                return item.names
        return (cls.env_prefix + name.upper(),)


@dataclass(frozen=True)
class Leaf:
    """One setting: where it sits in the tree and the variables it is read from."""

    path: tuple[str, ...]
    field: FieldInfo
    env: tuple[str, ...]

    @property
    def variable(self) -> str:
        return self.env[0]


def _section(field: FieldInfo) -> type[BaseModel] | None:
    annotation = field.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def leaves(model: type[BaseModel], path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    """Every setting under ``model``, depth first, in declaration order."""
    for name, field in model.model_fields.items():
        nested = _section(field)
        if nested is not None:
            yield from leaves(nested, (*path, name))
        elif issubclass(model, Section):
            yield Leaf((*path, name), field, model.env_names(name))
        else:  # a value outside any section would have no variable name
            raise TypeError(f"{model.__name__}.{name} must sit in a Section")


def variable_for(root: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    """The variable of the setting at validation-error location ``loc`` (None above a leaf)."""
    for leaf in leaves(root):
        if tuple(loc[: len(leaf.path)]) == leaf.path:
            return leaf.variable
    return None


class FlatEnvSource(PydanticBaseSettingsSource):
    """The flat variables of one pydantic-settings source (process environment or ``.env``), nested."""

    def __init__(self, settings_cls: type[BaseSettings], source: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        # pydantic-settings has already read the environment or the .env file, case folded as configured.
        self.env_vars: Mapping[str, str | None] = (
            source.env_vars if isinstance(source, EnvSettingsSource) else {}
        )
        self.case_sensitive = bool(settings_cls.model_config.get("case_sensitive", False))

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Required by the base class; __call__ reads whole sections instead of one root field.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for leaf in leaves(self.settings_cls):
            for name in leaf.env:
                value = self.env_vars.get(name if self.case_sensitive else name.lower())
                if value is not None:
                    node = data
                    for part in leaf.path[:-1]:
                        node = node.setdefault(part, {})
                    node[leaf.path[-1]] = value
                    break
        return data


def render(value: object) -> str:
    """A setting's value written the way its variable takes it (lists comma-separated, etc.)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping):
        return ",".join(f"{key}={render(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(render(item) for item in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def environment(settings: BaseModel) -> dict[str, str]:
    """The variables that reproduce ``settings`` where it differs from the defaults (secrets in clear:
    for a child process's environment, never for a log)."""
    values = settings.model_dump(exclude_defaults=True)
    env: dict[str, str] = {}
    for leaf in leaves(type(settings)):
        node: Any = values
        for part in leaf.path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            env[leaf.variable] = render(node)
    return env
