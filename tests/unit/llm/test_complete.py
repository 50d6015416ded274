"""complete() against a respx-mocked OpenAI-compatible endpoint: retries, deadline, error mapping."""

from __future__ import annotations

import asyncio
import json
import time
import traceback

import httpx
import pytest
import respx

from service.llm.base import Completion, LLMRejected, LLMUnavailable
from service.llm.openai_client import (
    PLACEHOLDER_API_KEY,
    OpenAICompatibleClient,
    make_async_openai,
)
from service.server.embedded_redis import free_port
from tests.unit.llm.conftest import MakeLLM
from tests.unit.llm.fakes import (
    API_KEY,
    BASE_URL,
    MESSAGES,
    SAMPLING,
    TICKET_TEXT,
    ok,
    status,
)


def sent(route: respx.Route, index: int = -1) -> dict[str, object]:
    body: dict[str, object] = json.loads(route.calls[index].request.content)
    return body


async def test_completion_maps_text_model_and_usage(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=ok("  Hello Dana, I am sorry.\n", model="mock-1-0613", prompt_tokens=42))
    result = await make_llm().complete(MESSAGES, **SAMPLING)
    assert result == Completion(
        text="Hello Dana, I am sorry.", model="mock-1-0613", prompt_tokens=42, completion_tokens=5
    )
    body = sent(chat)
    assert body["model"] == "mock-1"
    assert body["messages"] == MESSAGES
    assert (body["temperature"], body["max_tokens"]) == (0.3, 200)
    # Always a stream (closing it stops the server), with usage asked for in its last chunk.
    assert (body["stream"], body["stream_options"]) == (True, {"include_usage": True})
    assert chat.calls[0].request.headers["authorization"] == f"Bearer {API_KEY}"


async def test_missing_usage_is_none(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=ok("Hi", prompt_tokens=None, completion_tokens=None))
    result = await make_llm().complete(MESSAGES, **SAMPLING)
    assert (result.prompt_tokens, result.completion_tokens) == (None, None)


async def test_max_completion_tokens_field(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=ok())
    await make_llm(max_tokens_field="max_completion_tokens").complete(MESSAGES, **SAMPLING)
    body = sent(chat)
    assert body["max_completion_tokens"] == 200
    assert "max_tokens" not in body


async def test_429_then_500_then_ok_retries_and_honours_retry_after(
    chat: respx.Route, make_llm: MakeLLM
) -> None:
    chat.side_effect = [status(429, retry_after="0.1"), status(500), ok("Fine")]
    began = time.monotonic()
    result = await make_llm(max_attempts=3).complete(MESSAGES, **SAMPLING)
    assert result.text == "Fine"
    assert chat.call_count == 3
    assert time.monotonic() - began >= 0.095


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 413, 422])
async def test_client_errors_are_rejected_without_retry(
    chat: respx.Route, make_llm: MakeLLM, code: int
) -> None:
    chat.mock(return_value=status(code))
    with pytest.raises(LLMRejected) as caught:
        await make_llm().complete(MESSAGES, **SAMPLING)
    assert (caught.value.status, caught.value.code) == (code, "some_code")
    assert chat.call_count == 1


@pytest.mark.parametrize(("code", "reason"), [(502, "server_error"), (529, "server_error"), (408, "timeout")])
async def test_retryable_statuses(chat: respx.Route, make_llm: MakeLLM, code: int, reason: str) -> None:
    chat.mock(return_value=status(code))
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(max_attempts=2).complete(MESSAGES, **SAMPLING)
    assert (caught.value.reason, caught.value.attempts, chat.call_count) == (reason, 2, 2)


