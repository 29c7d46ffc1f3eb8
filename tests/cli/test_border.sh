#!/usr/bin/env bash
# CLI tests of the state border (issue 14) on the real data: `ingest` of
# ../shared/data derives the border with Russia from the OSM shapefile;
# `assess` names the border first among the threats when it is the nearer
# (Vovchansk on 2024-05-01, days before the offensive of 2024-05-10 came
# across it) and after the occupied area otherwise (Kharkiv on
# 2025-08-25); the JSON fields; a broken shapefile fails with its reason
# and leaves the store unchanged. Skipped (77) without the real data.
set -u
FW=${FW:-build/frontwatch}
DATA=${FW_SHARED_DATA:-../shared/data}
if [ ! -f "$DATA/boundaries/osm_russia_incl_crimea.shp" ] || [ ! -d "$DATA/frontline" ]; then
    echo "test_border: skipped: needs the real data ($DATA)"
    exit 77
fi
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
export FRONTWATCH_DB=$tmp/t.db
RU=$DATA/boundaries/osm_russia_incl_crimea

check ingest 0 'osm_russia_incl_crimea\.shp: country-outline, 30 read, 30 accepted' -- "$FW" ingest "$DATA"
check status 0 '^    state border km +1970$' -- "$FW" status

check vovchansk-border-first 0 '^Vovchansk is not occupied\. The Russian border is [0-7]\.[0-9] km away\. The nearest occupied area is 71\.9 km away' \
    -- "$FW" assess Vovchansk --date 2024-05-01
check vovchansk-indicator 0 '^  with Russia +[0-7]\.[0-9] km$' -- "$FW" assess Vovchansk --date 2024-05-01
check kharkiv-front-first 0 '^Kharkiv is not occupied\. The nearest occupied area is 32\.7 km away[^.]*\. The Russian border is 34\.8 km away\.$' \
    -- "$FW" assess Kharkiv --date 2025-08-25
check belarus-said 0 'with Belarus +not measured: the data has no outline of Belarus' -- "$FW" assess Kharkiv --date 2025-08-25
check json 0 '"contested_km2_25km":[0-9.]+,"distance_to_border_km":6\.4,"border_country":"RU",' \
    -- "$FW" assess Vovchansk --date 2024-05-01 --json
check json-uk 0 '"uk":"Вовчанськ: не окуповано\. Кордон з Росією — за [0-7],[0-9] км\. Найближча' \
    -- "$FW" assess Vovchansk --date 2024-05-01 --json

# a broken shapefile: the .shp cut short, its .shx and .dbf beside it
head -c 900000 "$RU.shp" >"$tmp/cut.shp"
cp "$RU.shx" "$tmp/cut.shx"
cp "$RU.dbf" "$tmp/cut.dbf"
"$FW" status >"$tmp/before"
check cut 1 'cut\.shp: truncated: 900000 bytes of the 1875744 its header gives' -- "$FW" ingest "$tmp/cut.shp"
check cut-unchanged 1 'cut\.shp was not ingested; the store is unchanged by it' -- "$FW" ingest "$tmp/cut.shp"
check cut-same-store 0 '^same$' -- bash -c "'$FW' status | cmp -s - '$tmp/before' && echo same"
# a .dbf that is none is named as the part at fault
cp "$RU.shp" "$tmp/wrong.shp"
cp "$RU.shx" "$tmp/wrong.shx"
printf 'not a dbf' >"$tmp/wrong.dbf"
check wrong-dbf 1 'wrong\.shp: wrong\.dbf: shapelib cannot open it' -- "$FW" ingest "$tmp/wrong.shp"
rm "$tmp/wrong.shx"
check no-shx 1 'wrong\.shp: wrong\.shx is missing' -- "$FW" ingest "$tmp/wrong.shp"
check same-store 0 '^same$' -- bash -c "'$FW' status | cmp -s - '$tmp/before' && echo same"
# alone, the .shx and the .dbf are no source
check shx-alone 1 'not a source frontwatch reads' -- "$FW" ingest "$RU.shx"

summary
