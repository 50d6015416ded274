"""The replicas' acknowledgement of an accepted job: a 202 is sent only once they hold it.

Replication is asynchronous, so a primary that dies right after answering could take an accepted
job with it (decision 41). ``WAIT n timeout`` blocks until n replicas acknowledge every write made
*on its own connection*, and the job's writes went out on whatever pool connection their command
took. So the acknowledgement is a fence, one pipeline on one connection: ``EXISTS`` on the job's
key (the job is on the server that answers), a write of our own (``INCR`` of a counter), then
``WAIT``. Replication is one ordered stream, so a replica that acknowledged the fence's write also
holds every write the server made before it, the job included. ``EXISTS`` is what makes this safe
across a failover: a fence that lands on a newly promoted primary that never got the job finds no
job and fails, instead of acknowledging someone else's writes.
"""

from __future__ import annotations

import redis.asyncio as aioredis

# A counter the fence increments: a write that always replicates, whatever the job's keys hold.
FENCE_KEY = "tactful:jobs:replication-fence"


class ReplicationLag(RuntimeError):
    """The job is not on the primary that answered, or fewer replicas than required held it in time."""


class ReplicaAck:
    def __init__(self, redis: aioredis.Redis, *, replicas: int, wait_ms: int) -> None:
        self._redis = redis
        self.replicas = replicas
        self._wait_ms = wait_ms

    async def confirm(self, job_key: str) -> None:
        """Return once ``replicas`` replicas hold the job stored under ``job_key``; no-op when 0."""
        if not self.replicas:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.exists(job_key)
            pipe.incr(FENCE_KEY)
            pipe.execute_command("WAIT", self.replicas, self._wait_ms)
            present, _, acknowledged = await pipe.execute()
        if not present:
            raise ReplicationLag("the job is not on the primary that answered (a failover?)")
        if int(acknowledged) < self.replicas:
            raise ReplicationLag(f"{acknowledged} of {self.replicas} replicas acknowledged in time")
