#!/usr/bin/env bash
# CLI tests of `frontwatch update` and `sources` against the loopback test
# server (tests/support, $FW_TEST_HTTPD) serving ../shared/data in the
# sources' shapes: a first update ingests, then `assess` with no date
# answers for today (Kyiv) from the served data; a second update finds
# nothing new; the token is sent and never printed or stored; exit codes
# for some and for all sources failing; two updates at once. No request
# leaves 127.0.0.1. Skipped (77) without the real data or the server.
set -u
FW=${FW:-build/frontwatch}
HTTPD=${FW_TEST_HTTPD:-build/fw_test_httpd}
DATA=${FW_SHARED_DATA:-../shared/data}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
if [ ! -d "$DATA/frontline" ] || [ ! -x "$HTTPD" ]; then
    echo "test_update: skipped: needs the real data ($DATA) and the test" \
        "server ($HTTPD)"
    exit 77
fi
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
TOKEN=cli-T0ken-777
"$HTTPD" --data "$DATA" --token "$TOKEN" --port-file "$tmp/port" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
    [ -s "$tmp/port" ] && break
    sleep 0.1
done
port=$(cat "$tmp/port")
B=http://127.0.0.1:$port

# control: GET a /_control/ URL of the server (bash's /dev/tcp, no curl)
control() {
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET /_control/%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
    cat <&3 >/dev/null
    exec 3<&-
}

# check_not NAME PATTERN -- COMMAND...: PATTERN must not be in the output
check_not() {
    local name=$1 pattern=$2
    shift 3
    local out
    out=$("$@" 2>&1)
    if grep -qE -- "$pattern" <<<"$out"; then
        fail=$((fail + 1))
        printf 'FAIL %s: /%s/ in the output:\n%s\n' "$name" "$pattern" "$out"
    else
        pass=$((pass + 1))
    fi
}

export FRONTWATCH_DB=$tmp/t.db
export XDG_CONFIG_HOME=$tmp/config # no user config file is read
URLS=(--url "deepstate=$B/deepstate" --url "deepstate_occupied=$B/occupied"
    --url "alerts_official=$B/alerts/official_data_en.csv"
    --url "alerts_volunteer=$B/alerts/volunteer_data_en.csv"
    --url "alerts_in_ua=$B/alerts_in_ua")
printf 'alerts_in_ua.regions = 14,31\nalerts_in_ua.interval_s = 0\n' >"$tmp/cfg"
today=$(TZ=Europe/Kyiv date +%F)

check help 0 'alerts_in_ua +alerts\.in\.ua' -- "$FW" help update
check bad-url 2 "--url 'deepstate': expected NAME=URL" -- "$FW" update --url deepstate
check bad-source 2 "--source 'deepstat': no such source" -- "$FW" update --source deepstat
check bad-since 2 "--since '24.02.2022'" -- "$FW" update --since 24.02.2022
check bad-config 3 'cfg-missing: cannot open config file' \
    -- "$FW" update --config "$tmp/cfg-missing"

check gazetteer 0 'files ingested' -- "$FW" ingest "$SAMPLE/gazetteer"
"$FW" update --since 2025-07-20 --pause 0 "${URLS[@]}" >"$tmp/first.out" 2>&1
echo "exit $?" >>"$tmp/first.out"
check first-exit 0 '^exit 0$' -- cat "$tmp/first.out"
check first-deepstate 0 '^deepstate +3 new maps .*newest 2025-08-03T19:58:25Z \(4 requests' \
    -- cat "$tmp/first.out"
check first-occupied 0 '^deepstate_occupied +6 new maps .*newest 2025-08-25' \
    -- cat "$tmp/first.out"
check first-official 0 '^alerts_official +[0-9]{2},[0-9]{3} new alerts .*newest 2023-12-31T23:57:30Z' \
    -- cat "$tmp/first.out"
check first-in-ua 0 '^alerts_in_ua +skipped: no token' -- cat "$tmp/first.out"
check first-total 0 '^4 of 4 sources updated in [0-9.]+ s, [0-9]+ requests' \
    -- cat "$tmp/first.out"
check assess-today 0 "^Assessment for $today" -- "$FW" assess Kharkiv
check assess-distance 0 'nearest occupied area is 32\.7 km away' -- "$FW" assess Kharkiv
check assess-stale 0 'deepstate +newest 2025-08-03 \([0-9]+ days\)  STALE' \
    -- "$FW" assess Kharkiv
