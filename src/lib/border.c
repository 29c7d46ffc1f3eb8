/*
 * border.c - the state border (see border.h): derived from the stored
 * country and oblast outlines by fw_ingest_derive, and measured from a
 * place by assess. Both work in the geo engine's Lambert conformal
 * projection (geo_int.h): the derivation's tolerances are metres there,
 * and the distance is the nearest point there measured along the WGS84
 * geodesic, as for the occupied area. The engine keeps the loaded lines
 * (struct fw_border_cache), so that an assessment pays one small query.
 */
#include "frontwatch/border.h"

#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_int.h"

/* Ukraine's outline is searched for edges near a country's outline
 * within this margin (degrees) of Ukraine's bounding box; the country's
 * outline is clipped to it before projecting (Russia's reaches 180 E). */
#define CLIP_MARGIN_DEG 1.0

static fw_err sql_fail(fw_store *st, struct fw_diag *d)
{
    return fw_diag_set(d, FW_ESQL, 0, 0, "state border: %s",
                       sqlite3_errmsg(fw_store_db(st)));
}

/* ---- deriving ---------------------------------------------------------- */

/* Geometries collected for a union, owned until handed over. */
struct geoms {
    GEOSGeometry **v;
    size_t n, cap;
};

static void geoms_free(fw_geo *g, struct geoms *a)
{
    for (size_t i = 0; i < a->n; i++) {
        GEOSGeom_destroy_r(g->gh, a->v[i]);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* Appends gm (taken, also on failure). */
static fw_err geoms_add(fw_geo *g, struct geoms *a, GEOSGeometry *gm)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        GEOSGeometry **nv = realloc(a->v, cap * sizeof *nv);
        if (nv == NULL) {
            GEOSGeom_destroy_r(g->gh, gm);
            return FW_ENOMEM;
        }
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = gm;
    return FW_OK;
}

/* The union of a's geometries (which it takes: a is left empty), or NULL
 * with the error in *err. */
static GEOSGeometry *union_of(fw_geo *g, struct geoms *a, fw_err *err,
                              struct fw_diag *d)
{
    GEOSGeometry *all = GEOSGeom_createCollection_r(
        g->gh, GEOS_GEOMETRYCOLLECTION, a->v, (unsigned)a->n);
    if (all == NULL) {
        *err = fw_geo_geos_fail(g, d, "cannot collect outlines");
        return NULL;
    }
    free(a->v); /* the collection took the geometries */
    memset(a, 0, sizeof *a);
    GEOSGeometry *u = GEOSUnaryUnion_r(g->gh, all);
    GEOSGeom_destroy_r(g->gh, all);
    if (u == NULL) {
        *err = fw_geo_geos_fail(g, d, "cannot unite outlines");
    }
    return u;
}

/* Reads the polygons of statement s (wkb in column 0; its parameters
 * bound) into all and, where column 1 is 1 and crimea is not NULL, a copy
 * into crimea. */
static fw_err read_polygons(fw_geo *g, sqlite3_stmt *s, struct geoms *all,
                            struct geoms *crimea, struct fw_diag *d)
{
    fw_err err = FW_OK;
    int rc;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        GEOSGeometry *gm = GEOSWKBReader_read_r(
            g->gh, g->wkb_reader, sqlite3_column_blob(s, 0),
            (size_t)sqlite3_column_bytes(s, 0));
        if (gm == NULL) {
            return fw_geo_geos_fail(g, d, "stored outline is not valid WKB");
        }
        if (crimea != NULL && sqlite3_column_int(s, 1)) {
            GEOSGeometry *c = GEOSGeom_clone_r(g->gh, gm);
            if (c == NULL) {
                GEOSGeom_destroy_r(g->gh, gm);
                return fw_geo_geos_fail(g, d, "cannot copy an outline");
            }
            if ((err = geoms_add(g, crimea, c)) != FW_OK) {
                GEOSGeom_destroy_r(g->gh, gm);
                return err;
            }
        }
        err = geoms_add(g, all, gm);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_fail(g->st, d);
    }
    return err;
}

