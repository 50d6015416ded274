"""Rate limits: per API key and per webhook source, shared through Redis, 429 + Retry-After."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.infra.ratelimit import RateLimiter
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings
from tests.integration.webhooks.conftest import hook_settings, post_seed, seed, signed, with_body

KEY_A, KEY_B = "tk-alpha-111111111111", "tk-bravo-222222222222"
CHECK = {"text": "I understand how frustrating this is; here is what we can do next."}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_each_key_has_its_own_budget_shared_by_every_process(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    settings = make_settings(redis_server.url, api_keys=[KEY_A, KEY_B], rate_limit_api=3)
    # Two apps on one Redis: two processes behind a load balancer.
    async with (
        AsyncTestClient(app=create_app(settings)) as one,
        AsyncTestClient(app=create_app(settings)) as two,
    ):
        statuses = [
            (await client.post("/v1/guardrails/check", json=CHECK, headers=auth(KEY_A))).status_code
            for client in (one, two, one)
        ]
        assert statuses == [200, 200, 200]
        refused = await two.post("/v1/guardrails/check", json=CHECK, headers=auth(KEY_A))
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        problem = refused.json()
        assert problem["status"] == 429
        assert problem["type"].endswith("/rate-limited")
        assert "TACTFUL_RATE_LIMIT_API" in problem["detail"]
        assert KEY_A not in refused.text

        # Another key is not affected; a wrong key is a 401 and spends nobody's budget.
        assert (await one.post("/v1/guardrails/check", json=CHECK, headers=auth(KEY_B))).status_code == 200
        assert (await one.post("/v1/guardrails/check", json=CHECK, headers=auth("nope"))).status_code == 401
        # Probes are never limited.
        assert (await one.get("/health/live")).status_code == 200
        metrics = (await two.get("/metrics", headers=auth(KEY_B))).text
        assert 'tactful_rate_limited_total{scope="api"} 1.0' in metrics


async def test_the_window_slides(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = make_settings(redis_server.url, rate_limit_api=2, rate_limit_window_s=1)
    async with AsyncTestClient(app=create_app(settings)) as client:
        codes = [(await client.post("/v1/guardrails/check", json=CHECK)).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        await asyncio.sleep(1.05)
        assert (await client.post("/v1/guardrails/check", json=CHECK)).status_code == 200


async def test_webhook_budget_is_keyed_on_the_source(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    # Through the real webhook route: signed deliveries (repeats are duplicates of one job, 202).
    settings = hook_settings(redis_server.url, rate_limit_webhooks=2, api_keys=[KEY_A])
    chatwoot, zendesk = seed("chatwoot.message_created"), seed("zendesk.trigger_comment")
    async with AsyncTestClient(app=create_app(settings)) as client:
        codes = [(await post_seed(client, chatwoot)).status_code for _ in range(3)]
        assert codes == [202, 202, 429]
        assert (await post_seed(client, zendesk)).status_code == 202
        # Webhooks authenticate by signature, not API key: no 401 from the limiter.
        raw, headers = signed(zendesk)
        assert (await client.post("/v1/webhooks/ZENDESK", content=raw, headers=headers)).status_code == 202
        assert (await post_seed(client, zendesk)).status_code == 429


async def test_unsigned_and_ignored_deliveries_spend_no_webhook_budget(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    # The budget is checked after the signature, with the claim: a stranger who knows the URL cannot
    # use up a helpdesk's budget, and events that queue nothing do not count.
    settings = hook_settings(redis_server.url, rate_limit_webhooks=1)
    chatwoot = seed("chatwoot.message_created")
    async with AsyncTestClient(app=create_app(settings)) as client:
        raw, headers = signed(chatwoot)
        forged = {**headers, "X-Chatwoot-Signature": "sha256=" + "0" * 64}
        for _ in range(3):
            response = await client.post("/v1/webhooks/chatwoot", content=raw, headers=forged)
            assert response.status_code == 401
        for _ in range(2):
            assert (await post_seed(client, seed("chatwoot.agent_reply"))).status_code == 200
        assert (await post_seed(client, chatwoot)).status_code == 202
        refused = await post_seed(client, with_body(chatwoot, lambda body: body.update(id=424242)))
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "TACTFUL_RATE_LIMIT_WEBHOOKS" in refused.json()["detail"]
        metrics = (await client.get("/metrics", headers=auth(KEY_A))).text
        assert 'tactful_rate_limited_total{scope="webhook"} 1.0' in metrics
    # A refused delivery claimed nothing: the helpdesk's retry after the window is a new job.
    assert len(await redis_client.keys("tactful:webhook:seen:*")) == 1


async def test_concurrent_deliveries_admit_exactly_the_webhook_budget(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    # Many deliveries at once share pipelines (service/infra/autopipeline.py); each is still admitted or
    # refused on its own, atomically with its claim.
    settings = hook_settings(redis_server.url, rate_limit_webhooks=7)
    chatwoot = seed("chatwoot.message_created")

    def message(number: int) -> Any:
        return with_body(chatwoot, lambda body: body.update(id=900_000 + number))

    deliveries = [message(i) for i in range(20)]
    async with AsyncTestClient(app=create_app(settings)) as client:
        responses = await asyncio.gather(*(post_seed(client, delivery) for delivery in deliveries))
    codes = sorted(response.status_code for response in responses)
    assert codes == [202] * 7 + [429] * 13
    assert await redis_client.zcard("saq:tactful-webhooks:incomplete") == 7
    assert len(await redis_client.keys("tactful:webhook:seen:*")) == 7


async def test_the_script_admits_exactly_the_limit_under_concurrency(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    clients = [aioredis.Redis.from_url(redis_server.url) for _ in range(4)]
    # A generous timeout: this test is about atomicity, not about a slow Redis failing open.
    limiters = [RateLimiter(client, op_timeout_s=10) for client in clients]
    try:
        decisions = await asyncio.gather(
            *(limiters[i % 4].hit("api:burst", limit=25, window_s=30) for i in range(100))
        )
    finally:
        for client in clients:
            await client.aclose()
    assert sum(d.allowed for d in decisions) == 25
    assert all(0 < d.retry_after_s <= 30 for d in decisions if not d.allowed)


async def test_a_dead_redis_admits(tmp_path: Any) -> None:
    from service.server.embedded_redis import free_port

    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    try:
        decision = await RateLimiter(client).hit("api:x", limit=1, window_s=60)
    finally:
        await client.aclose()
    assert decision.allowed


def test_every_limited_operation_documents_the_429() -> None:
    schema = create_app(make_settings(None)).openapi_schema.to_schema()
    limited = [(path, ops) for path, ops in schema["paths"].items() if path.startswith("/v1/")]
    assert len(limited) >= 5
    for path, ops in limited:
        for method, operation in ops.items():
            assert "429" in operation["responses"], f"{method.upper()} {path}"
