"""Writes one bar of a JSON Lines fixture into Hazelcast exactly as the production
producer does: features_map.put(f"asset_{asset}_ob", json.dumps(payload)).

Assets of the fixture with no line at that bar are removed from the map, so the
service sees them missing. Timestamps are replaced by the current time.

usage: producer.py HOST:PORT FIXTURE BAR
"""
import datetime
import json
import sys

import hazelcast


def main() -> int:
    member, fixture, bar = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = [json.loads(line) for line in open(fixture) if line.strip()]
    assets = sorted({row["asset"] for row in rows})
    client = hazelcast.HazelcastClient(cluster_name="dev", cluster_members=[member])
    try:
        features_map = client.get_map("DOLPHIN_FEATURES").blocking()
        now = datetime.datetime.now(datetime.timezone.utc)
        # The sequence number of this write, also printed (a listener can wait for it).
        for asset in assets:
            row = next((r for r in rows if r["asset"] == asset and r["bar"] == bar), None)
            if row is None:
                features_map.delete(f"asset_{asset}_ob")
                continue
            payload = {k: v for k, v in row.items() if k not in ("asset", "bar")}
            payload["timestamp"] = now.isoformat()
            payload["_pushed_at"] = now.isoformat()
            payload["_push_seq"] = int(now.timestamp() * 1000)
            features_map.put(f"asset_{asset}_ob", json.dumps(payload))
    finally:
        client.shutdown()
    print(json.dumps({"bar": bar, "assets": assets, "push_seq": int(now.timestamp() * 1000)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