/* Projects gm (lon/lat, taken) into *proj. */
static fw_err project(fw_geo *g, GEOSGeometry *gm, GEOSGeometry **proj,
                      struct fw_diag *d)
{
    *proj = GEOSGeom_transformXY_r(g->gh, gm, fw_geo_to_lcc, g);
    GEOSGeom_destroy_r(g->gh, gm);
    if (*proj == NULL) {
        return fw_geo_geos_fail(g, d, "cannot project an outline");
    }
    return FW_OK;
}

/* Projects gm (lon/lat, taken) and prepares it into *proj, *prep. */
static fw_err project_prepared(fw_geo *g, GEOSGeometry *gm, GEOSGeometry **proj,
                               const GEOSPreparedGeometry **prep,
                               struct fw_diag *d)
{
    fw_err err = project(g, gm, proj, d);
    if (err != FW_OK) {
        return err;
    }
    if ((*prep = GEOSPrepare_r(g->gh, *proj)) == NULL) {
        return fw_geo_geos_fail(g, d, "cannot prepare an outline");
    }
    return FW_OK;
}

/* The rings of the projected polygon(s) poly, prepared into *edges,
 * *prep: GEOS measures distances to a prepared line string from a facet
 * index, but to a prepared polygon by testing every segment (and
 * locating the point in it) each time, seconds for Ukraine's outline. */
static fw_err prepared_edges(fw_geo *g, const GEOSGeometry *poly,
                             GEOSGeometry **edges,
                             const GEOSPreparedGeometry **prep,
                             struct fw_diag *d)
{
    if ((*edges = GEOSBoundary_r(g->gh, poly)) == NULL) {
        return fw_geo_geos_fail(g, d, "cannot take an outline's edges");
    }
    if ((*prep = GEOSPrepare_r(g->gh, *edges)) == NULL) {
        return fw_geo_geos_fail(g, d, "cannot prepare an outline's edges");
    }
    return FW_OK;
}

/* What one derivation holds. */
struct derive {
    fw_geo *g;
    GEOSGeometry *ukraine;      /* lon/lat, the union of the oblasts */
    GEOSGeometry *crimea;       /* Lambert: Crimea and Sevastopol */
    GEOSGeometry *crimea_edges; /* its rings, for distances */
    const GEOSPreparedGeometry *crimea_edges_prep;
    GEOSGeometry *country; /* Lambert, clipped near Ukraine */
    const GEOSPreparedGeometry *country_prep; /* for point-in-polygon */
    GEOSGeometry *country_edges;              /* its rings, for distances */
    const GEOSPreparedGeometry *country_edges_prep;
    struct geoms lines;     /* lon/lat LineStrings of the edges kept */
    GEOSCoordSequence *run; /* the run of edges being kept, lon/lat */
    unsigned run_n;
};

static void derive_free(struct derive *x)
{
    GEOSContextHandle_t gh = x->g->gh;
    GEOSGeom_destroy_r(gh, x->ukraine);
    GEOSGeom_destroy_r(gh, x->crimea);
    if (x->country_prep != NULL) {
        GEOSPreparedGeom_destroy_r(gh, x->country_prep);
    }
    GEOSGeom_destroy_r(gh, x->country);
    if (x->crimea_edges_prep != NULL) {
        GEOSPreparedGeom_destroy_r(gh, x->crimea_edges_prep);
    }
    GEOSGeom_destroy_r(gh, x->crimea_edges);
    if (x->country_edges_prep != NULL) {
        GEOSPreparedGeom_destroy_r(gh, x->country_edges_prep);
    }
    GEOSGeom_destroy_r(gh, x->country_edges);
    geoms_free(x->g, &x->lines);
    if (x->run != NULL) {
        GEOSCoordSeq_destroy_r(gh, x->run);
    }
}

