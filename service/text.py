"""Invisible characters: what counts as visible text, and what never reaches a reply.

Unicode's format characters (category Cf: zero-width spaces and joiners, bidi embeddings,
overrides and isolates, the BOM, the soft hyphen, invisible operators, tag characters) draw
nothing. A message made only of them and whitespace is empty. In a reply they can reorder what
the customer sees (a bidi override) or hide text, so they are taken out before a draft is
checked; the one exception is a zero-width joiner between two emoji, which joins them into one
(👩‍💻) and shows nothing else.
"""

from __future__ import annotations

import re
import unicodedata


def _char_class(codes: list[int]) -> str:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


# Every format character, computed once at import: the BMP, and the astral blocks that hold any
# (Egyptian hieroglyph and shorthand controls, musical symbol formatting, tags).
_ASTRAL = [*range(0x110BD, 0x110CE), *range(0x13430, 0x13460), *range(0x1BCA0, 0x1BCA4),
           *range(0x1D173, 0x1D17B), *range(0xE0000, 0xE0080)]  # fmt: skip
_FORMAT_CODES = [c for c in [*range(0x10000), *_ASTRAL] if unicodedata.category(chr(c)) == "Cf"]
_ZWJ = 0x200D
_FORMAT = _char_class(_FORMAT_CODES)
_EMOJI = "\u2600-\u27bf\ufe0f\U0001f000-\U0001faff"
_VISIBLE = re.compile(rf"[^\s{_FORMAT}]")
_INVISIBLE = re.compile(
    rf"[{_char_class([c for c in _FORMAT_CODES if c != _ZWJ])}]"
    rf"|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
)


def has_visible_text(text: str) -> bool:
    """Is there anything but whitespace and invisible format characters?"""
    return _VISIBLE.search(text) is not None


def strip_invisible(text: str) -> str:
    """``text`` without format characters (a zero-width joiner between two emoji stays)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)
