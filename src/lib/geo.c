/*
 * geo.c - status and geodesic distance per snapshot (see geo.h).
 *
 * State: a cache of loaded snapshots. Each holds, per polygon, the GEOS
 * geometry in lon/lat with its prepared form and bbox (point-in-polygon),
 * and the edges of the occupied polygons in the Lambert projection as one
 * prepared MultiLineString (nearest point). Polygons equal to one in another
 * cached snapshot are shared. Loading is the cost; queries are cheap, so
 * every place at one snapshot, then the next snapshot, is the fast order:
 * fw_geo_control_points (geo_kernel.c, through geo_int.h) works that way
 * and, from one snapshot of a source to the next, searches again only the
 * places near an edge that changed.
 */

#include "frontwatch/geo.h"

#include <geodesic.h>
#include <geos_c.h>
#include <proj.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/record.h"
#include "geo_int.h"

const char *const FW_GEO_SOURCES[FW_GEO_N_SOURCES] = {
    "deepstate", "deepstate_occupied", "nzz"};

#define CONTESTED_RADIUS_KM 25.0
#define PI 3.14159265358979323846
#define DEG_TO_RAD (PI / 180.0)

/* A polygon as loaded. Snapshots share a polygon whose class and WKB are
 * the same (the pre-2022 layer, unchanged stretches of the front), so that
 * consecutive weeks parse, project and index it once. */
struct poly {
    uint64_t key;       /* hash of class and WKB */
    unsigned char *wkb; /* a copy, to compare */
    size_t wkb_len;
    int n_refs;         /* snapshots in the cache that use it */
    GEOSGeometry *geom; /* lon/lat */
    const GEOSPreparedGeometry *prep;
    GEOSGeometry *proj; /* Lambert metres; occupied at load, contested when
                           first needed */
    GEOSGeometry *clip; /* proj clipped to the box of tile (clip_tx,
                           clip_ty), for area_near; NULL until needed */
    long clip_tx, clip_ty;
    int cls;
    double min_lon, min_lat, max_lon, max_lat;
};

/*
 * The Lambert conformal conic projection of Ukraine (standard parallels
 * 45.5 and 50.5 N, origin 48 N 31 E, WGS84), through PROJ. A plain PROJ
 * string needs nothing from proj.db, but PROJ opens that database at the
 * first proj_create to read its init rules, about 10 ms, a third of a warm
 * `assess`; the context is therefore given an empty search path, and its
 * log silenced so that the database it no longer finds goes unreported.
 */
#define LCC_DEF                                                            \
    "+proj=lcc +lat_1=45.5 +lat_2=50.5 +lat_0=48 +lon_0=31"                 \
    " +a=6378137 +rf=298.257223563 +units=m +no_defs"

static void lcc_quiet(void *data, int level, const char *msg)
{
    (void)data;
    (void)level;
    (void)msg;
}

static int lcc_init(struct lcc *p)
{
    static const char *const no_paths[] = {""};
    p->ctx = proj_context_create();
    if (p->ctx == NULL) {
        return 0;
    }
    proj_log_func(p->ctx, NULL, lcc_quiet);
    proj_context_set_search_paths(p->ctx, 1, no_paths);
    p->pj = proj_create(p->ctx, LCC_DEF);
    return p->pj != NULL;
}

static void lcc_free(struct lcc *p)
{
    proj_destroy(p->pj);
    if (p->ctx != NULL) {
        proj_context_destroy(p->ctx);
    }
}

void fw_geo_lcc_fwd(const struct lcc *p, double lon_deg, double lat_deg,
                    double *x_m, double *y_m)
{
    PJ_COORD c = proj_coord(proj_torad(lon_deg), proj_torad(lat_deg), 0, 0);
    c = proj_trans(p->pj, PJ_FWD, c);
    *x_m = c.xy.x;
    *y_m = c.xy.y;
}

void fw_geo_lcc_inv(const struct lcc *p, double x_m, double y_m,
                    double *lon_deg, double *lat_deg)
{
    PJ_COORD c = proj_trans(p->pj, PJ_INV, proj_coord(x_m, y_m, 0, 0));
    *lon_deg = proj_todeg(c.lp.lam);
    *lat_deg = proj_todeg(c.lp.phi);
}

/* The projection's scale factor at (lat, lon), the same along and across
 * the meridian: it is conformal. */
static double lcc_scale(const struct lcc *p, double lat_deg, double lon_deg)
{
    PJ_FACTORS f = proj_factors(
        p->pj, proj_coord(proj_torad(lon_deg), proj_torad(lat_deg), 0, 0));
    return f.meridional_scale > 0 ? f.meridional_scale : 1.0;
}

const char *fw_status_name(enum fw_status status)
{
    switch (status) {
    case FW_STATUS_FREE:
        return "free";
    case FW_STATUS_CONTESTED:
        return "contested";
    case FW_STATUS_OCCUPIED:
        return "occupied";
    case FW_STATUS_OCCUPIED_PRE2022:
        return "occupied_before_2022";
    }
    return "unknown";
}

