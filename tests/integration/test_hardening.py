"""Security and resilience, round 2 (issue 14): one test per item, each the red team's reproduction.

Each test is named after its item; the worst cases also run, longer, in ``bench/faults.py``.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from service.config import Settings
from service.integrations.signatures import standard_key

# --- 1. Forgeable sources ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TACTFUL_WEBHOOK_SECRET_ZAMMAD", ""),
        ("TACTFUL_WEBHOOK_SECRET_GENERIC", "whsec_"),
        ("TACTFUL_WEBHOOK_SECRET_FRESHDESK", "fifteen-bytes!!"),
        ("TACTFUL_WEBHOOK_SECRET_GENERIC", "whsec_" + base64.b64encode(b"15 bytes only!!").decode()),
        ("TACTFUL_CALLBACK_SECRET", "not base64 at all"),
    ],
)
def test_item1_empty_or_short_webhook_secret_is_a_startup_error(variable: str, value: str) -> None:
    with pytest.raises(ValidationError, match=variable):
        Settings(_env_file=None, **{variable.removeprefix("TACTFUL_").lower(): value})
    # The command line says which variable, without its value, and exits EX_CONFIG.
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve"],
        env={"PATH": "/usr/bin:/bin", variable: value},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 78
    assert variable in done.stderr
    if len(value) > 8:
        assert value not in done.stderr
    # 16 bytes are enough; a Standard Webhooks secret without `whsec_` is base64 like the libraries read it.
    key = base64.b64encode(b"sixteen bytes ok").decode()
    settings: Any = Settings(
        _env_file=None, webhook_secret_generic=key, webhook_secret_zammad="sixteen bytes ok"
    )
    assert standard_key(settings.webhook_secret_generic.get_secret_value()) == b"sixteen bytes ok"
    assert standard_key("whsec_" + key) == standard_key(key)
