/*
 * geo_kernel.c - frontwatch's side of the geo kernel benchmark (issue 4):
 * status and geodesic distance to the occupied area for every GeoNames
 * place at every usable DeepState full map and NZZ / liveuamap snapshot,
 * through the library (geo.h), timed. The peers (PostGIS, GeoPandas) read
 * the same inputs, which this program also exports.
 *
 *   bench_geo_kernel STORE [--out FILE] [--per-call] [--verify]
 *                          [--max-places N] [--max-snaps N]
 *   bench_geo_kernel STORE --parse-only [--max-snaps N]
 *   bench_geo_kernel STORE --export DIR [--max-places N] [--max-snaps N]
 *
 * The run prints one line of key=value to stdout: kernel_s (seconds for
 * all pairs, from the store: reading the polygons included), pairs,
 * searched (distances searched anew), and writes
 * place_id,snap_id,status,dist_km rows to --out (status: free, contested or
 * occupied, which includes occupied before 2022). --per-call uses
 * fw_geo_control for each pair (contested area off, as in the points path)
 * instead of fw_geo_control_points; --verify runs both and fails unless
 * they agree. --parse-only prints parse_s: the
 * seconds to read and parse every snapshot's WKB and nothing else, the
 * loading part of kernel_s.
 *
 * --export writes DIR/places.csv (id,name,lat,lon), DIR/snapshots.csv
 * (id,source,published,as_of) and DIR/polygons.csv (snap_id,cls,wkb_hex):
 * the polygons frontwatch uses for each snapshot (geo.h: NZZ without
 * polygons under 1 km2 and with the borrowed pre-2022 layer).
 */
#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontwatch/date.h"
#include "frontwatch/geo.h"
#include "frontwatch/record.h"
#include "frontwatch/store.h"

struct places {
    size_t n;
    int64_t *id;
    double *lat, *lon;
    char **name;
};

struct snaps {
    size_t n;
    struct fw_snapshot_info *v;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(3);
    }
    return q;
}

static int sql_fail(fw_store *st)
{
    fprintf(stderr, "bench_geo_kernel: %s\n", sqlite3_errmsg(fw_store_db(st)));
    return 3;
}

/* The GeoNames places, by id, at most max (0: all). */
static int read_places(fw_store *st, long max, struct places *p)
{
    sqlite3_stmt *s = NULL;
    if (fw_store_prepare(st,
                         "SELECT id, name, lat, lon FROM place"
                         " WHERE source='geonames' ORDER BY id"
                         " LIMIT CASE WHEN ?1 > 0 THEN ?1 ELSE -1 END",
                         &s, NULL) != FW_OK) {
        return sql_fail(st);
    }
    sqlite3_bind_int64(s, 1, max);
    size_t cap = 0;
    memset(p, 0, sizeof *p);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (p->n == cap) {
            cap = cap ? cap * 2 : 1024;
            p->id = xrealloc(p->id, cap * sizeof *p->id);
            p->lat = xrealloc(p->lat, cap * sizeof *p->lat);
            p->lon = xrealloc(p->lon, cap * sizeof *p->lon);
            p->name = xrealloc(p->name, cap * sizeof *p->name);
        }
        p->id[p->n] = sqlite3_column_int64(s, 0);
        p->name[p->n] = strdup((const char *)sqlite3_column_text(s, 1));
        p->lat[p->n] = sqlite3_column_double(s, 2);
        p->lon[p->n] = sqlite3_column_double(s, 3);
        p->n++;
    }
    sqlite3_finalize(s);
    return 0;
}

/* The usable DeepState full maps and NZZ snapshots, by source and time,
 * at most max of each source (0: all). */
