#!/usr/bin/env bash
# Benchmarks of obf, run on demand (never by the tests or CI). See bench/README.md.
#
#   bench/run.sh
#
# Environment:
#   BENCH_DURATION    wrk duration per server (default 10s)
#   BENCH_ROUNDS      alternating obf/nginx wrk rounds, the best of each reported (default 2)
#   BENCH_STEPS       timed sequential POST /step calls per asset count (default 2000)
#   BENCH_HZ_ROUNDS   rounds of getAll and of the Map.Get loop per asset count (default 200)
#   BENCH_HZ_STEP_ROUNDS  runs of BENCH_STEPS steps through the member per asset count; the
#                     median p50 and the worst p99 are reported (default 3)
#   BENCH_RESTART_SECONDS  length of the member-restart run, stepping every 50 ms (default 20)
#   BENCH_SCANS       timed trader scans per run and way (LiveOBFeatureEngine, bare POST /step, bare http.client) (default 1000)
#   BENCH_SCAN_RUNS   runs of BENCH_SCANS scans per asset count (default 3)
#   BENCH_SKIP_BUILD  set to 1 to use the release binaries already built
#   BENCH_OUT         where raw outputs go (default bench/out/<timestamp>, git-ignored)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
DURATION="${BENCH_DURATION:-10s}"
ROUNDS="${BENCH_ROUNDS:-2}"
STEPS="${BENCH_STEPS:-2000}"
HZ_ROUNDS="${BENCH_HZ_ROUNDS:-200}"
HZ_STEP_ROUNDS="${BENCH_HZ_STEP_ROUNDS:-3}"
SCANS="${BENCH_SCANS:-1000}"
SCAN_RUNS="${BENCH_SCAN_RUNS:-3}"
RESTART_SECONDS="${BENCH_RESTART_SECONDS:-20}"
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
bench_run
# A part that cannot get ready (a server that does not start, a member whose books the service
# never finds ready) is skipped with its reason, and the run goes on with the next part.
SKIPPED=()
skip_part() {
    printf 'bench: skipped %s\n' "$1" >&2
    SKIPPED+=("$1")
}
build_release obf-bench
OBF_BENCH="$BIN/obf-bench"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/obf-bench.XXXXXX")"
chmod 755 "$TMP"   # nginx's worker runs as an unprivileged user and must read the static file
cleanup() {
    stop_all
    rm -rf "$TMP"
}
trap cleanup EXIT

# --- tools ------------------------------------------------------------------------------------
require_wrk_nginx

# --- 1. GET /features keep-alive: obf beside nginx -------------------------------------------
say "GET /features/BTCUSDT/{bar}: obf beside nginx (1 worker, static file, same bytes)"
OBF_RPS=""; OBF_P99=""; NGINX_RPS=""; NGINX_P99=""; RATIO_RPS=""; RATIO_P99=""; OBF_GET_RSS=""
get_beside_nginx() {
GET_PID=$SERVER_PID
GET_PORT=$SERVER_PORT
BAR=5
for bar in $(seq 1 "$BAR"); do
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$GET_PORT/step/$bar")"
    [[ "$code" == 200 ]] || die "POST /step/$bar answered $code"
done
FEATURE_PATH="/features/BTCUSDT/$BAR"
mkdir -p "$TMP/www/features/BTCUSDT" "$TMP/nginx"
curl -sf -o "$TMP/www$FEATURE_PATH" "http://127.0.0.1:$GET_PORT$FEATURE_PATH"
chmod -R a+rX "$TMP/www"
grep -q '"source":"live"' "$TMP/www$FEATURE_PATH" || die "the features at bar $BAR are not live"
cp "$TMP/www$FEATURE_PATH" "$OUT/features-body.json"

start_nginx "$TMP/nginx" "$TMP/www" "$FEATURE_PATH" "$OUT/features-body.json"
cp "$TMP/nginx/nginx.conf" "$OUT/nginx.conf"

# Alternate the two servers for BENCH_ROUNDS rounds and keep each one's best round (highest
# requests/s, with that round's p99): background load on a 2-core machine then hurts both alike.
OBF_RPS=0; OBF_P99=""; NGINX_RPS=0; NGINX_P99=""
for round in $(seq 1 "$ROUNDS"); do
    say "round $round/$ROUNDS: obf"
    run_wrk "obf-$round" "http://127.0.0.1:$GET_PORT$FEATURE_PATH"
    if better "$WRK_RPS" "$OBF_RPS"; then OBF_RPS=$WRK_RPS; OBF_P99=$WRK_P99_MS; fi
    say "round $round/$ROUNDS: nginx"
    run_wrk "nginx-$round" "$NGINX_URL$FEATURE_PATH"
    if better "$WRK_RPS" "$NGINX_RPS"; then NGINX_RPS=$WRK_RPS; NGINX_P99=$WRK_P99_MS; fi
done
OBF_GET_RSS="$(rss_kib "$GET_PID")"
stop_pid "$GET_PID"
stop_pid "$NGINX_PID"
RATIO_RPS="$(awk -v a="$OBF_RPS" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f", a / b }')"
RATIO_P99="$(awk -v a="$OBF_P99" -v b="$NGINX_P99" 'BEGIN { printf "%.2f", a / b }')"
}
if start_obf "$OUT/obf-get.log" "$OBF"; then get_beside_nginx; else skip_part "GET /features beside nginx (obf serve did not start)"; fi

