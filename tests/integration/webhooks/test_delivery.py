"""A real SAQ worker drafts each accepted delivery and posts it back; respx checks the exact requests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.integrations.html_text import text_to_html
from service.integrations.notes import note_for
from service.integrations.signatures import standard_signature
from service.jobs import keys, queue_stats
from service.models import DraftResult
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, LLM_BASE_URL, reply_response
from tests.integration.webhooks.conftest import (
    CALLBACK_KEY,
    hook_settings,
    post_seed,
    running_worker,
    seed,
    wait_job,
)

Expect = Callable[[DraftResult], dict[str, Any]]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# seed -> (method, URL, headers that must be sent, JSON body as a function of the draft)
CASES: dict[str, tuple[str, str, dict[str, str], Expect]] = {
    "chatwoot.message_created": (
        "POST",
        "https://chatwoot.test/api/v1/accounts/1/conversations/57/messages",
        {"api_access_token": "cw-token"},
        lambda d: {"content": note_for(d), "message_type": "outgoing", "private": True},
    ),
    "zendesk.trigger_comment": (
        "PUT",
        "https://acme.zendesk.test/api/v2/tickets/35436.json",
        {"authorization": basic("bot@acme.test/token", "zd-token")},
        lambda d: {"ticket": {"comment": {"body": note_for(d), "public": False}}},
    ),
    "zammad.customer_article": (
        "POST",
        "https://zammad.test/api/v1/ticket_articles",
        {"authorization": "Token token=zm-token"},
        lambda d: {
            "ticket_id": 812,
            "subject": "Tactful draft",
            "body": note_for(d),
            "content_type": "text/plain",
            "type": "note",
            "internal": True,
        },
    ),
    "front.inbound_received": (
        "POST",
        "https://front.test/conversations/cnv_7h2k9/drafts",
        {"authorization": "Bearer fr-token"},
        lambda d: {"body": text_to_html(d.reply or ""), "mode": "shared"},
    ),
    "intercom.conversation_user_replied": (
        "POST",
        "https://intercom.test/conversations/215469/reply",
        {"authorization": "Bearer ic-token", "intercom-version": "2.11"},
        lambda d: {
            "message_type": "note",
            "type": "admin",
            "admin_id": "991",
            "body": text_to_html(note_for(d)),
        },
    ),
    "helpscout.customer_reply": (
        "POST",
        "https://helpscout.test/v2/conversations/2391938111/notes",
        {"authorization": "Bearer hs-access-1"},
        lambda d: {"text": text_to_html(note_for(d))},
    ),
    "freescout.customer_reply": (
        "POST",
        "https://freescout.test/api/conversations/73/threads",
        {"x-freescout-api-key": "fs-key"},
        lambda d: {"type": "message", "text": text_to_html(d.reply or ""), "user": 7, "state": "draft"},
    ),
    "freshdesk.ticket_reply": (
        "POST",
        "https://acme.freshdesk.test/api/v2/tickets/1402/notes",
        {"authorization": basic("fd-key", "X")},
        lambda d: {"body": text_to_html(note_for(d)), "private": True},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_the_draft_lands_in_the_helpdesk_as_the_api_expects(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis, name: str
) -> None:
    method, url, headers, expected_body = CASES[name]
    route = helpdesk.request(method, url).respond(
        201, json={"id": 9001, "audit": {"id": 9001}}, headers={"Resource-ID": "9001"}
    )
    token = helpdesk.post("https://helpscout.test/v2/oauth2/token").respond(
        200, json={"access_token": "hs-access-1", "token_type": "bearer", "expires_in": 7200}
    )
    accepted = await post_seed(hooks, seed(name))
    assert accepted.status_code == 202
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete", view
    assert view["attempts"] == 1
    draft = DraftResult.model_validate(view["draft"])
    assert draft.provider == "offline"
    assert draft.status.value == "needs_review"
    assert route.call_count == 1
    sent = route.calls.last.request
    for header, value in headers.items():
        assert sent.headers[header] == value
    assert json.loads(sent.content) == expected_body(draft)
    kind = "draft" if name.startswith(("front", "freescout")) else "note"
    assert view["deliveries"] == [
        {"channel": seed(name).source, "delivered": True, "kind": kind, "reference": "9001", "reason": None}
    ]
    if name.startswith("helpscout"):
        assert token.call_count == 1
        form = dict(x.split("=") for x in token.calls.last.request.content.decode().split("&"))
        assert form == {
            "grant_type": "client_credentials",
            "client_id": "hs-app",
            "client_secret": "hs-app-secret",
        }


async def test_generic_draft_comes_back_as_a_signed_standard_webhook(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    route = helpdesk.post("https://receiver.test/tactful").respond(204)
    accepted = await post_seed(hooks, seed("generic.message_created"))
    job_id = accepted.json()["job_id"]
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, job_id)
    assert view["state"] == "complete"
    sent = route.calls.last.request
    msg_id, ts = sent.headers["webhook-id"], sent.headers["webhook-timestamp"]
    assert sent.headers["webhook-signature"] == standard_signature(CALLBACK_KEY, msg_id, ts, sent.content)
    body = json.loads(sent.content)
    assert body["type"] == "draft.created"
    assert body["data"]["job_id"] == job_id
    assert body["data"]["reference"] == {"ticket": "HD-5521"}
    assert body["data"]["thread_id"] == "HD-5521"
    assert body["data"]["draft"]["id"] == view["draft"]["id"]
    assert body["data"]["as"] == "note"
    assert view["deliveries"][0]["channel"] == "callback"
    assert view["deliveries"][0]["delivered"] is True


async def test_callback_can_be_sent_for_helpdesk_sources_too(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    note = helpdesk.post(CASES["chatwoot.message_created"][1]).respond(200, json={"id": 1})
    callback = helpdesk.post("https://receiver.test/tactful").respond(200)
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url, callback_all_sources=True)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert note.call_count == callback.call_count == 1
    assert [d["channel"] for d in view["deliveries"]] == ["chatwoot", "callback"]


async def test_without_helpdesk_settings_the_job_completes_undelivered_with_the_reason(
    redis_server: EmbeddedRedis, redis_client: Any, helpdesk: respx.MockRouter
) -> None:
    settings = hook_settings(redis_server.url, helpdesks=False)
    async with AsyncTestClient(app=create_app(settings)) as client:
        accepted = await post_seed(client, seed("zammad.customer_article"))
        async with running_worker(settings):
            view = await wait_job(client, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert view["draft"]["reply"]
    assert view["deliveries"] == [
        {
            "channel": "zammad",
            "delivered": False,
            "kind": None,
            "reference": None,
            "reason": "not configured: set TACTFUL_ZAMMAD_BASE_URL, TACTFUL_ZAMMAD_API_TOKEN",
        }
    ]
    assert not helpdesk.calls


async def test_a_blocked_draft_is_delivered_as_a_note_saying_why_never_as_a_draft(
    redis_server: EmbeddedRedis, redis_client: Any, helpdesk: respx.MockRouter
) -> None:
    settings = hook_settings(
        redis_server.url,
        llm_provider="openai",
        llm_base_url=LLM_BASE_URL,
        llm_api_key="sk-test-not-real",
        llm_model="mock-1",
        guard_max_reasks=0,
    )
    helpdesk.post(f"{LLM_BASE_URL}/chat/completions").mock(
        return_value=reply_response(GOOD_REPLY.replace("Hi Dana", "Hi [Customer Name]"))
    )
    drafts = helpdesk.post("https://front.test/conversations/cnv_7h2k9/drafts").respond(200, json={"id": "x"})
    comments = helpdesk.post("https://front.test/conversations/cnv_7h2k9/comments").respond(
        201, json={"id": "com_1"}
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        accepted = await post_seed(client, seed("front.inbound_received"))
        async with running_worker(settings):
            view = await wait_job(client, accepted.json()["job_id"])
    assert view["draft"]["status"] == "blocked"
    assert drafts.call_count == 0
    note = json.loads(comments.calls.last.request.content)["body"]
    assert note.startswith("[Tactful] No draft this time")
    assert "placeholder" in note
    assert "I have started a refund" not in note  # the rejected text stays out of the helpdesk
    assert view["deliveries"][0]["kind"] == "note"


async def test_a_helpdesk_5xx_is_retried_and_the_note_posted_once(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    route = helpdesk.post(CASES["chatwoot.message_created"][1]).mock(
        side_effect=[httpx.Response(502), httpx.ConnectError("refused"), httpx.Response(200, json={"id": 77})]
    )
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert view["attempts"] == 3
    assert route.call_count == 3
    assert view["deliveries"][0]["reference"] == "77"


async def test_a_helpdesk_that_keeps_failing_dead_letters_the_job(
    hooks: AsyncTestClient[Any],
    helpdesk: respx.MockRouter,
    redis_server: EmbeddedRedis,
    redis_client: aioredis.Redis,
) -> None:
    route = helpdesk.post(CASES["chatwoot.message_created"][1]).respond(503)
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    job_id = accepted.json()["job_id"]
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, job_id)
    assert view["state"] == "failed"
    assert view["dead_lettered"] is True
    assert view["attempts"] == view["max_attempts"] == 3
    assert view["error"] == "JobFailure: delivery: chatwoot: HTTP 503"
    assert route.call_count == 3
    record = json.loads(await redis_client.hget(keys.DEAD_LETTERS, job_id))  # type: ignore[misc]
    assert record["source"] == "chatwoot"
    assert record["attempts"] == 3
    stats = await queue_stats(redis_client)
    assert (stats.dead_lettered, stats.failed, stats.queued, stats.running) == (1, 2, 0, 0)


@pytest.mark.parametrize("fallback", [True, False])
async def test_llm_down_retries_then_falls_back_offline_or_dead_letters(
    redis_server: EmbeddedRedis, redis_client: Any, helpdesk: respx.MockRouter, fallback: bool
) -> None:
    settings = hook_settings(
        redis_server.url,
        llm_provider="openai",
        llm_base_url=LLM_BASE_URL,
        llm_api_key="sk-test-not-real",
        llm_model="mock-1",
        llm_max_attempts=2,
        llm_deadline_s=2.0,
        llm_fallback_offline=fallback,
        breaker_failure_threshold=100,
    )
    llm = helpdesk.post(f"{LLM_BASE_URL}/chat/completions").respond(503, headers={"Retry-After": "0"})
    note = helpdesk.post(CASES["chatwoot.message_created"][1]).respond(200, json={"id": 5})
    async with AsyncTestClient(app=create_app(settings)) as client:
        accepted = await post_seed(client, seed("chatwoot.message_created"))
        async with running_worker(settings):
            view = await wait_job(client, accepted.json()["job_id"], timeout_s=30)
    if fallback:
        assert view["state"] == "complete"
        assert view["draft"]["provider"] == "offline"
        assert llm.call_count == 2  # the LLM client's own retries, then the fallback
        assert note.call_count == 1
    else:
        assert view["state"] == "failed"
        assert view["dead_lettered"] is True
        assert view["attempts"] == 3
        assert view["error"].startswith("JobFailure: llm:")
        assert llm.call_count == 6  # 2 calls per attempt, 3 attempts
        assert note.call_count == 0


async def test_a_retry_after_a_lost_answer_finds_the_note_instead_of_posting_it_again(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    """The helpdesk took the note but its answer never came back (a read timeout, or a worker killed
    before writing the receipt): the retry lists the conversation, finds the note, posts nothing."""
    url = CASES["chatwoot.message_created"][1]
    posted: list[dict[str, Any]] = []

    def accept_then_lose_the_answer(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        raise httpx.ReadTimeout("the answer was lost", request=request)

    post = helpdesk.post(url).mock(side_effect=accept_then_lose_the_answer)
    listing = helpdesk.get(url).mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={
                "payload": [
                    {"id": 3, "content": "Hi", "private": False, "message_type": 0},
                    *({"id": 41, "private": True, "message_type": 1, **note} for note in posted),
                ]
            },
        )
    )
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert view["attempts"] == 2
    assert post.call_count == 1  # one note in the helpdesk, though the first attempt failed
    assert listing.call_count == 1
    assert view["deliveries"][0] == {
        "channel": "chatwoot",
        "delivered": True,
        "kind": "note",
        "reference": "41",
        "reason": None,
    }


async def test_a_retry_that_does_not_find_its_note_posts_it(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    url = CASES["chatwoot.message_created"][1]
    post = helpdesk.post(url).mock(
        side_effect=[httpx.ReadTimeout("no answer"), httpx.Response(200, json={"id": 8})]
    )
    listing = helpdesk.get(url).respond(200, json={"payload": []})
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert (post.call_count, listing.call_count) == (2, 1)
    assert view["deliveries"][0]["reference"] == "8"


async def test_an_error_answer_means_no_note_so_the_retry_does_not_look(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    url = CASES["chatwoot.message_created"][1]
    post = helpdesk.post(url).mock(side_effect=[httpx.Response(502), httpx.Response(200, json={"id": 9})])
    listing = helpdesk.get(url).respond(200, json={"payload": []})
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert (post.call_count, listing.call_count) == (2, 0)


async def test_a_failed_lookup_fails_the_attempt_rather_than_risking_a_second_note(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    url = CASES["chatwoot.message_created"][1]
    post = helpdesk.post(url).mock(
        side_effect=[httpx.ReadTimeout("no answer"), httpx.Response(200, json={"id": 10})]
    )
    listing = helpdesk.get(url).mock(
        side_effect=[httpx.Response(500), httpx.Response(200, json={"payload": []})]
    )
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert view["attempts"] == 3
    assert (post.call_count, listing.call_count) == (2, 2)


# The other helpdesks' lookups. Each listing puts a decoy first (our exact text, but public, a
# reply or a sent message: not our note) and then the note or draft the lost attempt posted, the
# way the helpdesk's documented listing returns it (HTML re-serialised where the helpdesk stores
# HTML). seed -> (listing URL, listing built from what was posted (None: nothing was), reference).
Listing = Callable[[dict[str, Any] | None], Any]


def _html(sent: dict[str, Any], key: str) -> str:
    # As a helpdesk would store it: other block tags, self-closed line breaks.
    return str(sent[key]).replace("<p>", "<div>").replace("</p>", "</div>").replace("<br>", "<br />")


LOOKUPS: dict[str, tuple[str, Listing, str]] = {
    "zendesk.trigger_comment": (
        "https://acme.zendesk.test/api/v2/tickets/35436/comments.json?sort_order=desc",
        lambda sent: {
            "comments": [
                {"id": 1, "public": True, "body": "Hi", "plain_body": "Hi"},
                *(
                    {"id": n, "audit_id": 9000 + n, "public": public, "body": text, "plain_body": text}
                    for text in ([sent["ticket"]["comment"]["body"]] if sent else [])
                    for n, public in ((2, True), (41, False))
                ),
            ],
            "next_page": None,
        },
        "9041",  # the audit id, as deliver() records it
    ),
    "zammad.customer_article": (
        "https://zammad.test/api/v1/ticket_articles/by_ticket/812",
        lambda sent: [
            {"id": 1, "internal": False, "type": "email", "body": "Hi"},
            *(
                {"id": n, "internal": internal, "type": "note", "body": sent["body"]}
                for n, internal in ((2, False), (41, True))
                if sent
            ),
        ],
        "41",
    ),
    "front.inbound_received": (
        "https://front.test/conversations/cnv_7h2k9/drafts",
        lambda sent: {
            "_results": [
                {"id": f"msg_{n}", "is_draft": draft, "body": _html(sent, "body")}
                for n, draft in ((2, False), (41, True))
                if sent
            ]
        },
        "msg_41",
    ),
    "intercom.conversation_user_replied": (
        "https://intercom.test/conversations/215469",
        lambda sent: {
            "type": "conversation",
            "id": "215469",
            "conversation_parts": {
                "type": "conversation_part.list",
                "conversation_parts": [
                    {"id": "1", "part_type": "comment", "body": "<p>Hi</p>"},
                    *(
                        {"id": n, "part_type": kind, "body": _html(sent, "body")}
                        for n, kind in (("2", "comment"), ("41", "note"))
                        if sent
                    ),
                ],
            },
        },
        "215469",  # the conversation's id, as deliver() records it
    ),
    "helpscout.customer_reply": (
        "https://helpscout.test/v2/conversations/2391938111/threads",
        lambda sent: {
            "_embedded": {
                "threads": [
                    {"id": n, "type": kind, "body": _html(sent, "text")}
                    for n, kind in ((2, "message"), (41, "note"))
                    if sent
                ]
            }
        },
        "41",
    ),
    "freescout.customer_reply": (
        "https://freescout.test/api/conversations/73?embed=threads",
        lambda sent: {
            "id": 73,
            "_embedded": {
                "threads": [
                    {"id": n, "type": "message", "state": state, "body": _html(sent, "text")}
                    for n, state in ((2, "published"), (41, "draft"))
                    if sent
                ]
            },
        },
        "41",
    ),
    "freshdesk.ticket_reply": (
        "https://acme.freshdesk.test/api/v2/tickets/1402/conversations?per_page=100",
        lambda sent: [
            {"id": n, "private": private, "body": _html(sent, "body"), "body_text": "(not compared)"}
            for n, private in ((2, False), (41, True))
            if sent
        ],
        "41",
    ),
}


def _helpscout_token(helpdesk: respx.MockRouter) -> None:
    helpdesk.post("https://helpscout.test/v2/oauth2/token").respond(
        200, json={"access_token": "hs-access-1", "token_type": "bearer", "expires_in": 7200}
    )


@pytest.mark.parametrize("name", sorted(LOOKUPS))
async def test_each_helpdesk_finds_the_note_a_lost_answer_left_and_posts_nothing_more(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis, name: str
) -> None:
    method, url, headers, _ = CASES[name]
    list_url, listing, reference = LOOKUPS[name]
    posted: list[dict[str, Any]] = []

    def accept_then_lose_the_answer(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        raise httpx.ReadTimeout("the answer was lost", request=request)

    _helpscout_token(helpdesk)
    post = helpdesk.request(method, url).mock(side_effect=accept_then_lose_the_answer)
    lookup = helpdesk.get(list_url).mock(
        side_effect=lambda request: httpx.Response(200, json=listing(posted[-1] if posted else None))
    )
    accepted = await post_seed(hooks, seed(name))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete", view
    assert view["attempts"] == 2
    assert (post.call_count, lookup.call_count) == (1, 1)  # one note in the helpdesk
    sent = lookup.calls.last.request
    for header, value in headers.items():  # the lookup uses the same credentials as the post
        assert sent.headers[header] == value
    kind = "draft" if name.startswith(("front", "freescout")) else "note"
    channel = seed(name).source
    assert view["deliveries"] == [
        {"channel": channel, "delivered": True, "kind": kind, "reference": reference, "reason": None}
    ]


@pytest.mark.parametrize("name", sorted(LOOKUPS))
async def test_each_helpdesk_posts_when_its_lookup_does_not_find_the_note(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis, name: str
) -> None:
    method, url, _, _ = CASES[name]
    list_url, listing, _ = LOOKUPS[name]
    _helpscout_token(helpdesk)
    post = helpdesk.request(method, url).mock(
        side_effect=[
            httpx.ReadTimeout("no answer"),
            httpx.Response(201, json={"id": 8, "audit": {"id": 8}}, headers={"Resource-ID": "8"}),
        ]
    )
    lookup = helpdesk.get(list_url).respond(200, json=listing(None))
    accepted = await post_seed(hooks, seed(name))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete", view
    assert (post.call_count, lookup.call_count) == (2, 1)
    assert view["deliveries"][0]["reference"] == "8"


@pytest.mark.parametrize("failure", ["status", "shape"])
@pytest.mark.parametrize("name", sorted(LOOKUPS))
async def test_each_helpdesk_fails_the_attempt_when_its_lookup_fails(
    hooks: AsyncTestClient[Any],
    helpdesk: respx.MockRouter,
    redis_server: EmbeddedRedis,
    name: str,
    failure: str,
) -> None:
    """An error answer, or an answer without the documented list, says nothing about the note:
    the attempt fails and the next one looks again, never posting blind."""
    method, url, _, _ = CASES[name]
    list_url, listing, _ = LOOKUPS[name]
    _helpscout_token(helpdesk)
    post = helpdesk.request(method, url).mock(
        side_effect=[
            httpx.ReadTimeout("no answer"),
            httpx.Response(201, json={"id": 10, "audit": {"id": 10}}, headers={"Resource-ID": "10"}),
        ]
    )
    broken = httpx.Response(500) if failure == "status" else httpx.Response(200, json={"error": "?"})
    lookup = helpdesk.get(list_url).mock(side_effect=[broken, httpx.Response(200, json=listing(None))])
    accepted = await post_seed(hooks, seed(name))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete", view
    assert view["attempts"] == 3
    assert (post.call_count, lookup.call_count) == (2, 2)


async def test_a_chatwoot_listing_without_a_message_list_fails_the_attempt(
    hooks: AsyncTestClient[Any], helpdesk: respx.MockRouter, redis_server: EmbeddedRedis
) -> None:
    """An unexpected shape says nothing about the note: it must not read as "not there"."""
    url = CASES["chatwoot.message_created"][1]
    post = helpdesk.post(url).mock(
        side_effect=[httpx.ReadTimeout("no answer"), httpx.Response(200, json={"id": 12})]
    )
    listing = helpdesk.get(url).mock(
        side_effect=[httpx.Response(200, json={"error": "busy"}), httpx.Response(200, json={"payload": []})]
    )
    accepted = await post_seed(hooks, seed("chatwoot.message_created"))
    async with running_worker(hook_settings(redis_server.url)):
        view = await wait_job(hooks, accepted.json()["job_id"])
    assert view["state"] == "complete"
    assert view["attempts"] == 3
    assert (post.call_count, listing.call_count) == (2, 2)
