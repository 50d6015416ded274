"""The agent page's routes, the security headers on every response, and CORS when configured."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings


async def test_page_and_its_files_are_served_without_external_references(
    offline_client: AsyncTestClient[Any],
) -> None:
    page = await offline_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'src="static/app.js"' in html
    assert "http://" not in html
    assert "https://" not in html
    for name, kind in [("app.js", "javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg")]:
        response = await offline_client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"]
        assert "https://" not in response.text.replace("https://tactful.dev", "")
    missing = await offline_client.get("/static/nope.js")
    assert missing.status_code == 404


async def test_samples_and_config_for_the_page(offline_client: AsyncTestClient[Any]) -> None:
    samples = (await offline_client.get("/ui/samples")).json()
    names = {s["name"] for s in samples}
    assert {"billing_double_charge", "de_paket_verspaetet"} <= names
    assert all(s["title"] for s in samples)
    thread = (await offline_client.get("/ui/samples/billing_double_charge")).json()
    assert thread["messages"][0]["role"] == "customer"
    assert (await offline_client.get("/ui/samples/nope")).status_code == 404
    assert (await offline_client.get("/ui/config")).json() == {"auth_required": False}


async def test_the_page_is_public_but_the_api_needs_a_key(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    settings = make_settings(redis_server.url, api_keys="k-1")
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/ui/config")).json() == {"auth_required": True}
        assert (await client.post("/v1/guardrails/check", json={"text": "hi"})).status_code == 401


async def test_security_headers_on_pages_api_and_errors(offline_client: AsyncTestClient[Any]) -> None:
    for response in [
        await offline_client.get("/"),
        await offline_client.post("/v1/guardrails/check", json={"text": "Hello"}),
        await offline_client.get("/no-such-page"),
    ]:
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'self'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert "camera=()" in response.headers["permissions-policy"]
        assert "strict-transport-security" not in response.headers


async def test_frame_ancestors_and_hsts_are_configurable(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    settings = make_settings(
        redis_server.url, frame_ancestors="'self',https://app.chatwoot.com", hsts_max_age_s=31_536_000
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/")
    assert "frame-ancestors 'self' https://app.chatwoot.com" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers  # it cannot name an origin; CSP decides
    assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_security_headers_can_be_left_to_a_proxy(
    redis_server: EmbeddedRedis, redis_client: Any
) -> None:
    async with AsyncTestClient(
        app=create_app(make_settings(redis_server.url, security_headers=False))
    ) as client:
        response = await client.get("/")
    assert "content-security-policy" not in response.headers


async def test_cors_only_for_configured_origins(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    settings = make_settings(redis_server.url, cors_allow_origins="https://acme.zendesk.com", api_keys="k-1")
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, cache-control",
    }
    async with AsyncTestClient(app=create_app(settings)) as client:
        allowed = await client.options(
            "/v1/drafts/stream", headers={"Origin": "https://acme.zendesk.com", **preflight}
        )
        refused = await client.options(
            "/v1/drafts/stream", headers={"Origin": "https://evil.example", **preflight}
        )
        actual = await client.post(
            "/v1/guardrails/check",
            json={"text": "Hello"},
            headers={"Origin": "https://acme.zendesk.com", "Authorization": "Bearer k-1"},
        )
    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == "https://acme.zendesk.com"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert refused.headers.get("access-control-allow-origin") is None
    assert actual.headers["access-control-allow-origin"] == "https://acme.zendesk.com"
    assert "x-cache" in actual.headers["access-control-expose-headers"].lower()


async def test_no_cors_by_default(offline_client: AsyncTestClient[Any]) -> None:
    response = await offline_client.post(
        "/v1/guardrails/check", json={"text": "Hello"}, headers={"Origin": "https://elsewhere.example"}
    )
    assert "access-control-allow-origin" not in response.headers
