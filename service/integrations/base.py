"""What every helpdesk module provides, and the small value types that pass between the layers.

An integration knows one helpdesk's wire formats and nothing about prompts: it verifies a delivery
on the raw bytes, turns the payload into a :class:`Inbound` (a Thread plus where to answer) or an
:class:`Ignored`, and posts a finished :class:`Outbound` back through the helpdesk's API.
Targets carry ids only; hosts and credentials always come from configuration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from service.config import Settings
from service.models import Thread

# Every note Tactful writes starts with this, so an event about our own note is never drafted.
MARKER = "[Tactful]"


class PayloadError(Exception):
    """The payload does not have the shape this helpdesk documents (answered 422)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class DeliveryError(Exception):
    """The helpdesk did not take the note; the job retries, then dead-letters."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Inbound:
    """A verified new customer message: the thread to draft for, and where the result goes."""

    delivery_id: str
    thread: Thread
    target: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentReply:
    """What an agent sent the customer on a ticket: compared with the draft Tactful made for the same
    thread id (the feedback loop, docs/feedback.md). ``thread_id`` is the id ``parse`` gives the
    ticket's Thread, so the two meet."""

    thread_id: str
    text: str


@dataclass(frozen=True)
class Ignored:
    """A genuine event that needs no draft (agent reply, private note, our own note, status change).

    ``reply`` is set when the event is an agent's public reply to the customer."""

    reason: str
    reply: AgentReply | None = None


@dataclass(frozen=True)
class Challenge:
    """A setup handshake to answer at once (Front's ``X-Front-Challenge``)."""

    response: dict[str, str]


Parsed = Inbound | Ignored | Challenge


@dataclass(frozen=True)
class Outbound:
    """What to put in the helpdesk: a reply draft for the agent, or a note that explains a block."""

    kind: Literal["draft", "note"]
    text: str


@dataclass(frozen=True)
class Receipt:
    """The outcome of delivering one job's result to one channel (helpdesk API or callback)."""

    channel: str
    delivered: bool
    kind: str | None = None
    reference: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "delivered": self.delivered,
            "kind": self.kind,
            "reference": self.reference,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Receipt:
        return cls(
            channel=str(data["channel"]),
            delivered=bool(data["delivered"]),
            kind=data.get("kind"),
            reference=data.get("reference"),
            reason=data.get("reason"),
        )


class Integration:
    """Base class: subclasses set ``source`` and implement the three steps."""

    source: ClassVar[str]

    def secret(self, settings: Settings) -> str | None:
        value = settings.integrations.secret(self.source)
        return value.get_secret_value() if value is not None else None

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, *, window_s: float) -> None:
        raise NotImplementedError

    def parse(self, headers: Mapping[str, str], payload: Any) -> Parsed:
        raise NotImplementedError

    def delivery_missing(self, settings: Settings) -> str | None:
        """Why this helpdesk's API cannot be called (a setting is unset), or None when it can."""
        raise NotImplementedError

    async def deliver(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt:
        raise NotImplementedError

    # Set by integrations that can look in the helpdesk for a note an earlier attempt posted.
    can_find: ClassVar[bool] = False

    async def find_delivered(
        self, http: httpx.AsyncClient, settings: Settings, target: Mapping[str, str], outbound: Outbound
    ) -> Receipt | None:
        """The receipt of ``outbound`` if the helpdesk already holds it (same text), else None.

        Asked only on a retry whose earlier attempt started posting and left no receipt (see
        service/jobs/ledger.py). Integrations that cannot look leave ``can_find`` False."""
        raise NotImplementedError


def reveal(secret: SecretStr | None) -> str:
    """A credential in clear for the one request that sends it (``delivery_missing`` has checked
    that it is set; unset reads as empty)."""
    return secret.get_secret_value() if secret is not None else ""


def check_response(response: httpx.Response, what: str) -> httpx.Response:
    """Raise :class:`DeliveryError` unless the helpdesk accepted the request (2xx)."""
    if response.is_success:
        return response
    raise DeliveryError(f"{what}: HTTP {response.status_code}")


def reference_from(response: httpx.Response, *keys: str) -> str | None:
    """The id the helpdesk gave the new note, when its answer is JSON and has one."""
    try:
        data: Any = response.json()
    except ValueError:
        return None
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return str(data) if isinstance(data, str | int) else None


# The ids a helpdesk sends (payload.ident checks them at the door): digits or letters, "_" and "-".
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def seg(value: str) -> str:
    """An id as one URL path segment. Checked again here (a job queued before the door checked
    ids may hold anything): "." and ".." are path segments of their own, which quoting keeps."""
    if not ID.fullmatch(value):
        raise DeliveryError("an id of the target is not a valid id")
    return quote(value, safe="")
