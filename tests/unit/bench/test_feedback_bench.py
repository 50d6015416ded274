"""The feedback scenario's floor requests succeed on the floor as a run starts it (Redis and a secret)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import redis.asyncio as aioredis

from bench.feedback import _bodies, _feedback_request
from bench.floor_app import QUEUE_KEY, create_floor_app
from bench.http1 import Response
from bench.procs import BENCH_WEBHOOK_SECRET
from bench.stacks import FLOOR, Stack
from service.server.embedded_redis import EmbeddedRedis


class _InProcessClient:
    """The load client's interface over the real floor app, in this event loop."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Response:
        response = await self._client.request(method, target, content=body or None, headers=headers)
        return Response(response.status_code, dict(response.headers), response.content)

    async def warm(self, target: str = "/", count: int | None = None) -> None:
        return None

    async def aclose(self) -> None:
        await self._client.aclose()


async def test_feedback_requests_to_the_floor_as_a_run_starts_it_all_succeed(
    redis_server: EmbeddedRedis, redis_client: aioredis.Redis
) -> None:
    # bench/procs.start_floor gives the floor the run's Redis and the Chatwoot secret, which turns
    # its webhook route into a verifying one: the scenario's unsigned bodies must not go there.
    app = create_floor_app(
        "http://127.0.0.1:9/v1", {}, redis_url=redis_server.url, webhook_secret=BENCH_WEBHOOK_SECRET
    )
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types scope stricter
    client = _InProcessClient(httpx.AsyncClient(transport=transport, base_url="http://floor"))
    reply = "Hi Ana. Sorry for the wait. It ships today."
    drafts = [(f"drf_{index:026d}", _bodies(reply)) for index in range(3)]
    request = _feedback_request(Stack(FLOOR, "http://floor"), client, drafts)
    try:
        problems = [await request(index) for index in range(len(drafts) * 3)]
    finally:
        await client.aclose()
    assert problems == [None] * 9  # every outcome's body, answered 202
    assert await redis_client.llen(QUEUE_KEY) == 0  # type: ignore[misc]  # the bare route queues nothing