static void geos_msg_r(const char *message, void *userdata)
{
    struct fw_geo *g = userdata;
    snprintf(g->geos_msg, sizeof g->geos_msg, "%s", message);
}

double fw_geo_distance_km(double lat1_deg, double lon1_deg, double lat2_deg,
                          double lon2_deg)
{
    /* initialised per call: a few dozen operations, and no shared state
     * for callers on several threads */
    struct geod_geodesic geod;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    double s12 = 0;
    geod_inverse(&geod, lat1_deg, lon1_deg, lat2_deg, lon2_deg, &s12, NULL,
                 NULL);
    return s12 / 1000.0;
}

fw_err fw_geo_new(fw_store *st, fw_geo **out, struct fw_diag *d)
{
    fw_geo *g = calloc(1, sizeof *g);
    if (g == NULL) {
        return FW_ENOMEM;
    }
    g->st = st;
    g->gh = GEOS_init_r();
    if (g->gh == NULL) {
        free(g);
        return fw_diag_set(d, FW_EGEOS, 0, 0, "cannot start GEOS");
    }
    GEOSContext_setErrorMessageHandler_r(g->gh, geos_msg_r, g);
    g->wkb_reader = GEOSWKBReader_create_r(g->gh);
    if (g->wkb_reader == NULL) {
        fw_geo_free(g);
        return fw_diag_set(d, FW_EGEOS, 0, 0, "cannot make a WKB reader");
    }
    if (!lcc_init(&g->lcc)) {
        fw_geo_free(g);
        return fw_diag_set(d, FW_EPROJ, 0, 0,
                           "cannot create the Lambert projection");
    }
    geod_init(&g->geod, 6378137.0, 1 / 298.257223563);
    *out = g;
    return FW_OK;
}

static void poly_release(fw_geo *g, struct poly *p)
{
    if (p == NULL || --p->n_refs > 0) {
        return;
    }
    if (p->prep != NULL) {
        GEOSPreparedGeom_destroy_r(g->gh, p->prep);
    }
    GEOSGeom_destroy_r(g->gh, p->geom);
    GEOSGeom_destroy_r(g->gh, p->proj);
    GEOSGeom_destroy_r(g->gh, p->clip);
    free(p->wkb);
    free(p);
}

static void unload(fw_geo *g, struct loaded *l)
{
    for (size_t i = 0; i < l->n_polys; i++) {
        poly_release(g, l->polys[i]);
    }
    free(l->polys);
    if (l->occ_prep != NULL) {
        GEOSPreparedGeom_destroy_r(g->gh, l->occ_prep);
    }
    GEOSGeom_destroy_r(g->gh, l->occ_proj);
    memset(l, 0, sizeof *l);
}

static void held_reset(fw_geo *g, struct held *h);

void fw_geo_free(fw_geo *g)
{
    if (g == NULL) {
        return;
    }
    for (int i = 0; i < FW_GEO_CACHE_SLOTS; i++) {
        unload(g, &g->cache[i]);
    }
    for (int i = 0; i < FW_GEO_HELD_SLOTS; i++) {
        held_reset(g, &g->held[i]);
    }
    fw_border_cache_free(g, g->border);
    if (g->wkb_reader != NULL) {
        GEOSWKBReader_destroy_r(g->gh, g->wkb_reader);
    }
    GEOS_finish_r(g->gh);
    lcc_free(&g->lcc);
    free(g);
}

int fw_geo_to_lcc(double *x, double *y, void *userdata)
{
    const fw_geo *g = userdata;
    fw_geo_lcc_fwd(&g->lcc, *x, *y, x, y);
    return isfinite(*x) && isfinite(*y);
}

fw_err fw_geo_geos_fail(fw_geo *g, struct fw_diag *d, const char *what)
{
    return fw_diag_set(d, FW_EGEOS, 0, 0, "%s: %s", what,
                       g->geos_msg[0] ? g->geos_msg : "GEOS failed");
}

double fw_geo_min_polygon_km2(const char *source)
{
    return strcmp(source, "nzz") == 0 ? FW_GEO_NZZ_MIN_POLYGON_KM2 : 0.0;
}

/* The map whose "occupied before 2022" layer a map published at t
 * borrows (geo.h): the newest DeepState full map published at or before t
 * that has that layer and is not passed over as seen at t; *id is 0 when
 * there is none yet. */
static fw_err pre2022_donor(fw_geo *g, int64_t t, int64_t *id,
                            struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT id FROM snapshot s WHERE source='deepstate'"
        " AND published_s <= ?1 AND EXISTS(SELECT 1 FROM polygon"
        "  WHERE snapshot_id=s.id AND cls=2)"
        " AND NOT " FW_GEO_SQL_PASSED_OVER("s", "?1")
        " ORDER BY published_s DESC LIMIT 1",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, t);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
    } else if (rc == SQLITE_DONE) {
        *id = 0;
    } else {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(g->st)));
    }
    sqlite3_finalize(s);
    return err;
}