/* Ukraine's outline and Crimea's, from the oblast rows of file log. */
static fw_err load_oblasts(struct derive *x, long long log, struct fw_diag *d)
{
    fw_geo *g = x->g;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT wkb, oblast_iso IN ('UA-43', 'UA-40') FROM boundary"
        " WHERE log_id = ?1 ORDER BY id",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, log);
    struct geoms all = {0}, crimea = {0};
    err = read_polygons(g, s, &all, &crimea, d);
    sqlite3_finalize(s);
    if (err == FW_OK) {
        x->ukraine = union_of(g, &all, &err, d);
    }
    GEOSGeometry *c = err == FW_OK ? union_of(g, &crimea, &err, d) : NULL;
    if (c != NULL) {
        err = project(g, c, &x->crimea, d);
    }
    if (err == FW_OK && x->crimea != NULL) {
        err = prepared_edges(g, x->crimea, &x->crimea_edges,
                             &x->crimea_edges_prep, d);
    }
    geoms_free(g, &all);
    geoms_free(g, &crimea);
    return err;
}

/* The country's outline of file log, clipped to Ukraine's box widened by
 * CLIP_MARGIN_DEG, projected and prepared; x->country stays NULL when no
 * part of it comes near. */
static fw_err load_country(struct derive *x, const char *country, long long log,
                           struct fw_diag *d)
{
    fw_geo *g = x->g;
    double x0, y0, x1, y1;
    if (!GEOSGeom_getXMin_r(g->gh, x->ukraine, &x0) ||
        !GEOSGeom_getYMin_r(g->gh, x->ukraine, &y0) ||
        !GEOSGeom_getXMax_r(g->gh, x->ukraine, &x1) ||
        !GEOSGeom_getYMax_r(g->gh, x->ukraine, &y1)) {
        return fw_geo_geos_fail(g, d, "cannot take Ukraine's box");
    }
    x0 -= CLIP_MARGIN_DEG;
    y0 -= CLIP_MARGIN_DEG;
    x1 += CLIP_MARGIN_DEG;
    y1 += CLIP_MARGIN_DEG;
    sqlite3_stmt *s = NULL;
    fw_err err =
        fw_store_prepare(g->st,
                         "SELECT wkb, 0 FROM country_outline WHERE country = ?1"
                         " AND log_id = ?2 ORDER BY id",
                         &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, country, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, log);
    struct geoms parts = {0}, near = {0};
    err = read_polygons(g, s, &parts, NULL, d);
    sqlite3_finalize(s);
    for (size_t i = 0; err == FW_OK && i < parts.n; i++) {
        GEOSGeometry *clip =
            GEOSClipByRect_r(g->gh, parts.v[i], x0, y0, x1, y1);
        if (clip == NULL) {
            err = fw_geo_geos_fail(g, d, "cannot clip an outline");
        } else if (GEOSisEmpty_r(g->gh, clip) == 1) {
            GEOSGeom_destroy_r(g->gh, clip);
        } else {
            err = geoms_add(g, &near, clip);
        }
    }
    GEOSGeometry *u = NULL;
    if (err == FW_OK && near.n > 0) {
        u = union_of(g, &near, &err, d);
    }
    if (u != NULL) {
        err = project_prepared(g, u, &x->country, &x->country_prep, d);
    }
    if (err == FW_OK && x->country != NULL) {
        err = prepared_edges(g, x->country, &x->country_edges,
                             &x->country_edges_prep, d);
    }
    geoms_free(g, &parts);
    geoms_free(g, &near);
    return err;
}

/* Ends the run of kept edges (if any) as one LineString. */
static fw_err end_run(struct derive *x, struct fw_diag *d)
{
    fw_geo *g = x->g;
    if (x->run == NULL) {
        return FW_OK;
    }
    GEOSCoordSequence *cs = x->run;
    unsigned n = x->run_n;
    x->run = NULL;
    x->run_n = 0;
    /* the run was made with room for the whole ring: cut it to size */
    GEOSCoordSequence *fit = GEOSCoordSeq_create_r(g->gh, n, 2);
    for (unsigned i = 0; fit != NULL && i < n; i++) {
        double lon = 0, lat = 0;
        GEOSCoordSeq_getXY_r(g->gh, cs, i, &lon, &lat);
        GEOSCoordSeq_setXY_r(g->gh, fit, i, lon, lat);
    }
    GEOSCoordSeq_destroy_r(g->gh, cs);
    GEOSGeometry *line =
        fit != NULL ? GEOSGeom_createLineString_r(g->gh, fit) : NULL;
    if (line == NULL) {
        return fw_geo_geos_fail(g, d, "cannot make a border line");
    }
    return geoms_add(g, &x->lines, line);
}

