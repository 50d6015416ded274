"""Property-based requests generated from our own OpenAPI schema (schemathesis), over loopback HTTP.

The real app runs under uvicorn in a thread on a real Redis; the `st` CLI generates requests for
every operation and checks each response: no 5xx, status codes, content types, headers and
bodies as the schema documents them. Here a short run; `python -m bench.faults schemathesis`
sends thousands.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bench.faults import run_schemathesis
from bench.mock_llm import bind_socket
from service.app import create_app
from service.server.embedded_redis import EmbeddedRedis
from tests.integration.conftest import make_settings


@pytest.fixture
def loopback_api(redis_server: EmbeddedRedis) -> Iterator[str]:
    # No rate limit: the generator sends hundreds of requests from one address.
    app = create_app(make_settings(redis_server.url, rate_limit_api=0))
    sock = bind_socket()
    config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False, ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the API stopped during start-up"
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_generated_requests_find_no_server_error_and_no_schema_violation(
    loopback_api: str, redis_client: Any, tmp_path: Path
) -> None:
    run = run_schemathesis(loopback_api, max_examples=4, scratch=tmp_path, phases="fuzzing")
    assert run.operations >= 6  # drafts, drafts/stream, guardrails/check, live, ready, metrics
    assert run.requests >= 15  # parameterless GETs have one case each
    assert run.server_errors == 0
    assert run.failures == 0, (tmp_path / "schemathesis.log").read_text(encoding="utf-8")[-3_000:]
    assert run.errors == 0
    assert run.exit_code == 0
