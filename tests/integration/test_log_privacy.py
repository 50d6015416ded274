"""No ticket text, draft text, key or customer detail in any log line, even at DEBUG.

Drafts go through the real app with the service's own JSON logging configured at DEBUG (so the
openai SDK, httpx and Redis loggers are as chatty as they get); everything written to stdout and
stderr, and every record the logging module saw, is then searched for the sensitive values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
import structlog
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.infra.logs import configure_logging
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, completion, llm_settings

API_KEY = "tk-live-Hx7Qm2Vw9Rz4Lp8Ns3"
LLM_KEY = "sk-test-Jb5Wq8Xc2Vn7Mk4Pd9Rt6Yh3"
CUSTOMER_EMAIL = "periwinkle.quasar@example.org"
# The parcel number is long and mixes letters with digits so that it cannot turn up by chance
# inside a log record's timestamps, thread ids or durations (a bare "55127" once did).
PARCEL = "PQ-55127-XK"
CUSTOMER_SENTENCE = f"my grandmother's zebra-striped accordion arrived crushed inside parcel {PARCEL}"
SUBJECT = f"Crushed accordion in parcel {PARCEL}"
LEAKED_SECRET = "sk-proj-QwErTyUiOpAsDfGhJkLzXcVbNm0123456789"
DRAFT_PHRASE = "I have started a refund for the second charge"
# The offline composer greets the customer by name: private text that must not reach the logs.
OFFLINE_PHRASE = "Periwinkle"

THREAD: dict[str, Any] = {
    "id": "T-privacy-1",
    "subject": SUBJECT,
    "customer": {"name": "Periwinkle Quasar", "email": CUSTOMER_EMAIL},
    "agent": {"name": "Sam"},
    "messages": [
        {
            "role": "customer",
            "body": f"Hello, {CUSTOMER_SENTENCE}. I am really upset. Write to me at {CUSTOMER_EMAIL}.",
        }
    ],
}
SENSITIVE = [
    API_KEY,
    LLM_KEY,
    CUSTOMER_EMAIL,
    CUSTOMER_SENTENCE,
    "zebra-striped",
    SUBJECT,
    PARCEL,
    "55127-XK",
    "Periwinkle",
    LEAKED_SECRET,
    DRAFT_PHRASE,
]


@pytest.fixture
def json_logging(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[pytest.LogCaptureFixture]:
    """Puts the logging configuration back after a test that calls :func:`start_json_logging`."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_structlog = structlog.get_config()
    try:
        yield caplog
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        structlog.configure(**saved_structlog)


def start_json_logging(caplog: pytest.LogCaptureFixture) -> None:
    """The service's logging at DEBUG, set up inside the test so that it writes to the stderr
    ``capfd`` captures during the test (pytest swaps the stream between setup and call), with
    pytest's record capture for this phase kept alongside (configure_logging replaces handlers)."""
    configure_logging("DEBUG")
    logging.getLogger().addHandler(caplog.handler)
    logging.getLogger("tactful.test").debug("logging configured")


def assert_private(text: str) -> None:
    for value in SENSITIVE:
        assert value not in text, f"{value!r} was logged"


