"""LLMClient over any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure, vLLM, Ollama...).

Each call: breaker check -> tenacity loop (retry.py) around one POST /chat/completions -> result
(the SDK's ``post`` with the body ``chat.completions.create`` would build; see ``_body``).
The SDK never retries (``max_retries=0``); every attempt is bounded by ``timeout_s`` and by what is
left of ``deadline_s``. Errors become :class:`LLMUnavailable` / :class:`LLMRejected` without the
server's text (error bodies may echo the prompt or a masked key).

Breaker accounting: one failure per *call* that ends in LLMUnavailable, not one per HTTP attempt.
A call already retries up to ``max_attempts`` times, so counting attempts would open the breaker
after one or two unlucky drafts; counting calls makes ``breaker_failure_threshold`` mean "drafts in
a row that could not get an answer". A rejection (4xx) counts as a success: the endpoint is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import httpx
import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types import CompletionUsage
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionAssistantMessageParam,
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

from service.llm.base import ChatMessage, Completion, LLMClient, LLMRejected, LLMUnavailable, StreamChunk
from service.llm.breaker import Admission, CircuitBreaker
from service.llm.retry import AttemptFailed, Deadline, RetryPolicy, parse_retry_after
from service.llm.transport import HttpBackend, llm_http_client

T = TypeVar("T")

# Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the SDK insists on having one.
PLACEHOLDER_API_KEY = "not-needed"
DEFAULT_CONNECT_TIMEOUT_S = 5.0
CHAT_COMPLETIONS_PATH = "/chat/completions"

MaxTokensField = Literal["max_tokens", "max_completion_tokens"]
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def make_async_openai(
    base_url: str | None,
    api_key: str | None,
    timeout_s: float,
    *,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    http_client: httpx.AsyncClient | None = None,
    backend: HttpBackend = "httpx",
) -> AsyncOpenAI:
    """An AsyncOpenAI that never retries on its own and fails fast when the host is unreachable.

    Its HTTP client is the one ``backend`` names (see transport.py), unless ``http_client`` is
    given. The default is httpx, the transport respx patches; the service passes its setting.
    """
    return AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or PLACEHOLDER_API_KEY,
        timeout=_http_timeout(timeout_s, connect_timeout_s),
        max_retries=0,  # tenacity (retry.py) is the only retry loop
        http_client=http_client if http_client is not None else llm_http_client(backend),
    )


class OpenAICompatibleClient(LLMClient):
    """See the module docstring. ``backoff_*`` and ``min_attempt_s`` exist so tests can use tiny waits.

    ``stream_usage`` asks for usage in the last stream chunk (``stream_options.include_usage``);
    turn it off for servers that reject the option. ``max_tokens_field`` is ``max_completion_tokens``
    for OpenAI reasoning models, which refuse ``max_tokens``; most other servers want ``max_tokens``.
    """

    def __init__(
        self,
        client: AsyncOpenAI,
        breaker: CircuitBreaker | None,
        *,
        max_attempts: int,
        deadline_s: float,
        timeout_s: float,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        backoff_multiplier: float = 0.5,
        backoff_max_s: float = 8.0,
        min_attempt_s: float = 0.05,
        stream_usage: bool = True,
        max_tokens_field: MaxTokensField = "max_tokens",
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
        self._connect_timeout_s = connect_timeout_s
        self._stream_usage = stream_usage
        self._max_tokens_field = max_tokens_field
        self._background: set[asyncio.Task[None]] = set()

    # --- complete -----------------------------------------------------------------------------

    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> Completion:
        admission = await self._admit()
        request = _Request(_to_openai(messages), model, temperature, max_tokens)
        return await self._run_judged(admission, lambda deadline: self._complete_once(request, deadline))

    async def _run_judged(
        self,
        admission: Admission | None,
        attempt: Callable[[Deadline], Awaitable[T]],
        deadline: Deadline | None = None,
    ) -> T:
        """Run the retry policy and give the breaker its verdict on how the call ended."""
        try:
            result = await self._policy.run(attempt, deadline)
        except LLMUnavailable:
            await self._record(ok=False)
            raise
        except LLMRejected:  # the endpoint answered: it is up, only our request was refused
            await self._record(ok=True, admission=admission)
            raise
        except BaseException:  # cancelled: no verdict, but do not keep the half-open slot
            self._release_probe_later()
            raise
        await self._record(ok=True, admission=admission)
        return result

    async def _complete_once(self, request: _Request, deadline: Deadline) -> Completion:
        limit, by_deadline = self._limit(deadline)
        try:
            async with asyncio.timeout(limit):
                response = await self._client.post(
                    CHAT_COMPLETIONS_PATH,
                    body=self._body(request),
                    cast_to=ChatCompletion,
                    # What ``create`` asks for: the API key as a bearer token, nothing else.
                    options={
                        "timeout": _http_timeout(limit, self._connect_timeout_s),
                        "security": {"bearer_auth": True},
                    },
                )
        except BaseException as exc:
            failure = _translate(exc, by_deadline)
            if failure is exc:
                raise
            raise failure from None
        return _to_completion(response, request)

    # --- stream -------------------------------------------------------------------------------

    async def stream(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> AsyncGenerator[StreamChunk | Completion, None]:
        """Retries only until the first delta; after that a failure ends the stream with LLMUnavailable.

        The HTTP stream is closed on every exit: normal end, error, ``aclose()`` or cancellation.
        """
        admission = await self._admit()
        request = _Request(_to_openai(messages), model, temperature, max_tokens)
        deadline = self._policy.start()
        opened: _OpenStream | None = None
        try:
            # A first token proves the endpoint works: the breaker is settled before the caller
            # can wander off (an early aclose() must not leave the half-open slot taken).
            opened = live = await self._run_judged(
                admission, lambda d: self._open_stream(request, d), deadline
            )
            yield StreamChunk(live.first_delta)
            while (chunk := await self._next_chunk(live, deadline)) is not None:
                if delta := live.absorb(chunk):
                    yield StreamChunk(delta)
            text = "".join(live.parts).strip()
            if not text:
                await self._record(ok=False)
                raise LLMUnavailable("bad_response", attempts=live.attempt)
            usage = live.usage
            yield Completion(
                text=text,
                model=live.model,
                prompt_tokens=usage.prompt_tokens if usage else None,
                completion_tokens=usage.completion_tokens if usage else None,
            )
        finally:
            if opened is not None:
                await _close_quietly(opened.stream)

    async def _open_stream(self, request: _Request, deadline: Deadline) -> _OpenStream:
        """Open the stream and read up to its first non-empty delta (one attempt)."""
        request.attempts += 1
        limit, by_deadline = self._limit(deadline)
        stream: AsyncStream[ChatCompletionChunk] | None = None
        try:
            async with asyncio.timeout(limit):
                body = self._body(request)
                body["stream"] = True
                if self._stream_usage:
                    body["stream_options"] = {"include_usage": True}
                stream = await self._client.post(
                    CHAT_COMPLETIONS_PATH,
                    body=body,
                    cast_to=ChatCompletion,
                    # What ``create`` asks for: the API key as a bearer token, nothing else.
                    options={
                        "timeout": _http_timeout(limit, self._connect_timeout_s),
                        "security": {"bearer_auth": True},
                    },
                    stream=True,
                    stream_cls=AsyncStream[ChatCompletionChunk],
                )
                opened = _OpenStream(stream, stream.__aiter__(), request.model, attempt=request.attempts)
                while not opened.first_delta:
                    opened.absorb(await anext(opened.chunks))
                return opened
        except BaseException as exc:
            if stream is not None:
                await _close_quietly(stream)
            if isinstance(exc, StopAsyncIteration):  # the stream ended without a word
                raise request.bad_response() from None
            failure = _translate(exc, by_deadline)
            if failure is exc:
                raise
            raise failure from None

    async def _next_chunk(self, opened: _OpenStream, deadline: Deadline) -> ChatCompletionChunk | None:
        """The next chunk after the first delta, or None at the end. No retries from here on."""
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
            await self._record(ok=False)
            raise LLMUnavailable(failure.kind, attempts=opened.attempt) from None

    # --- shared -------------------------------------------------------------------------------

    def _limit(self, deadline: Deadline) -> tuple[float, bool]:
        """This attempt's time limit, and whether the deadline (not timeout_s) is what bounds it."""
        remaining = deadline.remaining()
        return min(self._timeout_s, remaining), remaining < self._timeout_s

    def _body(self, request: _Request) -> dict[str, Any]:
        """The JSON body ``chat.completions.create`` would send for these parameters.

        We post it with the SDK's own ``post`` (same client, auth, timeouts, error mapping and
        response parsing) rather than through ``create``, because ``create`` first runs every
        call's parameters through the SDK's type-directed transform, which returns our plain
        strings and numbers unchanged at a cost of ~0.5 ms of CPU per call (about 15% of an
        uncached draft's in-process cost, measured). The ``test_request_is_what_sdk_create_would_send``
        tests keep the two requests identical as the SDK evolves.
        """
        return {
            "messages": request.messages,
            "model": request.model,
            "temperature": request.temperature,
            self._max_tokens_field: request.max_tokens,
        }

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
    messages: list[ChatCompletionMessageParam]
    model: str
    temperature: float
    max_tokens: int
    attempts: int = 0
    bad_responses: int = 0

    def bad_response(self) -> AttemptFailed:
        # An empty answer is retried once (a sampling fluke, or a reasoning model that spent its
        # budget thinking); a second empty answer means retrying is just burning tokens.
        self.bad_responses += 1
        return AttemptFailed("bad_response", retryable=self.bad_responses < 2)


