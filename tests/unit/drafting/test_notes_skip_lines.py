"""Note lines with no constraint or refund cue skip pysbd (service/language/notes.py), and the
loose cue pattern that decides it finds every cue a sentence of the line holds."""

from __future__ import annotations

import pytest

from service.language import sentences
from service.language.cues import compile_cues, compile_loose, fold
from service.language.notes import read_notes
from service.language.sentences import sentence_spans
from tests.unit.drafting.conftest import MakeThread

NOTE = (
    "Customer called twice today. Verified the account via callback. Billing confirmed it.\n"
    "Do not unlock the account until Monday. Refund RF-11902 issued, 5-10 business days.\n"
    "Spoke to Priya at 3pm. She was calm. Ticket merged."
)


def test_only_lines_with_a_cue_are_segmented(make_thread: MakeThread) -> None:
    thread = make_thread("Any news?", {"role": "note", "body": NOTE})
    sentences._segment.cache_clear()
    facts = read_notes(thread, "en")
    assert facts.constraints == ("Do not unlock the account until Monday.",)
    assert facts.forbidden == frozenset({"password_reset"})
    assert (facts.refund_ref, facts.refund_timeline) == ("RF-11902", "5-10 business days")
    assert sentences._segment.cache_info().currsize == 1  # the second line only


def test_every_line_is_segmented_without_keep() -> None:
    sentences._segment.cache_clear()
    spans = sentence_spans(NOTE, "en")
    assert len(spans) == 8
    assert sentences._segment.cache_info().currsize == 3


def test_keep_drops_the_lines_it_refuses() -> None:
    spans = sentence_spans(NOTE, "en", keep=lambda line: "Refund" in line)
    assert [NOTE[a:b] for a, b in spans] == [
        "Do not unlock the account until Monday.",
        "Refund RF-11902 issued, 5-10 business days.",
    ]


@pytest.mark.parametrize(
    ("cues", "sentence", "line"),
    [
        (["do not"], "Do not refund.", "Noted.Do not refund."),
        (["frustrat*"], "Frustrating!", "So frustrating!"),
        (["on hold", "hold"], "On-hold now.", "Put it on-hold now."),
        (["sin "], "Sin reembolso.", "Cliente llamó. Sin reembolso."),
    ],
)
def test_the_loose_pattern_finds_in_the_line_what_the_cue_finds_in_its_sentence(
    cues: list[str], sentence: str, line: str
) -> None:
    bounded, loose = compile_cues(cues), compile_loose(cues)
    assert bounded is not None
    assert loose is not None
    assert bounded.search(fold(sentence)) is not None
    assert loose.search(fold(line)) is not None


def test_the_loose_pattern_is_none_without_cues() -> None:
    assert compile_loose(["", "  "]) is None
