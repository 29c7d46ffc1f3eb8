/*
 * geojson.c - GeoJSON writers (geojson.h).
 *
 * The coordinates are written here rather than by GEOS's GeoJSON writer,
 * which prints every double in full (17 digits: a map 3 times the size)
 * and keeps the source's ring order.
 */
#include "frontwatch/geojson.h"

#include <geos_c.h>
#include <sqlite3.h>
#include <string.h>

#include "frontwatch/oblast.h"
#include "frontwatch/record.h"

struct writer {
    GEOSContextHandle_t gh;
    GEOSWKBReader *reader;
    double simplify_deg;
    FILE *f;
    size_t n_features;
};

static fw_err writer_init(struct writer *w, double simplify_deg, FILE *f,
                          struct fw_diag *d)
{
    memset(w, 0, sizeof *w);
    w->simplify_deg = simplify_deg;
    w->f = f;
    w->gh = GEOS_init_r();
    w->reader = w->gh ? GEOSWKBReader_create_r(w->gh) : NULL;
    if (w->reader == NULL) {
        return fw_diag_set(d, FW_EGEOS, 0, 0, "cannot start GEOS");
    }
    return FW_OK;
}

static void writer_reset(struct writer *w)
{
    if (w->reader != NULL) {
        GEOSWKBReader_destroy_r(w->gh, w->reader);
    }
    if (w->gh != NULL) {
        GEOS_finish_r(w->gh);
    }
    memset(w, 0, sizeof *w);
}

/* Twice the signed area of the ring in degrees (> 0: counter-clockwise). */
static double ring_orientation(GEOSContextHandle_t gh,
                               const GEOSCoordSequence *cs, unsigned n)
{
    double sum = 0, x0, y0, x1, y1;
    if (n < 2 || !GEOSCoordSeq_getXY_r(gh, cs, 0, &x0, &y0)) {
        return 0;
    }
    for (unsigned i = 1; i < n; i++) {
        if (!GEOSCoordSeq_getXY_r(gh, cs, i, &x1, &y1)) {
            return 0;
        }
        sum += x0 * y1 - x1 * y0;
        x0 = x1;
        y0 = y1;
    }
    return sum;
}

static int write_ring(struct writer *w, const GEOSGeometry *ring,
                      int is_exterior)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(w->gh, ring);
    unsigned n = 0;
    if (cs == NULL || !GEOSCoordSeq_getSize_r(w->gh, cs, &n)) {
        return -1;
    }
    double o = ring_orientation(w->gh, cs, n);
    int reverse = is_exterior ? o < 0 : o > 0;
    fputc('[', w->f);
    for (unsigned k = 0; k < n; k++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(w->gh, cs, reverse ? n - 1 - k : k, &x,
                                  &y)) {
            return -1;
        }
        fprintf(w->f, "%s[%.5f,%.5f]", k ? "," : "", x, y);
    }
    fputc(']', w->f);
    return 0;
}

static int write_polygon_coords(struct writer *w, const GEOSGeometry *poly)
{
    int n_holes = GEOSGetNumInteriorRings_r(w->gh, poly);
    const GEOSGeometry *ext = GEOSGetExteriorRing_r(w->gh, poly);
    if (n_holes < 0 || ext == NULL) {
        return -1;
    }
    fputc('[', w->f);
    if (write_ring(w, ext, 1) != 0) {
        return -1;
    }
    for (int i = 0; i < n_holes; i++) {
        fputc(',', w->f);
        if (write_ring(w, GEOSGetInteriorRingN_r(w->gh, poly, i), 0) != 0) {
            return -1;
        }
    }
    fputc(']', w->f);
    return 0;
}

/* One Feature of the WKB polygon or multipolygon, with properties (a JSON
 * object text). Empty geometries (a polygon simplified away) are skipped. */
static fw_err write_feature(struct writer *w, const void *wkb, size_t wkb_len,
                            const char *properties, struct fw_diag *d)
{
    GEOSGeometry *geom = GEOSWKBReader_read_r(w->gh, w->reader, wkb, wkb_len);
    GEOSGeometry *simple = NULL;
    fw_err err = FW_OK;
    if (geom == NULL) {
        return fw_diag_set(d, FW_EGEOS, 0, 0, "unreadable stored geometry");
    }
    const GEOSGeometry *use = geom;
    if (w->simplify_deg > 0) {
        simple = GEOSTopologyPreserveSimplify_r(w->gh, geom, w->simplify_deg);
        if (simple == NULL) {
            err = fw_diag_set(d, FW_EGEOS, 0, 0, "cannot simplify a polygon");
            goto out;
        }
        use = simple;
    }
    if (GEOSisEmpty_r(w->gh, use) == 1) {
        goto out;
    }
    int type = GEOSGeomTypeId_r(w->gh, use);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
        err = fw_diag_set(d, FW_EGEOS, 0, 0,
                          "stored geometry is not a polygon (type %d)", type);
        goto out;
    }
    fprintf(w->f, "%s{\"type\":\"Feature\",\"properties\":%s,\"geometry\":"
                  "{\"type\":\"%s\",\"coordinates\":",
            w->n_features ? "," : "", properties,
            type == GEOS_POLYGON ? "Polygon" : "MultiPolygon");
    int rc = 0;
    if (type == GEOS_POLYGON) {
        rc = write_polygon_coords(w, use);
    } else {
        int n = GEOSGetNumGeometries_r(w->gh, use);
        fputc('[', w->f);
        for (int i = 0; rc == 0 && i < n; i++) {
            if (i > 0) {
                fputc(',', w->f);
            }
            rc = write_polygon_coords(w, GEOSGetGeometryN_r(w->gh, use, i));
        }
        fputc(']', w->f);
    }
    fputs("}}", w->f);
    w->n_features++;
    if (rc != 0) {
        err = fw_diag_set(d, FW_EGEOS, 0, 0, "cannot read a polygon's rings");
    }
