"""`length` (warn): a reply that fits its channel. SMS and social posts are counted in characters,
chat and e-mail in words; the thread's `options.max_words` tightens the limit (with a little slack,
since a model never hits a word count exactly). Too short is flagged too: a two-word e-mail is not
an answer. Counting runs on the normalised text, so spacing and invisible characters do not count.

The finding points from the first word past the limit to the end of the reply.
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict

from service.guardrails.document import Document
from service.guardrails.lexicon import RuleData, Sources, load_rule_data
from service.guardrails.rules.base import Hit, Rule, RuleContext, article, at
from service.models import Channel, Finding, Severity

_WORD = re.compile(r"\w+(?:['’.-]\w+)*")


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_words: int
    max_words: int | None = None
    max_chars: int | None = None


class LengthData(RuleData):
    channels: dict[Channel, Limits]
    default_channel: Channel  # when the reply is checked without a thread
    max_words_slack: float  # options.max_words x this


class Length(Rule):
    id: ClassVar[str] = "length"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "length.yaml"

    def __init__(self, data: LengthData) -> None:
        missing = set(Channel) - set(data.channels)
        if missing:
            raise ValueError(f"length.yaml: no limits for {sorted(missing)}")
        self._data = data

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(LengthData, cls.lexicon_file or "", data, sources, cls.id))

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        thread = ctx.thread
        channel = thread.channel if thread is not None else self._data.default_channel
        limits = self._data.channels[channel]
        max_words = limits.max_words
        if thread is not None and thread.options is not None and thread.options.max_words:
            asked = int(thread.options.max_words * self._data.max_words_slack)
            max_words = asked if max_words is None else min(max_words, asked)
        text = doc.cased.text
        stripped = text.rstrip()
        # Whitespace chunks bound the word count from above: clearly inside the limits, no regex.
        chunks = len(text.split())
        if (
            chunks >= 2 * limits.min_words
            and (max_words is None or chunks <= max_words)
            and (limits.max_chars is None or len(stripped) <= limits.max_chars)
        ):
            return []
        words = list(_WORD.finditer(text))
        if len(words) < limits.min_words:
            return [
                Hit(
                    f"The reply has {len(words)} words; {article(channel.value)} {channel.value} reply "
                    f"needs at least {limits.min_words} to answer the customer.",
                    suggestion="Say what you found and what happens next.",
                )
            ]
        cut: int | None = None
        what = ""
        if max_words is not None and len(words) > max_words:
            cut = words[max_words].start()
            what = f"{len(words)} words; the limit for {channel.value} is {max_words}"
        if limits.max_chars is not None and len(stripped) > limits.max_chars:
            at_char = limits.max_chars
            cut = at_char if cut is None else min(cut, at_char)
            what = f"{len(stripped)} characters; the limit for {channel.value} is {limits.max_chars}"
        if cut is None or cut >= len(stripped):
            return []
        start, end = doc.cased.span(cut, len(stripped))
        return [
            Hit(
                f"The reply is too long ({what}); the part {at(start, end)} runs over.",
                start,
                end,
                "Keep the acknowledgement and the next step; cut background and repetition.",
            )
        ]

    def instruction(self, finding: Finding) -> str:
        return f"Shorten the reply: {finding.message} Keep the acknowledgement and the next step."
