#!/usr/bin/env bash
# Two builds of obf side by side, run on demand (never by the tests or CI). See bench/README.md.
#
#   bench/compare.sh BEFORE AFTER        # two obf binaries, e.g. release builds of two revisions
#
# In alternating rounds (BEFORE, AFTER, BEFORE, ...), each on a fresh `obf serve` of 500 mock
# assets: sequential POST /step (p50, p99), then GET /features/A1/{bar} and GET /bars/{bar} with
# wrk (requests/s, p99); with BENCH_HZ_MEMBER, also sequential POST /step of the same assets read
# from a test member (`--source hazelcast`, BENCH_HZ_READ: fetch or listen). Prints every round's
# figures and AFTER/BEFORE per round and figure.
#
# Environment:
#   BENCH_HZ_MEMBER    an hz-test-member binary: adds the steps through the member
#   BENCH_HZ_READ      how the hazelcast source reads: fetch (default) or listen
#   BENCH_ROUNDS       rounds of each build (default 3)
#   BENCH_STEPS        timed sequential POST /step calls per round (default 1000)
#   BENCH_DURATION     each wrk run (default 10s)
#   BENCH_OUT          where raw outputs go (default bench/out/compare-<timestamp>, git-ignored)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
[[ $# -eq 2 && -x "$1" && -x "$2" ]] || { echo "usage: bench/compare.sh BEFORE-OBF AFTER-OBF" >&2; exit 64; }
declare -A BINARY=([before]="$1" [after]="$2")
ROUNDS="${BENCH_ROUNDS:-3}"
STEPS="${BENCH_STEPS:-1000}"
DURATION="${BENCH_DURATION:-10s}"
COUNT=500
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
OUT="${BENCH_OUT:-$REPO/bench/out/compare-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
PIDS=()
# shellcheck source=../scripts/lib/processes.sh
source "$REPO/scripts/lib/processes.sh"
trap stop_all EXIT
trap 'exit 130' INT TERM
PYTHON="$(command -v python3)"
require_wrk_nginx

FIGURES=(STEP50 STEP99 FEAT FEAT99 BARS BARS99)
declare -A HZ50 HZ99
if [[ -n "${BENCH_HZ_MEMBER:-}" ]]; then
    FIGURES+=(HZ50 HZ99)
    start_member "$BENCH_HZ_MEMBER" "$(free_port)"
    # One push of every asset's book (the `after` binary pushes for both builds).
    "${BINARY[after]}" push --hz-members "127.0.0.1:$MEMBER_PORT" --assets "$(seq -f 'A%g' -s, 1 500)" --count 1 \
        >"$OUT/push.log" 2>&1 || die "obf push failed (see $OUT/push.log)"
fi

assets="$(seq -f 'A%g' -s, 1 "$COUNT")"
declare -A STEP50 STEP99 FEAT FEAT99 BARS BARS99
for round in $(seq "$ROUNDS"); do
    for build in before after; do
        say "round $round/$ROUNDS: $build (${BINARY[$build]})"
        start_obf "$OUT/obf-$build-$round.log" "${BINARY[$build]}" --assets "$assets" \
            || die "$build: obf serve did not start"
        file="$OUT/steps-$build-$round.txt"
        "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" | tee "$file" >&2
        STEP50[$build]+="$(field "$file" steps p50_ms) "
        STEP99[$build]+="$(field "$file" steps p99_ms) "
        bar="$(( 1000000 + 50 + STEPS - 1 ))"  # the last bar step_latency.py stepped (its first bar, warm-up)
        run_wrk "features-$build-$round" "http://127.0.0.1:$SERVER_PORT/features/A1/$bar"
        FEAT[$build]+="$WRK_RPS "; FEAT99[$build]+="$WRK_P99_MS "
        run_wrk "bars-$build-$round" "http://127.0.0.1:$SERVER_PORT/bars/$bar"
        BARS[$build]+="$WRK_RPS "; BARS99[$build]+="$WRK_P99_MS "
        stop_pid "$SERVER_PID"
        [[ -n "${BENCH_HZ_MEMBER:-}" ]] || continue
        # The books were pushed once, long ago: fresh for the whole run.
        start_obf "$OUT/obf-hz-$build-$round.log" "${BINARY[$build]}" --assets "$assets" --source hazelcast \
            --hz-members "127.0.0.1:$MEMBER_PORT" --hz-read "${BENCH_HZ_READ:-fetch}" --max-snapshot-age-s 86400 \
            || die "$build: obf serve --source hazelcast did not start"
        wait_hz_ready "${BINARY[$build]}" "127.0.0.1:$MEMBER_PORT" "$assets" "$OUT/probe-$build-$round.txt" \
            --max-snapshot-age-s 86400 || die "$build: the service never found the member's books ready"
        file="$OUT/hz-steps-$build-$round.txt"
        "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" | tee "$file" >&2
        HZ50[$build]+="$(field "$file" steps p50_ms) "
        HZ99[$build]+="$(field "$file" steps p99_ms) "
        stop_pid "$SERVER_PID"
    done
done

{
    echo "figure                     before (by round)            after (by round)             after/before"
    for figure in "${FIGURES[@]}"; do
        declare -n values="$figure"
        printf '%-26s %-28s %-28s %s\n' "$figure" "${values[before]}" "${values[after]}" \
            "$(ratios "${values[after]}" "${values[before]}")"
    done
    echo "(STEP50/STEP99: POST /step of $COUNT assets, ms; FEAT/BARS: GET /features and /bars, requests/s;"
    echo " FEAT99/BARS99: their p99, ms; HZ50/HZ99: POST /step read from the member, ms)"
} | tee "$OUT/summary.txt"
