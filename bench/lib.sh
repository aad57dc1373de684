# Shared by the bench scripts: messages, the release build, reading `key=value` figures, and
# the set-up of a run (its output folder, the process helpers, cleanup on exit). The caller
# sets REPO.

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# skip_part WHAT: a part that cannot get ready (a server that does not start, a service that
# never finds the member's books ready) is skipped with its reason, listed in SKIPPED for the
# summary, and the run goes on with the next part.
SKIPPED=()
skip_part() {
    printf 'bench: skipped %s\n' "$1" >&2
    SKIPPED+=("$1")
}

# field FILE LINE-PREFIX KEY: the value of KEY= on the first line of FILE starting with LINE-PREFIX.
field() { grep -m1 "^$2" "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"; }

# build_release PRODUCT...: builds the release products unless BENCH_SKIP_BUILD=1; sets BIN.
build_release() {
    if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
        say "building release ($*)"
        local product
        for product in "$@"; do swift build -c release --product "$product" >&2; done
    fi
    BIN="$(swift build -c release --show-bin-path)"
    for product in "$@"; do [[ -x "$BIN/$product" ]] || die "missing $BIN/$product"; done
}

# bench_run [NAME]: the output folder (BENCH_OUT, else bench/out/[NAME-]<timestamp>) in OUT, the
# process helpers, every process started stopped on exit; builds obf and hz-test-member and
# sets OBF, HZ_MEMBER and PYTHON.
bench_run() {
    OUT="${BENCH_OUT:-$REPO/bench/out/${1:+$1-}$(date +%Y%m%d-%H%M%S)}"
    mkdir -p "$OUT"
    PIDS=()
    # shellcheck source=../scripts/lib/processes.sh
    source "$REPO/scripts/lib/processes.sh"
    trap stop_all EXIT
    trap 'exit 130' INT TERM
    build_release obf hz-test-member
    OBF="$BIN/obf"
    HZ_MEMBER="$BIN/hz-test-member"
    PYTHON="$(command -v python3)"
}

# start_pusher MEMBER ASSETS LOG [FLAG...]: `obf push` of the mock books of ASSETS to MEMBER every
# 100 ms in the background (a producer), its output in LOG; sets PUSH_PID.
start_pusher() {
    local member="$1" assets="$2" log="$3"
    shift 3
    "${OBF_ENV[@]}" "$OBF" push --hz-members "$member" --assets "$assets" --interval-ms 100 "$@" >"$log" 2>&1 &
    PUSH_PID=$!
    PIDS+=("$PUSH_PID")
}

# outage_run RESULT SECONDS DOWN OUTAGE-SECONDS UP: restart_steps.py steps the service on SERVER_PORT
# every 50 ms for SECONDS (its report in RESULT, its event log beside it); 5 s in the command DOWN
# takes the member away, OUTAGE-SECONDS later UP brings it back, each stamped in the event log.
outage_run() {
    local result="$1" seconds="$2" down="$3" outage="$4" up="$5" events="${1%.txt}-events.txt" client
    : >"$events"
    "$PYTHON" "$REPO/bench/restart_steps.py" 127.0.0.1 "$SERVER_PORT" "$seconds" "$events" \
        --deadline-ms 250 >"$result" &
    client=$!
    PIDS+=("$client")
    sleep 5
    printf '%s member_down\n' "$(date +%s.%N)" >>"$events"
    "$down"
    sleep "$outage"
    "$up"
    printf '%s member_up\n' "$(date +%s.%N)" >>"$events"
    wait "$client" || die "the step client failed (see $result)"
    forget_pid "$client"
    cat "$result" >&2
}

# summary_table TITLE FIGURE-WIDTH VALUE-WIDTH [FIGURE-HEADING [VALUE-HEADING]]: the heading of a
# summary table, after which `row FIGURE VALUE UNIT` prints its lines.
summary_table() {
    ROW_FORMAT="%-$2s %$3s %s\n"
    local figure="${4:-figure}" value="${5:-value}"
    echo
    echo "$1 — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, results in ${OUT#"$REPO"/}"
    row "$figure" "$value" "unit"
    row "${figure//?/-}" "${value//?/-}" "----"
}

row() {
    # shellcheck disable=SC2059 # the format is the table's, set by summary_table
    printf "$ROW_FORMAT" "$1" "$2" "$3"
}


# ratios "A1 A2 ..." "B1 B2 ...": A1/B1 A2/B2 ... with two decimals (figures of the same round).
ratios() {
    python3 -c 'import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
print(" ".join(f"{float(x) / float(y):.2f}" for x, y in zip(a, b)))' "$1" "$2"
}
