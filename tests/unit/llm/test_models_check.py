"""The model check never looks at GET /models while this process has an LLM call open."""

from __future__ import annotations

import asyncio

import httpx
import respx
from openai import AsyncOpenAI

from service.llm.limiter import EndpointLimiter
from service.llm.models_check import ModelCheck

# The first SDK call can take over a second on a loaded machine; the probe's own 1 s does not matter here.
WAIT_S = 30.0
LISTED = {"object": "list", "data": [{"id": "smollm2", "object": "model", "owned_by": "me"}]}


async def test_the_list_waits_until_no_call_of_ours_is_open(
    llm_http: respx.MockRouter, openai_client: AsyncOpenAI
) -> None:
    # llama-cpp-python serves GET /v1/models behind its generation lock: a look while a draft
    # streams would end that stream early (interrupt_requests), so a busy process does not look.
    models = llm_http.get("/models").mock(return_value=httpx.Response(200, json=LISTED))
    limiter = EndpointLimiter(1)
    check = ModelCheck(openai_client, "smollm2", ttl_s=0.0, busy=limiter.busy)
    slot = await limiter.acquire(1.0)
    assert await check.current(WAIT_S) == "unchecked"
    assert models.call_count == 0
    slot.release()
    assert await check.current(WAIT_S) == "listed"
    assert models.call_count == 1

    # While a call holds the slot and another waits for it, the last verdict stands.
    slot = await limiter.acquire(1.0)
    waiter = asyncio.ensure_future(limiter.acquire(5.0))
    await asyncio.sleep(0)
    assert (limiter.in_use, limiter.waiting) == (1, 1)
    assert await check.current(WAIT_S) == "listed"
    slot.release()
    (await waiter).release()
    assert not limiter.busy()
    assert models.call_count == 1
    assert await check.current(WAIT_S) == "listed"
    assert models.call_count == 2