# --- 2. POST /step latency, 50 and 500 mock assets ---------------------------------------------
declare -A STEP_P50 STEP_P99 STEP_SERVER STEP_RSS
for count in 50 500; do
    say "POST /step/{bar}: $count mock assets, $STEPS sequential steps"
    start_obf "$OUT/obf-step$count.log" "$OBF" --assets "$(seq -f 'A%g' -s, 1 "$count")" \
        || { skip_part "POST /step, $count mock assets (obf serve did not start)"; continue; }
    "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" | tee "$OUT/steps-$count.txt" >&2
    STEP_P50[$count]="$(field "$OUT/steps-$count.txt" steps p50_ms)"
    STEP_P99[$count]="$(field "$OUT/steps-$count.txt" steps p99_ms)"
    STEP_SERVER[$count]="$(field "$OUT/steps-$count.txt" steps server_ms_p50)"
    STEP_RSS[$count]="$(rss_kib "$SERVER_PID")"
    stop_pid "$SERVER_PID"
done

# --- 2b. the trader's scan: LiveOBFeatureEngine beside bare http.client, 50 and 500 mock assets ----
# BENCH_SCAN_RUNS runs of BENCH_SCANS scans on one server per asset count, each run a new bar range;
# the median run's p50 and the worst run's p99 are reported, with every run's p99 beside them.
declare -A SCAN_ENGINE_P50 SCAN_ENGINE_P99 SCAN_ENGINE_P99_ALL SCAN_BARE_P50 SCAN_BARE_P99 SCAN_BARE_P99_ALL
declare -A SCAN_RATIO_P50 SCAN_RATIO_P99 SCAN_STEP_P50 SCAN_STEP_P99 SCAN_FLOOR_P50 SCAN_FLOOR_P99
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
scan_values() { sed -n "s/^scan method=$1 .* $2=\([0-9.]*\).*/\1/p" "$OUT/scan-$count.txt"; }   # METHOD FIELD
for count in 50 500; do
    say "trader scan: $count mock assets, $SCAN_RUNS runs of $SCANS scans each way"
    start_obf "$OUT/obf-scan$count.log" "$OBF" --assets "$(seq -f 'A%g' -s, 1 "$count")" \
        || { skip_part "trader scan, $count mock assets (obf serve did not start)"; continue; }
    : >"$OUT/scan-$count.txt"
    for run in $(seq "$SCAN_RUNS"); do
        PYTHONPATH="$REPO/clients/python/src" "$PYTHON" "$REPO/bench/trader_scan.py" 127.0.0.1 "$SERVER_PORT" \
            "$count" "$SCANS" --first-bar $((1000000 * run)) | tee -a "$OUT/scan-$count.txt" >&2
    done
    SCAN_ENGINE_P50[$count]="$(scan_values engine p50_ms | median)"
    SCAN_ENGINE_P99[$count]="$(scan_values engine p99_ms | sort -n | tail -1)"
    SCAN_ENGINE_P99_ALL[$count]="$(scan_values engine p99_ms | paste -sd/)"
    SCAN_BARE_P50[$count]="$(scan_values bare p50_ms | median)"
    SCAN_BARE_P99[$count]="$(scan_values bare p99_ms | sort -n | tail -1)"
    SCAN_BARE_P99_ALL[$count]="$(scan_values bare p99_ms | paste -sd/)"
    SCAN_STEP_P50[$count]="$(scan_values step p50_ms | median)"
    SCAN_STEP_P99[$count]="$(scan_values step p99_ms | sort -n | tail -1)"
    SCAN_FLOOR_P50[$count]="$(sed -n 's/.* engine_over_step_p50=\([0-9.]*\).*/\1/p' "$OUT/scan-$count.txt" | paste -sd/)"
    SCAN_FLOOR_P99[$count]="$(sed -n 's/.* engine_over_step_p99=\([0-9.]*\).*/\1/p' "$OUT/scan-$count.txt" | paste -sd/)"
    SCAN_RATIO_P50[$count]="$(sed -n 's/.* bare_over_engine_p50=\([0-9.]*\).*/\1/p' "$OUT/scan-$count.txt" | paste -sd/)"
    SCAN_RATIO_P99[$count]="$(sed -n 's/.* bare_over_engine_p99=\([0-9.]*\).*/\1/p' "$OUT/scan-$count.txt" | paste -sd/)"
    stop_pid "$SERVER_PID"
