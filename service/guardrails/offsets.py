"""Offset maps: from a position in a derived (normalised) string back to the original text.

Findings must point into the text the caller gave us, but rules match on a normalised copy. A map
is a list of segments; inside a *linear* segment characters correspond one to one, inside a
*replaced* segment every derived character stands for the whole source range (a folded whitespace
run, an NFKC expansion). Lookups bisect the segments, so building a map costs nothing when the
text needed no change, which is the common case.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


class OffsetMap(Protocol):
    def lo(self, i: int) -> int:
        """First source offset of derived character i."""
        ...

    def hi(self, i: int) -> int:
        """Source offset just past derived character i."""
        ...


class IdentityMap:
    def lo(self, i: int) -> int:
        return i

    def hi(self, i: int) -> int:
        return i + 1


IDENTITY = IdentityMap()


@dataclass
class SegmentMap:
    # Parallel lists, one entry per segment, sorted by derived start.
    starts: list[int] = field(default_factory=list)  # derived start
    src_starts: list[int] = field(default_factory=list)
    src_ends: list[int] = field(default_factory=list)
    linear: list[bool] = field(default_factory=list)

    def _segment(self, i: int) -> int:
        return bisect_right(self.starts, i) - 1

    def lo(self, i: int) -> int:
        k = self._segment(i)
        return self.src_starts[k] + (i - self.starts[k]) if self.linear[k] else self.src_starts[k]

    def hi(self, i: int) -> int:
        k = self._segment(i)
        return self.src_starts[k] + (i - self.starts[k]) + 1 if self.linear[k] else self.src_ends[k]


@dataclass(frozen=True)
class ComposedMap:
    """`outer` maps into the string that `inner` maps back to the original."""

    inner: OffsetMap
    outer: OffsetMap

    def lo(self, i: int) -> int:
        return self.inner.lo(self.outer.lo(i))

    def hi(self, i: int) -> int:
        return self.inner.hi(self.outer.hi(i) - 1)


def compose(inner: OffsetMap, outer: OffsetMap) -> OffsetMap:
    if isinstance(outer, IdentityMap):
        return inner
    if isinstance(inner, IdentityMap):
        return outer
    return ComposedMap(inner, outer)


class MapBuilder:
    """Builds a derived string from a source by keeping and replacing source ranges, in order."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._parts: list[str] = []
        self._map = SegmentMap()
        self._length = 0  # derived length so far
        self._pos = 0  # source position consumed so far
        self._changed = False

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace source[start:end] (start >= previous end) by `new`, keeping what lies between."""
        self._keep_until(start)
        if new:
            m = self._map
            m.starts.append(self._length)
            m.src_starts.append(start)
            m.src_ends.append(end)
            m.linear.append(False)
            self._parts.append(new)
            self._length += len(new)
        self._pos = end
        self._changed = True

    def replace_all(self, edits: Iterable[tuple[int, int, str]]) -> None:
        """`replace` for each (start, end, new) in order, in one loop.

        Same result as calling `replace` per edit; a text with thousands of edits (a line-break
        run on every line) pays one Python call instead of two per edit.
        """
        m = self._map
        starts, src_starts, src_ends, linear = m.starts, m.src_starts, m.src_ends, m.linear
        parts, source = self._parts, self._source
        length, pos, changed = self._length, self._pos, self._changed
        for start, end, new in edits:
            if start > pos:
                starts.append(length)
                src_starts.append(pos)
                src_ends.append(start)
                linear.append(True)
                parts.append(source[pos:start])
                length += start - pos
            if new:
                starts.append(length)
                src_starts.append(start)
                src_ends.append(end)
                linear.append(False)
                parts.append(new)
                length += len(new)
            pos = end
            changed = True
        self._length, self._pos, self._changed = length, pos, changed

    def _keep_until(self, start: int) -> None:
        if start <= self._pos:
            return
        m = self._map
        m.starts.append(self._length)
        m.src_starts.append(self._pos)
        m.src_ends.append(start)
        m.linear.append(True)
        self._parts.append(self._source[self._pos : start])
        self._length += start - self._pos
        self._pos = start

    def build(self) -> tuple[str, OffsetMap]:
        if not self._changed:
            return self._source, IDENTITY
        self._keep_until(len(self._source))
        return "".join(self._parts), self._map
