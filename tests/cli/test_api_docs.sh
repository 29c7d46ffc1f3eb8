#!/usr/bin/env bash
# The API's documentation against the live server: docs/API.md's examples
# and docs/openapi.yaml, checked by tests/api/check_api_docs.py (Python 3,
# standard library only; its header says every rule).
#
# The store: the full real data when $FW_SHARED_DATA/frontline is there
# (with a model trained here as `train --no-backtest --until 2025-08-31`,
# about 35 s, so that the probabilities of the examples are there), else
# the bundled sample data/sample (no model). The dashboard's two pages
# (web/index.html, web/place.html, css/, js/) are copied for /place/ID; no
# npm package is needed. Then `frontwatch serve --port 0` on loopback, its
# port read from its first stdout line.
#
#  1. examples: every ```sh block of docs/API.md that runs curl, with
#     $BASE set: the status of its last request must be the documented
#     one (200, or "# => NNN" in the block), and the answer must begin as
#     the ```json/```xml/```html/```text block after it shows. The
#     comparison is line by line on the pretty-printed answer (JSON:
#     indent 2, the server's key order), not on bytes: the first lines
#     exactly, then each part after a "// ..." or "..." cut line as a run
#     of lines further on; a line marked "// varies" (a clock or the
#     model file's creation time) by its key only. So a shortened example
#     is still a literal copy of the real answer, and a changed field,
#     value, order or status fails.
#     On the sample data the answers differ from the documented ones
#     (other maps, no model): a 2xx example any of whose dates lies
#     outside the sample's maps (2025-07-28 .. 2025-08-25, from /api/meta)
#     is skipped, and so is one that needs the model (it answers 404
#     no_model); the others, the error examples included, must answer the
#     documented status and, for JSON, carry the documented top-level
#     keys.
#  2. openapi: every path and method of docs/openapi.yaml answers its
#     parameters' example request with the documented 2xx status, each of
#     its x-examples with its status, and a JSON answer validates against
#     the documented schema (types and required properties, recursively);
#     every route of the ROUTES table in src/server/api.c (cut out below
#     with sed) is in the spec with exactly its query parameters, and the
#     spec has no path the server lacks: a new route or parameter without
#     documentation fails here.
#  3. SIGTERM stops the server with exit 0 within 5 s (graceful stop).
#
# Every request has a timeout (curl --max-time, urllib's timeout); nothing
# but 127.0.0.1 is contacted. Skipped (77), with the reason, without
# python3 or curl.
set -u
FW=${FW:-build/frontwatch}
DATA=${FW_SHARED_DATA:-../shared/data}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

skip() {
    echo "test_api_docs: skipped: $*"
    exit 77
}
command -v python3 >/dev/null 2>&1 || skip "no python3 (install the Debian package python3)"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 7))' 2>/dev/null ||
    skip "python3 is older than 3.7"
command -v curl >/dev/null 2>&1 || skip "no curl (install the Debian package curl): the examples of docs/API.md are curl command lines"
"$FW" help serve >/dev/null 2>&1 || skip "$FW has no serve command"

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null
        wait "$server" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# the store, and on the full data a model
model=()
if [ -d "$DATA/frontline" ]; then
    mode=full
    check ingest 0 'files ingested' -- "$FW" ingest --db "$tmp/fw.db" "$DATA"
    check train 0 'logit_dist' -- "$FW" train --db "$tmp/fw.db" --until 2025-08-31 \
        --no-backtest --quiet --out "$tmp/model.json"
    model=(--model "$tmp/model.json")
else
    mode=sample
    echo "test_api_docs: no $DATA/frontline: the sample data, examples outside it skipped"
    check ingest 0 'files ingested' -- "$FW" ingest --db "$tmp/fw.db" "$SAMPLE"
fi

# an alert model (both the full data and the sample hold the alert files)
check train-alerts 0 'logit alert outlook' -- "$FW" train --db "$tmp/fw.db" --target alerts \
    --until 2023-12-31 --out "$tmp/alerts.json"
model+=(--alert-model "$tmp/alerts.json")

# the two pages the server needs for /place/ID (no vendored npm files)
mkdir -p "$tmp/web"
cp -R "$ROOT/web/index.html" "$ROOT/web/place.html" "$ROOT/web/css" "$ROOT/web/js" "$tmp/web/"

