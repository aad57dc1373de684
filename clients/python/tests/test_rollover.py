"""A bar below the previous one starts a new bar sequence by itself (rollover=true), once."""

from __future__ import annotations

import logging

import pytest
from checks import fields
from processes import Processes

from obf_client import LiveOBFeatureEngine, LookupSource, OBFClient

ASSETS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]


def same_as_service(engine: LiveOBFeatureEngine, client: OBFClient, bar: int) -> None:
    for asset in ASSETS:
        expected = client.features(asset, bar)
        placement = engine.get_placement(asset, bar)
        assert (placement.source, placement.served_bar) == (expected.source, expected.served_bar)
        assert {name: getattr(placement, name) for name in fields(expected.placement)} == fields(expected.placement)


def rollover_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if "new bar sequence" in record.getMessage()]


def test_lower_bar_rolls_over(processes: Processes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="obf_client")
    serve = processes.serve()
    with LiveOBFeatureEngine(serve.url) as engine, OBFClient(serve.url) as client:
        for bar in range(10, 20):
            assert engine.step_live(None, bar).ok
        status = engine.step_live(None, 3)
        assert status.ok and status.rollover and not status.replayed
        assert engine.counters.rollovers == 1 and len(rollover_lines(caplog)) == 1
        assert client.ready().last_bar == 3
        # The old sequence is gone in the engine as in the service: bar 12 now falls back to 3.
        assert engine.get_placement("BTCUSDT", 12).source is LookupSource.FALLBACK
        assert engine.get_placement("BTCUSDT", 12).served_bar == 3
        assert engine.get_placement("BTCUSDT", 2).source is LookupSource.DEFAULT
        for bar in (2, 3, 12, 19, 25):
            same_as_service(engine, client, bar)
        status = engine.step_live(None, 4)
        assert status.ok and not status.rollover
        assert engine.counters.rollovers == 1 and len(rollover_lines(caplog)) == 1


def test_bar_regression_from_the_service_rolls_over(processes: Processes,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A new engine (the trader restarted) whose first bar is below the service's last one."""
    caplog.set_level(logging.INFO, logger="obf_client")
    serve = processes.serve()
    with OBFClient(serve.url) as client:
        client.step(50)
        with LiveOBFeatureEngine(serve.url) as engine:
            status = engine.step_live(None, 5)
            assert status.ok and status.rollover
            assert engine.counters.rollovers == 1 and engine.counters.steps_failed == 0
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1 and "bar_regression" not in warnings[0].getMessage()
            assert "below the last stepped bar 50" in warnings[0].getMessage()
            assert client.ready().last_bar == 5
            same_as_service(engine, client, 5)
            same_as_service(engine, client, 50)
