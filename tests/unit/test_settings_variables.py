"""Nested settings read every variable deployments set, under exactly the names they had when
settings were flat (compose files, .env files and orchestrators depend on them)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.cli import settings_problem
from service.config import Settings
from service.config.env import environment, leaves
from service.config.sections import ProviderChoice
from service.models import Severity

SECRET = "sixteen bytes ok"
STANDARD = "whsec_" + base64.b64encode(SECRET.encode()).decode()

# Every variable the flat settings read, each with a valid value that is not its default.
VARIABLES = {
    "TACTFUL_LLM_PROVIDER": "openai",
    "TACTFUL_LLM_BASE_URL": "http://llm.test/v1",
    "TACTFUL_LLM_API_KEY": "sk-test-primary",
    "TACTFUL_LLM_MODEL": "model-x",
    "TACTFUL_LLM_TEMPERATURE": "0.9",
    "TACTFUL_LLM_MAX_TOKENS": "333",
    "TACTFUL_LLM_TIMEOUT_S": "7.5",
    "TACTFUL_LLM_MAX_ATTEMPTS": "2",
    "TACTFUL_LLM_DEADLINE_S": "12.0",
    "TACTFUL_LLM_FIRST_TOKEN_TIMEOUT_S": "3.0",
    "TACTFUL_LLM_CONTEXT_TOKENS": "4096",
    "TACTFUL_LLM_MAX_CONCURRENCY": "9",
    "TACTFUL_LLM_FALLBACK_OFFLINE": "false",
    "TACTFUL_BREAKER_FAILURE_THRESHOLD": "3",
    "TACTFUL_BREAKER_RESET_S": "4.0",
    "TACTFUL_PROMPTS_DIR": "/srv/prompts",
    "TACTFUL_PROMPT_TOKEN_BUDGET": "1234",
    "TACTFUL_REDACT_PII": "false",
    "TACTFUL_TENANTS_DIR": "/srv/tenants",
    "TACTFUL_GUARD_MAX_REASKS": "1",
    "TACTFUL_ALLOWED_LINK_DOMAINS": "acme.com,help.acme.com",
    "TACTFUL_GUARD_SEVERITIES": "length=info,signature=block",
    "TACTFUL_REDIS_URL": "redis://redis.test:6380/2",
    "TACTFUL_REDIS_REPLICAS_ACK": "1",
    "TACTFUL_REDIS_REPLICA_WAIT_MS": "50",
    "TACTFUL_DATA_DIR": "/srv/data",
    "TACTFUL_CACHE_TTL_S": "60",
    "TACTFUL_SINGLE_FLIGHT_WAIT_S": "5.0",
    "TACTFUL_HOST": "0.0.0.0",
    "TACTFUL_PORT": "8080",
    "TACTFUL_API_WORKERS": "3",
    "TACTFUL_LOG_LEVEL": "DEBUG",
    "TACTFUL_SHUTDOWN_GRACE_S": "5.0",
    "TACTFUL_SHUTDOWN_DRAIN_S": "2.0",
    "TACTFUL_API_KEYS": "key-one,key-two",
    "TACTFUL_METRICS_TOKEN": "scrape-token",
    "TACTFUL_MAX_BODY_BYTES": "2048",
    "TACTFUL_MAX_HEADER_BYTES": "2048",
    "TACTFUL_MAX_HEADERS_BYTES": "8192",
    "TACTFUL_MAX_HEADERS": "20",
    "TACTFUL_HEADER_TIMEOUT_S": "2.0",
    "TACTFUL_MAX_MESSAGES": "10",
    "TACTFUL_MAX_MESSAGE_CHARS": "1000",
    "TACTFUL_MAX_CHECK_CHARS": "1000",
    "TACTFUL_FEEDBACK_RETENTION_DAYS": "7",
    "TACTFUL_FEEDBACK_KEY": "fernet-key-under-test",
    "TACTFUL_RATE_LIMIT_WINDOW_S": "10",
    "TACTFUL_RATE_LIMIT_API": "5",
    "TACTFUL_RATE_LIMIT_WEBHOOKS": "6",
    "TACTFUL_SAMPLES_DIR": "/srv/samples",
    "TACTFUL_CORS_ALLOW_ORIGINS": "https://acme.zendesk.com",
    "TACTFUL_FRAME_ANCESTORS": "'none'",
    "TACTFUL_SECURITY_HEADERS": "false",
    "TACTFUL_REFERRER_POLICY": "same-origin",
    "TACTFUL_HSTS_MAX_AGE_S": "600",
    "TACTFUL_WEBHOOK_SECRET_CHATWOOT": SECRET,
    "TACTFUL_WEBHOOK_SECRET_ZENDESK": SECRET,
    "TACTFUL_WEBHOOK_SECRET_ZAMMAD": SECRET,
    "TACTFUL_WEBHOOK_SECRET_FRONT": SECRET,
    "TACTFUL_WEBHOOK_SECRET_INTERCOM": SECRET,
    "TACTFUL_WEBHOOK_SECRET_HELPSCOUT": SECRET,
    "TACTFUL_WEBHOOK_SECRET_FREESCOUT": SECRET,
    "TACTFUL_WEBHOOK_SECRET_FRESHDESK": SECRET,
    "TACTFUL_WEBHOOK_SECRET_GENERIC": STANDARD,
    "TACTFUL_WEBHOOK_REPLAY_WINDOW_S": "60",
    "TACTFUL_WEBHOOK_IDEMPOTENCY_TTL_S": "600",
    "TACTFUL_JOB_TIMEOUT_S": "60",
    "TACTFUL_JOB_HEARTBEAT_S": "10",
    "TACTFUL_JOB_MAX_ATTEMPTS": "2",
    "TACTFUL_JOB_RETRY_DELAY_S": "1.0",
    "TACTFUL_JOB_RETRY_MAX_DELAY_S": "10.0",
    "TACTFUL_JOB_RESULT_TTL_S": "3600",
    "TACTFUL_WORKER_CONCURRENCY": "4",
    "TACTFUL_WORKER_SWEEP_S": "2",
    "TACTFUL_DELIVERY_TIMEOUT_S": "3.0",
    "TACTFUL_CHATWOOT_BASE_URL": "https://chat.test",
    "TACTFUL_CHATWOOT_API_TOKEN": "cw-token",
    "TACTFUL_ZENDESK_BASE_URL": "https://acme.zendesk.test",
    "TACTFUL_ZENDESK_EMAIL": "agent@acme.test",
    "TACTFUL_ZENDESK_API_TOKEN": "zd-token",
    "TACTFUL_ZAMMAD_BASE_URL": "https://zammad.test",
    "TACTFUL_ZAMMAD_API_TOKEN": "zm-token",
    "TACTFUL_FRONT_BASE_URL": "https://front.test",
    "TACTFUL_FRONT_API_TOKEN": "fr-token",
    "TACTFUL_FRONT_CHANNEL_ID": "cha_1",
    "TACTFUL_INTERCOM_BASE_URL": "https://api.eu.intercom.io",
    "TACTFUL_INTERCOM_ACCESS_TOKEN": "ic-token",
    "TACTFUL_INTERCOM_ADMIN_ID": "42",
    "TACTFUL_HELPSCOUT_BASE_URL": "https://helpscout.test",
    "TACTFUL_HELPSCOUT_APP_ID": "hs-app",
    "TACTFUL_HELPSCOUT_APP_SECRET": "hs-secret",
    "TACTFUL_FREESCOUT_BASE_URL": "https://freescout.test",
    "TACTFUL_FREESCOUT_API_KEY": "fs-key",
    "TACTFUL_FREESCOUT_USER_ID": "7",
    "TACTFUL_FRESHDESK_BASE_URL": "https://acme.freshdesk.test",
    "TACTFUL_FRESHDESK_API_KEY": "fd-key",
    "TACTFUL_CALLBACK_URL": "https://receiver.test/hook",
    "TACTFUL_CALLBACK_SECRET": STANDARD,
    "TACTFUL_CALLBACK_ALL_SOURCES": "true",
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for leaf in leaves(Settings):
        for name in leaf.env:
            monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_variables_are_exactly_the_flat_names() -> None:
    names = {env for leaf in leaves(Settings) for env in leaf.env}
    assert names == {*VARIABLES, "OPENAI_API_KEY"}


def test_every_variable_reaches_its_setting(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in VARIABLES.items():
        clean_env.setenv(name, value)
    settings = Settings(_env_file=None)
    # Each variable moved its setting off the default, and the settings written back are the same.
    assert environment(settings).keys() == VARIABLES.keys()
    assert Settings(_env_file=None) == settings
    assert settings.llm.provider is ProviderChoice.openai
    assert settings.limits.max_body_bytes == 2048
    assert settings.guard.severities == {"length": Severity.info, "signature": Severity.block}
    assert settings.redis.data_dir == Path("/srv/data")
    assert settings.cache.single_flight_wait_s == 5.0
    assert [key.get_secret_value() for key in settings.auth.api_keys] == ["key-one", "key-two"]
    zendesk = settings.integrations.by_source()["zendesk"]
    assert zendesk is settings.integrations.zendesk
    assert settings.integrations.zendesk.email == "agent@acme.test"
    assert settings.integrations.freescout.user_id == 7


def test_a_dotenv_file_is_read_by_the_same_names(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TACTFUL_CACHE_TTL_S=60\n"
        "TACTFUL_WEBHOOK_SECRET_ZAMMAD=sixteen bytes ok\n"
        "TACTFUL_LLM_MODEL=from-file\n",
        encoding="utf-8",
    )
    clean_env.setenv("TACTFUL_LLM_MODEL", "from-environment")  # the environment wins over .env
    settings = Settings(_env_file=env_file)
    assert settings.cache.ttl_s == 60
    assert settings.llm.model == "from-environment"
    secret = settings.integrations.zammad.secret
    assert secret is not None
    assert secret.get_secret_value() == SECRET


def test_secrets_stay_masked(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in VARIABLES.items():
        clean_env.setenv(name, value)
    shown = repr(Settings(_env_file=None))
    for name in ("TACTFUL_LLM_API_KEY", "TACTFUL_ZENDESK_API_TOKEN", "TACTFUL_CALLBACK_SECRET"):
        assert VARIABLES[name] not in shown
    assert SECRET not in shown


def test_an_invalid_value_is_reported_by_its_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TACTFUL_MAX_MESSAGES", "0")
    clean_env.setenv("TACTFUL_WEBHOOK_SECRET_FRONT", "tiny!")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    problem = settings_problem(caught.value)
    assert "TACTFUL_MAX_MESSAGES: Input should be greater than or equal to 1" in problem
    assert "TACTFUL_WEBHOOK_SECRET_FRONT has 5 bytes" in problem
    assert "tiny!" not in problem


def test_unknown_variables_are_ignored_but_flat_arguments_are_refused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("TACTFUL_NOT_A_SETTING", "1")
    env_file = tmp_path / ".env"
    env_file.write_text("TACTFUL_ALSO_NOT_ONE=2\nCOMPOSE_PROFILES=local-llm\n", encoding="utf-8")
    assert Settings(_env_file=env_file) == Settings(_env_file=None)
    with pytest.raises(ValidationError, match="redis_url"):
        Settings(_env_file=None, redis_url="redis://redis.test:6379/0")  # type: ignore[call-arg]
