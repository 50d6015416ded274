"""Dropping duplicate deliveries: one ``SET NX`` with a TTL on the helpdesk's delivery or message id.

The key's value is the job id, so a duplicate is answered with the job the first delivery got. The
claim is taken in the script that also checks the source's rate limit
(WebhookQueue.claim_and_enqueue). When enqueueing fails the key is released here (only if it is
still ours), so the helpdesk's retry is accepted instead of being taken for a duplicate of a job
that never existed, and the delivery's admission leaves the source's budget with it.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from service.infra.ratelimit import bucket_key
from service.jobs import keys

# Rate-limit bucket of a webhook source (service/infra/ratelimit.py keys it under its prefix).
WEBHOOK_BUCKET = "webhook:"

# Delete the key only while it still holds our job id: never someone else's newer claim. The
# admission is the bucket member named by the job id; removing an absent one is a no-op.
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Idempotency:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._release = redis.register_script(_RELEASE)

    async def release(self, source: str, delivery_id: str, job_id: str) -> None:
        await self._release(
            keys=[keys.seen(source, delivery_id), bucket_key(WEBHOOK_BUCKET + source)], args=[job_id]
        )
