"""The published contract: OpenAPI at /schema (JSON and YAML) and Prometheus text at /metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings, seed_thread
from tests.integration.test_drafts_api import DRAFT_FIELDS

PATHS = {
    "/v1/drafts": "post",
    "/v1/drafts/stream": "post",
    "/v1/guardrails/check": "post",
    "/health/live": "get",
    "/health/ready": "get",
    "/metrics": "get",
}
# The fields of the wire contracts (docs/api.md), and the ones every payload must carry.
SCHEMA_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "Thread": ({"id", "subject", "channel", "customer", "agent", "messages", "options"}, {"messages"}),
    "Message": ({"role", "body", "created_at"}, {"role", "body"}),
    "DraftResult": (
        DRAFT_FIELDS,
        {"id", "status", "reply", "rejected_draft", "guardrails", "provider", "model", "attempts", "cached"},
    ),
    "GuardrailReport": ({"verdict", "ruleset_version", "findings"}, {"verdict", "ruleset_version"}),
    "DraftAnalysis": ({"language", "variant", "register", "feelings", "request", "facts"}, {"language"}),
    "FeelingHint": ({"name", "intensity", "evidence"}, {"name", "intensity"}),
    "EvidenceSpan": ({"message", "start", "end", "text"}, {"message", "start", "end", "text"}),
    "Finding": (
        {"rule", "severity", "message", "start", "end", "suggestion"},
        {"rule", "severity", "message"},
    ),
    "ProblemDetails": (
        {"type", "title", "status", "detail", "instance", "errors"},
        {"type", "title", "status"},
    ),
}


@pytest.fixture(scope="module")
async def schema() -> dict[str, Any]:
    async with AsyncTestClient(app=create_app(make_settings(None))) as client:
        response = await client.get("/schema")
    assert response.status_code == 200
    assert "json" in response.headers["content-type"]
    document: dict[str, Any] = response.json()
    return document


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    target: dict[str, Any] = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def enum_values(document: dict[str, Any], node: dict[str, Any]) -> set[str]:
    node = resolve(document, node)
    if "enum" in node:
        return set(node["enum"])
    if "const" in node:
        return {node["const"]}
    values: set[str] = set()
    for option in node.get("oneOf", []) + node.get("anyOf", []):
        values |= enum_values(document, option)
    return values


def test_it_is_openapi_3_1_with_every_path(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["title"] == "Tactful"
    for path, method in PATHS.items():
        assert method in schema["paths"].get(path, {}), path


@pytest.mark.parametrize("name", sorted(SCHEMA_FIELDS))
def test_wire_models_have_the_design_fields(schema: dict[str, Any], name: str) -> None:
    fields, required = SCHEMA_FIELDS[name]
    model = schema["components"]["schemas"][name]
    assert set(model["properties"]) == fields
    assert required <= set(model.get("required", []))


def test_enums_match_the_design(schema: dict[str, Any]) -> None:
    schemas = schema["components"]["schemas"]
    thread, message = schemas["Thread"]["properties"], schemas["Message"]["properties"]
    assert enum_values(schema, thread["channel"]) == {"email", "chat", "sms", "social", "other"}
    assert enum_values(schema, message["role"]) == {"customer", "agent", "note"}
    assert thread["messages"]["minItems"] == 1
    result = schemas["DraftResult"]["properties"]
    assert enum_values(schema, result["status"]) == {"approved", "needs_review", "blocked"}
    assert enum_values(schema, result["provider"]) == {"openai", "offline"}
    assert {"string", "null"} == {option.get("type") for option in result["reply"]["oneOf"]}
    assert enum_values(schema, schemas["GuardrailReport"]["properties"]["verdict"]) == {
        "pass",
        "warn",
        "block",
    }
    assert enum_values(schema, schemas["Finding"]["properties"]["severity"]) == {"block", "warn", "info"}


def test_operations_use_the_models_and_document_problems(schema: dict[str, Any]) -> None:
    drafts = schema["paths"]["/v1/drafts"]["post"]
    body = drafts["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Thread"}
    ok = drafts["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DraftResult"}
    assert {"X-Cache", "Server-Timing"} <= set(ok["headers"])
    for status in ("400", "401", "413", "422", "502", "503"):
        problem = drafts["responses"][status]["content"]["application/problem+json"]["schema"]
        assert problem == {"$ref": "#/components/schemas/ProblemDetails"}, status

    check = schema["paths"]["/v1/guardrails/check"]["post"]
    request = resolve(schema, check["requestBody"]["content"]["application/json"]["schema"])
    assert set(request["properties"]) == {"text", "thread"}
    assert request["required"] == ["text"]
    report = check["responses"]["200"]["content"]["application/json"]["schema"]
    assert report == {"$ref": "#/components/schemas/GuardrailReport"}


def test_no_security_is_advertised_without_keys(schema: dict[str, Any]) -> None:
    assert "security" not in schema["paths"]["/v1/drafts"]["post"]


async def test_bearer_security_is_advertised_with_keys() -> None:
    async with AsyncTestClient(app=create_app(make_settings(None, api_keys=["k1"]))) as client:
        document = (await client.get("/schema/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for path in ("/v1/drafts", "/v1/guardrails/check"):
        assert document["paths"][path]["post"]["security"] == [{"bearer": []}]
    for path in ("/health/live", "/health/ready"):
        assert "security" not in document["paths"][path]["get"]
    # /metrics takes an API key (or TACTFUL_METRICS_TOKEN) once keys are set.
    assert document["paths"]["/metrics"]["get"]["security"] == [{"bearer": []}]


@pytest.fixture
async def client(redis_server: EmbeddedRedis, redis_client: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(make_settings(redis_server.url))) as test_client:
        yield test_client


async def test_yaml_schema_is_the_same_document(client: AsyncTestClient[Any], schema: dict[str, Any]) -> None:
    response = await client.get("/schema/openapi.yaml")
    assert response.status_code == 200
    assert "yaml" in response.headers["content-type"] or "openapi" in response.headers["content-type"]
    assert yaml.safe_load(response.text) == schema


async def test_metrics_count_drafts(client: AsyncTestClient[Any]) -> None:
    thread = seed_thread()
    await client.post("/v1/drafts", json=thread)
    await client.post("/v1/drafts", json=thread)
    await client.post("/v1/guardrails/check", json={"text": "It is your fault."})
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE tactful_drafts_total counter" in text
    assert 'tactful_drafts_total{cache="MISS",provider="offline",status="needs_review"} 1.0' in text
    assert 'tactful_drafts_total{cache="HIT",provider="offline",status="needs_review"} 1.0' in text
    assert 'tactful_guardrail_checks_total{verdict="block"} 1.0' in text
    assert 'tactful_draft_seconds_count{phase="total"} 2.0' in text
    # Metrics carry labels, never content.
    assert "Dana" not in text
