"""The backtest path end to end: `obf serve --record-dir` fed by a producer writing every 100 ms,
the trader's `LiveOBFeatureEngine` stepping it through a stale book, a clean restart, a
`kill -9` with a restart from an older state file, and a rollover; then `obf replay` of the
record, and `ReplayOBFeatureEngine` driven by the same calls: every look-up (the bar stepped,
the bar before, a later bar; every asset, one never seen, and the macro) answers the very
record the live engine answered."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from processes import EVENT_LIMIT, Processes, Serve, binary, free_port

from obf_client import LiveOBFeatureEngine, ReplayOBFeatureEngine

ASSETS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
LOOKED_UP = ASSETS + ["XRPUSDT"]


def wait_ready(server: Serve) -> None:
    deadline = time.monotonic() + EVENT_LIMIT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url + "/readyz", timeout=10) as response:
                if json.loads(response.read())["status"] == "ready":
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{server.url} not ready within {EVENT_LIMIT} s:\n{server.text()[-2000:]}")


def replay(record: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary("OBF_BIN", "obf"), "replay", "--record-dir", str(record), *arguments],
                          capture_output=True, text=True, timeout=EVENT_LIMIT)


def recorded_steps(record: Path) -> int:
    """Steps on disk now (the open segment is readable as it is written)."""
    done = replay(record)
    return len(done.stdout.splitlines()) if done.returncode == 0 else -1


def answers(engine: Any, bar: int) -> list[Any]:
    """Every look-up a loop might make after stepping `bar`."""
    found: list[Any] = []
    for asked in (bar, bar - 1, bar + 3):
        for asset in LOOKED_UP:
            found.append((asset, asked, engine.get_placement(asset, asked), engine.get_signal(asset, asked)))
        found.append(("macro", asked, engine.get_market(asked)))
    return found


def fields(record: Any) -> dict[str, Any]:
    """A record's numbers with its `source` and `served_bar`, as plain values."""
    values = {name: getattr(record, name) for name in record.__slots__}
    values["source"] = record.source.value
    if "cascade_regime" in values:
        values["cascade_regime"] = str(getattr(values["cascade_regime"], "value", values["cascade_regime"])).upper()
    return values


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def service_answers(url: str, bar: int) -> list[Any]:
    """`answers` as the service's own `GET /features` and `GET /macro` gave them."""
    found: list[Any] = []
    for asked in (bar, bar - 1, bar + 3):
        for asset in LOOKED_UP:
            body = get(f"{url}/features/{asset}/{asked}")
            where = {"source": body["source"], "served_bar": body["served_bar"]}
            found.append((asset, asked, {**body["placement"], **where}, {**body["signal"], **where}))
        body = get(f"{url}/macro/{asked}")
        macro = {**body["macro"], "source": body["source"], "served_bar": body["served_bar"]}
        macro["cascade_regime"] = macro["cascade_regime"].upper()
        found.append(("macro", asked, macro))
    return found


def as_fields(found: list[Any]) -> list[Any]:
    return [(entry[0], entry[1], *(fields(record) for record in entry[2:])) for entry in found]


def test_the_backtest_engine_answers_what_the_live_engine_answered(processes: Processes, tmp_path: Path) -> None:
    member_port = free_port()
    processes.member(member_port)
    processes.producer(member_port, ["BTCUSDT", "ETHUSDT"])
    fading = processes.producer(member_port, ["SOLUSDT"])
    record, port = tmp_path / "record", free_port()
    arguments = ["--source", "hazelcast", "--hz-members", f"127.0.0.1:{member_port}", "--hz-read", "listen",
                 "--assets", ",".join(ASSETS), "--record-dir", str(record), "--state-file", str(tmp_path / "state.json")]
    environment = {"OBF_MAX_SNAPSHOT_AGE_S": "1"}
    server = processes.serve(*arguments, port=port, environment=environment)
    wait_ready(server)
    live = LiveOBFeatureEngine(server.url, timeout=10.0)
    scans: list[tuple[int, list[Any], list[Any]]] = []

    def scan(bar: int) -> Any:
        status = live.step_live(ASSETS, bar)
        assert status.ok, status
        scans.append((bar, answers(live, bar), service_answers(server.url, bar)))
        return status

    # Scans from before the producers' first books (all missing) until every asset is computed.
    bar = 1
    deadline = time.monotonic() + EVENT_LIMIT
    while scan(bar).computed < len(ASSETS):
        assert time.monotonic() < deadline, "the producers' books never arrived"
        bar += 1
        time.sleep(0.05)
    for _ in range(3):
        bar += 1
        scan(bar)
    # SOLUSDT's producer stops: its book turns stale, and its look-ups fall back.
    fading.stop()
    deadline = time.monotonic() + EVENT_LIMIT
    while scan(bar := bar + 1).skipped.get("SOLUSDT") != "stale":
        assert time.monotonic() < deadline, "SOLUSDT never stale"
    for _ in range(2):
        bar += 1
        scan(bar)
    # A clean restart (the state file saved), then steps, then kill -9 once they are on disk.
    assert server.stop() == 0
    server = processes.serve(*arguments, port=port, environment=environment)
    wait_ready(server)
    for _ in range(4):
        bar += 1
        scan(bar)
    deadline = time.monotonic() + EVENT_LIMIT
    while recorded_steps(record) < len(scans):
        assert time.monotonic() < deadline, "the steps never reached the record"
        time.sleep(0.05)
    server.stop(signal.SIGKILL)
    # Started again from the older state file: its caches lost the last four bars.
    server = processes.serve(*arguments, port=port, environment=environment)
    wait_ready(server)
    for _ in range(3):
        bar += 1
        scan(bar)
    # The loop's daily reset: a rollover.
    for bar in (1, 2, 3):
        scan(bar)
    assert server.stop() == 0

    out = tmp_path / "day.jsonl"
    done = replay(record, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert '"resumed":{"last_bar":' in out.read_text()
    for path in (out, tmp_path / "day.csv"):
        if path.suffix == ".csv":
            assert replay(record, "--format", "csv", "--out", str(path)).returncode == 0
        backtest = ReplayOBFeatureEngine(path, max_bars=500)
        service = ReplayOBFeatureEngine(path, max_bars=500, as_service=True)
        for bar, seen, served in scans:
            assert backtest.step_live(ASSETS, bar).ok and service.step_live(ASSETS, bar).ok
            assert answers(backtest, bar) == seen, f"bar {bar} ({path.name})"
            assert as_fields(answers(service, bar)) == served, f"bar {bar} ({path.name}, as the service)"
    # The look-ups did meet each case (live, fallback, defaults), and the restart from the older
    # state file made the service answer other bars than the live engine's memory.
    sources = {record.source.value for _, seen, _ in scans for entry in seen for record in entry[2:]}
    assert sources == {"live", "fallback", "default"}
    assert any(as_fields(seen) != served for _, seen, served in scans)