/* Called for each polygon row (cls, wkb, min_lon, min_lat, max_lon,
 * max_lat; the box may be NULL) that a snapshot uses; see each_poly. */
typedef fw_err (*poly_row_fn)(fw_geo *g, void *arg, sqlite3_stmt *s,
                              struct fw_diag *d);

/* Steps the bound statement s through fn, and finalizes it. */
static fw_err walk_rows(fw_geo *g, sqlite3_stmt *s, poly_row_fn fn, void *arg,
                        struct fw_diag *d)
{
    fw_err err = FW_OK;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((err = fn(g, arg, s, d)) != FW_OK) {
            break;
        }
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(g->st)));
    }
    sqlite3_finalize(s);
    return err;
}

/* Walks the polygon rows of snapshot id that the engine uses (only class
 * cls_only when > 0, only area_km2 >= min_km2, never liberated areas nor
 * parts held as unconfirmed). */
static fw_err each_row(fw_geo *g, int64_t id, int cls_only, double min_km2,
                       poly_row_fn fn, void *arg, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT p.cls, p.wkb, r.min_lon, r.min_lat, r.max_lon, r.max_lat"
        " FROM polygon p JOIN polygon_rtree r ON r.id = p.id"
        " WHERE p.snapshot_id=?1 AND (?2 = 0 OR p.cls = ?2)"
        " AND p.area_km2 >= ?3 AND p.cls <> 4 AND p.unconfirmed = 0",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, cls_only);
    sqlite3_bind_double(s, 3, min_km2);
    return walk_rows(g, s, fn, arg, d);
}

/* The fixed "occupied before 2022" layer, for maps published before any
 * DeepState full map (geo.h): the Crimea and Sevastopol boundaries of the
 * boundary file ingested last that holds Crimea. Nothing when the store
 * has no such file. */
static fw_err each_fixed_pre2022(fw_geo *g, poly_row_fn fn, void *arg,
                                 struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT 2, wkb, NULL, NULL, NULL, NULL FROM boundary"
        " WHERE oblast_iso IN ('UA-43', 'UA-40') AND log_id ="
        " (SELECT max(log_id) FROM boundary WHERE oblast_iso = 'UA-43')"
        " ORDER BY id",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    return walk_rows(g, s, fn, arg, d);
}

/* Walks every polygon row the engine uses for snap: its own (NZZ: not the
 * tiny ones; no unconfirmed parts), then the borrowed pre-2022 layer for
 * sources without one. */
static fw_err each_poly(fw_geo *g, const struct fw_snapshot_info *snap,
                        poly_row_fn fn, void *arg, struct fw_diag *d)
{
    fw_err err = each_row(g, snap->id, 0, fw_geo_min_polygon_km2(snap->source),
                          fn, arg, d);
    if (err != FW_OK || strcmp(snap->source, "deepstate") == 0) {
        return err;
    }
    int64_t donor = 0;
    if ((err = pre2022_donor(g, snap->published_s, &donor, d)) != FW_OK) {
        return err;
    }
    return donor != 0 ? each_row(g, donor, FW_CLASS_OCCUPIED_PRE2022, 0.0, fn,
                                 arg, d)
                      : each_fixed_pre2022(g, fn, arg, d);
}

