"""Reading `obf replay` output, JSON Lines or CSV, into a `ReplayRecord`."""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from operator import itemgetter
from typing import IO, Any, Literal, Union

from ..features import ASSET_COLUMNS, asset_row, macro_row
from .record import ReplayRecord, CONTINUES


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

NAN = math.nan



def _jsonl_step(record: ReplayRecord, line: str, keep: Callable[[str], bool] | None) -> None:
    step = json.loads(line)
    if not isinstance(step, dict):
        raise ValueError("not a JSON object")
    assets = step["assets"]
    if not isinstance(assets, dict):
        raise ValueError("assets is not an object")
    items = list(assets.items()) if keep is None else [item for item in assets.items() if keep(item[0])]
    values = [number for _, features in items for number in asset_row(features)]
    macro = step["macro"]
    row = None if macro is None else macro_row(macro)
    resumed = step.get("resumed", CONTINUES)
    if resumed is not CONTINUES:
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
                           macro, CONTINUES if not resumed else None if resumed == "none" else int(resumed))
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
            new_step = step != key
            if new_step:
                cells = {name: row[at] for name, at in macro_cells}
                step_macro = None if not any(cells.values()) else macro_row(
                    {name: cell if name == "cascade_regime" else float(cell) for name, cell in cells.items()})
            asset = row[asset_at]
            row_values = list(map(float, numbers(row))) if asset and (keep is None or keep(asset)) else None
        except (ValueError, KeyError, OverflowError) as error:
            raise _malformed(number, error) from error
        if new_step:
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
