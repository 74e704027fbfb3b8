"""Finding the items of an article whose character range meets a given range, without scanning them all.

The stages ask "which mentions / quotations / attributions touch this sentence?" once per sentence or per
claim; answering each question by a scan of the whole article made the analysis quadratic in its length.
:class:`OffsetIndex` answers it by bisecting sorted start offsets instead, and returns the matching items'
positions in their original order, so a caller that used to filter the list gets exactly the same result.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence


class OffsetIndex:
    """Half-open ranges ``[start, end)`` indexed by start, with the running maximum of their ends.

    Queries return positions into the sequence the index was built from, ascending. The cost is a bisection
    plus the number of ranges that start before the query's end and end after the earliest range that could
    still meet it: proportional to the answer for ranges that do not nest deeply, as in news text.
    """

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self._order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
        self._starts = [ranges[i][0] for i in self._order]
        self._ends = [ranges[i][1] for i in self._order]
        self._max_end: list[int] = []
        running = -1 << 62
        for end in self._ends:
            running = max(running, end)
            self._max_end.append(running)

    def __len__(self) -> int:
        return len(self._order)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Positions of the ranges with ``range.start < end and range.end > start``."""
        found = []
        k = bisect_left(self._starts, end) - 1  # every range from here down starts before ``end``
        while k >= 0 and self._max_end[k] > start:  # below a max_end <= start, no range reaches ``start``
            if self._ends[k] > start:
                found.append(self._order[k])
            k -= 1
        found.sort()
        return found

    def starting_in(self, start: int, end: int) -> list[int]:
        """Positions of the ranges with ``start <= range.start < end``."""
        first, stop = bisect_left(self._starts, start), bisect_left(self._starts, end)
        return sorted(self._order[first:stop])
