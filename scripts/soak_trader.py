#!/usr/bin/env python3
"""The trader loop and the verdict of scripts/soak.sh (plain standard library).

    soak_trader.py trade HOST PORT SECONDS OUT.jsonl [--interval-ms 50] [--first-bar 1] [--timeout-s 2]
                         [--max-steps N]
    soak_trader.py summary --steps OUT.jsonl [--warmup WARMUP.jsonl] --events EVENTS --wrk WRK.txt
                           --metrics METRICS.txt --rss RSS.txt --load-started UNIX_TIME
                           --rss-after-s 5 --deadline-ms 250 --assets N [--grace-s 1]

`trade` runs the loop a trader runs once per scan, every --interval-ms on a fixed schedule
over one keep-alive connection: POST /step/N, then GET /bars/N, with N increasing by one
each time (stopping early after --max-steps bars when it is above 0; --interval-ms 0 steps
back to back). Every request's status, wall time and the step's `duration_ms`, `computed` and
`replayed` go to OUT.jsonl, one line per bar (`t` is the Unix time the POST was sent). A
request that gets no answer (timeout, reset) is recorded with its error, the connection
is reopened and the loop goes on with the next bar.

`summary` reads what soak.sh collected and prints the summary; exit status 1 when any
failure condition holds (listed in the summary's last lines).
"""
import http.client
import json
import math
import re
import sys
import time
from collections import Counter


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def parse_flags(args, defaults):
    values = dict(defaults)
    while args:
        flag = args.pop(0)
        key = flag.lstrip("-").replace("-", "_")
        if not flag.startswith("--") or key not in values or not args:
            raise SystemExit(f"soak_trader: bad flag {flag}")
        values[key] = type(defaults[key])(args.pop(0)) if defaults[key] is not None else args.pop(0)
    return values


# --- trade ----------------------------------------------------------------------------------------

def request(connection, method, path, timeout_s):
    """(status, body, elapsed_ms, error); status None when no answer arrived."""
    started = time.perf_counter()
    try:
        connection.request(method, path, headers={"Content-Length": "0"} if method == "POST" else {})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, (time.perf_counter() - started) * 1000, None
    except (OSError, http.client.HTTPException) as error:
        return None, b"", (time.perf_counter() - started) * 1000, f"{type(error).__name__}: {error}"


