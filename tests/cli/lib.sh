# tests/cli/lib.sh - what the CLI test scripts (tests/cli/test_*.sh) share:
# a temporary folder $tmp removed at exit, the counters pass and fail, the
# check helper and the closing summary. Sourced, not run, where a script
# needs them:
#     . "$(dirname "$0")/lib.sh"
# Its name does not match CMake's glob tests/cli/test_*.sh, so CTest does
# not run it as a test.
# shellcheck shell=bash

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# check NAME WANT_RC PATTERN -- COMMAND...: runs COMMAND, wants exit code
# WANT_RC and PATTERN (grep -E) somewhere in stdout+stderr.
check() {
    local name=$1 want_rc=$2 pattern=$3
    shift 4
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$want_rc" ] && grep -qE -- "$pattern" <<<"$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s: exit %s (want %s), pattern /%s/\n--- output:\n%s\n---\n' \
            "$name" "$rc" "$want_rc" "$pattern" "$out"
    fi
}

# summary: prints "N passed, N failed"; fails when a check failed. The
# script's last command, so that it is the script's exit code.
summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
