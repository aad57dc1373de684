# Background processes shared by bench/run.sh and scripts/soak.sh. The caller defines
# PIDS (an array of pids to clean up), OUT (a folder for logs), PYTHON, and a die function.

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

# start_member BINARY PORT: starts hz-test-member on 127.0.0.1:PORT (0: a free one) and waits until
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
    die "hz-test-member did not start on 127.0.0.1:$2 (see $log.err)"
}
