"""The worked example of features.md §6 through LiveOBFeatureEngine on the replay source."""

from __future__ import annotations

from checks import close
from processes import Processes, REPO

from obf_client import CascadeRegime, LiveOBFeatureEngine, LookupSource

ASSETS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]

# features.md §6, "Expected (selected)": (bar, asset or None for macro) -> {feature: value}.
EXPECTED: dict[tuple[int, str | None], dict[str, float]] = {
    (0, "BTCUSDT"): {"depth_1pct_usd": 2750000, "depth_quality": 1, "fill_probability": 0.6321205588285577,
                     "spread_proxy_bps": 11.555555555555555, "imbalance": 0.09090909090909091,
                     "depth_asymmetry": 0.05263157894736842},
    (0, "SOLUSDT"): {"spread_proxy_bps": 56, "depth_asymmetry": -1, "imbalance": -0.14285714285714285},
    (0, None): {"median_imbalance": -0.09090909090909091, "agreement_pct": 66.66666666666667,
                "depth_pressure": -0.14285714285714285, "withdrawing_assets": 0, "depth_velocity": 0,
                "acceleration": 0},
    (1, "BTCUSDT"): {"depth_quality": 0.9279475982532751, "fill_probability": 0.6046356753355095,
                     "imbalance_ma5": 0.05525846702317291, "withdrawal_velocity": -0.07272727272727272},
    (1, None): {"median_imbalance": -0.061624649859943974, "agreement_pct": 50,
                "depth_velocity": -0.0005952380952380398},
    (2, "BTCUSDT"): {"depth_quality": 0.7116736374187049, "imbalance_persistence": 0.3333333333333333,
                     "withdrawal_velocity": -0.14545454545454545},
    (2, "SOLUSDT"): {"depth_quality": 1.1130136986301369, "spread_proxy_bps": 29,
                     "withdrawal_velocity": 0.11428571428571428},
    (2, None): {"agreement_pct": 100, "withdrawing_assets": 2, "depth_velocity": -0.0016755952380952657,
                "acceleration": -0.001080357142857226},
}
REGIMES = {0: CascadeRegime.CALM, 1: CascadeRegime.CASCADE, 2: CascadeRegime.CASCADE}  # 2 of 3 withdrawing


def test_worked_example_value_for_value(processes: Processes) -> None:
    serve = processes.serve("--source", "replay", "--replay-file", str(REPO / "Tests/Fixtures/worked_example.jsonl"),
                            "--assets", ",".join(ASSETS))
    with LiveOBFeatureEngine(serve.url) as engine:
        for bar in range(3):
            status = engine.step_live(ASSETS, bar)
            assert status.ok and not status.replayed, status
            for (expected_bar, asset), expected in EXPECTED.items():
                if expected_bar != bar:
                    continue
                if asset is None:
                    records: list[object] = [engine.get_market(bar)]
                else:
                    records = [engine.get_placement(asset, bar), engine.get_signal(asset, bar)]
                for name, value in expected.items():
                    record = next(r for r in records if hasattr(r, name))
                    assert close(getattr(record, name), value), (bar, asset, name, getattr(record, name), value)
                    assert getattr(record, "source") is LookupSource.LIVE
            if bar in REGIMES:
                assert engine.get_macro(bar).cascade_regime is REGIMES[bar]

        # Bar 1: SOLUSDT's book is stale, so its look-up falls back to bar 0.
        assert engine.counters.steps_degraded == 1
        for record in (engine.get_placement("SOLUSDT", 1), engine.get_signal("SOLUSDT", 1)):
            assert (record.source, record.served_bar) == (LookupSource.FALLBACK, 0)
        assert close(engine.get_placement("SOLUSDT", 1).spread_proxy_bps, 56)
        assert engine.get_macro(1).cascade_regime == "CASCADE"
        assert engine.counters.steps_ok == 3 and engine.counters.steps_failed == 0

        # Repeated look-ups of an asset and bar answer the same record, as the original engine's caches
        # do; the numbers the engine keeps are not in it, so a changed record is not answered for long.
        first = engine.get_placement("BTCUSDT", 0)
        assert engine.get_placement("BTCUSDT", 0.0) is first
        first.depth_quality = 99.0
        assert engine.get_placement("BTCUSDT", 1).source is LookupSource.LIVE   # another bar: bar 0's records go
        assert engine.get_placement("BTCUSDT", 0).depth_quality == 1
