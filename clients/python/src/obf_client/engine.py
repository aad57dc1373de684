"""`LiveOBFeatureEngine`: the trader's order-book engine object, answered by `obf serve`."""

from __future__ import annotations

import logging
from array import array
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from .client import DEFAULT_BASE_URL, OBFClient, encode_assets, step_path
from .errors import BarRegression, OBFError
from .features import (ASSET_WIDTH, FALLBACK, LIVE, MACRO_WIDTH, OBMacroFeatures, OBPlacementFeatures,
                       OBSignalFeatures, asset_row, column_order, macro_record, macro_row, neutral_macro,
                       neutral_placement, neutral_signal, placement_record, signal_record)
from .models import LookupSource
from .memory import BarLog, BarMemory
from .outage import OutageLog

Record = TypeVar("Record")


@dataclass(frozen=True, slots=True)
class StepStatus:
    """What one `step_live` did. `ok` is False when the step got no usable answer (then every
    look-up answers defaults); `degraded` when it succeeded but some requested assets were
    not computed (`skipped`: asset → `missing`, `stale` or `invalid`)."""

    bar: int | None
    ok: bool
    degraded: bool = False
    replayed: bool = False
    rollover: bool = False
    requested: int = 0
    computed: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class EngineCounters:
    """The engine's counters since it was made (alert on `steps_failed` and `steps_degraded`
    rising, or `failing` staying True).

    - `steps_ok`: steps the service answered (degraded ones included);
    - `steps_degraded`: answered steps in which at least one requested asset was not computed;
    - `steps_failed`: steps without a usable answer (no answer, a 5xx, or a refusal such as 401);
    - `consecutive_failures`: failed steps since the last one that succeeded;
    - `rollovers`: new bar sequences started (a bar below the previous one);
    - `last_error`: the error of the last failed step (kept after recovery), None if none failed;
    - `last_ok_bar`: the bar of the last step that succeeded;
    - `failing`: the last step failed, so every look-up answers defaults.
    """

    steps_ok: int
    steps_degraded: int
    steps_failed: int
    consecutive_failures: int
    rollovers: int
    last_error: BaseException | None
    last_ok_bar: int | None
    failing: bool


def bar_index(timestamp_or_idx: object) -> int:
    """The bar an argument names: an int bar index (anything `operator.index` takes, such as
    numpy integers), 0 or more. Timestamps are refused: the live engine has no clock-to-bar map."""
    if isinstance(timestamp_or_idx, bool) or not hasattr(timestamp_or_idx, "__index__"):
        raise TypeError(f"LiveOBFeatureEngine looks bars up by their int index, got {type(timestamp_or_idx).__name__} "
                        f"{timestamp_or_idx!r}; convert a timestamp to the bar index of the trading loop first")
    bar = operator.index(timestamp_or_idx)
    if bar < 0:
        raise ValueError(f"a bar index is 0 or more, got {bar}")
    return bar


def _bar(timestamp_or_idx: object) -> int:
    """`bar_index`, with the plain int of every scan checked first."""
    return timestamp_or_idx if type(timestamp_or_idx) is int and timestamp_or_idx >= 0 else bar_index(timestamp_or_idx)


