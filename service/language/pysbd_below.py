"""pysbd's sentences without ``Segmenter.segment``'s regex per sentence: the one place Tactful
leans on pysbd's internals (decision 135).

``Segmenter.segment`` runs ``Processor(text).process()`` and then finds every sentence back in the
text with a fresh ``re.escape(sentence)`` pattern. Tactful places the sentences itself
(``sentences._spans_in``, with ``str.find``), so each of those compiles bought nothing, and each
pushed one of pysbd's own ~1,000 rule and abbreviation patterns out of ``re``'s 512-entry FIFO
cache, to be compiled again on the next call. Here pysbd is called below ``segment``, and ``re``'s
cache is made large enough to hold pysbd's patterns of every language we segment.

Pinned: pysbd ``>=0.3.4,<0.3.5`` in pyproject.toml; tests/unit/drafting/test_pysbd_below.py fails
when the internals used here change (the ``processor`` method, ``segment``'s answer being the
processor's sentences placed back, the ``re`` cache attribute).
"""

from __future__ import annotations

import re

import pysbd

PINNED_PYSBD = "0.3.4"
# pysbd's rule and abbreviation patterns for the six segmenter languages number about 1,800
# (tests count them); the room left over keeps ours and other libraries' string patterns as well.
REGEX_CACHE_SIZE = 4_096


def enlarge_regex_cache() -> None:
    """Let ``re`` keep pysbd's patterns compiled (``re._MAXCACHE`` is CPython's, private)."""
    re._MAXCACHE = max(re._MAXCACHE, REGEX_CACHE_SIZE)  # type: ignore[attr-defined]


def split(segmenter: pysbd.Segmenter, paragraph: str) -> tuple[str, ...]:
    """The sentences ``segmenter.segment(paragraph)`` would give, stripped, unplaced."""
    if not paragraph:
        return ()
    return tuple(segmenter.processor(paragraph).process())
