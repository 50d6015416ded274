"""Every bad request gets an RFC 9457 problem, never a 500, and never the text that was sent.

The real app (offline provider or a respx-mocked LLM) answers through Litestar's test client.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, llm_settings, make_settings, seed_thread

# A phrase no server would write on its own: if it shows up in an answer, the answer echoed input.
SECRET = "Periwinkle octopus 7731 ate my invoice"
PROBLEM_FIELDS = {"type", "title", "status", "detail"}

MAX_MESSAGES = 5
MAX_MESSAGE_CHARS = 300


def assert_problem(response: httpx.Response, status: int, *, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if slug is not None:
        assert body["type"].endswith("/" + slug)
    # Not the phrase, and not a piece of it either.
    assert SECRET not in response.text
    assert "Periwinkle" not in response.text
    return body


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[AsyncTestClient[Any]]:
    settings = make_settings(
        None, max_body_bytes=2048, max_messages=MAX_MESSAGES, max_message_chars=MAX_MESSAGE_CHARS
    )
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


def customer(body: object = SECRET) -> dict[str, object]:
    return {"role": "customer", "body": body}


JSON_HEADERS = {"content-type": "application/json"}

# (case id, raw body, expected status, expected problem slug)
BAD_BODIES: list[tuple[str, bytes, int, str]] = [
    ("malformed-json", b'{"messages": [{"role": "customer", "body": "' + SECRET.encode(), 400, "bad-request"),
    ("empty-body", b"", 400, "bad-request"),
    ("not-json-at-all", SECRET.encode(), 400, "bad-request"),
    ("not-utf-8", b'{"messages": [{"role": "customer", "body": "hi \xff"}]}', 400, "bad-request"),
    ("nested-too-deeply", b"[" * 1_000 + b"]" * 1_000, 400, "bad-request"),
]

# (case id, JSON document, expected problem slug, a word the detail must contain)
INVALID_THREADS: list[tuple[str, object, str, str]] = [
    ("json-array", [customer()], "validation-error", "Thread"),
    ("json-null", None, "validation-error", "Thread"),
    ("missing-messages", {"subject": SECRET}, "validation-error", "messages"),
    ("empty-messages", {"subject": SECRET, "messages": []}, "validation-error", "messages"),
    (
        "only-agent-messages",
        {"messages": [{"role": "agent", "body": SECRET}]},
        "validation-error",
        "customer message",
    ),
    (
        "only-whitespace-customer-text",
        {"messages": [customer(" \n\t "), {"role": "note", "body": SECRET}]},
        "validation-error",
        "customer message",
    ),
    ("wrong-role", {"messages": [{"role": SECRET, "body": SECRET}]}, "validation-error", "role"),
    ("messages-as-string", {"messages": SECRET}, "validation-error", "messages"),
    ("body-as-number", {"subject": SECRET, "messages": [customer(42)]}, "validation-error", "body"),
    (
        "max-words-as-text",
        {"messages": [customer()], "options": {"max_words": SECRET}},
        "validation-error",
        "max_words",
    ),
    (
        "created-at-not-a-date",
        {"messages": [{"role": "customer", "body": SECRET, "created_at": SECRET}]},
        "validation-error",
        "created_at",
    ),
    ("too-many-messages", {"messages": [customer()] * (MAX_MESSAGES + 1)}, "limit-exceeded", "messages"),
    (
        "message-too-long",
        {"messages": [customer(SECRET + " and more" * 40)]},
        "limit-exceeded",
        "TACTFUL_MAX_MESSAGE_CHARS",
    ),
]


@pytest.mark.parametrize(
    ("raw", "status", "slug"), [c[1:] for c in BAD_BODIES], ids=[c[0] for c in BAD_BODIES]
)
async def test_undecodable_body_is_a_400_problem(
    client: AsyncTestClient[Any], raw: bytes, status: int, slug: str
) -> None:
    response = await client.post("/v1/drafts", content=raw, headers=JSON_HEADERS)
    assert_problem(response, status, slug=slug)


async def test_empty_body_says_so(client: AsyncTestClient[Any]) -> None:
    body = assert_problem(await client.post("/v1/drafts", content=b"", headers=JSON_HEADERS), 400)
    assert "empty" in body["detail"]


@pytest.mark.parametrize(
    ("document", "slug", "mentions"), [c[1:] for c in INVALID_THREADS], ids=[c[0] for c in INVALID_THREADS]
)
async def test_invalid_thread_is_a_422_problem(
    client: AsyncTestClient[Any], document: object, slug: str, mentions: str
) -> None:
    # Sent as raw JSON: httpx would turn ``json=None`` into an empty body.
    response = await client.post("/v1/drafts", content=json.dumps(document).encode(), headers=JSON_HEADERS)
    body = assert_problem(response, 422, slug=slug)
    assert mentions in body["detail"]
    # Each error names the field and the rule, in the body, without the value.
    assert body["errors"]
    for error in body["errors"]:
        assert error["in"] == "body"
        assert isinstance(error["field"], str)
        assert error["message"]


async def test_customer_text_rule_reads_clearly(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/v1/drafts", json={"messages": [{"role": "agent", "body": SECRET}]})
    body = assert_problem(response, 422)
    assert body["detail"] == "body: the thread needs at least one customer message with visible text"


async def test_body_over_the_limit_is_413(client: AsyncTestClient[Any]) -> None:
    thread = {"messages": [customer(SECRET + " " + "x" * 2_100)]}
    body = assert_problem(await client.post("/v1/drafts", json=thread), 413, slug="body-too-large")
    assert "TACTFUL_MAX_BODY_BYTES" in body["detail"]


async def test_unknown_route_is_a_404_problem(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404, slug="not-found")
    assert_problem(await client.post("/v1/drafts/nope", json={"text": SECRET}), 404, slug="not-found")


@pytest.mark.parametrize("path", ["/v1/drafts", "/v1/guardrails/check"])
async def test_wrong_method_is_a_405_problem(client: AsyncTestClient[Any], path: str) -> None:
    assert_problem(await client.get(path), 405, slug="method-not-allowed")
    assert_problem(await client.put(path, json={"text": SECRET}), 405, slug="method-not-allowed")


async def test_valid_thread_within_the_limits_is_drafted(client: AsyncTestClient[Any]) -> None:
    # The same client answers good requests too: the errors above are not a broken app.
    thread = {"messages": [customer("My parcel is late and I am upset.")] * MAX_MESSAGES}
    response = await client.post("/v1/drafts", json=thread)
    assert response.status_code == 200, response.text
    assert response.json()["reply"]


# --- /v1/guardrails/check -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "slug"),
    [
        ({}, "validation-error"),
        ({"thread": None}, "validation-error"),
        ({"text": 42}, "validation-error"),
        ([SECRET], "validation-error"),
        ({"text": "Thanks", "thread": {"messages": [{"role": "agent", "body": SECRET}]}}, "validation-error"),
        ({"text": "Thanks", "thread": {"messages": [customer()] * (MAX_MESSAGES + 1)}}, "limit-exceeded"),
    ],
    ids=["missing-text", "thread-without-text", "text-as-number", "array", "bad-thread", "thread-too-long"],
)
async def test_guardrails_check_rejects_bad_input(
    client: AsyncTestClient[Any], document: object, slug: str
) -> None:
    assert_problem(await client.post("/v1/guardrails/check", json=document), 422, slug=slug)


async def test_guardrails_check_malformed_and_oversized(client: AsyncTestClient[Any]) -> None:
    raw = b'{"text": "' + SECRET.encode()
    assert_problem(await client.post("/v1/guardrails/check", content=raw, headers=JSON_HEADERS), 400)
    big = {"text": SECRET + " " + "y" * 2_100}
    assert_problem(await client.post("/v1/guardrails/check", json=big), 413)


SHORT_THREAD = {
    "customer": {"name": "Dana"},
    "messages": [customer("I was charged twice for my March invoice and I'm really frustrated.")],
}


async def test_guardrails_check_returns_a_report(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/v1/guardrails/check",
        json={"text": "This happened because it's your fault.", "thread": SHORT_THREAD},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    report = response.json()
    assert set(report) == {"verdict", "ruleset_version", "findings"}
    assert report["verdict"] == "block"
    assert report["ruleset_version"]
    blame = [f for f in report["findings"] if f["rule"] == "no-blame"]
    assert blame
    assert blame[0]["severity"] == "warn"  # issue 12: no-blame ships as warn (README)

    good = await client.post("/v1/guardrails/check", json={"text": GOOD_REPLY, "thread": SHORT_THREAD})
    assert good.status_code == 200
    assert good.json()["verdict"] in {"pass", "warn"}
    assert not [f for f in good.json()["findings"] if f["severity"] == "block"]


# --- API keys ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def keyed_client() -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(make_settings(None, api_keys=["k1", "k2"]))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic k1"},
        {"Authorization": "Bearer "},
        {"Authorization": "k1"},
    ],
    ids=["no-header", "wrong-key", "wrong-scheme", "empty-token", "no-scheme"],
)
async def test_drafts_need_a_valid_key(keyed_client: AsyncTestClient[Any], headers: dict[str, str]) -> None:
    response = await keyed_client.post("/v1/drafts", json=seed_thread(), headers=headers)
    body = assert_problem(response, 401, slug="unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "nope" not in body["detail"]
    check = await keyed_client.post("/v1/guardrails/check", json={"text": SECRET}, headers=headers)
    assert_problem(check, 401, slug="unauthorized")


@pytest.mark.parametrize("key", ["k1", "k2"])
async def test_every_configured_key_works(keyed_client: AsyncTestClient[Any], key: str) -> None:
    response = await keyed_client.post(
        "/v1/drafts", json=seed_thread(), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["reply"]


async def test_probes_and_schema_need_no_key(keyed_client: AsyncTestClient[Any]) -> None:
    assert (await keyed_client.get("/health/live")).status_code == 200
    assert (await keyed_client.get("/schema")).status_code == 200
    assert (await keyed_client.get("/schema/openapi.json")).status_code == 200


# --- The LLM refusing or failing, with the offline fallback disabled ---------------------------------


@pytest.fixture
async def strict_llm_client(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = llm_settings(redis_server.url, llm_fallback_offline=False, llm_max_attempts=2)
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


async def test_llm_rejecting_the_key_is_a_502_without_retry_after(
    strict_llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(
        return_value=httpx.Response(
            401,
            json={
                "error": {
                    "message": f"Incorrect API key provided: sk-te***eal; {SECRET}",
                    "code": "invalid_api_key",
                }
            },
        )
    )
    response = await strict_llm_client.post("/v1/drafts", json=seed_thread())
    body = assert_problem(response, 502, slug="llm-rejected")
    assert "retry-after" not in response.headers
    assert "401" in body["detail"]
    assert "invalid_api_key" in body["detail"]
    assert "sk-te" not in response.text  # the server's free text (and masked key) stays out
    assert route.call_count == 1  # a refusal is not retried


async def test_llm_down_is_a_503_with_retry_after(
    strict_llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(
        return_value=httpx.Response(500, json={"error": {"message": SECRET}}, headers={"Retry-After": "0"})
    )
    response = await strict_llm_client.post("/v1/drafts", json=seed_thread())
    body = assert_problem(response, 503, slug="llm-unavailable")
    assert int(response.headers["retry-after"]) >= 1
    assert "server_error" in body["detail"]
    assert route.call_count == 2  # TACTFUL_LLM_MAX_ATTEMPTS


async def test_llm_rate_limit_retry_after_reaches_the_client(
    strict_llm_client: AsyncTestClient[Any], llm_mock: respx.MockRouter
) -> None:
    # The endpoint asks for longer than the deadline allows: we give up at once and pass its wait on.
    llm_mock.post("/chat/completions").mock(
        return_value=httpx.Response(
            429, json={"error": {"message": "slow down"}}, headers={"Retry-After": "30"}
        )
    )
    response = await strict_llm_client.post("/v1/drafts", json=seed_thread())
    assert_problem(response, 503, slug="llm-unavailable")
    assert response.headers["retry-after"] == "30"


@pytest.mark.parametrize("path", ["/v1/drafts/stream", "/v1/guardrails/check"])
@pytest.mark.parametrize(("raw", "status", "slug"), [c[1:] for c in BAD_BODIES[3:]], ids=["utf-8", "nested"])
async def test_other_json_routes_refuse_unreadable_bodies(
    client: AsyncTestClient[Any], path: str, raw: bytes, status: int, slug: str
) -> None:
    response = await client.post(path, content=raw, headers=JSON_HEADERS)
    assert_problem(response, status, slug=slug)
