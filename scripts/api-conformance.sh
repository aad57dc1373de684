#!/usr/bin/env bash
# API conformance: validates openapi.yaml and runs schemathesis against a live `obf serve`
# (mock source) with every check, in bounded time. Exits non-zero on any failure.
#
#   OBF_BIN=.build/debug/obf scripts/api-conformance.sh
#
# Environment:
#   OBF_BIN             the `obf` binary to test (default: .build/debug/obf, then .build/release/obf)
#   VENV                python venv for the tools (default: <repo>/.venv; created when missing)
#   ST_MAX_EXAMPLES     schemathesis test cases per operation and phase (default 50)
#   ST_SEED             schemathesis seed (default 20240601)
#   ST_PHASES           schemathesis phases (default examples,coverage,fuzzing)
#   ST_TIMEOUT          wall-clock bound of the schemathesis run in seconds (default 600)
#   ST_REPORT_DIR       keep a JUnit report and the server log there (default: neither is kept)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
SPEC="$REPO/openapi.yaml"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-50}"
SEED="${ST_SEED:-20240601}"
PHASES="${ST_PHASES:-examples,coverage,fuzzing}"
RUN_TIMEOUT="${ST_TIMEOUT:-600}"

log() { printf 'api-conformance: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

if [[ -z "${OBF_BIN:-}" ]]; then
    for candidate in "$REPO/.build/debug/obf" "$REPO/.build/release/obf"; do
        if [[ -x "$candidate" ]]; then OBF_BIN="$candidate"; break; fi
    done
fi
[[ -n "${OBF_BIN:-}" && -x "$OBF_BIN" ]] || die "set OBF_BIN to a built obf binary (swift build --product obf)"
[[ -f "$SPEC" ]] || die "missing $SPEC"
OBF_BIN="$(cd "$(dirname "$OBF_BIN")" && pwd)/$(basename "$OBF_BIN")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/obf-conformance.XXXXXX")"
REPORT_DIR="${ST_REPORT_DIR:-$WORK/report}"
mkdir -p "$REPORT_DIR"
REPORT_DIR="$(cd "$REPORT_DIR" && pwd)"
SERVER_LOG="$REPORT_DIR/obf-serve.log"
SERVER_PID=""
PIDS=()
# shellcheck source=lib/processes.sh
source "$REPO/scripts/lib/processes.sh"

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"   # the report survives only when ST_REPORT_DIR points elsewhere
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools (idempotent) -------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating venv $VENV"
    python3 -m venv "$VENV" || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv "$VENV"; }
fi
if [[ ! -x "$VENV/bin/schemathesis" || ! -x "$VENV/bin/openapi-spec-validator" ]]; then
    log "installing the test requirements (schemathesis, openapi-spec-validator) into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REPO/scripts/requirements-test.txt"
fi
VENV="$(cd "$VENV" && pwd)"
log "$("$VENV/bin/schemathesis" --version 2>&1 | head -1)"

# --- the spec itself ------------------------------------------------------------------------
log "validating $SPEC"
"$VENV/bin/openapi-spec-validator" "$SPEC"

# --- the server -------------------------------------------------------------------------------
# No token, no guarded reads: the spec's security is optional and the checks run unauthenticated.
log "starting $OBF_BIN serve --port 0 (mock source)"
start_obf "$SERVER_LOG" "$OBF_BIN"
BASE="http://127.0.0.1:$SERVER_PORT"
log "server on $BASE (pid $SERVER_PID)"

# A few steps, so the look-ups see live and fallback data and not only defaults.
for bar in 1 2 3 5 8; do
    "$VENV/bin/python" - "$BASE/step/$bar" <<'PY' || die "warm-up step failed"
import sys, urllib.request
with urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"", method="POST"), timeout=10) as r:
    assert r.status == 200, r.status
PY
done

# --- schemathesis ---------------------------------------------------------------------------
# One worker: with several threads, hypothesis's lambda descriptions call ast.parse concurrently,
# which CPython 3.11 does not survive ("SystemError: AST constructor recursion depth mismatch",
# reported as a schemathesis Runtime Error about one run in four), a false failure.
# From the temp dir: schemathesis and hypothesis keep caches (.schemathesis/, .hypothesis/) in the
# working directory, and those must not land in the repository.
cd "$WORK"
REPORT_ARGS=()
if [[ -n "${ST_REPORT_DIR:-}" ]]; then
    REPORT_ARGS=(--report junit --report-junit-path "$REPORT_DIR/schemathesis-junit.xml")
fi
set +e
timeout --signal=INT --kill-after=30 "$RUN_TIMEOUT" \
    "$VENV/bin/schemathesis" run "$SPEC" \
        --url "$BASE" \
        --checks all \
        --phases "$PHASES" \
        --max-examples "$MAX_EXAMPLES" \
        --seed "$SEED" \
        --workers 1 \
        --request-timeout 10 \
        --generation-database none \
        --no-color \
        "${REPORT_ARGS[@]}"
ST_STATUS=$?
set -e

# --- the server after the run ----------------------------------------------------------------
SERVER_STATUS=0
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    set +e; wait "$SERVER_PID" 2>/dev/null; DIED_WITH=$?; set -e
    log "obf serve died during the run (exit $DIED_WITH); log tail:"
    tail -n 40 "$SERVER_LOG" >&2
    SERVER_STATUS=1
else
    kill -TERM "$SERVER_PID"
    EXIT_CODE=""
    for _ in $(seq 100); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            set +e; wait "$SERVER_PID"; EXIT_CODE=$?; set -e
            break
        fi
        sleep 0.1
    done
    if [[ -z "$EXIT_CODE" ]]; then
        log "obf serve did not exit within 10 s of SIGTERM"
        SERVER_STATUS=1
    elif [[ "$EXIT_CODE" != 0 ]]; then
        log "obf serve exited $EXIT_CODE after SIGTERM (expected 0); log tail:"
        tail -n 20 "$SERVER_LOG" >&2
        SERVER_STATUS=1
    fi
    SERVER_PID=""
fi
if grep -qiE 'critical|fatal error|internal_error' "$SERVER_LOG"; then
    log "the server log has critical lines:"
    grep -iE 'critical|fatal error|internal_error' "$SERVER_LOG" | head -n 20 >&2
    SERVER_STATUS=1
fi

if [[ $ST_STATUS -eq 124 || $ST_STATUS -eq 130 ]]; then
    log "schemathesis did not finish within ${RUN_TIMEOUT}s"
fi
if [[ $ST_STATUS -ne 0 || $SERVER_STATUS -ne 0 ]]; then
    log "server log tail ($SERVER_LOG):"
    tail -n 20 "$SERVER_LOG" >&2
    log "FAILED (schemathesis exit $ST_STATUS, server $SERVER_STATUS)"
    exit 1
fi
log "OK"
