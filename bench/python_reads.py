#!/usr/bin/env python3
"""The original design's read path: the official hazelcast-python-client reading every asset's
snapshot from the member, once per round, as one `get` per asset and as one `get_all`.

    python_reads.py HOST:PORT ASSETS ROUNDS

ASSETS is a comma-separated list; keys are `asset_{SYMBOL}_ob` in map DOLPHIN_FEATURES. Prints
`python_reads assets=N get_p50_ms=... get_p99_ms=... get_all_p50_ms=... get_all_p99_ms=...`.
Exits non-zero when a key is missing.
"""
import sys
import time

import hazelcast

from figures import percentile


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    member, assets, rounds = argv[1], argv[2].split(","), int(argv[3])
    keys = [f"asset_{asset}_ob" for asset in assets]
    client = hazelcast.HazelcastClient(cluster_name="dev", cluster_members=[member])
    try:
        features = client.get_map("DOLPHIN_FEATURES").blocking()
        loop_ms, batch_ms = [], []
        for index in range(rounds + 5):
            started = time.perf_counter()
            values = [features.get(key) for key in keys]
            loop = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            batch = features.get_all(keys)
            batched = (time.perf_counter() - started) * 1000
            if any(value is None for value in values) or len(batch) != len(keys):
                print("a key is missing from the map", file=sys.stderr)
                return 1
            if index >= 5:
                loop_ms.append(loop)
                batch_ms.append(batched)
    finally:
        client.shutdown()
    loop_ms.sort()
    batch_ms.sort()
    print(f"python_reads assets={len(keys)} get_p50_ms={percentile(loop_ms, 0.5):.3f} "
          f"get_p99_ms={percentile(loop_ms, 0.99):.3f} get_all_p50_ms={percentile(batch_ms, 0.5):.3f} "
          f"get_all_p99_ms={percentile(batch_ms, 0.99):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