# the route table: "path|is_prefix|params" per route of api.c's ROUTES
sed -n '/^static const struct route ROUTES\[\] = {/,/^};/p' "$ROOT/src/server/api.c" \
    >"$tmp/routes.c"
sed -nE 's/^ *\{"([^"]+)", *([01]), *[A-Za-z_0-9]+, *"([^"]*)", *[01]\},.*$/\1|\2|\3/p' \
    "$tmp/routes.c" >"$tmp/routes"
n_lines=$(grep -c '^ *{"/' "$tmp/routes.c")
n_routes=$(wc -l <"$tmp/routes")
check routes-parsed 0 "^$n_lines [1-9][0-9]*\$" -- echo "$n_routes $n_lines"

"$FW" serve --port 0 --bind 127.0.0.1 --db "$tmp/fw.db" "${model[@]}" --web "$tmp/web" \
    --threads 4 >"$tmp/serve.out" 2>"$tmp/serve.log" &
server=$!
port=
for _ in $(seq 150); do
    port=$(sed -nE '1s|^frontwatch serve: listening on http://127\.0\.0\.1:([0-9]+)/.*|\1|p' \
        "$tmp/serve.out" 2>/dev/null)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
done
if [ -z "$port" ]; then
    fail=$((fail + 1))
    echo "FAIL serve: no 'listening on' line within 30 s; its output:"
    cat "$tmp/serve.out" "$tmp/serve.log"
    summary
    exit 1
fi
base=http://127.0.0.1:$port
check healthz 0 '"status":"ok"' -- curl -s --max-time 10 "$base/healthz"

# /api/assess with an alert model is `assess --json` with it, byte for
# byte, the outlook included (Kyiv on 2023-12-01: the alert data's last
# month, so the outlook is given, not withheld)
curl -s --max-time 30 "$base/api/assess/Kyiv?date=2023-12-01" >"$tmp/assess-api.json"
"$FW" assess Kyiv --db "$tmp/fw.db" --date 2023-12-01 --json "${model[@]}" >"$tmp/assess-cli.json"
check assess-outlook-api 0 '"p_alert_6h":0\.[0-9]+,"p_alert_24h":0\.[0-9]+,"alert_outlook":\{"at":"2023-12-01T23:00:00Z"' \
    -- cat "$tmp/assess-api.json"
check assess-outlook-same 0 '' -- cmp "$tmp/assess-api.json" "$tmp/assess-cli.json"

checker=$ROOT/tests/api/check_api_docs.py
(cd "$ROOT" && timeout 900 python3 "$checker" examples --base "$base" \
    --docs docs/API.md --mode "$mode") >"$tmp/examples.out" 2>&1
echo "exit $?" >>"$tmp/examples.out"
sed 's/^/  /' "$tmp/examples.out"
check examples 0 '^api_docs examples: [1-9][0-9]* passed, 0 failed' -- cat "$tmp/examples.out"
check examples-exit 0 '^exit 0$' -- cat "$tmp/examples.out"

(cd "$ROOT" && timeout 900 python3 "$checker" openapi --base "$base" \
    --spec docs/openapi.yaml --routes "$tmp/routes" --mode "$mode") >"$tmp/openapi.out" 2>&1
echo "exit $?" >>"$tmp/openapi.out"
sed 's/^/  /' "$tmp/openapi.out"
check openapi 0 '^api_docs openapi: [1-9][0-9]* passed, 0 failed' -- cat "$tmp/openapi.out"
check openapi-exit 0 '^exit 0$' -- cat "$tmp/openapi.out"

# graceful stop: SIGTERM, exit 0 within 5 s
kill -TERM "$server"
stopped=
for _ in $(seq 50); do
    if ! kill -0 "$server" 2>/dev/null; then
        stopped=1
        break
    fi
    sleep 0.1
done
if [ -n "$stopped" ]; then
    wait "$server"
    rc=$?
    server=
    check graceful-stop 0 "^exit 0\$" -- echo "exit $rc"
else
    fail=$((fail + 1))
    echo "FAIL graceful-stop: still running 5 s after SIGTERM"
fi
summary
