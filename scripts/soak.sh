#!/usr/bin/env bash
# Soak test of obf against the Hazelcast test member, run on demand (never by the tests or CI).
#
#   scripts/soak.sh
#
# Starts hz-test-member on a free loopback port, `obf push` (mock producer) and
# `obf serve --source hazelcast --step-deadline-ms 250` on the same assets, then for
# SOAK_SECONDS runs together:
#   - a trader loop (scripts/soak_trader.py): POST /step/N then GET /bars/N every 50 ms over
#     one keep-alive connection, N increasing, recording every status and duration_ms;
#   - wrk -t1 -c16 on GET /features/{asset}/{bar}, rotating over the assets, bars drawn from
#     the range the trader steps through (live, fallback and, once evicted, default answers);
# after a warm-up of 500 steps back to back (the bar caches' bound, --max-bars) so that memory
# is compared once the caches are full.
#   - the member stopped (SIGTERM) at 1/3 and 2/3 of the run, kept down SOAK_DOWN_SECONDS and
#     restarted on the same port (empty: the producer refills it).
# Then prints the summary and exits 1 when any of these holds: a 5xx answer, a lost step (no
# answer, not 200, a replay, or steps sent != obf_steps_total), a step with duration_ms over
# the deadline + 10 ms outside the member-down windows (SIGTERM .. the service reconnected
# + 1 s), a request without a 200 answer, resident memory at the end over 1.10 x the memory
# SOAK_RSS_AFTER seconds into the load, or the service not reconnecting after a restart.
#
# Environment:
#   SOAK_SECONDS       load duration (default 60, at least 30)
#   SOAK_ASSETS        number of assets A1..AN, or a comma-separated list (default 50)
#   SOAK_DOWN_SECONDS  how long the member stays down at each stop (default 3)
#   SOAK_RSS_AFTER     seconds into the load of the first memory sample (default 5)
#   SOAK_SKIP_BUILD    set to 1 to use the release binaries already built
#   SOAK_OUT           where logs and raw results go (default .build/soak/<timestamp>)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
SECONDS_TOTAL="${SOAK_SECONDS:-60}"
ASSET_SPEC="${SOAK_ASSETS:-50}"
DOWN_SECONDS="${SOAK_DOWN_SECONDS:-3}"
RSS_AFTER="${SOAK_RSS_AFTER:-5}"
DEADLINE_MS=250
WARMUP_STEPS=500
INTERVAL_MS=50
OUT="${SOAK_OUT:-$REPO/.build/soak/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
PIDS=()

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'soak: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }

