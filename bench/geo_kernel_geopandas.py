#!/usr/bin/python3
"""geo_kernel_geopandas.py - the GeoPandas / shapely / pyproj peer of the
geo kernel benchmark (issue 4): status and geodesic distance to the occupied
area for every place at every snapshot, from the inputs that
bench_geo_kernel --export wrote.

    /usr/bin/python3 geo_kernel_geopandas.py EXPORT_DIR --out RESULT.csv
                                             [--times TIMES.json]

Written as an experienced GeoPandas user would on Debian 12's stack
(GeoPandas 0.12, shapely 1.8, pyproj 3.4, rtree):
- status: one spatial join of all snapshots' polygons against the places
  (sjoin, predicate "intersects", so the boundary counts as inside, as in
  frontwatch); the polygons on the left, so each is prepared once and
  probes the R-tree of the places (4x faster than the other way round);
- distance: per snapshot, the nearest point of the occupied edges (occupied
  plus occupied before 2022; outside the area the distance to it is the
  distance to its edges) in the same conformal projection frontwatch uses
  (Lambert conformal conic, 45.5/50.5 N), then one vectorised pyproj
  geodesic (WGS84) over all pairs. shapely 1.8 has no vectorised
  nearest_points and GeoPandas 0.12 needs shapely 2 or PyGEOS for
  sjoin_nearest, which Debian 12 does not ship, so nearest_points runs per
  place (GEOS does the work; the loop's Python cost is about 1 % of it).
NZZ's rules (no polygons under 1 km2, the borrowed "occupied before 2022"
layer) are already applied in the export, as frontwatch applies them.

Prints one line of key=value timings (seconds): load_s (CSV and WKB into
GeoDataFrames), kernel_s (from loaded geometries to all results), write_s,
total_s (from interpreter start, imports included).
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyproj  # noqa: E402
from shapely.geometry import MultiLineString  # noqa: E402
from shapely.ops import nearest_points  # noqa: E402

LCC = ("+proj=lcc +lat_1=45.5 +lat_2=50.5 +lat_0=48 +lon_0=31 "
       "+ellps=WGS84 +units=m +no_defs")
OCCUPIED = [1, 2]  # occupied, occupied before 2022 (record.h classes)


def load(folder):
    places = pd.read_csv(os.path.join(folder, "places.csv"))
    snaps = pd.read_csv(os.path.join(folder, "snapshots.csv"))
    rows = pd.read_csv(os.path.join(folder, "polygons.csv"))
    geom = gpd.GeoSeries.from_wkb(rows["wkb_hex"].to_numpy(),
                                  index=rows.index, crs="EPSG:4326")
    polys = gpd.GeoDataFrame(rows[["snap_id", "cls"]], geometry=geom)
    pts = gpd.GeoDataFrame(
        places[["id"]].rename(columns={"id": "place_id"}),
        geometry=gpd.points_from_xy(places["lon"], places["lat"]),
        crs="EPSG:4326")
    return pts, snaps, polys


def kernel(pts, snaps, polys):
    # every (snapshot, place) pair, snapshot-major
    pairs = pd.MultiIndex.from_product(
        [snaps["id"].to_numpy(), pts["place_id"].to_numpy()],
        names=["snap_id", "place_id"])

    hits = gpd.sjoin(polys, pts, how="inner", predicate="intersects")
    occupied_hit = (hits["cls"].isin(OCCUPIED)
                    .groupby([hits["snap_id"], hits["place_id"]]).any())
    occupied = pd.Series(False, index=pairs)
    contested = pd.Series(False, index=pairs)
    occupied.loc[occupied_hit.index[occupied_hit.to_numpy()]] = True
    contested.loc[occupied_hit.index[~occupied_hit.to_numpy()]] = True
    status = np.where(occupied, "occupied",
                      np.where(contested, "contested", "free"))

    # the occupied edges, projected, as one MultiLineString per snapshot
    occ = polys[polys["cls"].isin(OCCUPIED)].to_crs(LCC)
    rings = occ.boundary.explode(index_parts=False)
    snap_of_ring = occ["snap_id"].reindex(rings.index).to_numpy()
    edges = {s: MultiLineString(list(g)) for s, g in
             rings.groupby(snap_of_ring)}

    pts_lcc = pts.to_crs(LCC).geometry.to_numpy()
    n = len(pts_lcc)
    occupied_arr = occupied.to_numpy().reshape(len(snaps), n)
    near_x = np.full(len(pairs), np.nan)
    near_y = np.full(len(pairs), np.nan)
    for k, snap_id in enumerate(snaps["id"].to_numpy()):
        todo = np.flatnonzero(~occupied_arr[k])
        ml = edges.get(snap_id)
        if ml is None or len(todo) == 0:
            continue
        near = [nearest_points(ml, p)[0] for p in pts_lcc[todo]]
        near_x[k * n + todo] = [p.x for p in near]
        near_y[k * n + todo] = [p.y for p in near]

    lon = np.tile(pts.geometry.x.to_numpy(), len(snaps))
    lat = np.tile(pts.geometry.y.to_numpy(), len(snaps))
    to_ll = pyproj.Transformer.from_crs(LCC, "EPSG:4326", always_xy=True)
    nlon, nlat = to_ll.transform(near_x, near_y)
    _, _, dist_m = pyproj.Geod(ellps="WGS84").inv(lon, lat, nlon, nlat)
    dist_km = np.where(occupied.to_numpy(), 0.0, dist_m / 1000.0)
    return pd.DataFrame({
        "place_id": pairs.get_level_values("place_id"),
        "snap_id": pairs.get_level_values("snap_id"),
        "status": status,
        "dist_km": dist_km,
    })


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--times")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")  # GeoPandas' note on shapely 2

    t0 = time.perf_counter()
    pts, snaps, polys = load(a.folder)
    t1 = time.perf_counter()
    res = kernel(pts, snaps, polys)
    t2 = time.perf_counter()
    res.to_csv(a.out, index=False, float_format="%.6f")
    t3 = time.perf_counter()
    times = {"load_s": t1 - t0, "kernel_s": t2 - t1, "write_s": t3 - t2,
             "total_s": t3 - T_START, "pairs": len(res)}
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in times.items()))
    if a.times:
        with open(a.times, "w") as f:
            json.dump(times, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