"$FW" update --pause 0 "${URLS[@]}" >"$tmp/second.out" 2>&1
echo "exit $?" >>"$tmp/second.out"
check second-exit 0 '^exit 0$' -- cat "$tmp/second.out"
check second-deepstate 0 '^deepstate +nothing new; .*\(1 request, 0\.0 MB\)' \
    -- cat "$tmp/second.out"
check second-official 0 '^alerts_official +nothing new \(not modified\)' \
    -- cat "$tmp/second.out"
check_not second-nothing-new 'new (maps|alerts)' -- cat "$tmp/second.out"
check sources 0 '^deepstate: DeepStateMap' -- "$FW" sources
check sources-last-url 0 "last tried at $B/deepstate" -- "$FW" sources
check sources-json 0 '^\[\{"name":"deepstate",.*"newest_data":"2025-08-03T19:58:25Z"' \
    -- "$FW" sources --json

# the token: sent, never printed, never stored
check token 0 'alerts_in_ua +60 new alerts' \
    -- env FRONTWATCH_ALERTS_IN_UA_TOKEN="$TOKEN" "$FW" update --pause 0 \
    --config "$tmp/cfg" --source alerts_in_ua "${URLS[@]}"
check_not token-not-printed "$TOKEN" \
    -- env FRONTWATCH_ALERTS_IN_UA_TOKEN="$TOKEN" "$FW" update --pause 0 \
    --config "$tmp/cfg" --source alerts_in_ua "${URLS[@]}"
check token-sent 0 "Bearer $TOKEN" \
    -- bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'GET /_control/last_auth?prefix=/alerts_in_ua/ HTTP/1.0\r\n\r\n' >&3; cat <&3"
check token-not-stored 1 '^$' -- bash -c 'grep -a -l -- "$0" "$1"/t.db*' "$TOKEN" "$tmp"
check wrong-token 6 'alerts_in_ua +FAILED: .*HTTP 401' \
    -- env FRONTWATCH_ALERTS_IN_UA_TOKEN=wrong "$FW" update --pause 0 \
    --config "$tmp/cfg" --source alerts_in_ua "${URLS[@]}"

# some sources failed (5), every source failed (6): the store keeps its data
before=$("$FW" status 2>&1 | grep -E 'alerts|snapshots')
control "fault?prefix=/alerts/official&kind=status500&n=2&arg=0"
check some-failed 5 'alerts_official +FAILED: .*HTTP 500, after 2 attempts' \
    -- "$FW" update --pause 0 --retries 1 "${URLS[@]}"
check all-failed 6 'deepstate +FAILED: .*(Could not connect|Couldn.t connect)' \
    -- "$FW" update --pause 0 --retries 0 --source deepstate \
    --url deepstate=http://127.0.0.1:9/ds
after=$("$FW" status 2>&1 | grep -E 'alerts|snapshots')
check store-unchanged 0 '^same$' -- bash -c "[ \"\$1\" = \"\$2\" ] && echo same" _ "$before" "$after"

# two updates at once: the second exits 7 and does nothing
control "fault?prefix=/alerts/volunteer&kind=slow&n=1&arg=3000"
"$FW" update --pause 0 --source alerts_volunteer "${URLS[@]}" >"$tmp/bg.out" 2>&1 &
bg=$!
for _ in $(seq 50); do
    [ -e "$tmp/t.db.update-lock" ] && break
    sleep 0.1
done
sleep 0.5
check locked 7 'another update of this store is running \(process [0-9]+ holds .*update-lock\); nothing done' \
    -- "$FW" update --pause 0 "${URLS[@]}"
wait "$bg"
check first-finished 0 'alerts_volunteer +nothing new' -- cat "$tmp/bg.out"

# interrupted (SIGTERM, as systemd stops a service): the transfer stops at
# once, exit 5, the temporary folder is gone
mkdir -p "$tmp/work"
control "fault?prefix=/alerts/volunteer&kind=slow&n=1&arg=20000"
TMPDIR=$tmp/work "$FW" update --pause 0 --source alerts_volunteer "${URLS[@]}" \
    >"$tmp/int.out" 2>&1 &
bg=$!
sleep 1.5
kill -TERM "$bg"
wait "$bg"
echo "exit $?" >>"$tmp/int.out"
check interrupted 0 'interrupted: what was ingested stays' -- cat "$tmp/int.out"
check interrupted-exit 0 '^exit 5$' -- cat "$tmp/int.out"
check interrupted-clean 0 '^0$' -- bash -c "ls -A '$tmp/work' | wc -l"

summary
