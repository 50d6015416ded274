"""The phrase compiler: expansion syntax, the trie regex, windows."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.guardrails.document import scan_text
from service.guardrails.phrases import LexiconError, PhraseMatcher, _trie_regex, expand


def test_groups_expand_with_optional_alternative() -> None:
    assert sorted(expand("i'm (so |really |)sorry")) == ["i'm really sorry", "i'm so sorry", "i'm sorry"]


def test_comma_is_optional() -> None:
    assert sorted(expand("ich verstehe, wie")) == ["ich verstehe wie", "ich verstehe, wie"]


def test_phrases_are_normalised_like_text() -> None:
    assert expand("I\u2019M  Sorry") == ["i'm sorry"]


@pytest.mark.parametrize("bad", ["(a|(b|c))", "a (b", "a b)", "sorry,", "(a|)", "'tis", "a ¿ b", "a: b"])
def test_malformed_phrases_fail_at_load(bad: str) -> None:
    with pytest.raises(LexiconError):
        expand(bad)


def test_gap_matches_one_to_four_words_inside_a_sentence() -> None:
    matcher = PhraseMatcher([("e", ["sie hätten ... lesen sollen"])])
    assert [h.literal for h in matcher.finditer(scan_text("sie hätten die anleitung lesen sollen"))] == [
        "sie hätten ... lesen sollen"
    ]
    assert list(matcher.finditer(scan_text("sie hätten. die anleitung lesen sollen"))) == []
    assert list(matcher.finditer(scan_text("sie hätten a b c d e lesen sollen"))) == []


def test_word_boundaries() -> None:
    matcher = PhraseMatcher([("e", ["your fault"])])
    assert [(h.start, h.end) for h in matcher.finditer(scan_text("it's your fault!"))] == [(5, 15)]
    assert list(matcher.finditer(scan_text("it's your faults"))) == []
    assert list(matcher.finditer(scan_text("notyour fault"))) == []


def test_longest_literal_wins() -> None:
    matcher = PhraseMatcher([("short", ["sorry"]), ("long", ["sorry you feel that way"])])
    hits = list(matcher.finditer(scan_text("i'm sorry you feel that way.")))
    assert [(h.entry, h.literal) for h in hits] == [("long", "sorry you feel that way")]


def test_near_only_reports_overlapping_matches() -> None:
    matcher = PhraseMatcher([("e", ["sorry, but", "user error"])])
    text = "user error here; i am sorry, but no"
    start = text.index("sorry")
    scan = scan_text(text)
    assert [(h.literal, h.start) for h in matcher.near(scan, start, start + 5)] == [("sorry, but", start)]
    assert matcher.near(scan, 12, 15) == []
    assert [h.start for h in matcher.near(scan, 0, 3)] == [0]


def test_empty_matcher_finds_nothing() -> None:
    assert list(PhraseMatcher([]).finditer(scan_text("anything"))) == []


words = st.lists(st.sampled_from(["a", "ab", "abc", "b", "ba", "x y", "xy", "ab c"]), min_size=1, max_size=8)


@given(words, st.text(alphabet="abcxy ", max_size=40))
def test_trie_regex_matches_like_a_plain_alternation(literals: list[str], text: str) -> None:
    # Greedy trie = plain alternation sorted longest first.
    plain = "|".join(re.escape(w).replace(r"\ ", r"\s") for w in sorted(set(literals), key=len, reverse=True))
    trie = re.compile(rf"\b(?:{_trie_regex(literals)})\b")
    reference = re.compile(rf"\b(?:{plain})\b")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in reference.finditer(text)]


def test_offsets_skip_the_scan_prefix_and_symbols_count_as_boundaries() -> None:
    matcher = PhraseMatcher([("e", ["your fault"])])
    assert [(h.start, h.end) for h in matcher.finditer(scan_text("your fault"))] == [(0, 10)]
    assert [(h.start, h.end) for h in matcher.finditer(scan_text("—your fault•"))] == [(1, 11)]
    assert [(h.start, h.end) for h in matcher.finditer(scan_text("(your fault)"))] == [(1, 11)]
