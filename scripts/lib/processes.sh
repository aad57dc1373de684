# Background processes shared by bench/run.sh, scripts/soak.sh and scripts/api-conformance.sh.
# The caller defines PIDS (an array of pids to clean up); free_port needs PYTHON, start_member
# needs OUT (a folder for logs). A process that cannot be started or made ready is reported on
# stderr and its function returns 1.

# OBF_ENV: `env` with every OBF_* variable of the caller's environment removed, so that only the
# flags a script passes count, whatever a developer has exported.
OBF_ENV=(env)
for name in $(compgen -e); do [[ "$name" == OBF_* ]] && OBF_ENV+=(-u "$name"); done
unset name

# free_port: a loopback port that was free a moment ago, below the kernel's ephemeral range
# (32768 and up), so that no outgoing connection can take it while a member on it is restarted.
free_port() {
    "$PYTHON" -c '
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break'
}

# forget_pid PID: drops PID from PIDS.
forget_pid() {
    local kept=() other
    for other in "${PIDS[@]}"; do [[ "$other" == "$1" ]] || kept+=("$other"); done
    PIDS=("${kept[@]}")
}

# stop_pid PID: SIGTERM, then SIGKILL after 10 s; waits for it and forgets it.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# stop_all: SIGTERM to every process in PIDS, newest first (the clients before what they use),
# then SIGKILL to any still running after 5 s. For an EXIT trap.
stop_all() {
    local pid index
    for ((index = ${#PIDS[@]} - 1; index >= 0; index--)); do
        kill -TERM "${PIDS[index]}" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

# start_obf LOG OBF [serve flags...]: starts `OBF serve --host 127.0.0.1 --port 0 --source mock
# --log-level info [flags...]` (later flags win) with OBF_ENV, logging to LOG, and waits for its
# address line. Sets SERVER_PID and SERVER_PORT. When it cannot, it says why and returns 1 (a
# caller under `set -e` then ends; a bench script can go on with its next part).
start_obf() {
    local log="$1" binary="$2"
    shift 2
    "${OBF_ENV[@]}" "$binary" serve --host 127.0.0.1 --port 0 --source mock --log-level info "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_PORT=""
    local end=$((SECONDS + ${READY_SECONDS:-120}))
    while ((SECONDS < end)); do
        SERVER_PORT="$(grep -o 'address=https\?://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -1 | sed 's/.*://' || true)"
        [[ -n "$SERVER_PORT" ]] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$log" >&2
            echo "obf serve exited at start-up (see $log)" >&2
            return 1
        fi
        sleep 0.1
    done
    cat "$log" >&2
    echo "obf serve did not log its address within ${READY_SECONDS:-120} s (see $log)" >&2
    stop_pid "$SERVER_PID"
    return 1
}

# wait_hz_ready OBF MEMBER ASSETS PROBE_OUT [probe flags...]: waits (READY_SECONDS, default 120,
# at most: a guard against a hang, not a guess of the machine's speed) until the server on
# SERVER_PORT answers /readyz 200 and `OBF probe` finds every asset fresh in the map of the member
# at MEMBER (host:port); the last probe's output is in PROBE_OUT. When it cannot, it says why
# (the probe's findings, /readyz's answer) and returns 1.
wait_hz_ready() {
    local binary="$1" member="$2" assets="$3" out="$4" ready="" end=$((SECONDS + ${READY_SECONDS:-120}))
    shift 4
    : >"$out"
    while ((SECONDS < end)); do
        ready="$(curl -s -w ' (HTTP %{http_code})' "http://127.0.0.1:$SERVER_PORT/readyz" || true)"
        if [[ "$ready" == *"(HTTP 200)" ]] && "${OBF_ENV[@]}" "$binary" probe --hz-members "$member" --assets "$assets" "$@" >"$out" 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    cat "$out" >&2
    echo "obf serve (hazelcast) not ready within ${READY_SECONDS:-120} s: /readyz said ${ready:-nothing}; the probe's findings are above" >&2
    return 1
}

# start_member BINARY PORT: starts hz-test-member on 127.0.0.1:PORT and waits until
# it prints "listening on"; retries while the port is still held by a previous instance.
# Sets MEMBER_PID and MEMBER_PORT.
MEMBER_STARTS=0
start_member() {
    local log
    for _ in $(seq 20); do
        MEMBER_STARTS=$((MEMBER_STARTS + 1))
        log="$OUT/member-$MEMBER_STARTS"
        "$1" --host 127.0.0.1 --port "$2" --cluster dev >"$log.out" 2>"$log.err" &
        MEMBER_PID=$!
        PIDS+=("$MEMBER_PID")
        for _ in $(seq 100); do
            MEMBER_PORT="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log.out" 2>/dev/null)"
            [[ -n "$MEMBER_PORT" ]] && return 0
            kill -0 "$MEMBER_PID" 2>/dev/null || break
            sleep 0.05
        done
        stop_pid "$MEMBER_PID"
        sleep 0.5
    done
    echo "hz-test-member did not start on 127.0.0.1:$2 (see $log.err)" >&2
    return 1
}