/* Whether the projected point (px, py) is within FW_BORDER_NEAR_M of the
 * country's outline: inside it, or that near its edges. 2 on a GEOS
 * failure. */
static char near_country(struct derive *x, double px, double py)
{
    GEOSContextHandle_t gh = x->g->gh;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(gh, px, py);
    if (pt == NULL) {
        return 2;
    }
    double m = 0;
    char hit = GEOSPreparedContains_r(gh, x->country_prep, pt);
    if (hit == 0) {
        hit = GEOSPreparedDistance_r(gh, x->country_edges_prep, pt, &m) == 1
                  ? m <= FW_BORDER_NEAR_M
                  : 2;
    }
    GEOSGeom_destroy_r(gh, pt);
    return hit;
}

/* Whether the projected edge (x0, y0)-(x1, y1) comes within
 * FW_BORDER_CRIMEA_M of Crimea or Sevastopol (0 when the oblast file has
 * neither). 2 on a GEOS failure. */
static char near_crimea(struct derive *x, double x0, double y0, double x1,
                        double y1)
{
    GEOSContextHandle_t gh = x->g->gh;
    if (x->crimea_edges_prep == NULL) {
        return 0;
    }
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(gh, 2, 2);
    if (cs == NULL) {
        return 2;
    }
    GEOSCoordSeq_setXY_r(gh, cs, 0, x0, y0);
    GEOSCoordSeq_setXY_r(gh, cs, 1, x1, y1);
    GEOSGeometry *edge = GEOSGeom_createLineString_r(gh, cs); /* takes cs */
    double m = 0;
    char hit = 2;
    if (edge != NULL &&
        GEOSPreparedDistance_r(gh, x->crimea_edges_prep, edge, &m) == 1) {
        hit = m <= FW_BORDER_CRIMEA_M;
    }
    GEOSGeom_destroy_r(gh, edge);
    return hit;
}

/* The edges of ring (lon/lat) that the rule keeps, as runs into
 * x->lines. */
static fw_err scan_ring(struct derive *x, const GEOSGeometry *ring,
                        struct fw_diag *d)
{
    fw_geo *g = x->g;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(g->gh, ring);
    unsigned n = 0;
    if (cs == NULL || !GEOSCoordSeq_getSize_r(g->gh, cs, &n)) {
        return fw_geo_geos_fail(g, d, "cannot read Ukraine's outline");
    }
    fw_err err = FW_OK;
    double lon0 = 0, lat0 = 0, px0 = 0, py0 = 0;
    char near0 = 0;
    for (unsigned i = 0; err == FW_OK && i < n; i++) {
        double lon, lat, px, py;
        GEOSCoordSeq_getXY_r(g->gh, cs, i, &lon, &lat);
        fw_geo_lcc_fwd(&g->lcc, lon, lat, &px, &py);
        char near1 = near_country(x, px, py);
        if (near1 == 2) {
            return fw_geo_geos_fail(g, d, "distance to the country failed");
        }
        int keep = 0;
        if (i > 0 && near0 && near1 && lat0 >= FW_BORDER_MIN_LAT_DEG &&
            lat >= FW_BORDER_MIN_LAT_DEG) {
            char by_crimea = near_crimea(x, px0, py0, px, py);
            if (by_crimea == 2) {
                return fw_geo_geos_fail(g, d, "distance to Crimea failed");
            }
            keep = !by_crimea;
        }
        if (keep) {
            if (x->run == NULL) {
                x->run = GEOSCoordSeq_create_r(g->gh, n, 2);
                if (x->run == NULL) {
                    return fw_geo_geos_fail(g, d, "cannot start a line");
                }
                GEOSCoordSeq_setXY_r(g->gh, x->run, 0, lon0, lat0);
                x->run_n = 1;
            }
            GEOSCoordSeq_setXY_r(g->gh, x->run, x->run_n++, lon, lat);
        } else {
            err = end_run(x, d);
        }
        lon0 = lon;
        lat0 = lat;
        px0 = px;
        py0 = py;
        near0 = near1;
    }
    return err == FW_OK ? end_run(x, d) : err;
}