[[ "$SECONDS_TOTAL" =~ ^[0-9]+$ ]] && ((SECONDS_TOTAL >= 30)) || die "SOAK_SECONDS must be an integer >= 30"
[[ "$DOWN_SECONDS" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SOAK_DOWN_SECONDS must be a number"
if [[ "$ASSET_SPEC" =~ ^[0-9]+$ ]]; then
    ASSETS="$(seq -f 'A%g' -s, 1 "$ASSET_SPEC")"
else
    ASSETS="$ASSET_SPEC"
fi
ASSET_COUNT="$(tr ',' '\n' <<<"$ASSETS" | grep -c .)"

# shellcheck source=lib/processes.sh
source "$REPO/scripts/lib/processes.sh"
trap stop_all EXIT   # newest first: the load, the service and the producer before the member
trap 'exit 130' INT TERM

# --- build and tools ---------------------------------------------------------------------------
if [[ "${SOAK_SKIP_BUILD:-}" != 1 ]]; then
    say "building release (obf, hz-test-member)"
    swift build -c release --product obf >&2
    swift build -c release --product hz-test-member >&2
fi
BIN="$(swift build -c release --show-bin-path)"
OBF="$BIN/obf"
MEMBER="$BIN/hz-test-member"
[[ -x "$OBF" && -x "$MEMBER" ]] || die "missing $OBF or $MEMBER (build them, or unset SOAK_SKIP_BUILD)"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2; }
fi
PYTHON="$(command -v python3)" || die "python3 is needed for the trader loop"
TRADER="$REPO/scripts/soak_trader.py"

# --- the member, the producer, the service ------------------------------------------------------
HZ_PORT="$(free_port)"

say "hz-test-member on 127.0.0.1:$HZ_PORT; $ASSET_COUNT assets; results in $OUT"
start_member "$MEMBER" "$HZ_PORT"
"${OBF_ENV[@]}" "$OBF" push --hz-members "127.0.0.1:$HZ_PORT" --hz-cluster dev --assets "$ASSETS" \
    --interval-ms 100 >"$OUT/push.log" 2>&1 &
PUSH_PID=$!
PIDS+=("$PUSH_PID")
start_obf "$OUT/serve.log" "$OBF" --source hazelcast --hz-members "127.0.0.1:$HZ_PORT" \
    --hz-cluster dev --assets "$ASSETS" --step-deadline-ms "$DEADLINE_MS"
OBF_PID=$SERVER_PID
PORT=$SERVER_PORT
URL="http://127.0.0.1:$PORT"

# Ready: the service answers /readyz 200 and every asset is in the map and fresh (obf probe).
wait_hz_ready "$OBF" "127.0.0.1:$HZ_PORT" "$ASSETS" "$OUT/probe.txt" --hz-cluster dev
kill -0 "$PUSH_PID" 2>/dev/null || { cat "$OUT/push.log" >&2; die "obf push exited"; }

# --- the load ------------------------------------------------------------------------------------
# Warm-up: WARMUP_STEPS steps back to back, so the bar caches are at their bound (--max-bars,
# 500 by default) before memory is first sampled; these steps are checked like the others.
say "warm-up: $WARMUP_STEPS steps"
"$PYTHON" "$TRADER" trade 127.0.0.1 "$PORT" 600 "$OUT/warmup.jsonl" --interval-ms 0 --first-bar 1 \
    --max-steps "$WARMUP_STEPS" --timeout-s 2 2>"$OUT/warmup.err" || die "the warm-up failed (see $OUT/warmup.err)"
FIRST_BAR=$((WARMUP_STEPS + 1))
LAST_BAR=$((WARMUP_STEPS + SECONDS_TOTAL * 1000 / INTERVAL_MS))
cat >"$OUT/features.lua" <<'EOF'
-- GET /features/{asset}/{bar}: assets in turn, bars drawn from [first, last].
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
    assets = {}
    for asset in string.gmatch(args[1], "[^,]+") do table.insert(assets, asset) end
    first, last = tonumber(args[2]), tonumber(args[3])
    statuses = {}
    sent = 0
    math.randomseed(os.time())
end
function request()
    sent = sent + 1
    local path = "/features/" .. assets[(sent % #assets) + 1] .. "/" .. math.random(first, last)
    return wrk.format("GET", path)
end
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
    local merged = {}
    for _, thread in ipairs(threads) do
        for code, count in pairs(thread:get("statuses")) do merged[code] = (merged[code] or 0) + count end
    end
    local parts = {}
    for code, count in pairs(merged) do table.insert(parts, code .. ":" .. count) end
    local e = summary.errors
    io.write(string.format("soak-wrk requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d " ..
        "status_errors=%d p99_us=%.0f max_us=%.0f statuses=%s\n", summary.requests, summary.duration,
        e.connect, e.read, e.write, e.timeout, e.status, latency:percentile(99), latency.max,
        table.concat(parts, ",")))
end
EOF

EVENTS="$OUT/events.txt"
RSS_FILE="$OUT/rss.txt"
: >"$EVENTS"
: >"$RSS_FILE"
say "load for ${SECONDS_TOTAL} s: trader every ${INTERVAL_MS} ms, wrk -t1 -c16, member stopped at 1/3 and 2/3"
LOAD_STARTED="$(now)"
"$PYTHON" "$TRADER" trade 127.0.0.1 "$PORT" "$SECONDS_TOTAL" "$OUT/steps.jsonl" --interval-ms "$INTERVAL_MS" \
    --first-bar "$FIRST_BAR" --timeout-s 2 2>"$OUT/trader.err" &
TRADER_PID=$!
PIDS+=("$TRADER_PID")
wrk -t1 -c16 -d"${SECONDS_TOTAL}s" --latency -s "$OUT/features.lua" "$URL" -- "$ASSETS" 1 "$LAST_BAR" \
    >"$OUT/wrk.txt" 2>&1 &
WRK_PID=$!
PIDS+=("$WRK_PID")
( while kill -0 "$OBF_PID" 2>/dev/null; do
      printf '%s %s\n' "$(now)" "$(awk '/^VmRSS:/ {print $2}' "/proc/$OBF_PID/status" 2>/dev/null)" >>"$RSS_FILE"
      sleep 1
  done ) &
SAMPLER_PID=$!
PIDS+=("$SAMPLER_PID")

sleep_until() {  # sleep_until OFFSET: sleeps until OFFSET seconds after LOAD_STARTED
    local left
    left="$(awk -v s="$LOAD_STARTED" -v o="$1" -v n="$(now)" 'BEGIN { d = s + o - n; print (d > 0 ? d : 0) }')"
    sleep "$left"
}

for index in 1 2; do
    sleep_until "$(awk -v t="$SECONDS_TOTAL" -v i="$index" 'BEGIN { print t * i / 3 }')"
    kill -0 "$OBF_PID" 2>/dev/null || break
    say "member stop $index"
    printf '%s member_down %d\n' "$(now)" "$index" >>"$EVENTS"
    stop_pid "$MEMBER_PID"
    sleep "$DOWN_SECONDS"
    start_member "$MEMBER" "$HZ_PORT"
    printf '%s member_up %d\n' "$(now)" "$index" >>"$EVENTS"
    say "member restarted; waiting for the service to reconnect"
    for _ in $(seq 200); do
        if curl -s --max-time 1 "$URL/metrics" | grep -q '^obf_source_connected 1'; then
            printf '%s source_reconnected %d\n' "$(now)" "$index" >>"$EVENTS"
            break
        fi
        sleep 0.1
    done
done

wait "$TRADER_PID" || die "the trader loop failed (see $OUT/trader.err)"
forget_pid "$TRADER_PID"
wait "$WRK_PID" || true
forget_pid "$WRK_PID"
SERVICE_ALIVE=1
if kill -0 "$OBF_PID" 2>/dev/null; then
    printf '%s %s\n' "$(now)" "$(awk '/^VmRSS:/ {print $2}' "/proc/$OBF_PID/status")" >>"$RSS_FILE"
else
    SERVICE_ALIVE=""
fi
stop_pid "$SAMPLER_PID"
curl -sf --max-time 5 "$URL/metrics" >"$OUT/metrics.txt" || : >"$OUT/metrics.txt"
cat "$OUT/trader.err" >&2

set +e
"$PYTHON" "$TRADER" summary --steps "$OUT/steps.jsonl" --warmup "$OUT/warmup.jsonl" --events "$EVENTS" --wrk "$OUT/wrk.txt" \
    --metrics "$OUT/metrics.txt" --rss "$RSS_FILE" --rss-after-s "$RSS_AFTER" --deadline-ms "$DEADLINE_MS" \
    --assets "$ASSET_COUNT" --load-started "$LOAD_STARTED" | tee "$OUT/summary.txt"
status=${PIPESTATUS[0]}
set -e
if [[ -z "$SERVICE_ALIVE" ]]; then
    obf_status=0
    wait "$OBF_PID" 2>/dev/null || obf_status=$?
    printf 'FAIL: obf serve exited during the run (status %s); the end of %s:\n' "$obf_status" "$OUT/serve.log"
    tail -20 "$OUT/serve.log"
    exit 1
fi
exit "$status"
