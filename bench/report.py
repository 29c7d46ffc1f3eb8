#!/usr/bin/python3
"""report.py - the table and docs/BENCHMARKS.md from bench/run's
measurements.

    report.py METRICS.txt [--markdown OUT.md] [--notes NOTES.md]

METRICS.txt has one "key<TAB>value" a line (bench/run's metric). Prints
the summary table with ratios (peer time / frontwatch time) and the
targets of issue 4; writes the Markdown report with the machine, the
versions, the command, every measurement and NOTES.md appended. Exits 1
when the answers of the peers disagree with frontwatch's.
"""
import argparse
import json
import statistics
import sys

TARGET_KERNEL_GP = 10.0
TARGET_KERNEL_PG = 3.0
TARGET_INGEST = 5.0
TARGET_ASSESS_MS = 50.0


def read_metrics(path):
    m = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            m[k] = v
    return m


def num(m, k):
    v = m.get(k)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt_s(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f} s"
    if v >= 10:
        return f"{v:.1f} s"
    return f"{v:.2f} s"


def fmt_x(peer, fw):
    if peer is None or fw is None or fw <= 0:
        return "-"
    return f"{peer / fw:.1f}x"


def latencies(path):
    try:
        with open(path) as f:
            return [float(x) for x in f if x.strip()]
    except OSError:
        return []


def pct(v, p):
    if not v:
        return None
    s = sorted(v)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def comparison(m, name):
    path = m.get(f"cmp.{name}")
    if not path:
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        return None


def kernel_rows(m):
    """(name, load, kernel, e2e, note) for each implementation."""
    rows = []
    fw_total = num(m, "kernel.fw.kernel_s")
    fw_parse = num(m, "kernel.fw.parse_s") or 0.0
    fw_kernel = fw_total - fw_parse if fw_total is not None else None
    rows.append(("frontwatch (fw_geo_control_points)", fw_parse, fw_kernel,
                 num(m, "kernel.fw.e2e_s"), None))
    call = num(m, "kernel.fwcall.kernel_s")
    if call is not None:
        rows.append(("frontwatch, one fw_geo_control call a pair", fw_parse,
                     call - fw_parse, None,
                     "the per-place API (as `assess` uses it), for "
                     "comparison; its answers checked equal"))
    pg_load = num(m, "kernel.pg.load_s")
    if pg_load is not None:
        prep, query = num(m, "kernel.pg.prep_s"), num(m, "kernel.pg.query_s")
        export = num(m, "kernel.pg.export_s") or 0.0
        rows.append(("PostGIS, expert (pieces, GiST, KNN)", pg_load,
                     prep + query, pg_load + prep + query + export,
                     f"prep {fmt_s(prep)} + query {fmt_s(query)}; server "
                     f"start {fmt_s(num(m, 'kernel.pg.server_start_s'))} "
                     "not counted"))
    naive = num(m, "kernel.pg.naive_s")
    if naive is not None:
        n_sub = num(m, "kernel.naive.snapshots") or 1
        n_all = num(m, "kernel.snapshots") or n_sub
        scaled = naive * n_all / n_sub
        rows.append(("PostGIS, naive cross join", pg_load, scaled,
                     pg_load + scaled if pg_load is not None else None,
                     f"ran on {n_sub:.0f} of {n_all:.0f} snapshots in "
                     f"{fmt_s(naive)}, scaled"))
    gp = num(m, "kernel.gp.kernel_s")
    if gp is not None:
        rows.append(("GeoPandas / shapely / pyproj", num(m, "kernel.gp.load_s"),
                     gp, num(m, "kernel.gp.e2e_s"), None))
    return rows


