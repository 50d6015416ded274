"""`placeholder` (block): unfilled template placeholders ([Name], {{first_name}}, <NAME>, %NAME%,
$FIRST_NAME, XXX, TODO, ___ ...).

Bracketed text is only a placeholder when it reads like one: a placeholder keyword inside ("name",
"customer", "fecha"...), an identifier (`first_name`) or an ellipsis. So footnotes "[1]", checkboxes
"[x]", markdown links "[docs](https://...)" and reference links "[docs][1]" pass. `<B>`, `<br>` and
key names like `<ENTER>` are markup, not placeholders.
"""

from __future__ import annotations

import re
from typing import ClassVar

from service.guardrails.document import Document
from service.guardrails.lexicon import PatternEntry, PatternLexicon
from service.guardrails.rules.base import at
from service.guardrails.rules.pattern_rule import PatternRule
from service.models import Finding, Severity

_WORDS = re.compile(r"[^\W\d_]+")
_LONG_NUMBER = re.compile(r"\d{3,}")  # "[Order #12345]" is filled in
_FILLER = re.compile(r"x{2,}")  # "[XXX]"


class PlaceholderLexicon(PatternLexicon):
    keywords: list[str]  # words that make bracketed text a placeholder
    markup_words: list[str]  # <WORD> that is markup or a key name, not a placeholder


class Placeholder(PatternRule):
    id: ClassVar[str] = "placeholder"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "placeholder.yaml"
    lexicon_model: ClassVar[type[PatternLexicon]] = PlaceholderLexicon

    def __init__(self, lexicon: PatternLexicon) -> None:
        super().__init__(lexicon)
        if not isinstance(lexicon, PlaceholderLexicon):
            raise TypeError("placeholder needs a PlaceholderLexicon")
        self._keywords = frozenset(k.casefold() for k in lexicon.keywords)
        self._markup = frozenset(w.casefold() for w in lexicon.markup_words)

    def accept(self, entry: PatternEntry, match: re.Match[str], doc: Document) -> tuple[int, int] | None:
        if entry.check == "none":
            return match.span()
        if entry.check == "inline":
            text = match.string
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            return match.span() if line.strip(" \t_") else None
        body = match.group(f"{entry.id}__body") or ""
        if entry.check == "not_html":
            first = body.split()[0].casefold() if body.split() else ""
            return None if first in self._markup else match.span()
        # "keyword": reads like a template slot
        if _LONG_NUMBER.search(body):
            return None
        folded = body.casefold()
        words = _WORDS.findall(folded)
        if "_" in body or "..." in body or any(w in self._keywords or _FILLER.fullmatch(w) for w in words):
            return match.span()
        return None

    def message(self, entry: PatternEntry, start: int, end: int) -> str:
        return f"Unfilled template placeholder ({entry.label}) {at(start, end)}."

    def instruction(self, finding: Finding) -> str:
        return (
            f"Replace the unfilled template placeholder {at(finding.start, finding.end)} with the real "
            "value from the conversation, or rewrite the sentence without it; never leave template "
            "markers in a reply."
        )
