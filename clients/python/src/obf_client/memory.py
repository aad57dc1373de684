"""What the engine fetched, per bar, kept and looked up by the service's rules (features.md §5):
the bar itself, else the newest retained bar below it, never a later one; only the newest
`max_bars` stepped bars are retained; a rollover clears everything.

Values are rows of floats packed in arrays: 80 bytes per asset and bar, and nothing for the
garbage collector to visit (a list of 250,000 tuples made every full collection a pause of
several milliseconds in the trading loop)."""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Sequence

_COMPACT_AFTER = 64   # evicted rows kept at the front of a series before they are cut off


class BarLog:
    """One series of fixed-width rows of floats by bar, bars ascending. Rows from `head` on are
    held; rows at or below a `floor` (evicted) are never answered and are dropped when the
    series is next written."""

    __slots__ = ("width", "bars", "values", "head")

    def __init__(self, width: int) -> None:
        self.width = width
        self.bars = array("q")
        self.values = array("d")
        self.head = 0

    def put(self, bar: int, row: Sequence[float], floor: int) -> None:
        """Stores `row` under `bar`, replacing what was there."""
        bars = self.bars
        if len(bars) > self.head and bars[self.head] <= floor:
            self._drop_through(floor)
        if len(bars) == self.head or bar > bars[-1]:
            bars.append(bar)
            self.values.extend(row)
            return
        index, width = bisect_left(bars, bar, self.head), self.width
        if index < len(bars) and bars[index] == bar:
            self.values[index * width:(index + 1) * width] = array("d", row)
        else:
            bars.insert(index, bar)
            self.values[index * width:index * width] = array("d", row)

    def appends(self, bar: int, floor: int) -> bool:
        """Whether `put(bar, row, floor)` would only append: `bar` above every held bar, and
        nothing held at or below `floor` (then `bars.append` and `values.extend` do it)."""
        bars = self.bars
        return len(bars) == self.head or (bars[-1] < bar and bars[self.head] > floor)

    def newest(self, bar: int, floor: int) -> int:
        """The row of the newest bar at or below `bar` and above `floor`; -1 when there is none.
        Its bar is `bars[row]`, its values `values[row * width:(row + 1) * width]`."""
        bars = self.bars
        row = len(bars) - 1 if len(bars) > self.head and bars[-1] <= bar else bisect_right(bars, bar, self.head) - 1
        return row if row >= self.head and bars[row] > floor else -1

    def remove(self, above: int | None, through: int) -> None:
        """Removes the bars in (`above`, `through`]; `above` None means from the first."""
        low = self.head if above is None else bisect_right(self.bars, above, self.head)
        high = bisect_right(self.bars, through, self.head)
        if low < high:
            del self.bars[low:high]
            del self.values[low * self.width:high * self.width]

    def _drop_through(self, floor: int) -> None:
        self.head = bisect_right(self.bars, floor, self.head)
        if self.head >= _COMPACT_AFTER and 2 * self.head >= len(self.bars):
            del self.bars[:self.head]
            del self.values[:self.head * self.width]
            self.head = 0


class BarMemory:
    """Per-asset and macro rows by bar, and the stepped bars that bound their retention."""

    def __init__(self, max_bars: int, asset_width: int, macro_width: int) -> None:
        if max_bars < 1:
            raise ValueError("max_bars must be at least 1")
        self.max_bars = max_bars
        self.asset_width = asset_width
        self.stepped: deque[int] = deque()
        #: The newest evicted stepped bar: nothing at or below it is answered.
        self.floor = -1
        self.assets: dict[str, BarLog] = {}
        self.macro = BarLog(macro_width)

    def asset_log(self, asset: str) -> BarLog:
        log = self.assets.get(asset)
        if log is None:
            log = self.assets[asset] = BarLog(self.asset_width)
        return log

    def note_stepped(self, bar: int) -> None:
        """Counts `bar` as stepped (once); past `max_bars` stepped bars the oldest is evicted,
        with everything at or below it in every series, as the service does."""
        stepped = self.stepped
        if bar <= self.floor:
            return
        if not stepped or bar > stepped[-1]:
            stepped.append(bar)
        elif bar not in stepped:
            insort(stepped, bar)
        while len(stepped) > self.max_bars:
            self.floor = max(self.floor, stepped.popleft())

    def clear(self) -> None:
        """Forgets everything (a rollover: the service clears its bar caches)."""
        self.stepped.clear()
        self.floor = -1
        self.assets.clear()
        self.macro = BarLog(self.macro.width)
