"""Two replicas sharing the engine's state (`obf serve --state-map`) behind one engine given
both base URLs: the active replica is killed (SIGKILL) in the middle of a run, the engine's next
steps go to the other, and every feature of every bar equals, bit for bit, that of an
uninterrupted single-replica run fed the same books."""

from __future__ import annotations

import json
import random
import signal
import time
import urllib.request
from pathlib import Path

import hazelcast
from books import BookWalk
from processes import EVENT_LIMIT, Processes, Serve, free_port

from obf_client import LiveOBFeatureEngine

ASSETS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]
BARS = range(1, 41)
KILLED_AT = 21


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def wait_ready(server: Serve, limit: float = EVENT_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if json.loads(get(server.url + "/readyz"))["status"] == "ready":
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{server.url} not ready within {limit} s:\n{server.text()[-2000:]}")


def test_the_other_replica_takes_over_bit_for_bit(processes: Processes) -> None:
    port = free_port()
    processes.member(port)
    common = ["--source", "hazelcast", "--hz-members", f"127.0.0.1:{port}", "--assets", ",".join(ASSETS),
              "--max-snapshot-age-s", "600"]
    first = processes.serve(*common, "--state-map", "OBF_STATE")
    second = processes.serve(*common, "--state-map", "OBF_STATE")
    reference = processes.serve(*common)
    for server in (first, second, reference):
        wait_ready(server)
    producer = hazelcast.HazelcastClient(cluster_name="dev", cluster_members=[f"127.0.0.1:{port}"])
    try:
        books = producer.get_map("DOLPHIN_FEATURES").blocking()
        rng = random.Random(11)
        walks = {asset: BookWalk(rng, depth_usd=rng.uniform(2e5, 3e6)) for asset in ASSETS}
        # Timeouts far above a step's, so that only the killed replica fails a step.
        engine = LiveOBFeatureEngine([first.url, second.url], timeout=10.0)
        uninterrupted = LiveOBFeatureEngine(reference.url, timeout=10.0)
        for bar in BARS:
            now = time.time()
            for asset, walk in walks.items():
                walk.step()
                books.put(f"asset_{asset}_ob", json.dumps(walk.document(now)))
            assert uninterrupted.step_live(ASSETS, bar).computed == len(ASSETS)
            if bar == KILLED_AT:
                first.stop(signal.SIGKILL)
            status = engine.step_live(ASSETS, bar)
            assert status.ok and status.computed == len(ASSETS), status
            for asset in ASSETS:
                assert engine.get_placement(asset, bar) == uninterrupted.get_placement(asset, bar)
                assert engine.get_signal(asset, bar) == uninterrupted.get_signal(asset, bar)
            assert engine.get_macro(bar) == uninterrupted.get_macro(bar)
        assert engine.client.transport.base_url == second.url
        assert engine.counters.steps_failed == 0
        # What the surviving replica serves, byte for byte, for every bar, before and after the kill.
        for bar in BARS:
            assert get(f"{second.url}/bars/{bar}") == get(f"{reference.url}/bars/{bar}"), bar
        engine.close()
        uninterrupted.close()
    finally:
        producer.shutdown()
