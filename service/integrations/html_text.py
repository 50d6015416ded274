"""HTML article and message bodies (Zammad, Intercom, Help Scout, Front...) to plain text, stdlib only.

Block elements become line breaks, scripts and styles vanish, entities are decoded. It is not a
renderer: the text only has to read well in a prompt and match what the customer wrote.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
     "pre", "section", "article", "header", "footer"}
)  # fmt: skip
_SKIPPED = frozenset({"script", "style", "head", "title"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(p|div|br|span|html|body|b|i|a|blockquote|ul|ol|li|table)\b", text, re.I))


def plain(text: str | None) -> str:
    """Text from a body that may be HTML or plain text."""
    if not text:
        return ""
    return html_to_text(text) if looks_like_html(text) else text.strip()


def text_to_html(text: str) -> str:
    """Our plain-text note as HTML for helpdesks that render bodies as HTML."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