static uint64_t poly_key(int cls, const unsigned char *wkb, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)cls ^ ((uint64_t)len << 8);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, wkb + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    for (; i < len; i++) {
        h = (h ^ wkb[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* The polygon with this class and WKB in a cached snapshot, or NULL. */
static struct poly *find_shared(fw_geo *g, uint64_t key, int cls,
                                const void *wkb, size_t len)
{
    for (int c = 0; c < FW_GEO_CACHE_SLOTS; c++) {
        const struct loaded *o = &g->cache[c];
        for (size_t i = 0; i < o->n_polys; i++) {
            struct poly *p = o->polys[i];
            if (p->key == key && p->cls == cls && p->wkb_len == len &&
                memcmp(p->wkb, wkb, len) == 0) {
                return p;
            }
        }
    }
    return NULL;
}

static int is_occupied_class(int cls)
{
    return cls == FW_CLASS_OCCUPIED || cls == FW_CLASS_OCCUPIED_PRE2022;
}

/* Appends the polygon of row s to the loaded snapshot arg. */
static fw_err add_poly(fw_geo *g, void *arg, sqlite3_stmt *s, struct fw_diag *d)
{
    struct loaded *l = arg;
    struct poly **np = realloc(l->polys, (l->n_polys + 1) * sizeof *np);
    if (np == NULL) {
        return FW_ENOMEM;
    }
    l->polys = np;
    int cls = sqlite3_column_int(s, 0);
    const void *wkb = sqlite3_column_blob(s, 1);
    size_t len = (size_t)sqlite3_column_bytes(s, 1);
    uint64_t key = poly_key(cls, wkb, len);
    struct poly *p = find_shared(g, key, cls, wkb, len);
    if (p != NULL) {
        p->n_refs++;
        l->polys[l->n_polys++] = p;
        return FW_OK;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL || (p->wkb = malloc(len ? len : 1)) == NULL) {
        free(p);
        return FW_ENOMEM;
    }
    memcpy(p->wkb, wkb, len);
    p->wkb_len = len;
    p->key = key;
    p->cls = cls;
    p->n_refs = 1;
    l->polys[l->n_polys++] = p; /* freed by unload from here on */
    p->geom = GEOSWKBReader_read_r(g->gh, g->wkb_reader, wkb, len);
    if (p->geom == NULL) {
        return fw_geo_geos_fail(g, d, "stored polygon is not valid WKB");
    }
    if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
        p->min_lon = sqlite3_column_double(s, 2);
        p->min_lat = sqlite3_column_double(s, 3);
        p->max_lon = sqlite3_column_double(s, 4);
        p->max_lat = sqlite3_column_double(s, 5);
    } else if (!GEOSGeom_getXMin_r(g->gh, p->geom, &p->min_lon) ||
               !GEOSGeom_getYMin_r(g->gh, p->geom, &p->min_lat) ||
               !GEOSGeom_getXMax_r(g->gh, p->geom, &p->max_lon) ||
               !GEOSGeom_getYMax_r(g->gh, p->geom, &p->max_lat)) {
        /* a boundary row of the fixed layer, which has no stored box */
        return fw_geo_geos_fail(g, d, "cannot take a polygon's box");
    }
    p->prep = GEOSPrepare_r(g->gh, p->geom);
    if (p->prep == NULL) {
        return fw_geo_geos_fail(g, d, "cannot prepare polygon");
    }
    if (is_occupied_class(cls)) {
        p->proj = GEOSGeom_transformXY_r(g->gh, p->geom, fw_geo_to_lcc, g);
        if (p->proj == NULL) {
            return fw_geo_geos_fail(g, d, "cannot project polygon");
        }
    }
    return FW_OK;
}

struct export_arg {
    fw_geo_polygon_fn fn;
    void *arg;
};

static fw_err export_row(fw_geo *g, void *arg, sqlite3_stmt *s,
                         struct fw_diag *d)
{
    (void)g;
    (void)d;
    struct export_arg *e = arg;
    return e->fn(e->arg, sqlite3_column_int(s, 0), sqlite3_column_blob(s, 1),
                 (size_t)sqlite3_column_bytes(s, 1));
}

fw_err fw_geo_snapshot_polygons(fw_geo *g, const struct fw_snapshot_info *snap,
                                fw_geo_polygon_fn fn, void *arg,
                                struct fw_diag *d)
{
    struct export_arg e = {fn, arg};
    return each_poly(g, snap, export_row, &e, d);
}

fw_err fw_geo_newest_snapshot(fw_geo *g, int64_t t_s,
                              struct fw_snapshot_info *out, int *k_out,
                              struct fw_diag *d)
{
    struct fw_snapshot_info best, s;
    int k_best = -1;
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        fw_err err = fw_geo_snapshot_seen(g, FW_GEO_SOURCES[k], t_s, t_s, &s,
                                          d);
        if (err == FW_ENOTFOUND) {
            continue;
        }
        if (err != FW_OK) {
            return err;
        }
        if (k_best < 0 || s.as_of_s > best.as_of_s) {
            best = s;
            k_best = k;
        }
    }
    if (k_best < 0) {
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0, "no map by then");
    }
    *out = best;
    if (k_out != NULL) {
        *k_out = k_best;
    }
    return FW_OK;
}

/* The rings of the occupied polygons, projected, as one prepared
 * MultiLineString. Distances are only asked for points outside the
 * occupied area, where the distance to the area is the distance to its
 * edges; and GEOS answers nearest points on a prepared line string from a
 * facet index, while on prepared polygons it compares every segment. */
static fw_err build_occupied_edges(fw_geo *g, struct loaded *l,
                                   struct fw_diag *d)
{
    size_t n_lines = 0, cap = 0;
    GEOSGeometry **lines = NULL;
    fw_err err = FW_OK;
    for (size_t i = 0; err == FW_OK && i < l->n_polys; i++) {
        const struct poly *p = l->polys[i];
        if (!is_occupied_class(p->cls)) {
            continue;
        }
        int n_rings = GEOSGetNumInteriorRings_r(g->gh, p->proj) + 1;
        for (int r = 0; err == FW_OK && r < n_rings; r++) {
            const GEOSGeometry *ring =
                r == 0 ? GEOSGetExteriorRing_r(g->gh, p->proj)
                       : GEOSGetInteriorRingN_r(g->gh, p->proj, r - 1);
            const GEOSCoordSequence *cs =
                ring ? GEOSGeom_getCoordSeq_r(g->gh, ring) : NULL;
            GEOSCoordSequence *copy =
                cs ? GEOSCoordSeq_clone_r(g->gh, cs) : NULL;
            GEOSGeometry *line =
                copy ? GEOSGeom_createLineString_r(g->gh, copy) : NULL;
            if (line == NULL) {
                err = fw_geo_geos_fail(g, d, "cannot take the occupied edges");
                break;
            }
            if (n_lines == cap) {
                cap = cap ? cap * 2 : 64;
                GEOSGeometry **nl = realloc(lines, cap * sizeof *nl);
                if (nl == NULL) {
                    GEOSGeom_destroy_r(g->gh, line);
                    err = FW_ENOMEM;
                    break;
                }
                lines = nl;
            }
            lines[n_lines++] = line;
        }
    }
    if (err == FW_OK && n_lines > 0) {
        /* takes ownership of the lines */
        l->occ_proj = GEOSGeom_createCollection_r(g->gh, GEOS_MULTILINESTRING,
                                                  lines, (unsigned)n_lines);
        n_lines = 0;
        if (l->occ_proj == NULL) {
            err = fw_geo_geos_fail(g, d, "cannot collect the occupied edges");
        } else if ((l->occ_prep = GEOSPrepare_r(g->gh, l->occ_proj)) == NULL) {
            err = fw_geo_geos_fail(g, d, "cannot prepare the occupied edges");
        }
    }
    for (size_t i = 0; i < n_lines; i++) {
        GEOSGeom_destroy_r(g->gh, lines[i]);
    }
    free(lines);
    return err;
}

