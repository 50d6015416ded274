"""Settings: every knob of the service, grouped per concern, read from ``TACTFUL_...`` variables.

- ``settings``: the root :class:`Settings`, one nested model per concern;
- ``sections`` and ``integrations``: those models (one per integration, holding its secret);
- ``env``: how the flat variable names map onto the tree;
- ``secrets``: webhook secrets as keys, and the start-up check of their strength;
- ``paths``: the package's and the repository's folders.
"""

from service.config.integrations import IntegrationSettings
from service.config.paths import PACKAGE_ROOT, REPO_ROOT, packaged_prompts_dir
from service.config.secrets import MIN_SECRET_BYTES, STANDARD_PREFIX, WeakSecret, standard_key
from service.config.sections import ProviderChoice
from service.config.settings import Settings

__all__ = [
    "MIN_SECRET_BYTES",
    "PACKAGE_ROOT",
    "REPO_ROOT",
    "STANDARD_PREFIX",
    "IntegrationSettings",
    "ProviderChoice",
    "Settings",
    "WeakSecret",
    "packaged_prompts_dir",
    "standard_key",
]
