"""`ReplayOBFeatureEngine`: the trader's order-book engine answered from `obf replay` output, for
backtests that must see exactly the features the live loop saw.

The record is read whole (JSON Lines or CSV) into a few arrays: every computed asset's nine
numbers of every step in one `array('d')` (72 bytes per asset-step), per asset the rows that
hold it, per step its bar, time and first row. A look-up is a few binary searches over them.

The engine is a cursor over the recorded steps. Its `get_*` answer what `LiveOBFeatureEngine`
answered right after stepping the cursor's step: the look-up rule (features.md §5) over the
steps of the cursor's bar sequence up to the cursor, of which only the newest `max_bars` are
retained; nothing recorded after the cursor is ever seen. With `as_service`, where the
service started again from an older state (`resumed` in the output: a `kill -9` and a restart
from an older state file, or a start without one), the steps its caches lost are not seen from
there on, as the service's own look-ups did not see them (the live engine's memory did).
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import math
import os
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import IO, Any, Literal, Union

from .bars import BarArgument, bar_number
from .engine import EngineCounters, StepStatus
from .features import (ASSET_COLUMNS, ASSET_WIDTH, FALLBACK, LIVE, MACRO_WIDTH, OBMacroFeatures,
                       OBPlacementFeatures, OBSignalFeatures, live_records, macro_row, neutral_macro,
                       neutral_placement, neutral_signal)
from .lookups import ArgumentLog, Make, Record, RecordLookups
ReplayFormat = Literal["jsonl", "csv"]
ReplaySource = Union[str, "os.PathLike[str]", Iterable[str], Iterable[bytes]]
"""What the record is read from: a path (a `.gz` one read through gzip), an open file (text or
binary), or any iterable of lines."""

MACRO_COLUMNS = ("median_imbalance", "agreement_pct", "depth_pressure", "withdrawing_assets", "cascade_regime",
                 "depth_velocity", "acceleration")
CSV_COLUMNS = ("bar", "time", "rollover", "asset", "depth_1pct_usd", "depth_quality", "fill_probability",
               "spread_proxy_bps", "imbalance", "depth_asymmetry", "imbalance_ma5", "imbalance_persistence",
               "withdrawal_velocity") + MACRO_COLUMNS
"""The columns of `obf replay --format csv`, in the order it writes them (then `resumed_last_bar`:
empty, a bar, or `none`, on the first step after the service started again)."""
RESUMED_COLUMN = "resumed_last_bar"

_CONTINUES = object()
"""`ReplayRecord.add`'s `resumed` for a step that continues the one before."""


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """One recorded step: its position in the record (`index`, from 0), its bar, when the service
    answered it (`time`, Unix seconds), whether it started a new bar sequence (`rollover`), the
    assets it computed in request order, and whether it had macro features."""

    index: int
    bar: int
    time: float
    rollover: bool
    assets: tuple[str, ...]
    macro: bool