static fw_err load(fw_geo *g, const struct fw_snapshot_info *snap,
                   struct loaded **out, struct fw_diag *d)
{
    g->clock++;
    struct loaded *victim = &g->cache[0];
    for (int i = 0; i < FW_GEO_CACHE_SLOTS; i++) {
        if (g->cache[i].id == snap->id) {
            g->cache[i].last_use = g->clock;
            *out = &g->cache[i];
            return FW_OK;
        }
        if (g->cache[i].last_use < victim->last_use) {
            victim = &g->cache[i];
        }
    }
    unload(g, victim);
    struct loaded *l = victim;
    fw_err err = each_poly(g, snap, add_poly, l, d);
    if (err == FW_OK) {
        err = build_occupied_edges(g, l, d);
    }
    if (err != FW_OK) {
        unload(g, l);
        return err;
    }
    l->id = snap->id;
    l->last_use = g->clock;
    *out = l;
    return FW_OK;
}

fw_err fw_geo_snapshot_seen(fw_geo *g, const char *source, int64_t t_s,
                            int64_t seen_s, struct fw_snapshot_info *out,
                            struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT id, published_s, as_of_s FROM snapshot s"
        " WHERE source=?1 AND published_s<=?2"
        " AND NOT " FW_GEO_SQL_PASSED_OVER("s", "?3")
        " ORDER BY published_s DESC LIMIT 1",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, t_s);
    sqlite3_bind_int64(s, 3, seen_s > t_s ? seen_s : t_s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        snprintf(out->source, sizeof out->source, "%s", source);
        out->published_s = sqlite3_column_int64(s, 1);
        out->as_of_s = sqlite3_column_int64(s, 2);
        out->has_contested = strcmp(source, "deepstate") == 0;
    } else if (rc == SQLITE_DONE) {
        err = FW_ENOTFOUND;
    } else {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(g->st)));
    }
    sqlite3_finalize(s);
    return err;
}

fw_err fw_geo_snapshot_at(fw_geo *g, const char *source, int64_t t_s,
                          struct fw_snapshot_info *out, struct fw_diag *d)
{
    return fw_geo_snapshot_seen(g, source, t_s, t_s, out, d);
}

/* The geodesic km from (lat, lon), projected (x, y), to the polygon gm
 * (lon/lat): 0 inside, else to the nearest point found in the
 * projection, as fw_geo_nearest_occupied measures. */
static fw_err km_to_polygon(fw_geo *g, const GEOSGeometry *gm, double lat,
                           double lon, double x, double y, double *km,
                           struct fw_diag *d)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, lon, lat);
    char inside = pt ? GEOSIntersects_r(g->gh, gm, pt) : 2;
    GEOSGeom_destroy_r(g->gh, pt);
    if (inside == 2) {
        return fw_geo_geos_fail(g, d, "point-in-polygon failed");
    }
    if (inside) {
        *km = 0;
        return FW_OK;
    }
    GEOSGeometry *proj = GEOSGeom_transformXY_r(g->gh, gm, fw_geo_to_lcc, g);
    GEOSGeometry *ppt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
    GEOSCoordSequence *cs =
        proj && ppt ? GEOSNearestPoints_r(g->gh, proj, ppt) : NULL;
    double nx = 0, ny = 0;
    int ok = cs != NULL && GEOSCoordSeq_getXY_r(g->gh, cs, 0, &nx, &ny);
    GEOSCoordSeq_destroy_r(g->gh, cs);
    GEOSGeom_destroy_r(g->gh, ppt);
    GEOSGeom_destroy_r(g->gh, proj);
    if (!ok) {
        return fw_geo_geos_fail(g, d, "nearest point of a part failed");
    }
    double nlon, nlat, s12 = 0;
    fw_geo_lcc_inv(&g->lcc, nx, ny, &nlon, &nlat);
    geod_inverse(&g->geod, lat, lon, nlat, nlon, &s12, NULL, NULL);
    *km = s12 / 1000.0;
    return FW_OK;
}

