"""Tenant profiles: who a draft is written for (company, products, agent, policies, time zone).

A tenant is what an API key or a webhook source maps to (``key:<fingerprint>`` from
service.api.auth, ``webhook:<source>`` from the worker). Each profile is one YAML file in
``TACTFUL_TENANTS_DIR``; ``default.yaml`` there (or the built-in default) serves every tenant no
profile claims. Profiles are read and validated once at start-up: a missing folder or an invalid
file stops the process with a message naming the file and the field (docs/tenants.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.models import Tone
from service.yaml_data import parse_yaml

DEFAULT_FILE = "default.yaml"
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HEX = re.compile(r"^[0-9a-f]{16,64}$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TenantError(ValueError):
    """A tenant profile is missing or invalid; the message names the file and the field."""


class BusinessHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    opens: time = time(9, 0)
    closes: time = time(17, 0)

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [d for d in days if d not in _DAYS]
        if unknown:
            raise ValueError(f"unknown day {unknown[0]!r}; use {', '.join(_DAYS)}")
        return days

    def describe(self) -> str:
        days = ", ".join(d.capitalize() for d in self.days)
        return f"{days}, {self.opens:%H:%M}-{self.closes:%H:%M}"


class TenantProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    company: Annotated[str, Field(min_length=1, max_length=200)]
    products: tuple[str, ...] = ()
    agent_name: Annotated[str, Field(max_length=100)] | None = None  # when the thread names none
    signature: Annotated[str, Field(max_length=2_000)] | None = None
    policies: tuple[str, ...] = ()  # facts the reply may state ("Refunds land in 5-10 business days")
    offers: tuple[str, ...] = ()  # what an agent may offer ("a 10% credit on the next invoice")
    # The company's own link hosts: the prompt tells the model to link only to them, and the
    # `unsafe-content` rule allows them (subdomains too). Empty: TACTFUL_ALLOWED_LINK_DOMAINS.
    link_domains: tuple[str, ...] = ()
    time_zone: str = "UTC"
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    tone: Tone = Tone.warm
    languages: tuple[str, ...] = ()  # the languages the team answers in; empty: any
    api_key_sha256: tuple[str, ...] = ()  # sha256 hex of the API keys that belong to this tenant
    webhook_sources: tuple[str, ...] = ()  # helpdesk sources whose deliveries belong to it

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r} (use an IANA name such as Europe/Lisbon)") from None
        return zone

    @field_validator("link_domains")
    @classmethod
    def _domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        for domain in domains:
            if not _DOMAIN.match(domain.lower()):
                raise ValueError(f"{domain!r} is not a domain name")
        return tuple(d.lower() for d in domains)

    @field_validator("api_key_sha256")
    @classmethod
    def _digests(cls, digests: tuple[str, ...]) -> tuple[str, ...]:
        for value in digests:
            if not _HEX.match(value.lower()):
                raise ValueError("each entry is the sha256 hex digest of a key (16-64 hex digits)")
        return tuple(d.lower() for d in digests)

    @property
    def version(self) -> str:
        """A short hash of the profile: part of the cache key, so an edited profile redrafts."""
        data = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(data).hexdigest()[:12]

    def allowed_domains(self, fallback: Iterable[str] = ()) -> tuple[str, ...]:
        """The link hosts a reply may use besides the thread's: the profile's own when it lists
        any, else the global setting (`fallback`)."""
        if self.link_domains:
            return self.link_domains
        return tuple(d.strip().lower() for d in fallback if d.strip())

    def today(self, now: datetime | None = None) -> date:
        """Today's date in the tenant's time zone."""
        zone = ZoneInfo(self.time_zone)
        return (now.astimezone(zone) if now else datetime.now(zone)).date()


DEFAULT_PROFILE = TenantProfile(company="our company")


def _read(path: Path) -> TenantProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TenantError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_yaml(text, TenantProfile, where=str(path), error=TenantError)


class Tenants:
    """Every profile, and which tenant id (key fingerprint, webhook source) each one claims."""

    def __init__(self, default: TenantProfile, profiles: dict[str, TenantProfile]) -> None:
        self.default = default
        self.profiles = profiles
        self._by_key: dict[str, TenantProfile] = {}
        self._by_source: dict[str, TenantProfile] = {}
        for name, profile in profiles.items():
            for digest in profile.api_key_sha256:
                self._claim(self._by_key, digest[:16], profile, name, "api_key_sha256")
            for source in profile.webhook_sources:
                self._claim(self._by_source, source.lower(), profile, name, "webhook_sources")

    @staticmethod
    def _claim(
        table: dict[str, TenantProfile], key: str, profile: TenantProfile, name: str, field: str
    ) -> None:
        if key in table and table[key] is not profile:
            raise TenantError(f"{name}.yaml: {field}: {key!r} is claimed by another profile too")
        table[key] = profile

    @classmethod
    def load(cls, folder: Path | None) -> Tenants:
        if folder is None:
            return cls(DEFAULT_PROFILE, {})
        if not folder.is_dir():
            raise TenantError(f"{folder}: the tenants folder (TACTFUL_TENANTS_DIR) does not exist")
        default_path = folder / DEFAULT_FILE
        default = _read(default_path) if default_path.exists() else DEFAULT_PROFILE
        profiles = {
            path.stem: _read(path) for path in sorted(folder.glob("*.yaml")) if path.name != DEFAULT_FILE
        }
        return cls(default, profiles)

    def resolve(self, tenant: str) -> TenantProfile:
        """The profile for ``key:<fingerprint>`` or ``webhook:<source>``; the default otherwise."""
        kind, _, ident = tenant.partition(":")
        if kind == "key":
            return self._by_key.get(ident, self.default)
        if kind == "webhook":
            return self._by_source.get(ident.lower(), self.default)
        return self.default

    def names(self) -> Iterable[str]:
        return self.profiles.keys()
