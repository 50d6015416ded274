"""Settings: every knob of the service, read from the environment (prefix ``TACTFUL_``) and ``.env``.

Secrets come from the environment (or a local ``.env`` file); they are ``SecretStr`` so that a
stray ``repr`` or log line never shows them. ``docs/configuration.md`` lists every field; a test
keeps the two in step.
"""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.models import Provider, Severity

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent


def packaged_prompts_dir() -> Path:
    """The templates an installed wheel carries (setup.py maps prompts/ to service/prompts), or the
    repository's own prompts/ in a source checkout or an editable install."""
    installed = PACKAGE_ROOT / "prompts"
    return installed if (installed / "system.j2").is_file() else REPO_ROOT / "prompts"


# --- Webhook secrets as keys ---------------------------------------------------------------------
# A secret that is set but empty, or that decodes to fewer than MIN_SECRET_BYTES bytes, would enable
# a source with a key anyone can guess: settings refuse it at start-up, naming the variable.
# Standard Webhooks secrets (the generic source and the callbacks) are base64 with an optional
# `whsec_` prefix, decoded the way the specification's reference libraries do it (the prefix is
# dropped when present, the rest base64-decoded); text that is not base64 is refused rather than
# used as bytes. The verifying side is service/integrations/signatures.py.

STANDARD_PREFIX = "whsec_"
MIN_SECRET_BYTES = 16
# Settings (field names) whose secret is a Standard Webhooks secret; every other webhook secret is
# used as its UTF-8 bytes, as its helpdesk does.
STANDARD_SECRETS = frozenset({"webhook_secret_generic", "callback_secret"})


class WeakSecret(ValueError):
    """A webhook secret that is empty, too short or not decodable."""


