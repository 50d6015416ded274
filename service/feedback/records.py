"""What is kept in Redis, as compact JSON (msgspec), and the key layout (docs/feedback.md).

Key layout, all under ``tactful:fb:``:

- ``draft:{draft_id}``: a :class:`DraftRecord` (who asked, which prompt/provider/model, language,
  channel, findings with spans, the sealed redacted draft text when a key is configured);
  expires after the retention period.
- ``text:{draft_id}``: without a key only, the redacted draft text in clear for as long as the draft
  cache keeps the same draft in clear (``TACTFUL_CACHE_TTL_S``), so feedback in that time still gets
  its distances; never longer than the retention period.
- ``ticket:{tenant}:{thread_id}``: the latest draft id made for a helpdesk ticket (webhook capture).
- ``item:{draft_id}``: the :class:`FeedbackItem` (one per draft; a second feedback replaces it).
- ``agg:{tenant}:{day}:{dim}``: per-day aggregate hashes of counts, for the tenant and for ``*``
  (all tenants, the Prometheus figures); dim is ``all``, a group-by dimension or ``span``.
- ``hist:{tenant}:{day}:{scope}:{level}``: per-day histograms of edit distance (level ``dc``
  character, ``dw`` word) as packed counters; scope is ``all`` or ``{dim}={value}``.
- ``index``: a sorted set of draft ids by feedback time (export), trimmed to the retention period.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

PREFIX = "tactful:fb:"
ALL_TENANTS = "*"
NO_RULE = "(none)"
# Distances are kept as histograms with this many buckets per unit: quantiles are exact to 1/(2*BUCKETS).
BUCKETS = 50


class Outcome(StrEnum):
    sent = "sent"
    edited = "edited"
    discarded = "discarded"


class GroupBy(StrEnum):
    prompt_version = "prompt_version"
    provider = "provider"
    rule = "rule"
    language = "language"
    channel = "channel"


class DraftRecord(msgspec.Struct, frozen=True):
    tenant: str
    prompt_version: str
    provider: str
    model: str
    language: str
    channel: str
    at: float
    findings: list[tuple[str, str, int | None, int | None]]  # rule, severity, start, end (redacted text)
    text: str | None = None  # sealed redacted draft text (with a key)
    customer: str | None = None  # sealed redacted newest customer message (with a key; for export)
    ticket: str | None = None  # the helpdesk thread id, for drafts made from a webhook


class FeedbackItem(msgspec.Struct, frozen=True):
    draft_id: str
    tenant: str
    outcome: str
    source: str  # api | the helpdesk
    at: float
    accepted: bool
    char_distance: float | None
    word_distance: float | None
    sentences: int | None
    changed_sentences: list[int]
    rewritten_rules: list[str]
    final_text: str | None  # sealed, redacted (with a key)
    reason: str | None  # sealed, redacted (with a key)
    incs: dict[str, list[str]]  # the aggregate fields this item counted in, so a replacement can undo them


def tenant_part(tenant: str) -> str:
    return tenant or "local"


def draft_key(draft_id: str) -> str:
    return f"{PREFIX}draft:{draft_id}"


def text_key(draft_id: str) -> str:
    return f"{PREFIX}text:{draft_id}"


def item_key(draft_id: str) -> str:
    return f"{PREFIX}item:{draft_id}"


def ticket_key(tenant: str, thread_id: str) -> str:
    return f"{PREFIX}ticket:{tenant_part(tenant)}:{thread_id}"


def agg_key(tenant: str, day: str, dim: str) -> str:
    return f"{PREFIX}agg:{tenant_part(tenant)}:{day}:{dim}"


def hist_key(tenant: str, day: str, scope: str, level: str) -> str:
    """A histogram: BUCKETS + 1 signed 32-bit counters (BITFIELD ``i32 #bucket``), big-endian."""
    return f"{HIST_PREFIX}{tenant_part(tenant)}:{day}:{scope}:{level}"


HIST_PREFIX = f"{PREFIX}hist:"
INDEX_KEY = f"{PREFIX}index"

_record_decoder = msgspec.json.Decoder(DraftRecord)
_item_decoder = msgspec.json.Decoder(FeedbackItem)
encode = msgspec.json.Encoder().encode


def decode_record(raw: bytes) -> DraftRecord:
    return _record_decoder.decode(raw)


def decode_item(raw: bytes) -> FeedbackItem:
    return _item_decoder.decode(raw)


def bucket(distance: float) -> int:
    return min(BUCKETS, max(0, round(distance * BUCKETS)))
