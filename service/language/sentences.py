"""Sentence boundaries with pysbd, as offsets into the original text.

pysbd knows abbreviations, dates ("1. März", "Jan. 3"), decimals and initials in each of our five
languages, which the old home-made regex split on. It costs about 7 µs per character, so only a
bounded window is segmented: the opening and the end of a message, where customers put what they
want; a wall of log in the middle is never read sentence by sentence.

One draft reads the same text more than once (the request and the issue both segment the newest
customer message, and every prompt render reads the notes again), so pysbd's answer per paragraph
is kept in a bounded LRU cache: ``SEGMENT_CACHE_SIZE`` paragraphs of at most ``HEAD_CHARS``
characters each (the windows), about 2 MB at most, per process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

import pysbd
from pydantic import BaseModel, ConfigDict

from service.language.data import load_table

SEGMENT_LANGUAGES = frozenset({"en", "es", "de", "fr", "it", "nl"})
# pysbd has no Portuguese rules; Spanish ones know the same abbreviations (Sr., Sra., Dr., n.º).
_STAND_IN = {"pt": "es"}
HEAD_CHARS = 1_000
TAIL_CHARS = 400
SEGMENT_CACHE_SIZE = 1_024


class _SentencesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    abbreviations: dict[str, frozenset[str]]


_LAST_WORD = re.compile(r"(\w+)\.\s*$")


@cache
def _abbreviations(language: str) -> frozenset[str]:
    return load_table("sentences", _SentencesFile).abbreviations.get(language, frozenset())


def _ends_in_abbreviation(sentence: str, language: str) -> bool:
    match = _LAST_WORD.search(sentence)
    return match is not None and match.group(1).lower() in _abbreviations(language)


@cache
def _segmenter(language: str) -> pysbd.Segmenter:
    language = _STAND_IN.get(language, language)
    return pysbd.Segmenter(language=language if language in SEGMENT_LANGUAGES else "en", clean=False)


# A paragraph of nothing but letters, digits, spaces, commas and apostrophes is one sentence: pysbd
# splits only at terminal punctuation (. ! ? and their full-width forms), at list markers (which
# need "." or ")") and at line breaks, so it would answer the paragraph whole. Greetings, sign-offs
# and names ("Hi Sam,", "Kind regards", "Dana Reyes") are such lines, and a pysbd call costs about
# 0.3 ms however short its text (tests/unit/drafting/test_sentences.py checks the agreement).
_PLAIN = re.compile(r"[^\W_]*(?:[ ,'’]+[^\W_]*)*")


def is_plain(paragraph: str) -> bool:
    return _PLAIN.fullmatch(paragraph) is not None


# A paragraph whose only terminal punctuation is one run of at most three marks at its very end
# ("Can you refund the second charge?", "Order 5521 hasn't arrived: it's late!") is one sentence
# too. pysbd cuts at terminal punctuation, at a list marker ("1." or "a)"), at a bracket or a quote
# before a capital ("(see below) Then", "rock-' Roll") and at its own placeholder letters (it uses
# ȸ, ȹ, ƪ and Canadian syllabics internally); this shape allows none of them before the end:
# words of Latin letters and digits (an apostrophe only inside a word), joined by spaces and
# symbols that never end a sentence. One pysbd call costs ~0.3 ms however short its text, and
# such lines are a fifth of what a draft segments (tests/unit/drafting/test_sentences.py checks
# that pysbd agrees, in all seven segmenter languages).
_LATIN_WORD = r"[0-9A-Za-zÀ-ÖØ-öø-ÿĀ-ſ]+(?:['’][0-9A-Za-zÀ-ÖØ-öø-ÿĀ-ſ]+)*"
_ONE_SENTENCE = re.compile(rf" *{_LATIN_WORD}(?:[ ,:;/&+%#@$€£-]+{_LATIN_WORD})*[.!?]{{1,3}} *")


def is_one_sentence(paragraph: str) -> bool:
    """Whether pysbd would answer `paragraph` whole: a plain line, or one ending in its only
    terminal punctuation."""
    return is_plain(paragraph) or _ONE_SENTENCE.fullmatch(paragraph) is not None


@lru_cache(maxsize=SEGMENT_CACHE_SIZE)
def _segment(paragraph: str, language: str) -> tuple[str, ...]:
    """pysbd's sentences of one paragraph (a window's line, so at most HEAD_CHARS characters)."""
    return tuple(_segmenter(language).segment(paragraph))


Keep = Callable[[str], bool]


def _spans_in(text: str, offset: int, language: str, keep: Keep | None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    for paragraph in text.split("\n"):
        start_of_paragraph = position
        position += len(paragraph) + 1
        piece = paragraph.strip()
        if not piece or (keep is not None and not keep(paragraph)):
            continue
        if is_one_sentence(paragraph):
            found = start_of_paragraph + paragraph.index(piece)
            spans.append((offset + found, offset + found + len(piece)))
            continue
        cursor = start_of_paragraph
        joined = False
        for sentence in _segment(paragraph, language):
            piece = sentence.strip()
            if not piece:
                continue
            found = text.find(piece, cursor)
            if found < 0:  # pysbd changed the text (it should not with clean=False): skip it
                continue
            cursor = found + len(piece)
            if joined and spans:
                spans[-1] = (spans[-1][0], offset + cursor)  # "Sr." does not end the sentence
            else:
                spans.append((offset + found, offset + cursor))
            joined = _ends_in_abbreviation(piece, language)
    return spans


def sentence_spans(text: str, language: str, keep: Keep | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in the head and tail windows of `text`, in order.

    Line breaks always end a sentence (lists, signatures and headers have no full stops). With
    `keep`, only the lines (paragraphs) it accepts are segmented: a reader that can tell from a
    whole line that none of its sentences could matter skips pysbd for it.
    """
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return _spans_in(text, 0, language, keep)
    head = text[:HEAD_CHARS]
    cut = head.rfind("\n")
    head = head[: cut if cut > HEAD_CHARS // 2 else len(head)]
    tail_start = len(text) - TAIL_CHARS
    newline = text.find("\n", tail_start)
    if 0 <= newline < len(text) - 1:
        tail_start = newline + 1
    return _spans_in(head, 0, language, keep) + _spans_in(text[tail_start:], tail_start, language, keep)
