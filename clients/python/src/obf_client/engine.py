"""`LiveOBFeatureEngine`: the trader's order-book engine object, answered by `obf serve`."""

from __future__ import annotations

import logging
import ssl
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from .bars import BarArgument, bar_number
from .client import DEFAULT_BASE_URL, OBFClient, encode_assets, step_path
from .errors import BarRegression, OBFError
from .features import ASSET_WIDTH, FALLBACK, LIVE, MACRO_WIDTH, asset_row, column_order, live_records, macro_row
from .lookups import ArgumentLog, Make, Record, RecordLookups
from .memory import BarLog, BarMemory
from .outage import OutageLog
from .staleness import EmptyStreakLog
from .table import TABLE_MEDIA_TYPE, StepTable, decode_step_table


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
    - `failing`: the last step failed, so every look-up answers defaults;
    - `empty_streak`: consecutive steps in which the service computed no asset, as the last
      answered step reported it (from 3 on, the log warns: the staleness guard);
    - `bad_arguments`: look-ups answered with defaults because their bar or asset argument
      named none (NaN, a negative number, None, a string as a bar).
    """

    steps_ok: int
    steps_degraded: int
    steps_failed: int
    consecutive_failures: int
    rollovers: int
    last_error: BaseException | None
    last_ok_bar: int | None
    failing: bool
    empty_streak: int = 0
    bad_arguments: int = 0


def step_bar(bar_idx: object) -> int:
    """The bar `step_live` steps: what `bar_number` reads; raises `ValueError` when it names none
    (`step_live` turns that into a failed step)."""
    bar = bar_number(bar_idx)
    if isinstance(bar, str):
        raise ValueError(f"step_live needs a bar, a number 0 or more; got {bar_idx!r} ({bar})")
    return bar


class LiveOBFeatureEngine(RecordLookups):
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

    Bars are read as the original engine reads them, `int(timestamp_or_idx)`: ints, floats, numpy
    scalars, anything with `__index__` or `__float__`, truncated toward zero; the look-up rule then
    answers a number past the newest stepped bar (a timestamp) with the newest bar. No `get_*`
    raises: NaN, ±inf, a negative number, None or a string answer neutral defaults, with one
    WARNING per kind of argument. Repeated look-ups of the same asset and bar return the same
    record (as the original engine's caches do): treat records as read-only.

    When the service reports `empty_streak` 3 or more (no requested asset computed for that many
    consecutive steps), `step_live` logs one WARNING, then at most one a minute while it lasts,
    and one INFO when a step computes again. `ssl_context` is `OBFClient`'s (for `https://` base
    URLs; certificates are verified by default). Not thread-safe: one engine per trading loop.
    """

    def __init__(self, client: OBFClient | str | Sequence[str] = DEFAULT_BASE_URL, *, token: str | None = None,
                 timeout: float = 1.0, retries: int | None = None, max_bars: int = 500,
                 logger: logging.Logger | None = None, ssl_context: ssl.SSLContext | None = None) -> None:
        self.client = client if isinstance(client, OBFClient) else OBFClient(
            client, token=token, timeout=timeout, retries=retries, ssl_context=ssl_context)
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
        self._empty = EmptyStreakLog(self.logger)
        # The records answered for bar `_cache_bar` (None: none), by the asset name as asked.
        self._init_lookups(ArgumentLog(self.logger))
        self._steps_ok = self._steps_degraded = self._steps_failed = self._rollovers = 0
        self._last_error: BaseException | None = None
        self._last_ok_bar: int | None = None
        self._failing = False

    # -- the scan --------------------------------------------------------------------------------

    def step_live(self, assets: Sequence[str] | None, bar_idx: BarArgument) -> StepStatus:
        """Steps `bar_idx` (read as `int(bar_idx)`) over `assets` (the service's configured assets
        when None or empty) and fetches what the bar's look-ups need. Never raises."""
        bar: int | None = None
        try:
            bar = step_bar(bar_idx)
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
        self._forget_records()
        self._rollover_pending = True
        self._synced = False
        self._uncertain_bar = None
        self._rollovers += 1

    def _step_body(self, assets: Sequence[str] | None) -> bytes | None:
        key = tuple(assets or ())
        if key != self._body_key:
            self._body_key, self._body = key, encode_assets(key)
        return self._body

    def _post_step(self, bar: int, body: bytes | None) -> StepTable:
        path = step_path(bar, rollover=self._rollover_pending, include_table=True)
        return decode_step_table(self.client.request("POST", path, body, accept=TABLE_MEDIA_TYPE))

    def _record_step(self, bar: int, answer: StepTable) -> None:
        """Keeps the step's table whole in memory (no work per asset), and makes the records of
        its computed assets."""
        memory = self._memory
        columns, values, assets = answer.columns, answer.values, answer.assets
        if columns != self._columns:
            self._columns, self._order = columns, column_order(columns)
        order = self._order
        if order is not None:   # the service's columns in another order, or more of them: rows reordered once
            width = len(columns)
            values = array("d", [values[start + index] for start in range(0, len(values), width) for index in order])
        memory.add_table(bar, assets, values)
        macro = answer.report["macro"]
        if macro is not None:
            memory.macro.put(bar, macro_row(macro), memory.floor)
        memory.note_stepped(bar)
        self._forget_records()
        self._cache_bar = bar
        live_records(assets, values, bar, self._placements, self._signals)

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
        memory = self._memory
        for asset, lookup in answer["assets"].items():
            served = lookup["served_bar"]
            memory.learn(asset, at, served, None if served is None else asset_row(lookup))
            if served == at:
                memory.note_stepped(at)
        macro = answer["macro"]
        served = macro["served_bar"]
        self._learn(memory.macro, at, served, None if served is None else macro_row(macro["macro"]))
        self._forget_records()
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
        self._forget_records()
        self._synced = False
        if bar is not None:
            self._uncertain_bar = bar
        self._outage.failed(bar, error)
        return StepStatus(bar, ok=False, error=error)

    def _succeeded(self, bar: int, table: StepTable, rollover: bool) -> StepStatus:
        answer = table.report
        requested, computed = answer["requested"], answer["computed"]
        degraded = computed < requested
        self._steps_ok += 1
        self._steps_degraded += degraded
        self._last_ok_bar = bar
        self._failing = False
        self._outage.succeeded(bar)
        self._empty.observed(bar, answer["empty_streak"])
        return StepStatus(bar, ok=True, degraded=degraded, replayed=answer["replayed"], rollover=rollover,
                          requested=requested, computed=computed, skipped=answer["skipped"])

    # -- look-ups (memory only) ------------------------------------------------------------------

    def _find(self, asset: str | None, bar: int, make: Make[Record], neutral: Callable[[], Record]) -> Record:
        return (self._look_up_asset(asset, bar, make, neutral) if asset is not None
                else self._look_up(self._memory.macro, bar, make, neutral))

    def _look_up_asset(self, asset: str, bar: int, make: Make[Record], neutral: Callable[[], Record]) -> Record:
        """The look-up rule for an asset (its name as the service answers it, else in capitals)."""
        memory = self._memory
        name = asset if asset in memory.names else asset.upper()
        frame = memory.newest(name, bar) if name in memory.names else None
        if frame is None:
            return neutral()
        return make(frame.values, frame.rows[name], LIVE if frame.bar == bar else FALLBACK, frame.bar)

    def _look_up(self, log: BarLog, bar: int, make: Make[Record], neutral: Callable[[], Record]) -> Record:
        """The look-up rule: the newest retained bar at or below `bar`, else neutral values."""
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
                              self._rollovers, self._last_error, self._last_ok_bar, self._failing,
                              self._empty.streak, self._arguments.count)

    def close(self) -> None:
        """Closes the connection to the service."""
        self.client.close()

    def __enter__(self) -> LiveOBFeatureEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
