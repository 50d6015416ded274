"""LLM access: the client protocol, the OpenAI-compatible implementation, retries and the breaker."""

from service.llm.base import (
    ChatMessage,
    Completion,
    LLMClient,
    LLMError,
    LLMRejected,
    LLMUnavailable,
    StreamChunk,
    UnavailableReason,
)
from service.llm.breaker import Admission, BreakerState, CircuitBreaker
from service.llm.openai_client import PLACEHOLDER_API_KEY, OpenAICompatibleClient, make_async_openai
from service.llm.retry import RetryPolicy, parse_retry_after

__all__ = [
    "PLACEHOLDER_API_KEY",
    "Admission",
    "BreakerState",
    "ChatMessage",
    "CircuitBreaker",
    "Completion",
    "LLMClient",
    "LLMError",
    "LLMRejected",
    "LLMUnavailable",
    "OpenAICompatibleClient",
    "RetryPolicy",
    "StreamChunk",
    "UnavailableReason",
    "make_async_openai",
    "parse_retry_after",
]