done

# --- 3. and 4. in-process: engine cost and memory ---------------------------------------------
say "obf-bench (in-process)"
"$OBF_BENCH" | tee "$OUT/obf-bench.txt" >&2
B="$OUT/obf-bench.txt"

# --- 5. Hazelcast: batched POST /step beside one Map.Get per asset; a member restart ------------
# One test member on loopback, filled by `obf push --count 1` just before each part reads it. The
# snapshots are not refreshed while a part runs, so its server (and the probe that waits for it)
# accept old snapshots (--max-snapshot-age-s) rather than skipping them as stale, however long a
# slow machine takes; what is timed is the batched read and the step, as with fresh ones.
HZ_AGE=(--max-snapshot-age-s 86400)
say "hz-test-member for 500 assets"
start_member "$HZ_MEMBER" "$(free_port)"
HZ_PORT=$MEMBER_PORT
fill_member() {
    "${OBF_ENV[@]}" "$OBF" push --hz-members "127.0.0.1:$HZ_PORT" --assets "$(seq -f 'A%g' -s, 1 500)" --count 1 \
        >"$OUT/push-once.log" 2>&1 || { cat "$OUT/push-once.log" >&2; echo "obf push --count 1 failed" >&2; return 1; }
}
declare -A HZ_P50 HZ_P99 HZ_P99_ALL HZ_SERVER HZ_GETALL_P50 HZ_GETALL_P99 HZ_LOOP_P50 HZ_LOOP_P99 HZ_READ_RATIO HZ_STEP_RATIO
# hz_steps COUNT: several runs of sequential steps on the server on SERVER_PORT (each a new bar
# range): the tail moves with whatever else the two cores are doing, so the worst run's p99 is
# reported, beside every run's.
hz_steps() {
    local count="$1" run
    : >"$OUT/hz-steps-$count.txt"
    for run in $(seq "$HZ_STEP_ROUNDS"); do
        "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$SERVER_PORT" "$STEPS" \
            --first-bar $((1000000 * run)) | tee -a "$OUT/hz-steps-$count.txt" >&2
    done
    HZ_P50[$count]="$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' "$OUT/hz-steps-$count.txt" | sort -n \
        | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
    HZ_P99[$count]="$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' "$OUT/hz-steps-$count.txt" | sort -n | tail -1)"
    HZ_P99_ALL[$count]="$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' "$OUT/hz-steps-$count.txt" | paste -sd/)"
    HZ_SERVER[$count]="$(sed -n 's/.* server_ms_p50=\([0-9.]*\).*/\1/p' "$OUT/hz-steps-$count.txt" | sort -n \
        | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
}
for count in 50 500; do
    assets="$(seq -f 'A%g' -s, 1 "$count")"
    say "POST /step/{bar} through the member: $count assets, $STEPS sequential steps"
    if fill_member && start_obf "$OUT/obf-hz-step$count.log" "$OBF" --source hazelcast \
            --hz-members "127.0.0.1:$HZ_PORT" --assets "$assets" "${HZ_AGE[@]}" \
        && wait_hz_ready "$OBF" "127.0.0.1:$MEMBER_PORT" "$assets" "$OUT/probe.txt" "${HZ_AGE[@]}"; then
        hz_steps "$count"
    else
        skip_part "POST /step through the member, $count assets (not ready: see above)"
    fi
    stop_pid "$SERVER_PID"
    say "one getAll beside a loop of $count Map.Get, $HZ_ROUNDS rounds (obf-bench hazelcast)"
    fill_member || { skip_part "getAll beside Map.Get, $count assets (the member could not be filled)"; continue; }
    "$OBF_BENCH" hazelcast --members "127.0.0.1:$HZ_PORT" --assets "$count" --rounds "$HZ_ROUNDS" \
        | tee "$OUT/hz-reads-$count.txt" >&2
    HZ_GETALL_P50[$count]="$(field "$OUT/hz-reads-$count.txt" hazelcast getall_p50_ms)"
    HZ_GETALL_P99[$count]="$(field "$OUT/hz-reads-$count.txt" hazelcast getall_p99_ms)"
    HZ_LOOP_P50[$count]="$(field "$OUT/hz-reads-$count.txt" hazelcast loop_p50_ms)"
    HZ_LOOP_P99[$count]="$(field "$OUT/hz-reads-$count.txt" hazelcast loop_p99_ms)"
    HZ_READ_RATIO[$count]="$(field "$OUT/hz-reads-$count.txt" hazelcast ratio_p50)"
    HZ_STEP_RATIO[$count]="$(awk -v a="${HZ_LOOP_P50[$count]}" -v b="${HZ_P50[$count]:-}" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