class LiveOBFeatureEngine:
    """A drop-in for the order-book engine of the trading loop, fed live by `obf serve`.

    Once per scan `step_live(assets, bar_idx)` steps the bar (`POST /step/{bar}?include=feature_table`,
    plus one `GET /bars/...` when the engine's memory may differ from the service's caches: its
    first step, after a failed step, a reconnection or a rollover). Every `get_*` afterwards is
    answered from memory, by the service's look-up rule: the bar itself (`live`), else the newest
    retained bar below it (`fallback`, `served_bar`), never a later one, else neutral defaults
    (`default`). The memory keeps the newest `max_bars` stepped bars (set it to the service's
    `--max-bars`) and is cleared by a rollover.

    `step_live` never raises: when the service is down, slow, answers 5xx or refuses the step
    (e.g. 401 for a wrong token), it logs once per outage (at ERROR for a refusal, WARNING
    otherwise; one INFO line when steps succeed again), counts the step in
    `counters.steps_failed`, keeps the error in `counters.last_error`, and every `get_*` answers
    neutral defaults marked `default` until a step succeeds.

    A bar below the previous one (the loop's daily reset) starts a new bar sequence by itself
    (`rollover=true`, one INFO line); so does a step the service refuses as `bar_regression`
    (the service stepped higher bars before this engine started; one WARNING line).

    Bars are int indexes; `get_*` raise `TypeError` for a timestamp and `ValueError` for a
    negative index. Not thread-safe: one engine per trading loop.
    """

    def __init__(self, client: OBFClient | str | Sequence[str] = DEFAULT_BASE_URL, *, token: str | None = None,
                 timeout: float = 1.0, retries: int | None = None, max_bars: int = 500,
                 logger: logging.Logger | None = None) -> None:
        self.client = client if isinstance(client, OBFClient) else OBFClient(
            client, token=token, timeout=timeout, retries=retries)
        self.logger = logger or logging.getLogger("obf_client")
        self._memory = BarMemory(max_bars, ASSET_WIDTH, MACRO_WIDTH)
        self._outage = OutageLog(self.logger)
        self._last_bar: int | None = None
        self._rollover_pending = False
        self._synced = False
        self._uncertain_bar: int | None = None
        self._connections_seen = -1
        self._body_key: tuple[str, ...] | None = None
        self._body: bytes | None = None
        self._columns: list[str] | None = None
        self._order: tuple[int, ...] | None = None
        self._steps_ok = self._steps_degraded = self._steps_failed = self._rollovers = 0
        self._last_error: BaseException | None = None
        self._last_ok_bar: int | None = None
        self._failing = False

    # -- the scan --------------------------------------------------------------------------------

    def step_live(self, assets: Sequence[str] | None, bar_idx: int) -> StepStatus:
        """Steps `bar_idx` over `assets` (the service's configured assets when None or empty)
        and fetches what the bar's look-ups need. Never raises."""
        bar: int | None = None
        try:
            bar = bar_index(bar_idx)
            if self._last_bar is not None and bar < self._last_bar:
                self.logger.info("obf: bar %d is below the previous bar %d: new bar sequence (rollover)",
                                 bar, self._last_bar)
                self._new_sequence()
            self._last_bar = bar
            body = self._step_body(assets)
            try:
                answer = self._post_step(bar, body)
            except BarRegression as refused:
                self.logger.warning("obf: the service refused bar %d (%s); stepping it with rollover=true: new bar "
                                    "sequence", bar, refused.message)
                self._new_sequence()
                answer = self._post_step(bar, body)
            rollover = self._rollover_pending
            self._rollover_pending = False
            self._record_step(bar, answer)
            self._sync(bar)
        except Exception as error:  # the trading loop must go on: every failure is counted and logged
            return self._failed(bar, error)
        return self._succeeded(bar, answer, rollover)

    def _new_sequence(self) -> None:
        self._memory.clear()
        self._rollover_pending = True
        self._synced = False
        self._uncertain_bar = None
        self._rollovers += 1

    def _step_body(self, assets: Sequence[str] | None) -> bytes | None:
        key = tuple(assets or ())
        if key != self._body_key:
            self._body_key, self._body = key, encode_assets(key)
        return self._body

    def _post_step(self, bar: int, body: bytes | None) -> Any:
        path = step_path(bar, rollover=self._rollover_pending, include_table=True)
        return self.client.request_json("POST", path, body)

    def _record_step(self, bar: int, answer: Any) -> None:
        memory = self._memory
        assets, floor = memory.assets, memory.floor
        table = answer["feature_table"]
        columns = table["columns"]
        if columns != self._columns:
            self._columns, self._order = columns, column_order(columns)
        order, width = self._order, len(columns)
        values = array("d", table["values"])
        for position, asset in enumerate(table["assets"]):
            log = assets.get(asset) or memory.asset_log(asset)
            row = values[position * width:(position + 1) * width]
            log.put(bar, row if order is None else [row[index] for index in order], floor)
        macro = answer["macro"]
        if macro is not None:
            memory.macro.put(bar, macro_row(macro), floor)
        memory.note_stepped(bar)

    def _sync(self, bar: int) -> None:
        """After a step that may have left the memory unlike the service's caches, one
        `GET /bars/{bar}` (or of the bar whose step failed last) sets, per asset and for macro,
        the newest bar at or below it to what the service serves."""
        if self._synced and self.client.transport.connections_opened == self._connections_seen:
            return
        at = bar if self._uncertain_bar is None else self._uncertain_bar
        try:
            answer = self.client.request_json("GET", f"/bars/{at}")
        except OBFError as error:
            self.logger.debug("obf: GET /bars/%d failed (%s); trying again after the next step", at, error)
            return
        for asset, lookup in answer["assets"].items():
            served = lookup["served_bar"]
            self._learn(self._memory.asset_log(asset), at, served, None if served is None else asset_row(lookup))
        macro = answer["macro"]
        served = macro["served_bar"]
        self._learn(self._memory.macro, at, served, None if served is None else macro_row(macro["macro"]))
        self._synced = True
        self._uncertain_bar = None
        self._connections_seen = self.client.transport.connections_opened

    def _learn(self, log: BarLog, at: int, served: int | None, values: Sequence[float] | None) -> None:
        """The service serves `values` of bar `served` for bar `at`: nothing retained between
        them, and nothing at all at or below `at` when it serves defaults (`served` None)."""
        log.remove(served, at)
        if served is not None and values is not None:
            log.put(served, values, self._memory.floor)
            if served == at:
                self._memory.note_stepped(at)

    def _failed(self, bar: int | None, error: BaseException) -> StepStatus:
        self._steps_failed += 1
        self._last_error = error
        self._failing = True
        self._synced = False
        if bar is not None:
            self._uncertain_bar = bar
        self._outage.failed(bar, error)
        return StepStatus(bar, ok=False, error=error)

    def _succeeded(self, bar: int, answer: Any, rollover: bool) -> StepStatus:
        requested, computed = answer["requested"], answer["computed"]
        degraded = computed < requested
        self._steps_ok += 1
        self._steps_degraded += degraded
        self._last_ok_bar = bar
        self._failing = False
        self._outage.succeeded(bar)
        return StepStatus(bar, ok=True, degraded=degraded, replayed=answer["replayed"], rollover=rollover,
                          requested=requested, computed=computed, skipped=answer["skipped"])

    # -- look-ups (memory only) ------------------------------------------------------------------

    def get_placement(self, asset: str, timestamp_or_idx: int) -> OBPlacementFeatures:
        """The asset's placement features at the bar."""
        return self._look_up(self._asset_log(asset), _bar(timestamp_or_idx), placement_record, neutral_placement)

    def get_signal(self, asset: str, timestamp_or_idx: int) -> OBSignalFeatures:
        """The asset's signal features at the bar."""
        return self._look_up(self._asset_log(asset), _bar(timestamp_or_idx), signal_record, neutral_signal)

    def get_market(self, timestamp_or_idx: int) -> OBMacroFeatures:
        """The market-agreement and macro features at the bar (one record, as `get_macro`)."""
        return self._look_up(self._memory.macro, _bar(timestamp_or_idx), macro_record, neutral_macro)

    get_macro = get_market

    def _asset_log(self, asset: str) -> BarLog | None:
        assets = self._memory.assets
        return assets.get(asset) or assets.get(asset.upper())

    def _look_up(self, log: BarLog | None, bar: int, make: Callable[[Sequence[float], int, LookupSource, int], Record],
                 neutral: Callable[[], Record]) -> Record:
        """The look-up rule: the newest retained bar at or below `bar`, else neutral values
        (always neutral while steps fail)."""
        if log is None or self._failing:
            return neutral()
        row = log.newest(bar, self._memory.floor)
        if row < 0:
            return neutral()
        served = log.bars[row]
        return make(log.values, row * log.width, LIVE if served == bar else FALLBACK, served)

    # -- state -----------------------------------------------------------------------------------

    @property
    def counters(self) -> EngineCounters:
        """A snapshot of the step counters."""
        return EngineCounters(self._steps_ok, self._steps_degraded, self._steps_failed, self._outage.failures,
                              self._rollovers, self._last_error, self._last_ok_bar, self._failing)

    def close(self) -> None:
        """Closes the connection to the service."""
        self.client.close()

    def __enter__(self) -> LiveOBFeatureEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
