"""The feedback cycle on the real app and a real Redis: every outcome, replacement, tenants, expiry,
bad input, the summary's arithmetic and the metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.feedback import records as rec
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings, seed_thread

KEY = Fernet.generate_key().decode()


async def draft(client: AsyncTestClient[Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await client.post("/v1/drafts", json=seed_thread(), headers=headers or {})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def draft_text(result: dict[str, Any]) -> str:
    return str(result["reply"] or result["rejected_draft"])


@pytest.fixture
async def keyed(redis_server: EmbeddedRedis, redis_client: Any) -> Any:
    async with AsyncTestClient(app=create_app(make_settings(redis_server.url, feedback_key=KEY))) as client:
        yield client


async def test_every_outcome_is_recorded_and_summarised(
    keyed: AsyncTestClient[Any], redis_client: Any
) -> None:
    sent, edited, discarded = await draft(keyed), None, None
    # Three different threads make three drafts.
    thread = seed_thread()
    thread["messages"][0]["body"] += " Order 1."
    edited = (await keyed.post("/v1/drafts", json=thread)).json()
    thread["messages"][0]["body"] += " Order 2."
    discarded = (await keyed.post("/v1/drafts", json=thread)).json()

    response = await keyed.post(f"/v1/drafts/{sent['id']}/feedback", json={"outcome": "sent"})
    assert response.status_code == 204
    original = draft_text(edited)
    changed = original.replace(original.split()[1], "there", 1) + "\nOne more line."
    response = await keyed.post(
        f"/v1/drafts/{edited['id']}/feedback", json={"outcome": "edited", "final_text": changed}
    )
    assert response.status_code == 204
    response = await keyed.post(
        f"/v1/drafts/{discarded['id']}/feedback", json={"outcome": "discarded", "reason": "wrong order"}
    )
    assert response.status_code == 204

    summary = (await keyed.get("/v1/feedback/summary", params={"group_by": "provider"})).json()
    overall = summary["overall"]
    assert overall["outcomes"] == {"sent": 1, "edited": 1, "discarded": 1}
    assert overall["total"] == 3
    assert overall["accepted"] == 1
    assert overall["acceptance_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert overall["edit_distance"]["char"]["n"] == 2
    assert overall["edit_distance"]["char"]["median"] == 0.0
    assert 0 < overall["edit_distance"]["char"]["p90"] < 0.5
    assert [g["key"] for g in summary["groups"]] == ["offline"]
    assert summary["days"][0]["groups"]["offline"] == [3, 1]

    # The edited text is kept sealed: not in clear anywhere in Redis.
    item = rec.decode_item(await redis_client.get(rec.item_key(edited["id"])))
    assert item.final_text is not None
    assert "One more line" not in item.final_text
    assert item.char_distance is not None
    assert item.char_distance > 0
    assert item.changed_sentences
    for key in await redis_client.keys("tactful:fb:*"):
        if (await redis_client.type(key)) == b"string":
            assert b"One more line" not in await redis_client.get(key)


async def test_second_feedback_replaces_the_first(keyed: AsyncTestClient[Any]) -> None:
    result = await draft(keyed)
    url = f"/v1/drafts/{result['id']}/feedback"
    assert (await keyed.post(url, json={"outcome": "discarded"})).status_code == 204
    assert (await keyed.post(url, json={"outcome": "sent"})).status_code == 204
    overall = (await keyed.get("/v1/feedback/summary")).json()["overall"]
    assert overall["outcomes"] == {"sent": 1, "edited": 0, "discarded": 0}
    assert overall["accepted"] == 1


async def test_cached_draft_keeps_its_id_resolvable(keyed: AsyncTestClient[Any]) -> None:
    first, second = await draft(keyed), await draft(keyed)
    assert second["cached"]
    assert second["id"] == first["id"]
    response = await keyed.post(f"/v1/drafts/{second['id']}/feedback", json={"outcome": "sent"})
    assert response.status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "edited"},
        {"outcome": "edited", "final_text": "   "},
        {"outcome": "maybe"},
        {"outcome": "sent", "final_text": "x" * 10_001},
        {"outcome": "discarded", "reason": "r" * 1_001},
        {"outcome": "sent", "surprise": 1},
        {},
    ],
)
async def test_bad_input_is_a_422_problem(keyed: AsyncTestClient[Any], body: dict[str, Any]) -> None:
    result = await draft(keyed)
    response = await keyed.post(f"/v1/drafts/{result['id']}/feedback", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "x" * 50 not in response.text
    assert "r" * 50 not in response.text


@pytest.mark.parametrize("draft_id", ["drf_" + "0" * 32, "nope", "drf_../../x"])
async def test_unknown_draft_is_404(keyed: AsyncTestClient[Any], draft_id: str) -> None:
    response = await keyed.post(f"/v1/drafts/{draft_id}/feedback", json={"outcome": "sent"})
    assert response.status_code == 404
    assert response.json()["type"].endswith("unknown-draft")


async def test_tenants_are_isolated(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = make_settings(redis_server.url, api_keys="key-a,key-b")
    a, b = {"Authorization": "Bearer key-a"}, {"Authorization": "Bearer key-b"}
    async with AsyncTestClient(app=create_app(settings)) as client:
        result = await draft(client, a)
        url = f"/v1/drafts/{result['id']}/feedback"
        assert (await client.post(url, json={"outcome": "sent"}, headers=b)).status_code == 404
        assert (await client.post(url, json={"outcome": "sent"}, headers=a)).status_code == 204
        assert (await client.get("/v1/feedback/summary", headers=b)).json()["overall"]["total"] == 0
        assert (await client.get("/v1/feedback/summary", headers=a)).json()["overall"]["total"] == 1
        assert (await client.post(url, json={"outcome": "sent"})).status_code == 401


async def test_expired_draft_is_404(keyed: AsyncTestClient[Any], redis_client: Any) -> None:
    result = await draft(keyed)
    await redis_client.delete(rec.draft_key(result["id"]))  # what the retention TTL does
    response = await keyed.post(f"/v1/drafts/{result['id']}/feedback", json={"outcome": "sent"})
    assert response.status_code == 404


async def test_records_expire_with_the_retention(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = make_settings(redis_server.url, feedback_retention_days=2, feedback_key=KEY)
    async with AsyncTestClient(app=create_app(settings)) as client:
        result = await draft(client)
        await client.post(f"/v1/drafts/{result['id']}/feedback", json={"outcome": "sent"})
    for key in (rec.draft_key(result["id"]), rec.item_key(result["id"])):
        assert 0 < await redis_client.ttl(key) <= 2 * 86_400
    day = datetime.now(UTC).date().isoformat()
    assert 2 * 86_400 < await redis_client.ttl(rec.agg_key("", day, "all")) <= 4 * 86_400


async def test_without_a_key_only_distances_are_kept(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    async with AsyncTestClient(app=create_app(make_settings(redis_server.url))) as client:
        result = await draft(client)
        final = draft_text(result) + "\nA secret postscript."
        response = await client.post(
            f"/v1/drafts/{result['id']}/feedback",
            json={"outcome": "edited", "final_text": final, "reason": "postscript"},
        )
        assert response.status_code == 204
    item = rec.decode_item(await redis_client.get(rec.item_key(result["id"])))
    assert item.final_text is None
    assert item.reason is None
    assert item.char_distance is not None
    assert 0 < item.char_distance < 0.2
    record = rec.decode_record(await redis_client.get(rec.draft_key(result["id"])))
    assert record.text is None
    assert record.customer is None
    # The clear draft text lives no longer than the draft cache keeps the same text.
    assert 0 < await redis_client.ttl(rec.text_key(result["id"])) <= 86_400


async def test_summary_since_and_group_by_are_validated(keyed: AsyncTestClient[Any]) -> None:
    for since in ("2026-12-01", "2026-12-01T10:00:00Z", "7d", ""):
        assert (await keyed.get("/v1/feedback/summary", params={"since": since})).status_code == 200
    for params in ({"since": "yesterday"}, {"group_by": "colour"}):
        response = await keyed.get("/v1/feedback/summary", params=params)
        assert response.status_code in (400, 422)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_metrics_carry_the_summary(keyed: AsyncTestClient[Any]) -> None:
    result = await draft(keyed)
    await keyed.post(f"/v1/drafts/{result['id']}/feedback", json={"outcome": "sent"})
    text = (await keyed.get("/metrics")).text
    version = result["prompt_version"]
    assert f'tactful_feedback_outcomes{{outcome="sent",prompt_version="{version}"}} 1.0' in text
    assert "tactful_feedback_acceptance_ratio" in text
    assert 'tactful_feedback_received_total{outcome="sent",source="api"} 1.0' in text


async def test_drafts_are_recorded_with_the_cache_off(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = make_settings(redis_server.url, cache_ttl_s=0, feedback_key=KEY)
    async with AsyncTestClient(app=create_app(settings)) as client:
        result = await draft(client)
        response = await client.post(f"/v1/drafts/{result['id']}/feedback", json={"outcome": "sent"})
        assert response.status_code == 204
