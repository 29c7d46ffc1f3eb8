#!/usr/bin/env bash
# bench/serve_load.sh - issue 12's load benchmark: wrk against `frontwatch
# serve` (/api/assess/{random place}, /api/frontline) and against nginx
# serving `frontwatch export`'s static files of the same answers, on
# loopback; requests/s, p50 and p99 of each case as a Markdown table for
# docs/BENCHMARKS.md.
#
#   bench/serve_load.sh --db STORE [--model M] [options]
#
# Options:
#   --db STORE      the store (required; opened read-only by serve and
#                   export, never written)
#   --model M       the model file: case (b) and the export's answers use
#                   it (without it case (b) is skipped)
#   --bin DIR       where frontwatch is (default build; nothing is built)
#   --web DIR       the dashboard's files for the export (default BIN/web)
#   --export DIR    the static export to serve with nginx; made with
#                   `frontwatch export --from FROM` when missing, reused
#                   when present (default /tmp/fw-serve-load-export, or
#                   ...-model with --model)
#   --from D        the export's first week (default 2025-06-01)
#   --date D        the day asked for (default: the newest map, from
#                   /api/meta)
#   --duration S    wrk's duration of each run (default 30s)
#   --connections N wrk's connections (default 64)
#   --threads N     wrk's threads (default 2)
#   --server-threads N   serve --threads (default: serve's own, 8)
#   --repeat N      runs of each case (default 2; the report gives each)
#   --cases LIST    which cases, comma-separated (default all):
#                   a  serve /api/assess/{id}?date=D, no model
#                   b  serve /api/assess/{id}?date=D, with the model
#                   c  serve /api/frontline?date=D
#                   cz the same with Accept-Encoding: gzip
#                   d  nginx data/assess/{id}.json
#                   e  nginx data/frontline/D.json
#                   ez the same with Accept-Encoding: gzip (gzip_static:
#                      the export's .gz files when there are any, else
#                      nginx gzips on the fly, level 1)
#   --work DIR      keep logs, the nginx config and wrk's outputs there
#                   (default a temporary folder removed at the end)
#   --tcp-nodelay   run serve with TCP_NODELAY on its sockets, through an
#                   LD_PRELOAD shim compiled into the work folder (cc):
#                   what civetweb's "tcp_nodelay" option would give. serve
#                   writes a response in 7 small send()s; without
#                   TCP_NODELAY, Nagle holds the second until the client's
#                   delayed ACK (40 ms on Linux) on a kept-alive connection
#
# The warm-up of each case first ramps the connections from 1 to the
# server's threads (1 s each): serve opens its worker contexts lazily, and
# opening several at once lets two requests share one context and crash
# the server (ctx_open's memset clears is_busy; see docs/BENCHMARKS.md).
#
# Each case: the warm-up above (not counted); each run: the load
# average (uptime) noted, then `wrk -tT -cC -dS --latency -s
# bench/serve_load.lua URL -- TEMPLATE IDS`. The place ids are every
# place of the export's data/places.json; the same list feeds both
# servers. Every answer of the servers is checked to be 2xx (wrk's
# non-2xx count is in the table). wrk and nginx are Debian packages,
# installed when run as root. The servers run on free loopback ports and
# are stopped at the end (also on Ctrl-C).
#
# Output: the table on stdout (Markdown), the raw wrk outputs in the work
# folder; progress on stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA=$ROOT/bench/serve_load.lua

DB=""
MODEL=""
BIN=$ROOT/build
WEB=""
EXPORT=""
FROM=2025-06-01
DATE=""
DURATION=30s
CONNS=64
WRK_THREADS=2
SERVER_THREADS=""
REPEAT=2
CASES=a,b,c,cz,d,e,ez
WORK=""
NODELAY=0
while [ $# -gt 0 ]; do
    case $1 in
    --db) DB=$2; shift ;;
    --model) MODEL=$2; shift ;;
    --bin) BIN=$2; shift ;;
    --web) WEB=$2; shift ;;
    --export) EXPORT=$2; shift ;;
    --from) FROM=$2; shift ;;
    --date) DATE=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --threads) WRK_THREADS=$2; shift ;;
    --server-threads) SERVER_THREADS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --cases) CASES=$2; shift ;;
    --work) WORK=$2; shift ;;
    --tcp-nodelay) NODELAY=1 ;;
    -h | --help) sed -n '2,63p' "$0"; exit 0 ;;
    *) echo "serve_load.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$DB" ] || { echo "serve_load.sh: --db STORE is required" >&2; exit 2; }
