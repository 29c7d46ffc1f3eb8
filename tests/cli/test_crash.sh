#!/usr/bin/env bash
# Crash safety: `frontwatch ingest` killed with SIGKILL at a random moment,
# 20 times, then run again to the end. Each time the store must pass
# `status --check` (SQLite integrity_check and frontwatch's invariants) and
# hold exactly what an uninterrupted ingest holds: nothing twice, nothing
# lost.
set -u
FW=${FW:-build/frontwatch}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
RUNS=${FW_CRASH_RUNS:-20}
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
partial=""

counts() { "$FW" status --db "$1" | grep -E '^  [a-z]'; }

"$FW" ingest --quiet --db "$tmp/ref.db" "$SAMPLE" || exit 1
ref=$(counts "$tmp/ref.db")
start=$(date +%s%N)
"$FW" ingest --quiet --db "$tmp/timing.db" "$SAMPLE"
span_ms=$(( ($(date +%s%N) - start) / 1000000 + 50 ))

for i in $(seq 1 "$RUNS"); do
    db=$tmp/run$i.db
    "$FW" ingest --quiet --db "$db" "$SAMPLE" &
    pid=$!
    delay_ms=$(( RANDOM % span_ms ))
    sleep "$(printf '0.%03d' "$delay_ms")"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # how far the killed run got (files committed), for the summary
    got_files=$("$FW" status --db "$db" 2>/dev/null | awk '/files ingested/ {print $3}')
    partial="$partial ${got_files:-none}"
    if ! "$FW" ingest --quiet --db "$db" "$SAMPLE"; then
        fail=$((fail + 1)); echo "FAIL run $i: re-run after kill at ${delay_ms} ms failed"; continue
    fi
    if ! out=$("$FW" status --check --db "$db"); then
        fail=$((fail + 1)); echo "FAIL run $i: check after kill at ${delay_ms} ms:"; echo "$out"; continue
    fi
    got=$(counts "$db")
    if [ "$got" != "$ref" ]; then
        fail=$((fail + 1)); echo "FAIL run $i: after kill at ${delay_ms} ms the store differs:"
        diff <(echo "$ref") <(echo "$got"); continue
    fi
    pass=$((pass + 1))
done
echo "files committed when killed (of 10):$partial"
summary
