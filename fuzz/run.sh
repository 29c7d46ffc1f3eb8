#!/usr/bin/env bash
# run.sh - runs each libFuzzer harness for a set time (`make fuzz`).
#
#   fuzz/run.sh BIN_DIR SECONDS WORK_DIR [HARNESS...]
#
# Without HARNESSes, every fuzz_<harness> built in BIN_DIR.
# Each fuzz_<harness> in BIN_DIR runs for SECONDS with its seed corpus
# fuzz/corpus/<harness>/ (read only) and WORK_DIR/corpus/<harness>/ (where
# it writes the new inputs it finds, kept between runs); crashes, leaks and
# timeouts go to WORK_DIR/findings/. Nothing is written into the
# repository: a finding is minimised and added to fuzz/corpus/ by hand,
# with the fix and a unit test. Two harnesses run at a time (2 cores).
# Prints executions and findings per harness; exits 1 if anything was found.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
seconds=$2
work=$3
shift 3
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    # every libFuzzer harness built (fuzz_<name>, not fuzz_replay_<name>),
    # so that a new one is never left out of the list
    for f in "$bin"/fuzz_*; do
        h=${f##*/fuzz_}
        if [ -x "$f" ] && [ -f "$f" ] && [ "${h#replay_}" = "$h" ]; then
            harnesses+=("$h")
        fi
    done
fi
jobs=${FUZZ_JOBS:-2}
mkdir -p "$work/findings" "$work/logs"

run_one() {
    local h=$1
    mkdir -p "$work/corpus/$h"
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GiB is
    # far above what any reader needs for a 4 KiB input
    "$bin/fuzz_$h" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/findings/$h-" \
        "$work/corpus/$h" "$here/corpus/$h" >"$work/logs/$h.log" 2>&1
}

echo "fuzzing ${#harnesses[@]} harnesses for $seconds s each, $jobs at a time"
echo "(logs in $work/logs, new inputs in $work/corpus, findings in $work/findings)"
rm -f "$work"/findings/*
i=0
for h in "${harnesses[@]}"; do
    run_one "$h" &
    i=$((i + 1))
    if [ $((i % jobs)) -eq 0 ]; then
        wait
    fi
done
wait

pass=0
fail=0
for h in "${harnesses[@]}"; do
    log=$work/logs/$h.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log")
    found=$(ls "$work/findings" | grep -c "^$h-" || true)
    printf '%-14s %12s executions, %6s new inputs, %s findings\n' \
        "$h" "${execs:-?}" "${added:-?}" "$found"
    if [ "$found" -eq 0 ] && [ -n "$execs" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        ls "$work/findings" | grep "^$h-" | sed "s|^|  $work/findings/|"
        grep -m 1 -E 'ERROR|invariant failed|runtime error' "$log" |
            sed 's/^/  /'
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