def agreement_text(c):
    if c is None:
        return "-"
    s = (f"{c['status_differ']} of {c['pairs']} statuses differ; "
         f"{c['distance_differ']} distances differ")
    if c["max_rel_dev"] > 0:
        s += (f"; largest deviation {c['max_rel_dev']:.3%} "
              f"({c['max_rel_where']}); at 1 km or more "
              f"{c['max_rel_dev_1km']:.3%} ({c['max_rel_1km_where']}); "
              f"largest absolute {c['max_abs_dev_km'] * 1000:.0f} m "
              f"({c['max_abs_where']})")
    else:
        s += "; distances identical to 1e-6 km"
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("metrics")
    ap.add_argument("--markdown")
    ap.add_argument("--notes")
    a = ap.parse_args()
    m = read_metrics(a.metrics)

    rows = kernel_rows(m)
    fw_kernel, fw_e2e = rows[0][2], rows[0][3]
    cmp_of = {"PostGIS, expert": comparison(m, "pg"),
              "PostGIS, naive": comparison(m, "naive"),
              "GeoPandas": comparison(m, "gp")}

    def cmp_for(name):
        for k, v in cmp_of.items():
            if name.startswith(k):
                return v
        return None

    agree = all(c is None or c["agree"] for c in cmp_of.values())
    if m.get("kernel.fwcall.agree") not in (None, "1"):
        agree = False

    ing_fw, ing_pd = num(m, "ingest.fw.wall_s"), num(m, "ingest.pd.wall_s")
    cold = latencies(m.get("run.assess_cold", ""))
    warm = latencies(m.get("run.assess_warm", ""))

    # ---- the console table ----
    lines = []
    lines.append(f"{'benchmark':<50} {'load':>8} {'kernel':>9} "
                 f"{'end to end':>11} {'kernel x':>9} {'e2e x':>7}")
    for name, load, kern, e2e, _ in rows:
        lines.append(f"{'geo: ' + name:<50} {fmt_s(load):>8} "
                     f"{fmt_s(kern):>9} {fmt_s(e2e):>11} "
                     f"{fmt_x(kern, fw_kernel):>9} {fmt_x(e2e, fw_e2e):>7}")
    lines.append(f"{'ingest: frontwatch':<50} {'':>8} {'':>9} "
                 f"{fmt_s(ing_fw):>11} {'':>9} {'1.0x':>7}")
    lines.append(f"{'ingest: pandas + json/shapely':<50} {'':>8} {'':>9} "
                 f"{fmt_s(ing_pd):>11} {'':>9} {fmt_x(ing_pd, ing_fw):>7}")
    if warm:
        lines.append(f"assess ({len(warm)} places): cold median "
                     f"{statistics.median(cold):.1f} ms (first "
                     f"{cold[0]:.1f} ms), warm median "
                     f"{statistics.median(warm):.1f} ms, p95 "
                     f"{pct(warm, 95):.1f} ms, max {max(warm):.1f} ms")
    lines.append("")
    targets = []

    def target(what, ok, detail):
        targets.append((what, ok, detail))

    gp_row = next((r for r in rows if r[0].startswith("GeoPandas")), None)
    pg_row = next((r for r in rows if r[0].startswith("PostGIS, expert")),
                  None)
    if gp_row and fw_kernel:
        target(f"geo kernel >= {TARGET_KERNEL_GP:.0f}x faster than GeoPandas",
               gp_row[2] / fw_kernel >= TARGET_KERNEL_GP,
               f"{gp_row[2] / fw_kernel:.1f}x (kernel), "
               f"{fmt_x(gp_row[3], fw_e2e)} (end to end)")
    if pg_row and fw_kernel:
        target(f"geo kernel >= {TARGET_KERNEL_PG:.0f}x faster than PostGIS",
               pg_row[2] / fw_kernel >= TARGET_KERNEL_PG,
               f"{pg_row[2] / fw_kernel:.1f}x (kernel), "
               f"{fmt_x(pg_row[3], fw_e2e)} (end to end)")
    fw_store_s = num(m, "kernel.fw.kernel_s")
    if fw_store_s is not None:
        target("whole history in about 1 s", fw_store_s <= 1.25,
               f"{fmt_s(fw_kernel)} from loaded geometries, "
               f"{fmt_s(fw_store_s)} from the store, {fmt_s(fw_e2e)} end to "
               f"end (process, results written)")
    if ing_fw and ing_pd:
        target(f"ingest >= {TARGET_INGEST:.0f}x faster than pandas",
               ing_pd / ing_fw >= TARGET_INGEST,
               f"{ing_pd / ing_fw:.1f}x")
    if warm:
        target(f"warm assess < {TARGET_ASSESS_MS:.0f} ms",
               statistics.median(warm) < TARGET_ASSESS_MS,
               f"median {statistics.median(warm):.1f} ms, "
               f"max {max(warm):.1f} ms")
    target("same answers (status identical, distance within 0.5 % or 50 m)",
           agree, "all peers" if agree else "DISAGREEMENT, see below")
    for what, ok, detail in targets:
        lines.append(f"{'met   ' if ok else 'MISSED'} {what}: {detail}")
    for name, *_ in rows:
        c = cmp_for(name)
        if c is not None:
            lines.append(f"agreement, {name}: {agreement_text(c)}")
    table = "\n".join(lines)
    print(table)

    if a.markdown:
        write_markdown(a.markdown, m, rows, cmp_for, targets, cold, warm,
                       a.notes)
    return 0 if agree else 1


