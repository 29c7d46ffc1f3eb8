#!/usr/bin/env bash
# `frontwatch export`: the static site of the bundled sample (every place,
# every week of its maps). Its answers equal the CLI's (the Kharkiv file is
# `assess --json` byte for byte), a failed export leaves nothing behind, a
# second export replaces the first whole, and the dashboard works from the
# files alone: a plain static file server (python3 -m http.server) serves
# them and tests/browser/dashboard.test.mjs drives Debian's Chromium over
# it (skipped, with the reason, without chromium, node 20 or web/
# node_modules). $FW is the binary, $FW_SAMPLE_DATA the sample.
set -u
FW=${FW:-build/frontwatch}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

web=$tmp/web
if [ -d "$ROOT/web/node_modules/leaflet" ]; then
    bash "$ROOT/scripts/web_vendor.sh" "$ROOT/web" "$web" >/dev/null
else
    # the dashboard's own files suffice for the export's own checks
    mkdir -p "$web" && cp -R "$ROOT/web/index.html" "$ROOT/web/place.html" \
        "$ROOT/web/css" "$ROOT/web/js" "$web/"
fi
check ingest 0 'files ingested' -- "$FW" ingest --db "$tmp/fw.db" "$SAMPLE"
site=$tmp/site

# a store that does not open: an error, and no site, whole or partial
check bad-store 3 'frontwatch:' -- "$FW" export --out "$site" --web "$web" \
    --db "$tmp/none/fw.db" --quiet
check bad-store-nothing-left 0 '^clean$' -- bash -c \
    "[ ! -e '$site' ] && [ ! -e '$site.partial' ] && echo clean"
check no-out 2 'needs --out DIR' -- "$FW" export --db "$tmp/fw.db"

# a first export from 2025-08-10, then the whole one, which replaces it
check first-export 0 '\(3 weeks from 2025-08-10 to 2025-08-25' -- \
    "$FW" export --out "$site" --web "$web" --db "$tmp/fw.db" --quiet \
    --from 2025-08-10
touch "$site/stale-file"
check export 0 '^exported [0-9]+ files, .* \(5 weeks from 2025-07-28 to 2025-08-25, [0-9]+ places\)' \
    -- "$FW" export --out "$site" --web "$web" --db "$tmp/fw.db" --quiet
check replaced 0 '^replaced$' -- bash -c \
    "[ ! -e '$site/stale-file' ] && [ ! -e '$site.previous' ] && echo replaced"
check meta 0 '"static":true,"first":"2025-07-28","newest":"2025-08-25","dates":\["2025-07-28","2025-08-04","2025-08-11","2025-08-18","2025-08-25"\]' \
    -- cat "$site/data/meta.json"
check frontline-weeks 0 '^5$' -- bash -c "ls '$site/data/frontline' | wc -l"
check placemap-weeks 0 '^5$' -- bash -c "ls '$site/data/placemap' | wc -l"
id=$("$FW" assess Kharkiv --db "$tmp/fw.db" --date 2025-08-25 --json |
    sed -n 's/^{"place":{"id":\([0-9]*\),.*/\1/p')
check kharkiv-id 0 '^[0-9]+$' -- echo "$id"
# the same answer as the CLI, byte for byte
"$FW" assess Kharkiv --db "$tmp/fw.db" --date 2025-08-25 --json >"$tmp/cli.json"
check assess-equals-cli 0 '^same$' -- bash -c \
    "cmp -s '$tmp/cli.json' '$site/data/assess/$id.json' && echo same"
check page-uk 0 '<html lang="uk">' -- cat "$site/place/$id/uk.html"
check page-uk-answer 0 'Харків: не окуповано' -- cat "$site/place/$id/uk.html"
check page-en-answer 0 'Kharkiv is not occupied' -- cat "$site/place/$id/en.html"
check page-base 0 '<base href="../../">' -- cat "$site/place/$id/en.html"
check history 0 '"step_days":7,"days":\[\{"date":"2025-07-28"' -- cat "$site/data/history/$id.json"
check feed-atom 0 '<feed xmlns="http://www.w3.org/2005/Atom"' -- cat "$site/feeds/UA-63.atom.xml"
if command -v xmllint >/dev/null 2>&1; then
    for f in "$site"/feeds/*.cap.xml; do
        check "cap-valid-$(basename "$f")" 0 'validates' -- \
            xmllint --noout --schema "$ROOT/tests/data/cap/CAP-v1.2.xsd" "$f"
    done
else
    echo "test_export: xmllint not installed: CAP schema checks skipped"
fi
check no-partial-left 0 '^clean$' -- bash -c "[ ! -e '$site.partial' ] && echo clean"

# the dashboard from the files alone, on a plain static file server
why=
[ -x "$CHROMIUM" ] || why="no $CHROMIUM"
command -v node >/dev/null 2>&1 || why="no node"
[ -d "$ROOT/web/node_modules/playwright-core" ] || why="no web/node_modules (npm ci --prefix web)"
command -v python3 >/dev/null 2>&1 || why="no python3 for the static file server"
if [ -n "$why" ]; then
    echo "test_export: browser check skipped: $why"
    summary
    exit
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" \
    >"$tmp/static.log" 2>&1 &
static=$!
trap 'kill $static 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
shots="$(cd "$(dirname "$FW")" && pwd)/screenshots/export"
BASE_URL="http://127.0.0.1:$port/" SCREENSHOT_DIR="$shots" FW_FULL=0 \
    CHROMIUM="$CHROMIUM" timeout 300 node "$ROOT/tests/browser/dashboard.test.mjs" \
    >"$tmp/browser.out" 2>&1
echo "exit $?" >>"$tmp/browser.out"
sed 's/^/  /' "$tmp/browser.out"
check browser-static 0 '^dashboard: [0-9]+ passed, 0 failed' -- cat "$tmp/browser.out"
check browser-static-mode 0 'static export' -- cat "$tmp/browser.out"
summary
