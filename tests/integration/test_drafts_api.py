"""POST /v1/drafts through the real app, a real Redis and a respx-mocked LLM endpoint."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.drafting.pipeline import decide_status
from service.guardrails import CheckContext, load_guardrails
from service.models import DraftStatus, Finding, GuardrailReport, Provider, Severity, Thread, Verdict
from tests.integration.conftest import GOOD_REPLY, llm_settings, reply_response, seed_thread

DRAFT_FIELDS = {
    "id", "status", "reply", "rejected_draft", "guardrails", "provider", "model", "prompt_version",
    "attempts", "cached", "usage", "timings_ms", "analysis", "llm_incidents",
}  # fmt: skip


def acknowledgement_passes(text: str, thread: dict[str, Any]) -> bool:
    report = load_guardrails().check(text, CheckContext(thread=Thread.model_validate(thread)))
    return not report.failed("acknowledgement")


async def test_offline_draft_then_cache_hit(offline_client: AsyncTestClient[Any]) -> None:
    thread = seed_thread()
    first = await offline_client.post("/v1/drafts", json=thread)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == DRAFT_FIELDS
    assert body["provider"] == "offline"
    assert body["status"] == "needs_review"  # never approved without an agent's review
    assert body["reply"]
    assert acknowledgement_passes(body["reply"], thread)
    assert body["cached"] is False
    assert first.headers["x-cache"] == "MISS"
    # How the customer was read, with spans into their newest message.
    analysis = body["analysis"]
    assert analysis["register"] in ("formal", "informal", "unknown")
    newest = thread["messages"][analysis["request"]["message"]]["body"] if analysis["request"] else ""
    if analysis["request"]:
        assert (
            newest[analysis["request"]["start"] : analysis["request"]["end"]] == analysis["request"]["text"]
        )
    assert "total;dur=" in first.headers["server-timing"]

    second = await offline_client.post("/v1/drafts", json=thread)
    assert second.headers["x-cache"] == "HIT"
    assert second.json()["cached"] is True
    assert second.json()["id"] == body["id"]
    assert second.json()["reply"] == body["reply"]


async def test_llm_draft_is_approved_with_usage(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(return_value=reply_response(GOOD_REPLY))
    response = await llm_client.post("/v1/drafts", json=seed_thread())
    body = response.json()
    assert response.status_code == 200, body
    assert body["provider"] == "openai"
    assert body["model"] == "mock-1"
    assert body["status"] in {"approved", "needs_review"}
    assert body["reply"] == GOOD_REPLY
    assert body["usage"] == {"prompt_tokens": 120, "completion_tokens": 80, "estimated": False}
    assert body["attempts"] == 1
    assert route.call_count == 1
    sent = route.calls.last.request
    assert b"charged twice" in sent.content  # the thread reached the prompt
    assert {"llm", "guard", "total"} <= set(body["timings_ms"])


async def test_draft_without_acknowledgement_is_reasked_not_patched(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    cold = (
        "Hi Dana,\n\nThe duplicate charge has been refunded. It will show in 3-5 days.\n\nBest regards,\nSam"
    )
    route = llm_mock.post("/chat/completions").mock(
        side_effect=[reply_response(cold), reply_response(GOOD_REPLY)]
    )
    thread = seed_thread()
    body = (await llm_client.post("/v1/drafts", json=thread)).json()
    # No stock sentence is glued in front of the model's draft: the model is asked again.
    assert route.call_count == 2
    assert body["reply"] == GOOD_REPLY
    assert acknowledgement_passes(body["reply"], thread)
    assert "Acknowledge the customer" in route.calls.last.request.content.decode()


async def test_a_cold_draft_the_model_never_fixes_is_blocked(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    cold = "Hi Dana,\n\nThe duplicate charge has been refunded.\n\nBest regards,\nSam"
    llm_mock.post("/chat/completions").mock(return_value=reply_response(cold))
    body = (await llm_client.post("/v1/drafts", json=seed_thread())).json()
    assert body["status"] == "blocked"
    assert body["reply"] is None
    assert body["rejected_draft"] == cold


async def test_blocking_finding_triggers_a_reask(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    leaky = GOOD_REPLY.replace(
        "Best regards", "Your temporary key is sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\n\nBest regards"
    )
    route = llm_mock.post("/chat/completions").mock(
        side_effect=[reply_response(leaky), reply_response(GOOD_REPLY)]
    )
    body = (await llm_client.post("/v1/drafts", json=seed_thread())).json()
    assert route.call_count == 2
    assert body["attempts"] == 2
    assert body["reply"] == GOOD_REPLY
    # The re-ask shows the model its draft with the secret masked: no secret goes back out.
    reask = route.calls.last.request.content.decode()
    assert "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" not in reask


async def test_persistent_blocking_finding_is_never_sendable(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    placeholder = GOOD_REPLY.replace("Hi Dana", "Hi [Customer Name]")
    route = llm_mock.post("/chat/completions").mock(return_value=reply_response(placeholder))
    body = (await llm_client.post("/v1/drafts", json=seed_thread())).json()
    assert body["status"] == "blocked"
    assert body["reply"] is None
    assert body["rejected_draft"] is not None
    assert "[Customer Name]" in body["rejected_draft"]
    assert body["attempts"] == 3  # the first draft plus two re-asks (TACTFUL_GUARD_MAX_REASKS)
    assert route.call_count == 3
    assert any(f["rule"] == "placeholder" for f in body["guardrails"]["findings"])


async def test_llm_down_falls_back_to_offline_and_is_not_cached(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(return_value=httpx.Response(500, json={"error": "boom"}))
    thread = seed_thread()
    first = await llm_client.post("/v1/drafts", json=thread)
    body = first.json()
    assert first.status_code == 200, body
    assert body["provider"] == "offline"
    assert body["status"] == "needs_review"
    calls_after_first = route.call_count
    assert calls_after_first == 3  # TACTFUL_LLM_MAX_ATTEMPTS
    second = await llm_client.post("/v1/drafts", json=thread)
    assert second.headers["x-cache"] == "MISS"  # a fallback is served, never stored
    assert route.call_count > calls_after_first


async def test_no_cache_header_regenerates(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(return_value=reply_response(GOOD_REPLY))
    thread = seed_thread()
    await llm_client.post("/v1/drafts", json=thread)
    hit = await llm_client.post("/v1/drafts", json=thread)
    fresh = await llm_client.post("/v1/drafts", json=thread, headers={"Cache-Control": "no-cache"})
    assert hit.headers["x-cache"] == "HIT"
    assert fresh.headers["x-cache"] == "MISS"
    assert route.call_count == 2


async def test_fifty_concurrent_identical_requests_make_one_llm_call(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    async def slow_reply(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.2)
        return reply_response(GOOD_REPLY)

    route = llm_mock.post("/chat/completions").mock(side_effect=slow_reply)
    thread = seed_thread()
    responses = await asyncio.gather(*(llm_client.post("/v1/drafts", json=thread) for _ in range(50)))
    assert {r.status_code for r in responses} == {200}
    assert route.call_count == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers["x-cache"] == "MISS" for r in responses) == 1


async def test_different_tickets_never_share_a_draft(
    llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(return_value=reply_response(GOOD_REPLY))
    thread = seed_thread()
    other = {**thread, "id": "another-ticket"}
    await llm_client.post("/v1/drafts", json=thread)
    second = await llm_client.post("/v1/drafts", json=other)
    assert second.headers["x-cache"] == "MISS"
    assert route.call_count == 2


async def test_acknowledgement_turned_down_to_info_still_guards_the_reply(
    redis_server: Any, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    # An operator may lower the rule's severity for reports, never for what is sendable.
    settings = llm_settings(redis_server.url, guard_severities={"acknowledgement": "info"})
    cold = "The duplicate charge has been refunded. It will show in 3-5 days."
    route = llm_mock.post("/chat/completions").mock(return_value=reply_response(cold))
    thread = seed_thread()
    async with AsyncTestClient(app=create_app(settings)) as client:
        body = (await client.post("/v1/drafts", json=thread)).json()
    if body["reply"] is None:
        assert body["status"] == "blocked"
        assert route.call_count == 3  # re-asked for the acknowledgement like for a blocking finding
    else:
        assert acknowledgement_passes(body["reply"], thread)
        assert not any(f["rule"] == "acknowledgement" for f in body["guardrails"]["findings"])


def test_an_acknowledgement_finding_of_any_severity_blocks() -> None:
    finding = Finding(rule="acknowledgement", severity=Severity.info, message="No acknowledgement.")
    report = GuardrailReport(verdict=Verdict.pass_, ruleset_version="x", findings=[finding])
    assert decide_status(report, provider=Provider.openai) is DraftStatus.blocked


def test_a_repaired_draft_is_at_most_needs_review() -> None:
    report = GuardrailReport(verdict=Verdict.pass_, ruleset_version="x", findings=[])
    assert decide_status(report, provider=Provider.openai) is DraftStatus.approved
    assert decide_status(report, provider=Provider.openai, repaired=True) is DraftStatus.needs_review
