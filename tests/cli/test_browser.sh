#!/usr/bin/env bash
# The web dashboard end to end: a store (the full real data when
# $FW_SHARED_DATA is there, else the bundled sample), the dashboard laid out
# by scripts/web_vendor.sh, `frontwatch serve` on a free loopback port, and
# tests/browser/dashboard.test.mjs driving Debian's headless Chromium
# through playwright-core (web/node_modules). Screenshots go to
# "$(dirname "$FW")/screenshots". Skipped (77), with the reason, without
# /usr/bin/chromium (`make deps` installs it), node or `npm ci --prefix web`.
set -u
FW=${FW:-build/frontwatch}
DATA=${FW_SHARED_DATA:-../shared/data}
SAMPLE=${FW_SAMPLE_DATA:-data/sample}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip() {
    echo "test_browser: skipped: $*"
    exit 77
}
[ -x "$CHROMIUM" ] || skip "no $CHROMIUM (install the Debian package chromium)"
command -v node >/dev/null 2>&1 || skip "no node (install the Debian package nodejs)"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] 2>/dev/null ||
    skip "node $(node --version 2>/dev/null) is older than 20, which playwright-core 1.65 needs"
[ -d "$ROOT/web/node_modules/playwright-core" ] ||
    skip "no $ROOT/web/node_modules/playwright-core (run: npm ci --prefix web)"
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

# the store
if [ -d "$DATA/frontline" ]; then
    full=1
    src=$DATA
else
    full=0
    src=$SAMPLE
fi
check ingest 0 'files ingested' -- "$FW" ingest --db "$tmp/fw.db" "$src"

# the dashboard's files
check vendor 0 'laid out in' -- bash "$ROOT/scripts/web_vendor.sh" "$ROOT/web" "$tmp/web"

# a free port: bind port 0, read what the kernel gave, close
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null)
if [ -z "$port" ]; then
    for p in $(seq 18600 18699); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            port=$p
            break
        fi
    done
fi
B=http://127.0.0.1:$port

"$FW" serve --port "$port" --bind 127.0.0.1 --db "$tmp/fw.db" --web "$tmp/web" \
    >"$tmp/serve.log" 2>&1 &
server=$!

# healthz: the status line of GET /healthz (bash's /dev/tcp, no curl)
healthz() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
        timeout 2 head -n 1 <&3
    ) 2>/dev/null
}
# wait for it, at most 30 s
healthy=0
for _ in $(seq 150); do
    kill -0 "$server" 2>/dev/null || break
    if healthz | grep -q ' 200'; then
        healthy=1
        break
    fi
    sleep 0.2
done
if [ "$healthy" -ne 1 ]; then
    fail=$((fail + 1))
    echo "FAIL serve: no answer on $B/healthz within 30 s; its log:"
    cat "$tmp/serve.log"
    summary
    exit 1
fi
pass=$((pass + 1))

shots="$(cd "$(dirname "$FW")" && pwd)/screenshots"
BASE_URL="$B/" SCREENSHOT_DIR="$shots" FW_FULL="$full" CHROMIUM="$CHROMIUM" \
    timeout 300 node "$ROOT/tests/browser/dashboard.test.mjs" >"$tmp/browser.out" 2>&1
echo "exit $?" >>"$tmp/browser.out"
sed 's/^/  /' "$tmp/browser.out" # its lines, also when it passed
check browser 0 '^dashboard: [0-9]+ passed, 0 failed' -- cat "$tmp/browser.out"
check browser-exit 0 '^exit 0$' -- cat "$tmp/browser.out"
check serve-alive 0 '^alive$' -- bash -c "kill -0 $server && echo alive"
summary
