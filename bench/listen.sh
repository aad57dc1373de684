#!/usr/bin/env bash
# The live view against a fetch per step, run on demand (never by the tests or CI). See bench/README.md.
#
#   bench/listen.sh
#
# For 50 and 500 assets, with `obf push` writing every asset every 100 ms into one test member,
# in the same run: POST /step with --hz-read fetch, with --hz-read listen, and on the mock source
# (no I/O at all: the floor); the official Python client reading the same member (one get per
# asset, and get_all); and the CPU the listen-mode service spends on the events.
#
# Environment:
#   BENCH_STEPS        timed sequential POST /step calls per server (default 2000)
#   BENCH_PY_ROUNDS    rounds of the Python client's reads per asset count (default 30)
#   BENCH_CPU_SECONDS  length of each idle CPU measurement (default 20)
#   BENCH_HANG_SECONDS how long the member is stopped (SIGSTOP) in the hung-member run (default 45)
#   BENCH_SKIP_BUILD   set to 1 to use the release binaries already built
#   BENCH_OUT          where raw outputs go (default bench/out/listen-<timestamp>, git-ignored)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
STEPS="${BENCH_STEPS:-2000}"
PY_ROUNDS="${BENCH_PY_ROUNDS:-30}"
CPU_SECONDS="${BENCH_CPU_SECONDS:-20}"
HANG_SECONDS="${BENCH_HANG_SECONDS:-45}"
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
bench_run listen
VENV_PYTHON="$REPO/.venv/bin/python"
[[ -x "$VENV_PYTHON" ]] || die "no $VENV_PYTHON with hazelcast-python-client: run bash scripts/test.sh once"

# CPU seconds (user + system) of PID so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }

declare -A P50 P99
for count in 50 500; do
    assets="$(seq -f 'A%g' -s, 1 "$count")"
    say "$count assets: member, obf push every 100 ms"
    start_member "$HZ_MEMBER" "$(free_port)"
    member="127.0.0.1:$MEMBER_PORT"
    start_pusher "$member" "$assets" "$OUT/push-$count.log" --log-level warning
    for mode in mock fetch listen; do
        say "$count assets: POST /step, $mode"
        if [[ "$mode" == mock ]]; then
            start_obf "$OUT/obf-$mode-$count.log" "$OBF" --assets "$assets" \
                || { skip_part "POST /step $count assets, $mode (obf serve did not start)"; continue; }
        elif ! { start_obf "$OUT/obf-$mode-$count.log" "$OBF" --source hazelcast --hz-members "$member" \
                     --assets "$assets" --hz-read "$mode" \
                 && wait_hz_ready "$OBF" "$member" "$assets" "$OUT/probe.txt"; }; then
            skip_part "POST /step $count assets, $mode (not ready: see above)"
            stop_pid "$SERVER_PID"
            continue
        fi
        if [[ "$mode" != mock ]]; then
            # Idle (no steps) while the producer writes: the CPU the events cost in listen mode,
            # beside the same process in fetch mode, which receives none.
            before="$(cpu_seconds "$SERVER_PID")"
            sleep "$CPU_SECONDS"
            after="$(cpu_seconds "$SERVER_PID")"
            awk -v a="$before" -v b="$after" -v s="$CPU_SECONDS" 'BEGIN { printf "cpu seconds_per_minute=%.3f\n", (b - a) * 60 / s }' \
                >"$OUT/cpu-$mode-$count.txt"
            cat "$OUT/cpu-$mode-$count.txt" >&2
        fi
        "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" | tee "$OUT/steps-$mode-$count.txt" >&2
        P50[$mode-$count]="$(field "$OUT/steps-$mode-$count.txt" steps p50_ms)"
        P99[$mode-$count]="$(field "$OUT/steps-$mode-$count.txt" steps p99_ms)"
        stop_pid "$SERVER_PID"
    done
    say "$count assets: the official Python client, one get per asset and get_all, $PY_ROUNDS rounds"
    "$VENV_PYTHON" "$REPO/bench/python_reads.py" "$member" "$assets" "$PY_ROUNDS" | tee "$OUT/python-$count.txt" >&2
    stop_pid "$PUSH_PID"
    stop_pid "$MEMBER_PID"
