"""Writes an order book for every asset into the Hazelcast map DOLPHIN_FEATURES every interval,
exactly as the production producer does (features_map.put(f"asset_{asset}_ob", json.dumps(payload))),
with the official hazelcast-python-client. Keeps going while the member is away (the client
reconnects by itself); runs until SIGTERM.

usage: book_producer.py HOST:PORT ASSET,ASSET,... INTERVAL_MS
"""

from __future__ import annotations

import json
import random
import signal
import sys
import time

import hazelcast
from books import BookWalk


def main() -> int:
    member, assets, interval = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]) / 1000
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    rng = random.Random(7)
    walks = {asset: BookWalk(rng, depth_usd=rng.uniform(2e5, 3e6)) for asset in assets}
    client = hazelcast.HazelcastClient(
        cluster_name="dev", cluster_members=[member], cluster_connect_timeout=-1, invocation_timeout=1.0,
        retry_initial_backoff=0.1, retry_max_backoff=0.5, retry_multiplier=1.5)
    features_map = client.get_map("DOLPHIN_FEATURES").blocking()
    ticks = failures = 0
    next_tick = time.monotonic()
    while running[0]:
        now = time.time()
        try:
            for asset, walk in walks.items():
                walk.step()
                payload = walk.document(now)
                payload["_pushed_at"] = payload["timestamp"]
                payload["_push_seq"] = int(now * 1000)
                features_map.put(f"asset_{asset}_ob", json.dumps(payload))
            ticks += 1
        except Exception as error:  # the member is away: try again next tick
            failures += 1
            print(f"tick failed: {type(error).__name__}: {error}", flush=True)
        next_tick = max(next_tick + interval, time.monotonic())   # no burst after a slow tick
        time.sleep(max(0.0, next_tick - time.monotonic()))
    client.shutdown()
    print(f"producer finished: {ticks} ticks, {failures} failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
