#!/usr/bin/env python3
"""strikes_count.py - an independent count of the strikes near a place, for
tests/cli/test_strikes.sh: its own readers of the two incident tables (json
and csv of the standard library), the rules of include/frontwatch/incidents.h
and assess.h written again from their text, and its own geodesic (Vincenty's
inverse formula on WGS84, not PROJ's Karney algorithm that frontwatch uses).

    strikes_count.py BELLINGCAT_JSON CIR_CSV LAT LON DATE...

prints one JSON object per DATE (YYYY-MM-DD), on one line each:
{"date", "strikes_25km_7d", "strikes_25km_30d", "strikes_25km_ratio",
"n_30d_by_source", "near_edge"}, the first three as `frontwatch assess
--json` would write them (null where the data does not cover the window),
near_edge the number of strikes of the windows within 50 m of the 25 km
circle or pairs within 1 m of the 100 m same-incident distance, where two
correct geodesics may disagree (the counts then may differ by that many).

The rules, as documented:
- Bellingcat: an incident is a strike unless all its "Weapon System"
  filters are "Small arms", "Vehicle mounted weapon", "Land mines" or
  "None"; date MM/DD/YYYY; latitude and longitude strings (or numbers).
- CIR: country "Ukraine" (any case, trimmed); event_group beginning with
  "Bombing or Explosion", "Civilian Casualty", "Civilian Infrastructure
  Damage" or "Military Infrastructure Damage"; date YYYY-MM-DD.
- Both: the position must lie within 40-60 N, 20-50 E; a bad date or
  position drops the row.
- A window of days counts a source when the source's first strike is before
  the window's first day and its newest strike up to the date is at most
  14 days old; a Bellingcat strike within 0.1 km of a CIR strike of the
  same day is the same incident. 7 days: DATE-6 .. DATE; 30 days: DATE-29
  .. DATE; the 90 before: DATE-119 .. DATE-30, and the ratio counts the 30
  and the 90 days from the sources that cover all 120.
"""
import csv
import datetime
import json
import math
import sys

RADIUS_KM = 25.0
SAME_KM = 0.1
STALE_DAYS = 14
EDGE_KM = 0.05

NOT_STRIKES = {"small arms", "vehicle mounted weapon", "land mines", "none"}
CIR_GROUPS = ("bombing or explosion", "civilian casualty",
              "civilian infrastructure damage",
              "military infrastructure damage")


def vincenty_km(lat1, lon1, lat2, lon2):
    """Geodesic distance on WGS84, Vincenty's inverse formula (about 0.5 mm;
    the points here are never nearly antipodal)."""
    a = 6378137.0
    f = 1 / 298.257223563
    b = a * (1 - f)
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sinU1, cosU1 = math.sin(U1), math.cos(U1)
    sinU2, cosU2 = math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSig = math.hypot(cosU2 * sinLam,
                            cosU1 * sinU2 - sinU1 * cosU2 * cosLam)
        if sinSig == 0:
            return 0.0
        cosSig = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sig = math.atan2(sinSig, cosSig)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSig
        cos2Alpha = 1 - sinAlpha ** 2
        cos2SigM = cosSig - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha else 0
        C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        prev = lam
        lam = L + (1 - C) * f * sinAlpha * (
            sig + C * sinSig * (cos2SigM + C * cosSig *
                                (-1 + 2 * cos2SigM ** 2)))
        if abs(lam - prev) < 1e-13:
            break
    u2 = cos2Alpha * (a * a - b * b) / (b * b)
    A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSig = B * sinSig * (cos2SigM + B / 4 * (
        cosSig * (-1 + 2 * cos2SigM ** 2) - B / 6 * cos2SigM *
        (-3 + 4 * sinSig ** 2) * (-3 + 4 * cos2SigM ** 2)))
    return b * A * (sig - dSig) / 1000.0


def in_area(lat, lon):
    return 40.0 <= lat <= 60.0 and 20.0 <= lon <= 50.0