def trade(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, seconds, out = argv[0], int(argv[1]), float(argv[2]), argv[3]
    flags = parse_flags(argv[4:], {"interval_ms": 50.0, "first_bar": 1, "timeout_s": 2.0, "max_steps": 0})
    interval = flags["interval_ms"] / 1000
    timeout_s = flags["timeout_s"]

    def connect():
        return http.client.HTTPConnection(host, port, timeout=timeout_s)

    connection = connect()
    bar = flags["first_bar"]
    started = time.monotonic()
    next_at = started
    late = 0
    with open(out, "w") as sink:
        while time.monotonic() - started < seconds:
            if flags["max_steps"] and bar - flags["first_bar"] >= flags["max_steps"]:
                break
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            elif interval and now - next_at > interval:
                late += 1
                next_at = now  # behind schedule by more than a period: do not burst to catch up
            next_at += interval

            record = {"bar": bar, "t": time.time()}
            status, body, elapsed, error = request(connection, "POST", f"/step/{bar}", timeout_s)
            record.update(post_status=status, post_ms=round(elapsed, 3))
            if error:
                record["post_error"] = error
            elif status == 200:
                try:
                    report = json.loads(body)
                    record.update(duration_ms=report["duration_ms"], computed=report["computed"],
                                  requested=report["requested"], replayed=report["replayed"],
                                  answered_bar=report["bar"])
                except (ValueError, KeyError) as problem:
                    record["post_error"] = f"bad body: {problem}: {body[:200]!r}"
            else:
                record["post_body"] = body[:300].decode("utf-8", "replace")
            if error:
                connection.close()
                connection = connect()

            status, body, elapsed, error = request(connection, "GET", f"/bars/{bar}", timeout_s)
            record.update(get_status=status, get_ms=round(elapsed, 3))
            if error:
                record["get_error"] = error
                connection.close()
                connection = connect()
            elif status == 200:
                try:
                    record["bars_assets"] = len(json.loads(body)["assets"])
                except (ValueError, KeyError, TypeError) as problem:
                    record["get_error"] = f"bad body: {problem}: {body[:200]!r}"
            else:
                record["get_body"] = body[:300].decode("utf-8", "replace")
            sink.write(json.dumps(record) + "\n")
            bar += 1
    connection.close()
    print(f"trader bars={bar - flags['first_bar']} late_ticks={late}", file=sys.stderr)
    return 0


# --- summary --------------------------------------------------------------------------------------

def read_metrics(path):
    """{name_with_labels: value} of a Prometheus text page."""
    values = {}
    with open(path) as source:
        for line in source:
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            try:
                values[name] = float(value)
            except ValueError:
                pass
    return values


def read_events(path):
    """Member stops, restarts and the service's reconnections: [(time, kind, index)]."""
    events = []
    with open(path) as source:
        for line in source:
            parts = line.split()
            if len(parts) == 3:
                events.append((float(parts[0]), parts[1], int(parts[2])))
    return events


def read_wrk(path):
    text = open(path).read()
    line = re.search(r"^soak-wrk (.*)$", text, re.M)
    if not line:
        return None, text
    fields = dict(item.split("=", 1) for item in line.group(1).split())
    statuses = Counter()
    if fields.get("statuses"):
        for pair in fields["statuses"].split(","):
            code, count = pair.split(":")
            statuses[int(code)] += int(count)
    return {
        "requests": int(fields["requests"]),
        "seconds": int(fields["duration_us"]) / 1e6,
        "statuses": statuses,
        "socket_errors": {key: int(fields[key]) for key in ("connect", "read", "write", "timeout")},
        "p99_ms": float(fields["p99_us"]) / 1000,
        "max_ms": float(fields["max_us"]) / 1000,
    }, text


def summary(argv):
    flags = parse_flags(argv, {"steps": "", "warmup": "", "events": "", "wrk": "", "metrics": "", "rss": "",
                               "rss_after_s": 5.0, "deadline_ms": 250.0, "assets": 0, "grace_s": 1.0,
                               "load_started": 0.0})
    deadline = flags["deadline_ms"]
    over_limit = deadline + 10
    steps = [json.loads(line) for line in open(flags["steps"]) if line.strip()]
    warmup = [json.loads(line) for line in open(flags["warmup"]) if line.strip()] if flags["warmup"] else []
    events = read_events(flags["events"])
    metrics = read_metrics(flags["metrics"])
    wrk, wrk_text = read_wrk(flags["wrk"])
    failures = []

    # Member-down windows: from the SIGTERM to the service's reconnection plus a grace period.
    windows = []
    for index in sorted({i for _, kind, i in events if kind == "member_down"}):
        down = next(t for t, kind, i in events if kind == "member_down" and i == index)
        up = next((t for t, kind, i in events if kind == "member_up" and i == index), None)
        back = next((t for t, kind, i in events if kind == "source_reconnected" and i == index), None)
        if back is None:
            failures.append(f"the service did not reconnect after member restart {index}")
        end = (back if back is not None else math.inf) + flags["grace_s"]
        refilled = next((r["t"] for r in steps if up is not None and r["t"] >= up
                         and r.get("computed") is not None and r["computed"] == r["requested"]), None)
        windows.append({"index": index, "down": down, "up": up, "back": back, "end": end, "refilled": refilled})

    def inside(record):
        return any(w["down"] <= record["t"] <= w["end"] for w in windows)

    # Trader: statuses, lost steps, deadlines.
    statuses = Counter()
    no_answer = Counter()
    lost = []
    everything = warmup + steps
    for record in everything:
        for kind in ("post", "get"):
            if record.get(f"{kind}_status") is None:
                no_answer[kind] += 1
            else:
                statuses[record[f"{kind}_status"]] += 1
        ok = (record.get("post_status") == 200 and "post_error" not in record
              and record.get("answered_bar") == record["bar"] and record.get("replayed") is False)
        if not ok:
            lost.append(record)
    get_bad = [r for r in everything if r.get("get_status") != 200 or "get_error" in r
               or r.get("bars_assets") != flags["assets"]]
    timed = [r for r in everything if "duration_ms" in r]
    over_in = [r for r in timed if r["duration_ms"] > over_limit and inside(r)]
    over_out = [r for r in timed if r["duration_ms"] > over_limit and not inside(r)]
    empty_in = sum(1 for r in timed if r["computed"] == 0 and inside(r))
    empty_out = sum(1 for r in timed if r["computed"] == 0 and not inside(r))
    partial_out = sum(1 for r in timed if 0 < r["computed"] < r["requested"] and not inside(r))
    max_in = max((r["duration_ms"] for r in timed if inside(r)), default=0.0)
    max_out = max((r["duration_ms"] for r in timed if not inside(r)), default=0.0)
    post_ms = sorted(r["post_ms"] for r in steps if r.get("post_status") is not None)
    steps_total = int(metrics.get("obf_steps_total", -1))
    sent = len(everything)
    if steps_total != sent:
        failures.append(f"steps sent {sent} != obf_steps_total {steps_total}")
    last_full = next((r for r in reversed(timed) if r["computed"] == r["requested"]), None)
    if timed and timed[-1]["computed"] != timed[-1]["requested"]:
        failures.append(f"the last step computed {timed[-1]['computed']} of {timed[-1]['requested']} assets")

    # The service's own count of answers by status (every client, including the metric polls).
    served_by_status = Counter()
    for name, value in metrics.items():
        match = re.match(r'obf_http_requests_total\{.*status="(\d+)"\}', name)
        if match:
            served_by_status[int(match.group(1))] += int(value)

    # Memory: the first sample taken rss_after_s into the load, and the last one.
    samples = [(float(t), int(kib)) for t, kib in (line.split() for line in open(flags["rss"]) if line.strip())]
    load_started = flags["load_started"]
    warm = [s for s in samples if s[0] >= load_started + flags["rss_after_s"]]
    rss_start = warm[0][1] if warm else None
    rss_end = samples[-1][1] if samples else None
    rss_max = max((kib for t, kib in warm), default=None)
    ratio = rss_end / rss_start if rss_start and rss_end else math.nan

    all_statuses = Counter(statuses)
    if wrk:
        all_statuses.update(wrk["statuses"])
    errors = {code: count for code, count in sorted(all_statuses.items()) if code != 200}
    fives = sum(count for code, count in all_statuses.items() if code >= 500)
    fives_server = sum(count for code, count in served_by_status.items() if code >= 500)
    socket_errors = sum(wrk["socket_errors"].values()) if wrk else 0

    if wrk is None:
        failures.append("wrk did not report (see the wrk output)")
    if fives or fives_server:
        failures.append(f"5xx answers: {fives} seen by the clients, {fives_server} counted by the service")
    if lost:
        failures.append(f"{len(lost)} lost steps")
    if over_out:
        failures.append(f"{len(over_out)} steps over the deadline outside member-down windows")
    if get_bad:
        failures.append(f"{len(get_bad)} GET /bars answers missing, not 200 or without every asset")
    if errors or socket_errors or no_answer:
        failures.append("requests without a 200 answer (see errors)")
    if rss_start is None or rss_end is None:
        failures.append("no resident memory samples")
    elif rss_end > 1.10 * rss_start:
        failures.append(f"resident memory grew {100 * (ratio - 1):.1f} % (over 10 %)")

    trader_answered = sum(statuses.values())
    wrk_answered = sum(wrk["statuses"].values()) if wrk else 0
    seconds = (steps[-1]["t"] - steps[0]["t"]) if len(steps) > 1 else 0.0
    out = []
    row = lambda name, value: out.append(f"{name:<48} {value}")
    out.append("")
    out.append(f"obf soak — {seconds:.0f} s of load, {flags['assets']} assets, step deadline {deadline:.0f} ms")
    row("requests served (answered)", f"{trader_answered + wrk_answered} "
        f"(trader {trader_answered}: {sent} POST /step + {sent} GET /bars; wrk GET /features {wrk_answered})")
    if wrk:
        row("wrk GET /features", f"{wrk['requests'] / wrk['seconds']:.0f} req/s, p99 {wrk['p99_ms']:.2f} ms, "
            f"max {wrk['max_ms']:.2f} ms")
    row("errors by status (clients)", ", ".join(f"{c}: {n}" for c, n in errors.items()) or "none")
    row("requests without an answer", f"trader POST {no_answer['post']}, GET {no_answer['get']}; wrk socket "
        + (", ".join(f"{k} {v}" for k, v in wrk["socket_errors"].items()) if wrk else "?"))
    row("5xx", f"{fives} (clients), {fives_server} (service's obf_http_requests_total)")
    row("answers by status (service's count)", ", ".join(f"{c}: {n}" for c, n in sorted(served_by_status.items())))
    row("steps sent / obf_steps_total", f"{sent} / {steps_total} ({len(warmup)} warm-up + {len(steps)} under load)")
    row("lost steps", f"{len(lost)}")
    row(f"steps over deadline (> {over_limit:.0f} ms) inside / outside down windows",
        f"{len(over_in)} / {len(over_out)}")
    row("max duration_ms inside / outside down windows", f"{max_in:.3f} / {max_out:.3f}")
    row("POST /step wall time p50 / p99 / max (client)",
        f"{percentile(post_ms, 0.5):.2f} / {percentile(post_ms, 0.99):.2f} / {(post_ms[-1] if post_ms else math.nan):.2f} ms")
    row("empty steps (computed 0) inside / outside windows", f"{empty_in} / {empty_out} (outside: the map "
        "is empty until the producer reconnects)")
    row("partial steps outside windows", f"{partial_out}")
    for w in windows:
        back = f"{w['back'] - w['up']:.1f} s after restart" if w["back"] and w["up"] else "never"
        refilled = f"{w['refilled'] - w['up']:.1f} s after restart" if w["refilled"] and w["up"] else "never"
        row(f"member stop {w['index']}", f"at +{w['down'] - load_started:.1f} s, down "
            f"{(w['up'] - w['down']) if w['up'] else math.nan:.1f} s, service reconnected {back}, "
            f"first full step {refilled}")
    row("reconnects (obf_source_reconnects_total)", f"{int(metrics.get('obf_source_reconnects_total', -1))}")
    row("last step computing every asset", f"bar {last_full['bar']}" if last_full else "none")
    row(f"RSS start (+{flags['rss_after_s']:.0f} s) / end / max", f"{rss_start} / {rss_end} / {rss_max} KiB")
    row("RSS end/start", f"{ratio:.3f}")
    if lost:
        out.append("lost steps (first 5): " + "; ".join(json.dumps(r) for r in lost[:5]))
    if over_out:
        out.append("over deadline outside windows (first 5): " + "; ".join(json.dumps(r) for r in over_out[:5]))
    if get_bad:
        out.append("bad GET /bars (first 5): " + "; ".join(json.dumps(r) for r in get_bad[:5]))
    out.append("result: " + ("PASS" if not failures else "FAIL"))
    out.extend(f"  - {failure}" for failure in failures)
    print("\n".join(out))
    return 1 if failures else 0


def main(argv):
    if len(argv) < 2 or argv[1] not in ("trade", "summary"):
        print(__doc__, file=sys.stderr)
        return 2
    return trade(argv[2:]) if argv[1] == "trade" else summary(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
