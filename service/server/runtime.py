"""The long-lived parts of a running service, built once at start-up and closed at shutdown.

Lifespan owns the Redis client and the AsyncOpenAI client; everything that loads data files
(prompt templates, guardrail lexicons) does so here, never on a request.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog
from openai import AsyncOpenAI

from service.config import Settings
from service.drafting.cache import DraftCache
from service.drafting.pipeline import DraftPipeline, Sampling
from service.drafting.prompts import ContextWindow, PromptBuilder
from service.drafting.redaction import Redactor
from service.feedback import FeedbackStore, Sealer
from service.guardrails import Guardrails, load_guardrails
from service.infra.autopipeline import PipeliningRedis
from service.infra.limits import ThreadLimits
from service.infra.metrics import Metrics
from service.infra.ratelimit import RateLimiter
from service.infra.redis_conn import connect_redis
from service.jobs import Idempotency, WebhookQueue
from service.llm.breaker import CircuitBreaker
from service.llm.limiter import EndpointLimiter
from service.llm.models_check import ModelCheck
from service.llm.openai_client import OpenAICompatibleClient, make_async_openai
from service.llm.tokens import TokenEstimator
from service.models import Provider
from service.tenancy import Tenants

log = structlog.get_logger("tactful.runtime")


@dataclass
class Runtime:
    settings: Settings
    redis: aioredis.Redis | None
    openai: AsyncOpenAI | None
    prompts: PromptBuilder
    guardrails: Guardrails
    pipeline: DraftPipeline
    metrics: Metrics
    limits: ThreadLimits
    breaker: CircuitBreaker | None = None
    limiter: EndpointLimiter | None = None
    estimator: TokenEstimator | None = None
    model_check: ModelCheck | None = None
    rate_limiter: RateLimiter | None = None
    draining: bool = False  # set on SIGTERM during the drain period (service/server/serving.py)
    queue: WebhookQueue | None = None  # webhook jobs; None without Redis
    idempotency: Idempotency | None = None
    feedback: FeedbackStore | None = None  # None without Redis

    async def start(self) -> None:
        """Start-up work that needs the event loop: learned token ratio, the model-name check."""
        if self.estimator is not None:
            await self.estimator.load()
        if self.model_check is not None:
            self.model_check.start()

    async def close(self) -> None:
        if self.model_check is not None:
            await self.model_check.stop()
        if self.openai is not None:
            await self.openai.close()
        if self.redis is not None:
            await self.redis.aclose()


# While the shared breaker is closed and clean, each process re-reads it at most this often
# (see CircuitBreaker): a Redis round trip saved on nearly every LLM call.
BREAKER_CLOSED_LEASE_S = 0.25


def build_runtime(settings: Settings) -> Runtime:
    redis = connect_redis(settings.redis.url) if settings.redis.url else None
    prompts = PromptBuilder(settings.drafting.prompts_dir, settings.drafting.prompt_token_budget)
    # A missing or invalid profile stops start-up here, naming the file and the field.
    tenants = Tenants.load(settings.tenants.dir)
    guardrails = load_guardrails(settings.guard.severities)
    openai_client: AsyncOpenAI | None = None
    llm: OpenAICompatibleClient | None = None
    breaker: CircuitBreaker | None = None
    limiter: EndpointLimiter | None = None
    estimator: TokenEstimator | None = None
    model_check: ModelCheck | None = None
    metrics = Metrics()
    if settings.provider is Provider.openai:
        api_key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else None
        openai_client = make_async_openai(settings.llm.base_url, api_key, settings.llm.timeout_s)
        limiter = EndpointLimiter(settings.llm.max_concurrency, on_wait=metrics.observe_slot_wait)
        estimator = TokenEstimator(settings.llm.model, redis)
        # Never while our own calls are open: on llama-cpp-python the list interrupts them.
        model_check = ModelCheck(openai_client, settings.llm.model, busy=limiter.busy)
        breaker = (
            CircuitBreaker(
                redis,
                name="llm",
                failure_threshold=settings.breaker.failure_threshold,
                reset_s=settings.breaker.reset_s,
                closed_lease_s=BREAKER_CLOSED_LEASE_S,
            )
            if redis is not None
            else None
        )
        llm = OpenAICompatibleClient(
            openai_client,
            breaker,
            max_attempts=settings.llm.max_attempts,
            deadline_s=settings.llm.deadline_s,
            timeout_s=settings.llm.timeout_s,
            first_token_timeout_s=settings.llm.first_token_timeout_s,
            limiter=limiter,
            estimator=estimator,
        )
    redactor = Redactor.load() if settings.drafting.redact_pii else None
    cache = DraftCache(redis, ttl_s=settings.cache.ttl_s, wait_s=settings.cache.single_flight_wait_s)
    pipeline = DraftPipeline(
        provider=settings.provider,
        prompts=prompts,
        guardrails=guardrails,
        llm=llm,
        cache=cache,
        sampling=Sampling(settings.llm.model, settings.llm.temperature, settings.llm.max_tokens),
        window=ContextWindow(settings.llm.context_tokens, settings.llm.max_tokens),
        estimator=estimator,
        max_reasks=settings.guard.max_reasks,
        fallback_offline=settings.llm.fallback_offline,
        redactor=redactor,
        metrics=metrics,
        tenants=tenants,
        allowed_domains=tuple(settings.guard.allowed_link_domains),
    )
    log.info(
        "runtime.ready",
        provider=settings.provider,
        redis=redis is not None,
        prompt_version=prompts.version,
        ruleset_version=guardrails.version,
        auth=bool(settings.auth.api_keys),
        redact_pii=settings.drafting.redact_pii,
    )
    return Runtime(
        settings=settings,
        redis=redis,
        openai=openai_client,
        prompts=prompts,
        guardrails=guardrails,
        pipeline=pipeline,
        metrics=metrics,
        limits=ThreadLimits(settings.limits.max_messages, settings.limits.max_message_chars),
        breaker=breaker,
        limiter=limiter,
        estimator=estimator,
        model_check=model_check,
        rate_limiter=RateLimiter(redis) if redis is not None else None,
        queue=(
            WebhookQueue(
                # Script calls of concurrent deliveries (claim, SAQ's enqueue) share pipelines.
                PipeliningRedis.sharing(redis),
                replicas_ack=settings.redis.replicas_ack,
                replica_wait_ms=settings.redis.replica_wait_ms,
            )
            if redis is not None
            else None
        ),
        idempotency=Idempotency(redis) if redis is not None else None,
        feedback=build_feedback(settings, redis, redactor),
    )


def build_feedback(
    settings: Settings, redis: aioredis.Redis | None, redactor: Redactor | None
) -> FeedbackStore | None:
    if redis is None:
        return None
    key = settings.feedback.key.get_secret_value() if settings.feedback.key else None
    return FeedbackStore(
        redis,
        retention_s=settings.feedback.retention_days * 86_400,
        text_ttl_s=settings.cache.ttl_s,
        # A bad key fails start-up (FeedbackKeyError), not the first feedback.
        sealer=Sealer.from_setting(key),
        redactor=redactor,
    )
