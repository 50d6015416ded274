"""Reading loosely typed helpdesk JSON: each helper names the missing or odd field in its error.

Helpdesks send ids as numbers in one place and strings in another; :func:`ident` accepts both.
Errors name the field only, never its value (payloads are ticket text).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from service.integrations.base import ID, PayloadError
from service.models import Thread, has_visible_text


def obj(data: Any, key: str, *, where: str = "") -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise PayloadError(f"{where}{key} must be an object")
    return value


def opt_obj(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def items(data: Any, key: str) -> list[dict[str, Any]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def ident(data: Any, key: str, *, where: str = "") -> str:
    """An id from the payload: digits, or the id alphabet every helpdesk here uses (letters, digits,
    ``_`` and ``-``: Front's ``cnv_3x1``). Checked before any URL is built from it, so ``..`` or a
    slash can never change a path."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        raise PayloadError(f"{where}{key} must be an id (number or string)")
    text = str(value).strip()
    if not ID.fullmatch(text):
        raise PayloadError(f"{where}{key} must be an id of digits or letters, '_' and '-' (at most 128)")
    return text


def opt_ident(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        return None
    return str(value).strip()


def opt_text(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def flag(data: Any, key: str) -> bool:
    """A boolean that some helpdesks (and admin-written templates) send as a string."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def full_name(*parts: str | None) -> str | None:
    name = " ".join(part.strip() for part in parts if part and part.strip())
    return name or None


def build_thread(
    *,
    thread_id: str | None,
    subject: str | None,
    channel: str,
    customer: dict[str, str | None],
    messages: list[tuple[str, str, str | None]],
) -> Thread | None:
    """A Thread from (role, text, created_at) tuples, oldest first; None when no customer text is left.

    Bodies are cut to the wire model's bounds elsewhere (limits); empty bodies (attachments only)
    are dropped here so that the thread stays valid.
    """
    kept = [
        {"role": role, "body": body, "created_at": created_at}
        for role, body, created_at in messages
        if has_visible_text(body)
    ]
    if not any(m["role"] == "customer" for m in kept):
        return None
    try:
        return Thread.model_validate(
            {
                "id": thread_id,
                "subject": (subject or "")[:1_000] or None,
                "channel": channel,
                "customer": {k: v[:1_000] if isinstance(v, str) else v for k, v in customer.items()},
                "messages": kept,
            }
        )
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors(include_input=False)})
        raise PayloadError("the payload does not make a valid thread: " + ", ".join(fields)) from None


def timestamp(value: Any) -> str | None:
    """ISO 8601 from an ISO string or epoch seconds (Chatwoot and Intercom send numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None  # out of the range a date can hold: no timestamp rather than an error
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
        except ValueError:
            return None
    return None
