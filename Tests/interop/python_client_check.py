#!/usr/bin/env python3
"""Interoperability check between the official hazelcast-python-client (5.7.0) and a member.

Usage:
  python_client_check.py HOST PORT [--unisocket] [--mode write|read] [--expect JSON]

--mode write (default): put/set/get/get_all/remove/delete on map DOLPHIN_FEATURES with json.dumps
  string values and one HazelcastJsonValue, reads everything back, and leaves two entries
  (asset_BTCUSDT_ob as a String, asset_ETHUSDT_ob as a HazelcastJsonValue) for other clients.
--mode read: reads the keys named in --expect, a JSON object
  {"key": {"kind": "string" | "json", "value": "<text>"}}, and checks kind and text.
--mode listen: adds an entry listener (with values), puts, updates and removes keys, and checks
  that the ADDED / UPDATED / REMOVED events arrive with their values, in order per key.

Prints one JSON summary line on stdout; exits 1 on any mismatch, 2 on a usage or connection error.
"""

import argparse
import json
import sys

MAP_NAME = "DOLPHIN_FEATURES"

BTC_KEY = "asset_BTCUSDT_ob"
ETH_KEY = "asset_ETHUSDT_ob"
SCRATCH_KEY = "asset_SCRATCH_ob"

BTC_PAYLOAD = {
    "asset": "BTCUSDT",
    "timestamp": 1700000000.125,
    "bids": [[43000.5, 1.25], [43000.0, 2.5]],
    "asks": [[43001.0, 0.75], [43001.5, 3.0]],
}
ETH_PAYLOAD = {
    "asset": "ETHUSDT",
    "timestamp": 1700000000.25,
    "bids": [[2250.1, 10.0]],
    "asks": [[2250.2, 12.5]],
    "note": "snowman \u2603",
}


def parse_arguments():
    parser = argparse.ArgumentParser(description="hazelcast-python-client interoperability check")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--unisocket", action="store_true", help="smart_routing=False")
    parser.add_argument("--mode", choices=["write", "read", "listen"], default="write")
    parser.add_argument("--expect", default="{}", help="JSON object of expected entries for --mode read")
    return parser.parse_args()


def connect(args):
    import hazelcast

    return hazelcast.HazelcastClient(
        cluster_members=["%s:%d" % (args.host, args.port)],
        cluster_name="dev",
        smart_routing=not args.unisocket,
        cluster_connect_timeout=15.0,
        connection_timeout=5.0,
    )


def describe(value):
    from hazelcast.core import HazelcastJsonValue

    if isinstance(value, HazelcastJsonValue):
        return {"kind": "json", "value": value.to_string()}
    if isinstance(value, str):
        return {"kind": "string", "value": value}
    return {"kind": type(value).__name__, "value": repr(value)}


def write_mode(features, failures, summary):
    from hazelcast.core import HazelcastJsonValue

    def check(name, condition, detail=""):
        summary["checks"][name] = bool(condition)
        if not condition:
            failures.append("%s %s" % (name, detail))

    btc_text = json.dumps(BTC_PAYLOAD)
    eth_text = json.dumps(ETH_PAYLOAD)

    features.put(BTC_KEY, btc_text)
    features.set(ETH_KEY, HazelcastJsonValue(eth_text))

    got_btc = features.get(BTC_KEY)
    check("get_string", got_btc == btc_text, repr(got_btc))
    check("string_parses", isinstance(got_btc, str) and json.loads(got_btc) == BTC_PAYLOAD)

    got_eth = features.get(ETH_KEY)
    check("get_json_value", isinstance(got_eth, HazelcastJsonValue) and got_eth.loads() == ETH_PAYLOAD, repr(got_eth))

    previous = features.put(SCRATCH_KEY, json.dumps({"n": 1}))
    check("put_previous_none", previous is None, repr(previous))
    previous = features.put(SCRATCH_KEY, json.dumps({"n": 2}))
    check("put_previous_value", previous == json.dumps({"n": 1}), repr(previous))
    removed = features.remove(SCRATCH_KEY)
    check("remove_returns_value", removed == json.dumps({"n": 2}), repr(removed))
    check("removed_absent", features.get(SCRATCH_KEY) is None)

    features.set(SCRATCH_KEY, "temporary")
    check("set_then_get", features.get(SCRATCH_KEY) == "temporary")
    features.delete(SCRATCH_KEY)
    check("deleted_absent", features.get(SCRATCH_KEY) is None)

    everything = features.get_all([BTC_KEY, ETH_KEY, SCRATCH_KEY, "asset_MISSING_ob"])
    check("get_all_keys", sorted(everything.keys()) == sorted([BTC_KEY, ETH_KEY]), repr(sorted(everything.keys())))
    check("get_all_string", everything.get(BTC_KEY) == btc_text)
    eth_value = everything.get(ETH_KEY)
    check("get_all_json_value", isinstance(eth_value, HazelcastJsonValue) and eth_value.loads() == ETH_PAYLOAD)

    summary["written"] = {BTC_KEY: describe(got_btc), ETH_KEY: describe(got_eth)}


