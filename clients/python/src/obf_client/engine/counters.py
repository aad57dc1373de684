"""What the engines' steps did: `StepStatus` per step, `EngineCounters` since the engine was made
(`LiveOBFeatureEngine` and `ReplayOBFeatureEngine` alike), counted by `StepCounts`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class StepStatus:
    """What one `step_live` did. `ok` is False when the step got no usable answer (then every
    look-up answers defaults); `degraded` when it succeeded but some requested assets were
    not computed (`skipped`: asset → why: `missing`, `stale` or `invalid` as the service says;
    `not_computed` from `ReplayOBFeatureEngine`, whose record does not say why)."""

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


class StepCounts:
    """The step counters of `EngineCounters`, as an engine's steps end."""

    def __init__(self) -> None:
        self.steps_ok = self.steps_degraded = self.steps_failed = self.consecutive_failures = self.rollovers = 0
        self.last_error: BaseException | None = None
        self.last_ok_bar: int | None = None

    def rolled_over(self) -> None:
        """Counts a new bar sequence."""
        self.rollovers += 1

    def failed(self, bar: int | None, error: BaseException, *, rollover: bool = False) -> StepStatus:
        """Counts a step of `bar` that got no usable answer, and tells what it did."""
        self.steps_failed += 1
        self.consecutive_failures += 1
        self.last_error = error
        return StepStatus(bar, ok=False, rollover=rollover, error=error)

    def answered(self, bar: int, *, requested: int, computed: int, skipped: dict[str, str], replayed: bool,
                 rollover: bool, degraded: bool) -> StepStatus:
        """Counts an answered step of `bar` (`degraded`: some requested asset not computed), and
        tells what it did."""
        self.steps_ok += 1
        self.steps_degraded += degraded
        self.consecutive_failures = 0
        self.last_ok_bar = bar
        return StepStatus(bar, ok=True, degraded=degraded, replayed=replayed, rollover=rollover,
                          requested=requested, computed=computed, skipped=skipped)

    def snapshot(self, *, failing: bool, empty_streak: int, bad_arguments: int) -> EngineCounters:
        """The counters now."""
        return EngineCounters(self.steps_ok, self.steps_degraded, self.steps_failed, self.consecutive_failures,
                              self.rollovers, self.last_error, self.last_ok_bar, failing, empty_streak,
                              bad_arguments)
