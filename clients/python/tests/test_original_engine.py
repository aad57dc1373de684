"""The original engine's test list, called as the original engine is called (float bars, numpy
scalars), against a real `obf serve` on the replay source: every expected number is computed here
from the books the test wrote (reference.py), not taken from the service."""

from __future__ import annotations

import json
import logging
import math
import random
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from books import iso
from checks import close, fields
from processes import Processes
from reference import depth, depth_asymmetry, depth_references, distance_bps, imbalance, velocity

from obf_client import CascadeRegime, LiveOBFeatureEngine, LookupSource, OBFClient
from obf_client.features import neutral_macro, neutral_placement, neutral_signal

ASSETS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
START = 1_780_000_000.0
Books = dict[tuple[str, int], tuple[list[float], list[float]]]


def random_books(bars: range, assets: list[str] = ASSETS, seed: int = 16) -> Books:
    rng = random.Random(seed)
    return {(asset, bar): ([round(rng.uniform(1e4, 5e5), 2) for _ in range(5)],
                           [round(rng.uniform(1e4, 5e5), 2) for _ in range(5)])
            for asset in assets for bar in bars}


def serve_books(processes: Processes, tmp_path: Path, books: Books, *arguments: str,
                seconds_per_bar: float = 1.0) -> str:
    """A replay `obf serve` of `books` ((asset, bar) → (bid, ask) notionals, `seconds_per_bar` apart)."""
    replay = tmp_path / "books.jsonl"
    with open(replay, "w") as sink:
        for (asset, bar), (bid, ask) in sorted(books.items(), key=lambda item: item[0][1]):
            sink.write(json.dumps({"asset": asset, "bar": bar, "timestamp": iso(START + bar * seconds_per_bar),
                                   "bid_notional": bid, "ask_notional": ask}) + "\n")
    return processes.serve("--source", "replay", "--replay-file", str(replay), "--assets", ",".join(ASSETS),
                           *arguments).url


def stepped(processes: Processes, tmp_path: Path, books: Books, bars: list[int], *arguments: str,
            seconds_per_bar: float = 1.0) -> LiveOBFeatureEngine:
    engine = LiveOBFeatureEngine(serve_books(processes, tmp_path, books, *arguments, seconds_per_bar=seconds_per_bar))
    for bar in bars:
        status = engine.step_live(ASSETS, bar)
        assert status.ok, status
    return engine


def test_step_live_fetches_snapshots(processes: Processes, tmp_path: Path) -> None:
    books = random_books(range(6))
    with LiveOBFeatureEngine(serve_books(processes, tmp_path, books)) as engine:
        status = engine.step_live(ASSETS, 5)
        assert status.ok and not status.degraded and status.skipped == {}
        assert (status.bar, status.requested, status.computed) == (5, 3, 3)
        for asset in ASSETS:   # the step read bar 5's books: their depth is what the look-up answers
            assert engine.get_placement(asset, 5.0).depth_1pct_usd == depth(*books[asset, 5])
        assert engine.counters.steps_ok == 1 and engine.counters.empty_streak == 0


def test_step_live_populates_placement_cache(processes: Processes, tmp_path: Path) -> None:
    books = random_books(range(6))
    with stepped(processes, tmp_path, books, [5]) as engine:
        for asset in ASSETS:
            placement = engine.get_placement(asset, 5.0)
            assert placement != neutral_placement()
            assert (placement.source, placement.served_bar) == (LookupSource.LIVE, 5)
            bid, ask = books[asset, 5]
            assert placement.depth_1pct_usd == depth(bid, ask)
            assert placement.depth_quality == 1.0                       # the first observation sets the reference
            assert close(placement.fill_probability, 1 - math.exp(-1))
            assert close(placement.spread_proxy_bps, distance_bps(bid) + distance_bps(ask))


def test_step_live_populates_signal_cache(processes: Processes, tmp_path: Path) -> None:
    books = random_books(range(6))
    with stepped(processes, tmp_path, books, [4, 5]) as engine:
        for asset in ASSETS:
            signal = engine.get_signal(asset, 5.0)
            assert signal != neutral_signal()
            assert (signal.source, signal.served_bar) == (LookupSource.LIVE, 5)
            imbalances = [imbalance(*books[asset, bar]) for bar in (4, 5)]
            assert close(signal.imbalance, imbalances[-1])
            assert close(signal.imbalance_ma5, statistics.fmean(imbalances))
            assert close(signal.imbalance_persistence, (sum(i > 0 for i in imbalances) - sum(i < 0 for i in imbalances)) / 2)
            assert close(signal.depth_asymmetry, depth_asymmetry(*books[asset, 5]))
            assert close(signal.withdrawal_velocity, velocity([depth(*books[asset, bar]) for bar in (4, 5)]))


