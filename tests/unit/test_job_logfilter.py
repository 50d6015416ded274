"""SAQ's log records keep the job's key and never its kwargs (the ticket thread)."""

from __future__ import annotations

import logging

import pytest
from saq.job import Job

from service.jobs.logfilter import JobRedactingFilter
from service.jobs.queue import new_job_id

TICKET = "Periwinkle octopus 7731 ate my invoice"


def processing(info: str) -> str:
    record = logging.LogRecord("saq", logging.INFO, __file__, 1, "Processing %s", (info,), None)
    assert JobRedactingFilter().filter(record)
    return record.getMessage()


@pytest.mark.parametrize("full", [False, True], ids=["info", "debug"])
def test_processing_line_names_the_job_key(full: bool) -> None:
    key = new_job_id()
    job = Job("draft_webhook", kwargs={"thread": {"body": TICKET}}, key=key, attempts=1)
    assert processing(job.info(full)) == f"Processing Job<{key}>"


def test_a_second_key_in_the_ticket_text_is_withheld() -> None:
    key = new_job_id()
    job = Job("draft_webhook", kwargs={"body": f"{TICKET}, key: {new_job_id()}"}, key=key)
    message = processing(job.info(True))
    assert message == "Processing [withheld]"
    assert "Periwinkle" not in message


def test_short_job_strings_never_pass_as_is() -> None:
    # Under 200 characters used to pass unchanged: a short thread at DEBUG would have leaked.
    message = processing(f"Job<function: f, kwargs: {{'body': '{TICKET}'}}>")
    assert message == "Processing [withheld]"
