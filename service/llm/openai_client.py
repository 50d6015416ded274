"""LLMClient over any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure, vLLM, Ollama...).

Every call streams (``chat.completions.create(stream=True)``), also when the caller wants the
whole text at once (:meth:`complete` collects the stream). Closing a stream closes its
connection, and that is how a self-hosted server learns to stop generating: with a plain
request it would keep generating for a caller that gave up (a deadline, a client gone away),
and every retry would queue one more full generation behind it.

Each call: breaker check -> tenacity loop (retry.py) around one attempt: a slot of the endpoint
(limiter.py) -> POST /chat/completions -> read up to the first delta within the time-to-first-
token timeout -> the rest of the stream within the total deadline. Retries happen only before the
first delta, never while the endpoint is saturated. The SDK never retries (``max_retries=0``).

Completion state: a stream that ends without a ``finish_reason`` (cut off, or llama.cpp's
``[DONE]`` after an interrupt) raises ``LLMUnavailable("incomplete")``; it is never a finished
draft. ``finish_reason`` is passed on (``length`` means cut at max_tokens).

Chunks stay JSON objects (dicts): the request goes through the client's own ``post`` with
``cast_to=object``, the SDK's documented way to skip building response models, instead of
``chat.completions.create``, which turns every SSE chunk into a ``ChatCompletionChunk`` model.
The SDK still does the rest (auth, headers, timeouts, status errors, SSE decoding, ``[DONE]``,
error events); building those models cost more CPU than all our guardrails together (a token
per chunk: ~100 models per draft; docs/decisions.md, decision 63).

Breaker accounting: one verdict per *call*. Only outages count as failures (``OUTAGE_REASONS``:
connection errors, timeouts, 5xx); a rejection, a context overflow, an empty or cut-off answer,
a 429 or our own saturated queue say the endpoint is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import httpx
import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionMessageParam

from service.llm.base import (
    OUTAGE_REASONS,
    ChatMessage,
    Completion,
    LLMClient,
    LLMContextExceeded,
    LLMRejected,
    LLMUnavailable,
    StreamChunk,
)
from service.llm.breaker import Admission, CircuitBreaker
from service.llm.limiter import EndpointLimiter, Slot
from service.llm.retry import AttemptFailed, Deadline, RetryPolicy, parse_retry_after
from service.llm.tokens import TokenEstimator

T = TypeVar("T")

# Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the SDK insists on having one.
PLACEHOLDER_API_KEY = "not-needed"
DEFAULT_CONNECT_TIMEOUT_S = 5.0

MaxTokensField = Literal["max_tokens", "max_completion_tokens"]
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
# How servers word a prompt that is too long (OpenAI, vLLM, llama.cpp, LiteLLM, TGI). Read to
# classify the error only: the message itself is never logged or passed on.
_CONTEXT_MESSAGE = re.compile(
    r"context[ _-]?(length|window|size)|maximum context|too many tokens|prompt is too long"
    r"|exceeds? (the )?(model'?s? )?(maximum|max)|n_ctx",
    re.IGNORECASE,
)
_CONTEXT_WINDOW = re.compile(
    r"(?:maximum context length is|context window of|n_ctx[^0-9]{0,4})\s*(\d{3,7})", re.I
)


def make_async_openai(
    base_url: str | None,
    api_key: str | None,
    timeout_s: float,
    *,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    http_client: httpx.AsyncClient | None = None,
) -> AsyncOpenAI:
    """A stock AsyncOpenAI that never retries on its own and fails fast when the host is unreachable."""
    return AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or PLACEHOLDER_API_KEY,
        timeout=_http_timeout(timeout_s, connect_timeout_s),
        max_retries=0,  # tenacity (retry.py) is the only retry loop
        http_client=http_client,
    )


class OpenAICompatibleClient(LLMClient):
    """See the module docstring. ``backoff_*`` and ``min_attempt_s`` exist so tests can use tiny waits.

    ``timeout_s`` bounds one attempt, ``first_token_timeout_s`` the wait for its first delta (the
    server's queue and prompt processing; default ``timeout_s``), ``deadline_s`` the whole call.
    ``limiter`` bounds calls in flight to the endpoint; ``estimator`` fills in usage the server
    did not send (marked estimated) and learns from the usage it does send.
    ``stream_usage`` asks for usage in the last chunk (``stream_options.include_usage``); turn it
    off for servers that reject the option. ``max_tokens_field`` is ``max_completion_tokens`` for
    OpenAI reasoning models, which refuse ``max_tokens``; most other servers want ``max_tokens``.
    """

    def __init__(
        self,
        client: AsyncOpenAI,
        breaker: CircuitBreaker | None,
        *,
        max_attempts: int,
        deadline_s: float,
        timeout_s: float,
        first_token_timeout_s: float | None = None,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        backoff_multiplier: float = 0.5,
        backoff_max_s: float = 8.0,
        min_attempt_s: float = 0.05,
        stream_usage: bool = True,
        max_tokens_field: MaxTokensField = "max_tokens",
        limiter: EndpointLimiter | None = None,
        estimator: TokenEstimator | None = None,
    ) -> None:
        self._client = client
        self._breaker = breaker
        self._policy = RetryPolicy(
            max_attempts=max_attempts,
            deadline_s=deadline_s,
            backoff_multiplier=backoff_multiplier,
            backoff_max_s=backoff_max_s,
            min_attempt_s=min_attempt_s,
        )
        self._timeout_s = timeout_s
        self._first_token_timeout_s = first_token_timeout_s or timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._stream_usage = stream_usage
        self._max_tokens_field = max_tokens_field
        self._limiter = limiter
        self.estimator = estimator
        self._background: set[asyncio.Task[None]] = set()

    # --- complete -----------------------------------------------------------------------------

    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> Completion:
        """The whole answer: the same stream, collected (so giving up stops the server too)."""
        stream = self.stream(messages, model=model, temperature=temperature, max_tokens=max_tokens)
        async with contextlib.aclosing(stream) as events:
            async for event in events:
                if isinstance(event, Completion):
                    return event
        raise AssertionError("unreachable: a stream ends with a Completion or raises")  # pragma: no cover

    # --- stream -------------------------------------------------------------------------------

    async def stream(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> AsyncGenerator[StreamChunk | Completion, None]:
        """Retries only until the first delta; after that a failure ends the stream with LLMUnavailable.

        The HTTP stream is closed (and the endpoint slot freed) on every exit: normal end, error,
        ``aclose()`` or cancellation.
        """
        admission = await self._admit()
        request = _Request(list(messages), model, temperature, max_tokens)
        deadline = self._policy.start()
        opened: _OpenStream | None = None
        try:
            # A first token proves the endpoint works: the breaker is settled before the caller
            # can wander off (an early aclose() must not leave the half-open slot taken).
            opened = live = await self._run_judged(
                admission, lambda d: self._open_stream(request, d), deadline
            )
            yield StreamChunk("".join(live.parts))
            while (chunk := await self._next_chunk(live, deadline)) is not None:
                if delta := live.absorb(chunk):
                    yield StreamChunk(delta)
            yield self._finished(live, request)
        finally:
            if opened is not None:
                await opened.close()

    def _finished(self, live: _OpenStream, request: _Request) -> Completion:
        text = "".join(live.parts).strip()
        if live.finish_reason is None:
            # Cut off: the server went away politely, or llama.cpp interrupted us for another
            # request and still sent [DONE]. Whatever came so far is not a finished draft.
            raise LLMUnavailable("incomplete", attempts=live.attempt)
        if not text:
            raise LLMUnavailable("bad_response", attempts=live.attempt)
        prompt_tokens, completion_tokens = live.usage
        estimated = False
        if self.estimator is not None:
            if prompt_tokens is not None:
                self.estimator.observe(request.messages, prompt_tokens)
            if prompt_tokens is None or completion_tokens is None:
                prompt_tokens = self.estimator.prompt_tokens(request.messages)
                completion_tokens = self.estimator.tokens(text)
                estimated = True
        return Completion(
            text=text,
            model=live.model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            finish_reason=live.finish_reason,
            usage_estimated=estimated,
        )

    async def _open_stream(self, request: _Request, deadline: Deadline) -> _OpenStream:
        """Take a slot, send the request and read up to its first delta (one attempt)."""
        request.attempts += 1
        slot = await self._limiter.acquire(deadline.remaining()) if self._limiter is not None else None
        limit, by_deadline = self._limit(deadline)
        first_limit = min(limit, self._first_token_timeout_s)
        opened: _OpenStream | None = None
        try:
            async with asyncio.timeout(first_limit):
                stream = await self._client.post(
                    "/chat/completions",
                    body=self._params(request),
                    # Chunks as plain dicts: see the module docstring.
                    cast_to=object,
                    options={
                        "timeout": _http_timeout(limit, self._connect_timeout_s),
                        "security": {"bearer_auth": True},  # what chat.completions.create asks
                    },
                    stream=True,
                    stream_cls=AsyncStream[object],
                )
                opened = _OpenStream(stream, request.model, attempt=request.attempts, slot=slot)
                kind = _content_type(stream.response)
                if kind == "application/json":
                    # A server that ignored "stream": true and sent the whole completion.
                    opened.absorb_whole(json.loads(await stream.response.aread()))
                elif kind != "text/event-stream":
                    raise request.bad_response()  # an HTML error page from a proxy, say
                else:
                    chunks = opened.chunks = stream.__aiter__()
                    while not opened.first_delta and opened.finish_reason is None:
                        opened.absorb(await anext(chunks))
                if not opened.first_delta:
                    # Finished without a word, or a whole completion without one.
                    raise (
                        request.bad_response()
                        if opened.finish_reason or not opened.chunks
                        else request.incomplete()
                    )
                return opened
        except BaseException as exc:
            if opened is not None:
                await opened.close()
            elif slot is not None:
                slot.release()
            if isinstance(exc, AttemptFailed):
                raise
            if isinstance(exc, StopAsyncIteration):
                raise self._ended_early(opened, request) from None
            # Our timeout fired at the first-token limit unless the deadline is what bounded it.
            by_deadline = by_deadline and first_limit == limit
            failure = _translate(exc, by_deadline)
            if failure is exc:
                raise
            raise failure from None

    def _ended_early(self, opened: _OpenStream | None, request: _Request) -> Exception:
        """The stream ended before its first delta and without a finish_reason."""
        if opened is None or opened.chunks_seen == 0:
            # 200 and not one chunk: llama-cpp-python's way of refusing a prompt over its window.
            return LLMContextExceeded(200, shape="empty_stream")
        return request.incomplete()

    async def _next_chunk(self, opened: _OpenStream, deadline: Deadline) -> object | None:
        """The next chunk after the first delta, or None at the end. No retries from here on."""
        if opened.chunks is None:
            return None
        try:
            async with asyncio.timeout(deadline.remaining()):
                return await anext(opened.chunks)
        except StopAsyncIteration:
            return None
        except BaseException as exc:
            # Our asyncio.timeout is the deadline; an httpx read timeout is timeout_s.
            failure = _translate(exc, by_deadline=isinstance(exc, TimeoutError))
            if not isinstance(failure, AttemptFailed):
                raise
            if failure.kind in OUTAGE_REASONS:
                await self._record(ok=False)
            raise LLMUnavailable(failure.kind, attempts=opened.attempt) from None

    # --- shared -------------------------------------------------------------------------------

    def _params(self, request: _Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            "messages": _to_openai(request.messages),
            "model": request.model,
            "temperature": request.temperature,
            self._max_tokens_field: request.max_tokens,
            "stream": True,
        }
        if self._stream_usage:
            params["stream_options"] = {"include_usage": True}
        return params

    async def _run_judged(
        self,
        admission: Admission | None,
        attempt: Callable[[Deadline], Awaitable[T]],
        deadline: Deadline | None = None,
    ) -> T:
        """Run the retry policy and give the breaker its verdict on how the call ended."""
        limiter = self._limiter
        may_retry = (lambda: not limiter.saturated) if limiter is not None else None
        try:
            result = await self._policy.run(attempt, deadline, may_retry=may_retry)
        except LLMUnavailable as exc:
            if exc.reason in OUTAGE_REASONS:
                await self._record(ok=False)
            else:  # the endpoint is up, or we never reached it: no verdict
                self._release_probe_later()
            raise
        except LLMRejected:  # the endpoint answered: it is up, only our request was refused
            await self._record(ok=True, admission=admission)
            raise
        except BaseException:  # cancelled: no verdict, but do not keep the half-open slot
            self._release_probe_later()
            raise
        await self._record(ok=True, admission=admission)
        return result

    def _limit(self, deadline: Deadline) -> tuple[float, bool]:
        """This attempt's time limit, and whether the deadline (not timeout_s) is what bounds it."""
        remaining = deadline.remaining()
        return min(self._timeout_s, remaining), remaining < self._timeout_s

    async def _admit(self) -> Admission | None:
        if self._breaker is None:
            return None
        admission = await self._breaker.admit()
        if not admission.allowed:
            raise LLMUnavailable("breaker_open", retry_after=admission.retry_after, attempts=0)
        return admission

    async def _record(self, *, ok: bool, admission: Admission | None = None) -> None:
        if self._breaker is None:
            return
        if ok:
            await self._breaker.record_success(admission)
        else:
            await self._breaker.record_failure()

    def _release_probe_later(self) -> None:
        # Cancellation must propagate now, so the Redis round trip happens in the background.
        if self._breaker is not None and self._breaker.holds_probe:
            self._spawn(self._breaker.release_probe())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)  # keep a reference until done, or the task may vanish
        task.add_done_callback(self._background.discard)


