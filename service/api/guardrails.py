"""POST /v1/guardrails/check: lint any reply (a draft, a macro, a hand-written answer)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.api.drafts import enforce_limits
from service.api.problems import COMMON_PROBLEMS
from service.guardrails import CheckContext
from service.models import GuardrailCheckRequest, GuardrailReport
from service.server.runtime import Runtime


class GuardrailsController(Controller):
    path = "/v1/guardrails"

    @post(
        "/check",
        status_code=200,
        tags=["guardrails"],
        summary="Check a reply against the empathy guardrails",
        description=(
            "Runs every rule on `text`. With `thread`, rules that depend on the conversation "
            "(acknowledgement strength, the customer's own details) use it."
        ),
        responses=COMMON_PROBLEMS,
    )
    async def check(
        self, data: JSONBody[GuardrailCheckRequest], runtime: NamedDependency[Runtime]
    ) -> GuardrailReport:
        if data.thread is not None:
            enforce_limits(data.thread, runtime)
        context = CheckContext(
            thread=data.thread, allowed_domains=tuple(runtime.settings.allowed_link_domains)
        )
        report = runtime.guardrails.check(data.text, context)
        runtime.metrics.checks.labels(report.verdict.value).inc()
        return report
