#!/usr/bin/env bash
# test_stages.sh - the stages of `make test`, each announced and timed:
#
#   1. every test (CTest) on the normal build;
#   2. every test again on a build with AddressSanitizer and UBSan (any
#      report fails its test: -fno-sanitize-recover);
#   3. the unit tests (CTest label `unit`) under valgrind with
#      --leak-check=full --error-exitcode=1, except those labelled `slow`
#      (test_facts: minutes under valgrind, and run by stages 1 and 2).
#
#   scripts/test_stages.sh BUILD_DIR ASAN_BUILD_DIR JOBS
#
# BUILD_DIR must be built already (`make build`); the ASan build is
# configured and built here. Every stage runs even when one before it
# failed, so one run shows everything; the exit code is 1 if any failed.
# The last line sums the stages' tests: "test: N passed, N failed".
set -u -o pipefail
build=$1
asan=$2
jobs=$3
root=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
total_pass=0
total_fail=0
summary=""
status=0

# Adds the counts of a CTest summary ("N% tests passed, F tests failed out
# of T") in file $2 to the totals, under stage name $1.
tally() {
    local line t f
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$2" |
        tail -n 1)
    if [ -z "$line" ]; then
        summary="$summary$(printf '  %-34s no test ran\n' "$1")"$'\n'
        total_fail=$((total_fail + 1))
        return
    fi
    t=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    f=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
    total_pass=$((total_pass + t - f))
    total_fail=$((total_fail + f))
    summary="$summary$(printf '  %-34s %3d passed, %d failed, %4d s' \
        "$1" $((t - f)) "$f" "$3")"$'\n'
}

stage() {
    echo
    echo "=== make test, stage $1: $2"
}

start=$(date +%s)

stage "1/3" "every test (CTest) in $build"
t0=$(date +%s)
(cd "$build" && ctest --output-on-failure -j "$jobs") 2>&1 |
    tee "$log/1" || status=1
tally "1 tests" "$log/1" $(($(date +%s) - t0))

stage "2/3" "every test under AddressSanitizer + UBSan in $asan"
t0=$(date +%s)
if cmake -S "$root" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DFW_SANITIZE=ON \
    -DFW_WERROR=ON >/dev/null &&
    cmake --build "$asan" -j "$jobs" >"$log/asan-build" 2>&1; then
    (cd "$asan" && ctest --output-on-failure -j "$jobs") 2>&1 |
        tee "$log/2" || status=1
else
    cat "$log/asan-build"
    echo "the sanitizer build failed" | tee "$log/2"
    status=1
fi
tally "2 tests under ASan + UBSan" "$log/2" $(($(date +%s) - t0))

stage "3/3" "unit tests under valgrind --leak-check=full (label unit, not slow)"
t0=$(date +%s)
# CTest's memcheck mode runs each test under valgrind; a leak or memory
# error makes valgrind exit 1, so the test fails. CTest wants a
# DartConfiguration.tcl for this mode and says so; its settings are given
# on the command line instead, so that note is dropped.
rm -f "$build"/Testing/Temporary/MemoryChecker.*.log
(cd "$build" && ctest -L unit -LE slow -j "$jobs" -T memcheck \
    --overwrite MemoryCheckCommand="$(command -v valgrind)" \
    --overwrite "MemoryCheckCommandOptions=--leak-check=full --error-exitcode=1 --num-callers=30 --suppressions=$root/scripts/valgrind.supp" \
    --output-on-failure) 2>&1 | grep -v 'DartConfiguration.tcl' |
    tee "$log/3" || status=1
for f in "$build"/Testing/Temporary/MemoryChecker.*.log; do
    if [ -s "$f" ] && grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$f"; then
        echo "--- valgrind report $f:"
        cat "$f"
    fi
done
tally "3 unit tests under valgrind" "$log/3" $(($(date +%s) - t0))

echo
echo "=== make test: stages"
printf '%s' "$summary"
echo "  total time $(($(date +%s) - start)) s"
[ "$total_fail" -eq 0 ] || status=1
echo "test: $total_pass passed, $total_fail failed"
exit "$status"
