"""`ReplayOBFeatureEngine` on synthetic `obf replay` output: the look-up rule as of the cursor
(live, fallback, default), retention, rollovers, look-ups by time, JSON Lines and CSV alike,
malformed lines, and every look-up equal to what `LiveOBFeatureEngine` answered after the same
steps. No service needed."""

from __future__ import annotations

import gzip
import io
import logging
import math
import random
from array import array
from pathlib import Path
from typing import Any

import pytest
from replay_files import Step, csv_lines, features, jsonl_lines, macro, random_steps, step, write

from obf_client import (CascadeRegime, LiveOBFeatureEngine, LookupSource, OBPlacementFeatures, ReplayOBFeatureEngine,
                        ReplayRecord, read_replay)
from obf_client.features import ASSET_COLUMNS, asset_row
from obf_client.table import StepTable

LIVE, FALLBACK, DEFAULT = LookupSource.LIVE, LookupSource.FALLBACK, LookupSource.DEFAULT
T0 = 1_764_864_000.0


def engine_of(steps: list[Step], form: str = "jsonl", **options: Any) -> ReplayOBFeatureEngine:
    lines = jsonl_lines(steps) if form == "jsonl" else csv_lines(steps)
    return ReplayOBFeatureEngine(list(lines), **options)


def asset(depth: float) -> dict[str, Any]:
    """Features whose `depth_1pct_usd` tells which step they came from."""
    values = features(random.Random(depth))
    values["placement"]["depth_1pct_usd"] = depth
    return values


def served(record: Any) -> tuple[LookupSource, int | None]:
    return record.source, record.served_bar


# bars 10, 11, 13, 14 of one sequence: A at 10 and 13, B at 11, macro at 10 and 14, nothing at 13 but A
DAY = [
    step(10, T0, False, {"A": asset(10.0)}, macro(random.Random(1))),
    step(11, T0 + 5, False, {"B": asset(11.0)}, None),
    step(13, T0 + 10, False, {"A": asset(13.0)}, None),
    step(14, T0 + 15, False, {}, macro(random.Random(2))),
]


@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_look_ups_live_fallback_and_default(form: str) -> None:
    engine = engine_of(DAY, form)
    assert served(engine.get_placement("A", 10)) == (DEFAULT, None), "before the first step: defaults"
    engine.seek(-1)
    placement = engine.get_placement("A", 13)
    assert served(placement) == (LIVE, 13) and placement.depth_1pct_usd == 13.0
    expected = DAY[2]["assets"]["A"]["placement"]
    assert (placement.depth_quality, placement.fill_probability, placement.spread_proxy_bps) == (
        expected["depth_quality"], expected["fill_probability"], expected["spread_proxy_bps"])
    assert served(engine.get_placement("A", 12)) == (FALLBACK, 10)
    assert engine.get_placement("A", 12.9).depth_1pct_usd == 10.0, "a float bar is int(bar)"
    assert served(engine.get_signal("A", 14)) == (FALLBACK, 13)
    assert served(engine.get_signal("B", 10)) == (DEFAULT, None), "never a later bar"
    assert served(engine.get_signal("b", 12)) == (FALLBACK, 11), "asset names read as the service's, else capitals"
    assert served(engine.get_placement("C", 14)) == (DEFAULT, None)
    assert engine.get_placement("C", 14) == OBPlacementFeatures(0.0, 1.0, 0.5, 0.0, DEFAULT, None)
    assert served(engine.get_market(13)) == (FALLBACK, 10)
    assert served(engine.get_macro(14)) == (LIVE, 14)
    assert served(engine.get_market(9)) == (DEFAULT, None)
    market = engine.get_market(10)
    assert market.cascade_regime is CascadeRegime(DAY[0]["macro"]["cascade_regime"])
    assert market.withdrawing_assets == DAY[0]["macro"]["withdrawing_assets"]
    assert type(market.withdrawing_assets) is int
    assert engine.get_placement("A", 13) is engine.get_placement("A", 13), "one record per asset and bar"
    lower = [line.replace(regime := DAY[0]["macro"]["cascade_regime"], regime.lower()) for line in jsonl_lines(DAY)]
    assert ReplayOBFeatureEngine(lower).at(0).get_market(10).cascade_regime is market.cascade_regime


