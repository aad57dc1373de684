#!/usr/bin/env bash
# What --state-map adds to a step, run on demand (never by the tests or CI). See bench/README.md.
#
#   bench/replication.sh
#
# For 50 and 500 mock assets, in the same run: POST /step without a state map, and with
# --state-map on one test member (each step written to the map before it is answered).
#
# Environment:
#   BENCH_STEPS        timed sequential POST /step calls per server (default 2000)
#   BENCH_ROUNDS       alternating rounds of the two servers per asset count (default 2)
#   BENCH_SKIP_BUILD   set to 1 to use the release binaries already built
#   BENCH_OUT          where raw outputs go (default bench/out/replication-<timestamp>, git-ignored)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
STEPS="${BENCH_STEPS:-2000}"
ROUNDS="${BENCH_ROUNDS:-2}"
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
bench_run replication

start_member "$HZ_MEMBER" "$(free_port)"
member="127.0.0.1:$MEMBER_PORT"
declare -A P50 P99 SERVER
for count in 50 500; do
    assets="$(seq -f 'A%g' -s, 1 "$count")"
    for round in $(seq "$ROUNDS"); do
        for mode in local replicated; do
            say "$count assets, round $round: POST /step, $mode"
            flags=(--assets "$assets")
            [[ "$mode" == replicated ]] && flags+=(--hz-members "$member" --state-map OBF_STATE --engine-id "bench-$count-$round")
            start_obf "$OUT/obf-$mode-$count-$round.log" "$OBF" "${flags[@]}"
            file="$OUT/steps-$mode-$count-$round.txt"
            "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" | tee "$file" >&2
            P50[$mode-$count]+="$(field "$file" steps p50_ms) "
            P99[$mode-$count]+="$(field "$file" steps p99_ms) "
            SERVER[$mode-$count]+="$(field "$file" steps server_ms_p50) "
            stop_pid "$SERVER_PID"
        done
    done
done

{
    summary_table "obf replication bench" 56 24 "figure (each round)" values
    for count in 50 500; do
        for mode in local replicated; do
            row "POST /step $count assets, $mode: p50" "${P50[$mode-$count]}" "ms"
            row "POST /step $count assets, $mode: p99" "${P99[$mode-$count]}" "ms"
            row "POST /step $count assets, $mode: server duration_ms p50" "${SERVER[$mode-$count]}" "ms"
        done
    done
} | tee "$OUT/summary.txt"
