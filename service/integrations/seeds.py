"""Sample deliveries (``seeds/webhooks/*.json``) and sending them, signed, to a running Tactful.

A seed is ``{"source", "description", "headers", "body"}``: ``body`` is the helpdesk's payload,
``headers`` the non-signature headers it sends (event names, delivery ids). The body is sent as
compact JSON and signed with the source's ``TACTFUL_WEBHOOK_SECRET_<SOURCE>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from service.integrations.signing import sign

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "seeds" / "webhooks"


@dataclass(frozen=True)
class Seed:
    name: str
    source: str
    headers: dict[str, str]
    body: dict[str, Any]

    def raw(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


def load_seed(path: Path) -> Seed:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Seed(
        name=path.stem, source=data["source"], headers=dict(data.get("headers", {})), body=data["body"]
    )


def seed_paths(targets: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for target in targets or [SEEDS_DIR]:
        paths.extend(sorted(target.glob("*.json")) if target.is_dir() else [target])
    return paths


def send_seed(client: httpx.Client, base_url: str, seed: Seed, secret: str) -> httpx.Response:
    body = seed.raw()
    headers = {**seed.headers, **sign(seed.source, body, secret)}
    return client.post(f"{base_url.rstrip('/')}/v1/webhooks/{seed.source}", content=body, headers=headers)
