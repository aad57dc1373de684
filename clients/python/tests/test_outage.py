"""The service killed mid-run: defaults marked `default`, one log line, live again once it is back."""

from __future__ import annotations

import logging
import signal

import pytest
from checks import fields
from processes import Processes, free_port

from obf_client import LiveOBFeatureEngine, LookupSource, OBFClient, OBFConnectionError

ASSETS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]


def test_service_killed_and_back(processes: Processes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="obf_client")
    port = free_port()
    serve = processes.serve(port=port)
    with LiveOBFeatureEngine(serve.url) as engine:
        for bar in range(1, 6):
            assert engine.step_live(ASSETS, bar).ok
        assert engine.get_placement("BTCUSDT", 5).source is LookupSource.LIVE
        serve.stop(signal.SIGKILL)

        for bar in range(6, 12):
            status = engine.step_live(ASSETS, bar)
            assert not status.ok and isinstance(status.error, OBFConnectionError)
            for asset in ASSETS:
                for record in (engine.get_placement(asset, bar), engine.get_signal(asset, bar),
                               engine.get_placement(asset, 5)):
                    assert record.source is LookupSource.DEFAULT and record.served_bar is None
                placement = engine.get_placement(asset, bar)
                assert (placement.depth_quality, placement.fill_probability, placement.depth_1pct_usd) == (1, 0.5, 0)
                assert engine.get_signal(asset, bar).imbalance_ma5 == 0
            assert engine.get_market(bar).cascade_regime == "CALM"
            assert engine.get_macro(bar).source is LookupSource.DEFAULT
        lines = [r for r in caplog.records if r.name == "obf_client"]
        assert len(lines) == 1 and lines[0].levelno == logging.WARNING, [r.getMessage() for r in lines]
        assert engine.counters.steps_failed == 6 and engine.counters.consecutive_failures == 6

        revived = processes.serve(port=port)           # empty: no state file
        status = engine.step_live(ASSETS, 12)
        assert status.ok and not status.replayed
        assert engine.get_placement("BTCUSDT", 12).source is LookupSource.LIVE
        lines = [r for r in caplog.records if r.name == "obf_client"]
        assert len(lines) == 2 and "succeed again" in lines[1].getMessage()
        counters = engine.counters
        assert (counters.steps_ok, counters.steps_failed, counters.consecutive_failures, counters.failing) == (
            6, 6, 0, False)
        # The memory agrees with the restarted service, which forgot bars 1-5.
        with OBFClient(revived.url) as client:
            for bar in (3, 12, 13):
                for asset in ASSETS:
                    expected = client.features(asset, bar)
                    signal_record = engine.get_signal(asset, bar)
                    assert (signal_record.source, signal_record.served_bar) == (expected.source, expected.served_bar)
                    assert {n: getattr(signal_record, n) for n in fields(expected.signal)} == fields(expected.signal)
