"""POST /v1/webhooks/{source}: verification, ignored events, idempotency, enqueue failure."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.jobs import keys
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.webhooks.conftest import (
    SECRETS,
    hook_settings,
    post_seed,
    seed,
    signed,
    with_body,
)

CUSTOMER_SEEDS = [
    "chatwoot.message_created",
    "zendesk.trigger_comment",
    "zendesk.comment_added_event",
    "zammad.customer_article",
    "front.inbound_received",
    "intercom.conversation_user_replied",
    "helpscout.customer_reply",
    "freescout.customer_reply",
    "freshdesk.ticket_reply",
    "generic.message_created",
]

# Freshdesk cannot sign: its token authenticates the sender, not the body.
SIGNED_SEEDS = [name for name in CUSTOMER_SEEDS if not name.startswith("freshdesk")]


async def queued_jobs(redis: aioredis.Redis) -> int:
    return int(await redis.zcard(keys.saq("incomplete")))


@pytest.mark.parametrize("name", CUSTOMER_SEEDS)
async def test_a_signed_customer_message_is_accepted_with_a_job(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis, name: str
) -> None:
    response = await post_seed(hooks, seed(name))
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert job_id.startswith("job_")
    assert await queued_jobs(redis_client) == 1
    view = (await hooks.get(f"/v1/jobs/{job_id}")).json()
    assert view["state"] == "queued"
    assert view["source"] == seed(name).source
    assert view["attempts"] == 0


@pytest.mark.parametrize("name", ["chatwoot.message_created", "generic.message_created"])
async def test_a_duplicate_delivery_gets_the_same_job_and_no_second_one(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis, name: str
) -> None:
    raw, headers = signed(seed(name))
    first = await hooks.post(f"/v1/webhooks/{seed(name).source}", content=raw, headers=headers)
    again = await hooks.post(f"/v1/webhooks/{seed(name).source}", content=raw, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == {"job_id": first.json()["job_id"], "duplicate": True}
    assert await queued_jobs(redis_client) == 1
    [claim] = await redis_client.keys("tactful:webhook:seen:*")
    assert await redis_client.get(claim) == first.json()["job_id"].encode()
    assert 0 < await redis_client.ttl(claim) <= 259_200  # TACTFUL_WEBHOOK_IDEMPOTENCY_TTL_S


@pytest.mark.parametrize("name", ["chatwoot.agent_reply", "zammad.internal_note"])
async def test_events_that_are_not_customer_messages_answer_200_and_queue_nothing(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis, name: str
) -> None:
    response = await post_seed(hooks, seed(name))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert await queued_jobs(redis_client) == 0


@pytest.mark.parametrize(
    ("name", "mutate"),
    [
        ("chatwoot.message_created", lambda b: b.update(private=True)),
        ("chatwoot.message_created", lambda b: b.update(event="conversation_status_changed")),
        ("chatwoot.message_created", lambda b: b.update(content="[Tactful] draft reply ...")),
        ("zendesk.trigger_comment", lambda b: b["comment"].update(author_id="5")),
        ("zendesk.trigger_comment", lambda b: b["comment"].update(public="false")),
        ("front.inbound_received", lambda b: b.update(type="outbound_sent")),
        ("intercom.conversation_user_replied", lambda b: b.update(topic="conversation.admin.replied")),
        ("generic.message_created", lambda b: b.update(type="ticket.closed")),
    ],
)
async def test_agent_notes_status_changes_and_our_own_notes_are_ignored(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis, name: str, mutate: Any
) -> None:
    response = await post_seed(hooks, with_body(seed(name), mutate))
    assert response.status_code == 200, response.text
    assert await queued_jobs(redis_client) == 0


async def test_helpscout_agent_reply_event_is_ignored(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis
) -> None:
    original = seed("helpscout.customer_reply")
    agent = type(original)(
        original.name, original.source, {"X-HelpScout-Event": "convo.agent.reply.created"}, original.body
    )
    assert (await post_seed(hooks, agent)).status_code == 200
    assert await queued_jobs(redis_client) == 0


@pytest.mark.parametrize("name", SIGNED_SEEDS)
async def test_tampered_body_is_401(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis, name: str
) -> None:
    raw, headers = signed(seed(name))
    tampered = raw.replace(b"e", b"E", 1)
    response = await hooks.post(f"/v1/webhooks/{seed(name).source}", content=tampered, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await queued_jobs(redis_client) == 0


@pytest.mark.parametrize("name", CUSTOMER_SEEDS)
async def test_missing_signature_is_401(hooks: AsyncTestClient[Any], name: str) -> None:
    raw, headers = signed(seed(name))
    unsigned = {k: v for k, v in headers.items() if k.lower() == "content-type" or k in seed(name).headers}
    response = await hooks.post(f"/v1/webhooks/{seed(name).source}", content=raw, headers=unsigned)
    assert response.status_code == 401
    assert "missing" in response.json()["detail"]


@pytest.mark.parametrize("name", CUSTOMER_SEEDS)
async def test_wrong_secret_is_401(redis_server: EmbeddedRedis, redis_client: Any, name: str) -> None:
    source = seed(name).source
    wrong = "whsec_" + "d3Jvbmcta2V5LXdyb25nLWtleQ==" if source == "generic" else "not-the-secret-0123456"
    overrides: dict[str, Any] = {f"webhook_secret_{source}": wrong}
    settings = hook_settings(redis_server.url, **overrides)
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await post_seed(client, seed(name))).status_code == 401


@pytest.mark.parametrize(
    "name",
    [
        "chatwoot.message_created",
        "zendesk.trigger_comment",
        "front.inbound_received",
        "generic.message_created",
    ],
)
async def test_stale_timestamp_is_401_even_with_a_valid_signature(
    hooks: AsyncTestClient[Any], name: str
) -> None:
    response = await post_seed(hooks, seed(name), now=time.time() - 3_600)
    assert response.status_code == 401
    assert "replay window" in response.json()["detail"]


async def test_front_setup_challenge_is_echoed(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis
) -> None:
    body = b'{"type":"sync","authorization":{"id":"cmp_1a2b"}}'
    headers = {"X-Front-Challenge": "c7f1e2d9", **signed(seed("front.inbound_received"), body=body)[1]}
    response = await hooks.post("/v1/webhooks/front", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"challenge": "c7f1e2d9"}
    assert await queued_jobs(redis_client) == 0


async def test_an_unsigned_front_challenge_is_refused(hooks: AsyncTestClient[Any]) -> None:
    response = await hooks.post("/v1/webhooks/front", content=b"{}", headers={"X-Front-Challenge": "x"})
    assert response.status_code == 401


async def test_unknown_or_unconfigured_source_is_404(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = hook_settings(redis_server.url, webhook_secret_zammad=None)
    async with AsyncTestClient(app=create_app(settings)) as client:
        unknown = await client.post("/v1/webhooks/jira-x9q", content=b"{}")
        assert unknown.status_code == 404
        assert unknown.json()["title"] == "Unknown webhook source"
        assert "jira-x9q" not in unknown.json()["detail"]  # only `instance` names the path
        disabled = await post_seed(client, seed("zammad.customer_article"))
        assert disabled.status_code == 404
        assert disabled.json()["title"] == "Webhook source not enabled"
        assert "TACTFUL_WEBHOOK_SECRET_ZAMMAD" in disabled.json()["detail"]


async def test_body_that_is_not_json_is_400_and_a_wrong_shape_is_422(hooks: AsyncTestClient[Any]) -> None:
    raw, headers = signed(seed("chatwoot.message_created"), body=b"not json")
    assert (await hooks.post("/v1/webhooks/chatwoot", content=raw, headers=headers)).status_code == 400
    shapeless = with_body(seed("chatwoot.message_created"), lambda b: b.pop("conversation"))
    response = await post_seed(hooks, shapeless)
    assert response.status_code == 422
    assert "conversation" in response.json()["detail"]
    assert "frustrated" not in response.text  # no ticket text in errors


async def test_webhooks_need_no_api_key_but_jobs_do(
    redis_server: EmbeddedRedis, redis_client: Any, tmp_path: Path
) -> None:
    # The key reads the job because the same tenant profile claims it and the chatwoot source.
    digest = hashlib.sha256(b"k-123").hexdigest()
    profile = f"company: Acme\napi_key_sha256: [{digest}]\nwebhook_sources: [chatwoot]\n"
    (tmp_path / "acme.yaml").write_text(profile, encoding="utf-8")
    settings = hook_settings(redis_server.url, api_keys="k-123", tenants_dir=tmp_path)
    async with AsyncTestClient(app=create_app(settings)) as client:
        accepted = await post_seed(client, seed("chatwoot.message_created"))
        assert accepted.status_code == 202
        job_url = f"/v1/jobs/{accepted.json()['job_id']}"
        assert (await client.get(job_url)).status_code == 401
        assert (await client.get(job_url, headers={"Authorization": "Bearer k-123"})).status_code == 200


async def test_unknown_job_is_404(hooks: AsyncTestClient[Any]) -> None:
    response = await hooks.get("/v1/jobs/job_doesnotexist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_enqueue_failure_answers_503_and_releases_the_key(
    hooks: AsyncTestClient[Any], redis_client: aioredis.Redis
) -> None:
    # A real Redis error in the enqueue script: the queue's sorted set is taken by a string.
    await redis_client.set(keys.saq("incomplete"), "not a sorted set")
    delivery = seed("chatwoot.message_created")
    refused = await post_seed(hooks, delivery)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert await redis_client.keys("tactful:webhook:seen:*") == []
    await redis_client.delete(keys.saq("incomplete"))
    retried = await post_seed(hooks, delivery)
    assert retried.status_code == 202
    assert retried.json().get("duplicate", False) is False
    assert await queued_jobs(redis_client) == 1


async def test_a_job_no_replica_acknowledged_answers_503_and_releases_the_key(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # TACTFUL_REDIS_REPLICAS_ACK=1 and the test's Redis has no replica: a 202 would be a promise a
    # failover could break, so the helpdesk gets 503 and its retry is not taken for a duplicate.
    settings = hook_settings(redis_server.url, redis_replicas_ack=1, redis_replica_wait_ms=20)
    async with AsyncTestClient(app=create_app(settings)) as client:
        refused = await post_seed(client, seed("chatwoot.message_created"))
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert await redis_client.keys("tactful:webhook:seen:*") == []


async def test_without_redis_webhooks_answer_503(redis_server: EmbeddedRedis) -> None:
    async with AsyncTestClient(app=create_app(hook_settings(None))) as client:
        response = await post_seed(client, seed("chatwoot.message_created"))
    assert response.status_code == 503
    assert "Retry-After" in response.headers


def test_every_source_has_a_secret_in_the_fixtures() -> None:
    from service.integrations import SOURCES

    assert set(SOURCES) == set(SECRETS)
