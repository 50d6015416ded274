"""create_app(settings) -> Litestar: plugins, routes, exception map, OpenAPI, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.pydantic import PydanticPlugin

from service import __version__
from service.api.auth import ApiKeys, require_api_key
from service.api.drafts import DraftsController
from service.api.drafts_stream import DraftStreamController
from service.api.errors import problem_details_plugin
from service.api.feedback import FeedbackController
from service.api.guardrails import GuardrailsController
from service.api.jobs import JobsController
from service.api.observability import request_context
from service.api.ratelimit import rate_limit
from service.api.security import cors_config, security_headers_hook
from service.api.system import live, metrics, ready
from service.api.ui import load_samples, ui_router
from service.api.webhooks import receive_webhook
from service.config import Settings
from service.server.runtime import Runtime, build_runtime

log = structlog.get_logger("tactful.app")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = build_runtime(settings)
        app.state.runtime = runtime
        await runtime.start()
        runtime.guardrails.warm_up()  # the first request does not compile the phrase tries
        # Everything loaded at start-up (lexicons, templates, compiled patterns) lives as long as the
        # process: freezing it keeps full collections from walking it, which cut p99 GC pauses of
        # 70-100 ms under load (see docs/decisions.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await runtime.close()

    def provide_runtime(state: State) -> Runtime:
        # Read per request from app state: the runtime is built in the lifespan, not at import.
        runtime: Runtime = state.runtime
        return runtime

    api_keys = ApiKeys(key.get_secret_value() for key in settings.auth.api_keys)
    if not api_keys.enabled:
        log.warning("auth.disabled", hint="set TACTFUL_API_KEYS before exposing this service")

    v1 = Router(
        path="/",
        route_handlers=[
            DraftsController,
            DraftStreamController,
            FeedbackController,
            GuardrailsController,
            JobsController,
        ],
        # The rate limit first: it checks the API key itself, so a bad key is a 401 and spends nothing.
        guards=[rate_limit, require_api_key],
        security=[{"bearer": []}] if api_keys.enabled else None,
    )
    # /metrics takes the metrics token or an API key once either is configured (service/api/system.py).
    scrape = Router(
        path="/",
        route_handlers=[metrics],
        security=[{"bearer": []}] if api_keys.enabled or settings.auth.metrics_token else None,
    )
    app = Litestar(
        # Webhooks sit outside the API-key guard: helpdesks authenticate by signing each delivery.
        route_handlers=[v1, receive_webhook, live, ready, scrape, ui_router()],
        lifespan=[lifespan],
        middleware=[request_context],
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False)},
        request_max_body_size=settings.limits.max_body_bytes,
        cors_config=cors_config(settings),
        before_send=[security_headers_hook(settings)],
        logging_config=None,  # our JSON logging is configured by the CLI; no body logging anywhere
        plugins=[
            # JSON names, not Python names, on the wire and in the schema (DraftAnalysis "register").
            PydanticPlugin(prefer_alias=True),
            # RFC 9457 bodies for every exception, through Litestar's plugin (service/api/errors.py).
            problem_details_plugin(),
        ],
        openapi_config=OpenAPIConfig(
            title="Tactful",
            version=__version__,
            description="Drafts empathetic, guardrail-checked replies to helpdesk tickets.",
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"]), YamlRenderPlugin()],
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
        ),
    )
    app.state.api_keys = api_keys
    app.state.samples = load_samples(settings.browser.samples_dir)
    return app