class ReplayRecord:
    """The steps of one `obf replay` output as arrays (read-only once built).

    Step `k` has bar `bars[k]`, time `times[k]`, and the asset rows `row_start[k]` up to
    `row_start[k + 1]`; row `r` is asset `names[row_asset[r]]` with its numbers at
    `values[r * ASSET_WIDTH:(r + 1) * ASSET_WIDTH]` (the records' field order). `asset_rows[a]`
    lists asset `a`'s rows, ascending. `macro_steps` are the steps with macro features, their
    numbers in `macro_values`. Bar sequences start at the steps of `starts`. From step
    `hidden_to[h]` on, the steps `hidden_from[h]` up to `hidden_to[h]` are not seen: the service
    started again there with caches that did not hold them."""

    def __init__(self) -> None:
        self.bars = array("q")
        self.times = array("d")
        self.latest = array("d")            # the newest time of the steps so far (the time index)
        self.rollovers = array("b")
        self.starts = array("q")
        self.row_start = array("q", [0])
        self.row_asset = array("i")
        self.values = array("d")
        self.names: list[str] = []
        self.ids: dict[str, int] = {}
        self.asset_rows: list[array[int]] = []
        self.macro_steps = array("q")
        self.macro_values = array("d")
        self.hidden_from = array("q")
        self.hidden_to = array("q")
        self._names: list[str] = []         # the asset list of the last step, and its numbers
        self._numbers = array("i")

    def __len__(self) -> int:
        return len(self.bars)

    def add(self, bar: object, time: object, rollover: object, names: Sequence[str], values: array[float],
            macro: Sequence[float] | None, resumed: object = _CONTINUES) -> None:
        """Appends a step: its assets' numbers in `values`, row after row, in the records' order;
        `resumed` the newest bar the service's caches held when it started again before this step
        (None: none). Raises `ValueError` when it is not one (the record is then unusable)."""
        if type(bar) is not int or bar < 0:
            raise ValueError(f"bar {bar!r} is not a whole number 0 or more")
        if type(rollover) is not bool:
            raise ValueError(f"rollover {rollover!r} is not true or false")
        if not isinstance(time, (int, float)) or isinstance(time, bool) or time != time:
            raise ValueError(f"time {time!r} is not a number")
        step = len(self.bars)
        if step == 0 or rollover:
            self.starts.append(step)
        elif bar <= self.bars[-1]:
            raise ValueError(f"bar {bar} is not above the previous step's bar {self.bars[-1]}, and the step is "
                             f"not a rollover")
        elif resumed is not _CONTINUES:
            if resumed is not None and (type(resumed) is not int or resumed < 0):
                raise ValueError(f"resumed last bar {resumed!r} is not a bar")
            start = self.starts[-1]
            lost = start if resumed is None else bisect_right(self.bars, resumed, start, step)
            if lost < step:
                self.hidden_from.append(lost)
                self.hidden_to.append(step)
        if names != self._names:   # else the asset list of the step before: the same numbers
            numbers = array("i", map(self._number, names))
            if len(set(numbers)) != len(numbers):
                raise ValueError("an asset twice in one step")
            self._names, self._numbers = list(names), numbers
        first, rows = len(self.row_asset), self.asset_rows
        self.values.extend(values)
        self.row_asset.extend(self._numbers)
        for row, asset in enumerate(self._numbers, first):
            rows[asset].append(row)
        if macro is not None:
            self.macro_steps.append(step)
            self.macro_values.extend(macro)
        self.bars.append(bar)
        self.rollovers.append(rollover)
        self.times.append(float(time))
        self.latest.append(max(float(time), self.latest[-1]) if step else float(time))
        self.row_start.append(len(self.row_asset))

    def _number(self, name: str) -> int:
        """The number of asset `name`, given it when first seen."""
        number = self.ids.get(name)
        if number is None:
            number = self.ids[name] = len(self.names)
            self.names.append(name)
            self.asset_rows.append(array("q"))
        return number

    # -- a binary copy, read again in seconds ----------------------------------------------------

    _ARRAYS = ("bars", "times", "latest", "rollovers", "starts", "row_start", "row_asset", "values", "macro_steps",
               "macro_values", "hidden_from", "hidden_to")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the record's arrays to `path` as they are in memory (`load` reads them again):
        a first line naming the format, a JSON line with the asset names and the arrays' types
        and lengths, then the arrays' bytes."""
        arrays = [getattr(self, name) for name in self._ARRAYS] + self.asset_rows
        header = {"version": 2, "byteorder": sys.byteorder, "names": self.names,
                  "arrays": [[held.typecode, held.itemsize, len(held)] for held in arrays]}
        with open(path, "wb") as file:
            file.write(_SAVED + json.dumps(header, separators=(",", ":")).encode() + b"\n")
            for held in arrays:
                held.tofile(file)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ReplayRecord:
        """The record `save` wrote to `path`; raises `ValueError` when the file is not one."""
        record = cls()
        with open(path, "rb") as file:
            if file.readline() != _SAVED:
                raise ValueError(f"{os.fspath(path)} is not a replay record written by ReplayRecord.save")
            header = json.loads(file.readline())
            kinds = header["arrays"]
            if header["version"] != 2 or len(kinds) != len(cls._ARRAYS) + len(header["names"]):
                raise ValueError(f"{os.fspath(path)}: a replay record of another version or layout")
            arrays = []
            for typecode, itemsize, length in kinds:
                held = array(typecode)
                if held.itemsize != itemsize:
                    raise ValueError(f"{os.fspath(path)}: '{typecode}' items of {itemsize} bytes, here "
                                     f"{held.itemsize}")
                held.fromfile(file, length)   # EOFError when the file is cut short
                if header["byteorder"] != sys.byteorder:
                    held.byteswap()
                arrays.append(held)
        for name, held in zip(cls._ARRAYS, arrays):
            setattr(record, name, held)
        record.names = list(header["names"])
        record.ids = {name: number for number, name in enumerate(record.names)}
        record.asset_rows = arrays[len(cls._ARRAYS):]
        return record

    def sequence_of(self, step: int) -> int:
        """The first step of the bar sequence holding `step`."""
        return self.starts[bisect_right(self.starts, step) - 1]

    def sequence_end(self, start: int) -> int:
        """The step after the last one of the bar sequence starting at `start`."""
        index = bisect_right(self.starts, start)
        return self.starts[index] if index < len(self.starts) else len(self.bars)

    def step(self, index: int) -> ReplayStep:
        """Step `index` of the record (negative: from the end)."""
        if not -len(self.bars) <= index < len(self.bars):
            raise IndexError(f"step {index} is not in the record of {len(self.bars)} steps")
        index %= len(self.bars)
        names = self.names
        assets = tuple(names[asset] for asset in self.row_asset[self.row_start[index]:self.row_start[index + 1]])
        position = bisect_left(self.macro_steps, index)
        macro = position < len(self.macro_steps) and self.macro_steps[position] == index
        return ReplayStep(index, self.bars[index], self.times[index], bool(self.rollovers[index]), assets, macro)