/* One set-aside row of s (area_km2, gap_km, wkb) into a, measured from
 * (lat, lon), projected (x, y). */
static void held_reset(fw_geo *g, struct held *h)
{
    for (size_t i = 0; i < h->n; i++) {
        GEOSGeom_destroy_r(g->gh, h->parts[i].gm);
    }
    free(h->parts);
    memset(h, 0, sizeof *h);
}

/* The held parts of snap, from the cache or read now. */
static fw_err held_parts(fw_geo *g, const struct fw_snapshot_info *snap,
                         const struct held **out, struct fw_diag *d)
{
    struct held *pick = &g->held[0];
    for (int i = 0; i < FW_GEO_HELD_SLOTS; i++) {
        if (g->held[i].snap_id == snap->id) {
            g->held[i].used = ++g->clock;
            *out = &g->held[i];
            return FW_OK;
        }
        if (g->held[i].used < pick->used) {
            pick = &g->held[i];
        }
    }
    held_reset(g, pick);
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT area_km2, gap_km, wkb FROM polygon WHERE snapshot_id=?1"
        " AND unconfirmed = 1 ORDER BY area_km2 DESC, id",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, snap->id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (pick->n == cap) {
            cap = cap ? 2 * cap : 4;
            struct held_part *np = realloc(pick->parts, cap * sizeof *np);
            if (np == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                break;
            }
            pick->parts = np;
        }
        struct held_part *p = &pick->parts[pick->n];
        p->area_km2 = sqlite3_column_double(s, 0);
        p->gap_km = sqlite3_column_double(s, 1);
        p->gm = GEOSWKBReader_read_r(g->gh, g->wkb_reader,
                                     sqlite3_column_blob(s, 2),
                                     (size_t)sqlite3_column_bytes(s, 2));
        if (p->gm == NULL) {
            err = fw_geo_geos_fail(g, d, "stored polygon is not valid WKB");
            break;
        }
        pick->n++;
        GEOSGeometry *c = GEOSGetCentroid_r(g->gh, p->gm);
        int ok = c != NULL && GEOSGeomGetX_r(g->gh, c, &p->lon_deg) &&
                 GEOSGeomGetY_r(g->gh, c, &p->lat_deg);
        GEOSGeom_destroy_r(g->gh, c);
        if (!ok) {
            err = fw_geo_geos_fail(g, d, "cannot find a part's centroid");
            break;
        }
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(g->st)));
    }
    sqlite3_finalize(s);
    if (err != FW_OK) {
        held_reset(g, pick);
        return err;
    }
    pick->snap_id = snap->id;
    pick->used = ++g->clock;
    *out = pick;
    return FW_OK;
}

fw_err fw_geo_set_aside(fw_geo *g, const struct fw_snapshot_info *snap,
                        double lat_deg, double lon_deg,
                        struct fw_set_aside *out, size_t cap, size_t *n_out,
                        double *nearest_km, struct fw_diag *d)
{
    const struct held *h = NULL;
    fw_err err = fw_geo_check_coordinates(lat_deg, lon_deg, d);
    if (err != FW_OK || (err = held_parts(g, snap, &h, d)) != FW_OK) {
        return err;
    }
    double x, y;
    fw_geo_lcc_fwd(&g->lcc, lon_deg, lat_deg, &x, &y);
    double nearest = INFINITY;
    for (size_t i = 0; i < h->n; i++) {
        const struct held_part *p = &h->parts[i];
        struct fw_set_aside a = {.area_km2 = p->area_km2,
                                 .gap_km = p->gap_km,
                                 .lat_deg = p->lat_deg,
                                 .lon_deg = p->lon_deg};
        err = km_to_polygon(g, p->gm, lat_deg, lon_deg, x, y, &a.distance_km,
                            d);
        if (err != FW_OK) {
            return err;
        }
        if (i < cap) {
            out[i] = a;
        }
        nearest = fmin(nearest, a.distance_km);
    }
    *n_out = h->n;
    if (nearest_km != NULL) {
        *nearest_km = nearest;
    }
    return FW_OK;
}

/* area_near clips a big polygon to a box around the tile of the point
 * first (GEOSClipByRect), and keeps the piece for the next point in the
 * same tile: intersecting the whole occupied area with each disc costs a
 * pass over all its vertices per point. Tiles are AREA_TILE_M square in
 * the projection; the box adds AREA_MARGIN_M on each side, which must be
 * at least the largest radius asked times the scale factor (< 1.01). */
#define AREA_TILE_M 100000.0
#define AREA_MARGIN_M 60000.0
#define AREA_MAX_RADIUS_KM 55.0