@dataclass
class _Request:
    messages: list[ChatMessage]
    model: str
    temperature: float
    max_tokens: int
    attempts: int = 0
    empty_answers: int = 0

    def bad_response(self) -> AttemptFailed:
        return self._empty("bad_response")

    def incomplete(self) -> AttemptFailed:
        return self._empty("incomplete")

    def _empty(self, kind: Literal["bad_response", "incomplete"]) -> AttemptFailed:
        # An answer without a word is retried once (a sampling fluke, an interrupt, a reasoning
        # model that spent its budget thinking); a second one means retrying is burning tokens.
        self.empty_answers += 1
        return AttemptFailed(kind, retryable=self.empty_answers < 2)


@dataclass
class _OpenStream:
    stream: AsyncStream[object]
    model: str
    attempt: int
    slot: Slot | None = None
    chunks: AsyncIterator[object] | None = None
    chunks_seen: int = 0
    first_delta: str = ""
    finish_reason: str | None = None
    parts: list[str] = field(default_factory=list)
    usage: tuple[int | None, int | None] = (None, None)

    def absorb(self, chunk: object) -> str:
        """Take usage, model and finish_reason from a chunk (a decoded JSON object; servers omit
        fields, so anything missing or of the wrong type is skipped); return its text delta."""
        self.chunks_seen += 1
        data = chunk if isinstance(chunk, dict) else {}
        model = data.get("model")
        self.model = model if isinstance(model, str) and model else self.model
        usage = data.get("usage")
        if usage is not None:
            self.usage = _usage(usage)
        delta = ""
        choices = data.get("choices")
        for choice in choices if isinstance(choices, list) else ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            message = choice.get("delta")
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, str):
                delta += content
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                self.finish_reason = reason
        if delta:
            self.parts.append(delta)
            # Leading blank deltas ("\n") are not an answer yet: they go out with the first word.
            self.first_delta = self.first_delta or delta.strip()
        return delta

    def absorb_whole(self, body: object) -> None:
        """A whole chat.completion (the server did not stream); quirky servers omit fields."""
        self.chunks_seen += 1
        data = body if isinstance(body, dict) else {}
        choices = data.get("choices") or [{}]
        choice = choices[0] if isinstance(choices[0], dict) else {}
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str) and content:
            self.parts.append(content)
            self.first_delta = content.strip()
        reason = choice.get("finish_reason")
        self.finish_reason = reason if isinstance(reason, str) and reason else None
        model = data.get("model")
        self.model = model if isinstance(model, str) and model else self.model
        self.usage = _usage(data.get("usage"))

    async def close(self) -> None:
        try:
            # Closing a broken connection may fail too; there is nothing left to do about it then.
            with contextlib.suppress(Exception):
                await self.stream.close()
        finally:
            if self.slot is not None:
                self.slot.release()


