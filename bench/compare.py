#!/usr/bin/python3
"""compare.py - do two geo kernel result files give the same answers?

    compare.py REFERENCE.csv OTHER.csv [--places places.csv]
               [--snapshots snapshots.csv] [--tolerance 0.005]
               [--floor-km 0.01] [--json OUT.json]

Both files have place_id,snap_id,status,dist_km rows (frontwatch's
bench_geo_kernel --out, the PostGIS and GeoPandas peers). OTHER may cover
a subset of REFERENCE's pairs (the naive PostGIS run); every pair of OTHER
must be in REFERENCE. Agreement: the same status for every pair, and the
distances within the relative tolerance (0.5 %) of each other, or within
floor-km (50 m) in absolute terms: near the front a few metres are a large
fraction of the distance, and the tools draw an edge differently (PostGIS
geography: a great-circle arc; frontwatch: straight in a conformal
projection), which moves it by up to tens of metres on long edges. Prints
the largest relative deviation (over all pairs and over pairs 1 km away or
more), the largest absolute one, and where; exits 1 on disagreement.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--places")
    ap.add_argument("--snapshots")
    ap.add_argument("--tolerance", type=float, default=0.005)
    ap.add_argument("--floor-km", type=float, default=0.05)
    ap.add_argument("--json")
    a = ap.parse_args()

    cols = {"place_id": "int64", "snap_id": "int64", "status": "string",
            "dist_km": "float64"}
    ref = pd.read_csv(a.reference, dtype=cols)
    oth = pd.read_csv(a.other, dtype=cols)
    m = oth.merge(ref, on=["place_id", "snap_id"], how="left",
                  suffixes=("", "_ref"), indicator=True)
    missing = int((m["_merge"] != "both").sum())
    dup = int(oth.duplicated(["place_id", "snap_id"]).sum())

    status_diff = m[m["status"] != m["status_ref"]]
    d, r = m["dist_km"].to_numpy(), m["dist_km_ref"].to_numpy()
    absdev = np.abs(d - r)
    big = np.maximum(np.abs(d), np.abs(r))
    reldev = np.where(big > 0, absdev / np.maximum(big, 1e-300), 0)
    reldev = np.where(np.isnan(absdev), np.inf, reldev)
    beyond = reldev > a.tolerance
    bad_dist = int((beyond & ~(absdev <= a.floor_km)).sum())
    reldev_1km = np.where(big >= 1.0, reldev, 0)

    names = {}
    if a.places:
        p = pd.read_csv(a.places)
        names = dict(zip(p["id"], p["name"]))
    snaps = {}
    if a.snapshots:
        s = pd.read_csv(a.snapshots)
        snaps = {i: f"{src} {pub}" for i, src, pub in
                 zip(s["id"], s["source"], s["published"])}

    def where(i):
        if not np.isfinite(absdev[i]) or absdev[i] == 0:
            return "-"
        row = m.iloc[i]
        pid, sid = int(row["place_id"]), int(row["snap_id"])
        return (f"{names.get(pid, pid)} (place {pid}) at "
                f"{snaps.get(sid, sid)} (snapshot {sid}): "
                f"{row['dist_km']:.4f} km vs {row['dist_km_ref']:.4f} km")

    i_rel = int(np.nanargmax(np.where(np.isinf(reldev), -1, reldev))) \
        if len(m) else 0
    i_rel1 = int(np.nanargmax(np.where(np.isinf(reldev_1km), -1,
                                       reldev_1km))) if len(m) else 0
    i_abs = int(np.nanargmax(absdev)) if len(m) else 0
    out = {
        "pairs": int(len(m)),
        "missing": missing,
        "duplicates": dup,
        "status_differ": int(len(status_diff)),
        "distance_differ": bad_dist,
        "max_rel_dev": float(reldev[i_rel]) if len(m) else 0.0,
        "max_rel_where": where(i_rel) if len(m) else "",
        "max_rel_dev_1km": float(reldev_1km[i_rel1]) if len(m) else 0.0,
        "max_rel_1km_where": where(i_rel1) if len(m) else "",
        "beyond_tolerance": int(beyond.sum()),
        "beyond_tolerance_max_abs_km": float(np.nanmax(absdev[beyond]))
        if beyond.any() else 0.0,
        "max_abs_dev_km": float(absdev[i_abs]) if len(m) else 0.0,
        "max_abs_where": where(i_abs) if len(m) else "",
        "p99_rel_dev": float(np.percentile(reldev[np.isfinite(reldev)], 99))
        if len(m) else 0.0,
    }
    out["agree"] = (missing == 0 and dup == 0 and out["status_differ"] == 0
                    and bad_dist == 0)
    print(f"{a.other} vs {a.reference}: {out['pairs']} pairs, "
          f"{missing} missing, {dup} duplicated, "
          f"{out['status_differ']} status differ, "
          f"{bad_dist} distances differ (beyond {a.tolerance:.1%} and "
          f"{a.floor_km * 1000:.0f} m)")
    print(f"  {out['beyond_tolerance']} pairs beyond {a.tolerance:.1%}, "
          f"all within {out['beyond_tolerance_max_abs_km'] * 1000:.1f} m")
    print(f"  largest relative deviation {out['max_rel_dev']:.4%}: "
          f"{out['max_rel_where']}")
    print(f"  largest relative deviation at 1 km or more "
          f"{out['max_rel_dev_1km']:.4%}: {out['max_rel_1km_where']}")
    print(f"  largest absolute deviation {out['max_abs_dev_km']:.4f} km: "
          f"{out['max_abs_where']}")
    for _, row in status_diff.head(5).iterrows():
        pid, sid = int(row["place_id"]), int(row["snap_id"])
        print(f"  status differs: {names.get(pid, pid)} (place {pid}) at "
              f"{snaps.get(sid, sid)}: {row['status']} vs "
              f"{row['status_ref']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0 if out["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