static int read_snaps(fw_store *st, long max, struct snaps *sn)
{
    sqlite3_stmt *s = NULL;
    if (fw_store_prepare(
            st,
            "SELECT id, source, published_s, as_of_s FROM ("
            " SELECT *, row_number() OVER (PARTITION BY source"
            "  ORDER BY published_s) AS k FROM snapshot"
            " WHERE source IN ('deepstate', 'nzz') AND suspect IS NULL)"
            " WHERE ?1 <= 0 OR k <= ?1 ORDER BY source, published_s",
            &s, NULL) != FW_OK) {
        return sql_fail(st);
    }
    sqlite3_bind_int64(s, 1, max);
    size_t cap = 0;
    memset(sn, 0, sizeof *sn);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (sn->n == cap) {
            cap = cap ? cap * 2 : 256;
            sn->v = xrealloc(sn->v, cap * sizeof *sn->v);
        }
        struct fw_snapshot_info *v = &sn->v[sn->n++];
        memset(v, 0, sizeof *v);
        v->id = sqlite3_column_int64(s, 0);
        snprintf(v->source, sizeof v->source, "%s",
                 (const char *)sqlite3_column_text(s, 1));
        v->published_s = sqlite3_column_int64(s, 2);
        v->as_of_s = sqlite3_column_int64(s, 3);
        v->has_contested = strcmp(v->source, "deepstate") == 0;
    }
    sqlite3_finalize(s);
    return 0;
}

struct export_ctx {
    FILE *f;
    int64_t snap_id;
    size_t n;
};

static fw_err export_polygon(void *arg, int cls, const void *wkb,
                             size_t wkb_len)
{
    static const char hex[] = "0123456789ABCDEF";
    struct export_ctx *e = arg;
    const unsigned char *b = wkb;
    fprintf(e->f, "%lld,%d,", (long long)e->snap_id, cls);
    for (size_t i = 0; i < wkb_len; i++) {
        putc(hex[b[i] >> 4], e->f);
        putc(hex[b[i] & 15], e->f);
    }
    putc('\n', e->f);
    e->n++;
    return FW_OK;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
    }
    return f;
}

/* A name in a CSV field: quoted, quotes doubled. */
static void put_csv_text(FILE *f, const char *t)
{
    putc('"', f);
    for (; *t; t++) {
        if (*t == '"') {
            putc('"', f);
        }
        putc(*t, f);
    }
    putc('"', f);
}

static int export_inputs(fw_geo *g, const struct places *p,
                         const struct snaps *sn, const char *dir)
{
    FILE *fp = open_out(dir, "places.csv");
    FILE *fs = open_out(dir, "snapshots.csv");
    FILE *fg = open_out(dir, "polygons.csv");
    int rc = 0;
    if (fp == NULL || fs == NULL || fg == NULL) {
        rc = 3;
        goto out;
    }
    fprintf(fp, "id,name,lat,lon\n");
    for (size_t i = 0; i < p->n; i++) {
        fprintf(fp, "%lld,", (long long)p->id[i]);
        put_csv_text(fp, p->name[i]);
        fprintf(fp, ",%.17g,%.17g\n", p->lat[i], p->lon[i]);
    }
    fprintf(fs, "id,source,published,as_of\n");
    fprintf(fg, "snap_id,cls,wkb_hex\n");
    struct export_ctx e = {fg, 0, 0};
    for (size_t k = 0; k < sn->n; k++) {
        char pub[11], asof[11];
        fw_date_format_day(sn->v[k].published_s, pub);
        fw_date_format_day(sn->v[k].as_of_s, asof);
        fprintf(fs, "%lld,%s,%s,%s\n", (long long)sn->v[k].id, sn->v[k].source,
                pub, asof);
        struct fw_diag d;
        fw_diag_reset(&d);
        e.snap_id = sn->v[k].id;
        if (fw_geo_snapshot_polygons(g, &sn->v[k], export_polygon, &e, &d) !=
            FW_OK) {
            fprintf(stderr, "bench_geo_kernel: %s\n", d.msg);
            rc = 3;
            goto out;
        }
    }
    fprintf(stderr, "exported %zu places, %zu snapshots, %zu polygons to %s\n",
            p->n, sn->n, e.n, dir);
out:
    if (fp != NULL && fclose(fp) != 0) {
        rc = 3;
    }
    if (fs != NULL && fclose(fs) != 0) {
        rc = 3;
    }
    if (fg != NULL && fclose(fg) != 0) {
        rc = 3;
    }
    return rc;
}

struct parse_ctx {
    GEOSContextHandle_t gh;
    GEOSWKBReader *rd;
};