def test_step_live_market_features(processes: Processes, tmp_path: Path) -> None:
    books = random_books(range(6))
    with stepped(processes, tmp_path, books, [5]) as engine:
        market = engine.get_market(5.0)
        assert market != neutral_macro() and engine.get_macro(np.float64(5)) is market
        assert (market.source, market.served_bar) == (LookupSource.LIVE, 5)
        imbalances = [imbalance(*books[asset, 5]) for asset in ASSETS]
        median = float(np.median(imbalances))
        assert close(market.median_imbalance, median)
        assert close(market.agreement_pct, 100 * sum(np.sign(i) == np.sign(median) for i in imbalances) / 3)
        assert close(market.depth_pressure, sum(imbalances))
        assert (market.cascade_regime, market.withdrawing_assets) == (CascadeRegime.CALM, 0)
        assert (market.depth_velocity, market.acceleration) == (0.0, 0.0)


def test_step_live_none_snapshot_skipped(processes: Processes, tmp_path: Path) -> None:
    """An asset whose snapshot is None (never written) is skipped; the others are computed."""
    books = {key: value for key, value in random_books(range(6)).items() if key[0] != "SOLUSDT"}
    with stepped(processes, tmp_path, books, [5]) as engine:
        status = engine.step_live(ASSETS, 6)
        assert status.ok and status.degraded and status.skipped == {"SOLUSDT": "missing"}
        assert engine.get_placement("SOLUSDT", 6.0) == neutral_placement()
        assert engine.get_signal("SOLUSDT", 6.0) == neutral_signal()
        assert engine.get_placement("BTCUSDT", 6.0).source is LookupSource.LIVE


def test_step_live_stale_warning(processes: Processes, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """No snapshot for any asset before bar 10: from the third empty step on, the trader's own log
    warns once (the further empty steps are held back), and says so once when bar 10 computes."""
    caplog.set_level(logging.INFO, logger="obf_client")
    books = random_books(range(10, 11))
    with LiveOBFeatureEngine(serve_books(processes, tmp_path, books)) as engine:
        for bar in range(1, 8):
            status = engine.step_live(ASSETS, float(bar))
            assert status.ok and status.computed == 0
            assert engine.counters.empty_streak == bar
            warned = [r for r in caplog.records if r.name == "obf_client" and r.levelno == logging.WARNING]
            assert len(warned) == (0 if bar < 3 else 1), [r.getMessage() for r in warned]
        assert "no order-book snapshots for 3 bars" in warned[0].getMessage()
        assert engine.step_live(ASSETS, 10).computed == 3
        assert engine.counters.empty_streak == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "obf_client"]
    assert sum("snapshots back at bar 10 after 7 empty bars" in line for line in lines) == 1, lines


def test_step_live_cache_eviction(processes: Processes, tmp_path: Path) -> None:
    """With the service's --max-bars 5 and the engine's max_bars 5, after bars 0–11 both keep bars
    7–11: an evicted bar answers defaults, never a bar after it."""
    books = random_books(range(12))
    url = serve_books(processes, tmp_path, books, "--max-bars", "5")
    with LiveOBFeatureEngine(url, max_bars=5) as engine, OBFClient(url) as client:
        for bar in range(12):
            assert engine.step_live(ASSETS, bar).ok
        for bar in range(12):
            expected = client.features("BTCUSDT", bar)
            placement = engine.get_placement("BTCUSDT", float(bar))
            assert (placement.source, placement.served_bar) == (expected.source, expected.served_bar), bar
            evicted = bar < 7
            assert placement.source is (LookupSource.DEFAULT if evicted else LookupSource.LIVE), bar
            assert (engine.get_market(float(bar)) == neutral_macro()) is evicted, bar
        assert engine.get_placement("BTCUSDT", 7.0).depth_1pct_usd == depth(*books["BTCUSDT", 7])


