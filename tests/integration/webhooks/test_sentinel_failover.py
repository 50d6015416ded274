"""High availability: the primary Redis dies during a burst of drafts and webhooks, Sentinel promotes
the replica, and nothing is lost: every draft is answered and every accepted job is delivered.

Real processes throughout: a primary, a replica and three Sentinels (tests/support/sentinel.py),
the real app and a real SAQ worker, both connected through ``redis+sentinel://``. Only the
callback receiver's HTTP is mocked. Webhooks wait for one replica (``TACTFUL_REDIS_REPLICAS_ACK``)
before answering 202, so a job the helpdesk was told is accepted survives the failover; a delivery
that meets the outage gets 503 and is sent again, as a helpdesk would. With one replica, the
promoted replica has none of its own until the old primary is back (an operator restarts it and
the sentinels make it a replica), so webhooks answer 503 in between: durable, not silently lossy.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.integration.webhooks.conftest import hook_settings, post_seed, running_worker, seed
from tests.support.sentinel import sentinel_cluster

pytestmark = pytest.mark.slow

DRAFTS = 40
DELIVERIES = 30
RETRY_FOR_S = 30.0


def _thread(index: int) -> dict[str, Any]:
    return {
        "channel": "chat",
        "customer": {"name": "Rin"},
        "messages": [
            {
                "role": "customer",
                "body": f"My order {index} arrived broken and I'm upset. Can you replace it?",
            }
        ],
    }


async def _draft(client: AsyncTestClient[Any], index: int) -> int:
    response = await client.post("/v1/drafts", json=_thread(index))
    return response.status_code


async def _deliver(client: AsyncTestClient[Any]) -> str:
    """Post one generic delivery until it is accepted, as a helpdesk retries a 503."""
    deadline = time.monotonic() + RETRY_FOR_S
    while True:
        response = await post_seed(client, seed("generic.message_created"))
        if response.status_code == 202:
            job_id: str = response.json()["job_id"]
            return job_id
        assert response.status_code == 503, response.text
        assert time.monotonic() < deadline, "a delivery was never accepted"
        await asyncio.sleep(0.2)


async def _state(client: AsyncTestClient[Any], job_id: str) -> str | None:
    response = await client.get(f"/v1/jobs/{job_id}")
    return str(response.json()["state"]) if response.status_code == 200 else None


async def test_a_failover_during_a_burst_loses_no_draft_and_no_job(tmp_path: Path) -> None:
    with sentinel_cluster(tmp_path) as cluster:
        # Retries spaced like production's (doubling delays; the defaults wait 5+10+20+40 s), shortened
        # to fit a test but still well longer together (~23 s) than a failover and the old primary's
        # return on a loaded machine: an attempt that meets the outage is retried after it.
        settings = hook_settings(
            cluster.url,
            redis_replicas_ack=1,
            job_max_attempts=6,
            job_retry_delay_s=1.0,
            job_retry_max_delay_s=8.0,
        )
        with respx.mock(assert_all_called=False) as router:
            callbacks = router.post("https://receiver.test/tactful").respond(200)
            async with (
                AsyncTestClient(app=create_app(settings)) as client,
                running_worker(settings, concurrency=4),
            ):

                async def fail_over() -> None:
                    await asyncio.sleep(0.3)
                    cluster.kill_primary()
                    await asyncio.to_thread(cluster.wait_for_failover)
                    cluster.restart_old_primary()

                async def paced(coro_factory: Any, count: int) -> list[Any]:
                    # Spread over about two seconds, so the burst runs before, during and after the
                    # failover (the sentinels need ~0.5 s to call the primary down, ~1 s to promote).
                    async def one(index: int) -> Any:
                        await asyncio.sleep(index * 2.0 / count)
                        return await coro_factory(index)

                    return list(await asyncio.gather(*(one(i) for i in range(count))))

                statuses, job_ids, _ = await asyncio.gather(
                    paced(lambda i: _draft(client, i), DRAFTS),
                    paced(lambda _i: _deliver(client), DELIVERIES),
                    fail_over(),
                )
                assert cluster.current_primary_port() != cluster.primary.port  # type: ignore[union-attr]
                assert statuses == [200] * DRAFTS  # every draft answered (the cache fails open)
                assert len(set(job_ids)) == DELIVERIES

                deadline = time.monotonic() + 90
                pending = set(job_ids)
                while pending and time.monotonic() < deadline:
                    states = {job_id: await _state(client, job_id) for job_id in pending}
                    assert "failed" not in states.values(), states
                    pending = {job_id for job_id, state in states.items() if state != "complete"}
                    await asyncio.sleep(0.2)
                assert not pending, f"{len(pending)} accepted jobs were not delivered after the failover"
                assert callbacks.call_count >= DELIVERIES


async def test_a_job_cut_off_by_a_failover_is_delivered_without_spending_its_attempts(
    tmp_path: Path,
) -> None:
    """The job's first attempt loses its primary while posting: its delivery lock (no unlock ran)
    sits on the promoted primary. The retry waits that lock out instead of failing on it; retries
    that each met it once spent all six attempts of a job in the burst test under load."""
    with sentinel_cluster(tmp_path) as cluster:
        settings = hook_settings(
            cluster.url,
            redis_replicas_ack=1,
            job_max_attempts=6,
            job_retry_delay_s=1.0,
            job_retry_max_delay_s=8.0,
        )
        failover: list[asyncio.Task[None]] = []

        async def recover() -> None:
            await asyncio.to_thread(cluster.wait_for_failover)
            cluster.restart_old_primary()

        async def receiver(request: httpx.Request) -> httpx.Response:
            if not failover:  # the first post: the primary dies before the receipt is written
                cluster.kill_primary()
                failover.append(asyncio.create_task(recover()))
            return httpx.Response(200)

        with respx.mock(assert_all_called=False) as router:
            router.post("https://receiver.test/tactful").mock(side_effect=receiver)
            async with (
                AsyncTestClient(app=create_app(settings)) as client,
                running_worker(settings, concurrency=4),
            ):
                job_id = await _deliver(client)  # a slow replica's ack is a 503, sent again
                view: dict[str, Any] = {}
                deadline = time.monotonic() + 90
                while view.get("state") != "complete" and time.monotonic() < deadline:
                    answer = await client.get(f"/v1/jobs/{job_id}")  # 503 while there is no primary
                    view = answer.json() if answer.status_code == 200 else view
                    assert view.get("state") != "failed", view
                    await asyncio.sleep(0.1)
                await asyncio.gather(*failover)
                assert view.get("state") == "complete", view
                # The cut-off attempt, then one that waited out the orphaned lock (on main: 4 or 5).
                assert view["attempts"] <= 2, view
                assert not view["dead_lettered"]
