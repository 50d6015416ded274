"""What the agent sees in the helpdesk: the draft, or a note that says why there is none.

A blocked draft is never delivered as a reply, not even as a draft reply: only a private note
naming the blocking rules, without the rejected text (it may hold the very secret or PII that
blocked it). Every text starts with :data:`MARKER` so that our own notes never trigger a draft.
"""

from __future__ import annotations

from service.integrations.base import MARKER, Outbound
from service.models import DraftResult, DraftStatus, Severity

_STATUS_LINE = {
    DraftStatus.approved: "draft reply, passed every guardrail; review it and send it yourself",
    DraftStatus.needs_review: "draft reply, needs your review before sending",
}


def reason_lines(result: DraftResult) -> list[str]:
    return [
        f"- {finding.rule}: {finding.message}"
        for finding in result.guardrails.findings
        if finding.severity is Severity.block
    ]


def warn_lines(result: DraftResult) -> list[str]:
    return [
        f"- {finding.rule}: {finding.message}"
        for finding in result.guardrails.findings
        if finding.severity is Severity.warn
    ]


def note_for(result: DraftResult) -> str:
    """The private-note text for helpdesks without a draft feature (and for every block)."""
    if result.reply is None:
        reasons = reason_lines(result) or ["- acknowledgement: the draft did not acknowledge the customer"]
        return "\n".join(
            [
                f"{MARKER} No draft this time: the guardrails blocked it, so nothing was prepared to send.",
                "Why:",
                *reasons,
                "Please write this reply yourself.",
            ]
        )
    header = f"{MARKER} {_STATUS_LINE[result.status]} ({result.provider}):"
    warnings = warn_lines(result)
    footer = ["", "Check before sending:", *warnings] if warnings else []
    return "\n".join([header, "", result.reply, *footer])


def outbound_for(result: DraftResult, *, drafts_supported: bool) -> Outbound:
    """A draft reply where the helpdesk has drafts and the result is sendable, else a note."""
    if result.reply is not None and drafts_supported:
        return Outbound(kind="draft", text=result.reply)
    return Outbound(kind="note", text=note_for(result))


def is_own_note(text: str | None) -> bool:
    return bool(text) and MARKER in (text or "")[:200]
