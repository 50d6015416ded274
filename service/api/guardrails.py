"""POST /v1/guardrails/check: lint any reply (a draft, a macro, a hand-written answer)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.api.drafts import enforce_limits, limit_problem
from service.api.problems import COMMON_PROBLEMS
from service.drafting.pipeline import OFFLOAD_CHARS
from service.guardrails import CheckContext
from service.infra.limits import LimitExceeded, check_text_limit
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
            "Runs every rule on `text` (at most TACTFUL_MAX_CHECK_CHARS characters, 20,000 by default; "
            "422 `limit-exceeded` beyond). With `thread`, rules that depend on the conversation "
            "(acknowledgement strength, the customer's own details) use it. Links to the caller's "
            "tenant's `link_domains` (its profile's, else TACTFUL_ALLOWED_LINK_DOMAINS) and to hosts in "
            "the thread raise no `unsafe-content` warning."
        ),
        responses=COMMON_PROBLEMS,
    )
    async def check(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[GuardrailCheckRequest],
        runtime: NamedDependency[Runtime],
    ) -> GuardrailReport:
        try:
            check_text_limit(data.text, runtime.settings.limits.max_check_chars)
        except LimitExceeded as exc:
            raise limit_problem(exc, "The text exceeds a configured limit") from None
        if data.thread is not None:
            enforce_limits(data.thread, runtime)
        # The caller's tenant decides which link hosts are the company's own (its profile, else
        # the global setting), as it does for drafts.
        profile = runtime.pipeline.tenants.resolve(request.state.tenant)
        context = CheckContext(
            thread=data.thread,
            allowed_domains=profile.allowed_domains(runtime.settings.guard.allowed_link_domains),
        )
        check = partial(runtime.guardrails.check, data.text, context)
        # A long thread is analysed for the check: that work runs off the event loop.
        thread_chars = sum(len(m.body) for m in data.thread.messages) if data.thread is not None else 0
        report = await asyncio.to_thread(check) if thread_chars > OFFLOAD_CHARS else check()
        runtime.metrics.checks.labels(report.verdict.value).inc()
        return report