# -- reading ------------------------------------------------------------------------------------

_SAVED = b"obf replay record\n"
NAN = math.nan

_PLACEMENT = itemgetter(*ASSET_COLUMNS[:4])
_SIGNAL = itemgetter(*ASSET_COLUMNS[4:])


def _jsonl_step(record: ReplayRecord, line: str, keep: Callable[[str], bool] | None) -> None:
    step = json.loads(line)
    if not isinstance(step, dict):
        raise ValueError("not a JSON object")
    assets = step["assets"]
    if not isinstance(assets, dict):
        raise ValueError("assets is not an object")
    items = list(assets.items()) if keep is None else [item for item in assets.items() if keep(item[0])]
    values = [number for _, features in items for number in chain(_PLACEMENT(features["placement"]),
                                                                    _SIGNAL(features["signal"]))]
    macro = step["macro"]
    row = None if macro is None else macro_row(macro)
    resumed = step.get("resumed", _CONTINUES)
    if resumed is not _CONTINUES:
        if not isinstance(resumed, dict):
            raise ValueError("resumed is not an object")
        resumed = resumed["last_bar"]
    record.add(step["bar"], step["time"], step["rollover"], [name for name, _ in items], _doubles(values),
               None if row is None else _doubles(row), resumed)


def _doubles(values: Sequence[Any]) -> array[float]:
    """`values` as doubles, each `null` read as NaN: the service writes `null` for a number that
    is not finite, where the live engine's binary table holds the double itself."""
    try:
        return array("d", values)
    except TypeError:
        return array("d", [NAN if number is None else number for number in values])


def _read_jsonl(record: ReplayRecord, lines: Iterator[tuple[int, str]], keep: Callable[[str], bool] | None) -> None:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            _jsonl_step(record, line, keep)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError) as error:
            raise _malformed(number, error) from error


def _malformed(number: int, error: BaseException) -> ValueError:
    what = f"missing or unknown: {error}" if isinstance(error, KeyError) else str(error)
    return ValueError(f"obf replay output, line {number}: {what}")


_BOOLEANS = {"true": True, "false": False}