def _usage(usage: object) -> tuple[int | None, int | None]:
    def read(name: str) -> int | None:
        value = usage.get(name) if isinstance(usage, dict) else getattr(usage, name, None)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return read("prompt_tokens"), read("completion_tokens")


def _content_type(response: httpx.Response) -> str:
    content_type: str = response.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower()


def _to_openai(messages: Sequence[ChatMessage]) -> list[ChatCompletionMessageParam]:
    # Our TypedDict has the shape of the SDK's three message params.
    return [{"role": m["role"], "content": m["content"]} for m in messages]  # type: ignore[misc]


def _translate(exc: BaseException, by_deadline: bool) -> BaseException:
    """Map an SDK / transport error to AttemptFailed or LLMRejected; anything else is returned as is.

    Cancellation and programming errors come back unchanged (callers re-raise them). The order
    matters: APITimeoutError is an APIConnectionError, and both are APIErrors.
    """
    timeout_kind: Literal["deadline", "timeout"] = "deadline" if by_deadline else "timeout"
    if isinstance(exc, TimeoutError | openai.APITimeoutError | httpx.TimeoutException):
        return AttemptFailed(timeout_kind)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return AttemptFailed("connection")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        retry_after = parse_retry_after(exc.response.headers)
        if status == 429:
            return AttemptFailed("rate_limited", retry_after=retry_after, status=status)
        if status == 408:
            return AttemptFailed("timeout", retry_after=retry_after, status=status)
        if status >= 500:
            return AttemptFailed("server_error", retry_after=retry_after, status=status)
        if context_exceeded(exc):
            return LLMContextExceeded(status, shape="rejected", window=_window(exc))
        return LLMRejected(status, code=_safe_code(exc.code))
    if isinstance(exc, openai.APIResponseValidationError | ValueError):
        return AttemptFailed("bad_response")  # 200 with a body that is not a chat completion
    if isinstance(exc, openai.APIError):
        return AttemptFailed("server_error")  # an error event inside an SSE stream
    return exc


def context_exceeded(exc: openai.APIStatusError) -> bool:
    """A 4xx that says the prompt is over the model's context window, by code or by wording."""
    if exc.status_code not in (400, 413, 422):
        return False
    if exc.code == "context_length_exceeded":
        return True  # OpenAI, llama-cpp-python
    return bool(_CONTEXT_MESSAGE.search(_message(exc)))


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        text = inner.get("message") if isinstance(inner, dict) else inner
        if isinstance(text, str):
            return text
    return exc.message or ""


def _window(exc: openai.APIStatusError) -> int | None:
    match = _CONTEXT_WINDOW.search(_message(exc))
    return int(match.group(1)) if match else None


def _safe_code(code: object) -> str | None:
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else None


def _http_timeout(limit_s: float, connect_timeout_s: float) -> httpx.Timeout:
    # A short connect timeout: a dead host should fail in seconds, not after the whole budget.
    return httpx.Timeout(limit_s, connect=min(connect_timeout_s, limit_s))
