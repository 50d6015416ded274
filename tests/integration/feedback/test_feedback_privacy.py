"""Feedback texts never reach a log line, a metric or a problem detail."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings
from tests.integration.test_log_privacy import (
    CUSTOMER_EMAIL,
    CUSTOMER_SENTENCE,
    LEAKED_SECRET,
    THREAD,
    assert_private,
    check_logs,
    json_logging,
    start_json_logging,
)

__all__ = ["json_logging"]  # the fixture, used by name

FINAL_WORDS = "zebra-striped accordion replacement ships tomorrow"


@pytest.mark.usefixtures("json_logging")
async def test_feedback_logs_nothing_private(
    redis_server: EmbeddedRedis,
    redis_client: Any,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    start_json_logging(caplog)
    settings = make_settings(redis_server.url, feedback_key=Fernet.generate_key().decode())
    async with AsyncTestClient(app=create_app(settings)) as client:
        result = (await client.post("/v1/drafts", json=THREAD)).json()
        url = f"/v1/drafts/{result['id']}/feedback"
        final = f"{FINAL_WORDS}. Write to {CUSTOMER_EMAIL}. {LEAKED_SECRET}"
        responses = [
            await client.post(
                url, json={"outcome": "edited", "final_text": final, "reason": CUSTOMER_SENTENCE}
            ),
            await client.post(url, json={"outcome": "edited", "final_text": final + "x" * 10_000}),
            await client.post(url, json={"outcome": "bogus", "final_text": final}),
            await client.post("/v1/drafts/drf_" + "1" * 32 + "/feedback", json={"outcome": "sent"}),
            await client.get("/v1/feedback/summary", params={"since": CUSTOMER_SENTENCE[:30]}),
            await client.get("/metrics"),
        ]
    assert [r.status_code for r in responses] == [204, 422, 422, 404, 422, 200]
    for response in responses:
        assert_private(response.text)
        assert FINAL_WORDS not in response.text
    check_logs(capfd, caplog)
    for key in await redis_client.keys("tactful:fb:*"):
        if await redis_client.type(key) == b"string":
            raw = await redis_client.get(key)
            assert FINAL_WORDS.encode() not in raw
            assert CUSTOMER_EMAIL.encode() not in raw
