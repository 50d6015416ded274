"""Browser-facing protections: security headers on every response, and CORS when configured.

The agent page is served by this app and loads nothing from elsewhere (no CDN, no web font), so its
Content-Security-Policy can be strict: everything from 'self', no inline script or style, no
plugins. ``frame-ancestors`` is the one part operators change: a helpdesk that embeds the page
(a Chatwoot Dashboard App, a Zendesk sidebar iframe) has to be listed there.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from service.config import Settings

# Headers a browser page on another origin may send and read (CORS).
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Cache-Control"]
CORS_EXPOSED_HEADERS = ["X-Cache", "Server-Timing", "Retry-After"]


def content_security_policy(frame_ancestors: list[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": " ".join(frame_ancestors) or "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers added to every response, computed once from the settings."""
    if not settings.browser.security_headers:
        return {}
    headers = {
        "Content-Security-Policy": content_security_policy(settings.browser.frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": settings.browser.referrer_policy,
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }
    # Older browsers only know X-Frame-Options, which cannot list origins: send it when it says
    # the same as frame-ancestors, and leave it out otherwise (CSP wins where both are known).
    legacy_values: dict[tuple[str, ...], str] = {("'none'",): "DENY", ("'self'",): "SAMEORIGIN"}
    legacy = legacy_values.get(tuple(settings.browser.frame_ancestors))
    if legacy:
        headers["X-Frame-Options"] = legacy
    if settings.browser.hsts_max_age_s > 0:
        headers["Strict-Transport-Security"] = f"max-age={settings.browser.hsts_max_age_s}"
    return headers


def security_headers_hook(settings: Settings) -> BeforeMessageSendHookHandler:
    # Encoded once; names lower-cased as ASGI header names are compared.
    encoded = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in security_headers(settings).items()
    ]

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or not encoded:
            return
        # One pass over the response's headers rather than a case-insensitive search per header
        # (MutableScopeHeaders decodes every name on every lookup): this runs on every response.
        response_headers = MutableScopeHeaders.from_message(message).headers
        present = {name.lower() for name, _ in response_headers}
        # A handler that set its own value (e.g. a stricter policy) keeps it.
        response_headers.extend(header for header in encoded if header[0] not in present)

    return add_headers


def cors_config(settings: Settings) -> CORSConfig | None:
    if not settings.browser.cors_allow_origins:
        return None
    return CORSConfig(
        allow_origins=settings.browser.cors_allow_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,  # API keys travel in the Authorization header, never in cookies
        max_age=600,
    )
