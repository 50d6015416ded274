"""Redis key names of the webhook machinery, in one place (SAQ keeps its own under ``saq:``)."""

from __future__ import annotations

import hashlib

QUEUE_NAME = "tactful-webhooks"
DEAD_LETTERS = "tactful:jobs:dead"  # hash: job id -> JSON record, kept until an operator removes it
FAILED_ATTEMPTS = "tactful:jobs:failed-attempts"  # counter: attempts that failed and were retried


def saq(kind: str) -> str:
    """SAQ's own key of the queue (``queued``, ``active``, ``incomplete``), as RedisQueue.namespace."""
    return f"saq:{QUEUE_NAME}:{kind}"


def _digest(source: str, delivery_id: str) -> str:
    # Hashed: delivery ids are the helpdesk's and may be long or hold characters Redis users dislike.
    return hashlib.sha256(f"{source}\n{delivery_id}".encode()).hexdigest()[:40]


def seen(source: str, delivery_id: str) -> str:
    """Idempotency key of one delivery: SET NX, value = the job id."""
    return f"tactful:webhook:seen:{_digest(source, delivery_id)}"


def delivered(source: str, delivery_id: str, channel: str) -> str:
    """Receipt of one delivery to one channel (helpdesk or callback), written after it succeeded."""
    return f"tactful:webhook:delivered:{_digest(source, delivery_id)}:{channel}"


def delivering(source: str, delivery_id: str, channel: str) -> str:
    """Short lock held while one worker calls the helpdesk, so two workers never post together."""
    return f"tactful:webhook:delivering:{_digest(source, delivery_id)}:{channel}"


def sending(source: str, delivery_id: str, channel: str) -> str:
    """Written just before a worker calls the helpdesk: a retry that finds it and no receipt knows an
    earlier attempt may have delivered, and asks the helpdesk before posting again."""
    return f"tactful:webhook:sending:{_digest(source, delivery_id)}:{channel}"
