#!/usr/bin/env bash
# CLI tests of the forecasts on the real data (../shared/data): train a
# model (without its back-test, for time), then assess and risk with it.
# Skipped (exit 77) when the real data is absent. $FW is the frontwatch
# binary (set by CTest).
set -u
FW=${FW:-build/frontwatch}
DATA=${FW_SHARED_DATA:-../shared/data}
if [ ! -d "$DATA/frontline" ]; then
    echo "test_forecast_cli: skipped: the real data ($DATA) is not here"
    exit 77
fi
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
export FRONTWATCH_DB=$tmp/t.db
M=$tmp/occupation.json

check ingest 0 "[0-9]+ files ingested, 0 already present" -- "$FW" ingest "$DATA"
# the new isolated parts held back over the whole history (decision 0006)
check status-held 0 '^    held back \(isolated\) +22$' -- "$FW" status
# without a back-test the rule has nothing to choose by: distance-only
check train-default 0 "wrote .*dist\\.json: logit_dist, labels resolved by 2025-08-31" \
    -- "$FW" train --until 2025-08-31 --out "$tmp/dist.json" --no-backtest --quiet
check model-selection 0 '^1$' -- grep -cE '"selection":[[:space:]]*"no back-test to choose by' "$tmp/dist.json"
check assess-dist 0 'within 90 days: .*%' \
    -- "$FW" assess Kharkiv --date 2024-05-01 --model "$tmp/dist.json"
check train-kind-bad 2 'train: --kind trees: expected logit_dist, logit_full, xgboost, blend or stack' \
    -- "$FW" train --until 2025-08-31 --out "$tmp/x.json" --kind trees
# a composite kind: per horizon two models and a combiner in one file
check train 0 "wrote .*occupation\\.json: blend, labels resolved by 2025-08-31" \
    -- "$FW" train --until 2025-08-31 --out "$M" --no-backtest --kind blend --quiet
check model-parts 0 '^4$' -- grep -cE '"kind":[[:space:]]*"(xgboost|logit_dist)"' "$M"
check model-file 0 '^1$' -- grep -cE '"trained_until":[[:space:]]*"2025-08-31"' "$M"
check model-command 0 '^1$' -- grep -cE '"command":[[:space:]]*"frontwatch train --until 2025-08-31' "$M"
check model-sha 0 '^1$' -- grep -cE '"data_sha256":[[:space:]]*"[0-9a-f]{64}"' "$M"
check assess-p 0 'within 30 days: .*%.*not back-tested' \
    -- "$FW" assess Kharkiv --date 2024-05-01 --model "$M"
check assess-reason 0 '(raises|lowers) it: the occupied area is [0-9.]+ km away' \
    -- "$FW" assess Kharkiv --date 2024-05-01 --model "$M"
check assess-json 0 '"p_occupied_30d":[0-9.e-]+,"p_occupied_90d":[0-9.e-]+,"forecast":\{"state":"ok"' \
    -- "$FW" assess Kharkiv --date 2024-05-01 --json --model "$M"
check assess-occupied 0 'none: the place is occupied on the newest map' \
    -- "$FW" assess Donetsk --date 2024-05-01 --model "$M"
check risk 0 '^ +5  [A-Z]' -- "$FW" risk --date 2025-06-01 --top 5 --model "$M"
check risk-count 0 '^5$' -- bash -c "'$FW' risk --date 2025-06-01 --top 5 --model '$M' | grep -cE '^ +[0-9]+  [A-Z]'"
check risk-json 0 '"places":\[\{"rank":1,"id":[0-9]+' \
    -- "$FW" risk --date 2025-06-01 --top 3 --json --model "$M"
# the 90-day probability is never below the 30-day one
check risk-p90-ge-p30 0 '^ok 50$' -- bash -c "'$FW' risk --date 2025-06-01 --top 50 --model '$M' | awk '/^ +[0-9]+  /{ n++; k = 0; for (i = 1; i <= NF; i++) if (\$i ~ /%\$/) { v[++k] = \$i + 0 } if (v[2] < v[1]) bad++ } END { print (bad ? \"bad\" : \"ok\"), n }'"
# the server answers the same as the CLI with the model: /api/assess
# takes each place from every place's forecast of the day (made once,
# shared), the CLI forecasts the one place; /api/risk is `risk --json`
if command -v curl >/dev/null 2>&1; then
    "$FW" serve --port 0 --model "$M" --web '' --quiet >"$tmp/serve.out" 2>&1 &
    server=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.out")
        [ -n "$port" ] && break
        sleep 0.1
    done
    for q in "Kharkiv 2024-05-01" "Vovchansk 2024-05-15" "Pokrovsk 2025-06-01" "Kherson 2022-11-20"; do
        set -- $q
        "$FW" assess "$1" --date "$2" --json --model "$M" >"$tmp/cli.json" 2>/dev/null
        curl -s --max-time 60 "http://127.0.0.1:$port/api/assess/$1?date=$2" >"$tmp/api.json"
        check "serve-assess-$1" 0 '^same$' -- bash -c "cmp -s '$tmp/cli.json' '$tmp/api.json' && echo same"
    done
    "$FW" risk --date 2025-06-01 --top 10 --json --model "$M" >"$tmp/cli.json"
    curl -s --max-time 60 "http://127.0.0.1:$port/api/risk?date=2025-06-01&top=10" >"$tmp/api.json"
    check serve-risk 0 '^same$' -- bash -c "cmp -s '$tmp/cli.json' '$tmp/api.json' && echo same"
    kill "$server"
    wait "$server"
else
    echo "test_forecast_cli: no curl: the server's answers with a model not compared"
fi

sed 's/"log_dist"/"log_Dist"/' "$M" > "$tmp/other.json"
check other-features 1 'other\.json: made for other features' \
    -- "$FW" assess Kharkiv --model "$tmp/other.json"

summary