def test_nothing_after_the_cursor_is_seen() -> None:
    engine = engine_of(DAY)
    engine.seek(1)                           # bar 11 stepped, 13 not yet
    assert served(engine.get_placement("A", 13)) == (FALLBACK, 10)
    assert served(engine.get_placement("A", 1_764_864_000.9)) == (FALLBACK, 10), "a timestamp is a bar number"
    assert served(engine.get_market(14)) == (FALLBACK, 10)
    assert engine.cursor is not None and engine.cursor.bar == 11


def test_retention_is_the_newest_max_bars_steps() -> None:
    engine = engine_of(DAY, max_bars=2)
    engine.seek(2)                           # bars 11 and 13 retained
    assert served(engine.get_placement("A", 12)) == (DEFAULT, None), "bar 10 evicted"
    assert served(engine.get_placement("A", 13)) == (LIVE, 13)
    assert served(engine.get_signal("B", 12)) == (FALLBACK, 11)
    assert served(engine.get_market(13)) == (DEFAULT, None), "the macro of bar 10 evicted too"
    engine.seek(1)                           # bars 10 and 11
    assert served(engine.get_placement("A", 12)) == (FALLBACK, 10)
    engine.seek(3)                           # bars 13 and 14
    assert served(engine.get_signal("B", 14)) == (DEFAULT, None)
    assert served(engine.at(1).get_placement("A", 11)) == (FALLBACK, 10), "a view keeps its own window"
    with pytest.raises(ValueError):
        engine_of(DAY, max_bars=0)


ROLLED = [
    step(5, T0, False, {"A": asset(5.0)}, macro(random.Random(3))),
    step(6, T0 + 5, False, {"A": asset(6.0), "B": asset(6.5)}, None),
    step(2, T0 + 10, True, {"B": asset(2.0)}, None),      # a new bar sequence
    step(6, T0 + 15, False, {"A": asset(60.0)}, macro(random.Random(4))),
    step(7, T0 + 20, False, {}, None),
]


@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_rollover_starts_a_new_sequence(form: str) -> None:
    engine = engine_of(ROLLED, form)
    assert [item.rollover for item in engine.steps()] == [False, False, True, False, False]
    engine.seek(2)
    assert served(engine.get_placement("A", 6)) == (DEFAULT, None), "nothing of the sequence before"
    assert served(engine.get_signal("B", 9)) == (FALLBACK, 2)
    assert served(engine.get_market(9)) == (DEFAULT, None)
    engine.seek(3)
    assert engine.get_placement("A", 6).depth_1pct_usd == 60.0, "bar 6 of the second sequence"
    assert engine.at(1).get_placement("A", 6).depth_1pct_usd == 6.0, "bar 6 of the first"
    assert served(engine.get_market(7)) == (FALLBACK, 6)


def test_step_live_replays_the_live_loop() -> None:
    engine = engine_of(ROLLED)
    statuses = [engine.step_live(["A", "B"], bar) for bar in (5, 6, 6, 2, 6, 7)]
    assert [status.ok for status in statuses] == [True] * 6
    assert [status.rollover for status in statuses] == [False, False, False, True, False, False]
    assert [status.replayed for status in statuses] == [False, False, True, False, False, False]
    assert statuses[0].skipped == {"B": "not_computed"} and statuses[0].degraded
    assert (statuses[1].requested, statuses[1].computed, statuses[1].degraded) == (2, 2, False)
    assert served(engine.get_placement("A", 7)) == (FALLBACK, 6)
    assert engine.get_placement("A", 7).depth_1pct_usd == 60.0
    assert engine.counters.rollovers == 1 and engine.counters.steps_ok == 6


def test_step_live_of_a_bar_the_record_lacks_fails_the_step() -> None:
    engine = engine_of(DAY)
    assert engine.step_live(None, 10).ok
    failed = engine.step_live(None, 12)
    assert not failed.ok and isinstance(failed.error, LookupError) and "bar 12" in str(failed.error)
    assert served(engine.get_placement("A", 12)) == (DEFAULT, None), "defaults after a failed step, as live"
    assert engine.counters.failing and engine.counters.steps_failed == 1
    assert engine.step_live(None, 13).ok
    assert served(engine.get_placement("A", 13)) == (LIVE, 13)
    assert not engine.step_live(None, 9).ok, "a rollover past the last sequence"
    assert not engine.step_live(None, "13").ok   # type: ignore[arg-type]
    assert engine.counters.steps_failed == 3 and engine.counters.rollovers == 1


