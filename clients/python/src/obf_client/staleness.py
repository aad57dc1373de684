"""The staleness guard in the trader's log: the service computes nothing for several bars."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

EMPTY_STREAK_WARNING = 3
"""Consecutive steps without a computed asset from which the log warns (the service's own guard)."""


class EmptyStreakLog:
    """Logs one WARNING when the service's `empty_streak` (consecutive steps in which no requested
    asset was computed) reaches `EMPTY_STREAK_WARNING`, then at most one every `interval` seconds
    while it lasts (with how many were held back), and one INFO when a step computes again."""

    def __init__(self, logger: logging.Logger, *, interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        #: The empty streak the last answered step reported.
        self.streak = 0
        self._warned_at: float | None = None
        self._held_back = 0

    def observed(self, bar: int, streak: int) -> None:
        """Takes the `empty_streak` of the answered step of `bar`."""
        previous, self.streak = self.streak, streak
        if self._warned_at is not None and streak < previous:
            self.logger.info("obf: order-book snapshots back at bar %d after %d empty bars; features live again",
                             bar, previous)
            self._warned_at = None
        if streak < EMPTY_STREAK_WARNING:
            return
        now = self.clock()
        if self._warned_at is None:
            self.logger.warning("obf: no order-book snapshots for %d bars (bar %d); features degraded: look-ups "
                                "fall back to the last computed bars", streak, bar)
        elif now - self._warned_at >= self.interval:
            self.logger.warning("obf: still no order-book snapshots for %d bars (bar %d); features degraded "
                                "(%d such warnings held back)", streak, bar, self._held_back)
        else:
            self._held_back += 1
            return
        self._warned_at, self._held_back = now, 0
