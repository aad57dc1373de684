#!/usr/bin/env bash
# What HTTPS costs the API, run on demand (never by the tests or CI). See bench/README.md.
#
#   bench/tls.sh
#
# 1. GET /features/BTCUSDT/{bar} over HTTPS, keep-alive (wrk: 2 threads, 32 connections), obf
#    beside nginx (1 worker) serving the same bytes over HTTPS with the same certificate and key;
#    the two alternate for BENCH_ROUNDS rounds.
# 2. POST /step/{bar} of 500 mock assets, sequential on one keep-alive connection, over HTTPS
#    beside plain HTTP (two servers of the same build), alternating for BENCH_ROUNDS rounds.
# Every round's figure is reported, so the spread shows.
#
# Environment:
#   BENCH_DURATION    wrk duration per server and round (default 10s)
#   BENCH_ROUNDS      alternating rounds (default 3)
#   BENCH_STEPS       timed sequential steps per server and round (default 2000)
#   BENCH_SKIP_BUILD  set to 1 to use the release binaries already built
#   BENCH_OUT         where raw outputs go (default bench/out/tls-<timestamp>, git-ignored)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
DURATION="${BENCH_DURATION:-10s}"
ROUNDS="${BENCH_ROUNDS:-3}"
STEPS="${BENCH_STEPS:-2000}"
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
bench_run tls
require_wrk_nginx
TMP="$(mktemp -d "${TMPDIR:-/tmp}/obf-bench-tls.XXXXXX")"
chmod 755 "$TMP"   # nginx's worker runs as an unprivileged user and must read the static file
cleanup() {
    stop_all
    rm -rf "$TMP"
}
trap cleanup EXIT

# One certificate for both servers: a private CA and a P-256 server certificate for 127.0.0.1.
sh "$REPO/docker/make-demo-certificates.sh" "$TMP/tls" >&2
CA="$TMP/tls/ca.pem"
CERT="$TMP/tls/obf.pem"
KEY="$TMP/tls/obf.key"
TLS_FLAGS=(--tls-cert "$CERT" --tls-key "$KEY")

# --- 1. GET /features over HTTPS: obf beside nginx ---------------------------------------------
say "GET /features/BTCUSDT/{bar} over HTTPS: obf beside nginx (1 worker, same certificate, same bytes)"
start_obf "$OUT/obf-get.log" "$OBF" "${TLS_FLAGS[@]}" || die "obf serve did not start"
GET_PID=$SERVER_PID
OBF_URL="https://127.0.0.1:$SERVER_PORT"
BAR=5
for bar in $(seq 1 "$BAR"); do
    code="$(curl -s --cacert "$CA" -o /dev/null -w '%{http_code}' -X POST "$OBF_URL/step/$bar")"
    [[ "$code" == 200 ]] || die "POST /step/$bar answered $code"
done
FEATURE_PATH="/features/BTCUSDT/$BAR"
mkdir -p "$TMP/www/features/BTCUSDT"
curl -sf --cacert "$CA" -o "$TMP/www$FEATURE_PATH" "$OBF_URL$FEATURE_PATH"
chmod -R a+rX "$TMP/www"
grep -q '"source":"live"' "$TMP/www$FEATURE_PATH" || die "the features at bar $BAR are not live"
cp "$TMP/www$FEATURE_PATH" "$OUT/features-body.json"
# nginx's master reads the key before its worker drops root.
start_nginx "$TMP/nginx" "$TMP/www" "$FEATURE_PATH" "$OUT/features-body.json" "$CERT" "$KEY"
cp "$TMP/nginx/nginx.conf" "$OUT/nginx.conf"
curl -sf --cacert "$CA" -o /dev/null "$NGINX_URL$FEATURE_PATH" || die "nginx's certificate does not verify"

OBF_RPS_ALL=(); OBF_P99_ALL=(); NGINX_RPS_ALL=(); NGINX_P99_ALL=(); RATIO_ALL=()
for round in $(seq 1 "$ROUNDS"); do
    say "round $round/$ROUNDS: obf over HTTPS"
    run_wrk "obf-tls-$round" "$OBF_URL$FEATURE_PATH"
    OBF_RPS_ALL+=("$WRK_RPS"); OBF_P99_ALL+=("$WRK_P99_MS")
    say "round $round/$ROUNDS: nginx over HTTPS"
    run_wrk "nginx-tls-$round" "$NGINX_URL$FEATURE_PATH"
    NGINX_RPS_ALL+=("$WRK_RPS"); NGINX_P99_ALL+=("$WRK_P99_MS")
    RATIO_ALL+=("$(awk -v a="${OBF_RPS_ALL[-1]}" -v b="$WRK_RPS" 'BEGIN { printf "%.2f", a / b }')")
done
HANDSHAKES="$(curl -sf --cacert "$CA" "$OBF_URL/metrics" | grep '^obf_tls_handshakes_total' | tr '\n' ' ')"
stop_pid "$GET_PID"
stop_pid "$NGINX_PID"

# --- 2. POST /step, 500 mock assets: HTTPS beside plain HTTP -------------------------------------
say "POST /step/{bar}: 500 mock assets, $STEPS sequential steps, HTTPS beside plain HTTP"
ASSETS="$(seq -f 'A%g' -s, 1 500)"
start_obf "$OUT/obf-step-plain.log" "$OBF" --assets "$ASSETS" || die "obf serve (plain) did not start"
PLAIN_PID=$SERVER_PID; PLAIN_PORT=$SERVER_PORT
start_obf "$OUT/obf-step-tls.log" "$OBF" --assets "$ASSETS" "${TLS_FLAGS[@]}" || die "obf serve (TLS) did not start"
TLS_PID=$SERVER_PID; TLS_PORT=$SERVER_PORT
declare -A STEP_P50 STEP_P99
for round in $(seq 1 "$ROUNDS"); do
    for mode in plain tls; do
        file="$OUT/steps-$mode-$round.txt"
        if [[ "$mode" == tls ]]; then
            "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$TLS_PORT" "$STEPS" --first-bar $((1000000 * round)) \
                --tls-ca "$CA" | tee "$file" >&2
        else
            "$PYTHON" "$REPO/bench/step_latency.py" 127.0.0.1 "$PLAIN_PORT" "$STEPS" --first-bar $((1000000 * round)) \
                | tee "$file" >&2
        fi
        STEP_P50[$mode]+="$(field "$file" steps p50_ms) "
        STEP_P99[$mode]+="$(field "$file" steps p99_ms) "
    done
done
stop_pid "$PLAIN_PID"
stop_pid "$TLS_PID"

# --- summary -----------------------------------------------------------------------------------
{
    echo "HTTPS cost ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t2 -c32 -d$DURATION, $ROUNDS alternating rounds)"
    echo "GET $FEATURE_PATH over HTTPS, requests/s per round: obf ${OBF_RPS_ALL[*]} | nginx ${NGINX_RPS_ALL[*]}"
    echo "  obf/nginx requests/s per round: ${RATIO_ALL[*]}"
    echo "  p99 ms per round: obf ${OBF_P99_ALL[*]} | nginx ${NGINX_P99_ALL[*]}"
    echo "  obf handshakes: $HANDSHAKES"
    echo "POST /step 500 assets, $STEPS sequential steps, p50 ms per round: plain ${STEP_P50[plain]}| https ${STEP_P50[tls]}"
    echo "  p99 ms per round: plain ${STEP_P99[plain]}| https ${STEP_P99[tls]}"
} | tee "$OUT/summary.txt"
