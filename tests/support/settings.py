"""Settings for tests, overridden by the names deployments set.

``settings_from(cache_ttl_s=0)`` is ``TACTFUL_CACHE_TTL_S=0``: each override is named like its
variable (``TACTFUL_`` dropped, lower case) and lands where the nested settings keep it, so tests
keep exercising the variable names, not only the tree. No ``.env`` file is read.
"""

from __future__ import annotations

from typing import Any

from service.config import Settings
from service.config.env import PREFIX, leaves

PATHS = {leaf.variable.removeprefix(PREFIX).lower(): leaf.path for leaf in leaves(Settings)}


def by_variable(**values: Any) -> dict[str, Any]:
    """Overrides named like their variables, nested the way :class:`Settings` takes them."""
    nested: dict[str, Any] = {}
    for name, value in values.items():
        path = PATHS[name]  # a KeyError names an override no variable has
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return nested


def settings_from(**values: Any) -> Settings:
    return Settings(_env_file=None, **by_variable(**values))