/* The part of p->proj near tile (tx, ty), clipped once per tile. */
static const GEOSGeometry *clipped(fw_geo *g, struct poly *p, long tx,
                                   long ty)
{
    if (p->clip != NULL && p->clip_tx == tx && p->clip_ty == ty) {
        return p->clip;
    }
    GEOSGeom_destroy_r(g->gh, p->clip);
    p->clip = GEOSClipByRect_r(g->gh, p->proj,
                               (double)tx * AREA_TILE_M - AREA_MARGIN_M,
                               (double)ty * AREA_TILE_M - AREA_MARGIN_M,
                               (double)(tx + 1) * AREA_TILE_M + AREA_MARGIN_M,
                               (double)(ty + 1) * AREA_TILE_M + AREA_MARGIN_M);
    p->clip_tx = tx;
    p->clip_ty = ty;
    return p->clip;
}

/* Area in km2 of the polygons whose class passes want(cls) within
 * radius_km of the projected point (x, y). The disc is drawn in the
 * conformal projection with its radius multiplied by the local scale factor
 * k, and the area is divided by k^2, so both are true to within the
 * variation of k across the disc (under 0.1 % at 50 km). */
static fw_err area_near(fw_geo *g, struct loaded *l, int (*want)(int cls),
                        double lat, double lon, double x, double y,
                        double radius_km, double *km2, struct fw_diag *d)
{
    double k = lcc_scale(&g->lcc, lat, lon);
    double r_m = radius_km * 1000.0 * k;
    double dlat = radius_km / 100.0;
    double dlon = dlat / cos(lat * DEG_TO_RAD);
    GEOSGeometry *disc = NULL; /* drawn only when a polygon is near */
    double sum_m2 = 0;
    for (size_t i = 0; i < l->n_polys; i++) {
        struct poly *p = l->polys[i];
        if (!want(p->cls) || p->max_lon < lon - dlon ||
            p->min_lon > lon + dlon || p->max_lat < lat - dlat ||
            p->min_lat > lat + dlat) {
            continue;
        }
        if (disc == NULL) {
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
            disc = pt ? GEOSBuffer_r(g->gh, pt, r_m, 32) : NULL;
            GEOSGeom_destroy_r(g->gh, pt);
            if (disc == NULL) {
                return fw_geo_geos_fail(g, d, "cannot draw a disc");
            }
        }
        if (p->proj == NULL &&
            (p->proj = GEOSGeom_transformXY_r(g->gh, p->geom, fw_geo_to_lcc,
                                              g)) == NULL) {
            GEOSGeom_destroy_r(g->gh, disc);
            return fw_geo_geos_fail(g, d, "cannot project a polygon");
        }
        const GEOSGeometry *part =
            radius_km <= AREA_MAX_RADIUS_KM
                ? clipped(g, p, (long)floor(x / AREA_TILE_M),
                          (long)floor(y / AREA_TILE_M))
                : p->proj;
        GEOSGeometry *x_geom =
            part ? GEOSIntersection_r(g->gh, part, disc) : NULL;
        if (x_geom == NULL) {
            GEOSGeom_destroy_r(g->gh, disc);
            return fw_geo_geos_fail(g, d,
                                    "cannot intersect a polygon with a disc");
        }
        double a = 0;
        GEOSArea_r(g->gh, x_geom, &a);
        sum_m2 += a;
        GEOSGeom_destroy_r(g->gh, x_geom);
    }
    GEOSGeom_destroy_r(g->gh, disc); /* accepts NULL */
    *km2 = sum_m2 / (k * k) / 1e6;
    return FW_OK;
}

static int is_contested_class(int cls) { return cls == FW_CLASS_CONTESTED; }

fw_err fw_geo_contested_near(fw_geo *g, struct loaded *l, double lat,
                             double lon, double x, double y, double *km2,
                             struct fw_diag *d)
{
    return area_near(g, l, is_contested_class, lat, lon, x, y,
                     CONTESTED_RADIUS_KM, km2, d);
}

fw_err fw_geo_status_at(fw_geo *g, const struct loaded *l,
                        const GEOSGeometry *pt, double lat, double lon,
                        enum fw_status *out, struct fw_diag *d)
{
    enum fw_status status = FW_STATUS_FREE;
    for (size_t i = 0; i < l->n_polys; i++) {
        const struct poly *p = l->polys[i];
        if (lon < p->min_lon || lon > p->max_lon || lat < p->min_lat ||
            lat > p->max_lat) {
            continue;
        }
        int cls_status = p->cls == FW_CLASS_OCCUPIED_PRE2022
                             ? FW_STATUS_OCCUPIED_PRE2022
                         : p->cls == FW_CLASS_OCCUPIED  ? FW_STATUS_OCCUPIED
                         : p->cls == FW_CLASS_CONTESTED ? FW_STATUS_CONTESTED
                                                        : FW_STATUS_FREE;
        if (cls_status <= (int)status) {
            continue;
        }
        char hit = GEOSPreparedIntersects_r(g->gh, p->prep, pt);
        if (hit == 2) {
            return fw_geo_geos_fail(g, d, "point-in-polygon failed");
        }
        if (hit) {
            status = (enum fw_status)cls_status;
        }
    }
    *out = status;
    return FW_OK;
}

