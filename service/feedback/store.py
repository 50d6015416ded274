"""Feedback in Redis: draft records when drafts are answered, feedback when agents act on them.

Two round trips per feedback: one MGET for the draft record (and its clear text without a key),
one script that swaps the feedback item and moves the aggregate counts from the old item to the
new one atomically, so a second feedback replaces the first in every figure.
"""

from __future__ import annotations

import operator
import struct
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import redis.asyncio as aioredis

from service.drafting.redaction import Redactor
from service.feedback import records as rec
from service.feedback.distances import EditReport, SpanRef, compare
from service.feedback.records import DraftRecord, FeedbackItem, GroupBy, Outcome
from service.feedback.sealing import Sealer, redact_with_spans
from service.feedback.summary import FeedbackSummary, merge_days, summarise
from service.language.analysis import detect_language, normalise_language
from service.models import DraftResult, Thread

DAY_S = 86_400

# Swap the item; undo the old item's counts (only in hashes that still exist, so an expired day is
# never re-created without a TTL); count the new item's; index it; trim the index to the retention.
# KEYS: item, index. ARGV: item json, ttl, agg ttl, score, member, oldest kept score, the prefix of
# histogram keys (packed counters, BITFIELD) among the aggregates.
SUBMIT_SCRIPT = """
local old = redis.call('GET', KEYS[1])
if old then
  local o = cjson.decode(old)
  for key, fields in pairs(o['incs']) do
    if redis.call('EXISTS', key) == 1 then
      for _, field in ipairs(fields) do
        if string.sub(key, 1, #ARGV[7]) == ARGV[7] then
          redis.call('BITFIELD', key, 'INCRBY', 'i32', '#' .. field, -1)
        else
          redis.call('HINCRBY', key, field, -1)
        end
      end
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local new = cjson.decode(ARGV[1])
for key, fields in pairs(new['incs']) do
  for _, field in ipairs(fields) do
    if string.sub(key, 1, #ARGV[7]) == ARGV[7] then
      redis.call('BITFIELD', key, 'INCRBY', 'i32', '#' .. field, 1)
    else
      redis.call('HINCRBY', key, field, 1)
    end
  end
  redis.call('EXPIRE', key, ARGV[3])
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
if old then return 1 end
return 0
"""


LEVELS = ("dc", "dw")
_COUNTERS = struct.Struct(f">{rec.BUCKETS + 1}i")


def _decoded(raw: dict[bytes, bytes]) -> dict[str, int]:
    return {k.decode(): int(v) for k, v in raw.items()}


def _add_packed(into: list[int], packed: bytes) -> None:
    """Add BITFIELD i32 counters (big-endian; a short string means the higher buckets are 0)."""
    full = packed.ljust(_COUNTERS.size, b"\0")[: _COUNTERS.size]
    into[:] = map(operator.add, into, _COUNTERS.unpack(full))


@dataclass(frozen=True)
class ExportRow:
    draft_id: str
    record: DraftRecord
    item: FeedbackItem
    draft: str | None
    final_text: str | None
    customer: str | None


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


