"""The agent page: ``/`` (index.html), ``/insights`` (insights.html), their static files under
``/static``, and two small JSON helpers.

- ``GET /ui/config``: what the page needs to know before its first request (whether an API key is
  required). Public: it reveals nothing but that.
- ``GET /ui/samples`` and ``GET /ui/samples/{name}``: the sample threads of ``TACTFUL_SAMPLES_DIR``
  (``seeds/threads`` in a checkout) for the page's picker, loaded and validated once at start-up.

None of these are part of the API, so they stay out of the OpenAPI document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router
from pydantic import ValidationError

from service.models import Thread

log = structlog.get_logger("tactful.ui")

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Revalidate on every load (ETag / Last-Modified make that cheap): an upgrade shows at once.
REVALIDATE = CacheControlHeader(no_cache=True)


@dataclass(frozen=True)
class Sample:
    name: str
    title: str
    thread: dict[str, Any]


def load_samples(folder: Path) -> dict[str, Sample]:
    """Every ``*.json`` in ``folder`` that is a valid Thread, by file stem, sorted by name."""
    samples: dict[str, Sample] = {}
    if not folder.is_dir():
        return samples
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            thread = Thread.model_validate(data)
        except (OSError, ValueError, ValidationError):
            log.warning("ui.sample_skipped", file=path.name)  # the name only, never the content
            continue
        customer = thread.customer.name or "Customer"
        title = f"{thread.subject or path.stem.replace('_', ' ')} · {customer}"
        samples[path.stem] = Sample(path.stem, title, data)
    return samples


@get("/", include_in_schema=False, cache_control=REVALIDATE)
async def index() -> File:
    return File(WEB_DIR / "index.html", content_disposition_type="inline", media_type="text/html")


@get("/insights", include_in_schema=False, cache_control=REVALIDATE)
async def insights() -> File:
    """The Insights page: the feedback summary as charts (its data comes from the API, per key)."""
    return File(WEB_DIR / "insights.html", content_disposition_type="inline", media_type="text/html")


@get("/ui/config", include_in_schema=False, cache=False)
async def ui_config(state: State) -> dict[str, Any]:
    return {"auth_required": state.api_keys.enabled}


@get("/ui/samples", include_in_schema=False, cache_control=REVALIDATE)
async def list_samples(state: State) -> list[dict[str, str]]:
    samples: dict[str, Sample] = state.samples
    return [{"name": s.name, "title": s.title} for s in samples.values()]


@get("/ui/samples/{name:str}", include_in_schema=False, cache_control=REVALIDATE)
async def get_sample(state: State, name: FromPath[str]) -> Response[dict[str, Any]]:
    sample = state.samples.get(name)
    if sample is None:
        raise NotFoundException("No sample thread by that name.")
    return Response(sample.thread)


def ui_router() -> Router:
    static = create_static_files_router(
        path="/static",
        directories=[WEB_DIR],
        include_in_schema=False,
        cache_control=REVALIDATE,
        send_as_attachment=False,
    )
    return Router(path="/", route_handlers=[index, insights, ui_config, list_samples, get_sample, static])
