"""The stack floor answers like a draft endpoint with one real LLM call and nothing else."""

from __future__ import annotations

import json

import httpx
import redis.asyncio as aioredis

from bench.floor_app import QUEUE_KEY, create_floor_app
from bench.mock_llm import MockLLMServer
from bench.webhooks import chatwoot_delivery
from service.integrations.signing import sign
from service.server.embedded_redis import EmbeddedRedis

LLM_REQUEST = {
    "model": "mock-1",
    "temperature": 0.3,
    "max_tokens": 200,
    "stream": True,  # as the service always asks
    "stream_options": {"include_usage": True},
    "messages": [
        {"role": "system", "content": "You draft empathetic replies for a support agent."},
        {"role": "user", "content": "Customer: Ana\nSubject: Order late\n\nCustomer: Where is my order?"},
    ],
}


async def test_one_request_is_one_llm_call_with_the_given_body(mock_llm: MockLLMServer) -> None:
    app = create_floor_app(mock_llm.base_url, LLM_REQUEST)
    # In this event loop (the mock serves from it too), not in a test client's portal thread.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types scope stricter
    async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
        response = await client.post("/v1/drafts", content=b'{"messages": []}')
        assert (await client.get("/ready")).status_code == 200
    assert response.status_code == 200
    assert json.loads(response.content)["reply"].strip()
    assert mock_llm.app.stats.chat_completions == 1
    assert mock_llm.app.last_request == LLM_REQUEST


async def test_the_webhook_route_verifies_parses_and_queues_each_message_once(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # The production-shaped floor: what a minimal real receiver must do, in the run's Redis.
    secret = "floor-test-secret-0123456789"
    app = create_floor_app(
        "http://127.0.0.1:9/v1", LLM_REQUEST, redis_url=redis_server.url, webhook_secret=secret
    )
    body = chatwoot_delivery("floor", 1)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
        first = await client.post(
            "/v1/webhooks/chatwoot", content=body, headers=sign("chatwoot", body, secret)
        )
        again = await client.post(
            "/v1/webhooks/chatwoot", content=body, headers=sign("chatwoot", body, secret)
        )
        forged = await client.post(
            "/v1/webhooks/chatwoot", content=body, headers=sign("chatwoot", body, "another-secret-0123456789")
        )
        unsigned = await client.post("/v1/webhooks/chatwoot", content=body)
        bare = await client.post("/v1/webhooks-bare/chatwoot", content=body)
    assert first.status_code == 202
    assert first.json()["duplicate"] is False
    assert again.status_code == 202
    assert again.json()["duplicate"] is True
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert bare.status_code == 202  # the framework's share: nothing verified or queued
    assert await redis_client.lrange(QUEUE_KEY, 0, -1) == [body]  # type: ignore[misc]


async def test_without_redis_the_webhook_route_reads_the_body_and_answers_202() -> None:
    app = create_floor_app("http://127.0.0.1:9/v1", LLM_REQUEST)  # no LLM is called
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
        response = await client.post("/v1/webhooks/chatwoot", content=b'{"event": "message_created"}')
    assert response.status_code == 202
    assert response.json()["job_id"].startswith("job_")
