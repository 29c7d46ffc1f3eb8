#!/usr/bin/env bash
# Smoke test of the benchmarks (bench/, issue 4): `bench/run --smoke` runs
# every benchmark - ingest against pandas, the geo kernel through frontwatch,
# PostGIS (expert and naive) and GeoPandas, assess cold and warm - on the
# tiny fixture in bench/smoke, so that none of them rots. It measures
# nothing worth reading; it checks that each step runs and that every peer
# gives frontwatch's answers. $FW is the frontwatch binary (set by CTest);
# the bench_* programs are built beside it.
#
# Needs PostgreSQL + PostGIS and Debian's GeoPandas: installed here when
# running as root (as CI does); skipped (exit 77) when missing otherwise.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FW=${FW:-$ROOT/build/frontwatch}
BIN=$(cd "$(dirname "$FW")" && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if ! bench_install; then
    echo "SKIP: the benchmark peers' Debian packages are missing"
    exit 77
fi
if [ ! -x "$BIN/bench_geo_kernel" ]; then
    cmake --build "$BIN" --target bench >/dev/null || exit 1
fi

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# check_output NAME PATTERN: PATTERN (grep -E) must be in the run's output.
check_output() {
    if grep -qE -- "$2" "$tmp/out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s: no /%s/ in the output\n' "$1" "$2"
    fi
}

# bounded: the whole run takes seconds once the packages are there
timeout 600 bash "$ROOT/bench/run" --smoke --bin "$BIN" --work "$tmp/run" \
    >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL bench/run --smoke: exit $rc"
fi
check_output kernel-fw '^geo: frontwatch \(fw_geo_control_points\) +[0-9.]+ s'
check_output kernel-fw-call-verified '^geo: frontwatch, one fw_geo_control call'
check_output kernel-postgis '^geo: PostGIS, expert .* [0-9.]+x'
check_output kernel-naive '^geo: PostGIS, naive cross join .* [0-9.]+x'
check_output kernel-geopandas '^geo: GeoPandas / shapely / pyproj .* [0-9.]+x'
check_output agree-postgis '^agreement, PostGIS, expert.*: 0 of 240 statuses differ; 0 distances differ'
check_output agree-naive '^agreement, PostGIS, naive.*: 0 of 240 statuses differ; 0 distances differ'
check_output agree-geopandas '^agreement, GeoPandas.*: 0 of 240 statuses differ; 0 distances differ'
check_output agree-all '^met +same answers'
check_output ingest '^ingest: pandas \+ json/shapely +[0-9.]+ s +[0-9.]+x'
check_output assess '^assess \(5 places\): cold median [0-9.]+ ms .* warm median [0-9.]+ ms'
check_output report 'report written to'
if [ "$fail" -gt 0 ]; then
    echo "--- bench/run --smoke output:"
    cat "$tmp/out"
fi

summary
