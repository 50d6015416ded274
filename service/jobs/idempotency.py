"""Dropping duplicate deliveries: one ``SET NX`` with a TTL on the helpdesk's delivery or message id.

The key's value is the job id, so a duplicate is answered with the job the first delivery got. The
claim is taken in the same script as the enqueue (WebhookQueue.claim_and_enqueue). When enqueueing
fails the key is released here (only if it is still ours), so the helpdesk's retry is accepted
instead of being taken for a duplicate of a job that never existed.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from service.jobs import keys

# Delete the key only while it still holds our job id: never someone else's newer claim.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Idempotency:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._release = redis.register_script(_RELEASE)

    async def release(self, source: str, delivery_id: str, job_id: str) -> None:
        await self._release(keys=[keys.seen(source, delivery_id)], args=[job_id])
