"""SAQ's own log records print whole jobs (their kwargs are ticket threads, their results drafts)
and attach tracebacks of whatever failed. This filter reduces them to job ids before any handler
sees them; our own ``job.*`` records say what happened."""

from __future__ import annotations

import logging

from saq.job import Job


class JobRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        record.exc_info = None
        record.exc_text = None
        return True


def _redact(value: object) -> object:
    if isinstance(value, Job):
        return f"Job<{value.key}>"
    if isinstance(value, str | int | float):
        return value if not isinstance(value, str) or len(value) < 200 else "[withheld]"
    return type(value).__name__


def install() -> None:
    logger = logging.getLogger("saq")
    if not any(isinstance(f, JobRedactingFilter) for f in logger.filters):
        logger.addFilter(JobRedactingFilter())