def write_markdown(path, m, rows, cmp_for, targets, cold, warm, notes):
    fw_kernel, fw_e2e = rows[0][2], rows[0][3]
    o = []
    o.append("# Benchmarks: frontwatch against PostGIS, GeoPandas and pandas")
    o.append("")
    o.append("Generated by `bench/run` (issue 4); do not edit by hand: the "
             "notes at the end come from `bench/NOTES.md`.")
    o.append("")
    o.append(f"- Command: `{m.get('run.command', 'bench/run')}` "
             f"(from the repository root; data: "
             f"`{m.get('run.data', '')}`), run on {m.get('run.date', '')}")
    o.append(f"- Machine: {m.get('machine.cpu', '?')}, "
             f"{m.get('machine.cores', '?')} cores, "
             f"{m.get('machine.ram', '?')} RAM, {m.get('machine.os', '')}")
    o.append(f"- frontwatch: {m.get('version.frontwatch', '?')}, GEOS "
             f"{m.get('version.geos', '?')}, PROJ {m.get('version.proj', '?')}"
             f", SQLite {m.get('version.sqlite', '?')}")
    o.append(f"- PostgreSQL {m.get('version.postgresql', '-')}, PostGIS "
             f"{m.get('version.postgis', '-')} (GEOS "
             f"{m.get('version.postgis_geos', '-')})")
    o.append(f"- Python {m.get('version.python', '?')}: GeoPandas "
             f"{m.get('version.geopandas', '?')}, shapely "
             f"{m.get('version.shapely', '?')}, pyproj "
             f"{m.get('version.pyproj', '?')}, pandas "
             f"{m.get('version.pandas', '?')}, numpy "
             f"{m.get('version.numpy', '?')} (Debian packages)")
    o.append("")
    o.append("## Targets")
    o.append("")
    o.append("| target | result | |")
    o.append("|---|---|---|")
    for what, ok, detail in targets:
        o.append(f"| {what} | {detail} | {'met' if ok else '**missed**'} |")
    o.append("")
    o.append("## Geo kernel")
    o.append("")
    pairs = num(m, "kernel.fw.pairs")
    o.append(f"Status (free / contested / occupied, the last including "
             f"occupied before 2022) and geodesic distance in km to the "
             f"occupied area for every GeoNames place "
             f"({m.get('kernel.places', '?')}) at every usable DeepState "
             f"full map and NZZ / liveuamap snapshot "
             f"({m.get('kernel.snapshots', '?')}): "
             f"{pairs:,.0f} pairs, {m.get('kernel.polygons', '?')} polygons "
             f"as frontwatch uses them (exported once by "
             f"`bench_geo_kernel --export`; NZZ without polygons under "
             f"1 km2 and with DeepState's \"occupied before 2022\" layer). "
             f"*Load*: files into the tool's geometries; *kernel*: from "
             f"loaded geometries to all answers (indexes, pieces, "
             f"projections included); *end to end*: from files on disk to "
             f"answers in a CSV file. Ratios are peer time / frontwatch "
             f"time. frontwatch searched "
             f"{num(m, 'kernel.fw.searched') or 0:,.0f} distances anew; the "
             f"other pairs were inside the occupied area or kept from the "
             f"previous week.")
    o.append("")
    o.append("| implementation | load | kernel | end to end | kernel ratio "
             "| end-to-end ratio | note |")
    o.append("|---|---|---|---|---|---|---|")
    for name, load, kern, e2e, note in rows:
        o.append(f"| {name} | {fmt_s(load)} | {fmt_s(kern)} | {fmt_s(e2e)} "
                 f"| {fmt_x(kern, fw_kernel)} | {fmt_x(e2e, fw_e2e)} "
                 f"| {note or ''} |")
    o.append("")
    o.append("Agreement with frontwatch (every pair compared):")
    o.append("")
    for name, *_ in rows:
        c = cmp_for(name)
        if c is not None:
            o.append(f"- {name}: {agreement_text(c)}")
    o.append("")
    o.append("## Ingest")
    o.append("")
    ing_fw, ing_pd = num(m, "ingest.fw.wall_s"), num(m, "ingest.pd.wall_s")
    o.append(f"All of the data folder ({m.get('ingest.fw.files', '?')} files "
             f"recognised), files in the page cache; wall time and peak "
             f"resident memory (GNU time).")
    o.append("")
    o.append("| loader | wall | peak memory | ratio |")
    o.append("|---|---|---|---|")
    o.append(f"| `frontwatch ingest` (parse, validate, repair, area, "
             f"SQLite with indexes) | {fmt_s(ing_fw)} | "
             f"{(num(m, 'ingest.fw.rss_kb') or 0) / 1024:.0f} MB | 1.0x |")
    o.append(f"| pandas + json/shapely (`bench/ingest_pandas.py`: parse, "
             f"validate, repair, area; in memory only) | {fmt_s(ing_pd)} | "
             f"{(num(m, 'ingest.pd.rss_kb') or 0) / 1024:.0f} MB | "
             f"{fmt_x(ing_pd, ing_fw)} |")
    o.append("")
    o.append("## assess")
    o.append("")
    if warm:
        drop = m.get("assess.dropped_caches") == "1"
        o.append(f"`frontwatch assess --id N --date "
                 f"{m.get('assess.date', '')}` for the {len(warm)} most "
                 f"populous GeoNames places, each a new process (what a "
                 f"user waits for). Cold: right after the store was built, "
                 f"{'the page cache dropped before each run' if drop else 'page cache not dropped (not root)'}"
                 f"; warm: the same list again.")
        o.append("")
        o.append("| run | first | median | p95 | max |")
        o.append("|---|---|---|---|---|")
        for label, v in (("cold", cold), ("warm", warm)):
            o.append(f"| {label} | {v[0]:.1f} ms | "
                     f"{statistics.median(v):.1f} ms | {pct(v, 95):.1f} ms | "
                     f"{max(v):.1f} ms |")
        o.append("")
    if notes:
        with open(notes) as f:
            o.append(f.read().rstrip("\n"))
            o.append("")
    with open(path, "w") as f:
        f.write("\n".join(o).rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