def test_look_ups_by_time() -> None:
    engine = engine_of(ROLLED)
    assert engine.at_time(T0 - 0.001).bar is None, "before the first step"
    assert served(engine.get_placement_at("A", T0 - 1)) == (DEFAULT, None)
    assert served(engine.get_market_at(T0 - 1)) == (DEFAULT, None)
    assert engine.at_time(T0).bar == 5, "exactly at a step"
    assert served(engine.get_placement_at("A", T0)) == (LIVE, 5)
    assert engine.at_time(T0 + 4.999).bar == 5, "between steps: the one before"
    assert served(engine.get_signal_at("B", T0 + 5)) == (LIVE, 6)
    assert served(engine.get_signal_at("A", T0 + 12)) == (DEFAULT, None), "after the rollover at T0 + 10"
    assert engine.get_placement_at("A", T0 + 17).depth_1pct_usd == 60.0
    assert served(engine.get_macro_at(T0 + 1e9)) == (FALLBACK, 6), "after the last step: the last step"
    assert engine.cursor is None, "look-ups by time do not move the cursor"
    moved = engine.seek_time(T0 + 12)
    assert moved is not None and moved.index == 2 and engine.cursor == moved
    assert engine.seek_time(0) is None and served(engine.get_market(99)) == (DEFAULT, None)


def test_a_clock_stepping_back_never_counts_a_later_step() -> None:
    steps = [step(1, T0 + 10, False, {"A": asset(1.0)}, None), step(2, T0 + 5, False, {"A": asset(2.0)}, None),
             step(3, T0 + 20, False, {"A": asset(3.0)}, None)]
    engine = engine_of(steps)
    assert [engine.at_time(T0 + offset).bar for offset in (4, 7, 10, 15, 20)] == [None, None, 2, 2, 3]


def test_steps_iteration_moves_the_cursor() -> None:
    engine = engine_of(DAY)
    seen = []
    for item in engine.steps():
        seen.append((item.index, item.bar, item.time, item.rollover, item.assets, item.macro))
        assert engine.cursor == item
        assert engine.get_market(item.bar).served_bar == (10 if item.bar < 14 else 14)
    assert seen == [(0, 10, T0, False, ("A",), True), (1, 11, T0 + 5, False, ("B",), False),
                    (2, 13, T0 + 10, False, ("A",), False), (3, 14, T0 + 15, False, (), True)]
    assert len(engine) == 4 and engine.assets == ["A", "B"] and engine.step(-1).bar == 14
    assert [item.bar for item in engine.steps(1, 3)] == [11, 13]
    with pytest.raises(IndexError):
        engine.seek(4)


def test_bad_arguments_answer_defaults(caplog: pytest.LogCaptureFixture) -> None:
    engine = engine_of(DAY)
    engine.seek(-1)
    with caplog.at_level(logging.WARNING, logger="obf_client"):
        for bar in (None, "13", float("nan"), -1, None):
            assert served(engine.get_placement("A", bar)) == (DEFAULT, None)   # type: ignore[arg-type]
        assert served(engine.get_signal(13, 13)) == (DEFAULT, None)            # type: ignore[arg-type]
        assert engine.get_placement(None, 13) == engine.get_placement("NONE", 13)   # type: ignore[arg-type]
        assert served(engine.get_placement_at("A", float("nan"))) == (DEFAULT, None)
        assert served(engine.at(-1).get_market("x")) == (DEFAULT, None)   # type: ignore[arg-type]
    assert engine.counters.bad_arguments == 9, "the views' look-ups count too"
    assert len(caplog.records) == 7, "one warning per kind of argument"


def test_jsonl_and_csv_give_identical_records() -> None:
    rng = random.Random(20261204)
    names = [f"ASSET{index}" for index in range(12)]
    steps = random_steps(rng, 300, names)
    jsonl, csv = engine_of(steps, "jsonl", max_bars=40), engine_of(steps, "csv", max_bars=40)
    assert len(jsonl) == len(csv) == 300
    bars = sorted({item["bar"] for item in steps} | {0, 10_000})
    for index in range(0, 300, 7):
        assert jsonl.step(index) == csv.step(index)
        a, b = jsonl.at(index), csv.at(index)
        for bar in bars:
            assert a.get_market(bar) == b.get_market(bar)
            for name in names:
                assert a.get_placement(name, bar) == b.get_placement(name, bar)
                assert a.get_signal(name, bar) == b.get_signal(name, bar)


