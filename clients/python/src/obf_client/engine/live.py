"""`LiveOBFeatureEngine`: the trader's order-book engine object, answered by `obf serve`: its steps
put in motion, its look-ups answered from memory."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from types import TracebackType

from ..bars import BarArgument, step_bar
from ..client import DEFAULT_BASE_URL, OBFClient
from ..errors import BarRegression
from ..features import ASSET_WIDTH, MACRO_WIDTH, live_records
from ..lookups import ArgumentLog, RecordLookups, Where, served_name
from ..memory import BarMemory
from ..outage import OutageLog
from ..staleness import EmptyStreakLog
from ..table import StepTable
from .counters import EngineCounters, StepCounts, StepStatus
from .rollover import BarSequence
from .stepping import Stepper
from .sync import MemorySync


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
        self._stepper = Stepper(self.client, self._memory)
        self._sequence = BarSequence(self.logger)
        self._sync = MemorySync(self.client, self._memory, self.logger)
        self._counts = StepCounts()
        self._outage = OutageLog(self.logger)
        self._empty = EmptyStreakLog(self.logger)
        self._init_lookups(ArgumentLog(self.logger))
        self._failing = False

    # -- the scan --------------------------------------------------------------------------------

    def step_live(self, assets: Sequence[str] | None, bar_idx: BarArgument) -> StepStatus:
        """Steps `bar_idx` (read as `int(bar_idx)`) over `assets` (the service's configured assets
        when None or empty) and fetches what the bar's look-ups need. Never raises."""
        bar: int | None = None
        try:
            bar = step_bar(bar_idx)
            if self._sequence.steps_below(bar):
                self._new_sequence()
            try:
                answer = self._stepper.post(bar, assets, rollover=self._sequence.pending)
            except BarRegression as refused:
                self._sequence.refused(bar, refused)
                self._new_sequence()
                answer = self._stepper.post(bar, assets, rollover=self._sequence.pending)
            rollover = self._sequence.said()
            self._record_step(bar, answer)
            if self._sync.sync(bar):
                self._forget_records()
        except Exception as error:  # the trading loop must go on: every failure is counted and logged
            return self._failed(bar, error)
        return self._succeeded(bar, answer, rollover)

    def _new_sequence(self) -> None:
        """Starts a new bar sequence: the service clears its caches, the engine its memory."""
        self._memory.clear()
        self._forget_records()
        self._sequence.start()
        self._sync.reset()
        self._counts.rolled_over()

    def _record_step(self, bar: int, answer: StepTable) -> None:
        """Keeps the step in memory and makes the records of its computed assets."""
        values = self._stepper.keep(bar, answer)
        self._forget_records()
        self._cache_bar = bar
        live_records(answer.assets, values, bar, self._placements, self._signals)

    def _failed(self, bar: int | None, error: BaseException) -> StepStatus:
        self._failing = True
        self._forget_records()
        self._sync.lost(bar)
        self._outage.failed(bar, error)
        return self._counts.failed(bar, error)

    def _succeeded(self, bar: int, table: StepTable, rollover: bool) -> StepStatus:
        answer = table.report
        requested, computed = answer["requested"], answer["computed"]
        self._failing = False
        self._outage.succeeded(bar)
        self._empty.observed(bar, answer["empty_streak"])
        return self._counts.answered(bar, requested=requested, computed=computed, skipped=answer["skipped"],
                                     replayed=answer["replayed"], rollover=rollover, degraded=computed < requested)

    # -- look-ups (memory only) ------------------------------------------------------------------

    def _where(self, asset: str | None, bar: int) -> Where | None:
        memory = self._memory
        if asset is None:
            log = memory.macro
            row = log.newest(bar, memory.floor)
            return None if row < 0 else (log.values, row * log.width, log.bars[row])
        name = served_name(asset, memory.names)
        frame = memory.newest(name, bar) if name in memory.names else None
        return None if frame is None else (frame.values, frame.rows[name], frame.bar)

    # -- state -----------------------------------------------------------------------------------

    @property
    def counters(self) -> EngineCounters:
        """A snapshot of the step counters."""
        return self._counts.snapshot(failing=self._failing, empty_streak=self._empty.streak,
                                     bad_arguments=self._arguments.count)

    def close(self) -> None:
        """Closes the connection to the service."""
        self.client.close()

    def __enter__(self) -> LiveOBFeatureEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
