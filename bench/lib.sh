# bench/lib.sh - shell helpers shared by bench/run and the smoke test
# (tests/cli/test_bench_smoke.sh): Debian packages, a throw-away
# PostgreSQL + PostGIS server on loopback, timing. Sourced, not run.

# The Python that sees Debian's python3-geopandas (a pyenv python3 earlier
# on PATH does not).
BENCH_PY=/usr/bin/python3

# Debian packages the peers need.
BENCH_PACKAGES="postgresql postgresql-contrib postgresql-15-postgis-3 \
python3-geopandas python3-pandas python3-shapely python3-pyproj python3-rtree \
time"

# bench_missing_packages: prints the packages of BENCH_PACKAGES that are
# not installed.
bench_missing_packages() {
    local p missing=""
    for p in $BENCH_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed' || missing="$missing $p"
    done
    echo "$missing"
}

# bench_install: installs what is missing when root; returns 1 (with the
# apt-get line on stderr) when something is missing and we are not root.
bench_install() {
    local missing
    missing=$(bench_missing_packages)
    [ -z "${missing// /}" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "bench: missing Debian packages; run:" >&2
        echo "  sudo apt-get install -y$missing" >&2
        return 1
    fi
    echo "bench: installing$missing" >&2
    apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing \
            >/dev/null
}

# now_s: seconds since the epoch, to the nanosecond.
now_s() { date +%s.%N; }

# elapsed T0: seconds since T0, 3 decimals.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.3f", b - a }'; }

# pg_start: initdb into a new temporary folder and start PostgreSQL on
# 127.0.0.1 at a free port, socket in that folder. As root the server runs
# as user postgres. Sets PG_DIR, PG_PORT, PG_BIN and PSQL (a command array
# prefix: "${PSQL[@]}" -c ...). Stop it with pg_stop.
pg_start() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ -z "$PG_BIN" ]; then
        echo "bench: no PostgreSQL server installed" >&2
        return 1
    fi
    PG_DIR=$(mktemp -d /tmp/fw-bench-pg.XXXXXX)
    local as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PG_DIR"
        as=(runuser -u postgres --)
    fi
    chmod 700 "$PG_DIR"
    PG_PORT=""
    local p
    for p in $(seq 55432 55532); do
        if ! (echo >/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then
            PG_PORT=$p
            break
        fi
    done
    [ -n "$PG_PORT" ] || { echo "bench: no free port" >&2; return 1; }
    "${as[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust \
        --no-sync -E UTF8 >"$PG_DIR/initdb.log" 2>&1 || {
        cat "$PG_DIR/initdb.log" >&2
        return 1
    }
    # Settings an expert would use for a one-off analytical job on this
    # machine (24 GB, 2 cores); durability is not needed.
    "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c shared_buffers=2GB -c work_mem=256MB \
            -c maintenance_work_mem=1GB -c max_wal_size=4GB" \
        start >/dev/null || {
        cat "$PG_DIR/server.log" >&2
        return 1
    }
    PG_AS=("${as[@]}")
    PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres)
}

# pg_stop: stops the server started by pg_start and removes its folder.
pg_stop() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop \
            >/dev/null 2>&1
    fi
    [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
    PG_DIR=""
}
