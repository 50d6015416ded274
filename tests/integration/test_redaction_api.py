"""PII never reaches the LLM endpoint (redaction on, the default), and the draft gets it back."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import GOOD_REPLY, completion, llm_settings
from tests.integration.test_drafts_stream import app_client, collect
from tests.streaming_llm import ScriptedLLM, serve

EMAIL = "periwinkle.quasar@example.org"
PHONE = "+44 20 7946 0018"
CARD = "4111 1111 1111 1111"
IBAN = "GB29 NWBK 6016 1331 9268 19"
API_KEY = "sk-proj-QwErTyUiOpAsDfGhJkLzXcVbNm0123456789"
PASSWORD = "Tr0ub4dor&3"
SENSITIVE = (EMAIL, PHONE, CARD, IBAN, API_KEY, PASSWORD, "4111111111111111", "7946 0018")

THREAD: dict[str, Any] = {
    "id": "T-redact-1",
    "subject": f"Refund to {IBAN}",
    "customer": {"name": "Periwinkle Quasar", "email": EMAIL},
    "agent": {"name": "Sam"},
    "messages": [
        {
            "role": "customer",
            "body": f"Hello, I was charged twice on card {CARD} and I'm really frustrated. Please refund "
            f"to {IBAN}. My login password: {PASSWORD} and my integration key {API_KEY} stopped working. "
            f"Call me on {PHONE} or write to {EMAIL}.",
        }
    ],
}

REPLY_WITH_PLACEHOLDERS = GOOD_REPLY.replace(
    "I will keep an eye on it",
    "I will write to [EMAIL_1] and call [PHONE_1] when it lands. I will keep an eye on it",
)


def sent_text(route: respx.Route, call: int) -> str:
    body = json.loads(route.calls[call].request.content)
    return "\n".join(message["content"] for message in body["messages"])


async def test_the_prompt_carries_placeholders_and_the_draft_the_values(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(
        return_value=httpx.Response(200, json=completion(REPLY_WITH_PLACEHOLDERS))
    )
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        response = await client.post("/v1/drafts", json=THREAD)
        metrics = (await client.get("/metrics")).text
    assert response.status_code == 200, response.text
    prompt = sent_text(route, 0)
    for value in SENSITIVE:
        assert value not in prompt, f"{value!r} left the process"
    for placeholder in ("[EMAIL_1]", "[PHONE_1]", "[CARD_1]", "[IBAN_1]", "[SECRET_1]", "[PASSWORD_1]"):
        assert placeholder in prompt
    reply = response.json()["reply"]
    assert f"I will write to {EMAIL} and call {PHONE} when it lands." in reply
    assert "[EMAIL_1]" not in reply
    assert 'tactful_pii_redactions_total{kind="EMAIL"} 1.0' in metrics


async def test_a_reask_shows_the_model_a_redacted_draft(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    # The model pastes the card number back (restored, the secret/pii rules block it): the re-ask
    # must show the draft with placeholders or masks, never the values.
    leaky = GOOD_REPLY.replace("Best regards", "Your key [SECRET_1] is safe with us.\n\nBest regards")
    route = llm_mock.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(200, json=completion(leaky)),
            httpx.Response(200, json=completion(GOOD_REPLY)),
        ]
    )
    async with AsyncTestClient(app=create_app(llm_settings(redis_server.url))) as client:
        response = await client.post("/v1/drafts", json=THREAD)
    assert response.status_code == 200, response.text
    assert route.call_count == 2
    assert response.json()["reply"] == GOOD_REPLY
    for call in (0, 1):
        prompt = sent_text(route, call)
        for value in SENSITIVE:
            assert value not in prompt, f"{value!r} left the process in call {call}"


async def test_redaction_can_be_switched_off(
    redis_server: EmbeddedRedis, redis_client: Any, llm_mock: respx.MockRouter
) -> None:
    route = llm_mock.post("/chat/completions").mock(
        return_value=httpx.Response(200, json=completion(GOOD_REPLY))
    )
    settings = llm_settings(redis_server.url, redact_pii=False)
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/v1/drafts", json=THREAD)
    assert response.status_code == 200, response.text
    prompt = sent_text(route, 0)
    assert EMAIL in prompt
    assert "[EMAIL_1]" not in prompt


async def test_a_stream_shows_placeholders_and_only_the_result_has_the_values(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    llm = ScriptedLLM(default_reply=REPLY_WITH_PLACEHOLDERS)
    async with (
        serve(llm) as llm_url,
        app_client(llm_settings(redis_server.url, llm_base_url=f"{llm_url}/v1")) as client,
    ):
        response, events = await collect(client, THREAD)
    assert response.status_code == 200
    streamed = "".join(e.data["text"] for e in events if e.name == "delta")
    # Deltas are unchecked text: placeholders only; the values come back in the checked result.
    assert "I will write to [EMAIL_1] and call [PHONE_1] when it lands." in streamed
    for value in SENSITIVE:
        assert value not in streamed
    assert f"I will write to {EMAIL} and call {PHONE} when it lands." in events[-1].data["reply"]
    sent = "\n".join(message["content"] for message in llm.requests[0]["messages"])
    for value in SENSITIVE:
        assert value not in sent, f"{value!r} left the process"
