"""Reads asset snapshots back from Hazelcast with the official client and prints,
per asset, the value's Python type and the parsed document (or null when absent).

usage: read_back.py HOST:PORT ASSET [ASSET ...]
"""
import json
import sys

import hazelcast


def main() -> int:
    member, assets = sys.argv[1], sys.argv[2:]
    client = hazelcast.HazelcastClient(cluster_name="dev", cluster_members=[member])
    try:
        features_map = client.get_map("DOLPHIN_FEATURES").blocking()
        keys = [f"asset_{asset}_ob" for asset in assets]
        values = features_map.get_all(keys)
        out = {}
        for asset, key in zip(assets, keys):
            value = values.get(key)
            out[asset] = None if value is None else {"type": type(value).__name__, "document": json.loads(value)}
    finally:
        client.shutdown()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