/* Geodesic length of a LineString or MultiLineString (lon/lat) in km. */
static double length_km(fw_geo *g, const GEOSGeometry *gm)
{
    double m = 0;
    int n = GEOSGetNumGeometries_r(g->gh, gm);
    for (int k = 0; k < n; k++) {
        const GEOSCoordSequence *cs =
            GEOSGeom_getCoordSeq_r(g->gh, GEOSGetGeometryN_r(g->gh, gm, k));
        unsigned np = 0;
        if (cs == NULL || !GEOSCoordSeq_getSize_r(g->gh, cs, &np)) {
            continue;
        }
        double lon0 = 0, lat0 = 0;
        for (unsigned i = 0; i < np; i++) {
            double lon, lat, s12 = 0;
            GEOSCoordSeq_getXY_r(g->gh, cs, i, &lon, &lat);
            if (i > 0) {
                geod_inverse(&g->geod, lat0, lon0, lat, lon, &s12, NULL, NULL);
                m += s12;
            }
            lon0 = lon;
            lat0 = lat;
        }
    }
    return m / 1000.0;
}

/* The merged lines of x->lines as one MultiLineString (lon/lat) into
 * *out: empty when no edge was kept. */
static fw_err merge_lines(struct derive *x, GEOSGeometry **out,
                          struct fw_diag *d)
{
    fw_geo *g = x->g;
    GEOSGeometry *all = GEOSGeom_createCollection_r(
        g->gh, GEOS_MULTILINESTRING, x->lines.v, (unsigned)x->lines.n);
    if (all == NULL) {
        return fw_geo_geos_fail(g, d, "cannot collect the border");
    }
    free(x->lines.v); /* taken by the collection */
    memset(&x->lines, 0, sizeof x->lines);
    /* runs that meet where a ring starts are one line */
    GEOSGeometry *merged = GEOSLineMerge_r(g->gh, all);
    GEOSGeom_destroy_r(g->gh, all);
    if (merged == NULL) {
        return fw_geo_geos_fail(g, d, "cannot merge the border");
    }
    if (GEOSGeomTypeId_r(g->gh, merged) == GEOS_MULTILINESTRING) {
        *out = merged;
        return FW_OK;
    }
    /* one line (or none): as a MultiLineString, the stored type */
    GEOSGeometry *one[1] = {merged};
    int is_empty = GEOSisEmpty_r(g->gh, merged) == 1;
    if (is_empty) {
        GEOSGeom_destroy_r(g->gh, merged);
    }
    *out = GEOSGeom_createCollection_r(g->gh, GEOS_MULTILINESTRING,
                                       is_empty ? NULL : one, is_empty ? 0 : 1);
    if (*out == NULL) {
        if (!is_empty) {
            GEOSGeom_destroy_r(g->gh, merged);
        }
        return fw_geo_geos_fail(g, d, "cannot collect the border");
    }
    return FW_OK;
}

/* Stores line (lon/lat) as the border with country from files log and
 * boundary_log, replacing the row there was. */
static fw_err store_line(fw_geo *g, const char *country, long long log,
                         long long boundary_log, const GEOSGeometry *line,
                         struct fw_diag *d)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(g->gh);
    if (w == NULL) {
        return fw_geo_geos_fail(g, d, "cannot make a WKB writer");
    }
    GEOSWKBWriter_setOutputDimension_r(g->gh, w, 2);
    GEOSWKBWriter_setByteOrder_r(g->gh, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(g->gh, w, GEOS_WKB_ISO);
    size_t len = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(g->gh, w, line, &len);
    GEOSWKBWriter_destroy_r(g->gh, w);
    if (wkb == NULL) {
        return fw_geo_geos_fail(g, d, "cannot write the border");
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "INSERT OR REPLACE INTO state_border(country, wkb, length_km,"
        " log_id, boundary_log_id) VALUES(?1,?2,?3,?4,?5)",
        &s, d);
    if (err == FW_OK) {
        sqlite3_bind_text(s, 1, country, -1, SQLITE_STATIC);
        sqlite3_bind_blob(s, 2, wkb, (int)len, SQLITE_STATIC);
        sqlite3_bind_double(s, 3, length_km(g, line));
        sqlite3_bind_int64(s, 4, log);
        sqlite3_bind_int64(s, 5, boundary_log);
        if (sqlite3_step(s) != SQLITE_DONE) {
            err = sql_fail(g->st, d);
        }
    }
    sqlite3_finalize(s);
    GEOSFree_r(g->gh, wkb);
    return err;
}

