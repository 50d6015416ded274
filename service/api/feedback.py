"""The feedback API: what the agent did with a draft, and the figures over many drafts.

``POST /v1/drafts/{draft_id}/feedback`` records one outcome per draft (a second one replaces the
first); ``GET /v1/feedback/summary`` reads the per-day aggregates. Both are per tenant (the API key;
one local tenant without keys). Texts never reach a log line or a problem detail.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field, model_validator
from redis.exceptions import RedisError

from service.api.errors import ProblemError
from service.api.problems import COMMON_PROBLEMS, _problem
from service.feedback import FeedbackStore, FeedbackSummary, GroupBy, Outcome
from service.server.runtime import Runtime

MAX_FINAL_TEXT = 10_000
MAX_REASON = 1_000
_DRAFT_ID = re.compile(r"drf_[0-9a-f]{32}")
_RELATIVE = re.compile(r"(\d{1,4})d")


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(description="sent (as drafted), edited (sent after editing) or discarded.")
    final_text: Annotated[str, Field(max_length=MAX_FINAL_TEXT)] | None = Field(
        None, description="The text the agent sent. Required for `edited`; optional for `sent`."
    )
    reason: Annotated[str, Field(max_length=MAX_REASON)] | None = Field(
        None, description="Why (e.g. why the draft was discarded). Kept only sealed, with a key."
    )

    @model_validator(mode="after")
    def _edited_needs_text(self) -> FeedbackIn:
        if self.outcome is Outcome.edited and not (self.final_text or "").strip():
            raise ValueError("final_text is required when the outcome is edited")
        return self


FEEDBACK_PROBLEMS = {
    **COMMON_PROBLEMS,
    404: _problem("Unknown or expired draft id, or a draft of another tenant."),
    503: _problem("Feedback needs Redis, and Redis did not answer; see Retry-After."),
}
SUMMARY_PROBLEMS = {
    **{code: spec for code, spec in COMMON_PROBLEMS.items() if code != 413},
    422: _problem("`since` is not a date, a date-time or days back like `7d`, or `group_by` is unknown."),
    503: FEEDBACK_PROBLEMS[503],
}


def _store(runtime: Runtime) -> FeedbackStore:
    if runtime.feedback is None:
        raise _unavailable()
    return runtime.feedback


def _unavailable() -> ProblemError:
    return ProblemError(
        503, "feedback-unavailable", "Feedback is unavailable",
        "Feedback is kept in Redis, which did not answer.", headers={"Retry-After": "5"},
    )  # fmt: skip


def _unknown_draft() -> ProblemError:
    return ProblemError(
        404, "unknown-draft", "Unknown draft",
        "No draft with this id is known to this API key; drafts are kept for "
        "TACTFUL_FEEDBACK_RETENTION_DAYS.",
    )  # fmt: skip


def parse_since(value: str | None, today: date, retention_days: int) -> date:
    """The first UTC day counted: a date, a date-time (its UTC day) or ``Nd`` (N days back);
    never before the retention period, when nothing is kept anyway."""
    oldest = today - timedelta(days=retention_days - 1)
    if value is None or not value.strip():
        return oldest
    value = value.strip()
    relative = _RELATIVE.fullmatch(value)
    try:
        if relative:
            since = today - timedelta(days=max(0, int(relative.group(1)) - 1))
        elif len(value) == 10:
            since = date.fromisoformat(value)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            since = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
    except ValueError:
        raise ProblemError(
            422, "validation-error", "Invalid query parameter",
            "since must be a date (2026-12-01), a date-time (2026-12-01T08:00:00Z) or days back (7d).",
            extra={"errors": [{"field": "since", "message": "not a date, date-time or Nd", "in": "query"}]},
        ) from None  # fmt: skip
    return min(max(since, oldest), today)


class FeedbackController(Controller):
    path = "/v1"

    @post(
        "/drafts/{draft_id:str}/feedback",
        status_code=204,
        tags=["feedback"],
        summary="Say what the agent did with a draft",
        description=(
            "Records the outcome of a draft: `sent` as drafted, `edited` (sent after editing; "
            "`final_text` required) or `discarded`. With `final_text` the service computes the "
            "normalised character and word edit distance, which sentences changed and which findings' "
            "spans were rewritten. A second feedback for the same draft replaces the first. Draft ids "
            "stay valid for TACTFUL_FEEDBACK_RETENTION_DAYS (default 30), independent of the draft "
            f"cache. Limits: `final_text` up to {MAX_FINAL_TEXT:,} characters, `reason` up to "
            f"{MAX_REASON:,}. Texts are kept only redacted and encrypted (TACTFUL_FEEDBACK_KEY); "
            "without a key only distances and counts are kept."
        ),
        responses=FEEDBACK_PROBLEMS,
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        draft_id: FromPath[str],
        data: JSONBody[FeedbackIn],
        runtime: NamedDependency[Runtime],
    ) -> None:
        store = _store(runtime)
        if not _DRAFT_ID.fullmatch(draft_id):
            raise _unknown_draft()
        try:
            known = await store.submit(
                request.state.tenant, draft_id, data.outcome, final_text=data.final_text, reason=data.reason
            )
        except (RedisError, OSError):
            raise _unavailable() from None
        if not known:
            raise _unknown_draft()
        runtime.metrics.feedback_received.labels(data.outcome.value, "api").inc()

    @get(
        "/feedback/summary",
        tags=["feedback"],
        summary="Outcomes, acceptance and edit distances over the agents' feedback",
        description=(
            "Counts per outcome, the acceptance rate (sent unedited / all), median and p90 of the "
            "character and word edit distance (exact to 0.01), overall and per group; per rule, how "
            "often drafts carrying its finding were edited at its span; and per day, feedbacks and "
            "acceptances per group (the Insights charts). `since`: a date, a date-time or `Nd` "
            "(default: the whole retention period); days are UTC."
        ),
        responses=SUMMARY_PROBLEMS,
        cache=False,
    )
    async def summary(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        since: Annotated[str | None, QueryParameter(required=False, max_length=40)] = None,
        group_by: Annotated[GroupBy | None, QueryParameter(required=False)] = None,
    ) -> FeedbackSummary:
        store = _store(runtime)
        today = datetime.now(UTC).date()
        first = parse_since(since, today, runtime.settings.feedback.retention_days)
        try:
            return await store.summary(request.state.tenant, since=first, until=today, group_by=group_by)
        except (RedisError, OSError):
            raise _unavailable() from None
