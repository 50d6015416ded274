"""`signature` (warn): an e-mail reply ends with one sign-off, not none and not two.

A sign-off line is a closing phrase from the lexicon ("Best regards", "Un saludo", "Viele Grüße")
alone on its line or followed by punctuation and a short name ("Best, Sam"), with at most a few
short lines (name, title, company) after it. "Thanks for waiting." is a sentence, not a sign-off.
Missing: checked for e-mail threads only (chat, SMS and social replies need none; a macro checked
without a thread may be signed by the helpdesk). The agent's configured signature or name in the
last lines counts as a sign-off. Duplicated: two sign-off blocks, or the agent's signature twice.
"""

from __future__ import annotations

import itertools
import re
from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import RuleData, Sources, load_rule_data
from service.guardrails.normalise import normalise
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.models import Channel, Finding, Severity

_LINE = re.compile(r"[^\n]+")


class SignatureData(RuleData):
    sign_offs: dict[str, list[str]]  # language -> closing phrases
    require_on: list[Channel]
    max_trailing_lines: int  # name, title, company... after the closing phrase
    max_trailing_chars: int  # each of those lines
    tail_lines: int  # how many last lines are searched for a sign-off or the agent's name


def _fold(text: str) -> str:
    return " ".join(normalise(text)[1].text.split())


class Signature(Rule):
    id: ClassVar[str] = "signature"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "signature.yaml"

    def __init__(self, data: SignatureData) -> None:
        self._data = data
        phrases = sorted({_fold(p) for ps in data.sign_offs.values() for p in ps}, key=len, reverse=True)
        alternation = "|".join(r"\s".join(map(re.escape, p.split(" "))) for p in phrases)
        # The phrase, then the end of the line or punctuation and a short name on the same line.
        self._sign_off = re.compile(
            rf"^[ \t]*(?:{alternation})[ \t]*(?:[,.!:;—–-][ \t]*[^\n]{{0,40}})?$", re.MULTILINE
        )
        # Every line start where a closing phrase begins (after blanks): the only lines the full
        # pattern can match, found in one C-level scan instead of one match call per line. Each
        # match stays on its own line, so none hides the next line's.
        self._candidate = re.compile(rf"^[ \t]*(?=(?:{alternation}))", re.MULTILINE)

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(SignatureData, cls.lexicon_file or "", data, sources, cls.id))

    def _blocks(self, masked: str) -> list[tuple[int, int]]:
        """Sign-off lines (folded offsets) followed only by a few short lines or another sign-off."""
        closing = {
            m.start() for m in self._candidate.finditer(masked) if self._sign_off.match(masked, m.start())
        }
        if not closing:  # most replies' lines need not be listed at all
            return []
        lines = [(m.start(), m.end()) for m in _LINE.finditer(masked) if m.group().strip()]
        closing.intersection_update(start for start, _ in lines)
        blocks: list[tuple[int, int]] = []
        for index, (start, end) in enumerate(lines):
            if start not in closing:
                continue
            after: list[tuple[int, int]] = []
            # islice, not a slice copy: many sign-off lines would otherwise cost quadratic time.
            for line in itertools.islice(lines, index + 1, None):
                if line[0] in closing:
                    break
                after.append(line)
            if len(after) <= self._data.max_trailing_lines and all(
                e - s <= self._data.max_trailing_chars for s, e in after
            ):
                blocks.append((start, end))
        return blocks

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        masked = doc.masked
        blocks = self._blocks(masked)
        hits: list[Hit] = []
        if len(blocks) >= 2:
            start, end = doc.folded.span(*blocks[1])
            hits.append(
                Hit(
                    f"The reply is signed twice; the second sign-off starts {at(start, end)}.",
                    start,
                    end,
                    "Keep one sign-off at the end.",
                )
            )
        thread = ctx.thread
        if thread is None:
            return hits
        signature = _fold(thread.agent.signature) if thread.agent.signature else ""
        folded_text = " ".join(masked.split())
        if signature and len(signature) >= 8 and folded_text.count(signature) >= 2 and not hits:
            hits.append(Hit("The agent's signature appears twice.", suggestion="Keep one signature."))
        if thread.channel not in self._data.require_on or blocks:
            return hits
        tail = "\n".join(masked.rstrip().split("\n")[-self._data.tail_lines :])
        names = [
            n for n in (signature.split(" ")[0] if signature else "", _fold(thread.agent.name or "")) if n
        ]
        if any(name in tail for name in names):
            return hits
        hits.append(
            Hit(
                f"The {thread.channel.value} reply has no sign-off.",
                suggestion="End with a short closing and the agent's name, e.g. 'Best regards, Sam'.",
            )
        )
        return hits

    def instruction(self, finding: Finding) -> str:
        return f"{finding.message} {finding.suggestion or ''}".strip()
