"""Is the configured model one the endpoint serves? A look at ``GET /models``, warn only.

Some servers answer any model name and echo it back (llama-cpp-python serves its one model
under whatever name is asked; LiteLLM may route it to a default), so a typo in TACTFUL_LLM_MODEL
would otherwise go unnoticed. The list is only a hint: many endpoints have no such route, list
aliases differently or need permissions to list, so an unavailable list never fails anything.
Checked at start-up (in the background) and again by /health/ready at most every ``ttl_s``.

Never while this process has an LLM call open or waiting (``busy``): llama-cpp-python serves
``GET /v1/models`` behind the same lock as generation, so the list waits for the running draft
and, with its default ``interrupt_requests``, ends that draft's stream early. A readiness probe
must not cut drafts short; the last verdict stands until the endpoint is idle again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Literal

import structlog
from openai import AsyncOpenAI

log = structlog.get_logger("tactful.llm")

ModelStatus = Literal["unchecked", "listed", "not_listed", "unavailable"]


class ModelCheck:
    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        *,
        timeout_s: float = 5.0,
        ttl_s: float = 60.0,
        busy: Callable[[], bool] | None = None,
    ) -> None:
        self._client = client
        self.model = model
        self._busy = busy
        self._timeout_s = timeout_s
        self._ttl_s = ttl_s
        self.status: ModelStatus = "unchecked"
        self.listed: int | None = None  # how many models the endpoint listed
        self._checked_at = -float("inf")
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[ModelStatus] | None = None

    def start(self) -> None:
        """Check in the background: start-up must not wait on a slow or absent endpoint."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def current(self, wait_s: float = 1.0) -> ModelStatus:
        """The last verdict, refreshed when older than ``ttl_s``; waits at most ``wait_s`` for it
        (a readiness probe must answer quickly even when the endpoint does not)."""
        if time.monotonic() - self._checked_at >= self._ttl_s:
            self.start()
        if self._task is not None and not self._task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), wait_s)
        return self.status

    async def run(self) -> ModelStatus:
        async with self._lock:
            if self._busy is not None and self._busy():
                # Looked at again on the next probe once idle (_checked_at is left as it was).
                return self.status
            previous = self.status
            try:
                page = await self._client.models.list(timeout=self._timeout_s)
                ids = {model.id for model in page.data if isinstance(getattr(model, "id", None), str)}
            except Exception as exc:
                self.status, self.listed = "unavailable", None
                if previous != "unavailable":
                    log.info("llm.model_list_unavailable", error=type(exc).__name__)
            else:
                self.listed = len(ids)
                self.status = "listed" if self.model in ids or not ids else "not_listed"
                if self.status == "not_listed" and previous != "not_listed":
                    log.warning(
                        "llm.model_not_listed",
                        model=self.model,
                        listed=sorted(ids)[:20],
                        hint="check TACTFUL_LLM_MODEL: this endpoint may answer any name",
                    )
            self._checked_at = time.monotonic()
            return self.status