out:
    GEOSGeom_destroy_r(w->gh, simple);
    GEOSGeom_destroy_r(w->gh, geom);
    return err;
}

static const char *class_name(int cls)
{
    switch (cls) {
    case FW_CLASS_OCCUPIED_PRE2022: return "occupied_before_2022";
    case FW_CLASS_CONTESTED: return "contested";
    default: return "occupied";
    }
}

static fw_err snapshot_polygon(void *arg, int cls, const void *wkb,
                               size_t wkb_len)
{
    struct writer *w = arg;
    char props[64];
    snprintf(props, sizeof props, "{\"class\":\"%s\"}", class_name(cls));
    /* errors here have no diag to fill: the caller names the map */
    return write_feature(w, wkb, wkb_len, props, NULL);
}

static fw_err finish(struct writer *w, fw_err err, struct fw_diag *d)
{
    if (err == FW_OK && (fflush(w->f) != 0 || ferror(w->f))) {
        err = fw_diag_set(d, FW_EIO, 0, 0, "cannot write the GeoJSON");
    }
    writer_reset(w);
    return err;
}

fw_err fw_geojson_write_snapshot(fw_geo *g, const struct fw_snapshot_info *snap,
                                 const char *members, double simplify_deg,
                                 FILE *f, struct fw_diag *d)
{
    struct writer w;
    fw_err err = writer_init(&w, simplify_deg, f, d);
    if (err != FW_OK) {
        return finish(&w, err, d);
    }
    fprintf(f, "{\"type\":\"FeatureCollection\",%s%s\"features\":[",
            members ? members : "", members && *members ? "," : "");
    err = fw_geo_snapshot_polygons(g, snap, snapshot_polygon, &w, d);
    if (err == FW_EGEOS) {
        fw_diag_set(d, err, 0, 0, "map %lld of %s: a polygon cannot be "
                                  "written",
                    (long long)snap->id, snap->source);
    }
    fputs("]}\n", f);
    return finish(&w, err, d);
}

/* Per oblast, the file (ingest log) whose outline of it is smallest. */
static const char OBLAST_SQL[] =
    "WITH pick AS (SELECT oblast_iso, log_id, sum(length(wkb)) AS bytes "
    "  FROM boundary GROUP BY oblast_iso, log_id),"
    " best AS (SELECT oblast_iso, log_id FROM pick p WHERE log_id = "
    "  (SELECT log_id FROM pick q WHERE q.oblast_iso = p.oblast_iso "
    "   ORDER BY bytes, log_id LIMIT 1))"
    "SELECT b.oblast_iso, b.wkb FROM boundary b JOIN best USING "
    "(oblast_iso, log_id) ORDER BY b.oblast_iso, b.id";

fw_err fw_geojson_write_oblasts(fw_store *st, double simplify_deg, FILE *f,
                                struct fw_diag *d)
{
    struct writer w;
    sqlite3_stmt *s = NULL;
    fw_err err = writer_init(&w, simplify_deg, f, d);
    if (err != FW_OK ||
        (err = fw_store_prepare(st, OBLAST_SQL, &s, d)) != FW_OK) {
        return finish(&w, err, d);
    }
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", f);
    int rc = SQLITE_DONE;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *iso = (const char *)sqlite3_column_text(s, 0);
        const struct fw_oblast *o = fw_oblast_by_iso(iso ? iso : "");
        char props[256];
        /* names from the static table: plain letters, no JSON escapes */
        snprintf(props, sizeof props,
                 "{\"iso\":\"%s\",\"name_en\":\"%s\",\"name_uk\":\"%s\"}",
                 o ? o->iso : "", o ? o->name_en : "", o ? o->name_uk : "");
        err = write_feature(&w, sqlite3_column_blob(s, 1),
                            (size_t)sqlite3_column_bytes(s, 1), props, d);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "reading the boundaries: %s",
                          sqlite3_errstr(rc));
    }
    sqlite3_finalize(s);
    fputs("]}\n", f);
    return finish(&w, err, d);
}
