"""What the engine fetched, per bar, kept and looked up by the service's rules (features.md §5):
the bar itself, else the newest retained bar below it, never a later one; only the newest
`max_bars` stepped bars are retained; a rollover clears everything."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import deque
from typing import Generic, TypeVar

Value = TypeVar("Value")
AssetValue = TypeVar("AssetValue")
MacroValue = TypeVar("MacroValue")


class BarLog(Generic[Value]):
    """One series of values by bar, bars ascending. Bars at or below `floor` (evicted) are
    never answered, and are dropped when the series is next written."""

    __slots__ = ("bars", "values")

    def __init__(self) -> None:
        self.bars: list[int] = []
        self.values: list[Value] = []

    def put(self, bar: int, value: Value, floor: int) -> None:
        """Stores `value` under `bar`, replacing what was there."""
        bars = self.bars
        if bars and bars[0] <= floor:
            if len(bars) > 1 and bars[1] > floor:   # one bar evicted per step: the usual case
                del bars[0], self.values[0]
            else:
                self.remove(None, floor)
        if not bars or bar > bars[-1]:
            bars.append(bar)
            self.values.append(value)
            return
        index = bisect_left(bars, bar)
        if bars[index] == bar:
            self.values[index] = value
        else:
            bars.insert(index, bar)
            self.values.insert(index, value)

    def newest(self, bar: int, floor: int) -> tuple[int, Value] | None:
        """(its bar, value) of the newest bar at or below `bar` and above `floor`."""
        bars = self.bars
        index = len(bars) - 1 if bars and bars[-1] <= bar else bisect_right(bars, bar) - 1
        if index < 0 or bars[index] <= floor:
            return None
        return bars[index], self.values[index]

    def remove(self, above: int | None, through: int) -> None:
        """Removes the bars in (`above`, `through`]; `above` None means from the first."""
        low = 0 if above is None else bisect_right(self.bars, above)
        high = bisect_right(self.bars, through)
        del self.bars[low:high]
        del self.values[low:high]


class BarMemory(Generic[AssetValue, MacroValue]):
    """Per-asset and macro values by bar, and the stepped bars that bound their retention."""

    def __init__(self, max_bars: int) -> None:
        if max_bars < 1:
            raise ValueError("max_bars must be at least 1")
        self.max_bars = max_bars
        self.stepped: deque[int] = deque()
        #: The newest evicted stepped bar: nothing at or below it is answered.
        self.floor = -1
        self.assets: dict[str, BarLog[AssetValue]] = {}
        self.macro: BarLog[MacroValue] = BarLog()

    def asset_log(self, asset: str) -> BarLog[AssetValue]:
        log = self.assets.get(asset)
        if log is None:
            log = self.assets[asset] = BarLog()
        return log

    def asset(self, asset: str, bar: int) -> tuple[int, AssetValue] | None:
        """(served bar, value) of the asset's look-up of `bar` (names are case-insensitive)."""
        log = self.assets.get(asset) or self.assets.get(asset.upper())
        return None if log is None else log.newest(bar, self.floor)

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
        self.macro = BarLog()
