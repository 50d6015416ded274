"""Queue figures for /metrics and operators: queued, scheduled, running, failed attempts, dead letters."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import redis.asyncio as aioredis

from service.jobs import keys


@dataclass(frozen=True)
class QueueStats:
    queued: int  # waiting for a worker now
    scheduled: int  # waiting for a retry's delay to pass
    running: int  # taken by a worker
    failed: int  # attempts that failed and were retried (a counter since the Redis was new)
    dead_lettered: int  # jobs that ended unsuccessfully after their last attempt

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


async def queue_stats(redis: aioredis.Redis) -> QueueStats:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.llen(keys.saq("queued"))
        pipe.llen(keys.saq("active"))
        pipe.zcard(keys.saq("incomplete"))
        pipe.get(keys.FAILED_ATTEMPTS)
        pipe.hlen(keys.DEAD_LETTERS)
        queued, running, incomplete, failed, dead = await pipe.execute()
    return QueueStats(
        queued=int(queued),
        scheduled=max(0, int(incomplete) - int(queued) - int(running)),
        running=int(running),
        failed=int(failed or 0),
        dead_lettered=int(dead),
    )
