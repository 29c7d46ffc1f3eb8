#!/usr/bin/env bash
# CLI tests of the air-raid alert outlook on the bundled sample, which
# holds the real alert files (2022-02-25 .. 2023-12-31): train and
# back-test with --target alerts, outlook for one place and for every
# region (--all), the batch equal to single outlooks on sampled hours,
# withheld outlooks, and assess with an alert model. $FW is the frontwatch
# binary (set by CTest).
set -u
FW=${FW:-build/frontwatch}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
export FRONTWATCH_DB=$tmp/t.db
M=$tmp/alerts.json

check ingest 0 "files ingested" -- "$FW" ingest "$SAMPLE"
check train 0 "wrote .*alerts\\.json: logit alert outlook, outcomes resolved by 2023-10-31" \
    -- "$FW" train --target alerts --until 2023-10-31 --out "$M"
check train-kind-bad 2 'train --target alerts: --kind trees: expected prior, persistence, logit or xgboost' \
    -- "$FW" train --target alerts --until 2023-10-31 --out "$tmp/x.json" --kind trees
check target-bad 2 'train: --target weather: expected occupation or alerts' \
    -- "$FW" train --target weather --until 2023-10-31 --out "$tmp/x.json"
check model-file 0 '^1$' -- grep -cE '"format":[[:space:]]*"frontwatch-alert-model"' "$M"
check model-command 0 '^1$' -- grep -cE '"command":[[:space:]]*"frontwatch train --target alerts --until 2023-10-31' "$M"

check outlook-text 0 'chance of an air-raid alert in the next 6 hours: [0-9]+ % \(usual for this hour: [0-9]+ %\)' \
    -- "$FW" outlook Kharkiv --at 2023-12-01T18:00Z --model "$M"
check outlook-kyiv-city 0 '^Kyiv City \(UA-30\), the hour from 2023-12-01 18:00 UTC \(20:00 Kyiv time\)' \
    -- "$FW" outlook Kyiv --at 2023-12-01T18:00Z --model "$M"
check outlook-oblast-name 0 '^Kyiv oblast \(UA-32\)' \
    -- "$FW" outlook "Kyivska oblast" --at 2023-12-01T18:00Z --model "$M"
# winter: 18:00 UTC is 20:00 in Kyiv; summer: 21:00
check outlook-summer-time 0 '\(21:00 Kyiv time\)' \
    -- "$FW" outlook Kharkiv --at 2023-07-01T18:30Z --model "$M"
check outlook-json 0 '^\{"oblast_iso":"UA-63","oblast":"Kharkiv","at":"2023-12-01T18:00:00Z","p_alert_6h":0\.[0-9]{4},"p_alert_24h":[01]\.[0-9]{4},.*"withheld":null' \
    -- "$FW" outlook Kharkiv --at 2023-12-01T18:00Z --model "$M" --json
check outlook-luhansk 0 'no outlook: UA-09 has permanent sirens' \
    -- "$FW" outlook Luhansk --at 2023-12-01T18:00Z --model "$M"
check outlook-stale 0 'no outlook: the newest alert data \(2023-12-31T23:57:39Z\) is more than 24 hours older than the time asked' \
    -- "$FW" outlook Kharkiv --at 2024-03-01T12:00Z --model "$M"
check outlook-stale-json 0 '"p_alert_6h":null,"p_alert_24h":null,.*"withheld":"the newest alert data' \
    -- "$FW" outlook Kharkiv --at 2024-03-01T12:00Z --model "$M" --json
check outlook-no-model 3 'no alert model at models/alerts\.json: make one with `frontwatch train --target alerts' \
    -- env -u FRONTWATCH_ALERT_MODEL bash -c "cd '$tmp' && '$FW' outlook Kharkiv"
check outlook-bad-time 2 '--at 2023-13-01T18:00Z: expected' \
    -- "$FW" outlook Kharkiv --at 2023-13-01T18:00Z --model "$M"
check outlook-unknown 4 "no place named 'Nowhereville'" \
    -- "$FW" outlook Nowhereville --model "$M"

# --all: every region and hour of November 2023, then single outlooks on
# sampled rows give the same numbers
check outlook-all 0 '' -- bash -c "'$FW' outlook --all --from 2023-11-01 --to 2023-11-30 --csv --model '$M' > '$tmp/all.csv'"
check all-rows 0 '^17281$' -- wc -l < "$tmp/all.csv"
check all-header 0 '^time_utc,oblast_iso,p_alert_6h,p_alert_24h$' -- head -1 "$tmp/all.csv"
same=0
for n in 2 999 4444 8001 12345 17281; do
    row=$(sed -n "${n}p" "$tmp/all.csv")
    IFS=, read -r t iso p6 p24 <<<"$row"
    one=$("$FW" outlook "$iso" --at "$t" --model "$M" --json)
    if grep -q "\"at\":\"$t\",\"p_alert_6h\":$p6,\"p_alert_24h\":$p24," <<<"$one"; then
        same=$((same + 1))
    else
        echo "batch row $n: $row; single: $one"
    fi
done
check all-equals-single 0 '^6$' -- echo "$same"

check assess-outlook 0 'chance of an air-raid alert in Kharkiv oblast in the next 6 hours: [0-9]+ %, usual for this hour: [0-9]+ %' \
    -- "$FW" assess Kharkiv --date 2023-12-01 --alert-model "$M"
check assess-outlook-json 0 '"p_alert_6h":0\.[0-9]+,"p_alert_24h":[01](\.[0-9]+)?,"alert_outlook":\{"at":"2023-12-01T23:00:00Z"' \
    -- "$FW" assess Kharkiv --date 2023-12-01 --alert-model "$M" --json
check assess-outlook-withheld 0 'no alert outlook: the newest alert data' \
    -- "$FW" assess Kharkiv --date 2024-05-01 --alert-model "$M"
check assess-no-alert-model 0 '"p_alert_6h":null,"p_alert_24h":null,"alert_outlook":null' \
    -- env -u FRONTWATCH_ALERT_MODEL bash -c "cd '$tmp' && '$FW' assess Kharkiv --date 2023-12-01 --json"

# the back-test: written, and the outlook beats calibrated persistence at
# 6 hours on the last three folds by more than the published peer's lift
check backtest 0 'wrote .*/report\.md' \
    -- "$FW" backtest --target alerts --from 2023-01-01 --to 2023-12-31 --out "$tmp/report" --quiet
for f in report.md report.json reliability_6h.svg reliability_24h.svg; do
    check "report-$f" 0 '' -- test -s "$tmp/report/$f"
done
check backtest-lift 0 '^beaten$' -- python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
folds = [s for s in r['sets'] if s['name'] == 'folds'][0]
h6 = folds['horizons'][0]['models']
peer = r['peer_6h']['roc_auc_xgboost'] - r['peer_6h']['roc_auc_persistence']
best = max(h6['xgboost']['roc_auc'], h6['logit']['roc_auc'])
print('beaten' if best - h6['persistence']['roc_auc'] > peer else 'not beaten')
" "$tmp/report/report.json"
check backtest-split 0 '^ok$' -- python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
split = [s for s in r['sets'] if s['name'] == 'split'][0]
assert split['from'] == '2023-01-01' and split['to'] == '2023-12-31'
for h in split['horizons']:
    m = h['models']
    assert m['logit']['brier'] < m['persistence']['brier'] < m['prior']['brier'], h
    assert m['prior']['roc_auc'] == 0.5, h
print('ok')
" "$tmp/report/report.json"
summary
