# Shared by the bench scripts: messages, the release build, reading `key=value` figures, and
# the set-up of a run (its output folder, the process helpers, cleanup on exit). The caller
# sets REPO.

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

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

# bench_run NAME: the output folder (BENCH_OUT, else bench/out/NAME-<timestamp>) in OUT, the
# process helpers, every process started stopped on exit; builds obf and hz-test-member and
# sets OBF, HZ_MEMBER and PYTHON.
bench_run() {
    OUT="${BENCH_OUT:-$REPO/bench/out/$1-$(date +%Y%m%d-%H%M%S)}"
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
