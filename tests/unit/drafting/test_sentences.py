"""Plain and one-sentence paragraphs skip pysbd (service/language/sentences.py): pysbd must agree
they are one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.language import sentences
from service.language.sentences import SEGMENT_LANGUAGES, is_one_sentence, is_plain, sentence_spans

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
LANGUAGES = sorted(SEGMENT_LANGUAGES | {"pt"})


def _seed_lines() -> list[str]:
    lines: set[str] = set()
    for path in sorted(SEEDS.glob("threads*/*.json")):
        for message in json.loads(path.read_text(encoding="utf-8"))["messages"]:
            lines.update(line for line in message["body"].split("\n") if line.strip())
    return sorted(lines)


def _pysbd(paragraph: str, language: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in sentences._segmenter(language).segment(paragraph) if s.strip())


@pytest.mark.parametrize("language", LANGUAGES)
def test_pysbd_answers_every_plain_seed_line_whole(language: str) -> None:
    plain = [line for line in _seed_lines() if is_plain(line)]
    assert len(plain) > 50  # greetings, sign-offs, names: the lines the shortcut is for
    assert [line for line in plain if _pysbd(line, language) != (line.strip(),)] == []


@pytest.mark.parametrize(
    "line",
    ["Hi Sam,", "  Kind regards ", "Dana Reyes", "Order 12345", "I'm stuck, it's urgent", "Grüße, Jörg"],
)
def test_plain_lines(line: str) -> None:
    assert is_plain(line)
    assert _pysbd(line, "en") == (line.strip(),)


@pytest.mark.parametrize(
    "line",
    ["Hi. Sam", "Why?", "1) first 2) second", "a) one b) two", "ref_no", "wait!", "x\ry", "“quoted”", "3.5"],
)
def test_lines_with_a_possible_boundary_go_to_pysbd(line: str) -> None:
    assert not is_plain(line)


def test_spans_are_those_pysbd_gives() -> None:
    text = "Hi Sam,\n\nMy card was charged twice. Please refund one.\n  Thanks, Dana  \n"
    sentences._segment.cache_clear()
    spans = sentence_spans(text, "en")
    assert [text[a:b] for a, b in spans] == [
        "Hi Sam,",
        "My card was charged twice.",
        "Please refund one.",
        "Thanks, Dana",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pysbd_answers_every_one_sentence_seed_line_whole(language: str) -> None:
    lines = [line for line in _seed_lines() if is_one_sentence(line) and not is_plain(line)]
    assert len(lines) > 50  # questions and statements ending in their only full stop
    padded = [f"  {line} " for line in lines]
    assert [line for line in lines + padded if _pysbd(line, language) != (line.strip(),)] == []


@pytest.mark.parametrize(
    "line",
    [
        "Can you refund the second charge?",
        "Order 5521 hasn't arrived: it's late!",
        "Why?!",
        "Wait...",
        "Choose option a.",
        "Is it 50% off, or $5?",
        "Say hi to Mr.",
        "l’été est là.",
        "Zahlung am 1.",
        " Tom & Jerry! ",
    ],
)
def test_one_sentence_lines(line: str) -> None:
    assert is_one_sentence(line)
    for language in LANGUAGES:
        assert _pysbd(line, language) == (line.strip(),)


@pytest.mark.parametrize(
    "line",
    [
        "Hi. Sam.",  # a full stop before the end
        "Rock-' Roll.",  # a quote after a dash splits before a capital
        "(see below) Then it failed.",  # a bracket before a capital
        "It's the “Pro” plan.",
        "1) first 2) second.",
        "abȸcd.",  # one of pysbd's own placeholder letters
        "Really????",  # a run of four marks
        "Step 2 .",
        "Hello\tthere.",
    ],
)
def test_lines_pysbd_may_cut_are_not_one_sentence(line: str) -> None:
    assert not is_one_sentence(line)


def test_a_shape_pysbd_cuts_is_refused() -> None:
    # The shapes refused above are refused for a reason: pysbd answers these in two pieces.
    assert len(_pysbd("Rock-' Roll.", "en")) == 2
    assert len(_pysbd("abȸcd.", "en")) == 2


def test_one_sentence_span_is_the_stripped_paragraph() -> None:
    text = "Hi Sam,\n  Can you refund the second charge?  \nIt was late. Very late.\n"
    sentences._segment.cache_clear()
    spans = sentence_spans(text, "en")
    assert [text[a:b] for a, b in spans] == [
        "Hi Sam,",
        "Can you refund the second charge?",
        "It was late.",
        "Very late.",
    ]
    assert sentences._segment.cache_info().currsize == 1  # only the two-sentence line met pysbd
