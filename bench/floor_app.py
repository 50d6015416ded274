"""The stack floor: one request through Tactful's stack with none of Tactful's work in it.

A Litestar app on uvicorn (the server settings ``tactful serve`` uses) with one route,
``POST /v1/drafts``: it reads the request body, sends one chat completion to the LLM through an
``AsyncOpenAI`` client built exactly as the service builds its own (``make_async_openai``: the
stock client, no SDK retries) with the stock call (``chat.completions.create``, streamed, as the
service always asks; the service itself posts it with the chunks left as dicts, decision 63), and
answers the completion's text as JSON. No validation, no Redis,
no analysis, prompt, redaction, guardrails, cache, rate limit, metrics or logs. Its
``POST /v1/webhooks/{source}`` reads the body and answers 202 with a job id: no signature, payload,
Redis or job (the webhook-accept scenario's floor). Its ``POST /v1/hit`` reads the body and
answers a stored reply: a cache hit with no validation, key or Redis (the cache-hit floor).

It runs under the supervisor of ``tactful serve --workers N`` (``--workers``: the same socket, the
same uvicorn settings through ``service.server.serving.serve``, the same N spawned processes), so
service and floor differ only in the app. The workers build the app with
:func:`create_floor_from_env`, reading what the command line gave the parent from the environment.

Every load scenario measures it in the same run as the real service, and each figure is reported
against it: what the framework, the server and the SDK alone cost is the part no change to
Tactful's own code can remove. The LLM request body is the one
Tactful sent during the warm-up (read from ``--llm-request FILE``), so both ask the mock the same.

Run alone: ``python -m bench.floor_app --port 8901 --llm-base-url http://127.0.0.1:8900/v1
--llm-request body.json [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, Response, get, post

from service.llm.openai_client import make_async_openai

if TYPE_CHECKING:
    from service.config import Settings

TIMEOUT_S = 30.0
# How the parent hands its command line to the spawned workers (they build the app themselves).
ENV_LLM_BASE_URL = "BENCH_FLOOR_LLM_BASE_URL"
ENV_LLM_REQUEST = "BENCH_FLOOR_LLM_REQUEST"
# What the hit route answers: about the size of a cached draft's JSON.
HIT_BODY = json.dumps({"reply": "Hi Ana, thank you for your patience. " * 12, "status": "approved"}).encode()


def create_floor_app(llm_base_url: str, llm_request: dict[str, Any]) -> Litestar:
    client = make_async_openai(llm_base_url, "bench", TIMEOUT_S)

    @post("/v1/drafts", status_code=200)
    async def draft(request: Request[Any, Any, Any]) -> Response[bytes]:
        await request.body()  # the service reads and parses the thread; the floor only reads it
        stream = await client.chat.completions.create(**llm_request)
        parts: list[str] = []
        async with stream:
            async for chunk in stream:
                parts.extend(c.delta.content for c in chunk.choices if c.delta and c.delta.content)
        reply = "".join(parts)
        return Response(json.dumps({"reply": reply}).encode(), media_type="application/json")

    @post("/v1/webhooks/{source:str}", status_code=202)
    async def webhook(request: Request[Any, Any, Any]) -> Response[bytes]:
        # The webhook door's floor: the body read and a 202 with a job id, nothing verified or queued.
        await request.body()
        return Response(
            json.dumps({"job_id": "job_" + secrets.token_hex(16), "duplicate": False}).encode(),
            status_code=202,
            media_type="application/json",
        )

    @post("/v1/hit", status_code=200)
    async def hit(request: Request[Any, Any, Any]) -> Response[bytes]:
        # The cache hit's floor: the body read and a stored reply sent, nothing parsed or looked up.
        await request.body()
        return Response(HIT_BODY, media_type="application/json")

    @get("/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[draft, webhook, hit, ready], openapi_config=None, logging_config=None)


def create_floor_from_env(settings: Settings) -> Litestar:
    """The app factory the supervisor's workers call (module level: spawn pickles it by name)."""
    llm_request = json.loads(Path(os.environ[ENV_LLM_REQUEST]).read_bytes())
    return create_floor_app(os.environ[ENV_LLM_BASE_URL], llm_request)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_app", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--llm-base-url", required=True, help="e.g. http://127.0.0.1:8900/v1")
    parser.add_argument("--llm-request", type=Path, required=True, help="JSON body of the LLM request")
    parser.add_argument("--workers", type=int, default=1, help="processes, as `tactful serve --workers`")
    args = parser.parse_args(argv)
    os.environ[ENV_LLM_BASE_URL] = args.llm_base_url
    os.environ[ENV_LLM_REQUEST] = str(args.llm_request.resolve())
    # Imported here: the unit tests build the app without the server side. The factory comes from
    # the module by name, not from __main__, so that the spawned workers import it as such.
    from bench.floor_app import create_floor_from_env as factory
    from service.config import Settings
    from service.server.serving import serve
    from service.server.workers import Supervisor

    settings = Settings()
    if args.workers > 1:
        # The branch `tactful serve` takes (service/cli.py), with the floor's app factory.
        stop_wait_s = settings.server.shutdown_drain_s + settings.server.shutdown_grace_s + 5
        supervisor = Supervisor(
            factory,
            host=args.host,
            port=args.port,
            workers=args.workers,
            stop_wait_s=stop_wait_s,
        )
        return supervisor.run()
    serve(
        factory(settings),
        host=args.host,
        port=args.port,
        grace_s=settings.server.shutdown_grace_s,
        drain_s=settings.server.shutdown_drain_s,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
