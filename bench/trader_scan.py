#!/usr/bin/env python3
"""The trader's cost per scan: LiveOBFeatureEngine beside its floor, a bare POST /step, and
beside bare http.client calls.

    trader_scan.py HOST PORT ASSETS SCANS [--warmup N] [--first-bar N] [--methods engine,step,bare]

Each scan steps a new bar over the assets A1..A<ASSETS> (the body names them) and reads one
placement and one signal record per asset, in up to three ways, alternating scan by scan on the
same service so background load hurts them alike:

- engine: `step_live(assets, bar)` (POST /step/{bar}?include=feature_table, the binary table),
  then `get_placement` and `get_signal` for every asset (from memory);
- step: the floor of any scan, a bare POST /step/{bar} with the same body over one keep-alive
  `http.client` connection, its small JSON report parsed, no feature read at all;
- bare: the README's former snippet over one keep-alive `http.client` connection: POST
  /step/{bar}, GET /bars/{bar}, `json.loads` both, then each asset's `placement` and `signal`.

Prints `scan method=M ...` per method (p50_ms, p99_ms, mean_ms, max_ms per scan), `scan ratio
assets=N engine_over_step_p50=... engine_over_step_p99=...` (the scan against its floor) and
`scan ratio assets=N bare_over_engine_p50=... bare_over_engine_p99=...`, each when both of its
methods ran. Exits non-zero when a step fails or a look-up is not live. Needs
clients/python/src on PYTHONPATH (or obf-client installed).
"""
from __future__ import annotations

import http.client
import json
import statistics
import sys
import time
from collections.abc import Callable

from obf_client import LiveOBFeatureEngine, LookupSource

from figures import percentile


def engine_scan(engine: LiveOBFeatureEngine, assets: list[str], bar: int) -> None:
    status = engine.step_live(assets, bar)
    for asset in assets:
        placement = engine.get_placement(asset, bar)
        signal = engine.get_signal(asset, bar)
    if not status.ok or status.computed != len(assets) or placement.source is not LookupSource.LIVE \
            or signal.source is not LookupSource.LIVE:
        raise SystemExit(f"engine scan of bar {bar}: {status}")


def bare_scan(connection: http.client.HTTPConnection, body: bytes, assets: list[str], bar: int) -> None:
    connection.request("POST", f"/step/{bar}", body=body, headers={"Content-Type": "application/json"})
    step = connection.getresponse()
    report = json.loads(step.read())
    connection.request("GET", f"/bars/{bar}")
    answer = connection.getresponse()
    snapshot = json.loads(answer.read())
    for asset in assets:
        look_up = snapshot["assets"][asset]
        placement, signal = look_up["placement"], look_up["signal"]
    if step.status != 200 or answer.status != 200 or report["computed"] != len(assets) \
            or look_up["source"] != "live" or not placement or not signal:
        raise SystemExit(f"bare scan of bar {bar}: {step.status} {answer.status} {report}")


def step_scan(connection: http.client.HTTPConnection, body: bytes, assets: list[str], bar: int) -> None:
    connection.request("POST", f"/step/{bar}", body=body, headers={"Content-Type": "application/json"})
    step = connection.getresponse()
    report = json.loads(step.read())
    if step.status != 200 or report["computed"] != len(assets):
        raise SystemExit(f"bare step of bar {bar}: {step.status} {report}")


def summary(method: str, count: int, millis: list[float]) -> tuple[float, float]:
    millis.sort()
    p50, p99 = percentile(millis, 0.50), percentile(millis, 0.99)
    print(f"scan method={method} assets={count} n={len(millis)} p50_ms={p50:.3f} p99_ms={p99:.3f} "
          f"mean_ms={statistics.fmean(millis):.3f} max_ms={millis[-1]:.3f}")
    return p50, p99


def main(argv: list[str]) -> int:
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, count, scans_wanted = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    flags = dict(zip(argv[5::2], argv[6::2]))
    warmup, bar = int(flags.get("--warmup", 50)), int(flags.get("--first-bar", 1_000_000))
    methods = flags.get("--methods", "engine,step,bare").split(",")
    assets = [f"A{index}" for index in range(1, count + 1)]
    body = json.dumps({"assets": assets}).encode()
    engine = LiveOBFeatureEngine(f"http://{host}:{port}", timeout=30)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    scans: dict[str, Callable[[int], None]] = {
        "engine": lambda bar: engine_scan(engine, assets, bar),
        "step": lambda bar: step_scan(connection, body, assets, bar),
        "bare": lambda bar: bare_scan(connection, body, assets, bar),
    }
    timings: dict[str, list[float]] = {method: [] for method in methods}
    connection.request("POST", f"/step/{bar}?rollover=true", body=body, headers={"Content-Type": "application/json"})
    connection.getresponse().read()   # a re-used server may have stepped higher bars already
    for index in range(warmup + scans_wanted):
        for method in methods:
            bar += 1
            scan = scans[method]
            started = time.perf_counter()
            scan(bar)
            if index >= warmup:
                timings[method].append((time.perf_counter() - started) * 1000)
    figures = {method: summary(method, count, timings[method]) for method in methods}
    for name, (over, under) in (("engine_over_step", ("engine", "step")), ("bare_over_engine", ("bare", "engine"))):
        if over in figures and under in figures:
            print(f"scan ratio assets={count} {name}_p50={figures[over][0] / figures[under][0]:.2f} "
                  f"{name}_p99={figures[over][1] / figures[under][1]:.2f}")
    engine.close()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
