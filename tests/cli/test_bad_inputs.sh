#!/usr/bin/env bash
# Broken inputs: every case of tests/data/bad/EXPECTED is ingested into a
# copy of one small store. Each must end with its exact exit code and
# message (a refused file) or its exact "ok" line and first issue (a file
# accepted with rejects or repairs), within a time and memory limit, and a
# refused file must leave the store as it was (`frontwatch status` the same
# before and after) and whole (`status --check`). The big cases (2 MB
# lines, a JSON document over its cap, a gzip bomb) are generated here, not
# kept in the repository. $FW is the frontwatch binary (set by CTest).
set -u
FW=${FW:-build/frontwatch}
case $FW in /*) ;; *) FW=$PWD/$FW ;; esac # the cases run in another folder
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
BAD=${FW_TEST_DATA:-tests/data}/bad
# No case may take longer (a hang) or more memory than this. A gzip bomb
# must fail long before its 512 MiB cap is allocated: it is never held.
LIMIT_S=60
LIMIT_RSS_KB=$((256 * 1024))
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# gen NAME: writes the generated case NAME into $tmp/in.
gen() {
    local out=$tmp/in/$1
    case $1 in
    alerts_2mb_line.csv)
        {
            printf 'oblast,raion,hromada,level,started_at,finished_at,source\n'
            printf 'Kharkivska oblast,'
            head -c 2097152 /dev/zero | tr '\0' x
            printf ',,raion,2022-03-15 16:54:51+00:00,'
            printf '2022-03-15 17:02:45+00:00,official\n'
        } >"$out"
        ;;
    geonames_2mb_line.txt)
        # a real row (GeoNames, CC BY 4.0), then one of 2 MB
        head -n 1 "$BAD/geonames_wrong_columns.txt" >"$out"
        head -c 2097152 /dev/zero | tr '\0' x >>"$out"
        printf '\n' >>"$out"
        ;;
    deepstatemap_data_20240101_huge.geojson.gz)
        {
            printf '{"type": "FeatureCollection", "features": [], "pad": "'
            head -c $((65 << 20)) /dev/zero | tr '\0' x
            printf '"}\n'
        } | gzip -1 >"$out"
        ;;
    alerts_bomb.csv.gz)
        # 640 MiB of NUL bytes after a valid header, as 11 gzip members
        # (gzip reads them as one stream): 650 KB on disk
        head -c $((64 << 20)) /dev/zero | gzip -9 >"$tmp/zeros.gz"
        printf 'region,started_at,finished_at,naive\n' | gzip -9 >"$out"
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            cat "$tmp/zeros.gz" >>"$out"
        done
        ;;
    *)
        return 1
        ;;
    esac
}

# the store every case starts from: not empty, so a change would show
mkdir -p "$tmp/in"
"$FW" ingest --quiet --db "$tmp/base.db" "$SAMPLE/alerts/states.json.gz" ||
    exit 1
counts() { "$FW" status --db "$1" | tail -n +2; }

while IFS='|' read -r name want_rc want_line want_issue; do
    name=${name% }
    want_rc=${want_rc# }
    want_rc=${want_rc% }
    want_line=${want_line# }
    want_line=${want_line% }
    want_issue=${want_issue# }
    case $name in '#'* | '') continue ;; esac
    if [ -f "$BAD/$name" ]; then
        cp "$BAD/$name" "$tmp/in/$name"
    elif ! gen "$name"; then
        fail=$((fail + 1)); echo "FAIL $name: no such file and no generator"
        continue
    fi
    rm -f "$tmp"/c.db*
    cp "$tmp/base.db" "$tmp/c.db"
    before=$(counts "$tmp/c.db")
    (cd "$tmp/in" && /usr/bin/time -o "$tmp/rss" -f %M \
        timeout "$LIMIT_S" "$FW" ingest --db "$tmp/c.db" "$name" \
        >"$tmp/out" 2>"$tmp/err")
    rc=$?
    after=$(counts "$tmp/c.db")
    rss=$(tail -n 1 "$tmp/rss")
    rm -f "$tmp/in/$name"
    why=""
    if [ "$rc" -ne "$want_rc" ]; then
        why="exit $rc, want $want_rc"
    elif [ "$want_rc" -ne 0 ]; then
        got=$(head -n 1 "$tmp/err")
        [ "$got" = "$want_line" ] || why="stderr '$got'"
        [ "$before" = "$after" ] || why="$why; the store changed"
    else
        grep -qxF -- "$want_line" "$tmp/out" || why="no line '$want_line'"
        if [ -n "$want_issue" ] &&
            ! grep -qxF -- "      first issue: $want_issue" "$tmp/out"; then
            why="$why; no first issue '$want_issue'"
        fi
    fi
    if [ "${rss:-0}" -gt "$LIMIT_RSS_KB" ] 2>/dev/null; then
        why="$why; peak RSS ${rss} KB over ${LIMIT_RSS_KB} KB"
    fi
    if ! "$FW" status --check --db "$tmp/c.db" >"$tmp/check" 2>&1; then
        why="$why; status --check failed: $(tail -n 3 "$tmp/check")"
    fi
    case $name in *bomb*) echo "gzip bomb: peak RSS ${rss} KB" ;; esac
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s: %s\n--- stdout:\n%s\n--- stderr:\n%s\n---\n' \
            "$name" "$why" "$(cat "$tmp/out")" "$(cat "$tmp/err")"
    fi
done <"$BAD/EXPECTED"

summary && [ "$pass" -gt 0 ]