done

# A member that hangs: 500 assets stepped every 50 ms (deadline 250 ms) while the producer
# writes; 5 s in, the member is stopped (SIGSTOP) for BENCH_HANG_SECONDS, long enough for the
# writes of a fetch-mode service to fill the socket buffers, then continued (SIGCONT).
declare -A HANG
assets="$(seq -f 'A%g' -s, 1 500)"
start_member "$HZ_MEMBER" "$(free_port)"
member="127.0.0.1:$MEMBER_PORT"
start_pusher "$member" "$assets" "$OUT/push-hang.log" --log-level warning
hang_member() { kill -STOP "$MEMBER_PID"; }
resume_member() { kill -CONT "$MEMBER_PID"; }
for mode in fetch listen; do
    say "member hung for ${HANG_SECONDS} s: 500 assets, $mode, a step every 50 ms"
    if ! { start_obf "$OUT/obf-hang-$mode.log" "$OBF" --source hazelcast --hz-members "$member" --assets "$assets" \
               --hz-read "$mode" --step-deadline-ms 250 \
           && wait_hz_ready "$OBF" "$member" "$assets" "$OUT/probe.txt"; }; then
        skip_part "member hung, $mode (not ready: see above)"
        stop_pid "$SERVER_PID"
        continue
    fi
    outage_run "$OUT/hang-$mode.txt" "$((HANG_SECONDS + 15))" hang_member "$HANG_SECONDS" resume_member
    HANG[$mode]="$OUT/hang-$mode.txt"
    stop_pid "$SERVER_PID"
done
stop_pid "$PUSH_PID"
stop_pid "$MEMBER_PID"

{
    summary_table "obf listen bench" 64 12
    for count in 50 500; do
        for mode in mock fetch listen; do
            row "POST /step $count assets, $mode: p50" "${P50[$mode-$count]:-}" "ms"
            row "POST /step $count assets, $mode: p99" "${P99[$mode-$count]:-}" "ms"
        done
        py="$OUT/python-$count.txt"
        row "Python client, $count x get: p50" "$(field "$py" python_reads get_p50_ms)" "ms"
        row "Python client, $count x get: p99" "$(field "$py" python_reads get_p99_ms)" "ms"
        row "Python client, get_all of $count: p50" "$(field "$py" python_reads get_all_p50_ms)" "ms"
        row "Python client, get_all of $count: p99" "$(field "$py" python_reads get_all_p99_ms)" "ms"
        row "listen step p50 / mock step p50, $count assets" "$(ratio "${P50[listen-$count]:-}" "${P50[mock-$count]:-}")" "x"
        row "fetch step p50 / listen step p50, $count assets" "$(ratio "${P50[fetch-$count]:-}" "${P50[listen-$count]:-}")" "x"
        row "Python get loop p50 / listen step p50, $count assets" \
            "$(ratio "$(field "$py" python_reads get_p50_ms)" "${P50[listen-$count]:-}")" "x"
        row "Python get_all p50 / listen step p50, $count assets" \
            "$(ratio "$(field "$py" python_reads get_all_p50_ms)" "${P50[listen-$count]:-}")" "x"
        row "service CPU idle, listen (events of $count assets at 10/s)" "$(field "$OUT/cpu-listen-$count.txt" cpu seconds_per_minute)" "s/min"
        row "service CPU idle, fetch (no events)" "$(field "$OUT/cpu-fetch-$count.txt" cpu seconds_per_minute)" "s/min"
    done
    for mode in fetch listen; do
        h="${HANG[$mode]:-/dev/null}"
        row "member hung ${HANG_SECONDS} s, $mode: steps sent (every 50 ms)" "$(field "$h" restart steps)" "steps"
        row "  max duration_ms (deadline 250 ms)" "$(field "$h" restart max_duration_ms)" "ms"
        row "  longest POST /step seen by the client" "$(field "$h" restart max_post_ms)" "ms"
        row "  steps over the deadline + 10 ms" "$(field "$h" restart over_deadline)" "steps"
    done
    for part in "${SKIPPED[@]}"; do echo "skipped: $part"; done
} | tee "$OUT/summary.txt"
