#!/usr/bin/env bash
# web_vendor.sh SRC_WEB_DIR DEST_DIR - lays out the dashboard to serve:
# the static files of SRC_WEB_DIR (index.html, place.html, css/, js/) and
# the pinned npm files (web/package.json) from SRC_WEB_DIR/node_modules:
#   DEST/vendor/leaflet/  leaflet.js, leaflet.css, images/, LICENSE (BSD-2-Clause)
#   DEST/vendor/uplot/    uPlot.iife.min.js, uPlot.min.css, LICENSE (MIT)
# Copy only, no build step. The npm files come from `npm ci --prefix web`.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SRC_WEB_DIR DEST_DIR" >&2
    exit 2
fi
src=$1
dest=$2
nm=$src/node_modules

for f in index.html place.html css js; do
    if [ ! -e "$src/$f" ]; then
        echo "web_vendor: $src/$f is missing: is $src the project's web folder?" >&2
        exit 1
    fi
done
need=(leaflet/dist/leaflet.js leaflet/dist/leaflet.css leaflet/dist/images leaflet/LICENSE
    uplot/dist/uPlot.iife.min.js uplot/dist/uPlot.min.css uplot/LICENSE)
for f in "${need[@]}"; do
    if [ ! -e "$nm/$f" ]; then
        echo "web_vendor: $nm/$f is missing; install the pinned packages with:" >&2
        echo "    npm ci --prefix $src" >&2
        exit 1
    fi
done

mkdir -p "$dest/vendor/leaflet" "$dest/vendor/uplot"
cp "$src/index.html" "$src/place.html" "$dest/"
rm -rf "$dest/css" "$dest/js" "$dest/vendor/leaflet/images"
cp -R "$src/css" "$src/js" "$dest/"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" \
    "$dest/vendor/leaflet/"
cp -R "$nm/leaflet/dist/images" "$dest/vendor/leaflet/images"
cp "$nm/uplot/dist/uPlot.iife.min.js" "$nm/uplot/dist/uPlot.min.css" "$nm/uplot/LICENSE" \
    "$dest/vendor/uplot/"
echo "web_vendor: dashboard laid out in $dest"