def standard_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: ``whsec_`` dropped if present, then base64."""
    encoded = secret.removeprefix(STANDARD_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise WeakSecret("a Standard Webhooks secret must be base64 (optionally after whsec_)") from None


def secret_key(field: str, secret: str) -> bytes:
    """The HMAC key (or shared token) that the secret of setting ``field`` stands for."""
    return standard_key(secret) if field in STANDARD_SECRETS else secret.encode()


def check_secret(field: str, secret: str) -> None:
    """Raise :class:`WeakSecret` naming the variable when the secret is unusable."""
    variable = "TACTFUL_" + field.upper()
    try:
        key = secret_key(field, secret)
    except WeakSecret as exc:
        raise WeakSecret(f"{variable}: {exc}") from None
    if len(key) < MIN_SECRET_BYTES:
        what = "is empty" if not key else f"has {len(key)} bytes"
        decoded = " after base64 decoding" if field in STANDARD_SECRETS and key else ""
        raise WeakSecret(
            f"{variable} {what}{decoded}; a webhook secret needs at least {MIN_SECRET_BYTES} bytes "
            "(unset the variable to disable the source)"
        )


class ProviderChoice(StrEnum):
    auto = "auto"  # openai when an endpoint or key is configured, else offline
    openai = "openai"
    offline = "offline"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TACTFUL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- LLM -------------------------------------------------------------------------------
    llm_provider: ProviderChoice = Field(
        ProviderChoice.auto, description="`auto`, `openai` or `offline` (the deterministic composer)."
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama."
    )
    llm_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("TACTFUL_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint; falls back to OPENAI_API_KEY.",
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_temperature: float = Field(0.4, ge=0, le=2, description="Sampling temperature.")
    llm_max_tokens: int = Field(700, ge=16, le=8_192, description="Upper bound on completion tokens.")
    llm_timeout_s: float = Field(30.0, gt=0, description="Timeout of one LLM HTTP call, in seconds.")
    llm_max_attempts: int = Field(
        4, ge=1, le=10, description="LLM calls per draft attempt, retries included."
    )
    llm_deadline_s: float = Field(
        45.0, gt=0, description="Total time budget for one LLM completion, retries and waits included."
    )
    llm_first_token_timeout_s: float = Field(
        15.0,
        gt=0,
        description="Longest wait for the first token of an LLM answer (the server's queue and prompt "
        "processing), in seconds; a slower attempt is abandoned and its connection closed.",
    )
    llm_context_tokens: int = Field(
        8_192,
        ge=512,
        description="The model's context window in tokens, as the server runs it (llama.cpp `-c`/`--n_ctx`, "
        "Ollama `num_ctx`, vLLM `--max-model-len`). The prompt is cut to fit it with the completion "
        "(LLM_MAX_TOKENS) and a margin; see docs/llm-endpoints.md.",
    )
    llm_max_concurrency: int = Field(
        4,
        ge=1,
        le=1_000,
        description="LLM calls one Tactful process has open at once; more wait (within the deadline). "
        "Size it to the server's parallel slots divided by Tactful processes: 1 for llama-cpp-python, "
        "OLLAMA_NUM_PARALLEL for Ollama; hosted APIs take 50 or more.",
    )
    llm_fallback_offline: bool = Field(
        True, description="When the LLM stays down, answer with the offline composer instead of 503."
    )
    breaker_failure_threshold: int = Field(
        5, ge=1, description="Consecutive LLM failures (shared through Redis) that open the breaker."
    )
    breaker_reset_s: float = Field(30.0, gt=0, description="Seconds the breaker stays open before a probe.")

    # --- Drafting ---------------------------------------------------------------------------
    prompts_dir: Path = Field(
        default_factory=packaged_prompts_dir,
        description="Folder of prompt templates (default: the ones the package carries).",
    )
    prompt_token_budget: int = Field(
        6_000, ge=500, description="Estimated tokens of thread context kept in the prompt (newest first)."
    )
    tenants_dir: Path | None = Field(
        None,
        description="Folder of tenant profiles (one YAML file per tenant, `default.yaml` for the rest; "
        "docs/tenants.md). Unset: one built-in default profile.",
    )
    guard_max_reasks: int = Field(
        2, ge=0, le=5, description="Times the LLM is re-asked with the findings when a draft is blocked."
    )
    allowed_link_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated domains a reply may link to besides those in the thread (the "
        "company's own, e.g. acme.com,help.acme.com; subdomains included), for tenants whose profile "
        "lists no `link_domains` of its own (docs/tenants.md). A link to any other host is an "
        "`unsafe-content` warning.",
    )
    redact_pii: bool = Field(
        True,
        description="Replace e-mails, phones, card numbers, IBANs, API keys and passwords in ticket text "
        "with placeholders before the prompt leaves the process; the draft gets the values back.",
    )
    guard_severities: Annotated[dict[str, Severity], NoDecode] = Field(
        default_factory=dict,
        description=(
            "Per-rule severity overrides, e.g. `length=info,signature=block` (block, warn or info). "
            "The acknowledgement rule always guards `reply`, whatever its severity."
        ),
    )

    # --- Redis and cache ------------------------------------------------------------------
    redis_url: str | None = Field(
        None,
        description="Redis URL, or `redis+sentinel://host:port[,host:port]/service[/db]` for Sentinel. "
        "Unset: `tactful serve` starts an embedded redis-server.",
    )
    redis_replicas_ack: int = Field(
        0,
        ge=0,
        le=16,
        description="Replicas that must hold an accepted webhook job before its 202 (Redis WAIT). "
        "Set 1 with Sentinel, so a failover loses no accepted job.",
    )
    redis_replica_wait_ms: int = Field(
        200,
        ge=1,
        le=400,
        description="How long a webhook waits for those replicas before its 503 (below Redis's 0.5 s "
        "socket timeout).",
    )
    data_dir: Path = Field(
        Path(".tactful"), description="Where the embedded Redis keeps its append-only file."
    )
    cache_ttl_s: int = Field(86_400, ge=0, description="Lifetime of a cached draft; 0 disables the cache.")
    single_flight_wait_s: float = Field(
        90.0, gt=0, description="Longest a request waits for an identical request's draft in flight."
    )

    # --- HTTP -------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Bind address of `tactful serve`.")
    port: int = Field(8000, ge=1, le=65_535, description="Port of `tactful serve`.")
    api_workers: int = Field(
        0,
        ge=0,
        le=64,
        description="API processes `tactful serve` runs on one port; 0: one per core. Each has its own "
        "/metrics registry.",
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated API keys for /v1/*. Unset: no auth (local runs only).",
    )
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
    metrics_token: SecretStr | None = Field(
        None,
        description="A token for /metrics (`Authorization: Bearer <token>`), e.g. for a Prometheus scraper "
        "that holds no API key. /metrics also accepts any API key; it is open only when neither is set.",
    )

    # --- Feedback (docs/feedback.md) --------------------------------------------------------
    feedback_retention_days: int = Field(
        30,
        ge=1,
        le=3_650,
        description="How long draft ids stay resolvable for feedback, and how long feedback, its "
        "sealed texts and its daily figures are kept.",
    )
    feedback_key: SecretStr | None = Field(
        None,
        description="Fernet key(s), comma-separated (the first encrypts): final texts are kept redacted "
        "and encrypted with it. Unset: only distances and counts are kept.",
    )

    # --- Rate limits (sliding window, shared through Redis by every process) ---------------
    rate_limit_window_s: int = Field(60, ge=1, le=86_400, description="Length of the rate-limit window.")
    rate_limit_api: int = Field(
        600,
        ge=0,
        description="Requests per window to /v1/* per API key (per client address without keys); "
        "0 turns the limit off.",
    )
    rate_limit_webhooks: int = Field(
        1_200, ge=0, description="Deliveries per window per webhook source; 0 turns the limit off."
    )

    # --- Browser: the agent page, CORS and security headers -----------------------------------
    samples_dir: Path = Field(
        REPO_ROOT / "seeds" / "threads",
        description="Sample threads offered by the agent page's picker; a missing folder offers none.",
    )
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins whose pages may call the API from a browser (CORS), e.g. "
        "https://acme.zendesk.com. Empty: no CORS headers (the agent page itself needs none).",
    )
    frame_ancestors: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["'self'"],
        description="Comma-separated CSP frame-ancestors: who may embed the agent page in a frame, e.g. "
        "'self',https://app.chatwoot.com. `'none'` forbids framing.",
    )
    security_headers: bool = Field(
        True,
        description="Send Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and "
        "Permissions-Policy on every response. Turn off only if a reverse proxy sets them.",
    )
    referrer_policy: str = Field("no-referrer", description="The Referrer-Policy header.")
    hsts_max_age_s: int = Field(
        0, ge=0, description="Strict-Transport-Security max-age when served over HTTPS; 0 sends none."
    )

    @field_validator("guard_severities", mode="before")
    @classmethod
    def _split_severities(cls, value: object) -> object:
        if isinstance(value, str):
            pairs = [part.split("=", 1) for part in value.split(",") if part.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("expected rule=severity pairs separated by commas")
            return {rule.strip(): severity.strip() for rule, severity in pairs}
        return value

    # --- Webhooks (inbound) ------------------------------------------------------------------
    webhook_secret_chatwoot: SecretStr | None = Field(
        None, description="Chatwoot webhook secret (HMAC-SHA256 of `timestamp.body`)."
    )
    webhook_secret_zendesk: SecretStr | None = Field(None, description="Zendesk webhook signing secret.")
    webhook_secret_zammad: SecretStr | None = Field(
        None, description="Zammad webhook HMAC token (X-Hub-Signature, SHA1)."
    )
    webhook_secret_front: SecretStr | None = Field(None, description="Front application signing key.")
    webhook_secret_intercom: SecretStr | None = Field(
        None, description="Intercom app client secret (X-Hub-Signature, SHA1)."
    )
    webhook_secret_helpscout: SecretStr | None = Field(None, description="Help Scout webhook secret key.")
    webhook_secret_freescout: SecretStr | None = Field(
        None, description="FreeScout webhook secret (API & Webhooks module)."
    )
    webhook_secret_freshdesk: SecretStr | None = Field(
        None, description="Freshdesk: the shared token sent in the X-Tactful-Token header (unsigned)."
    )
    webhook_secret_generic: SecretStr | None = Field(
        None,
        description="Standard Webhooks secret of the generic source: base64, optionally after `whsec_` "
        "(decoded as the reference libraries do).",
    )
    webhook_replay_window_s: int = Field(
        300, ge=10, description="Signed timestamps older or newer than this are rejected (replays)."
    )
    webhook_idempotency_ttl_s: int = Field(
        259_200, ge=60, description="How long a delivery/message id is remembered to drop duplicates."
    )

    # --- Webhook jobs and workers ---------------------------------------------------------
    job_timeout_s: int = Field(300, ge=5, description="Longest one job attempt may run before it is retried.")
    job_heartbeat_s: int = Field(
        30, ge=2, description="A running job silent this long (its worker died) is handed to another worker."
    )
    job_max_attempts: int = Field(5, ge=1, le=50, description="Attempts per job before it is dead-lettered.")
    job_retry_delay_s: float = Field(
        5.0, ge=0, description="First retry delay; doubles per attempt (with jitter)."
    )
    job_retry_max_delay_s: float = Field(300.0, ge=0, description="Upper bound of the retry delay.")
    job_result_ttl_s: int = Field(
        604_800, ge=60, description="How long a finished job (and its draft) stays readable at /v1/jobs/{id}."
    )
    worker_concurrency: int = Field(20, ge=1, le=1_000, description="Jobs one `tactful worker` runs at once.")
    worker_sweep_s: int = Field(
        5, ge=1, description="How often workers look for jobs whose worker stopped heart-beating."
    )

    # --- Delivery back to the helpdesks (outbound hosts come from here only) ---------------
    delivery_timeout_s: float = Field(15.0, gt=0, description="Timeout of one helpdesk API call, in seconds.")
    chatwoot_base_url: str | None = Field(None, description="Chatwoot URL, e.g. https://chat.example.com.")
    chatwoot_api_token: SecretStr | None = Field(
        None, description="Chatwoot agent or bot access token (api_access_token)."
    )
    zendesk_base_url: str | None = Field(None, description="Zendesk URL, e.g. https://acme.zendesk.com.")
    zendesk_email: str | None = Field(None, description="Zendesk agent email the API token belongs to.")
    zendesk_api_token: SecretStr | None = Field(None, description="Zendesk API token.")
    zammad_base_url: str | None = Field(None, description="Zammad URL, e.g. https://support.example.com.")
    zammad_api_token: SecretStr | None = Field(None, description="Zammad access token (ticket.agent).")
    front_base_url: str = Field("https://api2.frontapp.com", description="Front API URL.")
    front_api_token: SecretStr | None = Field(None, description="Front API token.")
    front_channel_id: str | None = Field(
        None, description="Front channel drafts are written in (optional: Front picks the conversation's)."
    )
    intercom_base_url: str = Field("https://api.intercom.io", description="Intercom API URL (regional).")
    intercom_access_token: SecretStr | None = Field(None, description="Intercom access token.")
    intercom_admin_id: str | None = Field(None, description="Intercom admin id the notes are written as.")
    helpscout_base_url: str = Field("https://api.helpscout.net", description="Help Scout API URL.")
    helpscout_app_id: str | None = Field(None, description="Help Scout OAuth app id (client credentials).")
    helpscout_app_secret: SecretStr | None = Field(None, description="Help Scout OAuth app secret.")
    freescout_base_url: str | None = Field(None, description="FreeScout URL, e.g. https://help.example.com.")
    freescout_api_key: SecretStr | None = Field(
        None, description="FreeScout API key (API & Webhooks module)."
    )
    freescout_user_id: int | None = Field(None, description="FreeScout user the drafts are written as.")
    freshdesk_base_url: str | None = Field(
        None, description="Freshdesk URL, e.g. https://acme.freshdesk.com."
    )
    freshdesk_api_key: SecretStr | None = Field(None, description="Freshdesk API key.")
    callback_url: str | None = Field(
        None, description="Where Standard-Webhooks-signed `draft.created` callbacks are POSTed."
    )
    callback_secret: SecretStr | None = Field(
        None,
        description="Signing secret of the callbacks: base64, optionally after `whsec_` (Standard Webhooks).",
    )
    callback_all_sources: bool = Field(
        False, description="Also send the callback for helpdesk sources, not only for `generic`."
    )

    @field_validator(
        "api_keys", "cors_allow_origins", "frame_ancestors", "allowed_link_domains", mode="before"
    )
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("frame_ancestors", "cors_allow_origins", "referrer_policy")
    @classmethod
    def _no_header_breaks(cls, value: object) -> object:
        # These go into response headers (the CSP for frame-ancestors): a `;` would add directives.
        for part in value if isinstance(value, list) else [value]:
            if any(char in str(part) for char in ";,\r\n") or " " in str(part).strip():
                raise ValueError("each entry must be a single origin or keyword, without spaces or ';'")
        return value

    @model_validator(mode="after")
    def _strong_webhook_secrets(self) -> Settings:
        # A set-but-empty or short secret would enable a source anyone can sign for: refuse to start.
        for name in type(self).model_fields:
            if name.startswith("webhook_secret_") or name == "callback_secret":
                value = getattr(self, name)
                if value is not None:
                    check_secret(name, value.get_secret_value())
        return self

    @property
    def provider(self) -> Provider:
        """The provider drafts are asked from: ``openai`` or ``offline``."""
        if self.llm_provider is ProviderChoice.auto:
            configured = self.llm_base_url is not None or self.llm_api_key is not None
            return Provider.openai if configured else Provider.offline
        return Provider(self.llm_provider.value)
