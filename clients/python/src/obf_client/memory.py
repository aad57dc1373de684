"""What the engine fetched, per bar, kept and looked up by the service's rules (features.md §5):
the bar itself, else the newest retained bar below it, never a later one; only the newest
`max_bars` stepped bars are retained; a rollover clears everything.

Each stepped bar's feature table is kept whole, as it arrived: one `Frame` (its numbers in one
array, and where each asset's row starts), so a step costs no work per asset; an asset's look-up
at an earlier bar, or one that falls back, searches the frames from the newest down. Values are
floats packed in arrays: 72 bytes per asset and bar, and nothing for the garbage collector to
visit (a list of 250,000 tuples made every full collection a pause of several milliseconds in
the trading loop)."""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Sequence

_COMPACT_AFTER = 64   # evicted rows kept at the front of a series before they are cut off


class BarLog:
    """One series of fixed-width rows of floats by bar, bars ascending (the macro rows). Rows
    from `head` on are held; rows at or below a `floor` (evicted) are never answered and are
    dropped when the series is next written."""

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


class Frame:
    """One bar's asset rows: `values` holds them, each `width` numbers long; `rows` maps an
    asset to where its row starts. `rows` may be shared with other frames (a scan over the same
    assets as the step before it), so it is copied before this frame changes it (`own`)."""

    __slots__ = ("bar", "values", "rows", "own")

    def __init__(self, bar: int, values: array[float], rows: dict[str, int], own: bool) -> None:
        self.bar = bar
        self.values = values
        self.rows = rows
        self.own = own

    def put(self, asset: str, row: Sequence[float]) -> None:
        """Sets the asset's row at this bar."""
        at = self.rows.get(asset)
        if at is None:
            self._own()
            self.rows[asset] = len(self.values)
            self.values.extend(row)
        else:
            self.values[at:at + len(row)] = array("d", row)

    def drop(self, asset: str) -> None:
        """Forgets the asset's row at this bar (its numbers stay in `values`, unread)."""
        if asset in self.rows:
            self._own()
            del self.rows[asset]

    def _own(self) -> None:
        if not self.own:
            self.rows = dict(self.rows)
            self.own = True


class BarMemory:
    """Asset rows by bar (a `Frame` per bar), macro rows by bar, and the stepped bars that bound
    their retention."""

    def __init__(self, max_bars: int, asset_width: int, macro_width: int) -> None:
        if max_bars < 1:
            raise ValueError("max_bars must be at least 1")
        self.max_bars = max_bars
        self.asset_width = asset_width
        self.stepped: deque[int] = deque()
        #: The newest evicted stepped bar: nothing at or below it is answered.
        self.floor = -1
        #: The bars of `frames`, ascending.
        self.bars: list[int] = []
        self.frames: dict[int, Frame] = {}
        #: Every asset name held since the memory was last cleared.
        self.names: set[str] = set()
        self.macro = BarLog(macro_width)
        self._assets: list[str] | None = None   # the asset list of `_rows`
        self._rows: dict[str, int] = {}
        # What the last search found per asset: (through, bar) — the newest frame at or below
        # `through` that holds the asset is at `bar` (-1: none). Valid while frames are only
        # added above every held bar; forgotten when any other change is made.
        self._found: dict[str, tuple[int, int]] = {}

    def add_table(self, bar: int, assets: list[str], values: array[float]) -> Frame:
        """Keeps a step's table (`values`: one row per asset of `assets`) as the frame of `bar`.
        The row index is shared with the previous table's when the asset list is the same. A
        bar stepped again (a replayed step) has its rows replaced asset by asset, as if each
        were `put`, keeping the rows of assets the new table does not name."""
        held = self.frames.get(bar)
        if held is not None:
            self._found.clear()
            self.names.update(assets)
            width = self.asset_width
            for position, asset in enumerate(assets):
                held.put(asset, values[position * width:(position + 1) * width])
            return held
        if assets != self._assets:
            width = self.asset_width
            self._rows = {asset: position * width for position, asset in enumerate(assets)}
            self._assets = assets
            self.names.update(assets)
        frame = Frame(bar, values, self._rows, False)
        self._add(frame)
        return frame

    def frame_at(self, bar: int) -> Frame:
        """The frame of `bar`, made empty when none is held."""
        frame = self.frames.get(bar)
        if frame is None:
            frame = Frame(bar, array("d"), {}, True)
            self._add(frame)
        return frame

    def _add(self, frame: Frame) -> None:
        bars, bar = self.bars, frame.bar
        if not bars or bar > bars[-1]:
            bars.append(bar)
        else:
            self._found.clear()
            if bar not in self.frames:
                insort(bars, bar)
        self.frames[bar] = frame

    def learn(self, asset: str, at: int, served: int | None, row: Sequence[float] | None) -> None:
        """The service serves `row` of bar `served` for the asset at bar `at`: nothing held
        between them, and nothing at all at or below `at` when `served` is None."""
        self._found.clear()
        self.names.add(asset)
        bars = self.bars
        low = 0 if served is None else bisect_right(bars, served)
        for bar in bars[low:bisect_right(bars, at)]:
            self.frames[bar].drop(asset)
        if served is not None and row is not None and served > self.floor:
            self.frame_at(served).put(asset, row)

    def learn_macro(self, at: int, served: int | None, row: Sequence[float] | None) -> None:
        """The service serves macro `row` of bar `served` at bar `at`: nothing held between them,
        and nothing at all at or below `at` when `served` is None."""
        self.macro.remove(served, at)
        if served is not None and row is not None:
            self.macro.put(served, row, self.floor)

    def newest(self, asset: str, bar: int) -> Frame | None:
        """The newest retained frame at or below `bar` that holds the asset; None when none does."""
        bars, frames, floor = self.bars, self.frames, self.floor
        if not bars:
            return None
        index = len(bars) - 1 if bars[-1] <= bar else bisect_right(bars, bar) - 1
        through = bars[index] if index >= 0 else -1   # every frame at or below `bar` is at or below it
        stop, found = floor, -1
        known = self._found.get(asset)
        if known is not None and known[0] <= through:
            stop, found = max(floor, known[0]), known[1]
        while index >= 0 and bars[index] > stop:
            frame = frames[bars[index]]
            if asset in frame.rows:
                found = frame.bar
                break
            index -= 1
        if through >= 0:
            self._found[asset] = (through, found)
        return frames.get(found) if found > floor else None

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
        bars = self.bars
        if bars and bars[0] <= self.floor:
            cut = bisect_right(bars, self.floor)
            for evicted in bars[:cut]:
                del self.frames[evicted]
            del bars[:cut]

    def clear(self) -> None:
        """Forgets everything (a rollover: the service clears its bar caches)."""
        self.stepped.clear()
        self.floor = -1
        self.bars.clear()
        self.frames.clear()
        self.names.clear()
        self.macro = BarLog(self.macro.width)
        self._assets = None
        self._rows = {}
        self._found.clear()
