"""The one draft path every door uses: thread in, guarded DraftResult out.

analyse -> redact PII to placeholders -> render prompt -> LLM (or offline composer) -> restore the
placeholders -> guardrails -> deterministic repair -> re-ask with the findings while blocking findings
remain (bounded) -> final check -> result.

The invariant the product rests on lives in :func:`decide_status`: a reply is only returned when
the ``acknowledgement`` rule passed on exactly that text, whatever severities are configured.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import structlog

from service.drafting.cache import CacheOutcome, Claim, Computed, DraftCache, cache_key
from service.drafting.composer import Composed, compose_offline_with_gaps
from service.drafting.note_outcomes import NoteOutcomes, read_note_outcomes
from service.drafting.prompts import ContextWindow, Fit, PromptBuilder
from service.drafting.redaction import Redaction, Redactor
from service.drafting.stream_guard import STREAM_RULES, StreamGuard
from service.guardrails import CheckContext, Guardrails
from service.infra.metrics import Metrics
from service.infra.turns import CpuTurns
from service.language.analysis import ThreadAnalysis, analyse_thread
from service.language.notes import NoteFacts, read_notes
from service.llm.base import (
    ChatMessage,
    Completion,
    LLMClient,
    LLMContextExceeded,
    LLMError,
    LLMUnavailable,
    StreamChunk,
)
from service.llm.tokens import TokenEstimator
from service.models import (
    DraftAnalysis,
    DraftResult,
    DraftStatus,
    EvidenceSpan,
    FactHint,
    FeelingHint,
    Finding,
    GuardrailReport,
    LLMIncident,
    Provider,
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
class ThreadReading:
    """A thread read once per draft: the customer's messages (analysis) and our internal notes.

    Every render of the prompt (context fit, shrink, re-asks), the offline composer and the checks
    use this one reading: reading 16,000 characters of notes costs ~60 ms of sentence splitting,
    and a draft renders its prompt up to four times (issue 14: 499 notes)."""

    analysis: ThreadAnalysis
    notes: NoteFacts
    thread: Thread = field(repr=False, compare=False)

    @functools.cached_property
    def outcomes(self) -> NoteOutcomes:
        """What the notes say happened (note_outcomes.py), split into clauses on first use: only
        the offline composer reads them, so an LLM draft never pays for it."""
        return read_note_outcomes(self.thread, self.analysis.language)


def read_thread(thread: Thread) -> ThreadReading:
    analysis = analyse_thread(thread)
    return ThreadReading(analysis, read_notes(thread, analysis.language), thread)


@dataclass(frozen=True)
class _Prompted:
    """The thread and its reading, and the redaction session every render of its prompt uses (so
    a value keeps its placeholder across renders); restore undoes it in what the model writes."""

    thread: Thread
    reading: ThreadReading
    redaction: Redaction | None
    profile: TenantProfile = DEFAULT_PROFILE

    @property
    def analysis(self) -> ThreadAnalysis:
        return self.reading.analysis

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


def decide_status(report: GuardrailReport, *, provider: Provider, repaired: bool = False) -> DraftStatus:
    if unsendable(report):
        return DraftStatus.blocked
    if report.verdict is Verdict.warn or provider is Provider.offline or repaired:
        # The offline composer is a safety net, not a writer: an agent always reviews its drafts.
        # A draft the repair changed is no longer what the writer wrote: an agent reads it first.
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


def with_system_prompt(
    context: CheckContext, messages: list[ChatMessage], *, scaffolding: tuple[str, ...] = ()
) -> CheckContext:
    """The check context with every part of the prompt the model was given (for prompt-leak):
    the system prompt, the user message(s) and, for a re-ask, the re-ask's own wording (passed as
    ``scaffolding``, without the previous draft, which the new draft may rightly repeat)."""
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    users = [m["content"] for m in messages if m["role"] == "user"]
    if scaffolding:
        users = users[:1]  # the re-ask message holds the previous draft: its scaffolding stands in
    return replace(context, system_prompt=system, prompt_parts=(*users, *scaffolding))


def _cut_off_finding() -> Finding:
    return Finding(
        rule="length",
        severity=Severity.warn,
        message="The model stopped at its completion limit (TACTFUL_LLM_MAX_TOKENS): the reply may "
        "end mid-sentence. Read it to the end before sending.",
    )


def _with_finding(report: GuardrailReport, finding: Finding) -> GuardrailReport:
    verdict = report.verdict if report.verdict is not Verdict.pass_ else Verdict.warn
    return report.model_copy(update={"verdict": verdict, "findings": [*report.findings, finding]})


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
        provider: Provider,
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
        window: ContextWindow | None = None,
        estimator: TokenEstimator | None = None,
        allowed_domains: tuple[str, ...] = (),
    ) -> None:
        if provider is Provider.openai and llm is None:
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
        self._window = window
        self._estimator = estimator
        # The global link hosts a reply may use besides the thread's, for tenants whose profile
        # lists none (TenantProfile.allowed_domains).
        self._allowed_domains = allowed_domains
        self._turns = CpuTurns()

    @property
    def model_name(self) -> str:
        return self._sampling.model if self.provider is Provider.openai else "offline-composer"

    def key_for(self, thread: Thread, tenant: str = "") -> str:
        profile = self.tenants.resolve(tenant)
        return cache_key(
            {
                "tenant": tenant,
                # An edited profile redrafts; so does a new day (the prompt states today's date).
                "profile": profile.version,
                "today": profile.today().isoformat(),
                # The hosts the guardrails allow decide a draft's findings: a tenant's new domains
                # (or a changed global setting, for profiles without their own) redraft.
                "allowed_domains": list(profile.allowed_domains(self._allowed_domains)),
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
        Either way the step waits for its turn (service/infra/turns.py): under a burst, the steps
        of many drafts run one per pass of the event loop instead of all in one long pass.
        """
        if sum(len(m.body) for m in thread.messages) <= OFFLOAD_CHARS:
            return await self._turns.run(fn, *args)
        return await self._turns.run_in_thread(fn, *args)

    async def _compose(self, thread: Thread, timer: _Timer, profile: TenantProfile) -> DraftResult:
        reading = await self._cpu(thread, read_thread, thread)
        analysis = reading.analysis
        context = CheckContext(
            thread=thread, analysis=analysis, allowed_domains=profile.allowed_domains(self._allowed_domains)
        )
        incidents: list[LLMIncident] = []
        if self.provider is Provider.openai:
            try:
                result = await self._compose_with_llm(thread, reading, context, timer, profile, incidents)
                return result.model_copy(update={"analysis": analysis_view(analysis)})
            except LLMError as exc:
                self._fall_back_or_raise(exc, incidents)
        return await self._cpu(
            thread, self._compose_offline, thread, reading, context, timer, profile, incidents
        )

    def _fall_back_or_raise(self, exc: LLMError, incidents: list[LLMIncident]) -> None:
        """Count the LLM failure; re-raise it unless the offline composer may stand in."""
        reason = str(getattr(exc, "reason", type(exc).__name__))
        if self._metrics is not None:
            self._metrics.llm_errors.labels(reason).inc()
        if not self._fallback_offline:
            raise exc
        if reason in ("context_length", "incomplete"):
            self._incident(incidents, reason, "fell_back")
        log.warning("draft.llm_fallback", reason=reason)

    def _incident(self, incidents: list[LLMIncident], kind: str, action: str) -> None:
        incident = LLMIncident.model_validate({"kind": kind, "action": action})
        incidents.append(incident)
        if self._metrics is not None:
            self._metrics.llm_incidents.labels(kind, action).inc()
        log.info("draft.llm_incident", kind=kind, action=action)

    def _compose_offline(
        self,
        thread: Thread,
        reading: ThreadReading,
        context: CheckContext,
        timer: _Timer,
        profile: TenantProfile,
        incidents: list[LLMIncident],
    ) -> DraftResult:
        began = time.perf_counter()
        composed = compose_offline_with_gaps(
            thread, reading.analysis, profile, reading.notes, outcomes=reading.outcomes
        )
        timer.add("compose", began)
        return self._offline_result(composed, reading.analysis, context, timer, incidents)

    def _offline_result(
        self,
        composed: Composed,
        analysis: ThreadAnalysis,
        context: CheckContext,
        timer: _Timer,
        incidents: list[LLMIncident],
    ) -> DraftResult:
        # The composer's own text: the only writer whose missing acknowledgement may be repaired
        # with a stock sentence (its drafts are always reviewed anyway).
        text, report, repaired = self._check_and_repair(
            composed.text, context, timer, stock_acknowledgement=True
        )
        if repaired and text != composed.text:
            text, report = self._one_acknowledgement(text, report, composed, context, timer)
        report = with_agent_gaps(report, text, composed)
        result = self._result(
            text,
            report,
            provider=Provider.offline,
            model="offline-composer",
            attempts=1,
            usage=None,
            incidents=incidents,
            repaired=repaired,
        )
        return result.model_copy(update={"analysis": analysis_view(analysis)})

    def _fit(self, *, shrink: bool = False, reported: LLMContextExceeded | None = None) -> Fit:
        ratio = self._estimator.ratio if self._estimator is not None else Fit.bytes_per_token
        window = self._window
        if reported is not None and reported.window is not None and window is not None:
            # The server said its window ("maximum context length is 2048"): believe it over the
            # setting, which is then too large (the sizing table explains how to set it).
            window = replace(window, tokens=min(window.tokens, reported.window))
        return Fit(window=window, bytes_per_token=ratio, shrink=shrink)

    async def _compose_streaming(
        self, thread: Thread, timer: _Timer, profile: TenantProfile = DEFAULT_PROFILE
    ) -> AsyncGenerator[str | Finding | DraftResult, None]:
        """The writer's text as it comes, then the DraftResult (guardrails, repairs and re-asks done).

        Deltas are the model's own text, placeholders and all: the values come back only in the
        result, after the full check. Each completed sentence goes through the block-level content
        rules (StreamGuard); a blocking finding is yielded instead of a result and ends the stream.
        The offline composer's text is checked before it is shown: its delta is the checked reply.

        Only the first LLM answer streams; re-asks (rare: a blocking finding the repair cannot fix)
        are plain completions, and the result carries their text. The offline composer writes in
        one go, so its text is one delta. Falling back to it after a partial stream sends no more
        deltas: the result is authoritative either way. A prompt over the context window is
        refused before any delta, so its shrunk retry streams too; a stream cut off after some
        deltas is asked again as a whole (its result is authoritative).
        """
        reading = await self._cpu(thread, read_thread, thread)
        analysis = reading.analysis
        context = CheckContext(
            thread=thread, analysis=analysis, allowed_domains=profile.allowed_domains(self._allowed_domains)
        )
        incidents: list[LLMIncident] = []
        streamed = False
        if self.provider is Provider.openai:
            prompted, messages = await self._cpu(thread, self._prepare, thread, reading, profile)
            fit = self._fit()
            # The stream is compared with the system prompt only: its text still has placeholders,
            # which the (redacted) user message shares with it and the thread does not.
            guard = StreamGuard(self.guardrails, with_system_prompt(context, messages[:1]))
            try:
                completion: Completion | None = None
                for shrink in (False, True):
                    try:
                        async for item in self._stream_llm(messages, timer):
                            if isinstance(item, Completion):
                                completion = item
                            elif item:
                                streamed = True
                                # The check of a finished sentence reads the thread: off the
                                # loop for a large one, like every other check (decision 54).
                                if guard.add(item) and (stop := await self._cpu(thread, guard.check)):
                                    yield stop  # closing the stream cancels the LLM call
                                    return
                                yield item
                        if stop := await self._cpu(thread, guard.finish):
                            yield stop
                            return
                        break
                    except LLMContextExceeded as exc:
                        if shrink or streamed:
                            raise
                        self._incident(incidents, "context_length", "shrunk")
                        fit = self._fit(shrink=True, reported=exc)
                        messages = await self._cpu(thread, self._render, prompted, fit)
                    except LLMUnavailable as exc:
                        if exc.reason != "incomplete":
                            raise
                        self._incident(incidents, "incomplete", "retried")
                        completion = await self._ask(messages, timer)
                        break
                assert completion is not None  # the client's stream always ends with one
                context = with_system_prompt(context, messages)
                result = await self._finish_with_llm(
                    prompted, context, timer, completion, incidents, fit.took(messages)
                )
                yield result.model_copy(update={"analysis": analysis_view(analysis)})
                return
            except LLMError as exc:
                self._fall_back_or_raise(exc, incidents)
        began = time.perf_counter()
        composed = compose_offline_with_gaps(thread, analysis, profile, reading.notes)
        timer.add("compose", began)
        result = await self._cpu(thread, self._offline_result, composed, analysis, context, timer, incidents)
        if not streamed and result.reply is not None:
            yield result.reply
        yield result

    async def _stream_llm(
        self, messages: list[ChatMessage], timer: _Timer
    ) -> AsyncGenerator[str | Completion, None]:
        """One streamed LLM call: its deltas, then its Completion. Its time counts as `llm`,
        failed or not (waits between attempts included)."""
        assert self._llm is not None
        began = time.perf_counter()
        stream = self._llm.stream(
            messages,
            model=self._sampling.model,
            temperature=self._sampling.temperature,
            max_tokens=self._sampling.max_tokens,
        )
        try:
            async with aclosing(stream) as chunks:
                async for item in chunks:
                    yield item.delta if isinstance(item, StreamChunk) else item
        finally:
            timer.add("llm", began)

    async def _ask(self, messages: list[ChatMessage], timer: _Timer) -> Completion:
        assert self._llm is not None
        began = time.perf_counter()
        try:
            return await self._llm.complete(
                messages,
                model=self._sampling.model,
                temperature=self._sampling.temperature,
                max_tokens=self._sampling.max_tokens,
            )
        finally:
            # Failed attempts and back-off are LLM time too, not the cache's (issue 16).
            timer.add("llm", began)

    async def _first_answer(
        self,
        prompted: _Prompted,
        messages: list[ChatMessage],
        timer: _Timer,
        incidents: list[LLMIncident],
    ) -> tuple[Completion, list[ChatMessage], Fit]:
        """The first completion of ``messages`` (the prompt at the default fit): shrunk once when
        over the window, asked again once when cut off.

        The fit that worked comes back too, with the size of a shrunk prompt the server took:
        re-asks must not grow the prompt past it again.
        """
        fit = self._fit()
        try:
            return await self._ask(messages, timer), messages, fit
        except LLMContextExceeded as exc:
            self._incident(incidents, "context_length", "shrunk")
            fit = self._fit(shrink=True, reported=exc)
            messages = await self._cpu(prompted.thread, self._render, prompted, fit)
        except LLMUnavailable as exc:
            if exc.reason != "incomplete":
                raise
            self._incident(incidents, "incomplete", "retried")
        completion = await self._ask(messages, timer)
        return completion, messages, fit.took(messages)

    async def _compose_with_llm(
        self,
        thread: Thread,
        reading: ThreadReading,
        context: CheckContext,
        timer: _Timer,
        profile: TenantProfile = DEFAULT_PROFILE,
        incidents: list[LLMIncident] | None = None,
    ) -> DraftResult:
        incidents = incidents if incidents is not None else []
        prompted, messages = await self._cpu(thread, self._prepare, thread, reading, profile)
        completion, messages, fit = await self._first_answer(prompted, messages, timer, incidents)
        context = with_system_prompt(context, messages)
        return await self._finish_with_llm(prompted, context, timer, completion, incidents, fit)

    async def _finish_with_llm(
        self,
        prompted: _Prompted,
        context: CheckContext,
        timer: _Timer,
        completion: Completion,
        incidents: list[LLMIncident],
        fit: Fit,
    ) -> DraftResult:
        """Check and repair the first answer; re-ask with the findings while blocking ones remain.

        An answer cut at max_tokens (finish_reason ``length``) is asked again once for a shorter
        reply; cut again, it is kept with a `length` finding, so at best it needs review.
        """
        prompt_tokens = completion_tokens = 0
        usage_known = True
        estimated = False
        attempts = 1
        shortened = False
        base = context
        while True:
            if completion.prompt_tokens is None or completion.completion_tokens is None:
                usage_known = False
            else:
                prompt_tokens += completion.prompt_tokens
                completion_tokens += completion.completion_tokens
                estimated = estimated or completion.usage_estimated
            # The guardrails judge the text the customer would get: placeholders restored.
            # Never a stock acknowledgement in front of the model's text: a draft that does not
            # acknowledge the customer goes back with the finding (the loop below) instead.
            text, report, repaired = await self._cpu(
                prompted.thread,
                functools.partial(self._check_and_repair, stock_acknowledgement=False),
                prompted.restore(completion.text),
                context,
                timer,
            )
            cut_off = completion.finish_reason == "length"
            if cut_off and not shortened:
                shortened = True
                self._incident(incidents, "length", "reasked")
                instructions = [self._shorter_instruction()]
            elif unsendable(report) and attempts <= self._max_reasks:
                instructions = self.guardrails.reask_instructions(report)
            else:
                if cut_off:
                    self._incident(incidents, "length", "flagged")
                    report = _with_finding(report, _cut_off_finding())
                break
            # The draft goes back out: masked where the guardrails found secrets, redacted again.
            shown = prompted.redact(mask_sensitive(text, report))
            messages = await self._cpu(
                prompted.thread, self._render_reask, prompted, shown, instructions, fit
            )
            scaffolding = self.prompts.reask_message("", instructions)
            context = with_system_prompt(base, messages, scaffolding=(scaffolding,))
            attempts += 1
            completion = await self._ask(messages, timer)
        usage = (
            Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, estimated=estimated)
            if usage_known
            else None
        )
        return self._result(
            text,
            report,
            provider=Provider.openai,
            model=completion.model,
            attempts=attempts,
            usage=usage,
            incidents=incidents,
            repaired=repaired,
        )

    def _shorter_instruction(self) -> str:
        # About 0.6 words per token in English: ask for comfortably less than the limit.
        words = max(30, int(self._sampling.max_tokens * 0.45))
        return (
            "Your previous reply was cut off because it ran over the length limit. Write the whole "
            f"reply again, shorter: at most {words} words, from greeting to sign-off."
        )

    def _prepare(
        self, thread: Thread, reading: ThreadReading, profile: TenantProfile = DEFAULT_PROFILE
    ) -> tuple[_Prompted, list[ChatMessage]]:
        """The thread, its reading, and a redaction session for its prompt (when redaction is on);
        and the prompt at the default fit, which the first LLM call sends.

        Only what a prompt shows is redacted, at each render (the kept messages, the notes and the
        reading of the customer it quotes; see PromptBuilder): a thread at the size limits costs
        what the token budget costs, not what the thread holds. This first render also counts the
        values replaced, for the metrics. Without any, the session is dropped: its render is the
        text as it stands, the same as a render without redaction.
        """
        prompted = _Prompted(thread, reading, None, profile)
        if self._redactor is None:
            return prompted, self._render(prompted, self._fit())
        redaction = self._redactor.session()
        prompted = replace(prompted, redaction=redaction)
        messages = self._render(prompted, self._fit())
        if not redaction.counts:
            return replace(prompted, redaction=None), messages
        if self._metrics is not None:
            for kind, count in redaction.counts.items():
                self._metrics.redactions.labels(kind).inc(count)
        return prompted, messages

    def _render(self, prompted: _Prompted, fit: Fit) -> list[ChatMessage]:
        return self.prompts.render(
            prompted.thread,
            prompted.analysis,
            prompted.profile,
            fit=fit,
            redaction=prompted.redaction,
            notes=prompted.reading.notes,
        )

    def _render_reask(
        self, prompted: _Prompted, shown: str, instructions: list[str], fit: Fit
    ) -> list[ChatMessage]:
        return self.prompts.render_reask(
            prompted.thread,
            prompted.analysis,
            shown,
            instructions,
            prompted.profile,
            fit=fit,
            redaction=prompted.redaction,
            notes=prompted.reading.notes,
        )

    def _one_acknowledgement(
        self,
        text: str,
        report: GuardrailReport,
        composed: Composed,
        context: CheckContext,
        timer: _Timer,
    ) -> tuple[str, GuardrailReport]:
        """The repaired text without the composer's own acknowledgement when the repair put a stock
        one in front of it: "so sorry you went through this... what great news!" reads stitched.
        Kept only if the shorter text still acknowledges the customer (checked again, so the report
        is always the check of the returned text)."""
        ours = composed.acknowledgement
        if not ours or text.count(ours) != 1 or composed.text.count(ours) != 1:
            return text, report
        at = text.index(ours)
        end = at + len(ours)
        # Drop the sentence with one neighbouring space; in an SMS it follows "Hi Ana, stock. ".
        if end < len(text) and text[end] == " ":
            end += 1
        elif at > 0 and text[at - 1] == " ":
            at -= 1
        shorter = text[:at] + text[end:]
        checked, shorter_report, _ = self._check_and_repair(
            shorter, context, timer, stock_acknowledgement=False
        )
        if checked != shorter or (unsendable(shorter_report) and not unsendable(report)):
            return text, report
        return shorter, shorter_report

    def _check_and_repair(
        self, text: str, context: CheckContext, timer: _Timer, *, stock_acknowledgement: bool
    ) -> tuple[str, GuardrailReport, bool]:
        """The text after safe repairs, its report, and whether a repair changed it.

        The report is always the check of exactly the returned text (the invariant decide_status
        rests on: reply != null only when acknowledgement passed on that very text)."""
        began = time.perf_counter()
        # Bidi controls and other invisible characters (copied from the thread, or written by the
        # model) never reach a reply: they can reorder or hide what the customer reads.
        text = strip_invisible(text)
        report = self.guardrails.check(text, context)
        repaired = False
        if report.verdict is not Verdict.pass_ or report.fired(ACKNOWLEDGEMENT):
            # Safe span fixes (a shouted run; a missing acknowledgement for the composer's own text
            # only); the report that comes back is the check of the text that comes back.
            fixed, report = self.guardrails.repair_and_check(
                text, report, context, stock_acknowledgement=stock_acknowledgement
            )
            repaired, text = fixed != text, fixed
        timer.add("guard", began)
        return text, report, repaired

    def _result(
        self,
        text: str,
        report: GuardrailReport,
        *,
        provider: Provider,
        model: str,
        attempts: int,
        usage: Usage | None,
        incidents: list[LLMIncident] | None = None,
        repaired: bool = False,
    ) -> DraftResult:
        status = decide_status(report, provider=provider, repaired=repaired)
        sendable = status is not DraftStatus.blocked
        return DraftResult(
            id=f"drf_{uuid.uuid4().hex}",
            status=status,
            reply=text if sendable else None,
            # Never in clear at rest: cached, stored in job records and answered with its secrets masked.
            rejected_draft=None if sendable else mask_at_rest(text, report),
            guardrails=report,
            provider=provider,
            model=model,
            prompt_version=self.prompts.version,
            attempts=attempts,
            cached=False,
            usage=usage,
            llm_incidents=list(incidents or []),
        )
