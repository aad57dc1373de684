"""A step whose connection is cut after the request reached the service is sent again with the
same bar: the service answers `replayed: true` with the features it computed once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from cutting_proxy import CuttingProxy
from processes import Processes, Serve

from obf_client import LiveOBFeatureEngine, LookupSource, OBFClient

ASSETS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]


def steps_total(client: OBFClient) -> float:
    match = re.search(r"^obf_steps_total (\S+)$", client.metrics_text(), re.MULTILINE)
    assert match, "obf_steps_total missing from /metrics"
    return float(match.group(1))


@pytest.fixture
def serve(processes: Processes) -> Serve:
    return processes.serve("--assets", ",".join(ASSETS))


@pytest.fixture
def proxy(serve: Serve) -> Iterator[CuttingProxy]:
    cutter = CuttingProxy(serve.port)
    try:
        yield cutter
    finally:
        cutter.close()


def test_client_step_cut_mid_request_is_replayed(serve: Serve, proxy: CuttingProxy) -> None:
    with OBFClient(f"http://127.0.0.1:{proxy.port}") as through_proxy, OBFClient(serve.url) as direct:
        through_proxy.step(1)
        computed_before = steps_total(direct)
        proxy.cut_next()
        report = through_proxy.step(2, include_features=True)
        assert proxy.cuts == 1
        assert report.bar == 2 and report.replayed
        assert steps_total(direct) == computed_before + 1      # computed once, answered twice
        assert report.features is not None and sorted(report.features) == ASSETS
        for asset, features in report.features.items():
            stored = direct.features(asset, 2)
            assert stored.source is LookupSource.LIVE
            assert (stored.placement, stored.signal) == (features.placement, features.signal)


def test_engine_step_cut_mid_request_is_replayed(serve: Serve, proxy: CuttingProxy) -> None:
    with LiveOBFeatureEngine(f"http://127.0.0.1:{proxy.port}") as engine, OBFClient(serve.url) as direct:
        assert engine.step_live(ASSETS, 7).ok
        proxy.cut_next()
        status = engine.step_live(ASSETS, 8)
        assert proxy.cuts == 1
        assert status.ok and status.replayed and status.computed == len(ASSETS)
        for asset in ASSETS:
            stored = direct.features(asset, 8)
            placement, signal = engine.get_placement(asset, 8), engine.get_signal(asset, 8)
            assert placement.source is signal.source is LookupSource.LIVE
            assert (placement.depth_quality, placement.fill_probability) == (stored.placement.depth_quality,
                                                                             stored.placement.fill_probability)
            assert (signal.imbalance, signal.withdrawal_velocity) == (stored.signal.imbalance,
                                                                      stored.signal.withdrawal_velocity)
        assert engine.counters.steps_failed == 0
