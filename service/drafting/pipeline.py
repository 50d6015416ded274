"""The one draft path every door uses: thread in, guarded DraftResult out.

analyse -> redact PII to placeholders -> render prompt -> LLM (or offline composer) -> restore the
placeholders -> guardrails -> deterministic repair -> re-ask with the findings while blocking findings
remain (bounded) -> final check -> result.

The invariant the product rests on lives in :func:`decide_status`: a reply is only returned when
the ``acknowledgement`` rule passed on exactly that text, whatever severities are configured.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import structlog

from service.drafting.cache import CacheOutcome, Claim, Computed, DraftCache, cache_key
from service.drafting.composer import Composed, compose_offline_with_gaps
from service.drafting.prompts import PromptBuilder
from service.drafting.redaction import Redaction, Redactor
from service.drafting.stream_guard import STREAM_RULES, StreamGuard
from service.guardrails import CheckContext, Guardrails
from service.infra.metrics import Metrics
from service.language.analysis import ThreadAnalysis, analyse_thread
from service.llm.base import ChatMessage, Completion, LLMClient, LLMError, StreamChunk
from service.models import (
    DraftAnalysis,
    DraftResult,
    DraftStatus,
    EvidenceSpan,
    FactHint,
    FeelingHint,
    Finding,
    GuardrailReport,
    Severity,
    Thread,
    Usage,
    Verdict,
    strip_invisible,
)
from service.tenancy import DEFAULT_PROFILE, TenantProfile, Tenants

log = structlog.get_logger("tactful.drafting")

_T = TypeVar("_T")

ACKNOWLEDGEMENT = "acknowledgement"
# Threads longer than this (characters of message text) are analysed, redacted and checked in a
# worker thread (DraftPipeline._cpu): 20,000 characters take a few milliseconds of CPU.
OFFLOAD_CHARS = 20_000
SENSITIVE_RULES = frozenset({"secret", "pii"})


@dataclass(frozen=True)
class Sampling:
    model: str
    temperature: float
    max_tokens: int


@dataclass
class _Timer:
    """Accumulates wall time per phase, in milliseconds."""

    phases: dict[str, float] = field(default_factory=dict)

    def add(self, phase: str, started: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class _Prompted:
    """The prompt as sent (ticket text redacted), and how to undo the redaction in what the model writes."""

    thread: Thread
    analysis: ThreadAnalysis
    redaction: Redaction | None
    messages: list[ChatMessage]
    profile: TenantProfile = DEFAULT_PROFILE

    def restore(self, text: str) -> str:
        return self.redaction.restore(text) if self.redaction is not None else text

    def redact(self, text: str) -> str:
        return self.redaction.redact(text) if self.redaction is not None else text


@dataclass(frozen=True)
class DraftOutcome:
    result: DraftResult
    cache: CacheOutcome


@dataclass(frozen=True)
class DraftDelta:
    """Text as the writer produced it, redacted (placeholders), before the full check: a preview;
    the final text may differ."""

    text: str


@dataclass(frozen=True)
class DraftStopped:
    """The streamed text hit a blocking content rule (see stream_guard): the stream ends here, and
    what was shown must be thrown away. Points at the evidence by rule and position only."""

    finding: Finding


StreamEvent = DraftDelta | DraftOutcome | DraftStopped


def unsendable(report: GuardrailReport) -> bool:
    """A blocking finding, or any acknowledgement finding: the text may not go to the customer.

    `fired`, not `failed`: an operator may turn the acknowledgement rule down to `info` for the
    report, but a reply that does not acknowledge the customer is never sendable.
    """
    return report.verdict is Verdict.block or report.fired(ACKNOWLEDGEMENT)


def decide_status(report: GuardrailReport, *, provider: str) -> DraftStatus:
    if unsendable(report):
        return DraftStatus.blocked
    if report.verdict is Verdict.warn or provider == "offline":
        # The offline composer is a safety net, not a writer: an agent always reviews its drafts.
        return DraftStatus.needs_review
    return DraftStatus.approved


def mask_sensitive(text: str, report: GuardrailReport) -> str:
    """The draft with every secret or PII span replaced, for showing it to the model again."""
    spans = sorted(
        (f.start, f.end)
        for f in report.findings
        if f.rule in SENSITIVE_RULES and f.start is not None and f.end is not None
    )
    for start, end in reversed(spans):
        text = text[:start] + "(removed)" + text[end:]
    return text


# What a blocked draft is kept as: the spans of the block-level content rules (the stream's rules)
# masked character for character, so the findings' offsets still point at them.
AT_REST_MASK = "•"


def mask_at_rest(text: str, report: GuardrailReport) -> str:
    """``text`` with every span of a content rule (secret, pii, prompt-leak, abuse, unsafe-content)
    replaced by as many mask characters: a blocked draft is stored, cached and answered like this."""
    chars = list(text)
    for f in report.findings:
        if f.rule in STREAM_RULES and f.start is not None and f.end is not None:
            chars[f.start : f.end] = AT_REST_MASK * (f.end - f.start)
    return "".join(chars)


def with_system_prompt(context: CheckContext, messages: list[ChatMessage]) -> CheckContext:
    """The check context with the instructions the model was given (for the prompt-leak rule)."""
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    return replace(context, system_prompt=system)


def analysis_view(analysis: ThreadAnalysis) -> DraftAnalysis | None:
    """The analysis as DraftResult shows it (spans into the newest customer message)."""
    index = analysis.message_index
    if index is None:
        return None

    def span(start: int, end: int, text: str) -> EvidenceSpan:
        return EvidenceSpan(message=index, start=start, end=end, text=text)

    return DraftAnalysis(
        language=analysis.language,
        variant=analysis.variant,
        address_register=analysis.register.value,
        feelings=[
            FeelingHint(
                name=f.feeling.value,
                intensity=f.intensity,
                evidence=[span(e.start, e.end, e.text) for e in f.evidence],
            )
            for f in analysis.feelings
        ],
        request=span(analysis.request.start, analysis.request.end, analysis.request.text)
        if analysis.request
        else None,
        facts=[
            FactHint.model_validate(
                {"kind": f.kind, "message": index, "start": f.start, "end": f.end, "text": f.text}
            )
            for f in analysis.facts
        ],
    )


def with_agent_gaps(report: GuardrailReport, text: str, composed: Composed) -> GuardrailReport:
    """Add an info-level ``agent-gap`` finding for each thing the offline composer could not know.

    Info findings change no verdict; they tell the agent where the draft needs their knowledge.
    """
    findings = list(report.findings)
    for gap in composed.gaps:
        at = text.find(gap.sentence) if gap.sentence else -1
        findings.append(
            Finding(
                rule="agent-gap",
                severity=Severity.info,
                message=gap.message,
                start=at if at >= 0 else None,
                end=at + len(gap.sentence) if at >= 0 else None,
                suggestion=gap.suggestion,
            )
        )
    return report.model_copy(update={"findings": findings})


def normalise_thread(thread: Thread) -> dict[str, object]:
    """The parts of a thread that change the draft, in a canonical form for the cache key.

    Timestamps do not change what we write, so they stay out; line endings and surrounding
    whitespace are folded so that a helpdesk re-sending the same text hits the cache.
    """
    data = thread.model_dump(mode="json", exclude_none=True)
    for message in data["messages"]:
        message.pop("created_at", None)
        message["body"] = message["body"].replace("\r\n", "\n").strip()
    return data


class DraftPipeline:
    def __init__(
        self,
        *,
        provider: str,
        prompts: PromptBuilder,
        guardrails: Guardrails,
        llm: LLMClient | None,
        cache: DraftCache,
        sampling: Sampling,
        max_reasks: int,
        fallback_offline: bool,
        redactor: Redactor | None = None,
        metrics: Metrics | None = None,
        tenants: Tenants | None = None,
    ) -> None:
        if provider == "openai" and llm is None:
            raise ValueError("the openai provider needs an LLM client")
        self.provider = provider
        self.prompts = prompts
        self.guardrails = guardrails
        self._llm = llm
        self.cache = cache
        self._sampling = sampling
        self._max_reasks = max_reasks
        self._fallback_offline = fallback_offline
        self._redactor = redactor
        self._metrics = metrics
        self.tenants = tenants or Tenants(DEFAULT_PROFILE, {})

    @property
    def model_name(self) -> str:
        return self._sampling.model if self.provider == "openai" else "offline-composer"

    def key_for(self, thread: Thread, tenant: str = "") -> str:
        profile = self.tenants.resolve(tenant)
        return cache_key(
            {
                "tenant": tenant,
                # An edited profile redrafts; so does a new day (the prompt states today's date).
                "profile": profile.version,
                "today": profile.today().isoformat(),
                "thread": normalise_thread(thread),
                "provider": self.provider,
                "model": self.model_name,
                "temperature": self._sampling.temperature,
                "max_tokens": self._sampling.max_tokens,
                "prompt_version": self.prompts.version,
                "ruleset_version": self.guardrails.version,
            }
        )

    async def _key(self, thread: Thread, tenant: str) -> str:
        """key_for, off the event loop for a large thread (hashing 1 MB of JSON takes ~20 ms)."""
        return await self._cpu(thread, self.key_for, thread, tenant)

    async def forget_in_flight(self, thread: Thread, *, tenant: str = "") -> None:
        """Break a dead process's single-flight lock on this thread's draft (see DraftCache.break_lock)."""
        await self.cache.break_lock(await self._key(thread, tenant))

    async def draft(self, thread: Thread, *, tenant: str = "", refresh: bool = False) -> DraftOutcome:
        started = time.perf_counter()
        timer = _Timer()
        produced: list[DraftResult] = []

        profile = self.tenants.resolve(tenant)

        async def compute() -> Computed:
            result = await self._compose(thread, timer, profile)
            produced.append(result)
            # A fallback draft is served but not stored, so the next request tries the LLM again.
            return Computed(result.model_dump_json().encode(), cacheable=result.provider == self.provider)

        payload, outcome = await self.cache.get_or_compute(
            await self._key(thread, tenant), compute, refresh=refresh
        )
        # The request that computed the draft keeps its object; the others parse the shared payload.
        result = produced[0] if produced else DraftResult.model_validate_json(payload)
        return self._outcome(result, outcome, started, timer)

    async def lookup(self, thread: Thread, *, tenant: str = "") -> DraftOutcome | None:
        """The cached draft for this thread, if there is one (one GET; never computes)."""
        started = time.perf_counter()
        payload = await self.cache.peek(await self._key(thread, tenant))
        if payload is None:
            return None
        return self._outcome(DraftResult.model_validate_json(payload), CacheOutcome.hit, started, _Timer())

    async def draft_stream(
        self, thread: Thread, *, tenant: str = "", refresh: bool = False, read_first: bool = True
    ) -> AsyncGenerator[StreamEvent, None]:
        """Like :meth:`draft`, but yields the writer's text as it comes, then one DraftOutcome.

        Single-flight goes through :meth:`DraftCache.claim` rather than ``get_or_compute``: the
        computation runs in the caller's task, so deltas reach this caller and closing the
        generator (the client went away) cancels the LLM call. Identical requests still make one
        LLM call: a concurrent request waits for our stored result (it gets no deltas), and if we
        are cancelled the lock is released at once so a waiter takes over. ``read_first=False``
        skips the cache read for a caller that has just done :meth:`lookup`.
        """
        started = time.perf_counter()
        timer = _Timer()
        claim = await self.cache.claim(
            await self._key(thread, tenant), refresh=refresh, read_first=read_first
        )
        if claim.payload is not None:
            yield self._outcome(DraftResult.model_validate_json(claim.payload), claim.outcome, started, timer)
            return
        result = None
        try:
            async for event in self._compose_streaming(thread, timer, self.tenants.resolve(tenant)):
                if isinstance(event, DraftResult):
                    result = event
                elif isinstance(event, Finding):
                    # Nothing is stored: the next request drafts again.
                    log.info("draft.stream_stopped", rule=event.rule)
                    yield DraftStopped(event)
                    return
                else:
                    yield DraftDelta(event)
        finally:
            await self._settle(claim, result)
        assert result is not None  # _compose_streaming ends with the result, a stop, or raises
        yield self._outcome(result, claim.outcome, started, timer)

    async def _settle(self, claim: Claim, result: DraftResult | None) -> None:
        computed = None
        if result is not None:
            # A fallback draft is served but not stored, so the next request tries the LLM again.
            computed = Computed(result.model_dump_json().encode(), cacheable=result.provider == self.provider)
        await self.cache.settle(claim, computed)

    def _outcome(
        self, result: DraftResult, outcome: CacheOutcome, started: float, timer: _Timer
    ) -> DraftOutcome:
        total = (time.perf_counter() - started) * 1000
        computed_here = outcome in (CacheOutcome.miss, CacheOutcome.bypass)
        timings = dict(timer.phases) if computed_here else {}
        timings["cache"] = max(0.0, total - sum(timings.values()))
        timings["total"] = total
        result = result.model_copy(update={"cached": not computed_here, "timings_ms": timings})
        if self._metrics is not None:
            self._metrics.cache.labels(outcome.value.lower()).inc()
        log.info(
            "draft.done",
            status=result.status.value,
            provider=result.provider,
            cache=outcome.value,
            attempts=result.attempts,
            findings=[f.rule for f in result.guardrails.findings],
            total_ms=round(total, 2),
        )
        return DraftOutcome(result=result, cache=outcome)

    async def _cpu(self, thread: Thread, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)``: inline for an ordinary thread, in a worker thread for a large one.

        Analysis, redaction and checks with a thread's context grow with the thread; for a thread
        of more than OFFLOAD_CHARS characters they run off the event loop, so that health probes
        and other requests are answered meanwhile. Small threads skip the hand-off (~50 us).
        """
        if sum(len(m.body) for m in thread.messages) <= OFFLOAD_CHARS:
            return fn(*args)
        return await asyncio.to_thread(fn, *args)

    async def _compose(self, thread: Thread, timer: _Timer, profile: TenantProfile) -> DraftResult:
        analysis = await self._cpu(thread, analyse_thread, thread)
        context = CheckContext(thread=thread, analysis=analysis)
        if self.provider == "openai":
            try:
                result = await self._compose_with_llm(thread, analysis, context, timer, profile)
                return result.model_copy(update={"analysis": analysis_view(analysis)})
            except LLMError as exc:
                self._fall_back_or_raise(exc)
        return await self._cpu(thread, self._compose_offline, thread, analysis, context, timer, profile)

    def _fall_back_or_raise(self, exc: LLMError) -> None:
        """Count the LLM failure; re-raise it unless the offline composer may stand in."""
        reason = str(getattr(exc, "reason", type(exc).__name__))
        if self._metrics is not None:
            self._metrics.llm_errors.labels(reason).inc()
        if not self._fallback_offline:
            raise exc
        log.warning("draft.llm_fallback", reason=reason)

    def _compose_offline(
        self,
        thread: Thread,
        analysis: ThreadAnalysis,
        context: CheckContext,
        timer: _Timer,
        profile: TenantProfile,
    ) -> DraftResult:
        began = time.perf_counter()
        composed = compose_offline_with_gaps(thread, analysis, profile)
        timer.add("compose", began)
        return self._offline_result(composed, analysis, context, timer)

    def _offline_result(
        self, composed: Composed, analysis: ThreadAnalysis, context: CheckContext, timer: _Timer
    ) -> DraftResult:
        text, report = self._check_and_repair(composed.text, context, timer)
        report = with_agent_gaps(report, text, composed)
        result = self._result(
            text, report, provider="offline", model="offline-composer", attempts=1, usage=None
        )
        return result.model_copy(update={"analysis": analysis_view(analysis)})

    async def _compose_streaming(
        self, thread: Thread, timer: _Timer, profile: TenantProfile = DEFAULT_PROFILE
    ) -> AsyncGenerator[str | Finding | DraftResult, None]:
        """The writer's text as it comes, then the DraftResult (guardrails, repairs and re-asks done).

        Deltas are the model's own text, placeholders and all: the values come back only in the
        result, after the full check. Each completed sentence goes through the block-level content
        rules (StreamGuard); a blocking finding is yielded instead of a result and ends the stream.
        Only the first LLM answer streams; re-asks (rare: a blocking finding the repair cannot fix)
        are plain completions, and the result carries their text. The offline composer writes in
        one go and is checked first: its delta is the checked reply (none when blocked). Falling
        back to it after a partial stream sends no more deltas: the result is authoritative.
        """
        analysis = await self._cpu(thread, analyse_thread, thread)
        context = CheckContext(thread=thread, analysis=analysis)
        streamed = False
        if self.provider == "openai":
            assert self._llm is not None
            prompted = await self._cpu(thread, self._prepare, thread, analysis, profile)
            messages = prompted.messages
            context = with_system_prompt(context, messages)
            guard = StreamGuard(self.guardrails, context)
            try:
                completion: Completion | None = None
                began = time.perf_counter()
                stream = self._llm.stream(
                    messages,
                    model=self._sampling.model,
                    temperature=self._sampling.temperature,
                    max_tokens=self._sampling.max_tokens,
                )
                async with aclosing(stream) as chunks:
                    async for item in chunks:
                        if isinstance(item, StreamChunk):
                            streamed = True
                            if item.delta:
                                if stop := guard.feed(item.delta):
                                    yield stop  # closing the stream cancels the LLM call
                                    return
                                yield item.delta
                        else:
                            completion = item
                timer.add("llm", began)
                if stop := guard.finish():
                    yield stop
                    return
                assert completion is not None  # the client's stream always ends with one
                result = await self._finish_with_llm(prompted, context, timer, completion)
                yield result.model_copy(update={"analysis": analysis_view(analysis)})
                return
            except LLMError as exc:
                self._fall_back_or_raise(exc)
        began = time.perf_counter()
        composed = compose_offline_with_gaps(thread, analysis, profile)
        timer.add("compose", began)
        result = await self._cpu(thread, self._offline_result, composed, analysis, context, timer)
        if not streamed and result.reply is not None:
            yield result.reply
        yield result

    async def _ask(self, messages: list[ChatMessage], timer: _Timer) -> Completion:
        assert self._llm is not None
        began = time.perf_counter()
        completion = await self._llm.complete(
            messages,
            model=self._sampling.model,
            temperature=self._sampling.temperature,
            max_tokens=self._sampling.max_tokens,
        )
        timer.add("llm", began)
        return completion

    async def _compose_with_llm(
        self,
        thread: Thread,
        analysis: ThreadAnalysis,
        context: CheckContext,
        timer: _Timer,
        profile: TenantProfile = DEFAULT_PROFILE,
    ) -> DraftResult:
        prompted = await self._cpu(thread, self._prepare, thread, analysis, profile)
        completion = await self._ask(prompted.messages, timer)
        return await self._finish_with_llm(
            prompted, with_system_prompt(context, prompted.messages), timer, completion
        )

    async def _finish_with_llm(
        self, prompted: _Prompted, context: CheckContext, timer: _Timer, completion: Completion
    ) -> DraftResult:
        """Check and repair the first answer; re-ask with the findings while blocking ones remain."""
        prompt_tokens = completion_tokens = 0
        usage_known = True
        attempts = 1
        while True:
            if completion.prompt_tokens is None or completion.completion_tokens is None:
                usage_known = False
            else:
                prompt_tokens += completion.prompt_tokens
                completion_tokens += completion.completion_tokens
            # The guardrails judge the text the customer would get: placeholders restored.
            text, report = await self._cpu(
                prompted.thread, self._check_and_repair, prompted.restore(completion.text), context, timer
            )
            if not unsendable(report) or attempts > self._max_reasks:
                break
            instructions = self.guardrails.reask_instructions(report)
            # The draft goes back out: masked where the guardrails found secrets, redacted again.
            shown = prompted.redact(mask_sensitive(text, report))
            messages = self.prompts.render_reask(
                prompted.thread, prompted.analysis, shown, instructions, prompted.profile, prompted.redaction
            )
            attempts += 1
            completion = await self._ask(messages, timer)
        usage = (
            Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens) if usage_known else None
        )
        return self._result(
            text, report, provider="openai", model=completion.model, attempts=attempts, usage=usage
        )

    def _prepare(
        self, thread: Thread, analysis: ThreadAnalysis, profile: TenantProfile = DEFAULT_PROFILE
    ) -> _Prompted:
        """The prompt, with ticket text redacted when redaction is on.

        Only what the prompt shows is redacted (the kept messages, the notes and the reading of the
        customer's message it quotes; see PromptBuilder): a thread at the size limits costs what
        the token budget costs, not what the thread holds.
        """
        redaction = self._redactor.session() if self._redactor is not None else None
        messages = self.prompts.render(thread, analysis, profile, redaction=redaction)
        if redaction is None or not redaction.counts:
            return _Prompted(thread, analysis, None, messages, profile)
        if self._metrics is not None:
            for kind, count in redaction.counts.items():
                self._metrics.redactions.labels(kind).inc(count)
        return _Prompted(thread, analysis, redaction, messages, profile)

    def _check_and_repair(
        self, text: str, context: CheckContext, timer: _Timer
    ) -> tuple[str, GuardrailReport]:
        began = time.perf_counter()
        # Bidi controls and other invisible characters (copied from the thread, or written by the
        # model) never reach a reply: they can reorder or hide what the customer reads.
        text = strip_invisible(text)
        report = self.guardrails.check(text, context)
        if report.verdict is not Verdict.pass_ or report.fired(ACKNOWLEDGEMENT):
            # Safe span fixes (a missing acknowledgement, a shouted run); the report that comes back
            # is the check of the text that comes back, so nothing is checked twice.
            text, report = self.guardrails.repair_and_check(text, report, context)
        timer.add("guard", began)
        return text, report

    def _result(
        self,
        text: str,
        report: GuardrailReport,
        *,
        provider: str,
        model: str,
        attempts: int,
        usage: Usage | None,
    ) -> DraftResult:
        status = decide_status(report, provider=provider)
        sendable = status is not DraftStatus.blocked
        return DraftResult(
            id=f"drf_{uuid.uuid4().hex}",
            status=status,
            reply=text if sendable else None,
            # Never in clear at rest: cached, stored in job records and answered with its secrets masked.
            rejected_draft=None if sendable else mask_at_rest(text, report),
            guardrails=report,
            provider="openai" if provider == "openai" else "offline",
            model=model,
            prompt_version=self.prompts.version,
            attempts=attempts,
            cached=False,
            usage=usage,
        )
