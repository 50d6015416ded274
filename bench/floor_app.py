"""The stack floor: one request through Tactful's stack with none of Tactful's work in it.

A Litestar app on uvicorn (the server settings ``tactful serve`` uses) with one route,
``POST /v1/drafts``: it reads the request body, sends one chat completion to the LLM through an
``AsyncOpenAI`` client built exactly as the service builds its own (``make_async_openai``: the
stock client, no SDK retries) with the stock call (``chat.completions.create``, streamed, as the
service always asks; the service itself posts it with the chunks left as dicts, decision 63), and
answers the completion's text as JSON. No validation, no Redis,
no analysis, prompt, redaction, guardrails, cache, rate limit, metrics or logs. Its
``POST /v1/webhooks/{source}`` is the least a real webhook receiver must do (the webhook-accept
scenario's floor): verify Chatwoot's HMAC-SHA256 signature and its timestamp window on the raw
bytes, parse the JSON and take the message id, then claim the id and queue the verified body in
Redis in one script (``SET NX`` with a TTL, ``RPUSH``: durable, de-duplicated), and answer 202
with a job id. The Redis is the run's own server (another database), reached through the client
the service builds (``connect_redis``: same pool and timeouts). Without a Redis URL the route only
reads the body and answers 202 (the old floor, for the unit tests); ``POST /v1/webhooks-bare/{source}``
always does only that (the framework's own share, reported beside; also the feedback scenario's
floor). Its ``POST /v1/hit`` reads the body and answers a stored reply: a cache hit with no
validation, key or Redis (the cache-hit floor).

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
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from litestar import Litestar, Request, Response, get, post

from service.infra.redis_conn import connect_redis
from service.llm.openai_client import make_async_openai

if TYPE_CHECKING:
    from service.config import Settings

TIMEOUT_S = 30.0
# How the parent hands its command line to the spawned workers (they build the app themselves).
ENV_LLM_BASE_URL = "BENCH_FLOOR_LLM_BASE_URL"
ENV_LLM_REQUEST = "BENCH_FLOOR_LLM_REQUEST"
ENV_REDIS_URL = "BENCH_FLOOR_REDIS_URL"
ENV_WEBHOOK_SECRET = "BENCH_FLOOR_WEBHOOK_SECRET"
REPLAY_WINDOW_S = 300  # the signed timestamp's window, as the service's default
SEEN_TTL_S = 72 * 3600  # how long a message id is remembered, as the service's default
QUEUE_KEY = "floor:webhooks:queue"
SEEN_PREFIX = "floor:webhooks:seen:"
# The claim and the enqueue in one round trip, atomic: a duplicate queues nothing.
_CLAIM_AND_QUEUE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
    redis.call('RPUSH', KEYS[2], ARGV[3])
    return 1
end
return 0
"""
# What the hit route answers: about the size of a cached draft's JSON.
HIT_BODY = json.dumps({"reply": "Hi Ana, thank you for your patience. " * 12, "status": "approved"}).encode()


def _problem(status: int, detail: str) -> Response[bytes]:
    body = json.dumps({"detail": detail}).encode()
    return Response(body, status_code=status, media_type="application/json")


def _authentic(headers: Any, body: bytes, key: bytes) -> bool:
    """Chatwoot's scheme: ``sha256=<hex>`` of ``ts + "." + body``, the timestamp within the window."""
    presented = headers.get("x-chatwoot-signature", "")
    stamp = headers.get("x-chatwoot-timestamp", "")
    if not presented.startswith("sha256=") or not stamp.isdigit():
        return False
    if abs(time.time() - int(stamp)) > REPLAY_WINDOW_S:
        return False
    expected = hmac.new(key, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(presented[7:].encode(), expected.encode())


def create_floor_app(
    llm_base_url: str,
    llm_request: dict[str, Any],
    *,
    redis_url: str | None = None,
    webhook_secret: str | None = None,
) -> Litestar:
    client = make_async_openai(llm_base_url, "bench", TIMEOUT_S)
    redis: aioredis.Redis | None = None
    claim_and_queue: Any = None
    if redis_url is not None:
        redis = connect_redis(redis_url)
        claim_and_queue = redis.register_script(_CLAIM_AND_QUEUE)
    key = (webhook_secret or "").encode()

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
        # The webhook door's floor: verified, parsed, claimed and queued durably, nothing more.
        body = await request.body()
        job_id = "job_" + secrets.token_hex(16)
        if claim_and_queue is not None:
            if not _authentic(request.headers, body, key):
                return _problem(401, "signature")
            try:
                payload = json.loads(body)
                message_id = str(payload["id"])
            except (ValueError, KeyError, TypeError):
                return _problem(400, "payload")
            queued = await claim_and_queue(
                keys=[SEEN_PREFIX + message_id, QUEUE_KEY], args=[job_id, SEEN_TTL_S, body]
            )
            if not queued:
                return Response(
                    json.dumps({"job_id": job_id, "duplicate": True}).encode(),
                    status_code=202,
                    media_type="application/json",
                )
        return Response(
            json.dumps({"job_id": job_id, "duplicate": False}).encode(),
            status_code=202,
            media_type="application/json",
        )

    @post("/v1/webhooks-bare/{source:str}", status_code=202)
    async def bare_webhook(request: Request[Any, Any, Any]) -> Response[bytes]:
        # The framework alone: the body read and a 202, nothing verified or queued (reported beside
        # the real floor, so that a ratio against each can be read).
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

    async def close_redis() -> None:
        if redis is not None:
            await redis.aclose()

    return Litestar(
        route_handlers=[draft, webhook, bare_webhook, hit, ready],
        on_shutdown=[close_redis],
        openapi_config=None,
        logging_config=None,
    )


def create_floor_from_env(settings: Settings) -> Litestar:
    """The app factory the supervisor's workers call (module level: spawn pickles it by name)."""
    llm_request = json.loads(Path(os.environ[ENV_LLM_REQUEST]).read_bytes())
    return create_floor_app(
        os.environ[ENV_LLM_BASE_URL],
        llm_request,
        redis_url=os.environ.get(ENV_REDIS_URL) or None,
        webhook_secret=os.environ.get(ENV_WEBHOOK_SECRET) or None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_app", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--llm-base-url", required=True, help="e.g. http://127.0.0.1:8900/v1")
    parser.add_argument("--llm-request", type=Path, required=True, help="JSON body of the LLM request")
    parser.add_argument("--workers", type=int, default=1, help="processes, as `tactful serve --workers`")
    parser.add_argument("--redis-url", help="where the webhook route queues (none: it only answers 202)")
    parser.add_argument("--webhook-secret", help="Chatwoot secret the webhook route verifies with")
    args = parser.parse_args(argv)
    os.environ[ENV_LLM_BASE_URL] = args.llm_base_url
    os.environ[ENV_LLM_REQUEST] = str(args.llm_request.resolve())
    if args.redis_url:
        os.environ[ENV_REDIS_URL] = args.redis_url
    if args.webhook_secret:
        os.environ[ENV_WEBHOOK_SECRET] = args.webhook_secret
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
