#!/usr/bin/env bash
# What --record-dir costs, run on demand (never by the tests or CI). See bench/README.md.
#
#   bench/record.sh
#
# For 500 mock assets (5-level books), in the same run, alternating: POST /step without a
# record, and with --record-dir (every step recorded). Then the record those runs wrote: its
# bytes per asset-step on disk (segments compressed) and a day of 500 assets stepped every 5 s
# projected from it, and `obf replay` of it (asset-steps per second, output to /dev/null).
#
# Environment:
#   BENCH_STEPS        timed sequential POST /step calls per server (default 1000)
#   BENCH_ROUNDS       alternating rounds of the two servers (default 3)
#   BENCH_PACE_MS      a step starts every N ms, a trader's cadence compressed 100 times (default 50;
#                      0: back to back)
#   BENCH_REPLAYS      replays of the record (default 3)
#   BENCH_SKIP_BUILD   set to 1 to use the release binaries already built
#   BENCH_OUT          where raw outputs go (default bench/out/record-<timestamp>, git-ignored)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
STEPS="${BENCH_STEPS:-1000}"
ROUNDS="${BENCH_ROUNDS:-3}"
REPLAYS="${BENCH_REPLAYS:-3}"
PACE="${BENCH_PACE_MS:-50}"
COUNT=500
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
bench_run record

assets="$(seq -f 'A%g' -s, 1 "$COUNT")"
declare -A P50 P99 SERVER
RECORDS=()
for round in $(seq "$ROUNDS"); do
    for mode in plain recorded; do
        say "$COUNT assets, round $round: POST /step, $mode"
        flags=(--assets "$assets")
        if [[ "$mode" == recorded ]]; then
            RECORDS+=("$OUT/record-$round")
            flags+=(--record-dir "$OUT/record-$round")
        fi
        if ! start_obf "$OUT/obf-$mode-$round.log" "$OBF" "${flags[@]}"; then
            skip_part "$mode round $round: obf did not start"
            continue
        fi
        file="$OUT/steps-$mode-$round.txt"
        "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" --pace-ms "$PACE" | tee "$file" >&2
        P50[$mode]+="$(field "$file" steps p50_ms) "
        P99[$mode]+="$(field "$file" steps p99_ms) "
        SERVER[$mode]+="$(field "$file" steps server_ms_p50) "
        stop_pid "$SERVER_PID"
    done
done

# The record on disk: every segment compressed once its server stopped (the index lists them).
BYTES=""
for record in "${RECORDS[@]}"; do
    steps="$(cat "$record"/*/index.jsonl | "$PYTHON" -c 'import json,sys; print(sum(json.loads(l)["steps"] for l in sys.stdin))')"
    bytes="$(find "$record" -name '*.obfrec.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')"
    BYTES+="$("$PYTHON" -c "print(f'{$bytes / ($steps * $COUNT):.1f}')") "
done

# The producer's books as the service reads them in listen mode: `obf push` writing 500 assets'
# 5-level books (with depths, _push_seq and _pushed_at) to a test member every 100 ms.
PRODUCER_RAW=""
PRODUCER_BYTES=""
PRODUCER_STEPS="${BENCH_PRODUCER_STEPS:-300}"
start_member "$HZ_MEMBER" "$(free_port)"
member="127.0.0.1:$MEMBER_PORT"
start_pusher "$member" "$assets" "$OUT/push.log" --log-level warning
say "$COUNT assets from obf push through the live view: $PRODUCER_STEPS steps recorded"
if start_obf "$OUT/obf-producer.log" "$OBF" --source hazelcast --hz-members "$member" --hz-read listen \
       --assets "$assets" --record-dir "$OUT/record-producer" \
   && wait_hz_ready "$OBF" "$member" "$assets" "$OUT/probe.txt"; then
    "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$PRODUCER_STEPS" --pace-ms "$PACE" \
        | tee "$OUT/steps-producer.txt" >&2
    stop_pid "$SERVER_PID"
    steps="$(cat "$OUT"/record-producer/*/index.jsonl | "$PYTHON" -c 'import json,sys; print(sum(json.loads(l)["steps"] for l in sys.stdin))')"
    raw=0
    for segment in "$OUT"/record-producer/*/*.obfrec.gz; do raw=$((raw + $(gzip -dc "$segment" | wc -c))); done
    bytes="$(find "$OUT/record-producer" -name '*.obfrec.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')"
    PRODUCER_RAW="$("$PYTHON" -c "print(f'{$raw / ($steps * $COUNT):.1f}')")"
    PRODUCER_BYTES="$("$PYTHON" -c "print(f'{$bytes / ($steps * $COUNT):.1f}')")"
else
    skip_part "the producer's books: the service did not get ready"
fi
stop_pid "$PUSH_PID"
stop_pid "$MEMBER_PID"

REPLAY_RATE=""
record="${RECORDS[0]}"
for run in $(seq "$REPLAYS"); do
    say "obf replay of $record, run $run"
    start_ns="$(date +%s%N)"
    "$OBF" replay --record-dir "$record" --out /dev/null 2> "$OUT/replay-$run.txt"
    end_ns="$(date +%s%N)"
    cat "$OUT/replay-$run.txt" >&2
    asset_steps="$(sed -n 's/.*(\([0-9]*\) asset-steps).*/\1/p' "$OUT/replay-$run.txt" | head -1)"
    REPLAY_RATE+="$("$PYTHON" -c "print(round($asset_steps / (($end_ns - $start_ns) / 1e9)))") "
done

{
    summary_table "obf record bench ($COUNT assets, $STEPS steps a round, one every $PACE ms)" 56 30 "figure (each round)" values
    for mode in plain recorded; do
        row "POST /step, $mode: p50" "${P50[$mode]}" "ms"
        row "POST /step, $mode: p99" "${P99[$mode]}" "ms"
        row "POST /step, $mode: server duration_ms p50" "${SERVER[$mode]}" "ms"
    done
    row "recorded / plain p50 (round by round)" "$(ratios "${P50[recorded]}" "${P50[plain]}")" ""
    row "recorded / plain p99 (round by round)" "$(ratios "${P99[recorded]}" "${P99[plain]}")" ""
    row "mock books: record per asset-step, compressed" "$BYTES" "bytes"
    if [[ -n "$PRODUCER_BYTES" ]]; then
        row "obf push's books (listen): per asset-step, raw" "$PRODUCER_RAW" "bytes"
        row "obf push's books (listen): per asset-step, compressed" "$PRODUCER_BYTES" "bytes"
        row "a day of 500 assets every 5 s (8.64 M asset-steps)" \
            "$("$PYTHON" -c "print(f'{$PRODUCER_BYTES * 8.64e6 / 1e9:.2f} ({$PRODUCER_RAW * 8.64e6 / 1e9:.2f} raw)')")" "GB"
    fi
    row "obf replay (whole run, incl. start)" "$REPLAY_RATE" "asset-steps/s"
    for part in "${SKIPPED[@]}"; do printf 'skipped: %s\n' "$part"; done
} | tee "$OUT/summary.txt"
