#!/usr/bin/env bash
# bench/forecast_speed.sh - how long a user waits for a forecast: `assess`
# with a model file for the 20 most populous places (each a new process,
# warm page cache) and `risk` for every place (5 runs), on an idle machine
# and again with two busy processes beside it (the shared 2-core machine
# of issue 11, where xgboost's spinning OpenMP threads made one `risk` take
# 23-60 s). Prints a Markdown table for bench/NOTES.md.
#
#   bench/forecast_speed.sh STORE MODEL [BIN]    (BIN: default build)
set -euo pipefail
STORE=$1 MODEL=$2 BIN=${3:-build}
FW=$BIN/frontwatch
DATE=2025-08-25

ms() { # runs "$@" quietly, prints its wall time in ms
    local a b
    a=$(date +%s%N)
    "$@" >/dev/null
    b=$(date +%s%N)
    echo $(((b - a) / 1000000))
}

stats() { # reads numbers, prints "median / max" in ms
    sort -n | awk '{ v[NR] = $1 } END { printf "%d / %d", v[int((NR + 1) / 2)], v[NR] }'
}

ids=$(sqlite3 "$STORE" "SELECT id FROM place WHERE merged_into IS NULL
                        ORDER BY coalesce(population, -1) DESC LIMIT 20")

run() {
    local label=$1 a r
    a=$(for id in $ids; do
            ms "$FW" assess --id "$id" --date "$DATE" --db "$STORE" --model "$MODEL"
        done | stats)
    r=$(for _ in 1 2 3 4 5; do
            ms "$FW" risk --date "$DATE" --db "$STORE" --model "$MODEL" --top 10
        done | stats)
    echo "| $label | $a | $r |"
}

echo "| machine | assess with a model, 20 places: median / max ms | risk, every place, 5 runs: median / max ms |"
echo "|---|---|---|"
"$FW" assess --id "$(echo "$ids" | head -1)" --date "$DATE" --db "$STORE" --model "$MODEL" >/dev/null
run "idle"
yes >/dev/null &
h1=$!
yes >/dev/null &
h2=$!
trap 'kill $h1 $h2 2>/dev/null || true' EXIT
run "two busy processes beside it"
