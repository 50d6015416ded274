"""Feedback as labelled-reply cases (`tactful feedback export`): JSON Lines that `tactful eval` reads.

Each line is a case of the seeds/replies format (service/guardrails/evaluation.py: id, lang,
channel, customer, reply, expect) plus a ``feedback`` object with where it came from: the outcome,
the draft, the final text, the findings with their spans, the distances. ``reply`` is what the agent
sent (the final text, or the draft when it was sent as is or discarded). ``expect`` is left empty for
the guardrail team to label: until then `tactful eval` counts every finding as a disagreement.
Every text was redacted with the pipeline's redactor before it was stored; none is in clear here
that was not redacted then.
"""

from __future__ import annotations

from typing import Any

from service.feedback.store import ExportRow

NOT_KEPT = "(the customer's message was not kept)"


def to_case(row: ExportRow) -> dict[str, Any] | None:
    """One export line, or None when no text of the draft is known (no key when it was stored)."""
    reply = row.final_text or row.draft
    if not reply:
        return None
    record, item = row.record, row.item
    return {
        "id": row.draft_id,
        "lang": record.language,
        "channel": record.channel,
        "customer": row.customer or NOT_KEPT,
        "customer_name": None,
        "agent_name": None,
        "reply": reply,
        "expect": [],
        "feedback": {
            "outcome": item.outcome,
            "source": item.source,
            "at": item.at,
            "draft": row.draft,
            "final_text": row.final_text,
            "findings": [
                {"rule": rule, "severity": severity, "start": start, "end": end}
                for rule, severity, start, end in record.findings
            ],
            "prompt_version": record.prompt_version,
            "provider": record.provider,
            "model": record.model,
            "char_distance": item.char_distance,
            "word_distance": item.word_distance,
            "changed_sentences": item.changed_sentences,
            "rewritten_rules": item.rewritten_rules,
        },
    }
