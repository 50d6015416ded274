""".env.example lists every setting; the container health check works against a real server."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar

from service.app import create_app
from service.config_docs import ENV_EXAMPLE, render_env_example
from service.server.embedded_redis import EmbeddedRedis, free_port
from service.server.healthcheck import check_http, check_redis, main
from tests.deploy.conftest import env_example_names, setting_env_names
from tests.integration.conftest import make_settings
from tests.streaming_llm import serve


def test_env_example_is_generated_from_settings() -> None:
    assert ENV_EXAMPLE.read_text(encoding="utf-8") == render_env_example(), (
        "run: python -m service.config_docs"
    )


def test_env_example_lists_every_setting() -> None:
    assert setting_env_names() <= env_example_names()


async def test_http_check_against_the_running_app(redis_server: EmbeddedRedis, redis_client: Any) -> None:
    app: Litestar = create_app(make_settings(redis_server.url))
    async with serve(app, lifespan="on") as url:
        port = int(url.rsplit(":", 1)[1])
        # In a thread: the server runs on this event loop, and the check blocks.
        assert await asyncio.to_thread(check_http, port)
    assert not check_http(port)  # stopped
    assert not check_http(free_port())


def test_redis_check(redis_server: EmbeddedRedis, monkeypatch: Any) -> None:
    assert check_redis(redis_server.url)
    assert not check_redis(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("TACTFUL_REDIS_URL", redis_server.url)
    assert main(["--redis"]) == 0
    monkeypatch.delenv("TACTFUL_REDIS_URL")
    assert main(["--redis"]) == 1