/* Derives and stores the border with country (outline of file log) from
 * the oblasts of file boundary_log. */
static fw_err derive_one(fw_geo *g, const char *country, long long log,
                         long long boundary_log, struct fw_diag *d)
{
    struct derive x = {.g = g};
    GEOSGeometry *line = NULL;
    fw_err err = load_oblasts(&x, boundary_log, d);
    if (err == FW_OK && x.ukraine != NULL) {
        err = load_country(&x, country, log, d);
    }
    if (err == FW_OK && x.country != NULL) {
        /* the shells of Ukraine's outline; its holes are slivers between
         * oblasts, inside the country */
        int n = GEOSGetNumGeometries_r(g->gh, x.ukraine);
        for (int k = 0; err == FW_OK && k < n; k++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(g->gh, x.ukraine, k);
            if (GEOSGeomTypeId_r(g->gh, part) != GEOS_POLYGON) {
                continue;
            }
            err = scan_ring(&x, GEOSGetExteriorRing_r(g->gh, part), d);
        }
    }
    if (err == FW_OK) {
        err = merge_lines(&x, &line, d);
    }
    if (err == FW_OK) {
        err = store_line(g, country, log, boundary_log, line, d);
    }
    GEOSGeom_destroy_r(g->gh, line);
    derive_free(&x);
    return err;
}

fw_err fw_border_derive(fw_store *st, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    /* per country, its newest outline file, and whether the stored border
     * came from it and from the newest oblast file holding Crimea */
    fw_err err = fw_store_prepare(
        st,
        "WITH b AS (SELECT max(log_id) AS log FROM boundary"
        "  WHERE oblast_iso = 'UA-43'),"
        " c AS (SELECT country, max(log_id) AS log FROM country_outline"
        "  GROUP BY country)"
        " SELECT c.country, c.log, b.log FROM c, b WHERE b.log IS NOT NULL"
        " AND NOT EXISTS(SELECT 1 FROM state_border sb"
        "  WHERE sb.country = c.country AND sb.log_id = c.log"
        "  AND sb.boundary_log_id = b.log)"
        " ORDER BY c.country",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    fw_geo *g = NULL;
    int rc;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char country[3];
        snprintf(country, sizeof country, "%s",
                 (const char *)sqlite3_column_text(s, 0));
        if (g == NULL && (err = fw_geo_new(st, &g, d)) != FW_OK) {
            break;
        }
        err = derive_one(g, country, sqlite3_column_int64(s, 1),
                         sqlite3_column_int64(s, 2), d);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_fail(st, d);
    }
    sqlite3_finalize(s);
    fw_geo_free(g);
    return err;
}

/* ---- distance ---------------------------------------------------------- */

struct border_line {
    char country[3];
    GEOSGeometry *proj; /* Lambert */
    const GEOSPreparedGeometry *prep;
};

struct fw_border_cache {
    long long max_id, n_rows; /* of state_border when loaded */
    struct border_line *lines;
    size_t n;
};

void fw_border_cache_free(fw_geo *g, struct fw_border_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->lines[i].prep != NULL) {
            GEOSPreparedGeom_destroy_r(g->gh, c->lines[i].prep);
        }
        GEOSGeom_destroy_r(g->gh, c->lines[i].proj);
    }
    free(c->lines);
    free(c);
}