@dataclass
class _OpenStream:
    stream: AsyncStream[ChatCompletionChunk]
    chunks: AsyncIterator[ChatCompletionChunk]
    model: str
    attempt: int
    first_delta: str = ""
    parts: list[str] = field(default_factory=list)
    usage: CompletionUsage | None = None

    def absorb(self, chunk: ChatCompletionChunk) -> str:
        """Take usage and model from a chunk; return its text delta ('' if none)."""
        self.model = getattr(chunk, "model", None) or self.model
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self.usage = usage
        delta = ""
        for choice in getattr(chunk, "choices", None) or []:
            content = getattr(getattr(choice, "delta", None), "content", None)
            if getattr(choice, "index", 0) == 0 and isinstance(content, str):
                delta += content
        if delta:
            self.parts.append(delta)
            self.first_delta = self.first_delta or delta
        return delta


def _to_openai(messages: Sequence[ChatMessage]) -> list[ChatCompletionMessageParam]:
    converted: list[ChatCompletionMessageParam] = []
    for message in messages:
        role, content = message["role"], message["content"]
        if role == "system":
            converted.append(ChatCompletionSystemMessageParam(role="system", content=content))
        elif role == "user":
            converted.append(ChatCompletionUserMessageParam(role="user", content=content))
        else:
            converted.append(ChatCompletionAssistantMessageParam(role="assistant", content=content))
    return converted