def assert_json_lines(text: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
        assert isinstance(event, dict), line
        assert {"event", "level", "timestamp"} <= set(event), line
        events.append(event)
    return events


def check_logs(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    out, err = capfd.readouterr()
    assert_private(out)
    assert_private(err)
    records = caplog.records
    assert records, "nothing was logged: the test would prove nothing"
    for record in records:
        assert_private(record.getMessage())
        assert_private(repr(record.__dict__))
    events = assert_json_lines(err)
    assert not out.strip() or assert_json_lines(out)
    return events


async def draft_all_ways(redis_url: str, llm: respx.MockRouter, *, fallback: bool) -> list[httpx.Response]:
    settings = llm_settings(
        redis_url, api_keys=[API_KEY], llm_api_key=LLM_KEY, llm_fallback_offline=fallback, llm_max_attempts=2
    )
    headers = {"Authorization": f"Bearer {API_KEY}"}
    responses: list[httpx.Response] = []
    async with AsyncTestClient(app=create_app(settings)) as client:
        for _ in range(2):  # a miss, then a hit
            responses.append(await client.post("/v1/drafts", json=THREAD, headers=headers))
        # A validation error and a failed key check carry the text too.
        bad = {**THREAD, "messages": [{"role": "boss", "body": CUSTOMER_SENTENCE}]}
        responses.append(await client.post("/v1/drafts", json=bad, headers=headers))
        responses.append(
            await client.post("/v1/drafts", json=THREAD, headers={"Authorization": f"Bearer {LLM_KEY}"})
        )
        check = {"text": f"{DRAFT_PHRASE}. {LEAKED_SECRET}", "thread": THREAD}
        responses.append(await client.post("/v1/guardrails/check", json=check, headers=headers))
    return responses


async def test_llm_draft_with_reask_logs_nothing_private(
    json_logging: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    redis_server: EmbeddedRedis,
    redis_client: Any,
    llm_mock: respx.MockRouter,
) -> None:
    start_json_logging(json_logging)
    leaky = GOOD_REPLY.replace("Best regards", f"Your new key is {LEAKED_SECRET}\n\nBest regards")
    route = llm_mock.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(200, json=completion(leaky)),
            httpx.Response(200, json=completion(GOOD_REPLY)),
        ]
    )
    responses = await draft_all_ways(redis_server.url, llm_mock, fallback=True)
    assert [r.status_code for r in responses] == [200, 200, 422, 401, 200]
    assert route.call_count == 2
    assert responses[0].json()["reply"] == GOOD_REPLY
    assert responses[1].headers["x-cache"] == "HIT"
    assert CUSTOMER_SENTENCE.encode() in route.calls[0].request.content  # the text did go to the LLM

    events = check_logs(capfd, json_logging)
    names = [e["event"] for e in events]
    assert names.count("draft.done") == 2
    # Our structured events keep their fields; only content stays out.
    done = next(e for e in events if e["event"] == "draft.done")
    assert done["status"] in {"approved", "needs_review"}
    assert done["attempts"] == 2


async def test_fallback_and_errors_log_nothing_private(
    json_logging: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    redis_server: EmbeddedRedis,
    redis_client: Any,
    llm_mock: respx.MockRouter,
) -> None:
    start_json_logging(json_logging)
    # The endpoint fails and echoes the prompt in its error body, as some proxies do.
    echo = {"error": {"message": f"upstream failed on: {CUSTOMER_SENTENCE} key={LLM_KEY}"}}
    llm_mock.post("/chat/completions").mock(return_value=httpx.Response(500, json=echo))
    responses = await draft_all_ways(redis_server.url, llm_mock, fallback=True)
    assert responses[0].status_code == 200
    assert responses[0].json()["provider"] == "offline"
    assert OFFLINE_PHRASE in responses[0].json()["reply"]  # the composer's text, which must not be logged

    events = check_logs(capfd, json_logging)
    names = {e["event"] for e in events}
    assert {"draft.llm_fallback", "draft.done", "llm.retry"} <= names


async def test_llm_rejection_logs_nothing_private(
    json_logging: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    redis_server: EmbeddedRedis,
    redis_client: Any,
    llm_mock: respx.MockRouter,
) -> None:
    start_json_logging(json_logging)
    body = {
        "error": {
            "message": f"Incorrect API key provided: {LLM_KEY} for {CUSTOMER_EMAIL}",
            "code": "invalid_api_key",
        }
    }
    llm_mock.post("/chat/completions").mock(return_value=httpx.Response(401, json=body))
    responses = await draft_all_ways(redis_server.url, llm_mock, fallback=False)
    assert responses[0].status_code == 502
    assert_private(responses[0].text)

    events = check_logs(capfd, json_logging)
    rejected = [e for e in events if e["event"] == "llm.rejected"]
    assert rejected
    assert rejected[0]["status"] == 401
    assert rejected[0]["level"] == "error"