class FeedbackStore:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        retention_s: int,
        text_ttl_s: int,
        sealer: Sealer | None,
        redactor: Redactor | None,
    ) -> None:
        self.redis = redis
        self.retention_s = retention_s
        # Without a key the draft text is kept in clear no longer than the cache keeps the same text.
        self._text_ttl_s = min(text_ttl_s, retention_s)
        self.sealer = sealer
        self._redactor = redactor
        self._submit = redis.register_script(SUBMIT_SCRIPT)

    # --- drafts ------------------------------------------------------------------------------

    def draft_record(
        self, result: DraftResult, thread: Thread, *, tenant: str, ticket: str | None = None
    ) -> tuple[DraftRecord, str]:
        """The record to keep for an answered draft, and its redacted text."""
        text = result.reply if result.reply is not None else (result.rejected_draft or "")
        spans = [
            SpanRef(f.rule, f.start, f.end)
            for f in result.guardrails.findings
            if f.start is not None and f.end is not None
        ]
        redacted, moved = redact_with_spans(self._redactor, text, spans)
        by_rule = iter(moved)
        findings: list[tuple[str, str, int | None, int | None]] = []
        for f in result.guardrails.findings:
            if f.start is not None and f.end is not None:
                span = next(by_rule)
                findings.append((f.rule, f.severity.value, span.start, span.end))
            else:
                findings.append((f.rule, f.severity.value, None, None))
        options_language = thread.options.language if thread.options else None
        language = normalise_language(options_language) if options_language else detect_language(text)
        customer = None
        if self.sealer is not None:
            newest, _ = redact_with_spans(self._redactor, thread.last_customer_message().body)
            customer = self.sealer.seal(newest)
        record = DraftRecord(
            tenant=tenant,
            prompt_version=result.prompt_version,
            provider=result.provider,
            model=result.model,
            language=language or "und",
            channel=thread.channel.value,
            at=time.time(),
            findings=findings,
            text=self.sealer.seal(redacted) if self.sealer is not None else None,
            customer=customer,
            ticket=ticket,
        )
        return record, redacted

    async def remember(
        self, result: DraftResult, thread: Thread, *, tenant: str, ticket: str | None = None
    ) -> None:
        """Keep the draft's record for the retention period (and, for a ticket, point it at this draft)."""
        record, redacted = self.draft_record(result, thread, tenant=tenant, ticket=ticket)
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(rec.draft_key(result.id), rec.encode(record), ex=self.retention_s)
        if self.sealer is None and self._text_ttl_s > 0:
            pipe.set(rec.text_key(result.id), redacted.encode(), ex=self._text_ttl_s)
        if ticket:
            pipe.set(rec.ticket_key(tenant, ticket), result.id.encode(), ex=self.retention_s)
        await pipe.execute()

    async def _load(self, draft_id: str, tenant: str) -> tuple[DraftRecord, str | None] | None:
        raw, clear = await self.redis.mget(rec.draft_key(draft_id), rec.text_key(draft_id))
        if raw is None:
            return None
        record = rec.decode_record(raw)
        if record.tenant != tenant:
            return None  # another tenant's draft is unknown here, not forbidden: no existence leak
        if record.text is not None and self.sealer is not None:
            return record, self.sealer.open(record.text)
        return record, clear.decode() if clear is not None else None

    # --- feedback ----------------------------------------------------------------------------

    async def submit(
        self,
        tenant: str,
        draft_id: str,
        outcome: Outcome,
        *,
        final_text: str | None = None,
        reason: str | None = None,
        source: str = "api",
    ) -> bool:
        """Record (or replace) the feedback on a draft; False when the draft is unknown to ``tenant``."""
        loaded = await self._load(draft_id, tenant)
        if loaded is None:
            return False
        record, draft_text = loaded
        await self._save(draft_id, record, draft_text, outcome, final_text, reason, source)
        return True

    async def capture(self, tenant: str, ticket: str, text: str, *, source: str) -> Outcome | None:
        """An agent's outgoing reply on a ticket we drafted for: sent if it is the draft, else edited.

        None when no draft is known for the ticket, or its text is no longer known (nothing to compare).
        """
        draft_id = await self.redis.get(rec.ticket_key(tenant, ticket))
        if draft_id is None:
            return None
        loaded = await self._load(draft_id.decode(), tenant)
        if loaded is None:
            return None
        record, draft_text = loaded
        if draft_text is None:
            return None
        final, _ = redact_with_spans(self._redactor, text)
        report = compare(draft_text, final)
        outcome = Outcome.sent if report.char_distance == 0 else Outcome.edited
        await self._save(draft_id.decode(), record, draft_text, outcome, text, None, source)
        return outcome

    async def _save(
        self,
        draft_id: str,
        record: DraftRecord,
        draft_text: str | None,
        outcome: Outcome,
        final_text: str | None,
        reason: str | None,
        source: str,
    ) -> None:
        now = time.time()
        redacted_final = redact_with_spans(self._redactor, final_text)[0] if final_text is not None else None
        report: EditReport | None = None
        spans = [SpanRef(rule, s, e) for rule, _, s, e in record.findings if s is not None and e is not None]
        if outcome is not Outcome.discarded and draft_text is not None:
            report = compare(draft_text, draft_text if redacted_final is None else redacted_final, spans)
        elif outcome is Outcome.sent and redacted_final is None:
            # Sent as is: distance 0 even when the draft text is no longer known.
            carried = tuple(sorted({s.rule for s in spans if s.end > s.start}))
            report = EditReport(0.0, 0.0, 0, (), (), carried)
        accepted = outcome is Outcome.sent and (report is None or report.char_distance == 0)
        item = FeedbackItem(
            draft_id=draft_id,
            tenant=record.tenant,
            outcome=outcome.value,
            source=source,
            at=now,
            accepted=accepted,
            char_distance=report.char_distance if report else None,
            word_distance=report.word_distance if report else None,
            sentences=report.sentences if report and report.sentences else None,
            changed_sentences=list(report.changed_sentences) if report else [],
            rewritten_rules=list(report.rewritten_rules) if report else [],
            final_text=self._seal(redacted_final),
            reason=self._seal(redact_with_spans(self._redactor, reason)[0] if reason else None),
            incs=increments(record, outcome, accepted, report, day_of(now)),
        )
        oldest = now - self.retention_s
        await self._submit(
            keys=[rec.item_key(draft_id), rec.INDEX_KEY],
            args=[
                rec.encode(item),
                self.retention_s,
                self.retention_s + 2 * DAY_S,
                now,
                draft_id,
                oldest,
                rec.HIST_PREFIX,
            ],
        )

    def _seal(self, text: str | None) -> str | None:
        # Without a key no text is kept at all: only the distances and counts.
        return self.sealer.seal(text) if text is not None and self.sealer is not None else None

    # --- reading -----------------------------------------------------------------------------

    async def summary(
        self, tenant: str, *, since: date, until: date, group_by: GroupBy | None
    ) -> FeedbackSummary:
        """Two round trips: the day hashes of counts, then the histograms of the groups they name."""
        day_list = [since + timedelta(days=i) for i in range((until - since).days + 1)]
        pipe = self.redis.pipeline(transaction=False)
        for day in day_list:
            iso = day.isoformat()
            pipe.hgetall(rec.agg_key(tenant, iso, "all"))
            if group_by is not None:
                pipe.hgetall(rec.agg_key(tenant, iso, group_by.value))
            pipe.hgetall(rec.agg_key(tenant, iso, "span"))
        replies = iter(await pipe.execute())
        days: list[tuple[date, dict[str, int], dict[str, int] | None, dict[str, int]]] = []
        wanted: list[tuple[str | None, str]] = []  # (group value or None, histogram key)
        for day in day_list:
            iso = day.isoformat()
            all_fields = _decoded(next(replies))
            dim = _decoded(next(replies)) if group_by is not None else None
            days.append((day, all_fields, dim, _decoded(next(replies))))
            if all_fields:
                wanted += [(None, rec.hist_key(tenant, iso, "all", level)) for level in LEVELS]
            if group_by is not None and dim:
                values = {field.rpartition("|")[0] for field in dim}
                wanted += [
                    (value, rec.hist_key(tenant, iso, f"{group_by.value}={value}", level))
                    for value in sorted(values)
                    for level in LEVELS
                ]
        histograms: dict[str | None, dict[str, list[int]]] = {}
        raw = await self.redis.mget([key for _, key in wanted]) if wanted else []
        for (value, key), packed in zip(wanted, raw, strict=True):
            if packed:
                level = key.rsplit(":", 1)[1]
                into = histograms.setdefault(value, {}).setdefault(level, [0] * (rec.BUCKETS + 1))
                _add_packed(into, packed)
        merged = merge_days(days, histograms)
        return summarise(
            since=since, until=until, group_by=group_by.value if group_by else None, merged=merged
        )

    async def summary_all(self, days: int) -> FeedbackSummary:
        """Every tenant's feedback over the last ``days`` days, by prompt version (the metrics)."""
        today = datetime.now(UTC).date()
        since = today - timedelta(days=days - 1)
        return await self.summary(rec.ALL_TENANTS, since=since, until=today, group_by=GroupBy.prompt_version)

    async def export(self, since: float) -> AsyncIterator[ExportRow]:
        """Every feedback since ``since`` (epoch seconds), oldest first, texts opened (with a key)."""
        ids = await self.redis.zrangebyscore(rec.INDEX_KEY, since, "+inf")
        for start in range(0, len(ids), 500):
            chunk = [i.decode() for i in ids[start : start + 500]]
            pipe = self.redis.pipeline(transaction=False)
            for draft_id in chunk:
                pipe.get(rec.draft_key(draft_id))
                pipe.get(rec.item_key(draft_id))
            raw = await pipe.execute()
            for n, draft_id in enumerate(chunk):
                raw_record, raw_item = raw[2 * n], raw[2 * n + 1]
                if raw_record is None or raw_item is None:
                    continue
                record, item = rec.decode_record(raw_record), rec.decode_item(raw_item)
                yield ExportRow(
                    draft_id=draft_id,
                    record=record,
                    item=item,
                    draft=self._open(record.text),
                    final_text=self._open(item.final_text),
                    customer=self._open(record.customer),
                )

    def _open(self, token: str | None) -> str | None:
        return self.sealer.open(token) if token is not None and self.sealer is not None else None


