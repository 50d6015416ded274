"""How far what the agent sent is from the draft: pure functions of two texts and the findings' spans.

Both texts are compared after the same light normalisation (line endings, runs of spaces, outer
whitespace), so a helpdesk that re-wraps or trims a reply does not count as an edit. Distances are
normalised Levenshtein distances in [0, 1]: 0 is the draft as it was, 1 is nothing in common. The
word level counts a changed word once, however many letters changed, which is closer to how an
agent thinks of an edit than the character level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# A sentence ends at . ! ? … (with closing quotes or brackets) followed by space, or at a line break.
_SENTENCE = re.compile(r"[^\n.!?…]+(?:[.!?…]+[\"')\]]*|$)|[.!?…]+", re.MULTILINE)


@dataclass(frozen=True)
class SpanRef:
    """A finding's evidence in the draft: its rule and half-open code-point offsets."""

    rule: str
    start: int
    end: int


@dataclass(frozen=True)
class EditReport:
    char_distance: float
    word_distance: float
    sentences: int  # sentences in the draft
    changed_sentences: tuple[int, ...]  # indexes of draft sentences not found unchanged in the final text
    rewritten_rules: tuple[str, ...]  # rules with a span the agent changed (each rule once, sorted)
    carried_rules: tuple[str, ...]  # rules with a span in the draft (each rule once, sorted)


def normalise(text: str) -> str:
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in unified.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def compare(draft: str, final: str, spans: Sequence[SpanRef] = ()) -> EditReport:
    """Distances, changed sentences and rewritten spans of ``final`` against ``draft``.

    ``spans`` are offsets into ``draft`` as given (not normalised): the alignment for them is made on
    the raw texts, so offsets stay exact.
    """
    a, b = normalise(draft), normalise(final)
    char = Levenshtein.normalized_distance(a, b)
    word = Levenshtein.normalized_distance(words(a), words(b))
    draft_sentences = sentences(a)
    kept = set(sentences(b))
    changed = tuple(i for i, s in enumerate(draft_sentences) if s not in kept)
    carried = sorted({s.rule for s in spans if s.end > s.start})
    rewritten: set[str] = set()
    if carried and a != b:
        edits = [op for op in Levenshtein.opcodes(draft, final) if op.tag != "equal"]
        for span in spans:
            if span.end > span.start and any(_touches(op.src_start, op.src_end, span) for op in edits):
                rewritten.add(span.rule)
    return EditReport(
        char_distance=round(char, 4),
        word_distance=round(word, 4),
        sentences=len(draft_sentences),
        changed_sentences=changed,
        rewritten_rules=tuple(sorted(rewritten)),
        carried_rules=tuple(carried),
    )


def _touches(src_start: int, src_end: int, span: SpanRef) -> bool:
    if src_start == src_end:  # an insertion: inside the span, not at its edges
        return span.start < src_start < span.end
    return src_start < span.end and src_end > span.start
