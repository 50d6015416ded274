"""HTML article and message bodies (Zammad, Intercom, Help Scout, Front...) to plain text, stdlib only.

Block elements become line breaks, scripts and styles vanish, entities are decoded. It is not a
renderer: the text only has to read well in a prompt and match what the customer wrote.
"""

from __future__ import annotations

import html
import re

_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5",
           "h6", "pre", "section", "article", "header", "footer")  # fmt: skip
_SKIPPED = ("script", "style", "head", "title")

# Linear by construction (a body may be 1 MiB of markup written to be slow): a tag is "<" up to the
# next ">" with no "<" in between, so a failed match stops at the next "<"; an element whose text
# is dropped (script, comment...) is cut by searching once for its end.
_BLOCK_NAMES = frozenset(_BLOCKS)
_SKIPPED_OPEN = re.compile(r"<(?=[A-Za-z!])(?:(" + "|".join(_SKIPPED) + r")\b[^<>]*>|!--)", re.I)
_SKIPPED_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in _SKIPPED}
_COMMENT_CLOSE = re.compile(r"-->")
_TAG = re.compile(r"<(?:/?([A-Za-z][A-Za-z0-9]*)|[!?])[^<>]*>")
_LINE_BREAK = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t]+")
_LINE_EDGES = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")


def _tag(match: re.Match[str]) -> str:
    name = match.group(1)
    return "\n" if name is not None and name.lower() in _BLOCK_NAMES else ""


def _without_skipped(markup: str) -> str:
    parts: list[str] = []
    position = 0
    while (opening := _SKIPPED_OPEN.search(markup, position)) is not None:
        parts.append(markup[position : opening.start()])
        name = opening.group(1)
        closing = (_SKIPPED_CLOSE[name.lower()] if name else _COMMENT_CLOSE).search(markup, opening.end())
        if closing is None:
            return "".join(parts)  # never closed: the rest is the element's
        position = closing.end()
    parts.append(markup[position:])
    return "".join(parts)


def html_to_text(markup: str) -> str:
    """Block elements become line breaks, scripts, styles and comments vanish, entities are decoded."""
    text = html.unescape(_TAG.sub(_tag, _without_skipped(markup)))
    text = _LINE_BREAK.sub("\n", text.replace("\r\n", "\n").replace("\xa0", " "))
    text = _LINE_EDGES.sub("\n", _SPACES.sub(" ", text))  # each line's spaces folded and trimmed
    return _BLANK_LINES.sub("\n\n", text).strip()


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
