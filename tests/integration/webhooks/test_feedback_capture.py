"""A helpdesk reporting the agent's outgoing reply on a ticket Tactful drafted for: recorded as
feedback (sent when it is the draft, edited otherwise), still answered 200 "ignored"."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.integrations.seeds import Seed
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.webhooks.conftest import (
    hook_settings,
    post_seed,
    running_worker,
    seed,
    wait_job,
    with_body,
)


@pytest.fixture
async def quiet_hooks(redis_server: EmbeddedRedis, redis_client: Any) -> Any:
    # No helpdesk API configured: the job drafts and completes undelivered, which is all we need.
    async with AsyncTestClient(app=create_app(hook_settings(redis_server.url, helpdesks=False))) as client:
        yield client


async def drafted(client: AsyncTestClient[Any], redis_server: EmbeddedRedis, inbound: Seed) -> str:
    accepted = await post_seed(client, inbound)
    assert accepted.status_code == 202
    async with running_worker(hook_settings(redis_server.url, helpdesks=False)):
        view = await wait_job(client, accepted.json()["job_id"])
    assert view["state"] == "complete", view
    return str(view["draft"]["reply"] or view["draft"]["rejected_draft"])


async def outcomes(client: AsyncTestClient[Any]) -> dict[str, int]:
    summary = (await client.get("/v1/feedback/summary")).json()
    counted: dict[str, int] = summary["overall"]["outcomes"]
    return counted


def chatwoot_reply(text: str) -> Seed:
    return with_body(seed("chatwoot.agent_reply"), lambda body: body.update(content=text))


def zendesk_reply(text: str) -> Seed:
    def agent_comment(body: dict[str, Any]) -> None:
        body["comment"].update(id="7001299", author_id="5", public=True, body=text)

    return with_body(seed("zendesk.trigger_comment"), agent_comment)


@pytest.mark.parametrize(
    ("inbound", "reply"),
    [("chatwoot.message_created", chatwoot_reply), ("zendesk.trigger_comment", zendesk_reply)],
)
async def test_agent_reply_is_recorded_as_sent_then_edited(
    quiet_hooks: AsyncTestClient[Any], redis_server: EmbeddedRedis, inbound: str, reply: Any
) -> None:
    draft = await drafted(quiet_hooks, redis_server, seed(inbound))

    # The helpdesk re-wraps whitespace: still the draft as it was.
    response = await post_seed(quiet_hooks, reply("  " + draft.replace("\n\n", "\n\n\n") + "\n"))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert await outcomes(quiet_hooks) == {"sent": 1, "edited": 0, "discarded": 0}

    # A later report of an edited reply on the same ticket replaces it.
    response = await post_seed(quiet_hooks, reply(draft + "\nP.S. We added a voucher."))
    assert response.status_code == 200
    assert await outcomes(quiet_hooks) == {"sent": 0, "edited": 1, "discarded": 0}
    summary = (await quiet_hooks.get("/v1/feedback/summary")).json()
    assert summary["overall"]["edit_distance"]["char"]["median"] > 0
    metrics = (await quiet_hooks.get("/metrics")).text
    source = inbound.split(".")[0]
    assert f'tactful_feedback_received_total{{outcome="edited",source="{source}"}} 1.0' in metrics


async def test_reply_on_a_ticket_we_never_drafted_for_records_nothing(
    quiet_hooks: AsyncTestClient[Any],
) -> None:
    response = await post_seed(quiet_hooks, chatwoot_reply("Hello, all sorted now."))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert await outcomes(quiet_hooks) == {"sent": 0, "edited": 0, "discarded": 0}
