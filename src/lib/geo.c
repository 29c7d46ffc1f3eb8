/*
 * geo.c - status and geodesic distance per snapshot (see geo.h).
 *
 * State: a cache of loaded snapshots. Each holds, per polygon, the GEOS
 * geometry in lon/lat with its prepared form and bbox (point-in-polygon),
 * and the edges of the occupied polygons in the Lambert projection as one
 * prepared MultiLineString (nearest point). Polygons equal to one in another
 * cached snapshot are shared. Loading is the cost; queries are cheap, so
 * every place at one snapshot, then the next snapshot, is the fast order:
 * fw_geo_control_points (at the end of this file) works that way and, from
 * one snapshot of a source to the next, searches again only the places near
 * an edge that changed.
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

const char *const FW_GEO_SOURCES[FW_GEO_N_SOURCES] = {
    "deepstate", "deepstate_occupied", "nzz"};

/* Snapshots kept loaded. assess needs 3 per source (t, t-7, t-28) plus the
 * borrowed pre-2022 layers. */
#define CACHE_SLOTS 16

/* NZZ scatters tiny spurious polygons in some files (2024-08-12: 75
 * polygons under 1 km2 along the Sumy-Kursk border, 50-149 km from the
 * occupied area, 45 of them inside Sumy oblast). Polygons smaller than
 * this are not used from NZZ maps; the other sub-km2 NZZ polygons are
 * slivers on the edge of the occupied area, whose loss moves no distance
 * by more than their own width. */
#define NZZ_MIN_POLYGON_KM2 1.0

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