[ -r "$DB" ] || { echo "serve_load.sh: cannot read $DB" >&2; exit 2; }
[ -z "$MODEL" ] || [ -r "$MODEL" ] ||
    { echo "serve_load.sh: cannot read $MODEL" >&2; exit 2; }
FW=$BIN/frontwatch
WEB=${WEB:-$BIN/web}
if [ -z "$EXPORT" ]; then
    EXPORT=/tmp/fw-serve-load-export${MODEL:+-model}
fi

log() { printf 'serve_load: %s\n' "$*" >&2; }
has_case() { case ",$CASES," in *",$1,"*) return 0 ;; esac; return 1; }

# ---- Debian packages -------------------------------------------------------
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    missing="$missing nginx"
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "serve_load.sh: missing Debian packages; run:" >&2
        echo "  sudo apt-get install -y$missing" >&2
        exit 1
    fi
    log "installing$missing"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# ---- the work folder, the servers, cleanup ----------------------------------
KEEP_WORK=1
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /tmp/fw-serve-load.XXXXXX)
    KEEP_WORK=0
fi
mkdir -p "$WORK"
SERVE_PID=""
SERVE_URL=""
NGINX_PID=""
stop_serve() {
    if [ -n "$SERVE_PID" ]; then
        kill -TERM "$SERVE_PID" 2>/dev/null || true
        wait "$SERVE_PID" 2>/dev/null || true
        SERVE_PID=""
    fi
}
stop_nginx() {
    if [ -n "$NGINX_PID" ]; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=""
    fi
}
cleanup() {
    stop_serve
    stop_nginx
    [ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The binary may be being relinked by someone else: wait for it a little.
fw() {
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        if [ -x "$FW" ] && "$FW" --version >/dev/null 2>&1; then
            "$FW" "$@"
            return
        fi
        sleep 3
    done
    echo "serve_load.sh: $FW does not run" >&2
    return 1
}

# free_port: a loopback port nobody listens on.
free_port() {
    local p
    for p in $(shuf -i 20000-60000 -n 50); do
        if ! (echo >/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# start_serve [--model M]: `frontwatch serve` on a free port, API only, no
# access log; sets SERVE_PID and SERVE_URL.
start_serve() {
    local port out i
    port=$(free_port)
    out=$WORK/serve.$port.out
    local extra=()
    [ -n "$SERVER_THREADS" ] && extra+=(--threads "$SERVER_THREADS")
    fw --version >/dev/null # waits for a relinked binary
    local pre=()
    [ "$NODELAY" = 1 ] && pre=(env LD_PRELOAD="$WORK/nodelay.so")
    "${pre[@]}" "$FW" serve --db "$DB" --port "$port" --quiet --web '' "${extra[@]}" \
        "$@" >"$out" 2>"$WORK/serve.$port.err" &
    SERVE_PID=$!
    for i in $(seq 1 200); do
        if grep -q "listening on" "$out" 2>/dev/null; then
            SERVE_URL=http://127.0.0.1:$port
            return 0
        fi
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/serve.$port.err" >&2
    echo "serve_load.sh: frontwatch serve did not start" >&2
    return 1
}

# start_nginx: nginx serving the export on a free port, its pid file, logs
# and temporary paths in the work folder; sets NGINX_PID and NGINX_URL.
start_nginx() {
    local port dir i
    port=$(free_port)
    dir=$WORK/nginx
    mkdir -p "$dir/logs" "$dir/tmp"
    sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
        -e "s|@ROOT@|$EXPORT|g" "$ROOT/bench/nginx_static.conf.in" \
        >"$dir/nginx.conf"
    "$NGINX" -p "$dir" -c "$dir/nginx.conf" -t -q
    "$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
        2>"$dir/logs/stderr.log" &
    NGINX_PID=$!
    for i in $(seq 1 100); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/data/meta.json" \
            2>/dev/null; then
            NGINX_URL=http://127.0.0.1:$port
            return 0
        fi
        kill -0 "$NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/logs/stderr.log" "$dir/logs/error.log" >&2 2>/dev/null || true
    echo "serve_load.sh: nginx did not start" >&2
    return 1
}

if [ "$NODELAY" = 1 ]; then
    cat >"$WORK/nodelay.c" <<'EOF'
/* TCP_NODELAY on every accepted socket (bench/serve_load.sh --tcp-nodelay) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static int nd(int fd)
{
    int one = 1;
    if (fd >= 0) {
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}
int accept(int s, struct sockaddr *a, socklen_t *l)
{
    static int (*real)(int, struct sockaddr *, socklen_t *);
    if (real == NULL) {
        *(void **)&real = dlsym(RTLD_NEXT, "accept");
    }
    return nd(real(s, a, l));
}
int accept4(int s, struct sockaddr *a, socklen_t *l, int f)
{
    static int (*real)(int, struct sockaddr *, socklen_t *, int);
    if (real == NULL) {
        *(void **)&real = dlsym(RTLD_NEXT, "accept4");
    }
    return nd(real(s, a, l, f));
}
EOF
    cc -O2 -shared -fPIC -o "$WORK/nodelay.so" "$WORK/nodelay.c" -ldl
fi

# ---- the export and the place ids -----------------------------------------
if [ -f "$EXPORT/data/meta.json" ]; then
    log "reusing the export in $EXPORT"
else
    log "exporting from $FROM into $EXPORT (a minute or more)"
    t0=$(date +%s)
    fw export --out "$EXPORT" --db "$DB" --web "$WEB" --from "$FROM" --quiet \
        ${MODEL:+--model "$MODEL"}
    log "export took $(($(date +%s) - t0)) s"
fi
IDS=$WORK/ids.txt
/usr/bin/python3 - "$EXPORT/data/places.json" >"$IDS" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    places = json.load(f)["places"]
for p in places:
    print(p["id"])
EOF
N_IDS=$(wc -l <"$IDS")
# Only the ids whose answer the export holds (all of them, normally).
: >"$IDS.ok"
while read -r id; do
    [ -f "$EXPORT/data/assess/$id.json" ] && echo "$id" >>"$IDS.ok"
done <"$IDS"
mv "$IDS.ok" "$IDS"
log "$(wc -l <"$IDS") place ids (of $N_IDS in places.json)"
EXPORT_DATE=$(/usr/bin/python3 -c 'import json,sys
m = json.load(open(sys.argv[1])); d = m.get("dates") or []
print(d[-1] if d else "")' "$EXPORT/data/meta.json")
DATE=${DATE:-$EXPORT_DATE}
[ -f "$EXPORT/data/frontline/$DATE.json" ] || {
    echo "serve_load.sh: the export has no data/frontline/$DATE.json" >&2
    exit 1
}
log "date $DATE"
# A static host serves a precompressed file to gzip clients (gzip_static),
# at serve's level (6).
[ -f "$EXPORT/data/frontline/$DATE.json.gz" ] ||
    gzip -6 -k -n "$EXPORT/data/frontline/$DATE.json"

# ---- one case ---------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
# run_case KEY LABEL URL TEMPLATE [wrk options...]: warm-up, then REPEAT
# runs; each run appends "KEY LABEL run load1 rps p50 p99 max non2xx errors
# bytes/request" to RESULTS.
run_case() {
    local key=$1 label=$2 url=$3 template=$4
    shift 4
    local r load out line
    local c ramp=${SERVER_THREADS:-8}
    log "$key: $label: warm-up (1 to $ramp connections, then 3 s)"
    : >"$WORK/wrk.$key.warmup.txt"
    # assess on days of July: a new day loads maps, so that each step
    # really holds c contexts at once
    if [ "${url#"$SERVE_URL"}" != "$url" ] || [ "$url" = "${SERVE_URL:-}" ]; then
        for c in $(seq 1 "$ramp"); do
            wrk -t1 -c"$c" -d1s -s "$LUA" "$url" \
                -- "/api/assess/{id}?date=2025-07-$(printf %02d "$c")" "$IDS" \
                >>"$WORK/wrk.$key.warmup.txt"
        done
    fi
    wrk -t"$WRK_THREADS" -c"$CONNS" -d3s --latency -s "$LUA" "$@" "$url" \
        -- "$template" "$IDS" >>"$WORK/wrk.$key.warmup.txt"
    for r in $(seq 1 "$REPEAT"); do
        load=$(awk '{ print $1 }' /proc/loadavg)
        log "$key: run $r of $REPEAT (load average $load): $(uptime)"
        out=$WORK/wrk.$key.$r.txt
        {
            echo "# $(date -u +%FT%TZ) uptime: $(uptime)"
            echo "# wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency -s bench/serve_load.lua $* $url -- $template IDS"
        } >"$out"
        wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$LUA" \
            "$@" "$url" -- "$template" "$IDS" >>"$out"
        line=$(grep '^FWLOAD ' "$out" | tail -1)
        [ -n "$line" ] || { cat "$out" >&2; return 1; }
        awk -v key="$key" -v label="$label" -v run="$r" -v load="$load" '
            { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
            END {
                bpr = v["requests"] > 0 ? v["bytes"] / v["requests"] : 0
                printf "%s\t%s\t%d\t%s\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.0f\n",
                    key, label, run, load, v["rps"], v["p50_ms"], v["p99_ms"],
                    v["max_ms"], v["non2xx"], v["errors"], bpr
            }' <<<"$line" >>"$RESULTS"
        log "$key: $(tail -1 "$RESULTS" | cut -f5-)"
    done
}

GZ=(-H 'Accept-Encoding: gzip')
NDL=""
[ "$NODELAY" = 1 ] && NDL=", TCP_NODELAY shim"
ASSESS_API="/api/assess/{id}?date=$DATE"
FRONT_API="/api/frontline?date=$DATE"

# ---- the cases --------------------------------------------------------------
if has_case a; then
    start_serve
    log "serve (no model) at $SERVE_URL"
    run_case a "serve /api/assess/{id}?date=$DATE, no model$NDL" "$SERVE_URL" \
        "$ASSESS_API"
    stop_serve
fi
if has_case b && [ -n "$MODEL" ]; then
    start_serve --model "$MODEL"
    log "serve (model) at $SERVE_URL"
    run_case b "serve /api/assess/{id}?date=$DATE, model$NDL" "$SERVE_URL" \
        "$ASSESS_API"
    stop_serve
fi
if has_case c || has_case cz; then
    start_serve ${MODEL:+--model "$MODEL"}
    log "serve at $SERVE_URL"
    has_case c && run_case c "serve /api/frontline?date=$DATE$NDL" \
        "$SERVE_URL" "$FRONT_API"
    has_case cz && run_case cz "serve /api/frontline?date=$DATE, gzip$NDL" \
        "$SERVE_URL" "$FRONT_API" "${GZ[@]}"
    stop_serve
fi
if has_case d || has_case e || has_case ez; then
    start_nginx
    log "nginx at $NGINX_URL"
    has_case d && run_case d "nginx data/assess/{id}.json" "$NGINX_URL" \
        "/data/assess/{id}.json"
    has_case e && run_case e "nginx data/frontline/$DATE.json" \
        "$NGINX_URL" "/data/frontline/$DATE.json"
    has_case ez && run_case ez "nginx data/frontline/$DATE.json, gzip" \
        "$NGINX_URL" "/data/frontline/$DATE.json" "${GZ[@]}"
    stop_nginx
fi

# ---- the table ----------------------------------------------------------------
/usr/bin/python3 - "$RESULTS" <<'EOF'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = {}
for key, label, run, load, rps, p50, p99, mx, non2xx, err, bpr in rows:
    by.setdefault(key, (label, []))[1].append(
        dict(load=float(load), rps=float(rps), p50=float(p50),
             p99=float(p99), max=float(mx), non2xx=int(non2xx),
             err=int(err), bpr=float(bpr)))
def med(key, f):
    return statistics.median(r[f] for r in by[key][1]) if key in by else None
peer = {"a": "d", "b": "d", "c": "e", "cz": "ez"}
print("| case | runs: requests/s | p50 ms | p99 ms | max ms | bytes/answer "
      "| load average before | non-2xx / errors | requests/s vs nginx |")
print("|---|---|---|---|---|---|---|---|---|")
for key in ["a", "b", "c", "cz", "d", "e", "ez"]:
    if key not in by:
        continue
    label, runs = by[key]
    j = lambda f, fmt: " / ".join(fmt % r[f] for r in runs)
    ratio = ""
    if key in peer and peer[key] in by:
        ratio = "%.3fx" % (med(key, "rps") / med(peer[key], "rps"))
    print("| (%s) %s | %s | %s | %s | %s | %.0f | %s | %d / %d | %s |" % (
        key, label, j("rps", "%.0f"), j("p50", "%.2f"), j("p99", "%.2f"),
        j("max", "%.0f"), statistics.median(r["bpr"] for r in runs),
        j("load", "%.2f"), sum(r["non2xx"] for r in runs),
        sum(r["err"] for r in runs), ratio))
print()
for key in ["a", "b"]:
    if key in by:
        p99 = max(r["p99"] for r in by[key][1])
        print("- (%s) /api/assess p99 target < 20 ms: worst run %.2f ms, %s"
              % (key, p99, "met" if p99 < 20 else "missed"))
for key in ["a", "b", "c", "cz"]:
    if key in by and peer[key] in by:
        r = med(key, "rps") / med(peer[key], "rps")
        print("- (%s) >= half of nginx's requests/s: %.3fx, %s"
              % (key, r, "met" if r >= 0.5 else "missed"))
EOF
