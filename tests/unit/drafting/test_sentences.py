"""Plain paragraphs skip pysbd (service/language/sentences.py): pysbd must agree they are one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.language import sentences
from service.language.sentences import SEGMENT_LANGUAGES, is_plain, sentence_spans

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
