"""The root of the settings: one nested model per concern, read from ``TACTFUL_...`` and ``.env``.

``settings.llm.model`` is read from ``TACTFUL_LLM_MODEL``: every variable keeps the flat name it
had before settings were grouped (service/config/env.py). Secrets are ``SecretStr`` so that a stray
``repr`` or log line never shows them. ``docs/configuration.md`` lists every setting; a test keeps
the two in step.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from service.config.env import FlatEnvSource
from service.config.integrations import CallbackSettings, Integrations
from service.config.sections import (
    AuthSettings,
    BreakerSettings,
    BrowserSettings,
    CacheSettings,
    DeliverySettings,
    DraftingSettings,
    FeedbackSettings,
    GuardSettings,
    JobSettings,
    LimitSettings,
    LlmSettings,
    ProviderChoice,
    RateLimitSettings,
    RedisSettings,
    ServerSettings,
    TenantSettings,
    WebhookSettings,
    WorkerSettings,
)
from service.models import Provider


class Settings(BaseSettings):
    # Unknown variables in the environment or .env are never read (FlatEnvSource reads known names
    # only), so "forbid" refuses just a mistyped or pre-nesting argument: Settings(redis_url=...)
    # would otherwise be dropped without a word.
    model_config = SettingsConfigDict(
        env_prefix="TACTFUL_", env_file=".env", env_file_encoding="utf-8", extra="forbid"
    )

    llm: LlmSettings = Field(default_factory=LlmSettings)
    breaker: BreakerSettings = Field(default_factory=BreakerSettings)
    drafting: DraftingSettings = Field(default_factory=DraftingSettings)
    tenants: TenantSettings = Field(default_factory=TenantSettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    integrations: Integrations = Field(default_factory=Integrations)
    jobs: JobSettings = Field(default_factory=JobSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    callback: CallbackSettings = Field(default_factory=CallbackSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Arguments first, then the process environment, then .env; each read by its flat names.
        return (
            init_settings,
            FlatEnvSource(settings_cls, env_settings),
            FlatEnvSource(settings_cls, dotenv_settings),
        )

    @property
    def provider(self) -> Provider:
        """The provider drafts are asked from: ``openai`` or ``offline``."""
        if self.llm.provider is ProviderChoice.auto:
            configured = self.llm.base_url is not None or self.llm.api_key is not None
            return Provider.openai if configured else Provider.offline
        return Provider(self.llm.provider.value)
