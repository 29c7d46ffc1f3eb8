#!/usr/bin/env bash
# CLI tests: the program run as a user runs it, on the bundled sample.
# One check per line: the command, then what its output or exit code must
# show. $FW is the frontwatch binary (set by CTest).
set -u
FW=${FW:-build/frontwatch}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
BAD=${FW_TEST_DATA:-tests/data}/bad
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
export FRONTWATCH_DB=$tmp/t.db

check help 0 'Usage: frontwatch COMMAND' -- "$FW" --help
check help-assess 0 'Examples:' -- "$FW" help assess
check help-ingest 0 'one transaction' -- "$FW" ingest --help
check no-command 2 'Usage' -- "$FW"
check unknown-command 2 "unknown command 'asess'" -- "$FW" asess Kharkiv
check no-store 3 'no store at' -- "$FW" assess Kharkiv --db "$tmp/none.db"

check ingest 0 '12 files ingested, 0 already present' -- "$FW" ingest "$SAMPLE"
check ingest-again 0 '0 files ingested, 12 already present' -- "$FW" ingest "$SAMPLE"
check ingest-same-says 0 'already ingested \(sha256' -- "$FW" ingest "$SAMPLE/alerts/states.json.gz"
check status-checked 0 '^    not yet checked +0$' -- "$FW" status

check assess-words 0 '^Kharkiv is not occupied\. The nearest occupied area is 32\.7 km away' \
    -- "$FW" assess Kharkiv --date 2025-08-25
check assess-border 0 '^Kharkiv is not occupied\. The nearest occupied area is 32\.7 km away, unchanged from 28 days ago\. The Russian border is 34\.8 km away\.$' \
    -- "$FW" assess Kharkiv --date 2025-08-25
check assess-cyrillic 0 '^Kharkiv \(Харків\), Kharkiv oblast' -- "$FW" assess Харків --date 2025-08-25
check assess-stale 0 'alerts +newest 2023-12-31 \(603 days\)  STALE' -- "$FW" assess Kharkiv --date 2025-08-25
check assess-json 0 '^\{"place":\{"id":[0-9]+,"name":"Kharkiv",.*"oblast":"Kharkiv".*"population":1433886\},"date":"2025-08-25","status":"free"' \
    -- "$FW" assess Kharkiv --date 2025-08-25 --json
check assess-json-keys 0 '"status_by_source":\{.*"distance_km":32\.7[0-9]*,"distance_change_7d_km":0,"distance_change_28d_km":0,.*"alert_hours_7d":null,"alert_hours_30d":null,.*"sources":\[' \
    -- "$FW" assess Kharkiv --date 2025-08-25 --json
check assess-occupied 0 '^Donetsk has been occupied since before 2022\.|^Donetsk is occupied\.' \
    -- "$FW" assess Donetsk --date 2025-08-25
check assess-alert-hours 0 'last 30 days +[0-9]+\.[0-9] h' -- "$FW" assess Kharkiv --date 2023-06-01
check assess-no-alerts 0 'unknown: the alert data ends on 2023-12-31' -- "$FW" assess Kharkiv --date 2025-08-25
check ambiguous 4 "'Mykolaivka' names [0-9]+ places" -- "$FW" assess Mykolaivka
check ambiguous-oblast 0 '^Avdiivka .*Donetsk oblast' -- "$FW" assess 'Avdiivka, Donetsk' --date 2025-08-25
check unknown-place 4 'Did you mean:' -- "$FW" assess Kharkif
check suggestion 4 'Kharkiv +Kharkiv +population 1,433,886' -- "$FW" assess Kharkif
check bad-date 2 "--date '2024-02-30': no such day" -- "$FW" assess Kharkiv --date 2024-02-30
check bad-date-format 2 'expected YYYY-MM-DD' -- "$FW" assess Kharkiv --date 01.03.2024
check places 0 'places within 30 km of Kharkiv on 2025-08-25' -- "$FW" places --near Kharkiv --km 30 --date 2025-08-25
check places-json 0 '^\[\{"id":[0-9]+,"name":"Kharkiv"' -- "$FW" places --near Kharkiv --km 30 --date 2025-08-25 --json
check places-bad-km 2 "--km" -- "$FW" places --near Kharkiv --km -3

# forecasts without a model file, and their bad command lines
check assess-no-model 0 'Chance of coming under occupation: not computed, no model file' -- "$FW" assess Kharkiv --date 2025-08-25
check assess-json-no-model 0 '"p_occupied_30d":null,"p_occupied_90d":null,"forecast":\{"state":"no_model"\}' \
    -- "$FW" assess Kharkiv --date 2025-08-25 --json
check assess-missing-model 3 'cannot open model file .*none\.json' \
    -- "$FW" assess Kharkiv --date 2025-08-25 --model "$tmp/none.json"
check assess-bad-model 1 'README\.md: not JSON' -- "$FW" assess Kharkiv --model "$BAD/README.md"
check risk-no-model 3 'no model file' -- "$FW" risk --date 2025-06-01
check risk-bad-horizon 2 "--horizon '45': 30 or 90" -- "$FW" risk --horizon 45
check backtest-needs 2 'backtest needs --to' -- "$FW" backtest --from 2022-06-01
check backtest-bad-horizon 2 "--horizon '30,45'" -- "$FW" backtest --to 2025-08-31 --horizon 30,45 --out "$tmp/r"
check backtest-no-history 1 'no weekly map history' -- "$FW" backtest --to 2025-08-31 --out "$tmp/r"
check train-needs 2 'train needs --until' -- "$FW" train --out "$tmp/m.json"
check help-backtest 0 'Rolling-origin back-test' -- "$FW" help backtest

check bad-quote 1 'alerts_unterminated_quote\.csv:3: unterminated quoted field' \
    -- "$FW" ingest "$BAD/alerts_unterminated_quote.csv"
check bad-date-in-file 1 'alerts_unknown_date_format\.csv:3:18: started_at' \
    -- "$FW" ingest "$BAD/alerts_unknown_date_format.csv"
check bad-coordinate 1 'out_of_range\.geojson: feature 0: .*237\.5' \
    -- "$FW" ingest "$BAD/deepstatemap_data_20240708_out_of_range.geojson"
check unchanged 0 '0 files ingested, 12 already present' -- "$FW" ingest "$SAMPLE"
check not-a-source 1 'not a source frontwatch reads' -- "$FW" ingest "$BAD/README.md"

summary