def decimal(v):
    """A decimal number as the tables write one, or None."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v) if math.isfinite(v) else None
    if not isinstance(v, str):
        return None
    s = v.strip()
    body = s[1:] if s[:1] in "+-" else s
    if not body or body.count(".") > 1 or \
            not all(c.isdigit() or c == "." for c in body) or \
            not any(c.isdigit() for c in body):
        return None
    return float(s)


def day(y, m, d):
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def read_bellingcat(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for it in json.load(f):
            weapons = [x["value"] for x in it.get("filters", [])
                       if x["key"] == "Weapon System"]
            if weapons and all(w.lower() in NOT_STRIKES for w in weapons):
                continue
            ds = it["date"]
            if len(ds) != 10 or ds[2] != "/" or ds[5] != "/" or \
                    not (ds[:2] + ds[3:5] + ds[6:]).isdigit():
                continue
            d = day(int(ds[6:]), int(ds[:2]), int(ds[3:5]))
            lat, lon = decimal(it["latitude"]), decimal(it["longitude"])
            if d is None or lat is None or lon is None or \
                    not in_area(lat, lon):
                continue
            out.append((d, lat, lon))
    return out


def read_cir(path):
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["country"].strip().lower() != "ukraine":
                continue
            if not row["event_group"].strip().lower().startswith(CIR_GROUPS):
                continue
            ds = row["date"].strip()
            try:
                d = datetime.date.fromisoformat(ds) if len(ds) == 10 else None
            except ValueError:
                d = None
            lat, lon = decimal(row["lat"]), decimal(row["lon"])
            if d is None or lat is None or lon is None or \
                    not in_area(lat, lon):
                continue
            out.append((d, lat, lon))
    return out


def main():
    bell = read_bellingcat(sys.argv[1])
    cir = read_cir(sys.argv[2])
    lat0, lon0 = float(sys.argv[3]), float(sys.argv[4])
    sources = {"bellingcat": bell, "cir": cir}
    # every strike's distance once: (day, lat, lon, km)
    near = {name: [(d, la, lo, vincenty_km(lat0, lon0, la, lo))
                   for (d, la, lo) in rows
                   if abs(la - lat0) < 0.5 and abs(lo - lon0) < 0.8]
            for name, rows in sources.items()}
    for ds in sys.argv[5:]:
        date = datetime.date.fromisoformat(ds)
        edge = 0

        def covers(name, first):
            days = [d for (d, _, _) in sources[name] if d <= date]
            return bool(days) and (date - max(days)).days <= STALE_DAYS and \
                min(d for (d, _, _) in sources[name]) < first

        def count(first, last, names):
            nonlocal edge
            got = {}
            for name in names:
                got[name] = [(d, la, lo) for (d, la, lo, km) in near[name]
                             if first <= d <= last and km <= RADIUS_KM]
                edge += sum(1 for (d, _, _, km) in near[name]
                            if first <= d <= last and
                            abs(km - RADIUS_KM) < EDGE_KM)
            n = sum(len(v) for v in got.values())
            if "bellingcat" in got and "cir" in got:
                for (d, la, lo) in got["bellingcat"]:
                    dists = [vincenty_km(la, lo, la2, lo2)
                             for (d2, la2, lo2) in got["cir"] if d2 == d]
                    edge += sum(1 for k in dists if abs(k - SAME_KM) < 0.001)
                    if any(k <= SAME_KM for k in dists):
                        n -= 1
            return n, {k: len(v) for k, v in got.items()}

        def window(n_days):
            first = date - datetime.timedelta(days=n_days - 1)
            names = [s for s in sources if covers(s, first)]
            return count(first, date, names) if names else (None, {})

        n7, _ = window(7)
        n30, by30 = window(30)
        first120 = date - datetime.timedelta(days=119)
        names120 = [s for s in sources if covers(s, first120)]
        ratio = None
        if names120:
            base, _ = count(first120, date - datetime.timedelta(days=30),
                            names120)
            n30r, _ = count(date - datetime.timedelta(days=29), date,
                            names120)
            if base > 0:
                ratio = round(n30r / (base / 3.0) * 1000) / 1000
        print(json.dumps({"date": ds, "strikes_25km_7d": n7,
                          "strikes_25km_30d": n30,
                          "strikes_25km_ratio": ratio,
                          "n_30d_by_source": by30, "near_edge": edge}))


if __name__ == "__main__":
    main()
