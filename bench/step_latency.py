#!/usr/bin/env python3
"""Sequential POST /step/{bar} latency over one keep-alive connection.

    step_latency.py HOST PORT STEPS [--warmup N] [--first-bar N] [--token T] [--pace-ms N] [--tls-ca FILE]

Prints one line: `steps n=... assets=... p50_ms=... p99_ms=... mean_ms=... max_ms=...
server_ms_p50=...` where the *_ms figures are the client's wall time per request (send to
last body byte) and server_ms_p50 is the median `duration_ms` the service reported. With --pace-ms
the steps start every N ms (a trader's scan cadence) instead of back to back.
With --tls-ca the service is reached over HTTPS, its certificate verified against FILE.
Exits non-zero on any non-200 answer or a step that did not compute every requested asset.
"""
import http.client
import json
import ssl
import statistics
import sys
import time

from figures import percentile


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, steps = argv[1], int(argv[2]), int(argv[3])
    warmup, first_bar, token, pace, tls_ca = 50, 1_000_000, None, 0.0, None
    rest = argv[4:]
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--warmup":
            warmup = int(value)
        elif flag == "--first-bar":
            first_bar = int(value)
        elif flag == "--token":
            token = value
        elif flag == "--pace-ms":
            pace = float(value) / 1000
        elif flag == "--tls-ca":
            tls_ca = value
        else:
            print(f"unknown flag {flag}", file=sys.stderr)
            return 2

    headers = {"Content-Length": "0"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if tls_ca:
        context = ssl.create_default_context(cafile=tls_ca)
        connection = http.client.HTTPSConnection(host, port, timeout=30, context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=30)
    client_ms, server_ms = [], []
    assets = None
    # rollover=true on the first request: a re-used server may have stepped higher bars already.
    next_start = time.perf_counter()
    for index in range(warmup + steps):
        if pace:
            time.sleep(max(0.0, next_start - time.perf_counter()))
            next_start += pace
        bar = first_bar + index
        path = f"/step/{bar}" + ("?rollover=true" if index == 0 else "")
        started = time.perf_counter()
        connection.request("POST", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            print(f"POST {path}: HTTP {response.status}: {body[:300]!r}", file=sys.stderr)
            return 1
        report = json.loads(body)
        if report["computed"] != report["requested"] or report["replayed"]:
            print(f"POST {path}: unexpected report {body[:300]!r}", file=sys.stderr)
            return 1
        assets = report["requested"]
        if index >= warmup:
            client_ms.append(elapsed)
            server_ms.append(report["duration_ms"])
    connection.close()
    client_ms.sort()
    server_ms.sort()
    print(
        f"steps n={steps} assets={assets} p50_ms={percentile(client_ms, 0.50):.3f} "
        f"p99_ms={percentile(client_ms, 0.99):.3f} mean_ms={statistics.fmean(client_ms):.3f} "
        f"max_ms={client_ms[-1]:.3f} server_ms_p50={percentile(server_ms, 0.50):.3f} "
        f"server_ms_p99={percentile(server_ms, 0.99):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
