"""Edit distances, changed sentences and rewritten spans on known texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.feedback.distances import SpanRef, compare, normalise, sentences

DRAFT = "Hi Alex, I am sorry the parcel is late. It was your fault. We will refund you today."


def test_same_text_is_distance_zero_whatever_the_whitespace() -> None:
    report = compare(DRAFT, "  " + DRAFT.replace(" ", "  ") + "\r\n")
    assert report.char_distance == 0
    assert report.word_distance == 0
    assert report.changed_sentences == ()


def test_removing_a_blaming_sentence_rewrites_that_span_only() -> None:
    start = DRAFT.index("It was your fault.")
    spans = [SpanRef("no-blame", start, start + 18), SpanRef("acknowledgement", 9, 39)]
    report = compare(DRAFT, DRAFT.replace(" It was your fault.", ""), spans)
    assert report.rewritten_rules == ("no-blame",)
    assert report.carried_rules == ("acknowledgement", "no-blame")
    assert report.changed_sentences == (1,)
    assert report.sentences == 3
    assert 0 < report.char_distance < 0.3
    assert report.word_distance > report.char_distance  # one whole sentence of words went


def test_word_distance_counts_a_changed_word_once() -> None:
    report = compare("please wait", "please hold")
    assert report.word_distance == 0.5
    assert report.char_distance == 0.3636


def test_an_insertion_at_a_span_edge_does_not_rewrite_it() -> None:
    report = compare("Sorry. Done.", "Sorry. Truly. Done.", [SpanRef("acknowledgement", 0, 6)])
    assert report.rewritten_rules == ()


def test_sentences_and_normalise() -> None:
    assert sentences("Hello there! How are you?\nFine.") == ["Hello there!", "How are you?", "Fine."]
    assert normalise("a  b \n\n\n\n c") == "a b\n\nc"


@given(st.text(max_size=80), st.text(max_size=80))
def test_distances_are_bounded_and_symmetric_on_identity(a: str, b: str) -> None:
    report = compare(a, b, [SpanRef("x", 0, len(a))])
    assert 0 <= report.char_distance <= 1
    assert 0 <= report.word_distance <= 1
    assert compare(a, a).char_distance == 0