static fw_err parse_polygon(void *arg, int cls, const void *wkb, size_t wkb_len)
{
    (void)cls;
    struct parse_ctx *c = arg;
    GEOSGeometry *geom = GEOSWKBReader_read_r(c->gh, c->rd, wkb, wkb_len);
    if (geom == NULL) {
        return FW_EGEOS;
    }
    GEOSGeom_destroy_r(c->gh, geom);
    return FW_OK;
}

/* Seconds to read and parse every snapshot's polygons, nothing else: the
 * part of the kernel time that is loading. */
static double parse_pass(fw_geo *g, const struct snaps *sn)
{
    struct parse_ctx c;
    c.gh = GEOS_init_r();
    c.rd = GEOSWKBReader_create_r(c.gh);
    double t0 = now_s();
    for (size_t k = 0; k < sn->n; k++) {
        struct fw_diag d;
        fw_diag_reset(&d);
        fw_geo_snapshot_polygons(g, &sn->v[k], parse_polygon, &c, &d);
    }
    double dt = now_s() - t0;
    GEOSWKBReader_destroy_r(c.gh, c.rd);
    GEOS_finish_r(c.gh);
    return dt;
}

/* Every pair into res[k * n_places + i]; returns the seconds taken, or
 * -1 on error. */
static double run(fw_geo *g, const struct places *p, const struct snaps *sn,
                  int per_call, struct fw_control *res, size_t *searched)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_geo_points *pts = NULL;
    *searched = 0;
    double t0 = now_s();
    if (!per_call &&
        fw_geo_points_new(g, p->lat, p->lon, p->n, &pts, &d) != FW_OK) {
        fprintf(stderr, "bench_geo_kernel: %s\n", d.msg);
        return -1;
    }
    for (size_t k = 0; k < sn->n; k++) {
        struct fw_control *out = &res[k * p->n];
        if (per_call) {
            /* status and distance only, like the points path and the
             * peers: no contested area */
            struct fw_snapshot_info snap = sn->v[k];
            snap.has_contested = 0;
            for (size_t i = 0; i < p->n; i++) {
                if (fw_geo_control(g, &snap, p->lat[i], p->lon[i], &out[i],
                                   &d) != FW_OK) {
                    fprintf(stderr, "bench_geo_kernel: %s\n", d.msg);
                    return -1;
                }
            }
            *searched += p->n;
        } else {
            if (fw_geo_control_points(g, pts, &sn->v[k], FW_GEO_SKIP_CONTESTED,
                                      out, &d) != FW_OK) {
                fprintf(stderr, "bench_geo_kernel: %s\n", d.msg);
                fw_geo_points_free(pts);
                return -1;
            }
            *searched += fw_geo_points_n_searched(pts);
        }
    }
    fw_geo_points_free(pts);
    return now_s() - t0;
}

static const char *status3(enum fw_status s)
{
    return s == FW_STATUS_FREE        ? "free"
           : s == FW_STATUS_CONTESTED ? "contested"
                                      : "occupied";
}

/* Batch and per-call results must agree: same status, same distance (to
 * rounding; a tie between two nearest points may pick either). */
static int verify(const struct places *p, const struct snaps *sn,
                  const struct fw_control *a, const struct fw_control *b)
{
    size_t bad = 0;
    double worst = 0;
    for (size_t k = 0; k < sn->n; k++) {
        for (size_t i = 0; i < p->n; i++) {
            const struct fw_control *x = &a[k * p->n + i];
            const struct fw_control *y = &b[k * p->n + i];
            double dd = fabs(x->distance_km - y->distance_km);
            worst = dd > worst ? dd : worst;
            if (x->status != y->status || dd > 1e-6 + 1e-9 * x->distance_km) {
                if (bad++ < 5) {
                    fprintf(stderr,
                            "mismatch place %lld snapshot %lld: %s %.9f km"
                            " (points) vs %s %.9f km (per call)\n",
                            (long long)p->id[i], (long long)sn->v[k].id,
                            fw_status_name(x->status), x->distance_km,
                            fw_status_name(y->status), y->distance_km);
                }
            }
        }
    }
    fprintf(stderr,
            "verify: %zu of %zu pairs differ; largest distance"
            " difference %.3g km\n",
            bad, p->n * sn->n, worst);
    return bad == 0 ? 0 : 1;
}

