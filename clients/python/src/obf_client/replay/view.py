"""`ReplayView`: the look-ups as the live engine answered them right after one recorded step."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from ..features import ASSET_WIDTH, MACRO_WIDTH, OBPlacementFeatures, OBSignalFeatures, live_records
from ..lookups import ArgumentLog, RecordLookups, Where, served_name
from .record import ReplayRecord, ReplayStep


class ReplayView(RecordLookups):
    """The look-ups as `LiveOBFeatureEngine` answered them right after stepping one recorded step
    (`step`; None before the first step of its bar sequence: every look-up answers defaults).

    `get_*(…, bar)` follow the service's rule over the steps of the view's bar sequence up to
    its step, the newest `max_bars` of them retained: the bar itself (`live`), else the newest
    retained bar below it (`fallback`, `served_bar`), never a later one, else neutral defaults
    (`default`). A bar above the step's answers the step's (`fallback`): nothing recorded after
    the step is seen. Bars are read as the live engine reads them, `int(bar)`; no `get_*` raises.
    A repeated look-up returns the same record: treat records as read-only."""

    def __init__(self, record: ReplayRecord, start: int, index: int, max_bars: int, arguments: ArgumentLog,
                 as_service: bool = False) -> None:
        self.record = record
        #: The first step of the view's bar sequence, and the view's step (below `start`: none yet).
        self.start, self.index = start, index
        # As the service answers (`as_service`): the ranges of steps not seen from this step (the
        # service started again after them, from an older state), newest first; and the oldest
        # retained step: `max_bars` seen steps back.
        self._hidden = [(record.hidden_from[h], record.hidden_to[h]) for h in range(len(record.hidden_to) - 1, -1, -1)
                        if as_service and start <= record.hidden_from[h] and record.hidden_to[h] <= index]
        low = max(start, index - max_bars + 1)
        for lost, resumed in self._hidden:
            if low < resumed:
                low = max(start, low - (resumed - max(lost, low)))
        self._low = low
        self._step_rows: dict[int, dict[str, int]] = {}   # of a few steps: asset → row
        self._filled = False
        self._init_lookups(arguments)

    @property
    def step(self) -> ReplayStep | None:
        """The view's step; None before the first step of its sequence."""
        return self.record.step(self.index) if self.index >= self.start else None

    @property
    def bar(self) -> int | None:
        """The bar of the view's step; None before the first step of its sequence."""
        return self.record.bars[self.index] if self.index >= self.start else None

    def _records_of_bar(self, bar: int) -> None:
        self.records_of_bar(bar, self._placements, self._signals)

    def records_of_bar(self, bar: int, placements: dict[str, OBPlacementFeatures],
                       signals: dict[str, OBSignalFeatures]) -> None:
        """When `bar` is the view's, puts the records of every asset computed there in
        `placements` and `signals` at once; only the first time (look-ups that go back and forth
        between bars find the rows of the view's step by name, no faster)."""
        if bar == self.bar and not self._filled:
            self._filled = True
            record = self.record
            first, stop = record.row_start[self.index], record.row_start[self.index + 1]
            live_records([record.names[number] for number in record.row_asset[first:stop]],
                         record.values[first * ASSET_WIDTH:stop * ASSET_WIDTH], bar, placements, signals)

    def where(self, asset: str | None, bar: int) -> Where | None:
        """Where the numbers served for the asset (None: macro) at `bar` are, as of the view's
        step: their array, the offset of their row, their bar; None for neutral defaults."""
        record, low, index = self.record, self._low, self.index
        if index < low:
            return None
        bars = record.bars
        step = self._seen(index if bars[index] <= bar else bisect_right(bars, bar, low, index + 1) - 1)
        if step < low:
            return None
        if asset is None:
            steps = record.macro_steps
            position = bisect_right(steps, step) - 1
            while position >= 0 and self._seen(steps[position]) != steps[position]:
                position = bisect_right(steps, self._seen(steps[position])) - 1
            if position < 0 or steps[position] < low:
                return None
            return record.macro_values, position * MACRO_WIDTH, bars[steps[position]]
        ids, row_start = record.ids, record.row_start
        name = served_name(asset, ids)
        row = self._rows_of(step).get(name)
        if row is not None:
            return record.values, row * ASSET_WIDTH, bars[step]
        number = ids.get(name)
        if number is None:
            return None
        rows = record.asset_rows[number]
        position = bisect_left(rows, row_start[step + 1]) - 1
        while position >= 0 and rows[position] >= row_start[low]:
            holder = bisect_right(row_start, rows[position], low, step + 1) - 1
            seen = self._seen(holder)
            if seen == holder:
                break
            position = bisect_left(rows, row_start[seen + 1]) - 1
        if position < 0 or rows[position] < row_start[low]:
            return None
        row = rows[position]
        return record.values, row * ASSET_WIDTH, bars[bisect_right(row_start, row, low, step + 1) - 1]

    _where = where

    def _seen(self, step: int) -> int:
        """`step` when this view sees it, else the newest step below it that it sees."""
        for lost, resumed in self._hidden:
            if lost <= step < resumed:
                step = lost - 1
        return step

    def _rows_of(self, step: int) -> dict[str, int]:
        """Where each asset computed at `step` has its row (kept for the few steps looked up last)."""
        found = self._step_rows.get(step)
        if found is None:
            if len(self._step_rows) >= 4:
                self._step_rows.clear()
            record = self.record
            names, first = record.names, record.row_start[step]
            found = self._step_rows[step] = {names[asset]: row for row, asset in
                                             enumerate(record.row_asset[first:record.row_start[step + 1]], first)}
        return found