int fw_geo_is_occupied(enum fw_status status)
{
    return status == FW_STATUS_OCCUPIED || status == FW_STATUS_OCCUPIED_PRE2022;
}

fw_err fw_geo_nearest_occupied(fw_geo *g, const struct loaded *l,
                               const GEOSGeometry *ppt, double lat, double lon,
                               double x, double y, struct fw_control *c,
                               double *d_m, struct fw_diag *d)
{
    GEOSCoordSequence *cs =
        GEOSPreparedNearestPoints_r(g->gh, l->occ_prep, ppt);
    if (cs == NULL) {
        return fw_geo_geos_fail(g, d, "nearest point failed");
    }
    double nx = 0, ny = 0;
    GEOSCoordSeq_getXY_r(g->gh, cs, 0, &nx, &ny);
    GEOSCoordSeq_destroy_r(g->gh, cs);
    *d_m = hypot(nx - x, ny - y);
    fw_geo_lcc_inv(&g->lcc, nx, ny, &c->nearest_lon_deg,
                   &c->nearest_lat_deg);
    double s12 = 0;
    geod_inverse(&g->geod, lat, lon, c->nearest_lat_deg, c->nearest_lon_deg,
                 &s12, NULL, NULL);
    c->distance_km = s12 / 1000.0;
    return FW_OK;
}

fw_err fw_geo_check_coordinates(double lat_deg, double lon_deg,
                                struct fw_diag *d)
{
    if (!isfinite(lat_deg) || !isfinite(lon_deg) || fabs(lat_deg) > 90 ||
        fabs(lon_deg) > 180) {
        return fw_diag_set(d, FW_ERANGE, 0, 0, "bad coordinates %g, %g",
                           lat_deg, lon_deg);
    }
    return FW_OK;
}

fw_err fw_geo_load_occupied(fw_geo *g, const struct fw_snapshot_info *snap,
                            struct loaded **out, struct fw_diag *d)
{
    fw_err err = load(g, snap, out, d);
    if (err == FW_OK && (*out)->occ_prep == NULL) {
        err = fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                          "snapshot %lld has no occupied area",
                          (long long)snap->id);
    }
    return err;
}

fw_err fw_geo_control(fw_geo *g, const struct fw_snapshot_info *snap,
                      double lat_deg, double lon_deg, struct fw_control *out,
                      struct fw_diag *d)
{
    fw_err err = fw_geo_check_coordinates(lat_deg, lon_deg, d);
    struct loaded *l = NULL;
    if (err != FW_OK || (err = fw_geo_load_occupied(g, snap, &l, d)) != FW_OK) {
        return err;
    }
    struct fw_control c = {.status = FW_STATUS_FREE, .contested_km2_25km = -1};
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, lon_deg, lat_deg);
    if (pt == NULL) {
        return fw_geo_geos_fail(g, d, "cannot make a point");
    }
    err = fw_geo_status_at(g, l, pt, lat_deg, lon_deg, &c.status, d);
    GEOSGeom_destroy_r(g->gh, pt);
    if (err != FW_OK) {
        return err;
    }
    double x, y;
    fw_geo_lcc_fwd(&g->lcc, lon_deg, lat_deg, &x, &y);
    if (fw_geo_is_occupied(c.status)) {
        c.distance_km = 0;
        c.nearest_lat_deg = lat_deg;
        c.nearest_lon_deg = lon_deg;
    } else {
        GEOSGeometry *ppt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
        if (ppt == NULL) {
            return fw_geo_geos_fail(g, d, "cannot make a point");
        }
        double d_m;
        err = fw_geo_nearest_occupied(g, l, ppt, lat_deg, lon_deg, x, y, &c,
                                      &d_m, d);
        GEOSGeom_destroy_r(g->gh, ppt);
        if (err != FW_OK) {
            return err;
        }
    }
    if (snap->has_contested) {
        err = fw_geo_contested_near(g, l, lat_deg, lon_deg, x, y,
                                    &c.contested_km2_25km, d);
        if (err != FW_OK) {
            return err;
        }
    }
    *out = c;
    return FW_OK;
}

fw_err fw_geo_area_near(fw_geo *g, const struct fw_snapshot_info *snap,
                        enum fw_geo_area kind, double lat_deg, double lon_deg,
                        const double *radius_km, size_t n_radii, double *km2,
                        struct fw_diag *d)
{
    fw_err err = fw_geo_check_coordinates(lat_deg, lon_deg, d);
    struct loaded *l = NULL;
    if (err != FW_OK || (err = load(g, snap, &l, d)) != FW_OK) {
        return err;
    }
    double x, y;
    fw_geo_lcc_fwd(&g->lcc, lon_deg, lat_deg, &x, &y);
    for (size_t i = 0; i < n_radii; i++) {
        double a = 0;
        err = area_near(g, l,
                        kind == FW_GEO_AREA_CONTESTED ? is_contested_class
                                                      : is_occupied_class,
                        lat_deg, lon_deg, x, y, radius_km[i], &a, d);
        if (err != FW_OK) {
            return err;
        }
        km2[i] = a;
    }
    return FW_OK;
}
