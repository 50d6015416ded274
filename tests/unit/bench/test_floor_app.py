"""The stack floor answers like a draft endpoint with one real LLM call and nothing else."""

from __future__ import annotations

import json

import httpx

from bench.floor_app import create_floor_app
from bench.mock_llm import MockLLMServer

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


async def test_the_webhook_route_reads_the_body_and_answers_202_with_a_job_id() -> None:
    app = create_floor_app("http://127.0.0.1:9/v1", LLM_REQUEST)  # no LLM is called
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
        response = await client.post("/v1/webhooks/chatwoot", content=b'{"event": "message_created"}')
    assert response.status_code == 202
    assert response.json()["job_id"].startswith("job_")
