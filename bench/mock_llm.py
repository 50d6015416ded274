"""A mock OpenAI-compatible server for benchmarks: fast, on loopback, with configurable latency.

Speaks enough of the OpenAI wire protocol for the ``openai`` SDK:

- ``POST /v1/chat/completions``: a ``chat.completion`` object, or with ``"stream": true`` an SSE
  stream of ``chat.completion.chunk`` objects (``choices[0].delta.content``), a final usage chunk
  when ``stream_options.include_usage`` is set, then ``data: [DONE]``.
- ``GET /v1/models``: one model.

Control endpoints (not OpenAI's) for the load driver:

- ``GET /_stats``: request counters, e.g. ``{"chat_completions": 3, "max_in_flight": 1, ...}``.
- ``POST /_reset``: zero the counters.
- ``GET|POST /_config``: read or set ``{"latency_ms": 2000, "token_ms": 0}`` at run time, so that one
  mock process serves every scenario of a benchmark run.
- ``GET /_last_request``: the last chat completion body, so the driver can post exactly the request
  Tactful sends when it measures the direct-call baseline.

Latency: ``latency_ms`` is slept before the whole non-streaming response, and before the first token
of a stream (headers are sent at once, as real servers do); ``token_ms`` is slept between chunks.
Sleeping is ``asyncio.sleep``, so thousands of requests can wait at once.

It is a raw ASGI app on uvicorn (httptools and uvloop when installed): no framework overhead, so the
direct-call baseline measures the network path and little else.

Run it alone: ``python -m bench.mock_llm --port 8900 --latency-ms 2000``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import socket
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import uvicorn

from bench.mock_reply import compose_reply, estimate_tokens, prompt_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_MODEL = "mock-1"
_JSON = (b"content-type", b"application/json")
_CHUNK = re.compile(r"\S+\s*|\s+")


class ClientGone(Exception):
    """The client disconnected before its request body was read."""


@dataclass
class MockConfig:
    latency_ms: float = 0.0
    token_ms: float = 0.0


@dataclass
class MockStats:
    chat_completions: int = 0
    streamed: int = 0
    models: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    def reset(self) -> None:
        # In-flight requests are still running: keep their count, restart the high-water mark from it.
        self.chat_completions = self.streamed = self.models = 0
        self.max_in_flight = self.in_flight


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_json(send: Send, status: int, obj: object) -> None:
    body = _dumps(obj)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [_JSON, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _error(message: str, *, kind: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    # The OpenAI error envelope, so the SDK raises its usual typed exceptions.
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


async def _sleep_ms(ms: float) -> None:
    if ms > 0:
        await asyncio.sleep(ms / 1000)


class MockLLM:
    """The ASGI application. One instance holds the configuration and counters of one server."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        self.stats = MockStats()
        self.last_request: dict[str, Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            await self._route(scope["method"], scope["path"].rstrip("/") or "/", receive, send)
        except ClientGone:
            return

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(self, method: str, path: str, receive: Receive, send: Send) -> None:
        if path == "/v1/chat/completions" and method == "POST":
            await self._chat_completions(await _read_body(receive), send)
        elif path == "/v1/models" and method == "GET":
            self.stats.models += 1
            model = {"id": DEFAULT_MODEL, "object": "model", "created": 1_700_000_000, "owned_by": "bench"}
            await _send_json(send, 200, {"object": "list", "data": [model]})
        elif path == "/_stats" and method == "GET":
            await _send_json(send, 200, asdict(self.stats))
        elif path == "/_reset" and method == "POST":
            self.stats.reset()
            await _send_json(send, 200, asdict(self.stats))
        elif path == "/_config" and method in ("GET", "POST"):
            if method == "POST":
                await self._set_config(await _read_body(receive), send)
            else:
                await _send_json(send, 200, asdict(self.config))
        elif path == "/_last_request" and method == "GET":
            if self.last_request is None:
                await _send_json(send, 404, _error("no chat completion request yet", code="not_found"))
            else:
                await _send_json(send, 200, self.last_request)
        else:
            await _send_json(send, 404, _error(f"no route {method} {path}", code="not_found"))

    async def _set_config(self, body: bytes, send: Send) -> None:
        try:
            update = json.loads(body or b"{}")
            for name in ("latency_ms", "token_ms"):
                if name in update:
                    value = float(update[name])
                    if value < 0:
                        raise ValueError(f"{name} must be >= 0")
                    setattr(self.config, name, value)
        except (ValueError, TypeError, AttributeError) as exc:
            await _send_json(send, 400, _error(f"bad config: {exc}"))
            return
        await _send_json(send, 200, asdict(self.config))

    async def _chat_completions(self, body: bytes, send: Send) -> None:
        try:
            request = json.loads(body)
            messages = request["messages"]
            if not isinstance(messages, list) or not messages:
                raise ValueError("messages must be a non-empty list")
        except (ValueError, KeyError, TypeError) as exc:
            await _send_json(send, 400, _error(f"invalid request: {exc}"))
            return
        self.last_request = request
        self.stats.chat_completions += 1
        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            content = compose_reply(messages)
            model = str(request.get("model") or DEFAULT_MODEL)
            usage = {
                "prompt_tokens": estimate_tokens(prompt_text(messages)),
                "completion_tokens": estimate_tokens(content),
            }
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
            if request.get("stream"):
                self.stats.streamed += 1
                options = request.get("stream_options") or {}
                include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
                await self._stream(send, ident, model, content, usage if include_usage else None)
            else:
                await _sleep_ms(self.config.latency_ms)
                await _send_json(send, 200, _completion(ident, model, content, usage))
        finally:
            self.stats.in_flight -= 1

    async def _stream(
        self, send: Send, ident: str, model: str, content: str, usage: dict[str, int] | None
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
            }
        )
        await _sleep_ms(self.config.latency_ms)
        created = int(time.time())
        with_usage = usage is not None

        async def emit(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = _chunk(ident, model, created, [_choice_delta(delta, finish)], with_usage)
            await send(
                {"type": "http.response.body", "body": b"data: " + _dumps(chunk) + b"\n\n", "more_body": True}
            )

        await emit({"role": "assistant", "content": ""})
        for index, piece in enumerate(_CHUNK.findall(content)):
            if index:
                await _sleep_ms(self.config.token_ms)
            await emit({"content": piece})
        await emit({}, "stop")
        if usage is not None:
            final = _chunk(ident, model, created, [], with_usage)
            final["usage"] = usage
            await send(
                {"type": "http.response.body", "body": b"data: " + _dumps(final) + b"\n\n", "more_body": True}
            )
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})


