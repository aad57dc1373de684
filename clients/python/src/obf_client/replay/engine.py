"""`ReplayOBFeatureEngine`: a cursor over a record, answering as the live loop's engine did."""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..bars import BarArgument, step_bar
from ..engine.counters import EngineCounters, StepCounts, StepStatus
from ..features import (OBMacroFeatures, OBPlacementFeatures, OBSignalFeatures, neutral_macro, neutral_placement,
                        neutral_signal)
from ..lookups import ArgumentLog, RecordLookups, Where
from .record import ReplayRecord, ReplayStep
from .reading import ReplayFormat, ReplaySource, read_replay
from .view import ReplayView


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
        self._counts = StepCounts()

    @classmethod
    def from_jsonl(cls, source: ReplaySource, **options: Any) -> ReplayOBFeatureEngine:
        """The engine of `obf replay --format jsonl` output; `options` as the constructor's
        (`max_bars`, `assets`, `logger`, `as_service`)."""
        return cls(source, format="jsonl", **options)

    @classmethod
    def from_csv(cls, source: ReplaySource, **options: Any) -> ReplayOBFeatureEngine:
        """The engine of `obf replay --format csv` output; `options` as the constructor's
        (`max_bars`, `assets`, `logger`, `as_service`)."""
        return cls(source, format="csv", **options)

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
        try:
            bar = step_bar(bar_idx)
        except ValueError as error:
            return self._failed(None, error, False)
        record, start, index = self.record, self._view.start, self._view.index
        rollover = self._last_bar is not None and bar < self._last_bar
        if rollover:
            self._counts.rolled_over()
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
        counts = self._counts
        replayed = counts.last_ok_bar == bar and not rollover and counts.consecutive_failures == 0
        computed = set(step.assets)
        requested = list(assets) if assets else list(step.assets)
        skipped = {asset: "not_computed" for asset in requested if asset not in computed}
        return counts.answered(bar, requested=len(requested), computed=len(step.assets), skipped=skipped,
                               replayed=replayed, rollover=rollover, degraded=bool(skipped))

    def _failed(self, bar: int | None, error: BaseException, rollover: bool) -> StepStatus:
        self._failing = True
        self._forget_records()
        self.logger.debug("obf: the step of bar %s is not replayed: %s", bar, error)
        return self._counts.failed(bar, error, rollover=rollover)

    # The look-ups (`get_placement`, `get_signal`, `get_market`/`get_macro`) are the cursor's view's.

    def _where(self, asset: str | None, bar: int) -> Where | None:
        return self._view.where(asset, bar)

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
        return self._counts.snapshot(failing=self._failing, empty_streak=0, bad_arguments=self._arguments.count)

    def close(self) -> None:
        """Nothing to close (the record is read when the engine is made): the live engine's call."""

    def __enter__(self) -> ReplayOBFeatureEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
