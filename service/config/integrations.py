"""One settings model per integration: its webhook secret, and what delivery back to it needs.

Variables keep their flat names: ``TACTFUL_WEBHOOK_SECRET_<SOURCE>`` for the secret and
``TACTFUL_<SOURCE>_<FIELD>`` for the rest. ``Integrations.by_source()`` maps a webhook source to
its typed settings, so code never builds a setting's name from a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from service.config.env import Section
from service.config.secrets import check_secret


def missing(section: Section, required: tuple[str, ...]) -> str | None:
    """Why a call cannot be made: the variables of the ``required`` fields left unset, or None."""
    values = dict(section)
    unset = [name for name in required if not values[name]]
    if not unset:
        return None
    return "not configured: set " + ", ".join(section.env_names(name)[0] for name in unset)


class IntegrationSettings(Section):
    """A webhook source: its secret enables it; ``required`` are what delivering back needs."""

    source: ClassVar[str]
    # The generic source's secret is a Standard Webhooks secret (base64, optionally after whsec_);
    # a helpdesk's is used as its UTF-8 bytes, as the helpdesk does.
    standard_secret: ClassVar[bool] = False
    required: ClassVar[tuple[str, ...]] = ()

    secret: SecretStr | None = Field(None, description="Webhook secret.")

    @classmethod
    def env_names(cls, name: str) -> tuple[str, ...]:
        if name == "secret":
            return (f"TACTFUL_WEBHOOK_SECRET_{cls.source.upper()}",)
        return (f"TACTFUL_{cls.source.upper()}_{name.upper()}",)

    @model_validator(mode="after")
    def _strong_secret(self) -> IntegrationSettings:
        # A set-but-empty or short secret would enable a source anyone can sign for: refuse to start.
        if self.secret is not None:
            check_secret(
                self.env_names("secret")[0], self.secret.get_secret_value(), standard=self.standard_secret
            )
        return self

    def delivery_missing(self) -> str | None:
        return missing(self, self.required)


class ChatwootSettings(IntegrationSettings):
    source: ClassVar[str] = "chatwoot"
    required: ClassVar[tuple[str, ...]] = ("base_url", "api_token")

    secret: SecretStr | None = Field(
        None, description="Chatwoot webhook secret (HMAC-SHA256 of `timestamp.body`)."
    )
    base_url: str | None = Field(None, description="Chatwoot URL, e.g. https://chat.example.com.")
    api_token: SecretStr | None = Field(
        None, description="Chatwoot agent or bot access token (api_access_token)."
    )


class ZendeskSettings(IntegrationSettings):
    source: ClassVar[str] = "zendesk"
    required: ClassVar[tuple[str, ...]] = ("base_url", "email", "api_token")

    secret: SecretStr | None = Field(None, description="Zendesk webhook signing secret.")
    base_url: str | None = Field(None, description="Zendesk URL, e.g. https://acme.zendesk.com.")
    email: str | None = Field(None, description="Zendesk agent email the API token belongs to.")
    api_token: SecretStr | None = Field(None, description="Zendesk API token.")


class ZammadSettings(IntegrationSettings):
    source: ClassVar[str] = "zammad"
    required: ClassVar[tuple[str, ...]] = ("base_url", "api_token")

    secret: SecretStr | None = Field(None, description="Zammad webhook HMAC token (X-Hub-Signature, SHA1).")
    base_url: str | None = Field(None, description="Zammad URL, e.g. https://support.example.com.")
    api_token: SecretStr | None = Field(None, description="Zammad access token (ticket.agent).")


class FrontSettings(IntegrationSettings):
    source: ClassVar[str] = "front"
    required: ClassVar[tuple[str, ...]] = ("api_token",)

    secret: SecretStr | None = Field(None, description="Front application signing key.")
    base_url: str = Field("https://api2.frontapp.com", description="Front API URL.")
    api_token: SecretStr | None = Field(None, description="Front API token.")
    channel_id: str | None = Field(
        None, description="Front channel drafts are written in (optional: Front picks the conversation's)."
    )


class IntercomSettings(IntegrationSettings):
    source: ClassVar[str] = "intercom"
    required: ClassVar[tuple[str, ...]] = ("access_token", "admin_id")

    secret: SecretStr | None = Field(None, description="Intercom app client secret (X-Hub-Signature, SHA1).")
    base_url: str = Field("https://api.intercom.io", description="Intercom API URL (regional).")
    access_token: SecretStr | None = Field(None, description="Intercom access token.")
    admin_id: str | None = Field(None, description="Intercom admin id the notes are written as.")


class HelpScoutSettings(IntegrationSettings):
    source: ClassVar[str] = "helpscout"
    required: ClassVar[tuple[str, ...]] = ("app_id", "app_secret")

    secret: SecretStr | None = Field(None, description="Help Scout webhook secret key.")
    base_url: str = Field("https://api.helpscout.net", description="Help Scout API URL.")
    app_id: str | None = Field(None, description="Help Scout OAuth app id (client credentials).")
    app_secret: SecretStr | None = Field(None, description="Help Scout OAuth app secret.")


class FreeScoutSettings(IntegrationSettings):
    source: ClassVar[str] = "freescout"
    required: ClassVar[tuple[str, ...]] = ("base_url", "api_key", "user_id")

    secret: SecretStr | None = Field(None, description="FreeScout webhook secret (API & Webhooks module).")
    base_url: str | None = Field(None, description="FreeScout URL, e.g. https://help.example.com.")
    api_key: SecretStr | None = Field(None, description="FreeScout API key (API & Webhooks module).")
    user_id: int | None = Field(None, description="FreeScout user the drafts are written as.")


class FreshdeskSettings(IntegrationSettings):
    source: ClassVar[str] = "freshdesk"
    required: ClassVar[tuple[str, ...]] = ("base_url", "api_key")

    secret: SecretStr | None = Field(
        None, description="Freshdesk: the shared token sent in the X-Tactful-Token header (unsigned)."
    )
    base_url: str | None = Field(None, description="Freshdesk URL, e.g. https://acme.freshdesk.com.")
    api_key: SecretStr | None = Field(None, description="Freshdesk API key.")


class GenericSettings(IntegrationSettings):
    """The generic source answers through the signed callback (:class:`CallbackSettings`)."""

    source: ClassVar[str] = "generic"
    standard_secret: ClassVar[bool] = True

    secret: SecretStr | None = Field(
        None,
        description="Standard Webhooks secret of the generic source: base64, optionally after `whsec_` "
        "(decoded as the reference libraries do).",
    )


class CallbackSettings(Section):
    """Standard-Webhooks-signed `draft.created` callbacks."""

    env_prefix: ClassVar[str] = "TACTFUL_CALLBACK_"
    required: ClassVar[tuple[str, ...]] = ("url", "secret")

    url: str | None = Field(
        None, description="Where Standard-Webhooks-signed `draft.created` callbacks are POSTed."
    )
    secret: SecretStr | None = Field(
        None,
        description="Signing secret of the callbacks: base64, optionally after `whsec_` (Standard Webhooks).",
    )
    all_sources: bool = Field(
        False, description="Also send the callback for helpdesk sources, not only for `generic`."
    )

    @model_validator(mode="after")
    def _strong_secret(self) -> CallbackSettings:
        if self.secret is not None:
            check_secret(self.env_names("secret")[0], self.secret.get_secret_value(), standard=True)
        return self

    def delivery_missing(self) -> str | None:
        return missing(self, self.required)


class Integrations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chatwoot: ChatwootSettings = Field(default_factory=ChatwootSettings)
    zendesk: ZendeskSettings = Field(default_factory=ZendeskSettings)
    zammad: ZammadSettings = Field(default_factory=ZammadSettings)
    front: FrontSettings = Field(default_factory=FrontSettings)
    intercom: IntercomSettings = Field(default_factory=IntercomSettings)
    helpscout: HelpScoutSettings = Field(default_factory=HelpScoutSettings)
    freescout: FreeScoutSettings = Field(default_factory=FreeScoutSettings)
    freshdesk: FreshdeskSettings = Field(default_factory=FreshdeskSettings)
    generic: GenericSettings = Field(default_factory=GenericSettings)

    def by_source(self) -> Mapping[str, IntegrationSettings]:
        """Each webhook source's settings, by source name."""
        return {config.source: config for _, config in self}

    def secret(self, source: str) -> SecretStr | None:
        """The webhook secret of ``source``; None when it is unset or the source unknown."""
        # Read on every delivery: the field of that name, not the whole by_source() map rebuilt.
        config = getattr(self, source) if source in type(self).model_fields else None
        return config.secret if isinstance(config, IntegrationSettings) and config.source == source else None
