#!/usr/bin/env bash
# The whole test suite: installs what it needs (idempotently), builds, runs the
# Swift tests (plainly, then under the thread and address sanitizers), a short
# libFuzzer smoke of each fuzz target, checks the HTTP API against openapi.yaml with
# schemathesis, checks the files of docker/ (alerting rules and their unit tests with
# promtool, the Grafana dashboard, the compose stack), and runs the Python client's tests
# (pytest). OBF_TEST_QUICK=1 skips the sanitizer and fuzzing passes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Debian packages: OpenSSL headers (TLS to Hazelcast), the openssl command (test certificates),
# and Prometheus (promtool for the alerting rules; the server for the scrape test). Without
# recommends: Prometheus alone, none of the exporters. Its package does not start a server here.
missing=()
dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python packages for the interoperability, API conformance and Python client tests, in .venv.
venv="$root/.venv"
stamp="$venv/.requirements.sha"
want=$(sha256sum scripts/requirements-test.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== installing Python test packages into .venv"
    python3 -m venv "$venv" || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
    echo "$want" > "$stamp"
fi
export OBF_PYTHON="$venv/bin/python"

echo "== docker/ files (promtool check config and test rules, Grafana dashboard, compose stack)"
PYTHON="$venv/bin/python" bash scripts/check-docker.sh \
    || { echo "docker/ checks failed: the alerting rules, their tests, the Grafana files or the compose stack (see above)"; exit 1; }

# Swift Testing starts every test of a pass at once unless it is told a width (its default is
# unbounded): some 280 tests, each with its servers, test members, client connections and child
# processes, so at the start of a pass several hundred threads and some twenty processes share
# the machine, and under a sanitizer every test waits behind all the others. A bounded width keeps
# each test close to its own speed on any machine and costs no time on this suite (the longest
# tests set its length). OBF_TEST_WIDTH overrides it.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${OBF_TEST_WIDTH:-8}

# A test run that has not ended after this long is stopped (exit 124) and fails, so a hang
# is reported as such rather than running into the CI's own limit. `timeout` runs the tests
# in a process group of their own, so they read from /dev/null, never from a terminal.
suite_limit=${OBF_TEST_SUITE_LIMIT:-15m}

# After a hung pass is stopped: the processes its tests started (obf serve, members, Python
# clients, Prometheus) run in process groups of their own, so `timeout` did not reach them.
stop_leftovers() {
    pkill -KILL -f "^$root/\.build" || true
    pkill -KILL -f "^$root/\.venv/bin/python" || true
    pkill -KILL -f -- "--config.file=[^ ]*/obf-prometheus-[^ ]*/prometheus.yml" || true
}

# Prints the failing tests of a test log, so a failed run names them in its last lines.
show_failures() {
    echo "-- failures in $1:"
    grep -E '✘ Test .*(recorded an issue|failed)|error: .*XCT|Test Case .* failed' "$1" | grep -v '^✘ Test run with' | head -40 || true
}

# Runs one pass of the suite (extra `swift test` arguments after LOG) with its whole output in
# LOG, printing the summary lines; a failed, hung or sanitizer-reporting pass names its failing
# tests and ends the script.
run_pass() {
    local label=$1 log=$2
    shift 2
    set +e
    timeout -k 30s "$suite_limit" swift test --skip-build "$@" < /dev/null > "$log" 2>&1
    local status=$?
    set -e
    grep -E 'Test run with|WARNING: ThreadSanitizer|ERROR: AddressSanitizer|SUMMARY:' "$log" | head -20 || true
    [ "$status" -ne 124 ] || { echo "$label did not end within $suite_limit"; stop_leftovers; }
    if [ "$status" -ne 0 ] || grep -qE 'WARNING: ThreadSanitizer|ERROR: AddressSanitizer' "$log"; then
        show_failures "$log"
        echo "$label failed (full output in $log)"
        exit 1
    fi
}

echo "== building"
swift build --build-tests -q

echo "== swift test"
run_pass "swift test" .build/test-output.txt

if [ "${OBF_TEST_QUICK:-0}" != "1" ]; then
    for sanitizer in thread address; do
        echo "== swift test under the $sanitizer sanitizer"
        # The gold linker warns once per ASan helper symbol; those lines carry nothing.
        swift build --build-tests -q --sanitize=$sanitizer --scratch-path ".build-$sanitizer" 2>&1 \
            | { grep -v "Cannot export local symbol '__asan" || true; }
        # Leak reports are off: at exit they list the XCTest and Foundation runtimes' own
        # allocations and async frames of the test harness, not the service's memory.
        ASAN_OPTIONS=detect_leaks=0 run_pass "swift test under the $sanitizer sanitizer" ".build/test-$sanitizer.txt" \
            --sanitize=$sanitizer --scratch-path ".build-$sanitizer"
    done

    echo "== fuzzing smoke (libFuzzer, 20000 runs per target)"
    bash scripts/fuzz.sh 20000
fi

echo "== API conformance (openapi.yaml, schemathesis)"
OBF_BIN="$root/.build/debug/obf" VENV="$venv" bash scripts/api-conformance.sh

# The package says it is typed (py.typed): mypy --strict holds it to that.
echo "== Python client types (mypy --strict clients/python/src)"
"$venv/bin/python" -m mypy --strict --no-error-summary clients/python/src \
    || { echo "mypy --strict found type errors in clients/python/src (see above)"; exit 1; }

# The Python client: `pip install ./clients/python` into .venv whenever its sources changed (the
# tests import that installed copy), then its pytest suite against real `obf serve` processes and
# test members. Exit 5 (no test ran) fails like any other failure.
echo "== Python client (clients/python, pytest)"
client_want=$(find clients/python/pyproject.toml clients/python/README.md clients/python/src -type f \
    -not -path '*/__pycache__/*' -not -path '*.egg-info/*' | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
client_stamp="$venv/.obf-client.sha"
if [ "$(cat "$client_stamp" 2>/dev/null)" != "$client_want" ]; then
    rm -rf clients/python/build   # setuptools' in-tree build folder would keep files removed from src/
    "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./clients/python
    echo "$client_want" > "$client_stamp"
fi
python_log=.build/test-python.txt
set +e
OBF_BIN="$root/.build/debug/obf" HZ_MEMBER_BIN="$root/.build/debug/hz-test-member" \
    timeout -k 30s "$suite_limit" "$venv/bin/python" -m pytest clients/python/tests -q -rfE < /dev/null > "$python_log" 2>&1
python_status=$?
set -e
tail -1 "$python_log"
[ "$python_status" -ne 124 ] || { echo "pytest did not end within $suite_limit"; stop_leftovers; }
if [ "$python_status" -ne 0 ]; then
    echo "-- failures in $python_log:"
    grep -E '^(FAILED|ERROR) ' "$python_log" | head -40 || true
    [ "$python_status" -ne 5 ] || echo "pytest ran no test"
    echo "pytest failed (full output in $python_log)"
    exit 1
fi
python_tests=$(tail -1 "$python_log" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+')

swift_tests=$(grep -Eo 'Test run with [0-9]+ tests?' .build/test-output.txt | grep -Eo '[0-9]+' | tail -1)
echo "== all tests passed"
echo "swift test: ${swift_tests:-0} tests passed; API conformance (schemathesis) passed; docker/ checks passed;" \
    "Python client: ${python_tests:-0} tests passed"
echo "total: $(( ${swift_tests:-0} + 2 + ${python_tests:-0} )) passed, 0 failed"
