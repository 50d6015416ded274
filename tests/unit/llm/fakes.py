"""OpenAI-shaped bodies and scripted HTTP streams for the LLM tests (respx serves them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, TypedDict

import httpcore
import httpx

BASE_URL = "http://llm.test/v1"
API_KEY = "sk-test-SECRET-4f9a1c"
TICKET_TEXT = "my card 4111 was charged twice and I am furious"


class Sampling(TypedDict):
    model: str
    temperature: float
    max_tokens: int


SAMPLING: Sampling = {"model": "mock-1", "temperature": 0.3, "max_tokens": 200}
MESSAGES: list[Any] = [
    {"role": "system", "content": "You draft empathetic replies."},
    {"role": "user", "content": TICKET_TEXT},
    {"role": "assistant", "content": "Earlier agent reply."},
    {"role": "user", "content": "Any news?"},
]


def completion_body(
    content: str | None = "Hello there",
    *,
    model: str = "mock-1",
    prompt_tokens: int | None = 12,
    completion_tokens: int | None = 5,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }
    if prompt_tokens is not None and completion_tokens is not None:
        body["usage"] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
    return body


def ok(content: str | None = "Hello there", **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=completion_body(content, **kwargs))


def status(code: int, *, retry_after: str | None = None, message: str = "boom") -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    error = {"error": {"message": message, "type": "error", "code": "some_code"}}
    return httpx.Response(code, json=error, headers=headers)


def chunk(
    delta: str | None = None,
    *,
    role: str | None = None,
    model: str = "mock-1",
    finish: str | None = None,
    usage: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """One chat.completion.chunk; ``usage`` makes it the final usage-only chunk (no choices)."""
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "choices": [],
    }
    if usage is not None:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
        return body
    message: dict[str, Any] = {}
    if role is not None:
        message["role"] = role
    if delta is not None:
        message["content"] = delta
    body["choices"] = [{"index": 0, "delta": message, "finish_reason": finish}]
    return body


def sse_event(data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"data: {payload}\n\n".encode()


def sse_body(events: Sequence[dict[str, Any]], *, done: bool = True) -> bytes:
    return b"".join(sse_event(event) for event in events) + (sse_event("[DONE]") if done else b"")


def sse_ok(*deltas: str, usage: tuple[int, int] | None = (20, 3), model: str = "mock-1") -> httpx.Response:
    events = [chunk(role="assistant", delta="", model=model)]
    events += [chunk(d, model=model) for d in deltas]
    events.append(chunk(finish="stop", model=model))
    if usage is not None:
        events.append(chunk(usage=usage, model=model))
    return sse_response(ScriptedStream([sse_body(events)]))


def sse_response(stream: ScriptedStream) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)


class ScriptedStream(httpx.AsyncByteStream):
    """A response body that plays a script: bytes are sent, an exception is raised, an Event is
    waited on (a server that stalls). Records whether the client closed it."""

    def __init__(self, script: Sequence[bytes | BaseException | asyncio.Event]) -> None:
        self.script = list(script)
        self.closed = asyncio.Event()
        self.stalled = asyncio.Event()  # set when the script reaches a stall

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for step in self.script:
            if isinstance(step, bytes):
                yield step
            elif isinstance(step, asyncio.Event):
                self.stalled.set()
                await step.wait()
            else:
                raise step

    async def aclose(self) -> None:
        self.closed.set()


def broken_stream(*before: dict[str, Any]) -> ScriptedStream:
    """Sends ``before`` as SSE events, then the connection drops."""
    return ScriptedStream([*(sse_event(event) for event in before), httpcore.ReadError("connection reset")])


def stalled_stream(*before: dict[str, Any]) -> ScriptedStream:
    return ScriptedStream([*(sse_event(event) for event in before), asyncio.Event()])


# Headers that differ between any two requests of one client, whoever sends them.
_PER_REQUEST_HEADERS = frozenset({"x-stainless-retry-count"})


def same_request(ours: httpx.Request, sdk: httpx.Request) -> None:
    """Assert two requests are the same call: method, URL, JSON body and headers."""
    assert (ours.method, ours.url) == (sdk.method, sdk.url)
    assert json.loads(ours.content) == json.loads(sdk.content)
    assert {k: v for k, v in ours.headers.items() if k not in _PER_REQUEST_HEADERS} == {
        k: v for k, v in sdk.headers.items() if k not in _PER_REQUEST_HEADERS
    }
