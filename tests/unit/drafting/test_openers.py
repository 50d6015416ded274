"""The opener matches what the customer feels, and the reply never opens with two (issue 13).

New example text, written for these tests.
"""

from __future__ import annotations

import dataclasses

import pytest

from service.drafting import composer
from service.drafting.acknowledge import acknowledgement_key
from service.drafting.composer import Composed
from service.drafting.prompts import PromptBuilder
from service.language.analysis import analyse_thread
from service.models import Thread
from tests.unit.drafting.conftest import MakeThread, offline_pipeline


def test_a_calm_customer_under_time_pressure_is_not_thanked_for_clear_details(
    make_thread: MakeThread,
) -> None:
    thread = make_thread(
        "My ferry leaves in two hours and the boarding pass in the app shows the wrong date. "
        "I need the corrected one urgently, can you send it?",
        channel="chat",
    )
    analysis = analyse_thread(thread)
    key = acknowledgement_key(analysis, waited=False, our_fault=False)
    assert key not in {"calm_question", "calm_problem", "joy"}


async def test_a_repaired_opener_replaces_ours_instead_of_stacking(
    builder: PromptBuilder, make_thread: MakeThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the guardrail has to put its own acknowledgement in, the composer's line goes."""
    weak = "Thanks for your message."
    real = composer.compose_offline_with_gaps

    def with_weak_opener(*args: object, **kwargs: object) -> Composed:
        made = real(*args, **kwargs)  # type: ignore[arg-type]
        text = made.text.replace(made.acknowledgement, weak, 1)
        return dataclasses.replace(made, text=text, acknowledgement=weak)

    monkeypatch.setattr("service.drafting.pipeline.compose_offline_with_gaps", with_weak_opener)
    thread: Thread = make_thread(
        "This is the third time the heating engineer has not turned up, and I'm furious. "
        "I took another day off work for nothing.",
        channel="email",
    )
    result = (await offline_pipeline(builder).draft(thread)).result
    assert result.reply is not None  # acknowledged, so sendable after review
    assert weak not in result.reply
    assert not any(f.rule == "acknowledgement" for f in result.guardrails.findings)


def test_the_time_lead_in_introduces_the_facts_not_the_restatement(make_thread: MakeThread) -> None:
    from service.drafting.composer import compose_offline

    thread = make_thread(
        "I fly out tomorrow morning and I'm worried sick, so I need to know urgently: "
        "has the hold on my rental deposit been lifted?",
        {"role": "note", "body": "Deposit hold released today, ref DEP-40917, 300 EUR. Banks take 3-5 days."},
        channel="email",
    )
    reply = compose_offline(thread, analyse_thread(thread))
    lead_in = "I know time is short, so here is where things stand."
    assert lead_in in reply
    assert reply.index(lead_in) < reply.index("DEP-40917")
    after = reply[reply.index(lead_in) + len(lead_in) :].lstrip()
    assert after.startswith("The deposit")


def test_time_pressure_alone_is_acknowledged_once_without_the_lead_in(make_thread: MakeThread) -> None:
    """With no other feeling, the pressure is the opener ("pressed"); the "time is short" lead-in
    would say it a second time."""
    from service.drafting.composer import compose_offline

    thread = make_thread(
        "I fly out tomorrow morning and need to know urgently: "
        "has the hold on my rental deposit been lifted?",
        {"role": "note", "body": "Deposit hold released today, ref DEP-40917, 300 EUR. Banks take 3-5 days."},
        channel="email",
    )
    analysis = analyse_thread(thread)
    assert acknowledgement_key(analysis, waited=False, our_fault=False, thread=thread) == "pressed"
    reply = compose_offline(thread, analysis)
    assert "time-sensitive" in reply
    assert "I know time is short" not in reply
    assert "worrying" not in reply
