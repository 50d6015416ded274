"""Where a reply shows code: fenced blocks, indented lines and inline `backticks`.

Read on the original text, because the normalised views drop indentation. A code sample is
something the customer copies and completes ("replace YOUR_API_KEY with ..."), so a slot-like
token inside one is an instruction, not a template slot nobody filled in. One pass over the lines,
no backtracking: linear in the text's length.
"""

from __future__ import annotations

import bisect
import re

_FENCE = ("```", "~~~")
_INDENT = 4  # a markdown code line: four spaces or a tab
_INLINE = re.compile(r"`[^`\n]{1,200}`")


class CodeSpans:
    """The code regions of one text, as sorted, non-overlapping (start, end) offsets."""

    def __init__(self, text: str) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        if "`" not in text and "~~~" not in text and "\n " not in text and "\n\t" not in text:
            return  # most replies show no code at all
        spans: list[tuple[int, int]] = []
        fence_start: int | None = None
        position = 0
        for line in text.splitlines(keepends=True):
            end = position + len(line)
            stripped = line.strip()
            if stripped.startswith(_FENCE):
                if fence_start is None:
                    fence_start = position
                else:
                    spans.append((fence_start, end))
                    fence_start = None
            elif fence_start is None:
                indent = len(line) - len(line.lstrip(" \t"))
                if stripped and (line.startswith("\t") or indent >= _INDENT):
                    spans.append((position, end))
                else:
                    spans.extend((position + m.start(), position + m.end()) for m in _INLINE.finditer(line))
            position = end
        if fence_start is not None:
            spans.append((fence_start, len(text)))  # an unclosed fence runs to the end
        for start, end in spans:
            self._starts.append(start)
            self._ends.append(end)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def covers(self, start: int, end: int) -> bool:
        """Is [start, end) inside one code region?"""
        i = bisect.bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]
