"""What every ``find_delivered`` shares: read a helpdesk's listing, recognise our own note in it.

A listing that cannot be read (an error status, not JSON, not the documented shape) raises
:class:`DeliveryError`: the attempt fails and retries later, because posting without knowing
whether the note is already there could give the agent the same note twice (decision 35).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from service.integrations.base import DeliveryError, check_response
from service.integrations.html_text import html_to_text


def listing(response: httpx.Response, what: str) -> Any:
    """The JSON of a 2xx listing answer; anything else fails the lookup."""
    check_response(response, what)
    try:
        return response.json()
    except ValueError:
        raise DeliveryError(f"{what}: listing is not JSON") from None


def entries(data: Any, what: str, *path: str) -> Iterator[Mapping[str, Any]]:
    """The objects of the list at ``path`` in ``data`` (``data`` itself when no path).

    A missing or non-list value fails the lookup: an unexpected shape says nothing about whether
    the note is there, so it must not read as "not found"."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, list):
        raise DeliveryError(f"{what}: listing has no {'.'.join(path) or 'list'}")
    return (entry for entry in data if isinstance(entry, dict))


def _squash(text: str) -> str:
    return " ".join(text.split())


def same_text(body: object, sent: str) -> bool:
    """Whether a helpdesk's stored body is the text we sent, as plain text or as HTML.

    Helpdesks that take HTML store it re-serialised (other tags, entities, line breaks), so the
    body is compared both as it is and with its tags stripped, whitespace collapsed either way."""
    if not isinstance(body, str) or not body.strip():
        return False
    wanted = _squash(sent)
    return _squash(body) == wanted or _squash(html_to_text(body)) == wanted


def ref(value: object) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
