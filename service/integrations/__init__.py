"""Helpdesk integrations: one module per helpdesk, one shared verification layer (signatures.py).

``INTEGRATIONS`` maps the ``{source}`` of ``POST /v1/webhooks/{source}`` to its module's class.
"""

from __future__ import annotations

from service.integrations.base import (
    AgentReply,
    Challenge,
    DeliveryError,
    Ignored,
    Inbound,
    Integration,
    Outbound,
    Parsed,
    PayloadError,
    Receipt,
)
from service.integrations.chatwoot import Chatwoot
from service.integrations.freescout import FreeScout
from service.integrations.freshdesk import Freshdesk
from service.integrations.front import Front
from service.integrations.generic import Generic
from service.integrations.helpscout import HelpScout
from service.integrations.intercom import Intercom
from service.integrations.signatures import SignatureError
from service.integrations.zammad import Zammad
from service.integrations.zendesk import Zendesk

INTEGRATIONS: dict[str, Integration] = {
    integration.source: integration
    for integration in (
        Chatwoot(),
        Zendesk(),
        Zammad(),
        Front(),
        Intercom(),
        HelpScout(),
        FreeScout(),
        Freshdesk(),
        Generic(),
    )
}
SOURCES = tuple(INTEGRATIONS)
# Helpdesks whose API has reply drafts: a sendable result goes there as a draft, not a note.
DRAFT_CAPABLE = frozenset({"front", "freescout"})

__all__ = [
    "DRAFT_CAPABLE",
    "INTEGRATIONS",
    "SOURCES",
    "AgentReply",
    "Challenge",
    "DeliveryError",
    "Ignored",
    "Inbound",
    "Integration",
    "Outbound",
    "Parsed",
    "PayloadError",
    "Receipt",
    "SignatureError",
]
