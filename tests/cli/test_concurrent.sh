#!/usr/bin/env bash
# Readers while a writer ingests (WAL): `status --check` and `assess` run
# in a loop during an ingest and must always see a whole store, never half
# a file. Bounded: at most 300 reader runs.
set -u
FW=${FW:-build/frontwatch}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# replaces lib.sh's trap: also stops the writer if the script ends first
trap 'rm -rf "$tmp"; kill "$writer" 2>/dev/null' EXIT
db=$tmp/c.db
# the store exists and is migrated before the readers start
"$FW" ingest --quiet --db "$db" "$SAMPLE/gazetteer" || exit 1
# a longer write when the real data is there
more=()
if [ -n "${FW_SHARED_DATA:-}" ] && [ -d "$FW_SHARED_DATA/frontline/deepstate_full_layers_2022-2025" ]; then
    more=("$FW_SHARED_DATA/frontline/deepstate_full_layers_2022-2025")
fi
"$FW" ingest --quiet --db "$db" "$SAMPLE" "${more[@]}" &
writer=$!
n=0
while kill -0 "$writer" 2>/dev/null && [ "$n" -lt 300 ]; do
    n=$((n + 1))
    if out=$("$FW" status --check --db "$db" 2>&1); then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL reader $n:"; echo "$out"
    fi
    if out=$("$FW" assess Kharkiv --date 2025-08-25 --db "$db" 2>&1); then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL assess $n:"; echo "$out"
    fi
done
wait "$writer"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL writer exited $rc"; fail=$((fail + 1)); }
echo "readers ran $n times during the ingest"
summary && [ "$n" -gt 0 ]
