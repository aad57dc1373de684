"""The staleness guard's lines: one WARNING from the third empty step, then at most one a minute
with how many were held back, one INFO when a step computes again (a clock the test moves)."""

from __future__ import annotations

import logging

import pytest

from obf_client.staleness import EmptyStreakLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_warning_a_minute_while_nothing_is_computed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="obf_client")
    clock = Clock()
    guard = EmptyStreakLog(logging.getLogger("obf_client"), clock=clock)
    for bar in range(1, 40):
        guard.observed(bar, bar)          # one empty step a second
        clock.now += 1.0
    guard.observed(40, 0)
    guard.observed(41, 0)
    lines = [(record.levelno, record.getMessage()) for record in caplog.records]
    assert lines == [
        (logging.WARNING, "obf: no order-book snapshots for 3 bars (bar 3); features degraded: look-ups fall back "
                          "to the last computed bars"),
        (logging.INFO, "obf: order-book snapshots back at bar 40 after 39 empty bars; features live again"),
    ]
    caplog.clear()
    for bar in range(50, 200):
        guard.observed(bar, bar - 49)
        clock.now += 1.0
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 3, warnings   # at 3 empty bars, then 60 s and 120 s later
    assert "for 63 bars (bar 112)" in warnings[1] and "(59 such warnings held back)" in warnings[1]
    assert "for 123 bars (bar 172)" in warnings[2] and "(59 such warnings held back)" in warnings[2]
    assert guard.streak == 150


def test_short_streaks_say_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="obf_client")
    guard = EmptyStreakLog(logging.getLogger("obf_client"), clock=Clock())
    for bar, streak in enumerate([1, 2, 0, 1, 2, 0, 0]):
        guard.observed(bar, streak)
    assert caplog.records == [] and guard.streak == 0
