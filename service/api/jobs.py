"""GET /v1/jobs/{job_id}: a webhook job's state, attempts, draft and deliveries (API key required)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from pydantic import BaseModel, Field
from redis.exceptions import RedisError

from service.api.errors import ProblemError
from service.api.problems import COMMON_PROBLEMS, _problem
from service.jobs.status import job_view
from service.models import DraftResult
from service.server.runtime import Runtime


class DeliveryView(BaseModel):
    channel: str = Field(description="The helpdesk's source name, or `callback`.")
    delivered: bool
    kind: Literal["draft", "note"] | None = Field(None, description="What was created there.")
    reference: str | None = Field(None, description="The helpdesk's id of the note or draft, when known.")
    reason: str | None = Field(None, description="Why it was not delivered (e.g. a setting is missing).")


class JobView(BaseModel):
    job_id: str
    source: str | None
    delivery_id: str | None = Field(description="The helpdesk's delivery or message id.")
    state: Literal["queued", "retrying", "running", "complete", "failed"]
    attempts: int
    max_attempts: int | None
    dead_lettered: bool = Field(description="True once the last attempt failed; the job then stays failed.")
    queued_at: str | None
    started_at: str | None
    completed_at: str | None
    error: str | None = Field(description="The last attempt's error: a type and our own reason, no content.")
    draft: DraftResult | None
    deliveries: list[DeliveryView]


def _visible(request: Request[Any, Any, Any], runtime: Runtime, view: dict[str, Any]) -> bool:
    """A job is readable by the tenant that created it: a webhook job belongs to the tenant profile
    that claims its source (``webhook_sources``), and so do that profile's API keys
    (``api_key_sha256``; docs/tenants.md). Without API keys (local runs) every job is readable."""
    tenant: str = request.state.tenant
    if not tenant:
        return True
    return view.get("source") in runtime.pipeline.tenants.resolve(tenant).webhook_sources


class JobsController(Controller):
    path = "/v1/jobs"

    @get(
        "/{job_id:str}",
        tags=["webhooks"],
        summary="Read a webhook job",
        description="State (`queued`, `retrying`, `running`, `complete`, `failed`), attempts, the draft "
        "and where it was delivered. Finished jobs are kept for TACTFUL_JOB_RESULT_TTL_S. With API keys "
        "set, a job is visible only to the keys of the tenant profile that claims its webhook source "
        "(docs/tenants.md); any other key gets 404.",
        responses={
            401: COMMON_PROBLEMS[401],
            404: _problem("No such job (never existed, expired, or created by another tenant)."),
            429: COMMON_PROBLEMS[429],
            503: _problem("Redis is unavailable."),
        },
        cache=False,
    )
    async def read_job(
        self, request: Request[Any, Any, Any], job_id: FromPath[str], runtime: NamedDependency[Runtime]
    ) -> JobView:
        if runtime.queue is None or runtime.redis is None:
            raise ProblemError(
                503, "unavailable", "Service Unavailable", "Jobs need Redis (TACTFUL_REDIS_URL).",
                headers={"Retry-After": "5"},
            )  # fmt: skip
        try:
            view = await job_view(runtime.queue, runtime.redis, job_id)
        except RedisError:
            raise ProblemError(
                503,
                "unavailable",
                "Service Unavailable",
                "Redis is unavailable.",
                headers={"Retry-After": "5"},
            ) from None
        if view is None or not _visible(request, runtime, view):
            # Another tenant's job answers exactly like a missing one: ids say nothing across keys.
            raise ProblemError(
                404, "job-not-found", "Not Found", "There is no job with this id (or it expired)."
            )
        return JobView.model_validate(view)
