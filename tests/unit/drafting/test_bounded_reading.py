"""The issue and the latest request are searched in bounded windows of the thread (issue 14): a
turn of ten 99,000-character messages costs what a few ordinary messages do."""

from __future__ import annotations

import pytest

import service.language.analysis as analysis_module
import service.language.request as request_module
from service.language.analysis import _ISSUE_SEARCH_CHARS, analyse_thread
from service.language.cues import fold
from service.language.request import find_request
from service.language.sentences import HEAD_CHARS, TAIL_CHARS, sentence_spans
from tests.unit.drafting.conftest import MakeThread

HUGE = "My order never arrived and tracking shows nothing. " * 1_940  # 98,940 characters


@pytest.fixture
def segmented(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Characters the issue search hands to sentence splitting, per call."""
    sizes: list[int] = []

    def recorded(text: str, language: str) -> list[tuple[int, int]]:
        sizes.append(min(len(text), HEAD_CHARS + TAIL_CHARS))  # what sentence_spans segments
        return sentence_spans(text, language)

    monkeypatch.setattr(analysis_module, "sentence_spans", recorded)
    return sizes


def test_the_issue_search_segments_a_bounded_number_of_characters(
    make_thread: MakeThread, segmented: list[int]
) -> None:
    # Ten messages in the customer's turn, five more before it: fifteen windows of ~1,400
    # characters were split into sentences (pysbd, ~7 us a character: ~150 ms).
    earlier = [HUGE] * 5
    thread = make_thread(*earlier, {"role": "agent", "body": "Looking into it."}, *[HUGE] * 10)
    analysis = analyse_thread(thread)
    assert analysis.issue.startswith("My order never arrived")
    assert sum(segmented) <= _ISSUE_SEARCH_CHARS + HEAD_CHARS + TAIL_CHARS  # + the last-resort read


def test_a_chat_burst_of_short_lines_is_still_searched_whole(
    make_thread: MakeThread, segmented: list[int]
) -> None:
    lines = ["hi, the printer keeps saying paper jam", *(["hello? anyone there"] * 9)]
    analysis = analyse_thread(make_thread(*lines))
    assert analysis.issue == "the printer keeps saying paper jam"  # from the oldest of ten
    assert len(segmented) >= 10


def test_the_latest_request_folds_only_the_sentences_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    folded: list[int] = []

    def recorded(text: str) -> str:
        folded.append(len(text))
        return fold(text)

    monkeypatch.setattr(request_module, "fold", recorded)
    text = HUGE + " Can you refund me today?"
    request = find_request(text, "en")
    assert request is not None
    assert request.text == "Can you refund me today?"
    assert text[request.start : request.end] == request.text
    assert max(folded) <= HEAD_CHARS  # sentences of the opening and the end, never the 99,000
