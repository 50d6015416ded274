"""The LLM misbehaving while drafts keep coming: 429 storms, 500s, hanging, malformed JSON.

Every draft request must get an answer (a draft, the offline fallback, or a 503 problem with
Retry-After), never a 5xx of ours, within the configured deadline plus a second. The LLM's HTTP is
mocked with respx; the app, Redis and the breaker are real. The test client runs the app
in-process; `python -m bench.faults` measures the same faults over HTTP under real concurrency.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, completion, llm_settings, seed_thread

CONCURRENT = 6


def threads(prefix: str, count: int = CONCURRENT) -> list[dict[str, Any]]:
    return [{**seed_thread(), "id": f"{prefix}-{i}"} for i in range(count)]


async def draft_all(
    client: AsyncTestClient[Any], batch: list[dict[str, Any]]
) -> list[tuple[httpx.Response, float]]:
    async def one(thread: dict[str, Any]) -> tuple[httpx.Response, float]:
        began = time.perf_counter()
        response = await client.post("/v1/drafts", json=thread)
        return response, time.perf_counter() - began

    return await asyncio.gather(*(one(thread) for thread in batch))


async def test_a_429_storm_falls_back_and_the_breaker_stops_the_hammering(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(
        return_value=httpx.Response(
            429, json={"error": {"message": "slow down"}}, headers={"Retry-After": "0.05"}
        )
    )
    settings = llm_settings(
        redis_server.url, llm_max_attempts=3, breaker_failure_threshold=3, breaker_reset_s=30
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        results = await draft_all(client, threads("storm"))
        calls_during_storm = route.call_count
        later = await draft_all(client, threads("after", 4))
        metrics = (await client.get("/metrics")).text
    for response, elapsed in results + later:
        assert response.status_code == 200, response.text
        assert response.json()["provider"] == "offline"
        assert response.json()["reply"]
        assert elapsed < settings.llm.deadline_s + 1
    assert calls_during_storm <= CONCURRENT * settings.llm.max_attempts
    assert route.call_count == calls_during_storm  # breaker open: no more calls at all
    errors = {
        kind: float(n) for kind, n in re.findall(r'tactful_llm_errors_total\{kind="(\w+)"\} (\S+)', metrics)
    }
    assert errors["rate_limited"] >= 1
    assert errors["rate_limited"] + errors["breaker_open"] == CONCURRENT + len(later)
    assert 'tactful_llm_breaker_state{state="open"} 1.0' in metrics


async def test_intermittent_500s_are_retried_into_real_drafts(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    answers = iter(
        [httpx.Response(500, json={"error": {}}), httpx.Response(200, json=completion(GOOD_REPLY))]
        * CONCURRENT
    )
    route = llm_mock.post("/chat/completions").mock(side_effect=lambda request: next(answers))
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        results = await draft_all(client, threads("flaky"))
    assert [r.status_code for r, _ in results] == [200] * CONCURRENT
    assert {r.json()["provider"] for r, _ in results} == {"openai"}
    assert route.call_count == 2 * CONCURRENT


async def test_a_hanging_llm_answers_within_the_deadline_plus_a_second(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return httpx.Response(200, json=completion(GOOD_REPLY))

    llm_mock.post("/chat/completions").mock(side_effect=hang)
    deadline = 0.8
    for fallback in (True, False):
        settings = llm_settings(
            redis_server.url, llm_deadline_s=deadline, llm_timeout_s=0.5, llm_fallback_offline=fallback
        )
        async with AsyncTestClient(app=create_app(settings)) as client:
            # A few at once: the test client runs the app in-process; the bench measures real load.
            results = await draft_all(client, threads(f"hang-{fallback}", 2))
        for response, elapsed in results:
            assert elapsed < deadline + 1, f"answered after {elapsed:.2f}s"
            if fallback:
                assert response.status_code == 200
                assert response.json()["provider"] == "offline"
            else:
                assert response.status_code == 503, response.text
                assert int(response.headers["retry-after"]) >= 1
                assert response.headers["content-type"].startswith("application/problem+json")
        await redis_client.flushdb()  # the breaker's state: the second app starts closed


async def test_malformed_json_from_the_llm_is_no_500(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    bodies = [
        httpx.Response(
            200,
            content=b'{"choices": [{"message": {"content": "Hi',
            headers={"content-type": "application/json"},
        ),
        httpx.Response(200, json={"object": "chat.completion", "choices": []}),
        httpx.Response(200, content=b"<html>gateway</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json={"choices": [{"message": {"role": "assistant", "content": None}}]}),
    ]
    route = llm_mock.post("/chat/completions")
    for fallback in (True, False):
        # Four bad answers stay under the breaker's threshold (5): each body reaches the parser.
        settings = llm_settings(redis_server.url, llm_max_attempts=1, llm_fallback_offline=fallback)
        async with AsyncTestClient(app=create_app(settings)) as client:
            for index, body in enumerate(bodies):
                route.mock(return_value=body)
                response = await client.post("/v1/drafts", json={**seed_thread(), "id": f"bad-{index}"})
                assert response.status_code == (200 if fallback else 503), (index, response.text)
                if fallback:
                    assert response.json()["provider"] == "offline"
                else:
                    assert "bad_response" in response.json()["detail"]
        await redis_client.flushdb()  # the breaker's shared failure count
