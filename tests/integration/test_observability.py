"""/metrics (the issue's list of figures, optional token), request ids in responses and logs."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient
from prometheus_client import CONTENT_TYPE_LATEST

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, completion, llm_settings, make_settings, seed_thread
from tests.integration.test_log_privacy import json_logging, start_json_logging
from tests.integration.webhooks.conftest import hook_settings, post_seed, running_worker, seed, wait_job

__all__ = ["json_logging"]  # a fixture, imported for its use below

EXPECTED_FAMILIES = (
    'tactful_draft_seconds_bucket{le="0.001",phase="llm"}',
    'tactful_draft_seconds_count{phase="guard"}',
    'tactful_draft_seconds_count{phase="total"}',
    'tactful_llm_tokens_total{kind="prompt"}',
    'tactful_draft_cache_total{outcome="miss"} 1.0',
    'tactful_draft_cache_total{outcome="hit"} 1.0',
    "tactful_guardrail_findings_total",
    'tactful_drafts_total{cache="MISS",provider="openai",status="approved"} 1.0',
    'tactful_llm_breaker_state{state="closed"} 1.0',
    'tactful_llm_breaker_state{state="open"} 0.0',
    'tactful_http_requests_total{method="POST",route="/v1/drafts",status="200"} 2.0',
    "tactful_http_requests_in_flight",
)


async def test_metrics_cover_the_draft_path(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    llm_mock.post("/chat/completions").mock(return_value=httpx.Response(200, json=completion(GOOD_REPLY)))
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        for _ in range(2):
            assert (await client.post("/v1/drafts", json=seed_thread())).status_code == 200
        scraped = await client.get("/metrics")
        text = scraped.text
    # Exactly the exposition format's type: Litestar must not append a second charset.
    assert scraped.headers["content-type"] == CONTENT_TYPE_LATEST
    for family in EXPECTED_FAMILIES:
        assert family in text, family


async def test_llm_errors_are_counted_by_kind(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    llm_mock.post("/chat/completions").mock(return_value=httpx.Response(500, json={"error": {}}))
    settings = llm_settings(redis_server.url, llm_max_attempts=1)
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.post("/v1/drafts", json=seed_thread())).json()["provider"] == "offline"
        text = (await client.get("/metrics")).text
    assert 'tactful_llm_errors_total{kind="server_error"} 1.0' in text


async def test_metrics_token(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = make_settings(redis_server.url, metrics_token="scrape-me-please")
    async with AsyncTestClient(app=create_app(settings)) as client:
        refused = await client.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert ok.status_code == 200
        assert "tactful_drafts_total" in ok.text


async def test_request_ids_in_responses_and_logs(
    json_logging: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    redis_server: EmbeddedRedis,
    redis_client: Any,
) -> None:
    start_json_logging(json_logging)
    async with AsyncTestClient(app=create_app(make_settings(redis_server.url))) as client:
        given = await client.post("/v1/drafts", json=seed_thread(), headers={"X-Request-ID": "lb-abc.123"})
        fresh = await client.post("/v1/drafts", json=seed_thread())
        hostile = await client.get("/health/live", headers={"X-Request-ID": "x" * 500})
    assert given.headers["x-request-id"] == "lb-abc.123"
    assert len(fresh.headers["x-request-id"]) == 32
    assert len(hostile.headers["x-request-id"]) == 32  # not echoed: too long to be an id
    _, err = capfd.readouterr()
    events = [json.loads(line) for line in err.splitlines() if line.strip()]
    done = [e for e in events if e["event"] == "draft.done"]
    assert [e["request_id"] for e in done] == ["lb-abc.123", fresh.headers["x-request-id"]]
    access = [e for e in events if e["event"] == "http.request" and e["route"] == "/v1/drafts"]
    assert {e["request_id"] for e in access} == {"lb-abc.123", fresh.headers["x-request-id"]}
    assert all(e["status"] == 200 and e["method"] == "POST" for e in access)
    assert logging.getLogger().handlers  # the fixture restores the configuration afterwards


async def test_job_figures_are_read_from_the_queue_at_scrape(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    # A delivery enqueues a job; no worker runs here, so it stays queued.
    async with AsyncTestClient(app=create_app(hook_settings(redis_server.url))) as client:
        assert (await post_seed(client, seed("chatwoot.message_created"))).status_code == 202
        text = (await client.get("/metrics")).text
    assert 'tactful_jobs{state="queued"} 1.0' in text
    assert 'tactful_jobs{state="running"} 0.0' in text
    assert "tactful_jobs_dead_lettered 0.0" in text
    assert "tactful_job_failed_attempts 0.0" in text


async def test_every_line_a_job_logs_carries_its_id(
    json_logging: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    redis_server: EmbeddedRedis,
    redis_client: Any,
) -> None:
    start_json_logging(json_logging)
    settings = hook_settings(redis_server.url, helpdesks=False)
    async with AsyncTestClient(app=create_app(settings)) as client:
        job_id = (await post_seed(client, seed("zammad.customer_article"))).json()["job_id"]
        async with running_worker(settings):
            assert (await wait_job(client, job_id))["state"] == "complete"
    _, err = capfd.readouterr()
    events = [json.loads(line) for line in err.splitlines() if line.strip()]
    done = [e for e in events if e["event"] == "draft.done" and e.get("job_id") == job_id]
    assert len(done) == 1  # the pipeline's own line, bound to the job without naming it
    assert any(e["event"] == "job.done" and e["job_id"] == job_id for e in events)
