"""docker-compose.yml, checked by parsing it: services, healthchecks, ports, settings."""

from __future__ import annotations

import re
from typing import Any

from service.config.sections import ServerSettings
from tests.deploy.conftest import (
    CONFIG_DOC,
    INTERPOLATION,
    Instruction,
    dockerfile_env,
    env_example_names,
    setting_env_names,
    strings_in,
)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "KEY=value" list form
        return dict(item.partition("=")[::2] for item in env)
    return {str(k): str(v) for k, v in env.items()}


def seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration))


def test_the_three_services_and_the_optional_local_llm(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"redis", "api", "worker"} <= set(services)
    for name in ("redis", "api", "worker"):
        assert "profiles" not in services[name], f"{name} must start with a plain `docker compose up`"
    assert services["ollama"]["profiles"] == ["local-llm"]
    assert services["ollama"]["image"].startswith("ollama/ollama")


def test_api_and_worker_run_the_same_image(compose: dict[str, Any]) -> None:
    api, worker = compose["services"]["api"], compose["services"]["worker"]
    assert api["image"] == worker["image"]
    assert api["build"] == worker["build"] == "."
    assert api["command"] == ["tactful", "serve"]
    assert worker["command"] == ["tactful", "worker"]
    for service in (api, worker):
        assert environment(service)["TACTFUL_REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        # Graceful shutdown: compose waits longer than the service's own grace period.
        assert seconds(service["stop_grace_period"]) > ServerSettings().shutdown_grace_s


def test_redis_is_durable(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    volume = redis["volumes"][0].split(":")
    assert volume[0] in compose["volumes"]
    assert volume[1] == "/data"
    assert redis["image"].startswith("redis:7")  # SAQ's client wants a Redis below 8


def test_every_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert check["test"][0] == "CMD", name
        assert len(check["test"]) > 1, name
        assert not check.get("disable"), name
    api, worker = compose["services"]["api"], compose["services"]["worker"]
    assert api["healthcheck"]["test"] == ["CMD", "python", "-m", "service.server.healthcheck"]
    assert worker["healthcheck"]["test"] == ["CMD", "python", "-m", "service.server.healthcheck", "--redis"]
    assert compose["services"]["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_ports_match_the_image(compose: dict[str, Any], dockerfile: list[Instruction]) -> None:
    api = compose["services"]["api"]
    (mapping,) = api["ports"]
    host, _, container = mapping.rpartition(":")
    assert host.startswith("127.0.0.1:"), "published on loopback only by default"
    port = environment(api)["TACTFUL_PORT"]
    assert container == port
    runtime_stage = max(ins.stage for ins in dockerfile)
    assert dockerfile_env(dockerfile, runtime_stage)["TACTFUL_PORT"] == port
    exposed = [ins.args for ins in dockerfile if ins.keyword == "EXPOSE" and ins.stage == runtime_stage]
    assert exposed == [port]
    assert environment(api)["TACTFUL_HOST"] == "0.0.0.0"  # reachable from outside the container


def test_every_variable_compose_uses_is_documented(compose: dict[str, Any]) -> None:
    settings, example = setting_env_names(), env_example_names()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", CONFIG_DOC.read_text(encoding="utf-8")))
    named = {key for service in compose["services"].values() for key in environment(service)}
    interpolated = {m for text in strings_in(compose) for m in INTERPOLATION.findall(text)}
    for var in named | interpolated:
        assert var in example, f"{var} is used by docker-compose.yml but missing from .env.example"
        if var.startswith("TACTFUL_"):
            assert var in settings, f"{var} is not a setting the service reads"
            assert var in documented, f"{var} is missing from docs/configuration.md"
    # The local-llm recipe in .env.example is about the profile that exists.
    assert "COMPOSE_PROFILES" in example
