# Shared by the bench scripts: messages, the release build, reading `key=value` figures.
# The caller sets REPO and sources scripts/lib/processes.sh too.

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