def test_every_look_up_equals_the_live_engine() -> None:
    """After each step (reached by `seek` or by `step_live`), every look-up of every asset at
    every bar of interest is the record the live engine answered after stepping the same steps
    (fed with their feature tables)."""
    rng = random.Random(18)
    names = [f"A{index}" for index in range(10)]
    for trial, max_bars in enumerate((1, 3, 8, 500)):
        steps = random_steps(rng, 160, names, rollovers=0.04)
        replay = engine_of(steps, "csv" if trial % 2 else "jsonl", max_bars=max_bars)
        live = LiveOBFeatureEngine("http://127.0.0.1:9", max_bars=max_bars)
        previous: int | None = None
        for index, item in enumerate(steps):
            bar = item["bar"]
            if item["rollover"] or (previous is not None and bar < previous):
                live._new_sequence()
            previous = bar
            assets = list(item["assets"])
            values = array("d", [number for name in assets for number in asset_row(item["assets"][name])])
            live._record_step(bar, StepTable({"macro": item["macro"]}, list(ASSET_COLUMNS), assets, values))
            if trial < 2:
                replay.seek(index)
            else:                            # as the live loop drives it
                status = replay.step_live(names, bar)
                assert status.ok and status.rollover == (index > 0 and item["rollover"]), (index, status)
                assert status.computed == len(assets) and set(status.skipped) == set(names) - set(assets)
            for asked in {0, max(0, bar - 1), bar, bar + 1, bar + 1000, rng.randrange(0, bar + 2)}:
                assert replay.get_market(asked) == live.get_market(asked), (index, asked)
                for name in names + ["a1", "NONE"]:
                    assert replay.get_placement(name, asked) == live.get_placement(name, asked), (index, name, asked)
                    assert replay.get_signal(name, asked) == live.get_signal(name, asked), (index, name, asked)


def test_malformed_lines_name_their_line() -> None:
    good = list(jsonl_lines(DAY))
    cases = {
        "not json": good[:2] + ["{\"bar\": 12,\n"],
        "no key": good[:2] + ['{"bar":12,"time":1.0,"rollover":false,"macro":null}\n'],
        "a string number": good[:2] + [good[2].replace('"depth_1pct_usd":13.0', '"depth_1pct_usd":"13"')],
        "bar regression": good[:2] + [good[0]],
        "bar float": good[:2] + [good[2].replace('"bar":13', '"bar":13.5')],
        "rollover text": good[:2] + [good[2].replace('"rollover":false', '"rollover":"no"')],
        "no assets object": good[:2] + ['{"bar":13,"time":1.0,"rollover":false,"assets":[],"macro":null}\n'],
        "a bar past 64 bits": good[:2] + [good[2].replace('"bar":13', '"bar":' + "9" * 20)],
        "a regime": good[:2] + [good[3].replace('"cascade_regime":"', '"cascade_regime":"X')],
    }
    for case, lines in cases.items():
        with pytest.raises(ValueError, match=r"line 3\b") as raised:
            ReplayOBFeatureEngine(lines)
        assert "obf replay output" in str(raised.value), case
    with pytest.raises(ValueError, match="line 1"):
        ReplayOBFeatureEngine(["hello\n"])
    with pytest.raises(ValueError, match="line 3"):
        ReplayOBFeatureEngine(["\n", "\n", "bar,time\n"])


def test_malformed_csv_rows_name_their_line() -> None:
    good = list(csv_lines(DAY))               # header, then one row per step (each has one asset or none)
    regime = DAY[0]["macro"]["cascade_regime"]
    cases = {
        "a number": good[:3] + [good[3].replace(",13.0,", ",x,", 1)],
        "cells": good[:3] + [good[3].rstrip("\n") + ",1\n"],
        "regime": [good[0], good[1].replace(regime, "STORM")],
        "bar": good[:3] + [good[3].replace("13,", "-13,", 1)],
    }
    lines = {"a number": 4, "cells": 4, "regime": 2, "bar": 4}
    for case, rows in cases.items():
        with pytest.raises(ValueError, match=rf"line {lines[case]}\b"):
            ReplayOBFeatureEngine(rows, format="csv")
    twice = [good[0], good[1], good[1]]
    with pytest.raises(ValueError, match="twice"):
        ReplayOBFeatureEngine(twice)
    with pytest.raises(ValueError, match="withdrawal_velocity"):
        ReplayOBFeatureEngine([good[0].replace(",withdrawal_velocity", "")])


