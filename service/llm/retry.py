"""The one retry loop of the LLM layer (tenacity), bounded by attempts and by a total deadline.

The OpenAI SDK is built with ``max_retries=0`` so that waits and attempts are decided here only.
An attempt reports an availability failure by raising :class:`AttemptFailed` (retried unless it
says otherwise); anything else (a rejection, a cancellation) goes straight through. Waits honour
the server's ``Retry-After`` when it sends one, otherwise use jittered exponential backoff;
nothing ever sleeps past the deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_random_exponential

from service.llm.base import LLMUnavailable, UnavailableReason

log = structlog.get_logger("tactful.llm")

T = TypeVar("T")


class AttemptFailed(Exception):
    """One attempt failed for an availability reason. Internal to the LLM layer.

    ``retryable=False`` ends the loop at once but still surfaces as :class:`LLMUnavailable`.
    """

    def __init__(
        self,
        kind: UnavailableReason,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(kind)
        self.kind: UnavailableReason = kind
        self.retry_after = retry_after
        self.status = status
        self.retryable = retryable


def parse_retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP-date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = math.nan
        if math.isfinite(ms):
            return max(0.0, ms / 1000)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP-date is GMT by definition
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class Deadline:
    """A point in monotonic time after which no attempt starts and no wait ends."""

    def __init__(self, budget_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._at = clock() + budget_s

    def remaining(self) -> float:
        return max(0.0, self._at - self._clock())


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` calls at most, all within ``deadline_s`` (waits included).

    ``min_attempt_s`` is the least time worth starting an attempt with: when a wait would leave less
    than that before the deadline, we give up now instead of sleeping into a doomed call. Backoff
    parameters are fields so that tests can use tiny waits.
    """

    max_attempts: int
    deadline_s: float
    backoff_multiplier: float = 0.5
    backoff_max_s: float = 8.0
    min_attempt_s: float = 0.05

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.deadline_s <= 0:
            raise ValueError("deadline_s must be positive")

    def start(self) -> Deadline:
        return Deadline(self.deadline_s)

    async def run(
        self,
        attempt: Callable[[Deadline], Awaitable[T]],
        deadline: Deadline | None = None,
        *,
        may_retry: Callable[[], bool] | None = None,
    ) -> T:
        """Call ``attempt(deadline)`` until it returns, raises anything but a retryable
        AttemptFailed, or we must stop. ``may_retry`` is asked before each retry: False (the
        endpoint is saturated) ends the loop rather than queueing one more call behind the others.

        Raises :class:`LLMUnavailable` with the kind of the last failed attempt.
        """
        deadline = deadline or self.start()
        backoff = wait_random_exponential(multiplier=self.backoff_multiplier, max=self.backoff_max_s)

        def wait(state: RetryCallState) -> float:
            failure = _failure(state)
            if failure is not None and failure.retry_after is not None:
                # The server's word wins; if it asks for longer than we have, stop() gives up.
                return failure.retry_after
            # Our own backoff yields to the deadline: never wait more than half of what is left,
            # so the next attempt gets a real time budget instead of a sliver.
            return min(float(backoff(state)), deadline.remaining() / 2)

        def stop(state: RetryCallState) -> bool:
            # tenacity computes the wait before asking stop(), so upcoming_sleep is the real one.
            if state.attempt_number >= self.max_attempts:
                return True
            if may_retry is not None and not may_retry():
                return True
            return deadline.remaining() - state.upcoming_sleep < self.min_attempt_s

        def before_sleep(state: RetryCallState) -> None:
            failure = _failure(state)
            log.info(
                "llm.retry",
                reason=failure.kind if failure else "unknown",
                status=failure.status if failure else None,
                attempt=state.attempt_number,
                wait_s=round(state.upcoming_sleep, 3),
            )

        attempts = 0

        async def counted() -> T:
            nonlocal attempts
            attempts += 1
            if deadline.remaining() <= 0:
                raise AttemptFailed("deadline")
            return await attempt(deadline)

        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_retryable),
            wait=wait,
            stop=stop,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            async for round_ in retrying:
                with round_:
                    return await counted()
        except AttemptFailed as exc:
            raise LLMUnavailable(exc.kind, retry_after=exc.retry_after, attempts=attempts) from None
        raise AssertionError("unreachable: tenacity either returns, raises or retries")  # pragma: no cover


def _failure(state: RetryCallState) -> AttemptFailed | None:
    if state.outcome is None or not state.outcome.failed:
        return None
    exc = state.outcome.exception()
    return exc if isinstance(exc, AttemptFailed) else None


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, AttemptFailed) and exc.retryable
