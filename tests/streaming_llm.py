"""A loopback OpenAI-compatible server for the streaming tests, and a helper to serve the real app.

Unlike the benchmark's mock (bench/mock_llm.py), this one is scripted and observant: it answers
with the replies a test queues, stamps the wall-clock time at which it sends each stream's first
token (so a browser can be timed against it), and notices when the client hangs up mid-stream
(which is how "a disconnect cancels the LLM call" is checked from outside the app).

It speaks the real protocol: ``POST /v1/chat/completions`` answers a ``chat.completion`` or, with
``"stream": true``, ``chat.completion.chunk`` events, a usage chunk when asked, then ``[DONE]``.
Extra static routes (``pages``) let the browser tests serve a page from a second origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn

from bench.mock_llm import bind_socket, wait_started

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_REPLY = (
    "Hi Dana,\n\nI understand how frustrating it is to be charged twice, and I'm sorry for the worry "
    "this caused. I have checked your account and can see the duplicate payment. Here is what we can "
    "do: I have started a refund for the second charge, which usually reaches your card within 3-5 "
    "business days. I will keep an eye on it and update you as soon as it is processed.\n\n"
    "Best regards,\nSam"
)
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass
class ScriptedLLM:
    """The ASGI app. Attributes may be changed between requests (also from another thread)."""

    replies: list[str] = field(default_factory=list)  # consumed first; then default_reply
    default_reply: str = DEFAULT_REPLY
    first_token_ms: float = 0.0
    token_ms: float = 0.0
    fail_status: int | None = None  # answer every request with this error status
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (content type, body)
    # What happened:
    calls: int = 0
    streamed: int = 0
    completed: int = 0  # streams sent to the end
    disconnected: int = 0  # streams the client closed before the end
    first_token_at: list[float] = field(default_factory=list)  # time.time() per stream
    requests: list[dict[str, Any]] = field(default_factory=list)

    def next_reply(self) -> str:
        return self.replies.pop(0) if self.replies else self.default_reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path in self.pages:
            content_type, body = self.pages[path]
            await _respond(send, 200, body, content_type)
        elif path == "/v1/chat/completions" and scope["method"] == "POST":
            await self._chat(receive, send)
        else:
            await _respond(send, 404, _error("no such route"))

    async def _chat(self, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = json.loads(body)
        self.calls += 1
        self.requests.append(request)
        if self.fail_status is not None:
            await _respond(send, self.fail_status, _error("scripted failure"))
            return
        reply = self.next_reply()
        if request.get("stream"):
            self.streamed += 1
            await self._stream(reply, request, receive, send)
        else:
            await _respond(send, 200, json.dumps(_completion(reply)).encode())

    async def _stream(self, reply: str, request: dict[str, Any], receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        try:
            headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            tokens = _TOKEN.findall(reply)
            pause = self.first_token_ms
            for index, token in enumerate(tokens):
                # Sleep, but wake up as soon as the client hangs up.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gone.wait(), pause / 1000)
                if gone.is_set():
                    self.disconnected += 1
                    return
                if index == 0:
                    self.first_token_at.append(time.time())
                await _send_event(send, _chunk({"content": token}))
                pause = self.token_ms
            await _send_event(send, _chunk({}, finish="stop"))
            options = request.get("stream_options") or {}
            if options.get("include_usage"):
                usage_chunk = _chunk({}, usage=_usage(reply))
                usage_chunk["choices"] = []
                await _send_event(send, usage_chunk)
            await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})
            self.completed += 1
        finally:
            watcher.cancel()


async def _respond(send: Send, status: int, body: bytes, content_type: str = "application/json") -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_event(send: Send, chunk: dict[str, Any]) -> None:
    data = b"data: " + json.dumps(chunk).encode() + b"\n\n"
    await send({"type": "http.response.body", "body": data, "more_body": True})


def _error(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "server_error", "code": None}}).encode()


def _usage(reply: str) -> dict[str, int]:
    completion_tokens = len(_TOKEN.findall(reply))
    return {
        "prompt_tokens": 100,
        "completion_tokens": completion_tokens,
        "total_tokens": 100 + completion_tokens,
    }


def _chunk(delta: dict[str, Any], *, finish: str | None = None, usage: Any = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "mock-1",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        "usage": usage,
    }


def _completion(reply: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "mock-1",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
        ],
        "usage": _usage(reply),
    }


@contextlib.asynccontextmanager
async def serve(app: Any, *, lifespan: Literal["on", "off"] = "off") -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port in this event loop; yields its URL."""
    sock = bind_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app, lifespan=lifespan, log_config=None, access_log=False, ws="none", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    if not await wait_started(server, task):
        task.result()
        raise RuntimeError("uvicorn stopped during start-up")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