def _read_csv(record: ReplayRecord, lines: Iterator[tuple[int, str]], keep: Callable[[str], bool] | None) -> None:
    header_number, header = next(lines, (1, ""))
    columns = next(csv.reader([header]), [])
    missing = [name for name in CSV_COLUMNS if name not in columns]
    if missing:
        raise _malformed(header_number, ValueError(f"a CSV header without the columns {', '.join(missing)}"))
    width = len(columns)
    bar_at, time_at, rollover_at, asset_at = (columns.index(name) for name in CSV_COLUMNS[:4])
    numbers = itemgetter(*(columns.index(name) for name in ASSET_COLUMNS))
    macro_cells = [(name, columns.index(name)) for name in MACRO_COLUMNS]
    resumed_at = columns.index(RESUMED_COLUMN) if RESUMED_COLUMN in columns else None

    key: tuple[str, ...] = ()
    first, names, values, macro, resumed = 0, list[str](), list[float](), None, ""

    def add() -> None:
        if key:
            try:
                record.add(int(key[0]), float(key[1]), _BOOLEANS.get(key[2], key[2]), names, array("d", values),
                           macro, _CONTINUES if not resumed else None if resumed == "none" else int(resumed))
            except (ValueError, OverflowError) as error:
                raise _malformed(first, error) from error

    for number, line in lines:
        if not line.strip():
            continue
        try:
            row = line.rstrip("\r\n").split(",") if '"' not in line else next(csv.reader([line]))
            if "null" in line:   # a number that is not finite, as the service writes it: NaN
                row = ["nan" if cell == "null" else cell for cell in row]
            if len(row) != width:
                raise ValueError(f"{len(row)} cells, not {width}")
            step = (row[bar_at], row[time_at], row[rollover_at])
            if step != key:
                cells = {name: row[at] for name, at in macro_cells}
                step_macro = None if not any(cells.values()) else macro_row(
                    {name: cell if name == "cascade_regime" else float(cell) for name, cell in cells.items()})
            asset = row[asset_at]
            row_values = list(map(float, numbers(row))) if asset and (keep is None or keep(asset)) else None
        except (ValueError, KeyError, OverflowError) as error:
            raise _malformed(number, error) from error
        if step != key:
            add()
            key, first, names, values, macro = step, number, [], [], step_macro
            resumed = row[resumed_at] if resumed_at is not None else ""
        if row_values is not None:
            values.extend(row_values)
            names.append(asset)
    add()


