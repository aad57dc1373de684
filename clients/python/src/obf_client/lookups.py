"""The look-ups of the trader's order-book engine objects (`get_placement`, `get_signal`,
`get_market`/`get_macro`), answered through the records of the bar last looked up, whatever
holds the numbers: `LiveOBFeatureEngine`'s memory, or a replay of `obf replay` output."""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Sequence
from typing import TypeVar

from .bars import BarArgument, bar_number
from .features import (FALLBACK, LIVE, OBMacroFeatures, OBPlacementFeatures, OBSignalFeatures, macro_record,
                       neutral_macro, neutral_placement, neutral_signal, placement_record, signal_record)
from .models import LookupSource

Record = TypeVar("Record")
Make = Callable[[Sequence[float], int, LookupSource, int], Record]
"""Makes a record of the row starting at `values[at]`, with its `source` and `served_bar`."""

Where = tuple[Sequence[float], int, int]
"""Where the numbers served for a look-up are: their array, the offset of their row, their bar."""

MACRO = object()
"""The `asset` of a macro look-up."""


def served_name(asset: str, names: Container[str]) -> str:
    """The name an asset is looked up by: as given when `names` holds it, else in capitals (as
    the service answers it)."""
    return asset if asset in names else asset.upper()


class ArgumentLog:
    """Counts look-ups whose argument named no bar or asset (answered with neutral defaults),
    with one WARNING on `logger` per kind of argument, not per call."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.count = 0
        self._kinds: set[str] = set()

    def refused(self, what: str, kind: str, argument: object) -> None:
        """Counts a look-up whose `what` ("bar" or "asset") was `argument`, of kind `kind`."""
        self.count += 1
        if what + kind not in self._kinds:
            self._kinds.add(what + kind)
            self.logger.warning("obf: a look-up got the %s %r (%s), which names none; answering neutral defaults "
                                "(logged once for this kind of %s)", what, argument, kind, what)


class RecordLookups:
    """`get_placement`, `get_signal`, `get_market` (= `get_macro`) by asset and bar, read as the
    original engine reads them (`bar_number`): an argument that names no bar or asset answers
    neutral defaults (counted and logged once per kind by `_arguments`), and so does every
    look-up while `_failing`. The records of one bar (`_cache_bar`) are kept, so a repeated
    look-up returns the same record. A subclass calls `_init_lookups`, answers `_where` (where
    the numbers served are, or None for neutral defaults), and may make a bar's records ahead in
    `_records_of_bar`."""

    _failing = False

    def _init_lookups(self, arguments: ArgumentLog) -> None:
        self._arguments = arguments
        self._cache_bar: int | None = None
        self._placements: dict[str, OBPlacementFeatures] = {}
        self._signals: dict[str, OBSignalFeatures] = {}
        self._markets: dict[str, OBMacroFeatures] = {}

    # The records of the bar last looked up are read inline in each `get_*` (1000 look-ups a scan
    # at 500 assets: a shared helper would cost a call each); everything else goes through `_answer`.

    def get_placement(self, asset: str, timestamp_or_idx: BarArgument) -> OBPlacementFeatures:
        """The asset's placement features at the bar."""
        try:
            if type(timestamp_or_idx) is int and timestamp_or_idx == self._cache_bar:
                record = self._placements.get(asset)
                if record is not None:
                    return record
        except TypeError:   # an unhashable asset: answered below
            pass
        return self._answer(self._placements, asset, timestamp_or_idx, placement_record, neutral_placement)

    def get_signal(self, asset: str, timestamp_or_idx: BarArgument) -> OBSignalFeatures:
        """The asset's signal features at the bar."""
        try:
            if type(timestamp_or_idx) is int and timestamp_or_idx == self._cache_bar:
                record = self._signals.get(asset)
                if record is not None:
                    return record
        except TypeError:
            pass
        return self._answer(self._signals, asset, timestamp_or_idx, signal_record, neutral_signal)

    def get_market(self, timestamp_or_idx: BarArgument) -> OBMacroFeatures:
        """The market-agreement and macro features at the bar (one record, as `get_macro`)."""
        return self._answer(self._markets, MACRO, timestamp_or_idx, macro_record, neutral_macro)

    get_macro = get_market

    def _answer(self, cache: dict[str, Record], asset: object, timestamp_or_idx: object, make: Make[Record],
                neutral: Callable[[], Record]) -> Record:
        """A look-up by its arguments (`asset` `MACRO`: the macro one), through the records of `_cache_bar`."""
        bar = bar_number(timestamp_or_idx)
        if isinstance(bar, str):
            self._arguments.refused("bar", bar, timestamp_or_idx)
            return neutral()
        if asset is not MACRO and not isinstance(asset, str):
            self._arguments.refused("asset", type(asset).__name__, asset)
            return neutral()
        if self._failing:
            return neutral()
        if bar != self._cache_bar:
            self._forget_records()
            self._cache_bar = bar
            self._records_of_bar(bar)
        key = asset if isinstance(asset, str) else ""
        record = cache.get(key)
        if record is None:
            found = self._where(asset if isinstance(asset, str) else None, bar)
            if found is None:
                record = neutral()
            else:
                values, at, served = found
                record = make(values, at, LIVE if served == bar else FALLBACK, served)
            cache[key] = record
        return record

    def _forget_records(self) -> None:
        self._cache_bar = None
        self._placements.clear()
        self._signals.clear()
        self._markets.clear()

    def _records_of_bar(self, bar: int) -> None:
        """Called when look-ups move to `bar`: may put records of it in the caches ahead."""

    def _where(self, asset: str | None, bar: int) -> Where | None:
        """Where the numbers served for the asset (None: macro) at `bar` are, by the look-up rule;
        None for neutral defaults."""
        raise NotImplementedError
