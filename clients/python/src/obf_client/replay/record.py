"""The steps of one `obf replay` output as arrays: `ReplayRecord` and `ReplayStep`."""

from __future__ import annotations

import json
import os
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ..features import ASSET_WIDTH


CONTINUES = object()
"""`ReplayRecord.add`'s `resumed` for a step that continues the one before."""

_SAVED = b"obf replay record\n"
"""The first line of a file `ReplayRecord.save` wrote."""


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
            macro: Sequence[float] | None, resumed: object = CONTINUES) -> None:
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
        elif resumed is not CONTINUES:
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
