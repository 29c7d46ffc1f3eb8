#!/usr/bin/python3
"""ingest_pandas.py - the pandas peer of the ingest benchmark (issue 4):
parses the files that `frontwatch ingest` took into a store, the way a
pandas user would, into DataFrames / GeoDataFrames held in memory.

    /usr/bin/python3 ingest_pandas.py STORE

STORE is a frontwatch store made from the same data: its ingest_log names
each file and its kind, so both tools read exactly the same files. Work per
kind, the same as frontwatch's readers do:
- CSV (alerts, KSE hromada centres): pandas.read_csv, times parsed to UTC;
- GeoNames: read_csv of the 19 tab-separated columns, alternate names split;
- states.json: json, flattened to one row per oblast / raion / hromada;
- the missile attack table: read_csv, times (Kyiv local, with or without
  the hour) to UTC, the target split into one row per named part;
- GeoJSON (front-line maps, gzip or plain, and oblast boundaries): json and
  shapely: each polygon feature classified (DeepState by fill, NZZ by type,
  the occupied union as occupied), made valid when it is not (make_valid),
  split into single polygons, with its geodesic area (pyproj.Geod).
frontwatch also writes everything into SQLite (with indexes, search keys
and sha256 of each file); this peer only parses and keeps the result.

Prints key=value: files, rows (CSV/TSV/JSON rows), polygons, seconds.
"""
import time

T_START = time.perf_counter()

import csv  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import pyproj  # noqa: E402
from shapely.geometry import shape  # noqa: E402
from shapely.validation import make_valid  # noqa: E402

GEOD = pyproj.Geod(ellps="WGS84")

# DeepState full-layer classes by fill colour (record.h: 1 occupied,
# 2 occupied before 2022, 3 contested, 4 liberated; None: not used).
DEEPSTATE_FILL = {
    "#a52714": 1, "#880e4f": 2, "#bcaaa4": 3, "#bdbdbd": 3,
    "#0f9d58": 4, "#0288d1": 4, "#01579b": 4,
}
NZZ_OCCUPIED = {"nochange", "gains"}

GEONAMES_COLUMNS = [
    "geonameid", "name", "asciiname", "alternatenames", "latitude",
    "longitude", "feature_class", "feature_code", "country_code", "cc2",
    "admin1_code", "admin2_code", "admin3_code", "admin4_code", "population",
    "elevation", "dem", "timezone", "modification_date",
]


def read_bytes_json(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return json.load(f)


def read_alerts(path):
    df = pd.read_csv(path)
    for c in ("started_at", "finished_at"):
        df[c] = pd.to_datetime(df[c], utc=True, format="%Y-%m-%d %H:%M:%S%z")
    return df


def read_kse(path):
    return pd.read_csv(path)


def read_geonames(path):
    df = pd.read_csv(path, sep="\t", header=None, names=GEONAMES_COLUMNS,
                     quoting=csv.QUOTE_NONE, keep_default_na=False,
                     dtype={"admin1_code": str, "admin2_code": str})
    df["alternatenames"] = df["alternatenames"].str.split(",")
    return df


def read_states(path):
    doc = read_bytes_json(path)
    rows = []
    for s in doc["states"]:
        rows.append((1, s["stateId"], 0, s["stateName"]))
        for d in s.get("districts", []):
            rows.append((2, d["districtId"], s["stateId"], d["districtName"]))
            for c in d.get("communities", []):
                rows.append((3, c["communityId"], d["districtId"],
                             c["communityName"]))
    return pd.DataFrame(rows, columns=["level", "id", "parent_id", "name"])


def polygons_of(geom):
    """Single polygons of a shapely geometry (collections walked)."""
    t = geom.geom_type
    if t == "Polygon":
        return [geom]
    if t in ("MultiPolygon", "GeometryCollection"):
        out = []
        for g in geom.geoms:
            out.extend(polygons_of(g))
        return out
    return []


def feature_class(doc, props):
    """The control class of a feature, or None to skip it."""
    if "value" in doc:  # NZZ / liveuamap
        return 1 if props.get("type") in NZZ_OCCUPIED else None
    if "fill" in props:  # DeepState full layers
        return DEEPSTATE_FILL.get(str(props["fill"]).lower())
    if "shapeISO" in props or "ADMIN_1" in props:  # boundaries
        return 0
    return 1  # DeepState occupied union


def read_geojson(path):
    doc = read_bytes_json(path)
    fc = doc["value"] if "value" in doc else doc
    cls_list, geoms = [], []
    for feat in fc["features"]:
        g = feat.get("geometry")
        if not g or g["type"] in ("Point", "MultiPoint", "LineString",
                                  "MultiLineString"):
            continue
        cls = feature_class(doc, feat.get("properties") or {})
        if cls is None:
            continue
        geom = shape(g)
        if not geom.is_valid:
            geom = make_valid(geom)
        for p in polygons_of(geom):
            if not p.is_empty:
                cls_list.append(cls)
                geoms.append(p)
    area_km2 = [abs(GEOD.geometry_area_perimeter(p)[0]) / 1e6 for p in geoms]
    m = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", os.path.basename(path))
    published = pd.Timestamp("-".join(m.groups()), tz="UTC") if m else None
    return gpd.GeoDataFrame({"cls": cls_list, "area_km2": area_km2,
                             "published": published},
                            geometry=geoms, crs="EPSG:4326")


def read_missiles(path):
    df = pd.read_csv(path)
    for c in ("time_start", "time_end"):
        t = pd.to_datetime(df[c], errors="coerce")
        df[c] = t.dt.tz_localize("Europe/Kyiv", ambiguous="NaT",
                                 nonexistent="NaT").dt.tz_convert("UTC")
    df["target"] = df["target"].fillna("").str.split(r" and |,\s*")
    return df.explode("target")


READERS = {
    "missile-attacks": read_missiles,
    "alerts": read_alerts,
    "kse-hromada-centres": read_kse,
    "geonames": read_geonames,
    "alert-regions": read_states,
    "frontline": read_geojson,
    "boundaries": read_geojson,
}


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore")
    with sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True) as db:
        files = db.execute("SELECT kind, path FROM ingest_log"
                           " ORDER BY path").fetchall()
    t0 = time.perf_counter()
    frames = {}
    n_rows = n_polys = 0
    for kind, path in files:
        df = READERS[kind](path)
        frames.setdefault(kind, []).append(df)
        if isinstance(df, gpd.GeoDataFrame):
            n_polys += len(df)
        else:
            n_rows += len(df)
    # one table per kind, as a user would keep them
    tables = {k: pd.concat(v, ignore_index=True) for k, v in frames.items()}
    t1 = time.perf_counter()
    print(f"files={len(files)} rows={n_rows} polygons={n_polys} "
          f"tables={len(tables)} parse_s={t1 - t0:.3f} "
          f"total_s={t1 - T_START:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
