#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer) and runs each for a bounded
# number of inputs, starting from its seed corpus in Fuzz/corpus/. New inputs go to a
# temporary folder; crash reproducers are kept in .build-fuzz/crashes/ and fail the run.
#
#   bash scripts/fuzz.sh             # 20 000 runs per target (the smoke the tests run)
#   bash scripts/fuzz.sh 2000000     # a longer session
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20000}
targets=${FUZZ_TARGETS:-"snapshot http-parser hazelcast-frames"}
scratch=.build-fuzz
mkdir -p "$scratch/crashes"

for target in $targets; do
    swift build -q --scratch-path "$scratch" --product "fuzz-$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
done
bin=$(swift build --scratch-path "$scratch" --show-bin-path)

status=0
for target in $targets; do
    work=$(mktemp -d)
    start=$(date +%s)
    if "$bin/fuzz-$target" -runs="$runs" -max_len=8192 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$scratch/crashes/$target-" "$work" "Fuzz/corpus/$target" >"$work.log" 2>&1; then
        executed=$(grep -Eo '^#[0-9]+' "$work.log" | tail -1 | tr -d '#')
        echo "fuzz $target: ${executed:-$runs} runs in $(( $(date +%s) - start )) s, no crash"
    else
        echo "fuzz $target: CRASH (reproducer in $scratch/crashes/)"
        tail -40 "$work.log"
        status=1
    fi
    rm -rf "$work" "$work.log"
done
exit $status
