"""The settings of each concern but the integrations (service/config/integrations.py).

Every field keeps the variable it had when settings were flat: ``env_prefix`` + the field name,
or the name its :class:`Env` marker gives. Descriptions are the generated docs' text.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr

from service.config.env import Env, Section
from service.config.paths import REPO_ROOT, packaged_prompts_dir
from service.models import Severity


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _split_pairs(value: object) -> object:
    if isinstance(value, str):
        pairs = [part.split("=", 1) for part in value.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError("expected rule=severity pairs separated by commas")
        return {rule.strip(): severity.strip() for rule, severity in pairs}
    return value


def _header_safe(value: str) -> str:
    # These go into response headers (the CSP for frame-ancestors): a `;` would add directives.
    if any(char in value for char in ";,\r\n") or " " in value.strip():
        raise ValueError("each entry must be a single origin or keyword, without spaces or ';'")
    return value


CommaList = Annotated[list[str], BeforeValidator(_split_commas)]
HeaderValue = Annotated[str, AfterValidator(_header_safe)]
HeaderList = Annotated[list[HeaderValue], BeforeValidator(_split_commas)]


class ProviderChoice(StrEnum):
    auto = "auto"  # openai when an endpoint or key is configured, else offline
    openai = "openai"
    offline = "offline"


class LlmSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_LLM_"

    provider: ProviderChoice = Field(
        ProviderChoice.auto, description="`auto`, `openai` or `offline` (the deterministic composer)."
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama."
    )
    api_key: Annotated[SecretStr | None, Env("TACTFUL_LLM_API_KEY", "OPENAI_API_KEY")] = Field(
        None, description="API key for the endpoint; falls back to OPENAI_API_KEY."
    )
    model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    temperature: float = Field(0.4, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(700, ge=16, le=8_192, description="Upper bound on completion tokens.")
    timeout_s: float = Field(30.0, gt=0, description="Timeout of one LLM HTTP call, in seconds.")
    max_attempts: int = Field(4, ge=1, le=10, description="LLM calls per draft attempt, retries included.")
    deadline_s: float = Field(
        45.0, gt=0, description="Total time budget for one LLM completion, retries and waits included."
    )
    first_token_timeout_s: float = Field(
        15.0,
        gt=0,
        description="Longest wait for the first token of an LLM answer (the server's queue and prompt "
        "processing), in seconds; a slower attempt is abandoned and its connection closed.",
    )
    context_tokens: int = Field(
        8_192,
        ge=512,
        description="The model's context window in tokens, as the server runs it (llama.cpp `-c`/`--n_ctx`, "
        "Ollama `num_ctx`, vLLM `--max-model-len`). The prompt is cut to fit it with the completion "
        "(LLM_MAX_TOKENS) and a margin; see docs/llm-endpoints.md.",
    )
    max_concurrency: int = Field(
        4,
        ge=1,
        le=1_000,
        description="LLM calls one Tactful process has open at once; more wait (within the deadline). "
        "Size it to the server's parallel slots divided by Tactful processes: 1 for llama-cpp-python, "
        "OLLAMA_NUM_PARALLEL for Ollama; hosted APIs take 50 or more.",
    )
    fallback_offline: bool = Field(
        True, description="When the LLM stays down, answer with the offline composer instead of 503."
    )


class BreakerSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_BREAKER_"

    failure_threshold: int = Field(
        5, ge=1, description="Consecutive LLM failures (shared through Redis) that open the breaker."
    )
    reset_s: float = Field(30.0, gt=0, description="Seconds the breaker stays open before a probe.")


class DraftingSettings(Section):
    prompts_dir: Path = Field(
        default_factory=packaged_prompts_dir,
        description="Folder of prompt templates (default: the ones the package carries).",
    )
    prompt_token_budget: int = Field(
        6_000, ge=500, description="Estimated tokens of thread context kept in the prompt (newest first)."
    )
    redact_pii: bool = Field(
        True,
        description="Replace e-mails, phones, card numbers, IBANs, API keys and passwords in ticket text "
        "with placeholders before the prompt leaves the process; the draft gets the values back.",
    )


class TenantSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_TENANTS_"

    dir: Path | None = Field(
        None,
        description="Folder of tenant profiles (one YAML file per tenant, `default.yaml` for the rest; "
        "docs/tenants.md). Unset: one built-in default profile.",
    )


class GuardSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_GUARD_"

    max_reasks: int = Field(
        2, ge=0, le=5, description="Times the LLM is re-asked with the findings when a draft is blocked."
    )
    allowed_link_domains: Annotated[CommaList, Env("TACTFUL_ALLOWED_LINK_DOMAINS")] = Field(
        default_factory=list,
        description="Comma-separated domains a reply may link to besides those in the thread (the "
        "company's own, e.g. acme.com,help.acme.com; subdomains included), for tenants whose profile "
        "lists no `link_domains` of its own (docs/tenants.md). A link to any other host is an "
        "`unsafe-content` warning.",
    )
    severities: Annotated[dict[str, Severity], BeforeValidator(_split_pairs)] = Field(
        default_factory=dict,
        description=(
            "Per-rule severity overrides, e.g. `length=info,signature=block` (block, warn or info). "
            "The acknowledgement rule always guards `reply`, whatever its severity."
        ),
    )


class RedisSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_REDIS_"

    url: str | None = Field(
        None,
        description="Redis URL, or `redis+sentinel://host:port[,host:port]/service[/db]` for Sentinel. "
        "Unset: `tactful serve` starts an embedded redis-server.",
    )
    replicas_ack: int = Field(
        0,
        ge=0,
        le=16,
        description="Replicas that must hold an accepted webhook job before its 202 (Redis WAIT). "
        "Set 1 with Sentinel, so a failover loses no accepted job.",
    )
    replica_wait_ms: int = Field(
        200,
        ge=1,
        le=400,
        description="How long a webhook waits for those replicas before its 503 (below Redis's 0.5 s "
        "socket timeout).",
    )
    data_dir: Annotated[Path, Env("TACTFUL_DATA_DIR")] = Field(
        Path(".tactful"), description="Where the embedded Redis keeps its append-only file."
    )


class CacheSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_CACHE_"

    ttl_s: int = Field(86_400, ge=0, description="Lifetime of a cached draft; 0 disables the cache.")
    single_flight_wait_s: Annotated[float, Env("TACTFUL_SINGLE_FLIGHT_WAIT_S")] = Field(
        90.0, gt=0, description="Longest a request waits for an identical request's draft in flight."
    )


class ServerSettings(Section):
    host: str = Field("127.0.0.1", description="Bind address of `tactful serve`.")
    port: int = Field(8000, ge=1, le=65_535, description="Port of `tactful serve`.")
    api_workers: int = Field(
        0,
        ge=0,
        le=64,
        description="API processes `tactful serve` runs on one port; 0: one per core. /metrics reports "
        "the sum over them (docs/scaling.md).",
    )
    log_level: str = Field("INFO", description="Log level of the JSON logs.")
    shutdown_grace_s: float = Field(
        30.0, gt=0, description="On SIGTERM, how long `tactful serve` lets in-flight requests finish."
    )
    shutdown_drain_s: float = Field(
        0.0,
        ge=0,
        description="On SIGTERM, seconds to keep serving with /health/ready answering 503 before the "
        "graceful shutdown, so a load balancer stops sending first. 0: shut down at once.",
    )


class AuthSettings(Section):
    api_keys: Annotated[list[SecretStr], BeforeValidator(_split_commas)] = Field(
        default_factory=list,
        description="Comma-separated API keys for /v1/*. Unset: no auth (local runs only).",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="A token for /metrics (`Authorization: Bearer <token>`), e.g. for a Prometheus scraper "
        "that holds no API key. /metrics also accepts any API key; it is open only when neither is set.",
    )


class LimitSettings(Section):
    max_body_bytes: int = Field(1_048_576, ge=1_024, description="Largest request body; 413 beyond.")
    max_header_bytes: int = Field(
        16_384, ge=1_024, description="Largest single request header (name and value), in bytes; 431 beyond."
    )
    max_headers_bytes: int = Field(
        65_536,
        ge=4_096,
        description="Largest request head (request line and every header), in bytes; 431 beyond.",
    )
    max_headers: int = Field(100, ge=10, description="Most headers in one request; 431 beyond.")
    header_timeout_s: float = Field(
        10.0,
        gt=0,
        description="Longest a client may take to send a request's head (line and headers); 408 and the "
        "connection is closed beyond (slow senders). A connection that sends nothing is closed after it too.",
    )
    max_messages: int = Field(500, ge=1, description="Most messages in one thread; 422 beyond.")
    max_message_chars: int = Field(100_000, ge=100, description="Longest message body; 422 beyond.")
    max_check_chars: int = Field(
        20_000,
        ge=100,
        description="Longest text /v1/guardrails/check and `tactful check` accept, in characters; 422 "
        "beyond (a reply is rarely over 5,000).",
    )


class FeedbackSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_FEEDBACK_"

    retention_days: int = Field(
        30,
        ge=1,
        le=3_650,
        description="How long draft ids stay resolvable for feedback, and how long feedback, its "
        "sealed texts and its daily figures are kept.",
    )
    key: SecretStr | None = Field(
        None,
        description="Fernet key(s), comma-separated (the first encrypts): final texts are kept redacted "
        "and encrypted with it. Unset: only distances and counts are kept.",
    )


class RateLimitSettings(Section):
    """Sliding windows, shared through Redis by every process."""

    env_prefix: ClassVar[str] = "TACTFUL_RATE_LIMIT_"

    window_s: int = Field(60, ge=1, le=86_400, description="Length of the rate-limit window.")
    api: int = Field(
        600,
        ge=0,
        description="Requests per window to /v1/* per API key (per client address without keys); "
        "0 turns the limit off.",
    )
    webhooks: int = Field(
        1_200, ge=0, description="Deliveries per window per webhook source; 0 turns the limit off."
    )


class BrowserSettings(Section):
    """The agent page, CORS and security headers."""

    samples_dir: Path = Field(
        REPO_ROOT / "seeds" / "threads",
        description="Sample threads offered by the agent page's picker; a missing folder offers none.",
    )
    cors_allow_origins: HeaderList = Field(
        default_factory=list,
        description="Comma-separated origins whose pages may call the API from a browser (CORS), e.g. "
        "https://acme.zendesk.com. Empty: no CORS headers (the agent page itself needs none).",
    )
    frame_ancestors: HeaderList = Field(
        default_factory=lambda: ["'self'"],
        description="Comma-separated CSP frame-ancestors: who may embed the agent page in a frame, e.g. "
        "'self',https://app.chatwoot.com. `'none'` forbids framing.",
    )
    security_headers: bool = Field(
        True,
        description="Send Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and "
        "Permissions-Policy on every response. Turn off only if a reverse proxy sets them.",
    )
    referrer_policy: HeaderValue = Field("no-referrer", description="The Referrer-Policy header.")
    hsts_max_age_s: int = Field(
        0, ge=0, description="Strict-Transport-Security max-age when served over HTTPS; 0 sends none."
    )


class WebhookSettings(Section):
    """Inbound deliveries; each source's secret is in its integration's settings."""

    env_prefix: ClassVar[str] = "TACTFUL_WEBHOOK_"

    replay_window_s: int = Field(
        300, ge=10, description="Signed timestamps older or newer than this are rejected (replays)."
    )
    idempotency_ttl_s: int = Field(
        259_200, ge=60, description="How long a delivery/message id is remembered to drop duplicates."
    )


class JobSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_JOB_"

    timeout_s: int = Field(300, ge=5, description="Longest one job attempt may run before it is retried.")
    heartbeat_s: int = Field(
        30, ge=2, description="A running job silent this long (its worker died) is handed to another worker."
    )
    max_attempts: int = Field(5, ge=1, le=50, description="Attempts per job before it is dead-lettered.")
    retry_delay_s: float = Field(
        5.0, ge=0, description="First retry delay; doubles per attempt (with jitter)."
    )
    retry_max_delay_s: float = Field(300.0, ge=0, description="Upper bound of the retry delay.")
    result_ttl_s: int = Field(
        604_800, ge=60, description="How long a finished job (and its draft) stays readable at /v1/jobs/{id}."
    )


class WorkerSettings(Section):
    env_prefix: ClassVar[str] = "TACTFUL_WORKER_"

    concurrency: int = Field(20, ge=1, le=1_000, description="Jobs one `tactful worker` runs at once.")
    sweep_s: int = Field(
        5, ge=1, description="How often workers look for jobs whose worker stopped heart-beating."
    )


class DeliverySettings(Section):
    """Calls back to the helpdesks; their hosts come from the integrations' settings only."""

    env_prefix: ClassVar[str] = "TACTFUL_DELIVERY_"

    timeout_s: float = Field(15.0, gt=0, description="Timeout of one helpdesk API call, in seconds.")
