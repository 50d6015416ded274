"""Thread payloads for the benchmark: the seed threads, made unique per request when needed.

Identical threads are answered from the cache, so every uncached measurement must send a thread
nobody sent before: :meth:`ThreadFactory.unique` stamps a run-unique ticket id and reference into
the thread (the reference goes into the last customer message, so the prompt differs too, as it
would between real tickets).
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_THREADS = REPO_ROOT / "seeds" / "threads"

Thread = dict[str, Any]


def _thread(subject: str, customer: str, agent: str, *bodies: str, channel: str = "email") -> Thread:
    return {
        "subject": subject,
        "channel": channel,
        "customer": {"name": customer},
        "agent": {"name": agent},
        "messages": [{"role": "customer", "body": body} for body in bodies],
    }


# Used when seeds/threads/ holds fewer threads than this: realistic tickets in the wire model.
SYNTHETIC_THREADS: tuple[Thread, ...] = (
    _thread(
        "Charged twice for my March invoice",
        "Dana Reyes",
        "Sam",
        "Hello, I was charged twice for my March invoice and I'm really frustrated. "
        "Please refund the duplicate payment as soon as possible.",
    ),
    _thread(
        "Order #4821 still not delivered",
        "Ana Souza",
        "Priya",
        "My order was supposed to arrive last Tuesday. The tracking page has said 'in transit' for "
        "six days now and nobody answers the phone. I needed it for my daughter's birthday.",
        "It's now been a week. Can someone please tell me where my package is?",
    ),
    _thread(
        "Cannot log in after password reset",
        "Tom Becker",
        "Sam",
        "I reset my password this morning and now the app keeps saying my credentials are invalid. "
        "I have a client presentation in two hours and all my files are in there. Please help!",
        channel="chat",
    ),
    _thread(
        "Cancel my subscription",
        "Leila Haddad",
        "Marco",
        "I've tried to cancel my subscription three times from the settings page and it still renews. "
        "This is really disappointing. I want it cancelled and this month refunded.",
    ),
    _thread(
        "Export to CSV is confusing",
        "Kenji Watanabe",
        "Priya",
        "Hi, I'm not sure how to export my reports to CSV. The button is greyed out and the help "
        "article shows a menu I don't have. What am I doing wrong?",
    ),
    _thread(
        "Damaged item received",
        "Olivia Grant",
        "Marco",
        "The lamp I ordered arrived with a cracked base. The box looked fine, so it must have been "
        "packed like that. I'd like a replacement, not a refund, if that is possible.",
    ),
)


# Longer threads exercise the prompt's token budget, a different path from the typical ticket.
LONG_THREAD_CHARS = 8_000


def _suits_the_mock(thread: Thread) -> bool:
    """English and of typical length: the mock LLM writes English replies to ordinary tickets.

    A German ticket answered in English would fail the language rule and trigger re-asks, and the
    figures would measure the repair loop. Language comes from Tactful's own analysis when it is
    importable, so the bench agrees with the pipeline; otherwise the customer locale decides.
    """
    if sum(len(str(m.get("body", ""))) for m in thread["messages"]) > LONG_THREAD_CHARS:
        return False
    try:
        from service.language.analysis import analyse_thread
        from service.models import Thread as ThreadModel

        return analyse_thread(ThreadModel.model_validate(thread)).language == "en"
    except ImportError:
        locale = str((thread.get("customer") or {}).get("locale") or "en")
        return locale.lower().startswith("en")
    except ValueError:  # not a valid thread (pydantic's ValidationError is a ValueError)
        return False


def load_threads(directory: Path = SEED_THREADS, minimum: int = len(SYNTHETIC_THREADS)) -> list[Thread]:
    """The seed threads that suit the mock (see above), topped up with synthetic ones."""
    threads: list[Thread] = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        well_formed = isinstance(data, dict) and isinstance(data.get("messages"), list) and data["messages"]
        if well_formed and _suits_the_mock(data):
            threads.append(data)
    if len(threads) < minimum:
        threads.extend(copy.deepcopy(SYNTHETIC_THREADS[: minimum - len(threads)]))
    return threads


class ThreadFactory:
    """Cycles through the threads; ``unique(i)`` is a thread no earlier run or request has sent."""

    def __init__(self, threads: list[Thread], run_id: str | None = None) -> None:
        if not threads:
            raise ValueError("no threads to send")
        self._threads = threads
        self.run_id = run_id or uuid.uuid4().hex[:8]

    def base(self, index: int) -> Thread:
        return copy.deepcopy(self._threads[index % len(self._threads)])

    def unique(self, label: str, index: int) -> Thread:
        thread = self.base(index)
        reference = f"BENCH-{self.run_id}-{label}-{index}"
        thread["id"] = reference
        for message in reversed(thread["messages"]):
            if message.get("role") == "customer" and str(message.get("body", "")).strip():
                message["body"] = f"{message['body'].rstrip()}\n\n(Ticket reference {reference})"
                break
        return thread

    def unique_json(self, label: str, index: int) -> bytes:
        return json.dumps(self.unique(label, index), separators=(",", ":")).encode()