done

# A member restart: the producer pushes every 100 ms, a client steps every 50 ms; the member is
# stopped 5 s in, kept down 3 s and restarted on the same port (empty; the producer refills it).
say "member restart: stepping every 50 ms for ${RESTART_SECONDS} s, member down 3 s from 5 s in"
RESTART_ASSETS="$(seq -f 'A%g' -s, 1 50)"
# The producer keeps these books fresh, so this service judges their age as in production.
start_pusher "127.0.0.1:$HZ_PORT" "$RESTART_ASSETS" "$OUT/push.log"
stop_member() { stop_pid "$MEMBER_PID"; }
restart_member() { start_member "$HZ_MEMBER" "$HZ_PORT"; }
R="$OUT/restart.txt"
: >"$R"
if start_obf "$OUT/obf-restart.log" "$OBF" --source hazelcast --hz-members "127.0.0.1:$HZ_PORT" \
        --assets "$RESTART_ASSETS" --step-deadline-ms 250 \
    && wait_hz_ready "$OBF" "127.0.0.1:$MEMBER_PORT" "$RESTART_ASSETS" "$OUT/probe.txt"; then
    outage_run "$R" "$RESTART_SECONDS" stop_member 3 restart_member
else
    skip_part "member restart (not ready: see above)"
fi
stop_pid "$SERVER_PID"
stop_pid "$PUSH_PID"
stop_pid "$MEMBER_PID"