struct loaded {
    int64_t id; /* snapshot id, 0 = empty slot */
    unsigned long last_use;
    struct poly **polys; /* shared, counted in n_refs */
    size_t n_polys;
    GEOSGeometry *occ_proj; /* edges of the occupied area (Lambert) */
    const GEOSPreparedGeometry *occ_prep;
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

struct lcc {
    PJ_CONTEXT *ctx;
    PJ *pj;
};

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

static void lcc_fwd(const struct lcc *p, double lon_deg, double lat_deg,
                    double *x_m, double *y_m)
{
    PJ_COORD c = proj_coord(proj_torad(lon_deg), proj_torad(lat_deg), 0, 0);
    c = proj_trans(p->pj, PJ_FWD, c);
    *x_m = c.xy.x;
    *y_m = c.xy.y;
}

static void lcc_inv(const struct lcc *p, double x_m, double y_m,
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

struct fw_geo {
    fw_store *st;
    GEOSContextHandle_t gh;
    struct lcc lcc;
    struct geod_geodesic geod;
    GEOSWKBReader *wkb_reader;
    struct loaded cache[CACHE_SLOTS];
    unsigned long clock;
    char geos_msg[256];
};

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

void fw_geo_free(fw_geo *g)
{
    if (g == NULL) {
        return;
    }
    for (int i = 0; i < CACHE_SLOTS; i++) {
        unload(g, &g->cache[i]);
    }
    if (g->wkb_reader != NULL) {
        GEOSWKBReader_destroy_r(g->gh, g->wkb_reader);
    }
    GEOS_finish_r(g->gh);
    lcc_free(&g->lcc);
    free(g);
}

/* Lon/lat degrees -> Lambert metres, in place (a GEOS transform). */
static int to_lcc(double *x, double *y, void *userdata)
{
    const fw_geo *g = userdata;
    lcc_fwd(&g->lcc, *x, *y, x, y);
    return isfinite(*x) && isfinite(*y);
}

static fw_err geos_fail(fw_geo *g, struct fw_diag *d, const char *what)
{
    return fw_diag_set(d, FW_EGEOS, 0, 0, "%s: %s", what,
                       g->geos_msg[0] ? g->geos_msg : "GEOS failed");
}

/* The DeepState full map nearest in time to t, for its pre-2022 layer. */
static int64_t pre2022_donor(fw_geo *g, int64_t t)
{
    sqlite3_stmt *s = NULL;
    int64_t id = 0;
    if (fw_store_prepare(g->st,
                         "SELECT id FROM snapshot WHERE source='deepstate'"
                         " AND suspect IS NULL AND EXISTS(SELECT 1 FROM"
                         " polygon WHERE snapshot_id=snapshot.id AND cls=2)"
                         " ORDER BY abs(published_s-?1) LIMIT 1",
                         &s, NULL) != FW_OK) {
        return 0;
    }
    sqlite3_bind_int64(s, 1, t);
    if (sqlite3_step(s) == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return id;
}

/* Called for each polygon row (cls, wkb, min_lon, min_lat, max_lon,
 * max_lat) that a snapshot uses; see each_poly. */
typedef fw_err (*poly_row_fn)(fw_geo *g, void *arg, sqlite3_stmt *s,
                              struct fw_diag *d);

/* Walks the polygon rows of snapshot id (only class cls_only when > 0,
 * only area_km2 >= min_km2, never liberated areas). */
static fw_err each_row(fw_geo *g, int64_t id, int cls_only, double min_km2,
                       poly_row_fn fn, void *arg, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT p.cls, p.wkb, r.min_lon, r.min_lat, r.max_lon, r.max_lat"
        " FROM polygon p JOIN polygon_rtree r ON r.id = p.id"
        " WHERE p.snapshot_id=?1 AND (?2 = 0 OR p.cls = ?2)"
        " AND p.area_km2 >= ?3 AND p.cls <> 4",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, cls_only);
    sqlite3_bind_double(s, 3, min_km2);
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

/* Walks every polygon row the engine uses for snap: its own (NZZ: not the
 * tiny ones), then the borrowed pre-2022 layer for sources without one. */
static fw_err each_poly(fw_geo *g, const struct fw_snapshot_info *snap,
                        poly_row_fn fn, void *arg, struct fw_diag *d)
{
    double min_km2 =
        strcmp(snap->source, "nzz") == 0 ? NZZ_MIN_POLYGON_KM2 : 0.0;
    fw_err err = each_row(g, snap->id, 0, min_km2, fn, arg, d);
    if (err == FW_OK && strcmp(snap->source, "deepstate") != 0) {
        int64_t donor = pre2022_donor(g, snap->published_s);
        if (donor != 0) {
            err =
                each_row(g, donor, FW_CLASS_OCCUPIED_PRE2022, 0.0, fn, arg, d);
        }
    }
    return err;
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
    for (int c = 0; c < CACHE_SLOTS; c++) {
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
        return geos_fail(g, d, "stored polygon is not valid WKB");
    }
    p->min_lon = sqlite3_column_double(s, 2);
    p->min_lat = sqlite3_column_double(s, 3);
    p->max_lon = sqlite3_column_double(s, 4);
    p->max_lat = sqlite3_column_double(s, 5);
    p->prep = GEOSPrepare_r(g->gh, p->geom);
    if (p->prep == NULL) {
        return geos_fail(g, d, "cannot prepare polygon");
    }
    if (is_occupied_class(cls)) {
        p->proj = GEOSGeom_transformXY_r(g->gh, p->geom, to_lcc, g);
        if (p->proj == NULL) {
            return geos_fail(g, d, "cannot project polygon");
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
                err = geos_fail(g, d, "cannot take the occupied edges");
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
            err = geos_fail(g, d, "cannot collect the occupied edges");
        } else if ((l->occ_prep = GEOSPrepare_r(g->gh, l->occ_proj)) == NULL) {
            err = geos_fail(g, d, "cannot prepare the occupied edges");
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
    for (int i = 0; i < CACHE_SLOTS; i++) {
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

fw_err fw_geo_snapshot_at(fw_geo *g, const char *source, int64_t t_s,
                          struct fw_snapshot_info *out, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        g->st,
        "SELECT id, published_s, as_of_s, EXISTS(SELECT 1 FROM polygon"
        "  WHERE snapshot_id=snapshot.id AND cls=3)"
        " FROM snapshot WHERE source=?1 AND published_s<=?2"
        " AND suspect IS NULL ORDER BY published_s DESC LIMIT 1",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, t_s);
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
                return geos_fail(g, d, "cannot draw a disc");
            }
        }
        if (p->proj == NULL && (p->proj = GEOSGeom_transformXY_r(
                                    g->gh, p->geom, to_lcc, g)) == NULL) {
            GEOSGeom_destroy_r(g->gh, disc);
            return geos_fail(g, d, "cannot project a polygon");
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
            return geos_fail(g, d, "cannot intersect a polygon with a disc");
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

static fw_err contested_near(fw_geo *g, struct loaded *l, double lat,
                             double lon, double x, double y, double *km2,
                             struct fw_diag *d)
{
    return area_near(g, l, is_contested_class, lat, lon, x, y,
                     CONTESTED_RADIUS_KM, km2, d);
}

/* The status of the point pt (lon/lat, the same as lat, lon) in l: the
 * highest class of the polygons containing it (boundary included). */
static fw_err status_at(fw_geo *g, const struct loaded *l,
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
            return geos_fail(g, d, "point-in-polygon failed");
        }
        if (hit) {
            status = (enum fw_status)cls_status;
        }
    }
    *out = status;
    return FW_OK;
}

static int is_occupied(enum fw_status status)
{
    return status == FW_STATUS_OCCUPIED || status == FW_STATUS_OCCUPIED_PRE2022;
}

/* The nearest occupied point to the projected point ppt = (x, y), a point
 * outside the occupied area, into c (nearest point and geodesic km) and
 * *d_m (the planar distance in the projection). */
static fw_err nearest_occupied(fw_geo *g, const struct loaded *l,
                               const GEOSGeometry *ppt, double lat, double lon,
                               double x, double y, struct fw_control *c,
                               double *d_m, struct fw_diag *d)
{
    GEOSCoordSequence *cs =
        GEOSPreparedNearestPoints_r(g->gh, l->occ_prep, ppt);
    if (cs == NULL) {
        return geos_fail(g, d, "nearest point failed");
    }
    double nx = 0, ny = 0;
    GEOSCoordSeq_getXY_r(g->gh, cs, 0, &nx, &ny);
    GEOSCoordSeq_destroy_r(g->gh, cs);
    *d_m = hypot(nx - x, ny - y);
    lcc_inv(&g->lcc, nx, ny, &c->nearest_lon_deg, &c->nearest_lat_deg);
    double s12 = 0;
    geod_inverse(&g->geod, lat, lon, c->nearest_lat_deg, c->nearest_lon_deg,
                 &s12, NULL, NULL);
    c->distance_km = s12 / 1000.0;
    return FW_OK;
}

static fw_err check_coordinates(double lat_deg, double lon_deg,
                                struct fw_diag *d)
{
    if (!isfinite(lat_deg) || !isfinite(lon_deg) || fabs(lat_deg) > 90 ||
        fabs(lon_deg) > 180) {
        return fw_diag_set(d, FW_ERANGE, 0, 0, "bad coordinates %g, %g",
                           lat_deg, lon_deg);
    }
    return FW_OK;
}

/* Loads snap and checks that it has an occupied area to measure to. */
static fw_err load_occupied(fw_geo *g, const struct fw_snapshot_info *snap,
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
    fw_err err = check_coordinates(lat_deg, lon_deg, d);
    struct loaded *l = NULL;
    if (err != FW_OK || (err = load_occupied(g, snap, &l, d)) != FW_OK) {
        return err;
    }
    struct fw_control c = {.status = FW_STATUS_FREE, .contested_km2_25km = -1};
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, lon_deg, lat_deg);
    if (pt == NULL) {
        return geos_fail(g, d, "cannot make a point");
    }
    err = status_at(g, l, pt, lat_deg, lon_deg, &c.status, d);
    GEOSGeom_destroy_r(g->gh, pt);
    if (err != FW_OK) {
        return err;
    }
    double x, y;
    lcc_fwd(&g->lcc, lon_deg, lat_deg, &x, &y);
    if (is_occupied(c.status)) {
        c.distance_km = 0;
        c.nearest_lat_deg = lat_deg;
        c.nearest_lon_deg = lon_deg;
    } else {
        GEOSGeometry *ppt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
        if (ppt == NULL) {
            return geos_fail(g, d, "cannot make a point");
        }
        double d_m;
        err = nearest_occupied(g, l, ppt, lat_deg, lon_deg, x, y, &c, &d_m, d);
        GEOSGeom_destroy_r(g->gh, ppt);
        if (err != FW_OK) {
            return err;
        }
    }
    if (snap->has_contested) {
        err = contested_near(g, l, lat_deg, lon_deg, x, y,
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
    fw_err err = check_coordinates(lat_deg, lon_deg, d);
    struct loaded *l = NULL;
    if (err != FW_OK || (err = load(g, snap, &l, d)) != FW_OK) {
        return err;
    }
    double x, y;
    lcc_fwd(&g->lcc, lon_deg, lat_deg, &x, &y);
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

/*
 * Many points at many snapshots (fw_geo_points).
 *
 * The occupied edges of a snapshot are taken apart into segments (in the
 * projection, endpoints in a canonical order) and kept in a hash set per
 * source. At the next snapshot of the source, the segments in one set and
 * not the other (added or removed) are the change. For a point outside the
 * occupied area at both snapshots, at planar distance r from the old edges:
 * every old segment is at least r away, so if no changed segment lies
 * within r (plus a millimetre for rounding), the old nearest segment is
 * still there and no new one is nearer: the distance and nearest point are
 * unchanged and no search is needed. A point that was inside, or near a
 * change, is searched again.
 */

struct seg {
    double x1, y1, x2, y2;
};

/* Segments with an open-addressing hash index (slot = index + 1, 0 empty). */
struct segset {
    struct seg *v;
    size_t n, cap;
    uint32_t *slot;
    size_t n_slots; /* a power of 2, at least twice n */
};

/* Changed segments are tested in chunks of this many, each with a box. */
#define CHUNK 8

struct box {
    double min_x, min_y, max_x, max_y;
};

/* What a source's previous snapshot left for each point. */
struct history {
    char source[24]; /* "" while unused */
    int64_t snap_id; /* 0: nothing remembered */
    struct segset segs;
    double *d_m; /* planar distance to the edges; < 0: was inside */
    double *near_lat, *near_lon, *km;
};

struct fw_geo_points {
    fw_geo *g;
    size_t n;
    double *lat, *lon, *x, *y;
    GEOSGeometry **pt_ll;  /* lon/lat, for point-in-polygon */
    GEOSGeometry **pt_lcc; /* projected, for the nearest point */
    struct fw_control *cur;
    struct history hist[FW_GEO_N_SOURCES];
    struct segset next; /* the snapshot being computed */
    struct seg *changed;
    size_t n_changed, cap_changed;
    struct box *boxes;  /* one per CHUNK changed segments */
    struct box *groups; /* one per CHUNK boxes */
    struct box all;     /* around every changed segment */
    size_t n_searched;
};

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t seg_hash(const struct seg *s)
{
    uint64_t b[4];
    memcpy(b, s, sizeof b);
    return mix64(b[0] ^ mix64(b[1] ^ mix64(b[2] ^ mix64(b[3]))));
}

static int seg_eq(const struct seg *a, const struct seg *b)
{
    return a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 && a->y2 == b->y2;
}

static void segset_clear(struct segset *s)
{
    s->n = 0;
    if (s->slot != NULL) {
        memset(s->slot, 0, s->n_slots * sizeof *s->slot);
    }
}

static void segset_free(struct segset *s)
{
    free(s->v);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

/* The slot where s is, or the empty slot where it would go. */
static size_t segset_find(const struct segset *set, const struct seg *s)
{
    size_t mask = set->n_slots - 1;
    size_t i = (size_t)seg_hash(s) & mask;
    while (set->slot[i] != 0 && !seg_eq(&set->v[set->slot[i] - 1], s)) {
        i = (i + 1) & mask;
    }
    return i;
}

static int segset_has(const struct segset *set, const struct seg *s)
{
    return set->n_slots > 0 && set->slot[segset_find(set, s)] != 0;
}

static fw_err segset_rehash(struct segset *set, size_t n_slots)
{
    uint32_t *slot = calloc(n_slots, sizeof *slot);
    if (slot == NULL) {
        return FW_ENOMEM;
    }
    free(set->slot);
    set->slot = slot;
    set->n_slots = n_slots;
    for (size_t k = 0; k < set->n; k++) {
        set->slot[segset_find(set, &set->v[k])] = (uint32_t)(k + 1);
    }
    return FW_OK;
}

/* Adds s unless it is there. */
static fw_err segset_add(struct segset *set, const struct seg *s)
{
    if (2 * (set->n + 1) > set->n_slots) {
        if (set->n + 1 >= UINT32_MAX / 4) {
            return FW_ENOMEM;
        }
        fw_err err = segset_rehash(set, set->n_slots ? set->n_slots * 2 : 1024);
        if (err != FW_OK) {
            return err;
        }
    }
    size_t i = segset_find(set, s);
    if (set->slot[i] != 0) {
        return FW_OK;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 512;
        struct seg *v = realloc(set->v, cap * sizeof *v);
        if (v == NULL) {
            return FW_ENOMEM;
        }
        set->v = v;
        set->cap = cap;
    }
    set->v[set->n] = *s;
    set->slot[i] = (uint32_t)(++set->n);
    return FW_OK;
}

/* The segments of l's occupied edges into set (cleared first). */
static fw_err collect_segs(fw_geo *g, const struct loaded *l,
                           struct segset *set, struct fw_diag *d)
{
    segset_clear(set);
    double *buf = NULL;
    size_t buf_cap = 0;
    fw_err err = FW_OK;
    int n_lines = GEOSGetNumGeometries_r(g->gh, l->occ_proj);
    for (int i = 0; err == FW_OK && i < n_lines; i++) {
        const GEOSGeometry *line = GEOSGetGeometryN_r(g->gh, l->occ_proj, i);
        const GEOSCoordSequence *cs =
            line ? GEOSGeom_getCoordSeq_r(g->gh, line) : NULL;
        unsigned int n_pts = 0;
        if (cs == NULL || !GEOSCoordSeq_getSize_r(g->gh, cs, &n_pts)) {
            err = geos_fail(g, d, "cannot read the occupied edges");
            break;
        }
        if (2 * (size_t)n_pts > buf_cap) {
            double *nb = realloc(buf, 2 * (size_t)n_pts * sizeof *nb);
            if (nb == NULL) {
                err = FW_ENOMEM;
                break;
            }
            buf = nb;
            buf_cap = 2 * (size_t)n_pts;
        }
        if (n_pts > 0 && !GEOSCoordSeq_copyToBuffer_r(g->gh, cs, buf, 0, 0)) {
            err = geos_fail(g, d, "cannot read the occupied edges");
            break;
        }
        for (unsigned int k = 0; err == FW_OK && k + 1 < n_pts; k++) {
            const double *a = &buf[2 * k], *b = &buf[2 * k + 2];
            int a_first = a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]);
            struct seg s = a_first ? (struct seg){a[0], a[1], b[0], b[1]}
                                   : (struct seg){b[0], b[1], a[0], a[1]};
            err = segset_add(set, &s);
        }
    }
    free(buf);
    return err;
}

static fw_err add_changed(fw_geo_points *pts, const struct seg *s)
{
    if (pts->n_changed == pts->cap_changed) {
        size_t cap = pts->cap_changed ? pts->cap_changed * 2 : 1024;
        struct seg *v = realloc(pts->changed, cap * sizeof *v);
        struct box *b = realloc(pts->boxes, (cap / CHUNK + 1) * sizeof *b);
        struct box *gr =
            realloc(pts->groups, (cap / (CHUNK * CHUNK) + 1) * sizeof *gr);
        if (v != NULL) {
            pts->changed = v;
        }
        if (b != NULL) {
            pts->boxes = b;
        }
        if (gr != NULL) {
            pts->groups = gr;
        }
        if (v == NULL || b == NULL || gr == NULL) {
            return FW_ENOMEM;
        }
        pts->cap_changed = cap;
    }
    pts->changed[pts->n_changed++] = *s;
    return FW_OK;
}

static void box_add(struct box *b, const struct seg *s)
{
    b->min_x = fmin(b->min_x, fmin(s->x1, s->x2));
    b->max_x = fmax(b->max_x, fmax(s->x1, s->x2));
    b->min_y = fmin(b->min_y, fmin(s->y1, s->y2));
    b->max_y = fmax(b->max_y, fmax(s->y1, s->y2));
}

static const struct box EMPTY_BOX = {INFINITY, INFINITY, -INFINITY, -INFINITY};

/* The segments in one of old and pts->next but not the other, with their
 * boxes. */
static fw_err diff_segs(fw_geo_points *pts, const struct segset *old)
{
    pts->n_changed = 0;
    fw_err err = FW_OK;
    for (size_t k = 0; err == FW_OK && k < pts->next.n; k++) {
        if (!segset_has(old, &pts->next.v[k])) {
            err = add_changed(pts, &pts->next.v[k]);
        }
    }
    for (size_t k = 0; err == FW_OK && k < old->n; k++) {
        if (!segset_has(&pts->next, &old->v[k])) {
            err = add_changed(pts, &old->v[k]);
        }
    }
    /* the segments come in ring order, so a chunk is a short stretch of
     * edge and its box is small */
    pts->all = EMPTY_BOX;
    for (size_t k = 0; err == FW_OK && k < pts->n_changed; k++) {
        if (k % (CHUNK * CHUNK) == 0) {
            pts->groups[k / (CHUNK * CHUNK)] = EMPTY_BOX;
        }
        if (k % CHUNK == 0) {
            pts->boxes[k / CHUNK] = EMPTY_BOX;
        }
        box_add(&pts->boxes[k / CHUNK], &pts->changed[k]);
        box_add(&pts->groups[k / (CHUNK * CHUNK)], &pts->changed[k]);
        box_add(&pts->all, &pts->changed[k]);
    }
    return err;
}

static double box_dist2(const struct box *b, double x, double y)
{
    double dx = x < b->min_x ? b->min_x - x : x > b->max_x ? x - b->max_x : 0;
    double dy = y < b->min_y ? b->min_y - y : y > b->max_y ? y - b->max_y : 0;
    return dx * dx + dy * dy;
}

static double seg_dist2(const struct seg *s, double x, double y)
{
    double vx = s->x2 - s->x1, vy = s->y2 - s->y1;
    double wx = x - s->x1, wy = y - s->y1;
    double len2 = vx * vx + vy * vy;
    double t = len2 > 0 ? (wx * vx + wy * vy) / len2 : 0.0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double dx = wx - t * vx, dy = wy - t * vy;
    return dx * dx + dy * dy;
}

/* Whether a changed segment lies within r_m of (x, y). */
static int changed_within(const fw_geo_points *pts, double x, double y,
                          double r_m)
{
    double r2 = r_m * r_m;
    if (pts->n_changed == 0 || box_dist2(&pts->all, x, y) > r2) {
        return 0;
    }
    size_t n = pts->n_changed;
    for (size_t gi = 0; gi * CHUNK * CHUNK < n; gi++) {
        if (box_dist2(&pts->groups[gi], x, y) > r2) {
            continue;
        }
        for (size_t c = gi * CHUNK; c < (gi + 1) * CHUNK && c * CHUNK < n;
             c++) {
            if (box_dist2(&pts->boxes[c], x, y) > r2) {
                continue;
            }
            for (size_t k = c * CHUNK; k < (c + 1) * CHUNK && k < n; k++) {
                if (seg_dist2(&pts->changed[k], x, y) <= r2) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

static void history_free(struct history *h)
{
    segset_free(&h->segs);
    free(h->d_m);
    free(h->near_lat);
    free(h->near_lon);
    free(h->km);
    memset(h, 0, sizeof *h);
}

void fw_geo_points_free(fw_geo_points *pts)
{
    if (pts == NULL) {
        return;
    }
    for (size_t i = 0; i < pts->n; i++) {
        GEOSGeom_destroy_r(pts->g->gh, pts->pt_ll[i]);
        GEOSGeom_destroy_r(pts->g->gh, pts->pt_lcc[i]);
    }
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        history_free(&pts->hist[k]);
    }
    segset_free(&pts->next);
    free(pts->changed);
    free(pts->boxes);
    free(pts->groups);
    free(pts->pt_ll);
    free(pts->pt_lcc);
    free(pts->lat);
    free(pts->lon);
    free(pts->x);
    free(pts->y);
    free(pts->cur);
    free(pts);
}

fw_err fw_geo_points_new(fw_geo *g, const double *lat_deg,
                         const double *lon_deg, size_t n_points,
                         fw_geo_points **out, struct fw_diag *d)
{
    for (size_t i = 0; i < n_points; i++) {
        fw_err err = check_coordinates(lat_deg[i], lon_deg[i], d);
        if (err != FW_OK) {
            return fw_diag_set(d, err, 0, 0,
                               "point %zu: bad coordinates"
                               " %g, %g",
                               i, lat_deg[i], lon_deg[i]);
        }
    }
    /* the largest per-point array is of struct fw_control */
    if (n_points > SIZE_MAX / sizeof(struct fw_control)) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "%zu points are too many",
                           n_points);
    }
    fw_geo_points *pts = calloc(1, sizeof *pts);
    if (pts == NULL) {
        return FW_ENOMEM;
    }
    pts->g = g;
    size_t n = n_points ? n_points : 1;
    pts->lat = malloc(n * sizeof *pts->lat);
    pts->lon = malloc(n * sizeof *pts->lon);
    pts->x = malloc(n * sizeof *pts->x);
    pts->y = malloc(n * sizeof *pts->y);
    pts->pt_ll = calloc(n, sizeof *pts->pt_ll);
    pts->pt_lcc = calloc(n, sizeof *pts->pt_lcc);
    pts->cur = calloc(n, sizeof *pts->cur);
    int ok = pts->lat && pts->lon && pts->x && pts->y && pts->pt_ll &&
             pts->pt_lcc && pts->cur;
    for (int k = 0; ok && k < FW_GEO_N_SOURCES; k++) {
        struct history *h = &pts->hist[k];
        h->d_m = malloc(n * sizeof *h->d_m);
        h->near_lat = malloc(n * sizeof *h->near_lat);
        h->near_lon = malloc(n * sizeof *h->near_lon);
        h->km = malloc(n * sizeof *h->km);
        ok = h->d_m && h->near_lat && h->near_lon && h->km;
    }
    if (!ok) {
        fw_geo_points_free(pts);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n_points; i++) {
        pts->n = i + 1; /* the points made so far are freed on error */
        pts->lat[i] = lat_deg[i];
        pts->lon[i] = lon_deg[i];
        lcc_fwd(&g->lcc, lon_deg[i], lat_deg[i], &pts->x[i], &pts->y[i]);
        pts->pt_ll[i] =
            GEOSGeom_createPointFromXY_r(g->gh, lon_deg[i], lat_deg[i]);
        pts->pt_lcc[i] =
            GEOSGeom_createPointFromXY_r(g->gh, pts->x[i], pts->y[i]);
        if (pts->pt_ll[i] == NULL || pts->pt_lcc[i] == NULL) {
            fw_geo_points_free(pts);
            return geos_fail(g, d, "cannot make a point");
        }
    }
    pts->n = n_points;
    *out = pts;
    return FW_OK;
}

size_t fw_geo_points_n_searched(const fw_geo_points *pts)
{
    return pts->n_searched;
}

/* The history slot of source: its own, else an unused one, else the
 * first (which then forgets its source). */
static struct history *history_of(fw_geo_points *pts, const char *source)
{
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        if (strcmp(pts->hist[k].source, source) == 0) {
            return &pts->hist[k];
        }
    }
    struct history *h = &pts->hist[0];
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        if (pts->hist[k].source[0] == '\0') {
            h = &pts->hist[k];
            break;
        }
    }
    snprintf(h->source, sizeof h->source, "%s", source);
    h->snap_id = 0;
    return h;
}

/* The point i at l, using h (the same source's previous snapshot) when
 * has_old. Updates h's record of the point. */
static fw_err control_point(fw_geo *g, fw_geo_points *pts, size_t i,
                            struct loaded *l, struct history *h, int has_old,
                            int with_contested, struct fw_diag *d)
{
    double lat = pts->lat[i], lon = pts->lon[i];
    struct fw_control c = {.status = FW_STATUS_FREE, .contested_km2_25km = -1};
    fw_err err = status_at(g, l, pts->pt_ll[i], lat, lon, &c.status, d);
    if (err != FW_OK) {
        return err;
    }
    if (is_occupied(c.status)) {
        c.distance_km = 0;
        c.nearest_lat_deg = lat;
        c.nearest_lon_deg = lon;
        h->d_m[i] = -1;
    } else if (has_old && h->d_m[i] >= 0 &&
               !changed_within(pts, pts->x[i], pts->y[i],
                               h->d_m[i] * (1 + 1e-9) + 1e-3)) {
        c.distance_km = h->km[i];
        c.nearest_lat_deg = h->near_lat[i];
        c.nearest_lon_deg = h->near_lon[i];
    } else {
        err = nearest_occupied(g, l, pts->pt_lcc[i], lat, lon, pts->x[i],
                               pts->y[i], &c, &h->d_m[i], d);
        if (err != FW_OK) {
            return err;
        }
        h->km[i] = c.distance_km;
        h->near_lat[i] = c.nearest_lat_deg;
        h->near_lon[i] = c.nearest_lon_deg;
        pts->n_searched++;
    }
    if (with_contested) {
        err = contested_near(g, l, lat, lon, pts->x[i], pts->y[i],
                             &c.contested_km2_25km, d);
    }
    pts->cur[i] = c;
    return err;
}

fw_err fw_geo_control_points(fw_geo *g, fw_geo_points *pts,
                             const struct fw_snapshot_info *snap,
                             unsigned flags, struct fw_control *out,
                             struct fw_diag *d)
{
    struct loaded *l = NULL;
    fw_err err = load_occupied(g, snap, &l, d);
    if (err != FW_OK) {
        return err;
    }
    struct history *h = history_of(pts, snap->source);
    pts->n_searched = 0;
    if ((err = collect_segs(g, l, &pts->next, d)) != FW_OK) {
        h->snap_id = 0;
        return err;
    }
    int has_old = h->snap_id != 0;
    if (has_old && (err = diff_segs(pts, &h->segs)) != FW_OK) {
        h->snap_id = 0;
        return err;
    }
    int with_contested =
        snap->has_contested && !(flags & FW_GEO_SKIP_CONTESTED);
    for (size_t i = 0; i < pts->n; i++) {
        err = control_point(g, pts, i, l, h, has_old, with_contested, d);
        if (err != FW_OK) {
            h->snap_id = 0;
            return err;
        }
    }
    /* the new snapshot's segments become the source's memory */
    struct segset tmp = h->segs;
    h->segs = pts->next;
    pts->next = tmp;
    h->snap_id = snap->id;
    if (pts->n > 0) {
        memcpy(out, pts->cur, pts->n * sizeof *out);
    }
    return FW_OK;
}
