"""`POST /v1/guardrails/check` allows the caller's tenant's link domains (docs/tenants.md): its
profile's `link_domains`, else the global TACTFUL_ALLOWED_LINK_DOMAINS."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.integration.conftest import make_settings

REPLY = "So sorry the invoice went missing, Alex! You can download it again here: https://{host}/invoices"


async def _unsafe(client: AsyncTestClient[Any], key: str, host: str) -> bool:
    response = await client.post(
        "/v1/guardrails/check",
        json={"text": REPLY.format(host=host)},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    return any(f["rule"] == "unsafe-content" for f in response.json()["findings"])


async def test_each_tenant_links_to_its_own_domains(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"key-acme").hexdigest()
    (tmp_path / "acme.yaml").write_text(
        f"company: Acme\nlink_domains: [acme.example]\napi_key_sha256: [{digest}]\n", encoding="utf-8"
    )
    settings = make_settings(
        None, api_keys="key-acme,key-other", tenants_dir=tmp_path, allowed_link_domains="global.example"
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert not await _unsafe(client, "key-acme", "help.acme.example")  # its own, subdomains too
        assert await _unsafe(client, "key-acme", "global.example")  # its list replaces the global one
        assert not await _unsafe(client, "key-other", "global.example")  # no profile: the global one
        assert await _unsafe(client, "key-other", "acme.example")  # another tenant's domain
