"""The stack floor: one request through Tactful's stack with none of Tactful's work in it.

A Litestar app on uvicorn (the server settings ``tactful serve`` uses) with one route,
``POST /v1/drafts``: it reads the request body, sends one chat completion to the LLM through an
``AsyncOpenAI`` client built exactly as the service builds its own (``make_async_openai``: the
stock client, no SDK retries) with the same call (``chat.completions.create``, streamed, as the
service always asks), and answers the completion's text as JSON. No validation, no Redis,
no analysis, prompt, redaction, guardrails, cache, rate limit, metrics or logs. Its
``POST /v1/webhooks/{source}`` reads the body and answers 202 with a job id: no signature, payload,
Redis or job (the webhook-accept scenario's floor).

The overhead scenario measures it in the same run as the real service and the direct LLM call: its
latency minus the direct call's is what the framework, the server and the SDK alone add, the part
of Tactful's overhead no change to Tactful's own code can remove. The LLM request body is the one
Tactful sent during the warm-up (read from ``--llm-request FILE``), so both ask the mock the same.

Run alone: ``python -m bench.floor_app --port 8901 --llm-base-url http://127.0.0.1:8900/v1
--llm-request body.json``.
"""

from __future__ import annotations

import argparse
import json
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from litestar import Litestar, Request, Response, get, post

from service.llm.openai_client import make_async_openai

TIMEOUT_S = 30.0


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

    @get("/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[draft, webhook, ready], openapi_config=None, logging_config=None)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_app", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--llm-base-url", required=True, help="e.g. http://127.0.0.1:8900/v1")
    parser.add_argument("--llm-request", type=Path, required=True, help="JSON body of the LLM request")
    args = parser.parse_args(argv)
    llm_request = json.loads(args.llm_request.read_bytes())
    app = create_floor_app(args.llm_base_url, llm_request)
    # The server settings of service/server/serving.py (uvicorn picks uvloop and httptools when installed).
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