def test_sources_files_and_asset_filter(tmp_path: Path) -> None:
    for form, name in (("jsonl", "day.jsonl"), ("csv", "day.csv"), ("jsonl", "day.jsonl.gz")):
        path = tmp_path / name
        with (gzip.open(path, "wt") if name.endswith(".gz") else path.open("w")) as file:
            write(ROLLED, file, form)
        for source in (path, str(path)):
            engine = ReplayOBFeatureEngine(source)
            assert len(engine) == 5 and engine.at(3).get_placement("A", 6).depth_1pct_usd == 60.0
    text = "".join(jsonl_lines(ROLLED))
    assert len(ReplayOBFeatureEngine.from_jsonl(io.StringIO(text))) == 5
    assert len(ReplayOBFeatureEngine(io.BytesIO(text.encode()))) == 5
    assert len(ReplayOBFeatureEngine.from_csv(csv_lines(ROLLED))) == 5
    options = ReplayOBFeatureEngine.from_csv(csv_lines(ROLLED), max_bars=2, assets=["B"], as_service=True)
    assert (options.max_bars, options.assets, options.as_service) == (2, ["B"], True)
    assert len(ReplayOBFeatureEngine([])) == 0
    only_b = ReplayOBFeatureEngine(jsonl_lines(ROLLED), assets=["B"])
    assert only_b.assets == ["B"] and only_b.step(1).assets == ("B",) and len(only_b) == 5
    assert served(only_b.at(1).get_placement("A", 6)) == (DEFAULT, None)
    record = read_replay(csv_lines(ROLLED), assets={"A"})
    assert ReplayOBFeatureEngine(record, max_bars=1).at(1).get_placement("A", 6).depth_1pct_usd == 6.0


def test_a_saved_record_reads_back_the_same(tmp_path: Path) -> None:
    rng = random.Random(7)
    names = [f"ASSET{index}" for index in range(6)]
    steps = random_steps(rng, 120, names)
    record = read_replay(jsonl_lines(steps))
    path = tmp_path / "day.obfr"
    record.save(path)
    again = ReplayRecord.load(path)
    for name in ReplayRecord._ARRAYS:
        assert getattr(again, name) == getattr(record, name), name
    assert again.names == record.names and again.asset_rows == record.asset_rows
    first, second = ReplayOBFeatureEngine(record, max_bars=10), ReplayOBFeatureEngine(again, max_bars=10)
    for index in range(0, 120, 5):
        a, b = first.at(index), second.at(index)
        for bar in sorted({item["bar"] for item in steps}):
            assert a.get_market(bar) == b.get_market(bar)
            for name in names:
                assert a.get_placement(name, bar) == b.get_placement(name, bar)
    (tmp_path / "other").write_bytes(b'{"bar":1}\n')
    with pytest.raises(ValueError, match="not a replay record"):
        ReplayRecord.load(tmp_path / "other")
    (tmp_path / "cut").write_bytes(path.read_bytes()[:-8])
    with pytest.raises(EOFError):
        ReplayRecord.load(tmp_path / "cut")


@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_a_number_written_null_reads_as_nan(form: str) -> None:
    """The service writes `null` for a number that is not finite; the live engine's binary
    table holds the double, so the backtest reads NaN."""
    steps = [step(1, T0, False, {"A": asset(1.0)}, macro(random.Random(5)))]
    steps[0]["assets"]["A"]["signal"]["imbalance"] = None
    steps[0]["macro"]["acceleration"] = None
    lines = [line.replace("None", "null") for line in (jsonl_lines(steps) if form == "jsonl" else csv_lines(steps))]
    engine = ReplayOBFeatureEngine(lines)
    engine.seek(0)
    assert math.isnan(engine.get_signal("A", 1).imbalance) and math.isnan(engine.get_market(1).acceleration)
    assert engine.get_placement("A", 1).depth_1pct_usd == 1.0