def increments(
    record: DraftRecord, outcome: Outcome, accepted: bool, report: EditReport | None, day: str
) -> dict[str, list[str]]:
    """The aggregate fields one feedback counts in, per key, for its tenant and for all tenants:
    hash fields for counts, bucket numbers for the histogram keys."""
    counted = [f"n:{outcome.value}"]
    if accepted:
        counted.append("acc")
    buckets: dict[str, str] = {}
    if report is not None:
        buckets = {"dc": str(rec.bucket(report.char_distance)), "dw": str(rec.bucket(report.word_distance))}
    rules = sorted({rule for rule, *_ in record.findings}) or [rec.NO_RULE]
    dims: dict[str, list[str]] = {
        GroupBy.prompt_version: [record.prompt_version],
        GroupBy.provider: [record.provider],
        GroupBy.language: [record.language],
        GroupBy.channel: [record.channel],
        GroupBy.rule: rules,
    }
    span_fields: list[str] = []
    if report is not None:
        for rule in report.carried_rules:
            span_fields.append(f"{rule}|carried")
            if rule in report.rewritten_rules:
                span_fields.append(f"{rule}|edited")
    incs: dict[str, list[str]] = {}
    for tenant in (record.tenant, rec.ALL_TENANTS):
        incs[rec.agg_key(tenant, day, "all")] = counted
        for level, b in buckets.items():
            incs[rec.hist_key(tenant, day, "all", level)] = [b]
        for dim, values in dims.items():
            incs[rec.agg_key(tenant, day, dim)] = [f"{v}|{c}" for v in values for c in counted]
            for value in values:
                for level, b in buckets.items():
                    incs[rec.hist_key(tenant, day, f"{dim}={value}", level)] = [b]
        if span_fields:
            incs[rec.agg_key(tenant, day, "span")] = span_fields
    return incs