def read_mode(features, expected, failures, summary):
    keys = sorted(expected.keys())
    everything = features.get_all(keys) if keys else {}
    summary["read"] = {}
    for key in keys:
        want = expected[key]
        got = describe(everything[key]) if key in everything else None
        summary["read"][key] = got
        single = features.get(key)
        single_description = describe(single) if single is not None else None
        ok = got == want and single_description == want
        summary["checks"][key] = ok
        if not ok:
            failures.append("%s: expected %r, get_all gave %r, get gave %r" % (key, want, got, single_description))


def listen_mode(client, failures, summary):
    import threading
    import time

    features = client.get_map(MAP_NAME)
    seen = []
    lock = threading.Lock()

    def record(kind):
        def handler(event):
            with lock:
                seen.append([kind, event.key, event.value, event.old_value])
        return handler

    keys = ["asset_LISTEN%dUSDT_ob" % index for index in range(5)]
    for key in keys:
        features.delete(key).result()
    registration = features.add_entry_listener(
        include_value=True, added_func=record("added"), updated_func=record("updated"), removed_func=record("removed")
    ).result()
    blocking = features.blocking()
    for key in keys:
        blocking.put(key, json.dumps({"seq": 1}))
    for key in keys:
        blocking.put(key, json.dumps({"seq": 2}))
    blocking.remove(keys[0])
    expected = 2 * len(keys) + 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with lock:
            if len(seen) >= expected:
                break
        time.sleep(0.02)
    time.sleep(0.2)
    with lock:
        events = list(seen)
    features.remove_entry_listener(registration).result()
    summary["events"] = len(events)
    if len(events) != expected:
        failures.append("expected %d events, got %d: %r" % (expected, len(events), events))
    for key in keys:
        of_key = [event for event in events if event[1] == key]
        want = [["added", key, json.dumps({"seq": 1}), None], ["updated", key, json.dumps({"seq": 2}), json.dumps({"seq": 1})]]
        if key == keys[0]:
            want.append(["removed", key, None, json.dumps({"seq": 2})])
        if of_key != want:
            failures.append("events of %s: %r" % (key, of_key))
    summary["checks"]["events_in_order"] = not failures


def main():
    args = parse_arguments()
    try:
        expected = json.loads(args.expect)
    except ValueError as error:
        print(json.dumps({"ok": False, "error": "bad --expect: %s" % error}))
        return 2

    summary = {"mode": args.mode, "smart_routing": not args.unisocket, "checks": {}}
    failures = []
    try:
        import hazelcast

        summary["client_version"] = hazelcast.__version__
    except ImportError as error:
        summary.update(ok=False, error="hazelcast-python-client is not installed: %s" % error)
        print(json.dumps(summary))
        return 2
    try:
        client = connect(args)
    except Exception as error:  # the client raises several types when it cannot connect
        summary.update(ok=False, error="cannot connect: %r" % (error,))
        print(json.dumps(summary))
        return 2
    try:
        features = client.get_map(MAP_NAME).blocking()
        if args.mode == "write":
            write_mode(features, failures, summary)
        elif args.mode == "listen":
            listen_mode(client, failures, summary)
        else:
            read_mode(features, expected, failures, summary)
    except Exception as error:
        failures.append("exception: %r" % (error,))
    finally:
        client.shutdown()

    summary["ok"] = not failures
    summary["failures"] = failures
    print(json.dumps(summary, sort_keys=True))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
