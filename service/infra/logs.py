"""JSON logs for people who must not see ticket text.

Everything (our structlog loggers, uvicorn, litestar) goes out as one JSON object per line on
stderr. Call sites log ids, counts, statuses and timings only; the ``_scrub`` processor is a second
line of defence that drops fields whose names suggest content (body, text, draft, prompt...).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_CONTENT_FIELDS = frozenset(
    {"body", "text", "draft", "reply", "prompt", "messages", "content", "thread", "subject", "api_key",
     "authorization", "secret", "password", "token", "email", "signature"}
)  # fmt: skip


# Libraries that put request or response content in their DEBUG records: the openai SDK logs
# every request's options (the whole prompt, ticket text included), httpx/httpcore log headers
# and bodies' metadata. Whatever level is asked for, they log warnings and above only.
_CONTENT_LOGGERS = ("openai", "httpx", "httpcore", "hpack")


def _scrub(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for name in list(event):
        if name.casefold() in _CONTENT_FIELDS:
            event[name] = "[withheld]"
    return event


def configure_logging(level: str = "INFO") -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _scrub,
    ]
    structlog.configure(
        # filter_by_level first: a line below the level costs one check, not the whole chain.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in _CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
