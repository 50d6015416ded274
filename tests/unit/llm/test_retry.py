"""The retry policy on its own: Retry-After parsing, attempts, deadline, what is not retried."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.llm.base import LLMUnavailable
from service.llm.retry import AttemptFailed, Deadline, RetryPolicy, parse_retry_after

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.1"}, 0.1),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the precise one wins
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after": format_datetime(NOW + timedelta(seconds=5), usegmt=True)}, 5.0),
        ({"retry-after": format_datetime(NOW - timedelta(seconds=5), usegmt=True)}, 0.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00"}, 0.0),  # no zone: GMT, long past
        ({"retry-after": "whenever"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == pytest.approx(expected)


@given(st.text(max_size=40), st.text(max_size=40))
def test_parse_retry_after_never_raises_and_never_negative(seconds: str, ms: str) -> None:
    value = parse_retry_after({"retry-after": seconds, "retry-after-ms": ms}, now=NOW)
    assert value is None or value >= 0


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_parse_retry_after_seconds_round_trip(seconds: float) -> None:
    assert parse_retry_after({"retry-after": repr(seconds)}) == pytest.approx(seconds)


def policy(**overrides: float) -> RetryPolicy:
    options: dict[str, float] = {"max_attempts": 3, "deadline_s": 2.0, "backoff_multiplier": 0.001}
    options.update(overrides)
    return RetryPolicy(
        max_attempts=int(options.pop("max_attempts")), deadline_s=options.pop("deadline_s"), **options
    )


class Script:
    """An attempt function that raises the scripted failures, then returns 'done'."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self, deadline: Deadline) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


async def test_retries_until_success() -> None:
    script = Script(AttemptFailed("server_error"), AttemptFailed("timeout"))
    assert await policy().run(script) == "done"
    assert script.calls == 3


async def test_stops_after_max_attempts_with_last_kind() -> None:
    script = Script(AttemptFailed("server_error"), AttemptFailed("connection"), AttemptFailed("timeout"))
    with pytest.raises(LLMUnavailable) as caught:
        await policy(max_attempts=3).run(script)
    assert (caught.value.reason, caught.value.attempts, script.calls) == ("timeout", 3, 3)


async def test_non_retryable_failure_stops_at_once() -> None:
    script = Script(AttemptFailed("bad_response", retryable=False))
    with pytest.raises(LLMUnavailable) as caught:
        await policy().run(script)
    assert (caught.value.reason, script.calls) == ("bad_response", 1)


async def test_other_errors_pass_through_unretried() -> None:
    script = Script(KeyError("x"))
    with pytest.raises(KeyError):
        await policy().run(script)
    assert script.calls == 1


async def test_retry_after_is_honoured() -> None:
    script = Script(AttemptFailed("rate_limited", retry_after=0.15))
    began = time.monotonic()
    assert await policy().run(script) == "done"
    assert time.monotonic() - began >= 0.14


async def test_retry_after_beyond_deadline_gives_up_now() -> None:
    script = Script(*(AttemptFailed("rate_limited", retry_after=30) for _ in range(3)))
    began = time.monotonic()
    with pytest.raises(LLMUnavailable) as caught:
        await policy(deadline_s=1.0).run(script)
    assert time.monotonic() - began < 0.2
    assert (caught.value.reason, caught.value.retry_after, script.calls) == ("rate_limited", 30, 1)


async def test_backoff_never_sleeps_past_the_deadline() -> None:
    # Backoff of up to 60 s per wait, but a 0.3 s budget: waits are cut to what is left.
    script = Script(*(AttemptFailed("server_error") for _ in range(10)))
    began = time.monotonic()
    with pytest.raises(LLMUnavailable):
        await policy(max_attempts=10, deadline_s=0.3, backoff_multiplier=60).run(script)
    assert time.monotonic() - began < 0.45
    assert script.calls >= 2  # the budget was used for a retry, not slept away


async def test_cancellation_during_backoff_propagates() -> None:
    # Retry-After fixes the wait at 30 s: jittered backoff alone may draw a wait shorter than the
    # 50 ms below, and then a second attempt would start before the cancellation.
    script = Script(*(AttemptFailed("server_error", retry_after=30) for _ in range(5)))
    task = asyncio.ensure_future(policy(max_attempts=5, deadline_s=60).run(script))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert script.calls == 1


def test_policy_validates() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0, deadline_s=1)
    with pytest.raises(ValueError, match="deadline_s"):
        RetryPolicy(max_attempts=1, deadline_s=0)