def _completion(ident: str, model: str, content: str, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "id": ident,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
        "system_fingerprint": "fp_bench",
    }


def _choice_delta(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}


def _chunk(
    ident: str, model: str, created: int, choices: list[dict[str, Any]], with_usage: bool
) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": "fp_bench",
        "choices": choices,
    }
    if with_usage:
        chunk["usage"] = None  # as OpenAI does: every chunk but the last carries "usage": null
    return chunk


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening-ready socket; port 0 lets the kernel pick a free one (no probe-then-bind race)."""
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto says
    # TCP, and without it Nagle + delayed ACK add ~40 ms to every response written in two parts.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def make_server(app: MockLLM) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        http="auto",  # httptools when installed
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        backlog=4096,  # the capacity scenario opens a thousand connections at once
        timeout_keep_alive=120,  # the driver pauses between scenarios; keep its connections open
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


async def wait_started(server: uvicorn.Server, task: asyncio.Task[None]) -> bool:
    """Poll until uvicorn is listening (it offers no event for that); False if it stopped instead."""
    while not server.started:
        if task.done():
            return False
        await asyncio.sleep(0.005)
    return True


class MockLLMServer:
    """The mock served in the current event loop, for tests: ``async with MockLLMServer() as mock``."""

    def __init__(self, *, latency_ms: float = 0.0, token_ms: float = 0.0, host: str = "127.0.0.1") -> None:
        self.app = MockLLM(MockConfig(latency_ms=latency_ms, token_ms=token_ms))
        self._host = host
        self._server = make_server(self.app)
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    async def start(self) -> MockLLMServer:
        sock = bind_socket(self._host)
        self.port = int(sock.getsockname()[1])
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        if not await wait_started(self._server, self._task):
            self._task.result()  # raises the start-up error, if there was one
            raise RuntimeError("the mock LLM server stopped during start-up")
        return self

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._server.should_exit = True
        await task

    async def __aenter__(self) -> MockLLMServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


def run_event_loop(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` on uvloop when it is installed: the mock should never be the bottleneck."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


async def _serve_forever(host: str, port: int, config: MockConfig) -> None:
    app = MockLLM(config)
    server = make_server(app)
    sock = bind_socket(host, port)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await wait_started(server, task)
    if server.started:
        bound = sock.getsockname()[1]
        # One line on stdout, so a parent that passed --port 0 can learn the port.
        print(f"mock LLM listening on http://{host}:{bound}/v1", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mock_llm", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port (printed on stdout)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="time to the response / first token")
    parser.add_argument("--token-ms", type=float, default=0.0, help="pause between streamed chunks")
    args = parser.parse_args(argv)
    if args.latency_ms < 0 or args.token_ms < 0:
        parser.error("latencies must be >= 0")
    run_event_loop(_serve_forever(args.host, args.port, MockConfig(args.latency_ms, args.token_ms)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