def _to_completion(response: ChatCompletion, request: _Request) -> Completion:
    # The SDK builds responses without validation, so a quirky server can leave fields missing.
    choices = getattr(response, "choices", None) or []
    content = getattr(getattr(choices[0], "message", None), "content", None) if choices else None
    if not isinstance(content, str) or not content.strip():
        raise request.bad_response()
    usage = getattr(response, "usage", None)
    return Completion(
        text=content.strip(),
        model=getattr(response, "model", None) or request.model,
        prompt_tokens=_int_or_none(getattr(usage, "prompt_tokens", None)),
        completion_tokens=_int_or_none(getattr(usage, "completion_tokens", None)),
    )


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
        return LLMRejected(status, code=_safe_code(exc.code))
    if isinstance(exc, openai.APIResponseValidationError | ValueError):
        return AttemptFailed("bad_response")  # 200 with a body that is not a chat completion
    if isinstance(exc, openai.APIError):
        return AttemptFailed("server_error")  # an error event inside an SSE stream
    return exc


def _safe_code(code: object) -> str | None:
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _http_timeout(limit_s: float, connect_timeout_s: float) -> httpx.Timeout:
    # A short connect timeout: a dead host should fail in seconds, not after the whole budget.
    return httpx.Timeout(limit_s, connect=min(connect_timeout_s, limit_s))


async def _close_quietly(stream: AsyncStream[ChatCompletionChunk]) -> None:
    # Closing a broken connection may fail too; there is nothing left to do about it then.
    with contextlib.suppress(Exception):
        await stream.close()
