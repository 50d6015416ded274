"""Sanity run of the check on 2 KB replies. Timing is measured in bench/, never asserted here."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails
from service.language.analysis import Emotion
from service.models import Verdict

from .support import context

pytestmark = pytest.mark.slow  # timing checks: repeated full-ruleset runs

PARAGRAPH = (
    "I understand how frustrating it is when a payroll run fails right before a deadline. I've looked "
    "into your account and found the export job stalled at 14:02; I restarted it and the payslips are "
    "now in the dashboard. I'll keep an eye on the next run. "
)
CLEAN = ("Hi Ana,\n\n" + PARAGRAPH * 10)[:2048]
# No acknowledgement, non-ASCII, quotes and every kind of finding: the slow paths.
BUSY = (
    "Bonjour\u00a0Marie,\r\n\r\n> Vous avez \u00e9crit \u00abc'est votre faute\u00bb\r\n"
    "Nous ne pouvons pas rembourser. You should have read the FAQ [1]. Hi [Name], token ghp_"
    + "a1B2" * 9
    + ". Stra\u00dfe \ufb01le caf\u00e9\u200b. "
) * 11
BUSY = BUSY[:2048]


def test_check_runs_on_2kb_replies(guardrails: Guardrails) -> None:
    upset = context(Emotion.frustrated)
    assert len(CLEAN) == 2048
    assert len(BUSY) == 2048
    first_clean = guardrails.check(CLEAN, upset)
    first_busy = guardrails.check(BUSY, upset)
    assert first_clean.verdict is Verdict.pass_
    assert first_busy.verdict is Verdict.block
    for _ in range(200):  # the engine is pure: same input, same report
        assert guardrails.check(CLEAN, upset) == first_clean
        assert guardrails.check(BUSY, upset) == first_busy