# --- summary ------------------------------------------------------------------------------------
{
    summary_table "obf bench" 58 14
    row "GET /features obf: requests/s (wrk -t2 -c32 -d$DURATION, best of $ROUNDS)" "$OBF_RPS" "req/s"
    row "GET /features obf: p99 latency" "$OBF_P99" "ms"
    row "GET same bytes nginx (1 worker): requests/s" "$NGINX_RPS" "req/s"
    row "GET same bytes nginx: p99 latency" "$NGINX_P99" "ms"
    row "obf/nginx requests/s" "$RATIO_RPS" "x"
    row "obf/nginx p99 latency" "$RATIO_P99" "x"
    row "obf serve RSS after the GET run" "$OBF_GET_RSS" "KiB"
    for count in 50 500; do
        row "POST /step $count assets: p50 (client, keep-alive)" "${STEP_P50[$count]:-}" "ms"
        row "POST /step $count assets: p99 (client, keep-alive)" "${STEP_P99[$count]:-}" "ms"
        row "POST /step $count assets: p50 duration_ms (server)" "${STEP_SERVER[$count]:-}" "ms"
        row "obf serve RSS after $STEPS+ steps of $count assets" "${STEP_RSS[$count]:-}" "KiB"
    done
    for count in 50 500; do
        row "trader scan $count assets, engine: p50 (median run)" "${SCAN_ENGINE_P50[$count]:-}" "ms"
        row "trader scan $count assets, engine: p99 (worst run)" "${SCAN_ENGINE_P99[$count]:-}" "ms"
        row "  p99 of each of the $SCAN_RUNS runs" "${SCAN_ENGINE_P99_ALL[$count]:-}" "ms"
        row "bare POST /step $count assets (the scan's floor): p50 (median run)" "${SCAN_STEP_P50[$count]:-}" "ms"
        row "bare POST /step $count assets (the scan's floor): p99 (worst run)" "${SCAN_STEP_P99[$count]:-}" "ms"
        row "  engine scan / bare step p50, each run" "${SCAN_FLOOR_P50[$count]:-}" "x"
        row "  engine scan / bare step p99, each run" "${SCAN_FLOOR_P99[$count]:-}" "x"
        row "trader scan $count assets, bare http.client: p50 (median run)" "${SCAN_BARE_P50[$count]:-}" "ms"
        row "trader scan $count assets, bare http.client: p99 (worst run)" "${SCAN_BARE_P99[$count]:-}" "ms"
        row "  p99 of each of the $SCAN_RUNS runs" "${SCAN_BARE_P99_ALL[$count]:-}" "ms"
        row "  bare / engine p50, each run" "${SCAN_RATIO_P50[$count]:-}" "x"
        row "  bare / engine p99, each run" "${SCAN_RATIO_P99[$count]:-}" "x"
    done
    row "FeatureCalculator update+macro, $(field "$B" calculator assets) assets" "$(field "$B" calculator ns_per_asset_step)" "ns/asset-step"
    row "  of which update(slot:with:)" "$(field "$B" calculator update_ns_per_asset)" "ns/asset-step"
    row "  of which macroStep (per asset)" "$(field "$B" calculator macro_ns_per_asset)" "ns/asset-step"
    for count in 50 500; do
        row "FeatureEngine.step + MockSource, $count assets" "$(field "$B" "engine assets=$count " us_per_step)" "us/step"
        row "  per asset" "$(field "$B" "engine assets=$count " ns_per_asset_step)" "ns/asset-step"
    done
    row "SnapshotDecoder, one producer document ($(field "$B" decode bytes_per_document) bytes)" "$(field "$B" decode ns_per_document)" "ns/document"
    MEM_ASSETS="$(field "$B" memory assets)"
    row "RSS after $(field "$B" memory steps_1) steps of $MEM_ASSETS assets (in-process)" "$(field "$B" memory rss_kib_1)" "KiB"
    row "RSS after $(field "$B" memory steps_2) steps of $MEM_ASSETS assets (in-process)" "$(field "$B" memory rss_kib_2)" "KiB"
    row "RSS ratio" "$(field "$B" memory ratio)" "x"
    for count in 50 500; do
        row "POST /step $count assets via hz-test-member: p50 (client, median run)" "${HZ_P50[$count]:-}" "ms"
        row "POST /step $count assets via hz-test-member: p99 (client, worst run)" "${HZ_P99[$count]:-}" "ms"
        row "  p99 of each of the $HZ_STEP_ROUNDS runs" "${HZ_P99_ALL[$count]:-}" "ms"
        row "POST /step $count assets via hz-test-member: p50 duration_ms" "${HZ_SERVER[$count]:-}" "ms"
        row "Map.GetAll of $count keys (one call, batched): p50" "${HZ_GETALL_P50[$count]:-}" "ms"
        row "Map.GetAll of $count keys (one call, batched): p99" "${HZ_GETALL_P99[$count]:-}" "ms"
        row "loop of $count Map.Get (one per asset): p50" "${HZ_LOOP_P50[$count]:-}" "ms"
        row "loop of $count Map.Get (one per asset): p99" "${HZ_LOOP_P99[$count]:-}" "ms"
        row "Map.Get loop / Map.GetAll, $count assets (p50)" "${HZ_READ_RATIO[$count]:-}" "x"
        row "Map.Get loop / batched POST /step, $count assets (p50)" "${HZ_STEP_RATIO[$count]:-}" "x"
    done
    row "member restart: steps sent (every 50 ms, ${RESTART_SECONDS} s)" "$(field "$R" restart steps)" "steps"
    row "  empty steps (computed 0)" "$(field "$R" restart empty)" "steps"
    row "    of which inside the back-off window (disconnected)" "$(field "$R" restart empty_disconnected)" "steps"
    row "    of which connected, map not yet refilled" "$(field "$R" restart empty_connected)" "steps"
    row "  steps from the stop to the reconnection" "$(field "$R" restart window_steps)" "steps"
    row "  member down" "$(field "$R" restart down_s)" "s"
    row "  service reconnected after the restart" "$(field "$R" restart reconnect_after_restart_s)" "s"
    row "  first full step after the restart" "$(field "$R" restart refill_after_restart_s)" "s"
    row "  max duration_ms (deadline $(field "$R" restart deadline_ms) ms)" "$(field "$R" restart max_duration_ms)" "ms"
    row "  steps over the deadline + 10 ms" "$(field "$R" restart over_deadline)" "steps"
    for part in "${SKIPPED[@]}"; do echo "skipped: $part"; done
} | tee "$OUT/summary.txt"