def _lines(source: ReplaySource) -> tuple[Iterator[tuple[int, str]], Callable[[], None]]:
    """The numbered lines of `source` as text, and what closes it when it was opened here."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        handle: IO[str] = (gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz")
                           else open(path, encoding="utf-8"))
        return enumerate(handle, 1), handle.close
    lines: Iterable[str | bytes] = source
    return enumerate((line.decode() if isinstance(line, bytes) else line for line in lines), 1), lambda: None


def _detect(number: int, first: str) -> ReplayFormat:
    if first.lstrip().startswith("{"):
        return "jsonl"
    if first.startswith("bar,"):
        return "csv"
    raise _malformed(number, ValueError("neither a JSON object (JSON Lines) nor the CSV header"))


def read_replay(source: ReplaySource, *, format: ReplayFormat | None = None,
                assets: Iterable[str] | None = None) -> ReplayRecord:
    """Reads `obf replay` output (`format` "jsonl" or "csv"; None: told by its first line),
    keeping only `assets` when given. Raises `ValueError` naming the line of a malformed step."""
    lines, close = _lines(source)
    try:
        if format is None:
            head = next(((number, line) for number, line in lines if line.strip()), None)
            if head is None:
                return ReplayRecord()
            format = _detect(*head)
            lines = chain([head], lines)
        keep = None if assets is None else set(assets).__contains__
        record = ReplayRecord()
        if format == "jsonl":
            _read_jsonl(record, lines, keep)
        elif format == "csv":
            _read_csv(record, lines, keep)
        else:
            raise ValueError(f"format {format!r} is neither 'jsonl' nor 'csv'")
        return record
    finally:
        close()


# -- look-ups -----------------------------------------------------------------------------------

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

    def _find(self, asset: str | None, bar: int, make: Make[Record], neutral: Callable[[], Record]) -> Record:
        found = self._newest(asset, bar)
        if found is None:
            return neutral()
        values, at, served = found
        return make(values, at, LIVE if served == bar else FALLBACK, served)

    def _newest(self, asset: str | None, bar: int) -> tuple[array[float], int, int] | None:
        """Where the numbers served for `bar` are (their array, the offset of their row) and their
        bar; None for neutral defaults."""
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
        name = asset if asset in ids else asset.upper()
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


class ReplayOBFeatureEngine(RecordLookups):
    """The trader's order-book engine for backtests, answered from `obf replay` output.

    It is a cursor over the recorded steps, in the order the service answered them. Every
    `get_placement` / `get_signal` / `get_market` / `get_macro` answers what `LiveOBFeatureEngine`
    answered right after stepping the cursor's step (records of the same types, the same
    numbers, `source` and `served_bar`): the look-up rule over the steps of the cursor's bar
    sequence up to the cursor, the newest `max_bars` of them retained (give it the service's
    `--max-bars`). A rollover starts a new sequence: nothing of an earlier one is answered.
    Nothing recorded after the cursor is seen: a bar above the cursor's answers the cursor's
    bar (`fallback`), as the live engine answered a bar it had not stepped yet.

    The cursor starts before the first step (every look-up answers defaults) and moves by:

    - `step_live(assets, bar_idx)`, the live loop's own call: to the recorded step of that bar,
      the next one in the current sequence or, for a bar below the previous one (the loop's
      daily reset), in the next sequence. A bar the record lacks (the live step failed, or the
      backtest steps bars the live loop did not) fails the step: the cursor goes to the newest
      recorded step below it and every look-up answers defaults until a step is found, as the
      live engine's did after a failed step;
    - iterating `steps()`, which moves the cursor to each step before yielding it;
    - `seek(index)` and `seek_time(ts)`.

    By time: a timestamp (Unix seconds) maps to the newest step answered at or before it (no
    step answered after it counts); `at_time(ts)` is the view at that step, `at(index)` at a
    recorded step (neither moves the cursor), and `get_placement_at(asset, ts)` and the like
    answer the bar of that step, as the live loop looked it up after stepping it. The `get_*`
    read bars as the live engine does (`int(x)`): a float timestamp given to them is a bar
    number, never a time. Not thread-safe.
    """

    def __init__(self, source: ReplaySource | ReplayRecord, *, format: ReplayFormat | None = None,
                 max_bars: int = 500, assets: Iterable[str] | None = None,
                 logger: logging.Logger | None = None, as_service: bool = False) -> None:
        """Reads `source` (see `read_replay`; `format` and `assets` as there) or takes a record
        already read.

        By default look-ups answer what `LiveOBFeatureEngine` answered: its memory keeps every
        bar it was answered, also across a restart of the service. With `as_service` they answer
        what the service's own `GET /features` and `/macro` answered: after the service started
        again from an older state (`resumed` in the record), the bars its caches lost are not
        seen."""
        if max_bars < 1:
            raise ValueError("max_bars must be at least 1")
        self.record = source if isinstance(source, ReplayRecord) else read_replay(source, format=format,
                                                                                    assets=assets)
        self.max_bars = max_bars
        self.as_service = as_service
        self.logger = logger or logging.getLogger("obf_client")
        self._init_lookups(ArgumentLog(self.logger))
        self._view = self._time_view = self._at(0, -1)
        self._last_bar: int | None = None
        self._failing = False
        self._steps_ok = self._steps_degraded = self._steps_failed = self._failures = self._rollovers = 0
        self._last_error: BaseException | None = None
        self._last_ok_bar: int | None = None

    @classmethod
    def from_jsonl(cls, source: ReplaySource, *, max_bars: int = 500, assets: Iterable[str] | None = None,
                   logger: logging.Logger | None = None) -> ReplayOBFeatureEngine:
        """The engine of `obf replay --format jsonl` output."""
        return cls(source, format="jsonl", max_bars=max_bars, assets=assets, logger=logger)

    @classmethod
    def from_csv(cls, source: ReplaySource, *, max_bars: int = 500, assets: Iterable[str] | None = None,
                 logger: logging.Logger | None = None) -> ReplayOBFeatureEngine:
        """The engine of `obf replay --format csv` output."""
        return cls(source, format="csv", max_bars=max_bars, assets=assets, logger=logger)

    # -- the record and the cursor ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.record)

    def step(self, index: int) -> ReplayStep:
        """Recorded step `index` (from 0; negative: from the end)."""
        return self.record.step(index)

    @property
    def cursor(self) -> ReplayStep | None:
        """The cursor's step; None before the first step of its sequence."""
        return self._view.step

    @property
    def assets(self) -> list[str]:
        """Every asset computed at some recorded step, in order of first appearance."""
        return list(self.record.names)

    def steps(self, start: int = 0, stop: int | None = None) -> Iterator[ReplayStep]:
        """The recorded steps from `start` (before `stop`), in the order they were answered; the
        cursor moves to each before it is yielded, so the loop's `get_*` answer as of it."""
        for index in range(start, len(self.record) if stop is None else min(stop, len(self.record))):
            yield self.seek(index)

    def seek(self, index: int) -> ReplayStep:
        """Moves the cursor to recorded step `index` (negative: from the end)."""
        step = self.record.step(index)
        self._move(self.record.sequence_of(step.index), step.index)
        return step

    def seek_time(self, time: float) -> ReplayStep | None:
        """Moves the cursor to the newest step answered at or before `time` (Unix seconds), or, when
        there is none, to before the first step. Returns the cursor's step; raises `ValueError`
        for NaN, `TypeError` for what is no number."""
        index = self._step_at(time)
        self._move(0 if index < 0 else self.record.sequence_of(index), index)
        return self._view.step

    def at(self, index: int) -> ReplayView:
        """The look-ups right after recorded step `index` (negative: from the end); the cursor
        does not move."""
        step = self.record.step(index)
        return self._at(self.record.sequence_of(step.index), step.index)

    def at_time(self, time: float) -> ReplayView:
        """The look-ups right after the newest step answered at or before `time` (Unix seconds),
        all defaults before the first step. The cursor does not move. Raises `ValueError` for
        NaN, `TypeError` for what is no number."""
        index = self._step_at(time)
        if index != self._time_view.index:
            self._time_view = self._at(0 if index < 0 else self.record.sequence_of(index), index)
        return self._time_view

    def _step_at(self, time: float) -> int:
        moment = float(time)
        if moment != moment:
            raise ValueError("the time NaN names no step")
        return bisect_right(self.record.latest, moment) - 1

    def _at(self, start: int, index: int) -> ReplayView:
        return ReplayView(self.record, start, index, self.max_bars, self._arguments, self.as_service)

    def _move(self, start: int, index: int, failing: bool = False) -> None:
        view = self._view
        if view.start != start or view.index != index:
            self._view = self._at(start, index)
            self._forget_records()
        self._failing = failing
        self._last_bar = self._view.bar

    # -- the live loop's calls -------------------------------------------------------------------

    def step_live(self, assets: Sequence[str] | None, bar_idx: BarArgument) -> StepStatus:
        """Moves the cursor to the recorded step of `bar_idx` (read as `int(bar_idx)`), as the
        live loop stepped it: the next one in the current bar sequence, or in the next sequence
        when the bar is below the previous one (a rollover). Never raises. A bar the record lacks
        fails the step (`ok` False, `error` a `LookupError`): look-ups answer defaults until a
        step is found. `skipped` names the requested assets the step did not compute
        (`not_computed`: the record does not say why)."""
        bar = bar_number(bar_idx)
        if isinstance(bar, str):
            return self._failed(None, ValueError(f"step_live needs a bar, a number 0 or more; got {bar_idx!r} "
                                                 f"({bar})"), False)
        record, start, index = self.record, self._view.start, self._view.index
        rollover = self._last_bar is not None and bar < self._last_bar
        if rollover:
            self._rollovers += 1
            start = index = record.sequence_end(start)
            index -= 1
        if start < len(record):
            index = max(index, bisect_right(record.bars, bar, start, record.sequence_end(start)) - 1)
        self._move(start, index)
        self._last_bar = bar
        if self._view.bar != bar:
            below = self._view.step
            return self._failed(bar, LookupError(f"bar {bar} is not in the record" + (
                "" if below is None else f"; the newest recorded step below it is step {below.index}, bar "
                                         f"{below.bar}")), rollover)
        step = self.record.step(index)
        replayed = self._last_ok_bar == bar and not rollover and self._failures == 0
        self._failures = 0
        self._steps_ok += 1
        self._last_ok_bar = bar
        computed = set(step.assets)
        requested = list(assets) if assets else list(step.assets)
        skipped = {asset: "not_computed" for asset in requested if asset not in computed}
        self._steps_degraded += bool(skipped)
        return StepStatus(bar, ok=True, degraded=bool(skipped), replayed=replayed, rollover=rollover,
                          requested=len(requested), computed=len(step.assets), skipped=skipped)

    def _failed(self, bar: int | None, error: BaseException, rollover: bool) -> StepStatus:
        self._failing = True
        self._forget_records()
        self._failures += 1
        self._steps_failed += 1
        self._last_error = error
        self.logger.debug("obf: the step of bar %s is not replayed: %s", bar, error)
        return StepStatus(bar, ok=False, rollover=rollover, error=error)

    # The look-ups (`get_placement`, `get_signal`, `get_market`/`get_macro`) are the cursor's view's.

    def _find(self, asset: str | None, bar: int, make: Make[Record], neutral: Callable[[], Record]) -> Record:
        return self._view._find(asset, bar, make, neutral)

    def _records_of_bar(self, bar: int) -> None:
        self._view.records_of_bar(bar, self._placements, self._signals)

    # -- by time ---------------------------------------------------------------------------------

    def get_placement_at(self, asset: str, time: float) -> OBPlacementFeatures:
        """The asset's placement features the live loop saw at `time` (Unix seconds): those of the
        bar of the newest step answered at or before it, as of that step; defaults before the
        first step, and for a `time` that is no number or NaN (counted in
        `counters.bad_arguments`, logged once per kind). The cursor does not move."""
        view, bar = self._at_time(time)
        return neutral_placement() if view is None else view.get_placement(asset, bar)

    def get_signal_at(self, asset: str, time: float) -> OBSignalFeatures:
        """The asset's signal features the live loop saw at `time` (see `get_placement_at`)."""
        view, bar = self._at_time(time)
        return neutral_signal() if view is None else view.get_signal(asset, bar)

    def get_market_at(self, time: float) -> OBMacroFeatures:
        """The market and macro features the live loop saw at `time` (see `get_placement_at`)."""
        view, bar = self._at_time(time)
        return neutral_macro() if view is None else view.get_market(bar)

    def _at_time(self, time: object) -> tuple[ReplayView | None, int]:
        """The view at `time` and its bar; None when it has no step or `time` is no time."""
        try:
            view = self.at_time(time)   # type: ignore[arg-type]
        except (TypeError, ValueError):
            self._arguments.refused("time", "nan" if isinstance(time, float) else type(time).__name__, time)
            return None, 0
        bar = view.bar
        return (None, 0) if bar is None else (view, bar)

    get_macro_at = get_market_at

    # -- state -----------------------------------------------------------------------------------

    @property
    def counters(self) -> EngineCounters:
        """The live engine's counters, of the `step_live` calls (`empty_streak` is always 0)."""
        return EngineCounters(self._steps_ok, self._steps_degraded, self._steps_failed, self._failures,
                              self._rollovers, self._last_error, self._last_ok_bar, self._failing, 0,
                              self._arguments.count)

    def close(self) -> None:
        """Nothing to close (the record is read when the engine is made): the live engine's call."""

    def __enter__(self) -> ReplayOBFeatureEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
