"""Drafts through the real app when the LLM hits its limits (issue 16); the LLM's HTTP is respx.

Context overflow in both shapes (shrunk and asked again once, never a breaker failure), answers
cut at max_tokens (asked for a shorter reply once, else flagged), streams cut off (asked again),
estimated usage, honest timings with a failing LLM, and prompt scaffolding never sendable.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.drafting.prompts import prompt_tokens
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, llm_settings, seed_thread
from tests.unit.llm.fakes import ScriptedStream, chunk, sse_body, sse_response

CONTEXT_ERROR = {
    "error": {
        "message": "This model's maximum context length is 4096 tokens. However, you requested 7858 tokens.",
        "type": "invalid_request_error",
        "code": "context_length_exceeded",
    }
}


def long_thread() -> dict[str, Any]:
    thread = seed_thread()
    history = [
        {"role": "customer" if i % 2 == 0 else "agent", "body": f"Message {i} about the invoice. " * 60}
        for i in range(30)
    ]
    return {**thread, "id": "long-1", "messages": [*history, *thread["messages"]]}


def user_prompt(request: httpx.Request) -> str:
    body = json.loads(request.content)
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")


def sse_reply(text: str, *, finish: str | None = "stop", done: bool = True) -> httpx.Response:
    words = text.split(" ")
    events = [chunk(role="assistant", delta="")]
    events += [chunk(word + (" " if i < len(words) - 1 else "")) for i, word in enumerate(words)]
    if finish is not None:
        events.append(chunk(finish=finish))
    return sse_response(ScriptedStream([sse_body(events, done=done)]))


async def draft(settings: Any, thread: dict[str, Any], *, stream: bool = False) -> dict[str, Any]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        if not stream:
            response = await client.post("/v1/drafts", json=thread)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            body["_server_timing"] = response.headers.get("server-timing")
            return body
        response = await client.post("/v1/drafts/stream", json=thread)
        assert response.status_code == 200, response.text
        data = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
        result: dict[str, Any] = json.loads(data[-1])
        return result


async def test_context_error_400_shrinks_the_thread_and_asks_once_more(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions")
    route.side_effect = [
        httpx.Response(400, json=CONTEXT_ERROR),
        sse_reply(GOOD_REPLY, finish="length"),
        sse_reply(GOOD_REPLY),
    ]
    settings = llm_settings(redis_server.url, breaker_failure_threshold=1)
    result = await draft(settings, long_thread())
    assert result["provider"] == "openai"
    assert result["llm_incidents"] == [
        {"kind": "context_length", "action": "shrunk"},
        {"kind": "length", "action": "reasked"},
    ]
    first, second, reask = (json.loads(call.request.content)["messages"] for call in route.calls)
    assert len(second[1]["content"]) < len(first[1]["content"]) / 1.5
    # The re-ask, its own message included, stays within the shrunk prompt the server took: it
    # must not grow the prompt past the window again.
    assert len(reask) == 3
    assert prompt_tokens(reask) <= prompt_tokens(second)
    assert "earlier message" in second[1]["content"]  # older history dropped, the newest kept


async def test_empty_200_stream_five_times_never_opens_the_breaker(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    # The reproduced failure: five of these opened the shared breaker and every draft got 503.
    route = llm_mock.post("/chat/completions")
    route.side_effect = lambda request: sse_response(ScriptedStream([b""]))
    settings = llm_settings(redis_server.url, breaker_failure_threshold=2)
    async with AsyncTestClient(app=create_app(settings)) as client:
        for i in range(5):
            response = await client.post("/v1/drafts/stream", json={**long_thread(), "id": f"ctx-{i}"})
            assert response.status_code == 200
            result = json.loads(response.text.strip().splitlines()[-1][6:])
            assert result["provider"] == "offline"
            assert result["llm_incidents"] == [
                {"kind": "context_length", "action": "shrunk"},
                {"kind": "context_length", "action": "fell_back"},
            ]
        assert route.call_count == 10  # each draft: the prompt, then the shrunk prompt; no retries
        ready = (await client.get("/health/ready")).json()
        metrics = (await client.get("/metrics")).text
    assert 'tactful_llm_breaker_state{state="closed"} 1.0' in metrics
    assert 'tactful_llm_incidents_total{action="shrunk",kind="context_length"} 5.0' in metrics
    assert 'tactful_llm_slot_wait_seconds_count{outcome="acquired"} 10.0' in metrics
    assert 'tactful_llm_slots{state="busy"} 0.0' in metrics
    assert ready["status"] == "ok"


async def test_answer_cut_at_max_tokens_is_asked_shorter_once_then_flagged(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions")
    route.side_effect = [sse_reply(GOOD_REPLY, finish="length"), sse_reply(GOOD_REPLY)]
    result = await draft(llm_settings(redis_server.url), {**seed_thread(), "id": "cut-1"})
    assert result["llm_incidents"] == [{"kind": "length", "action": "reasked"}]
    assert result["attempts"] == 2
    assert "shorter" in user_prompt(route.calls[1].request)

    route.side_effect = lambda request: sse_reply(GOOD_REPLY, finish="length")
    result = await draft(llm_settings(redis_server.url), {**seed_thread(), "id": "cut-2"})
    assert result["llm_incidents"] == [
        {"kind": "length", "action": "reasked"},
        {"kind": "length", "action": "flagged"},
    ]
    assert result["status"] == "needs_review"
    assert any(
        f["rule"] == "length" and "completion limit" in f["message"] for f in result["guardrails"]["findings"]
    )


async def test_stream_ended_without_finish_reason_is_never_a_finished_draft(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    # llama.cpp's interrupt: 846 characters, then a normal [DONE] without a final chunk.
    partial = GOOD_REPLY[: len(GOOD_REPLY) // 2]
    route = llm_mock.post("/chat/completions")
    route.side_effect = [sse_reply(partial, finish=None), sse_reply(GOOD_REPLY)]
    result = await draft(llm_settings(redis_server.url), {**seed_thread(), "id": "cut-3"}, stream=True)
    assert result["reply"] == GOOD_REPLY
    assert result["llm_incidents"] == [{"kind": "incomplete", "action": "retried"}]

    route.side_effect = lambda request: sse_reply(partial, finish=None)
    result = await draft(llm_settings(redis_server.url), {**seed_thread(), "id": "cut-4"})
    assert result["provider"] == "offline"
    assert result["llm_incidents"][-1] == {"kind": "incomplete", "action": "fell_back"}


async def test_usage_is_estimated_and_marked_when_the_server_sends_none(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    llm_mock.post("/chat/completions").side_effect = lambda request: sse_reply(GOOD_REPLY)
    result = await draft(llm_settings(redis_server.url), {**seed_thread(), "id": "usage-1"})
    usage = result["usage"]
    assert usage["estimated"] is True
    assert usage["prompt_tokens"] > 200
    assert usage["completion_tokens"] > 20


async def test_failed_llm_time_is_llm_not_cache(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    # The reproduced report: "cache;dur=2119.82" while the LLM was down.
    llm_mock.post("/chat/completions").side_effect = lambda request: httpx.Response(
        503, json={"error": {"message": "down"}}, headers={"Retry-After": "0.2"}
    )
    settings = llm_settings(redis_server.url, llm_max_attempts=3)
    result = await draft(settings, {**seed_thread(), "id": "timing-1"})
    timings = result["timings_ms"]
    assert result["provider"] == "offline"
    assert timings["llm"] >= 400  # two back-offs of 0.2 s and three failed attempts
    assert timings["cache"] < 100
    assert f"llm;dur={timings['llm']:.2f}" in result["_server_timing"]


async def test_reask_scaffolding_in_a_reply_is_never_sendable(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    leaked = (
        "Hi Dana,\n\n⟦previous draft⟧\nI understand how frustrating it is to be charged twice.\n"
        "[end of previous draft]\n\nFix these points:\n- I have started a refund for the second charge.\n\n"
        "Best regards,\nSam"
    )
    llm_mock.post("/chat/completions").side_effect = lambda request: sse_reply(leaked)
    settings = llm_settings(redis_server.url, guard_max_reasks=1)
    result = await draft(settings, {**seed_thread(), "id": "leak-1"})
    assert result["status"] == "blocked"
    assert result["reply"] is None
    assert any(f["rule"] == "prompt-leak" for f in result["guardrails"]["findings"])


async def test_ready_warns_when_the_model_is_not_listed(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    llm_mock.get("/models").mock(
        return_value=httpx.Response(
            200, json={"object": "list", "data": [{"id": "smollm2", "object": "model"}]}
        )
    )
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 200  # a warning, never a failure
    assert response.json()["checks"]["llm"]["model_listed"] == "not_listed"


async def test_ready_stays_ready_when_the_model_list_is_unavailable(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    llm_mock.get("/models").mock(return_value=httpx.Response(404, json={"error": {"message": "no route"}}))
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["llm"]["model_listed"] == "unavailable"
