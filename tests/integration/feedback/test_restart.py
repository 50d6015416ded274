"""Feedback lives in Redis: with AOF on (as compose runs it), it survives a Redis restart."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings, seed_thread

KEY = Fernet.generate_key().decode()


async def test_feedback_survives_a_restart_with_aof(tmp_path: Path) -> None:
    data = tmp_path / "redis"
    with EmbeddedRedis(data, appendonly=True) as first:
        port = first.port
        async with AsyncTestClient(app=create_app(make_settings(first.url, feedback_key=KEY))) as client:
            result = (await client.post("/v1/drafts", json=seed_thread())).json()
            response = await client.post(f"/v1/drafts/{result['id']}/feedback", json={"outcome": "discarded"})
            assert response.status_code == 204
    with EmbeddedRedis(data, port=port, appendonly=True) as second:
        async with AsyncTestClient(app=create_app(make_settings(second.url, feedback_key=KEY))) as client:
            summary = (await client.get("/v1/feedback/summary")).json()
            assert summary["overall"]["outcomes"]["discarded"] == 1
            # The draft record survived too: its id still takes feedback, which replaces the first.
            response = await client.post(f"/v1/drafts/{result['id']}/feedback", json={"outcome": "sent"})
            assert response.status_code == 204
            overall = (await client.get("/v1/feedback/summary")).json()["overall"]
            assert overall["outcomes"] == {"sent": 1, "edited": 0, "discarded": 0}
