"""The issue said back is never the subject line quoted; its reference may be folded in (issue 13).

New example subjects, written for these tests.
"""

from __future__ import annotations

import pytest

from service.drafting.composer import compose_offline
from service.drafting.restate import restatement
from service.drafting.voice import voice_for
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread

_ANGRY = "This is unacceptable. Nobody has fixed it and I keep getting fobbed off every single time."


@pytest.mark.parametrize(
    "subject",
    [
        "Tweet: broken zip on the winter jacket",
        "Washing machine drum noise – order WM-448812",
        "Ticket 77120045",
    ],
)
def test_the_subject_line_is_never_quoted_back(make_thread: MakeThread, subject: str) -> None:
    thread = make_thread(_ANGRY, subject=subject, channel="email")
    analysis = analyse_thread(thread)
    restated = restatement(thread, analysis, voice_for(thread, analysis))
    assert restated == ""  # no sentence of theirs can be turned: nothing rather than a quotation
    assert f'"{subject}"' not in compose_offline(thread, analysis)


def test_the_subject_reference_and_deadline_are_folded_in(make_thread: MakeThread) -> None:
    thread = make_thread(
        "I need a corrected copy with our VAT number on it.",
        subject="Invoice INV-20931 – VAT number missing – needed before Friday",
        channel="email",
    )
    analysis = analyse_thread(thread)
    restated = restatement(thread, analysis, voice_for(thread, analysis))
    assert restated == (
        "I understand that you need a corrected copy with your VAT number on it before Friday "
        "(your reference INV-20931)."
    )


@pytest.mark.parametrize("channel", ["sms", "social"])
def test_short_public_channels_never_get_the_reference(make_thread: MakeThread, channel: str) -> None:
    thread = make_thread("I need a new copy of the invoice.", subject="Invoice INV-20931", channel=channel)
    analysis = analyse_thread(thread)
    assert "INV-20931" not in restatement(thread, analysis, voice_for(thread, analysis))


def test_sarcasm_is_never_quoted_back(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Wow, brilliant service as always 👏 my train ticket refund vanished into thin air. Great job.",
        channel="email",
    )
    analysis = analyse_thread(thread)
    if not any(f.feeling.value == "sarcasm" for f in analysis.feelings):
        pytest.skip("the reading does not see sarcasm here; the rule applies only when it does")
    reply = compose_offline(thread, analysis)
    assert "brilliant service" not in reply


def test_a_version_number_in_a_note_is_not_a_date(make_thread: MakeThread) -> None:
    from service.drafting.note_outcomes import read_note_outcomes

    thread = make_thread(
        "Seit dem Update startet die Kamera-App nicht mehr. Kommt da eine Lösung?",
        {"role": "note", "body": "Bekannt. Fix kommt mit Version 2.4.1 am 14.05. in den Store."},
        channel="email",
    )
    found = read_note_outcomes(thread, analyse_thread(thread).language)
    dates = [o.date for o in found.outcomes if o.kind == "fix_scheduled"]
    assert dates == ["14.05."]
