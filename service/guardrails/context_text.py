"""How much of a thread the rules that read it look at: its newest characters, a bound on their work.

Rules that read the thread (the customer's own details for ``pii``, the words a reply may share
with it for ``prompt-leak``) read its newest :data:`THREAD_CONTEXT_CHARS` characters: more than any
prompt shows with the default budget (~24,000 characters), and a bound on their work however long
the thread is.
"""

from __future__ import annotations

from collections.abc import Iterable

THREAD_CONTEXT_CHARS = 32_000


def newest_text(bodies: Iterable[str], limit: int = THREAD_CONTEXT_CHARS) -> list[str]:
    """``bodies`` (oldest first) cut to their newest ``limit`` characters, oldest first."""
    kept: list[str] = []
    remaining = limit
    for body in reversed(list(bodies)):
        if remaining <= 0:
            break
        kept.append(body[-remaining:] if len(body) > remaining else body)
        remaining -= len(kept[-1])
    kept.reverse()
    return kept
