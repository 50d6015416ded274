"""`shouting` (warn): runs of words in capitals ("PLEASE RESTART THE ROUTER") and stacked
exclamation marks read as a raised voice; a calm answer is what lowers a stressed customer's tension.

Acronyms and product codes are not shouting: a word counts only when it has two or more letters,
all upper case, and is not in the lexicon's acronym list; a run needs several such words in a row.
Nor is a run inside quotation marks (a device or status message said back: «EN ATTENTE - KYC»,
"NO INTERNET ACCESS") or inside a template slot ("[NOMBRE DEL CLIENTE]", "{{ORDER_ID}}"): the
reply is not raising its voice there (placeholder has its own rule).
The fix lowers the run (keeping a capital where a sentence starts) and folds "!!!" to "!".
"""

from __future__ import annotations

import re
from functools import partial
from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.edits import Edit
from service.guardrails.lexicon import RuleData, Sources, load_rule_data
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.models import Finding, Severity

_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
# Upper-case letters of the scripts we read, as one class (built once).
_UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper() and chr(c).isalpha())
# A capitalised word, alone between spaces or sentence punctuation (not inside a URL, key or code).
_CAPITAL_WORD = re.compile(
    rf"(?<![^\s(\"'«“‘\[{{])[{_UPPER}]+(?:['’-][{_UPPER}]+)*(?=$|[\s.,;:!?)\"'»”’\]}}…])"
)
_TWO_CAPITALS = re.compile(rf"[{_UPPER}]{{2}}")
_GAP = re.compile(r"[ \t,;:()\"'«»“”‘’*–—-]*")  # a run stays in one sentence and on one line
# Quoted passages and template slots on one line, bounded so the scan stays linear.
_QUOTED_OR_SLOT = re.compile(
    r"[\"«“„][^\"«»“”„\n]{1,200}[\"»”“]|\[[^\[\]\n]{1,80}\]|\{\{?[^{}\n]{1,80}\}?\}|<[^<>\n]{1,80}>"
)
_SENTENCE_START = re.compile(r"(?:\A|[.!?]\s+|\n\s*)\Z")


class ShoutingData(RuleData):
    min_run: int  # capitalised words in a row that make a shouted run
    min_letters: int  # letters in the run, so "IT IS OK" is not one
    exclamation_run: int  # "!!" and longer
    acronyms: list[str]


class Shouting(Rule):
    id: ClassVar[str] = "shouting"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "shouting.yaml"

    def __init__(self, data: ShoutingData) -> None:
        self._data = data
        self._acronyms = frozenset(a.upper() for a in data.acronyms)
        self._bangs = re.compile(rf"!{{{data.exclamation_run},}}")

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(ShoutingData, cls.lexicon_file or "", data, sources, cls.id))

    def _runs(self, text: str) -> list[tuple[int, int]]:
        """Spans (in `text`) of shouted runs: consecutive capitalised words on one line.

        A word is a chunk between spaces, stripped of punctuation: "T000AAAA", a URL or a key is no
        word. Candidates come from one regex pass over words in capitals (rare in normal text);
        neighbours join a run when only spaces and commas (no sentence end, no line break) stand
        between them.
        """
        runs: list[tuple[int, int]] = []
        if _TWO_CAPITALS.search(text) is None:
            return runs  # no two capitals in a row anywhere: the common case, one quick scan
        words: list[tuple[int, int, str]] = []

        def close() -> None:
            # Single letters ("I", "A") and acronyms may stand in a run but do not make one.
            loud = [w for _, _, w in words if len(w) >= 2 and w not in self._acronyms]
            if len(loud) >= self._data.min_run and sum(map(len, loud)) >= self._data.min_letters:
                runs.append((words[0][0], words[-1][1]))
            words.clear()

        for match in _CAPITAL_WORD.finditer(text):
            if words and not _GAP.fullmatch(text, words[-1][1], match.start()):
                close()
            words.append((match.start(), match.end(), match.group()))
        close()
        if not runs:
            return runs
        enclosed = [(m.start(), m.end()) for m in _QUOTED_OR_SLOT.finditer(text)]
        return [(a, b) for a, b in runs if not any(s <= a and b <= e for s, e in enclosed)]

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        text = doc.cased.text
        hits: list[Hit] = []
        for start, end in self._runs(text):
            o_start, o_end = doc.cased.span(start, end)
            hits.append(
                Hit(
                    f"Words in capitals {at(o_start, o_end)} read as shouting.",
                    o_start,
                    o_end,
                    "Write it in normal case; to stress a point, say why it matters instead.",
                )
            )
        for match in self._bangs.finditer(text):
            o_start, o_end = doc.cased.span(match.start(), match.end())
            hits.append(
                Hit(
                    f"Stacked exclamation marks {at(o_start, o_end)} read as shouting.",
                    o_start,
                    o_end,
                    "Use one exclamation mark at most.",
                )
            )
        hits.sort(key=lambda h: h.start or 0)
        return hits

    def fix(self, doc: Document, ctx: RuleContext) -> list[Edit]:
        original = doc.original
        edits: list[Edit] = []
        # Runs are found again on the original so the edits keep every other character as it is.
        for start, end in self._runs(original):
            lowered = _WORD.sub(partial(_lower, original=original, offset=start), original[start:end])
            edits.append(Edit(start, end, lowered))
        edits.extend(Edit(m.start(), m.end(), "!") for m in self._bangs.finditer(original))
        return edits

    def instruction(self, finding: Finding) -> str:
        return f"Rewrite the part {at(finding.start, finding.end)} in normal case, without shouting."


def _lower(match: re.Match[str], original: str, offset: int) -> str:
    word = match.group()
    if word == "I":
        return word
    before = original[: offset + match.start()]
    return word.capitalize() if _SENTENCE_START.search(before) else word.lower()