/* The state_border rows with a line, loaded into a new cache *out. */
static fw_err load_lines(fw_geo *g, long long max_id, long long n_rows,
                         struct fw_border_cache **out, struct fw_diag *d)
{
    struct fw_border_cache *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    c->max_id = max_id;
    c->n_rows = n_rows;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT country, wkb FROM state_border WHERE length_km > 0"
        " ORDER BY country",
        &s, d);
    if (err == FW_OK && n_rows > 0 &&
        (c->lines = calloc((size_t)n_rows, sizeof *c->lines)) == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    int rc = SQLITE_DONE;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW &&
           c->n < (size_t)n_rows) {
        struct border_line *l = &c->lines[c->n];
        snprintf(l->country, sizeof l->country, "%s",
                 (const char *)sqlite3_column_text(s, 0));
        GEOSGeometry *gm = GEOSWKBReader_read_r(
            g->gh, g->wkb_reader, sqlite3_column_blob(s, 1),
            (size_t)sqlite3_column_bytes(s, 1));
        if (gm == NULL) {
            err = fw_geo_geos_fail(g, d, "stored border is not valid WKB");
            break;
        }
        c->n++; /* freed by fw_border_cache_free from here on */
        err = project_prepared(g, gm, &l->proj, &l->prep, d);
    }
    if (err == FW_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        err = sql_fail(g->st, d);
    }
    sqlite3_finalize(s);
    if (err != FW_OK) {
        fw_border_cache_free(g, c);
        return err;
    }
    *out = c;
    return FW_OK;
}

/* g's border cache, loaded again when state_border changed: its rows are
 * only ever replaced, so a new row has a new, larger id. */
static fw_err current_lines(fw_geo *g, struct fw_border_cache **out,
                            struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT coalesce(max(id), 0), count(*) FROM state_border"
        " WHERE length_km > 0",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = sql_fail(g->st, d);
        sqlite3_finalize(s);
        return err;
    }
    long long max_id = sqlite3_column_int64(s, 0);
    long long n_rows = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    struct fw_border_cache *c = g->border;
    if (c == NULL || c->max_id != max_id || c->n_rows != n_rows) {
        struct fw_border_cache *fresh = NULL;
        if ((err = load_lines(g, max_id, n_rows, &fresh, d)) != FW_OK) {
            return err;
        }
        fw_border_cache_free(g, g->border);
        g->border = c = fresh;
    }
    *out = c;
    return FW_OK;
}

fw_err fw_border_distance(fw_geo *g, double lat_deg, double lon_deg,
                          struct fw_border_distance *out, struct fw_diag *d)
{
    struct fw_border_cache *c = NULL;
    fw_err err = fw_geo_check_coordinates(lat_deg, lon_deg, d);
    if (err != FW_OK || (err = current_lines(g, &c, d)) != FW_OK) {
        return err;
    }
    if (c->n == 0) {
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                           "no state border in the store (ingest a country "
                           "outline shapefile and oblast boundaries)");
    }
    double x, y;
    fw_geo_lcc_fwd(&g->lcc, lon_deg, lat_deg, &x, &y);
    GEOSGeometry *ppt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
    if (ppt == NULL) {
        return fw_geo_geos_fail(g, d, "cannot make a point");
    }
    struct fw_border_distance best = {.distance_km = INFINITY};
    for (size_t i = 0; i < c->n; i++) {
        GEOSCoordSequence *cs =
            GEOSPreparedNearestPoints_r(g->gh, c->lines[i].prep, ppt);
        if (cs == NULL) {
            err = fw_geo_geos_fail(g, d, "nearest point of the border failed");
            break;
        }
        double nx = 0, ny = 0, nlat, nlon, s12 = 0;
        GEOSCoordSeq_getXY_r(g->gh, cs, 0, &nx, &ny);
        GEOSCoordSeq_destroy_r(g->gh, cs);
        fw_geo_lcc_inv(&g->lcc, nx, ny, &nlon, &nlat);
        geod_inverse(&g->geod, lat_deg, lon_deg, nlat, nlon, &s12, NULL, NULL);
        if (s12 / 1000.0 < best.distance_km) {
            snprintf(best.country, sizeof best.country, "%s",
                     c->lines[i].country);
            best.distance_km = s12 / 1000.0;
            best.nearest_lat_deg = nlat;
            best.nearest_lon_deg = nlon;
        }
    }
    GEOSGeom_destroy_r(g->gh, ppt);
    if (err == FW_OK) {
        *out = best;
    }
    return err;
}
