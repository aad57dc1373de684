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
    """One series of values by bar, bars ascending."""

    __slots__ = ("bars", "values")

    def __init__(self) -> None:
        self.bars: list[int] = []
        self.values: list[Value] = []

    def put(self, bar: int, value: Value) -> None:
        """Stores `value` under `bar`, replacing what was there."""
        bars = self.bars
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

    def newest(self, bar: int) -> Value | None:
        """The value of the newest bar at or below `bar`."""
        bars = self.bars
        if bars and bars[-1] <= bar:
            return self.values[-1]
        index = bisect_right(bars, bar) - 1
        return self.values[index] if index >= 0 else None

    def remove(self, above: int | None, through: int) -> None:
        """Removes the bars in (`above`, `through`]; `above` None means from the first."""
        low = 0 if above is None else bisect_right(self.bars, above)
        high = bisect_right(self.bars, through)
        del self.bars[low:high]
        del self.values[low:high]


class BarMemory(Generic[AssetValue, MacroValue]):
    """Per-asset and macro values by bar, with the stepped bars that bound retention."""

    def __init__(self, max_bars: int) -> None:
        if max_bars < 1:
            raise ValueError("max_bars must be at least 1")
        self.max_bars = max_bars
        self.stepped: deque[int] = deque()
        self.assets: dict[str, BarLog[AssetValue]] = {}
        self.macro: BarLog[MacroValue] = BarLog()

    def asset_log(self, asset: str) -> BarLog[AssetValue]:
        log = self.assets.get(asset)
        if log is None:
            log = self.assets[asset] = BarLog()
        return log

    def note_stepped(self, bar: int) -> None:
        """Counts `bar` as stepped (once) and evicts the oldest stepped bars past `max_bars`,
        everything at or below them, from every series, as the service does."""
        stepped = self.stepped
        if not stepped or bar > stepped[-1]:
            stepped.append(bar)
        elif bar not in stepped:
            insort(stepped, bar)
        while len(stepped) > self.max_bars:
            oldest = stepped.popleft()
            for log in self.assets.values():
                if log.bars and log.bars[0] <= oldest:
                    log.remove(None, oldest)
            if self.macro.bars and self.macro.bars[0] <= oldest:
                self.macro.remove(None, oldest)

    def clear(self) -> None:
        """Forgets everything (a rollover: the service clears its bar caches)."""
        self.stepped.clear()
        self.assets.clear()
        self.macro = BarLog()
