"""Shared by the presence rules (restates-issue, next-steps): where the obligation comes from.

A presence rule fires on what the reply lacks, so its evidence is in the customer's message, not in
the reply: the message says which part of the last customer message created the obligation, by
position only (the customer's words are never repeated in a finding).
"""

from __future__ import annotations

from service.guardrails.rules.base import RuleContext


def obligation(ctx: RuleContext) -> str:
    """' (the issue at characters 12-58 of the customer's last message)', or '' without a thread."""
    analysis = ctx.analysis
    if analysis is None or analysis.issue_span is None:
        return ""
    start, end = analysis.issue_span
    return f" (the issue the customer states at characters {start}-{end} of their last message)"