def test_resolve_idx_live_mode(processes: Processes, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A bar argument is read as int(timestamp_or_idx): the bar itself, else the newest bar below it."""
    caplog.set_level(logging.WARNING, logger="obf_client")
    books = random_books(range(7))
    with stepped(processes, tmp_path, books, [5, 6]) as engine, OBFClient(engine.client.base_url) as client:
        at_five = engine.get_placement("BTCUSDT", 5)
        for argument in (5.0, 5.9, np.float64(5.0), np.float32(5.5), np.int64(5), np.int32(5), np.uint8(5)):
            assert engine.get_placement("BTCUSDT", argument) is at_five, argument
            assert engine.get_signal("ETHUSDT", argument).served_bar == 5, argument
            assert engine.get_market(argument).served_bar == 5, argument
        assert at_five.depth_1pct_usd == depth(*books["BTCUSDT", 5]) and at_five.source is LookupSource.LIVE
        # A timestamp-sized number is past every stepped bar: the newest bar, as the original's live branch.
        for timestamp in (1711453296.9, np.float64(1711453296.9), 1_711_453_296_901_000_000):
            placement = engine.get_placement("BTCUSDT", timestamp)
            expected = client.features("BTCUSDT", min(int(timestamp), 2**53 - 1))
            assert (placement.source, placement.served_bar) == (expected.source, expected.served_bar) \
                == (LookupSource.FALLBACK, 6)
            assert placement.depth_1pct_usd == expected.placement.depth_1pct_usd
        # Numbers that name no bar, and what is no number, answer defaults and never raise.
        bad: list[Any] = [math.nan, np.nan, math.inf, -math.inf, -1, -0.5, np.int64(-3), None, "5", [5], {}]
        for _ in range(3):
            for argument in bad:
                assert engine.get_placement("BTCUSDT", argument) == neutral_placement(), argument
                assert engine.get_signal("BTCUSDT", argument) == neutral_signal(), argument
                assert engine.get_market(argument) == neutral_macro(), argument
        assert engine.get_placement(None, 5) == neutral_placement()   # type: ignore[arg-type]
        assert engine.counters.bad_arguments == 3 * 3 * len(bad) + 1
    warned = [r.getMessage() for r in caplog.records if r.name == "obf_client"]
    # One line per kind of argument, not per call: nan, inf, negative, NoneType, str, list, dict; and the asset.
    assert len(warned) == 8, warned


def test_resolve_idx_live_fallback(processes: Processes, tmp_path: Path) -> None:
    """Bars 5 and 8 stepped: 6.0 and 7.9 fall back to 5, never to the later 8; below 5 is a default."""
    books = random_books(range(9))
    with stepped(processes, tmp_path, books, [5, 8]) as engine:
        for argument in (6.0, 7.9, np.float64(7), np.int16(6)):
            for record in (engine.get_placement("SOLUSDT", argument), engine.get_signal("SOLUSDT", argument),
                           engine.get_market(argument)):
                assert (record.source, record.served_bar) == (LookupSource.FALLBACK, 5), argument
        assert engine.get_placement("SOLUSDT", 7.0).depth_1pct_usd == depth(*books["SOLUSDT", 5])
        assert engine.get_placement("SOLUSDT", 8.0).source is LookupSource.LIVE
        assert engine.get_placement("SOLUSDT", 4.99) == neutral_placement()
        assert engine.get_market(0.0) == neutral_macro()


def test_median_depth_ema(processes: Processes, tmp_path: Path) -> None:
    """The depth reference is an EMA (α = 0.01) of each asset's depth: depth_quality is the depth over
    it, and the macro depth history is the mean reference, whose velocity is depth_velocity."""
    bars, seconds = range(30), 3.0
    books = random_books(bars, seed=1716)
    # SOLUSDT writes no book at bars 10–19: the replay serves its bar-9 book again while it is fresh
    # (9 s old at bar 12), then it is stale (12 s at bar 13) and its reference stands still.
    books = {key: value for key, value in books.items() if not (key[0] == "SOLUSDT" and 10 <= key[1] < 20)}
    with stepped(processes, tmp_path, books, list(bars), seconds_per_bar=seconds) as engine:
        references: dict[str, list[float]] = {}
        for asset in ASSETS:
            served = {bar: max(b for b in bars if b <= bar and (asset, b) in books) for bar in bars}
            observed = [bar for bar in bars if (bar - served[bar]) * seconds <= 10]
            ema = dict(zip(observed, depth_references([depth(*books[asset, served[bar]]) for bar in observed])))
            assert set(bars) - set(observed) == set(range(13, 20)) if asset == "SOLUSDT" else observed == list(bars)
            last = 0.0
            references[asset] = []
            for bar in bars:
                last = ema.get(bar, last)
                references[asset].append(last)
                placement = engine.get_placement(asset, float(bar))
                assert placement.source is (LookupSource.LIVE if bar in ema else LookupSource.FALLBACK), (asset, bar)
                assert close(placement.depth_quality, depth(*books[asset, served[bar]]) / last), (asset, bar)
                assert close(placement.fill_probability, 1 - math.exp(-placement.depth_quality))
        mean = np.mean([references[asset] for asset in ASSETS], axis=0)
        velocities = [velocity(mean[max(0, bar - 9):bar + 1]) for bar in bars]   # M keeps 10 values
        for bar in bars:
            market = engine.get_market(np.float64(bar))
            assert close(market.depth_velocity, velocities[bar]), bar
            assert close(market.acceleration, 0.0 if bar == 0 else velocities[bar] - velocities[bar - 1]), bar
        assert fields(engine.get_market(29)) == fields(engine.get_market(29.0))


def test_step_live_reads_its_bar_as_int(processes: Processes, tmp_path: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """step_live takes the bars the look-ups take; one that names no bar fails the step, never raises."""
    caplog.set_level(logging.INFO, logger="obf_client")
    books = random_books(range(9))
    with LiveOBFeatureEngine(serve_books(processes, tmp_path, books)) as engine:
        assert engine.step_live(ASSETS, 5.7).bar == 5
        assert engine.step_live(ASSETS, np.int64(6)).bar == 6
        assert engine.get_placement("ETHUSDT", 6.5).served_bar == 6
        for bad in (math.nan, -2, None):
            status = engine.step_live(ASSETS, bad)   # type: ignore[arg-type]
            assert not status.ok and isinstance(status.error, ValueError), status
            assert engine.get_placement("ETHUSDT", 6) == neutral_placement()   # failing: defaults
        assert engine.counters.steps_failed == 3
        status = engine.step_live(ASSETS, np.float64(8.0))
        assert status.ok and status.bar == 8 and engine.get_placement("ETHUSDT", 8).source is LookupSource.LIVE
    assert sum("succeed again" in record.getMessage() for record in caplog.records) == 1
