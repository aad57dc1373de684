#!/usr/bin/env python3
"""Sequential GET latency over one keep-alive connection (the body read, not parsed).

    read_latency.py HOST PORT PATH REQUESTS [--warmup N]

Prints `reads path=... n=... bytes=... p50_ms=... p99_ms=... mean_ms=... max_ms=...`.
Exits non-zero on any non-200 answer.
"""
import http.client
import statistics
import sys
import time

from figures import percentile


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, path, requests = argv[1], int(argv[2]), argv[3], int(argv[4])
    warmup = int(argv[6]) if len(argv) > 6 and argv[5] == "--warmup" else 200
    connection = http.client.HTTPConnection(host, port, timeout=30)
    timings, size = [], 0
    for index in range(warmup + requests):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            print(f"GET {path}: HTTP {response.status}", file=sys.stderr)
            return 1
        size = len(body)
        if index >= warmup:
            timings.append(elapsed)
    timings.sort()
    print(f"reads path={path} n={requests} bytes={size} p50_ms={percentile(timings, 0.5):.3f} "
          f"p99_ms={percentile(timings, 0.99):.3f} mean_ms={statistics.fmean(timings):.3f} max_ms={timings[-1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
