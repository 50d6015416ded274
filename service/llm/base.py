"""What the rest of Tactful knows about an LLM: messages in, a Completion (or a stream) out.

Dependencies point one way (drafting -> llm), so the message type lives here and the prompt builder
imports it. Exceptions carry a kind, a status or a wait, never request or response text: the
prompt holds ticket text, and error bodies from some servers echo the prompt or a masked API key.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


UnavailableReason = Literal[
    "rate_limited",
    "server_error",
    "timeout",
    "connection",
    "breaker_open",
    "deadline",
    "bad_response",
    "incomplete",  # the stream ended without a finish_reason (cut off, or interrupted by the server)
    "saturated",  # every slot of the endpoint stayed busy until the deadline (see limiter.py)
]
# What counts as the endpoint being down, for the breaker: nothing answered, it answered 5xx, or
# it refuses us service (429: a quota spent for minutes is an outage to us, and the breaker's open
# period is what stops every draft from retrying into it). A refusal of the request (4xx), a
# prompt over the window, an empty or cut-off answer, or our own queue filling up say it is up.
OUTAGE_REASONS: frozenset[str] = frozenset(
    {"server_error", "timeout", "connection", "deadline", "rate_limited"}
)


@dataclass(frozen=True)
class Completion:
    """A finished answer. ``finish_reason`` is the server's (``stop``, ``length``...); a stream
    without one is never a Completion. ``usage_estimated``: the server sent no usage, so the
    token counts are our calibrated estimate (tokens.py)."""

    text: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None = "stop"
    usage_estimated: bool = False


@dataclass(frozen=True)
class StreamChunk:
    delta: str


class LLMError(Exception):
    """Base of every error the LLM layer raises; the message never contains ticket text."""


class LLMUnavailable(LLMError):
    """No completion now: retries exhausted, deadline passed, breaker open or endpoint unreachable.

    ``reason`` is the kind of the last failure; ``retry_after`` (seconds) is a hint for the caller's
    own ``Retry-After`` when the endpoint or the breaker gave one.
    """

    def __init__(
        self, reason: UnavailableReason, *, retry_after: float | None = None, attempts: int = 0
    ) -> None:
        self.reason: UnavailableReason = reason
        self.retry_after = retry_after
        self.attempts = attempts
        hint = f", retry after {retry_after:.1f}s" if retry_after is not None else ""
        super().__init__(f"LLM endpoint unavailable ({reason}) after {attempts} attempt(s){hint}")


class LLMRejected(LLMError):
    """The endpoint refused the request (a 4xx that retrying cannot fix: 400/401/403/404/422...).

    ``code`` is the server's machine-readable error code (e.g. ``context_length_exceeded``) when it
    looks like an identifier; the server's free-text message is dropped on purpose.
    """

    def __init__(self, status: int, *, code: str | None = None) -> None:
        self.status = status
        self.code = code
        self.reason = "rejected"
        suffix = f", code {code}" if code else ""
        super().__init__(f"LLM endpoint rejected the request (HTTP {status}{suffix})")


class LLMContextExceeded(LLMRejected):
    """The prompt does not fit the model's context window.

    Two shapes: a 4xx whose code or message says so (OpenAI, vLLM, llama.cpp without streaming),
    and a 200 stream that ends before its first chunk (llama-cpp-python when streaming). Never a
    breaker failure: the endpoint is fine, our prompt is too long. ``window`` is the model's
    context size when the error message said it.
    """

    def __init__(
        self, status: int, *, shape: Literal["rejected", "empty_stream"], window: int | None = None
    ) -> None:
        super().__init__(status, code="context_length_exceeded")
        self.shape = shape
        self.window = window
        self.reason = "context_length"


class LLMClient(Protocol):
    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> Completion:
        """One completion, retried within the client's deadline."""
        ...

    def stream(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> AsyncGenerator[StreamChunk | Completion, None]:
        """Deltas as they arrive, then exactly one final Completion with the whole text.

        Close it (``contextlib.aclosing``) when stopping early so the HTTP stream is released.
        """
        ...
