"""SAQ's own log records print whole jobs (their kwargs are ticket threads, their results drafts)
and attach tracebacks of whatever failed. This filter reduces them to job ids (or ``[withheld]``
when no id can be told apart safely) before any handler sees them; our own ``job.*`` records say
what happened."""

from __future__ import annotations

import logging
import re

from saq.job import Job

# Our job keys (service.jobs.queue.new_job_id): nothing of the ticket can have this shape by chance.
_JOB_KEY = re.compile(r"\bkey: (job_[0-9a-f]{32})\b")


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
    if isinstance(value, str) and value.startswith("Job<"):
        # SAQ's `Job.info()` string ("Processing %s"): at DEBUG it holds the kwargs (the thread),
        # so it never passes as is. Only the key survives, and only when exactly one well-formed
        # key is in it; anything ambiguous is withheld.
        keys = set(_JOB_KEY.findall(value))
        return f"Job<{keys.pop()}>" if len(keys) == 1 else "[withheld]"
    if isinstance(value, str | int | float):
        return value if not isinstance(value, str) or len(value) < 200 else "[withheld]"
    return type(value).__name__


def install() -> None:
    logger = logging.getLogger("saq")
    if not any(isinstance(f, JobRedactingFilter) for f in logger.filters):
        logger.addFilter(JobRedactingFilter())
