#!/usr/bin/env python3
"""POST /step/{bar} every 50 ms while the Hazelcast member is restarted; what the restart cost.

    restart_steps.py HOST PORT SECONDS EVENTS [--interval-ms 50] [--deadline-ms 250] [--first-bar 1]

Over one keep-alive connection, every --interval-ms (fixed schedule): POST /step/N with N
increasing, then GET /metrics for `obf_source_connected`. Meanwhile the caller stops the
member and restarts it, appending `UNIX_TIME member_down` and `UNIX_TIME member_up` lines
to EVENTS. At the end prints one line:

    restart steps=... empty=... empty_disconnected=... empty_connected=... partial=...
            window_steps=... down_s=... reconnect_after_restart_s=... refill_after_restart_s=...
            max_duration_ms=... deadline_ms=... over_deadline=... max_post_ms=...

empty: steps that computed no asset, split by whether the service reported its source
connected right after the step (disconnected: the client's back-off window; connected: the
member is back but the producer has not refilled the map yet). window_steps: steps sent
from the member's stop until the service reported the connection back. over_deadline:
steps whose duration_ms exceeded the deadline by more than 10 ms. Exits non-zero on any
non-200 answer, a replayed step or a request without an answer.
"""
import http.client
import json
import sys
import time


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, seconds, events_path = argv[1], int(argv[2]), float(argv[3]), argv[4]
    interval_ms, deadline_ms, first_bar = 50.0, 250.0, 1
    rest = argv[5:]
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--interval-ms":
            interval_ms = float(value)
        elif flag == "--deadline-ms":
            deadline_ms = float(value)
        elif flag == "--first-bar":
            first_bar = int(value)
        else:
            print(f"unknown flag {flag}", file=sys.stderr)
            return 2

    connection = http.client.HTTPConnection(host, port, timeout=5)
    records = []
    interval = interval_ms / 1000
    started = time.monotonic()
    next_at = started
    bar = first_bar
    while time.monotonic() - started < seconds:
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        elif now - next_at > interval:
            next_at = now  # behind schedule by more than a period: do not burst to catch up
        next_at += interval
        sent_at = time.time()
        clock = time.perf_counter()
        connection.request("POST", f"/step/{bar}", headers={"Content-Length": "0"})
        response = connection.getresponse()
        body = response.read()
        post_ms = (time.perf_counter() - clock) * 1000
        if response.status != 200:
            print(f"POST /step/{bar}: HTTP {response.status}: {body[:300]!r}", file=sys.stderr)
            return 1
        report = json.loads(body)
        if report["replayed"] or report["bar"] != bar:
            print(f"POST /step/{bar}: unexpected report {body[:300]!r}", file=sys.stderr)
            return 1
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        metrics = response.read().decode()
        if response.status != 200:
            print(f"GET /metrics: HTTP {response.status}", file=sys.stderr)
            return 1
        connected = any(line.split()[1] in ("1", "1.0") for line in metrics.splitlines()
                        if line.startswith("obf_source_connected "))
        records.append({"t": sent_at, "checked": time.time(), "bar": bar, "post_ms": post_ms,
                        "duration_ms": report["duration_ms"], "computed": report["computed"],
                        "requested": report["requested"], "connected": connected})
        bar += 1
    connection.close()

    events = {}
    with open(events_path) as source:
        for line in source:
            parts = line.split()
            if len(parts) == 2:
                events.setdefault(parts[1], float(parts[0]))
    down, up = events.get("member_down"), events.get("member_up")
    if down is None or up is None:
        print(f"no member_down/member_up in {events_path}", file=sys.stderr)
        return 1
    back = next((r["checked"] for r in records if r["checked"] >= up and r["connected"]), None)
    refilled = next((r["t"] for r in records if r["t"] >= up and r["computed"] == r["requested"]), None)
    empty = [r for r in records if r["computed"] == 0]
    window_end = back if back is not None else float("inf")
    print(
        f"restart steps={len(records)} empty={len(empty)} "
        f"empty_disconnected={sum(1 for r in empty if not r['connected'])} "
        f"empty_connected={sum(1 for r in empty if r['connected'])} "
        f"partial={sum(1 for r in records if 0 < r['computed'] < r['requested'])} "
        f"window_steps={sum(1 for r in records if down <= r['t'] <= window_end)} "
        f"down_s={up - down:.2f} "
        f"reconnect_after_restart_s={(back - up) if back is not None else float('nan'):.2f} "
        f"refill_after_restart_s={(refilled - up) if refilled is not None else float('nan'):.2f} "
        f"max_duration_ms={max(r['duration_ms'] for r in records):.3f} deadline_ms={deadline_ms:.0f} "
        f"over_deadline={sum(1 for r in records if r['duration_ms'] > deadline_ms + 10)} "
        f"max_post_ms={max(r['post_ms'] for r in records):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