static int write_results(const char *path, const struct places *p,
                         const struct snaps *sn, const struct fw_control *r)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 3;
    }
    fprintf(f, "place_id,snap_id,status,dist_km\n");
    for (size_t k = 0; k < sn->n; k++) {
        for (size_t i = 0; i < p->n; i++) {
            const struct fw_control *c = &r[k * p->n + i];
            fprintf(f, "%lld,%lld,%s,%.6f\n", (long long)p->id[i],
                    (long long)sn->v[k].id, status3(c->status), c->distance_km);
        }
    }
    return fclose(f) == 0 ? 0 : 3;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: bench_geo_kernel STORE [--out FILE] [--per-call]"
            " [--verify] [--max-places N] [--max-snaps N]\n"
            "       bench_geo_kernel STORE --parse-only [--max-snaps N]\n"
            "       bench_geo_kernel STORE --export DIR [--max-places N]"
            " [--max-snaps N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *store = NULL, *out = NULL, *export_dir = NULL;
    int per_call = 0, do_verify = 0, parse_only = 0;
    long max_places = 0, max_snaps = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--out") == 0 && has_val) {
            out = argv[++i];
        } else if (strcmp(a, "--export") == 0 && has_val) {
            export_dir = argv[++i];
        } else if (strcmp(a, "--max-places") == 0 && has_val) {
            max_places = atol(argv[++i]);
        } else if (strcmp(a, "--max-snaps") == 0 && has_val) {
            max_snaps = atol(argv[++i]);
        } else if (strcmp(a, "--per-call") == 0) {
            per_call = 1;
        } else if (strcmp(a, "--verify") == 0) {
            do_verify = 1;
        } else if (strcmp(a, "--parse-only") == 0) {
            parse_only = 1;
        } else if (a[0] != '-' && store == NULL) {
            store = a;
        } else {
            return usage();
        }
    }
    if (store == NULL) {
        return usage();
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    if (fw_store_open(store, FW_STORE_READ, &st, &d) != FW_OK ||
        fw_geo_new(st, &g, &d) != FW_OK) {
        fprintf(stderr, "bench_geo_kernel: %s\n", d.msg);
        return 3;
    }
    struct places p;
    struct snaps sn;
    int rc = read_places(st, max_places, &p);
    if (rc == 0) {
        rc = read_snaps(st, max_snaps, &sn);
    }
    if (rc != 0) {
        return rc;
    }
    if (export_dir != NULL) {
        rc = export_inputs(g, &p, &sn, export_dir);
    } else if (parse_only) {
        printf("parse_s=%.3f snapshots=%zu\n", parse_pass(g, &sn), sn.n);
    } else {
        size_t n_pairs = p.n * sn.n, searched = 0, searched2 = 0;
        struct fw_control *res = calloc(n_pairs ? n_pairs : 1, sizeof *res);
        if (res == NULL) {
            return 3;
        }
        double kernel_s = run(g, &p, &sn, per_call, res, &searched);
        if (kernel_s < 0) {
            return 1;
        }
        printf("kernel_s=%.3f pairs=%zu searched=%zu places=%zu"
               " snapshots=%zu mode=%s\n",
               kernel_s, n_pairs, searched, p.n, sn.n,
               per_call ? "per-call" : "points");
        if (do_verify) {
            struct fw_control *res2 =
                calloc(n_pairs ? n_pairs : 1, sizeof *res2);
            fw_geo_free(g);
            if (res2 == NULL || fw_geo_new(st, &g, &d) != FW_OK) {
                return 3;
            }
            double t2 = run(g, &p, &sn, !per_call, res2, &searched2);
            if (t2 < 0) {
                return 1;
            }
            printf("verify_s=%.3f verify_mode=%s\n", t2,
                   per_call ? "points" : "per-call");
            rc = verify(&p, &sn, res, res2);
            free(res2);
        }
        if (rc == 0 && out != NULL) {
            rc = write_results(out, &p, &sn, res);
        }
        free(res);
    }
    for (size_t i = 0; i < p.n; i++) {
        free(p.name[i]);
    }
    free(p.name);
    free(p.id);
    free(p.lat);
    free(p.lon);
    free(sn.v);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}
