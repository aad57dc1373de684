"""Differential: over a replay run with gaps, stale and invalid snapshots, bars not stepped and
bars evicted, every look-up of LiveOBFeatureEngine equals the service's GET /features and GET /macro."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from books import BookWalk
from checks import fields
from processes import Processes

from obf_client import LiveOBFeatureEngine, LookupSource, OBFClient

ASSETS = ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT", "EEEUSDT"]
NEVER_WRITTEN = "ZZZUSDT"          # requested at every step, never in the file: always missing
NEVER_REQUESTED = "QQQUSDT"        # looked up, never stepped: always default
LATE = "EEEUSDT"                   # no line before LATE_FROM: missing, then live
LATE_FROM = 40
SILENT = ("CCCUSDT", range(100, 116))  # no line for 16 bars: served its old line, stale after 10 s
BARS = 300
MAX_BARS = 80
SECONDS_PER_BAR = 2.0
START = 1_780_000_000.0


def invalid(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The document broken in one of the ways the README's snapshot rules refuse."""
    broken = dict(document)
    kind = rng.randrange(6)
    if kind == 0:
        broken["bid_notional"] = [-1.0, *document["bid_notional"][1:]]
    elif kind == 1:
        broken["ask_notional"] = document["ask_notional"][:3]
    elif kind == 2:
        del broken["timestamp"]
    elif kind == 3:
        broken["timestamp"] = document["timestamp"].replace("+00:00", "")   # no offset: ambiguous
    elif kind == 4:
        broken["bid_notional"] = ["1000", *document["bid_notional"][1:]]
    else:
        broken["bid_notional"] = broken["ask_notional"] = []
    return broken


def write_replay(path: Path, rng: random.Random) -> None:
    walks = {asset: BookWalk(rng, depth_usd=rng.uniform(2e5, 3e6)) for asset in ASSETS}
    with open(path, "w") as sink:
        for bar in range(BARS):
            for asset, walk in walks.items():
                walk.step()
                if (asset == LATE and bar < LATE_FROM) or (asset == SILENT[0] and bar in SILENT[1]):
                    continue
                draw = rng.random()
                if draw < 0.12:
                    continue                      # a gap: the asset's previous line is served again
                document = walk.document(START + bar * SECONDS_PER_BAR)
                if draw < 0.2:
                    document = invalid(document, rng)
                sink.write(json.dumps({"asset": asset, "bar": bar, **document}) + "\n")


def compare(engine: LiveOBFeatureEngine, client: OBFClient, bar: int, seen: Counter[str]) -> None:
    """Every asset's and the macro look-up of `bar`, the engine's beside the service's."""
    for asset in [*ASSETS, NEVER_WRITTEN, NEVER_REQUESTED]:
        expected = client.features(asset, bar)
        for record, model in ((engine.get_placement(asset, bar), expected.placement),
                              (engine.get_signal(asset, bar), expected.signal)):
            assert (record.source, record.served_bar) == (expected.source, expected.served_bar), (asset, bar)
            for name, value in fields(model).items():
                assert getattr(record, name) == value, (asset, bar, name)
        seen[expected.source.value] += 1
    expected_macro = client.macro(bar)
    macro = engine.get_macro(bar)
    assert (macro.source, macro.served_bar) == (expected_macro.source, expected_macro.served_bar), bar
    for name, value in fields(expected_macro.macro).items():
        assert getattr(macro, name) == value, (bar, name)
    seen["macro " + expected_macro.source.value] += 1


def test_every_lookup_equals_the_service(processes: Processes, tmp_path: Path) -> None:
    rng = random.Random(20260326)
    replay = tmp_path / "books.jsonl"
    write_replay(replay, rng)
    serve = processes.serve("--source", "replay", "--replay-file", str(replay), "--assets", ",".join(ASSETS),
                            "--max-bars", str(MAX_BARS))
    seen: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    stepped: list[int] = []
    with LiveOBFeatureEngine(serve.url, max_bars=MAX_BARS) as engine, OBFClient(serve.url) as client:
        for bar in range(BARS):
            if rng.random() < 0.2:
                continue                          # a bar not stepped: its look-ups fall back
            status = engine.step_live([*ASSETS, NEVER_WRITTEN], bar)
            assert status.ok, status
            stepped.append(bar)
            skipped.update(status.skipped.values())
            for probe in {bar, bar + 1, max(0, bar - 1), rng.randrange(0, bar + 1)}:
                compare(engine, client, probe, seen)
        for bar in range(BARS + 3):
            compare(engine, client, bar, seen)
        assert engine.counters.steps_failed == 0
    # The run reached every case it claims to check.
    assert {"missing", "stale", "invalid"} <= set(skipped), skipped
    assert min(seen[source] for source in ("live", "fallback", "default")) > 0, seen
    assert min(seen["macro " + source] for source in ("live", "fallback", "default")) > 0, seen
    assert len(stepped) > MAX_BARS + 50      # older bars were evicted on both sides
    assert engine.get_placement(ASSETS[0], stepped[0]).source is LookupSource.DEFAULT
