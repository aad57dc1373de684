"""End to end: the official hazelcast-python-client writes books for 50 assets every 100 ms into
the test member; `obf serve` reads them; a loop shaped like the trader's `on_scan` steps and
reads every asset while the member is restarted and `obf serve` is restarted (SIGTERM, state
file). Nothing reaches the loop but live, fallback or explicit default answers, and after the
service's restart the features go on from the saved state."""

from __future__ import annotations

import logging
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from processes import EVENT_LIMIT, Processes, free_port

from obf_client import LiveOBFeatureEngine, LookupSource, OBPlacementFeatures, OBSignalFeatures, StepStatus
from obf_client.features import neutral_placement, neutral_signal

ASSETS = [f"T{index:02d}USDT" for index in range(50)]
SCAN_INTERVAL = 0.05
MIN_SCANS = 300
PHASE_LIMIT = EVENT_LIMIT   # seconds a phase may take to reach its condition: a hang guard


class TradingLoop:
    """The trader's scan: step the bar, then read placement and signal for every asset."""

    def __init__(self, engine: LiveOBFeatureEngine) -> None:
        self.engine = engine
        self.bar = 5000                     # yesterday's bar counter
        self.scans = 0
        self.sources: Counter[str] = Counter()
        self.last: StepStatus | None = None
        self.answers: dict[str, tuple[OBPlacementFeatures, OBSignalFeatures]] = {}

    def daily_reset(self) -> None:
        self.bar = -1

    def on_scan(self) -> StepStatus:
        self.bar += 1
        self.scans += 1
        status = self.engine.step_live(ASSETS, self.bar)
        for asset in ASSETS:
            placement = self.engine.get_placement(asset, self.bar)
            signal_record = self.engine.get_signal(asset, self.bar)
            for record in (placement, signal_record):
                self.check(record)
            if placement.source is LookupSource.DEFAULT:
                assert (placement, signal_record) == (neutral_placement(), neutral_signal())
            self.answers[asset] = (placement, signal_record)
        if not status.ok:
            assert all(p.source is LookupSource.DEFAULT for p, _ in self.answers.values())
        self.last = status
        time.sleep(SCAN_INTERVAL)
        return status

    def check(self, record: OBPlacementFeatures | OBSignalFeatures) -> None:
        self.sources[record.source.value] += 1
        if record.source is LookupSource.LIVE:
            assert record.served_bar == self.bar
        elif record.source is LookupSource.FALLBACK:
            assert record.served_bar is not None and record.served_bar < self.bar
        else:
            assert record.source is LookupSource.DEFAULT and record.served_bar is None

    def scan_until(self, condition: str, *, at_least: int = 1) -> None:
        """Scans `at_least` times, then on until the last step computed every asset."""
        deadline = time.monotonic() + PHASE_LIMIT
        for _ in range(at_least):
            self.on_scan()
        while not (self.last and self.last.ok and self.last.computed == len(ASSETS)):
            assert time.monotonic() < deadline, f"{condition}: no full step within {PHASE_LIMIT} s: {self.last}"
            self.on_scan()


def test_trading_loop_through_member_and_service_restarts(processes: Processes, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="obf_client")
    member_port, serve_port = free_port(), free_port()
    member = processes.member(member_port)
    producer = processes.producer(member_port, ASSETS, interval_ms=100)
    state_file = tmp_path / "state.json"
    serve_arguments = ("--source", "hazelcast", "--hz-members", f"127.0.0.1:{member_port}",
                       "--assets", ",".join(ASSETS), "--state-file", str(state_file))
    serve = processes.serve(*serve_arguments, port=serve_port)

    # A timeout far above a step's 250 ms source deadline: a loaded machine must not turn a
    # slow answer into a failed scan here (outages are the service's stops below).
    with LiveOBFeatureEngine(serve.url, timeout=5.0) as engine:
        loop = TradingLoop(engine)
        loop.scan_until("start", at_least=10)
        loop.daily_reset()
        loop.scan_until("after the daily reset", at_least=50)
        assert engine.counters.rollovers == 1

        member.stop(signal.SIGTERM)
        degraded_before = engine.counters.steps_degraded
        for _ in range(20):
            assert loop.on_scan().ok                      # the service answers; the books are missing
        assert engine.counters.steps_degraded >= degraded_before + 20
        assert loop.answers[ASSETS[0]][0].source is LookupSource.FALLBACK
        processes.member(member_port)
        loop.scan_until("after the member restart", at_least=20)

        known = {asset: loop.answers[asset][0].depth_quality for asset in ASSETS}
        assert all(source is LookupSource.LIVE for source in (p.source for p, _ in loop.answers.values()))
        assert serve.stop(signal.SIGTERM) == 0 and state_file.is_file()
        failed_before = engine.counters.steps_failed
        for _ in range(10):
            assert not loop.on_scan().ok                  # down: defaults, no exception
        assert engine.counters.steps_failed == failed_before + 10
        serve = processes.serve(*serve_arguments, port=serve_port)
        assert "state restored" in serve.text()

        first = loop.on_scan()
        deadline = time.monotonic() + PHASE_LIMIT
        while not first.ok or first.computed == 0:        # the source may still be connecting
            assert time.monotonic() < deadline, first
            first = loop.on_scan()
        continued = [asset for asset in ASSETS if loop.answers[asset][0].source is LookupSource.LIVE]
        assert continued, first
        for asset in continued:
            # A service started empty would answer exactly 1 for every asset's first observation.
            assert loop.answers[asset][0].depth_quality != 1.0, (asset, known[asset])
        loop.scan_until("after the service restart", at_least=max(1, MIN_SCANS - loop.scans))

        counters = engine.counters
        assert counters.rollovers == 1 and not counters.failing
        assert counters.steps_ok + counters.steps_failed == loop.scans >= MIN_SCANS
    assert loop.sources["live"] > 0 and loop.sources["fallback"] > 0 and loop.sources["default"] > 0, loop.sources
    lines = [record for record in caplog.records if record.name == "obf_client"]
    messages = [record.getMessage() for record in lines]
    warnings = [record.getMessage() for record in lines if record.levelno >= logging.WARNING]
    # The service down: one line.
    outage = [message for message in warnings if "order-book snapshots" not in message]
    assert len(outage) == 1 and "failed" in outage[0], messages
    assert sum("succeed again" in message for message in messages) == 1
    # The member down (every book missing for 20 scans; again while a restarted service connects):
    # the staleness guard's first line of each episode, and one line when it ends.
    episodes = sum(message.startswith("obf: no order-book snapshots") for message in warnings)
    assert episodes >= 1 and sum("snapshots back" in message for message in messages) == episodes, messages
    assert producer.popen.poll() is None, producer.text()[-2000:]