async def test_read_timeouts_are_retried_then_unavailable(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = httpx.ReadTimeout("slow")
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(max_attempts=3).complete(MESSAGES, **SAMPLING)
    assert (caught.value.reason, chat.call_count) == ("timeout", 3)


class SlowServer:
    """Answers after ``delay_s``; counts requests (respx only counts calls that got a response)."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.requests = 0
        self.started = asyncio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.started.set()
        await asyncio.sleep(self.delay_s)
        return ok()


async def test_slow_server_is_cut_at_timeout_s(chat: respx.Route, make_llm: MakeLLM) -> None:
    server = chat.side_effect = SlowServer(5)
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(max_attempts=2, timeout_s=0.15).complete(MESSAGES, **SAMPLING)
    assert time.monotonic() - began < 0.6
    assert (caught.value.reason, server.requests) == ("timeout", 2)


async def test_slow_server_is_cut_at_the_deadline(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = SlowServer(5)
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(timeout_s=10, deadline_s=0.3).complete(MESSAGES, **SAMPLING)
    assert time.monotonic() - began < 0.5
    assert caught.value.reason == "deadline"


async def test_deadline_beats_a_long_retry_after(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=status(503, retry_after="10"))
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(max_attempts=5, deadline_s=0.5).complete(MESSAGES, **SAMPLING)
    assert time.monotonic() - began < 0.7
    assert (caught.value.reason, caught.value.retry_after) == ("server_error", 10)


async def test_deadline_bounds_backoff(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.mock(return_value=status(503))
    began = time.monotonic()
    with pytest.raises(LLMUnavailable):
        await make_llm(max_attempts=10, deadline_s=0.4, backoff_multiplier=30, backoff_max_s=30).complete(
            MESSAGES, **SAMPLING
        )
    assert time.monotonic() - began < 0.6
    assert chat.call_count >= 2


async def test_connection_errors_are_retried(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = [httpx.ConnectError("refused"), ok("Back")]
    assert (await make_llm().complete(MESSAGES, **SAMPLING)).text == "Back"
    chat.side_effect = httpx.ConnectError("refused")
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(max_attempts=2).complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "connection"


async def test_unreachable_host_fails_fast() -> None:
    # A real connection attempt to a closed loopback port: no respx here.
    client = make_async_openai(f"http://127.0.0.1:{free_port()}/v1", None, timeout_s=5)
    try:
        llm = OpenAICompatibleClient(
            client, None, max_attempts=2, deadline_s=2, timeout_s=5, backoff_multiplier=0.001
        )
        began = time.monotonic()
        with pytest.raises(LLMUnavailable) as caught:
            await llm.complete(MESSAGES, **SAMPLING)
        assert caught.value.reason == "connection"
        assert time.monotonic() - began < 1
    finally:
        await client.close()


@pytest.mark.parametrize("content", [None, "", "   \n"])
async def test_empty_answer_is_retried_once(
    chat: respx.Route, make_llm: MakeLLM, content: str | None
) -> None:
    chat.mock(return_value=ok(content))
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm(max_attempts=4).complete(MESSAGES, **SAMPLING)
    assert (caught.value.reason, chat.call_count) == ("bad_response", 2)


async def test_empty_answer_then_good_one(chat: respx.Route, make_llm: MakeLLM) -> None:
    chat.side_effect = [ok(""), ok("Second try")]
    assert (await make_llm().complete(MESSAGES, **SAMPLING)).text == "Second try"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>proxy error</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json={"object": "chat.completion", "choices": []}),
        httpx.Response(200, json={"unexpected": True}),
    ],
)
async def test_malformed_200_is_a_bad_response(
    chat: respx.Route, make_llm: MakeLLM, response: httpx.Response
) -> None:
    chat.mock(return_value=response)
    with pytest.raises(LLMUnavailable) as caught:
        await make_llm().complete(MESSAGES, **SAMPLING)
    assert caught.value.reason == "bad_response"


@pytest.mark.parametrize("code", [401, 500, 429])
async def test_no_secret_or_ticket_text_in_exceptions(
    chat: respx.Route, make_llm: MakeLLM, code: int
) -> None:
    # Some servers echo the (masked) key or the prompt in their error messages.
    chat.mock(return_value=status(code, message=f"Incorrect API key provided: {API_KEY}; {TICKET_TEXT}"))
    with pytest.raises((LLMRejected, LLMUnavailable)) as caught:
        await make_llm(max_attempts=1).complete(MESSAGES, **SAMPLING)
    rendered = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert API_KEY not in rendered
    assert TICKET_TEXT not in rendered
    assert "furious" not in rendered


async def test_cancellation_propagates_promptly(chat: respx.Route, make_llm: MakeLLM) -> None:
    server = chat.side_effect = SlowServer(30)
    task = asyncio.ensure_future(make_llm(timeout_s=30, deadline_s=60).complete(MESSAGES, **SAMPLING))
    await asyncio.wait_for(server.started.wait(), 1)
    began = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Promptly means not waiting for the 30 s server; 1 s leaves room for a loaded CI machine
    # (0.1 s failed once at 0.113 s with two test runs sharing two cores).
    assert time.monotonic() - began < 1.0


async def test_make_async_openai_never_retries_and_uses_placeholder_key(llm_http: respx.MockRouter) -> None:
    route = llm_http.post("/chat/completions").mock(return_value=status(500))
    client = make_async_openai(BASE_URL, None, timeout_s=7)
    try:
        assert client.max_retries == 0
        assert client.api_key == PLACEHOLDER_API_KEY
        assert isinstance(client.timeout, httpx.Timeout)
        assert (client.timeout.read, client.timeout.connect) == (7, 5)
        with pytest.raises(Exception, match="500"):
            await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        assert route.call_count == 1  # the SDK itself did not retry
    finally:
        await client.close()
