/*
 * geo.c - status and geodesic distance per snapshot (see geo.h).
 *
 * State: a cache of loaded snapshots. Each holds, per polygon, the GEOS
 * geometry in lon/lat with its prepared form and bbox (point-in-polygon),
 * and the edges of the occupied polygons in the Lambert projection as one
 * prepared MultiLineString (nearest point). Loading is the cost; queries are cheap, so
 * every place at one snapshot, then the next snapshot, is the fast order.
 */

#include "frontwatch/geo.h"

#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <proj.h>
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
#define DEG_TO_RAD (3.14159265358979323846 / 180.0)

struct poly {
    GEOSGeometry *geom;                /* lon/lat */
    const GEOSPreparedGeometry *prep;
    GEOSGeometry *proj; /* Lambert metres; kept for contested polygons */
    int cls;
    double min_lon, min_lat, max_lon, max_lat;
};

struct loaded {
    int64_t id;       /* snapshot id, 0 = empty slot */
    unsigned long last_use;
    struct poly *polys;
    size_t n_polys;
    GEOSGeometry *occ_proj;  /* edges of the occupied area (Lambert) */
    const GEOSPreparedGeometry *occ_prep;
};

struct fw_geo {
    fw_store *st;
    GEOSContextHandle_t gh;
    PJ_CONTEXT *pj_ctx;
    PJ *lcc;
    struct geod_geodesic geod;
    struct loaded cache[CACHE_SLOTS];
    unsigned long clock;
    char geos_msg[256];
};

const char *fw_status_name(enum fw_status status)
{
    switch (status) {
    case FW_STATUS_FREE: return "free";
    case FW_STATUS_CONTESTED: return "contested";
    case FW_STATUS_OCCUPIED: return "occupied";
    case FW_STATUS_OCCUPIED_PRE2022: return "occupied_before_2022";
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
    static struct geod_geodesic geod;
    static int init;
    if (!init) {
        geod_init(&geod, 6378137.0, 1 / 298.257223563);
        init = 1;
    }
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
        return FW_ENOMEM;
    }
    GEOSContext_setErrorMessageHandler_r(g->gh, geos_msg_r, g);
    g->pj_ctx = proj_context_create();
    g->lcc = proj_create(g->pj_ctx,
                         "+proj=lcc +lat_1=45.5 +lat_2=50.5 +lat_0=48 "
                         "+lon_0=31 +ellps=WGS84 +units=m +no_defs");
    if (g->lcc == NULL) {
        fw_geo_free(g);
        return fw_diag_set(d, FW_EPROJ, 0, 0, "cannot create projection");
    }
    geod_init(&g->geod, 6378137.0, 1 / 298.257223563);
    *out = g;
    return FW_OK;
}

static void unload(fw_geo *g, struct loaded *l)
{
    for (size_t i = 0; i < l->n_polys; i++) {
        GEOSPreparedGeom_destroy_r(g->gh, l->polys[i].prep);
        GEOSGeom_destroy_r(g->gh, l->polys[i].geom);
        GEOSGeom_destroy_r(g->gh, l->polys[i].proj);
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
    proj_destroy(g->lcc);
    proj_context_destroy(g->pj_ctx);
    GEOS_finish_r(g->gh);
    free(g);
}

/* Lon/lat degrees -> Lambert metres, in place (a GEOS transform). */
static int to_lcc(double *x, double *y, void *userdata)
{
    fw_geo *g = userdata;
    PJ_COORD c = proj_coord(proj_torad(*x), proj_torad(*y), 0, 0);
    c = proj_trans(g->lcc, PJ_FWD, c);
    *x = c.xy.x;
    *y = c.xy.y;
    return isfinite(c.xy.x) && isfinite(c.xy.y);
}

static void lcc_fwd(fw_geo *g, double lon, double lat, double *x, double *y)
{
    *x = lon;
    *y = lat;
    to_lcc(x, y, g);
}

static void lcc_inv(fw_geo *g, double x, double y, double *lon, double *lat)
{
    PJ_COORD c = proj_coord(x, y, 0, 0);
    c = proj_trans(g->lcc, PJ_INV, c);
    *lon = proj_todeg(c.lp.lam);
    *lat = proj_todeg(c.lp.phi);
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

/* Reads the polygons of snapshot id (only class cls_only when > 0) and
 * appends them to l. */
static fw_err read_polys(fw_geo *g, struct loaded *l, int64_t id,
                         int cls_only, double min_km2, struct fw_diag *d)
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
    GEOSWKBReader *rd = GEOSWKBReader_create_r(g->gh);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct poly *np = realloc(l->polys, (l->n_polys + 1) * sizeof *np);
        if (np == NULL) {
            err = FW_ENOMEM;
            break;
        }
        l->polys = np;
        struct poly *p = &l->polys[l->n_polys];
        memset(p, 0, sizeof *p);
        p->cls = sqlite3_column_int(s, 0);
        p->geom = GEOSWKBReader_read_r(
            g->gh, rd, sqlite3_column_blob(s, 1),
            (size_t)sqlite3_column_bytes(s, 1));
        if (p->geom == NULL) {
            err = geos_fail(g, d, "stored polygon is not valid WKB");
            break;
        }
        p->min_lon = sqlite3_column_double(s, 2);
        p->min_lat = sqlite3_column_double(s, 3);
        p->max_lon = sqlite3_column_double(s, 4);
        p->max_lat = sqlite3_column_double(s, 5);
        l->n_polys++;
        p->prep = GEOSPrepare_r(g->gh, p->geom);
        p->proj = GEOSGeom_transformXY_r(g->gh, p->geom, to_lcc, g);
        if (p->prep == NULL || p->proj == NULL) {
            err = geos_fail(g, d, "cannot prepare polygon");
            break;
        }
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(g->st)));
    }
    GEOSWKBReader_destroy_r(g->gh, rd);
    sqlite3_finalize(s);
    return err;
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
        struct poly *p = &l->polys[i];
        if (p->cls != FW_CLASS_OCCUPIED &&
            p->cls != FW_CLASS_OCCUPIED_PRE2022) {
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
        /* the polygon's projected copy is no longer needed */
        GEOSGeom_destroy_r(g->gh, p->proj);
        p->proj = NULL;
    }
    if (err == FW_OK && n_lines > 0) {
        /* takes ownership of the lines */
        l->occ_proj = GEOSGeom_createCollection_r(
            g->gh, GEOS_MULTILINESTRING, lines, (unsigned)n_lines);
        n_lines = 0;
        if (l->occ_proj == NULL) {
            err = geos_fail(g, d, "cannot collect the occupied edges");
        } else if ((l->occ_prep = GEOSPrepare_r(g->gh, l->occ_proj)) ==
                   NULL) {
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
    double min_km2 = strcmp(snap->source, "nzz") == 0 ? NZZ_MIN_POLYGON_KM2
                                                      : 0.0;
    fw_err err = read_polys(g, l, snap->id, 0, min_km2, d);
    if (err == FW_OK && strcmp(snap->source, "deepstate") != 0) {
        int64_t donor = pre2022_donor(g, snap->published_s);
        if (donor != 0) {
            err = read_polys(g, l, donor, FW_CLASS_OCCUPIED_PRE2022, 0.0, d);
        }
    }
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

/* Area in km2 of contested polygons within CONTESTED_RADIUS_KM of the
 * projected point (x, y). The disc is drawn in the conformal projection
 * with its radius divided by the local scale factor k, and the area is
 * divided by k^2, so both are true to within the variation of k across
 * 25 km (well under 0.1 %). */
static fw_err contested_near(fw_geo *g, struct loaded *l, double lat,
                             double lon, double x, double y, double *km2,
                             struct fw_diag *d)
{
    PJ_FACTORS f = proj_factors(
        g->lcc, proj_coord(proj_torad(lon), proj_torad(lat), 0, 0));
    double k = f.meridional_scale > 0 ? f.meridional_scale : 1.0;
    double r_m = CONTESTED_RADIUS_KM * 1000.0 * k;
    double dlat = CONTESTED_RADIUS_KM / 100.0;
    double dlon = dlat / cos(lat * DEG_TO_RAD);
    GEOSGeometry *disc = NULL; /* drawn only when a polygon is near */
    double sum_m2 = 0;
    for (size_t i = 0; i < l->n_polys; i++) {
        struct poly *p = &l->polys[i];
        if (p->cls != FW_CLASS_CONTESTED || p->max_lon < lon - dlon ||
            p->min_lon > lon + dlon || p->max_lat < lat - dlat ||
            p->min_lat > lat + dlat) {
            continue;
        }
        if (disc == NULL) {
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
            disc = pt ? GEOSBuffer_r(g->gh, pt, r_m, 32) : NULL;
            GEOSGeom_destroy_r(g->gh, pt);
            if (disc == NULL) {
                return geos_fail(g, d, "cannot draw the 25 km disc");
            }
        }
        GEOSGeometry *x_geom = GEOSIntersection_r(g->gh, p->proj, disc);
        if (x_geom == NULL) {
            GEOSGeom_destroy_r(g->gh, disc);
            return geos_fail(g, d, "cannot intersect contested area");
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

fw_err fw_geo_control(fw_geo *g, const struct fw_snapshot_info *snap,
                      double lat_deg, double lon_deg, struct fw_control *out,
                      struct fw_diag *d)
{
    if (!isfinite(lat_deg) || !isfinite(lon_deg) || fabs(lat_deg) > 90 ||
        fabs(lon_deg) > 180) {
        return fw_diag_set(d, FW_ERANGE, 0, 0, "bad coordinates %g, %g",
                           lat_deg, lon_deg);
    }
    struct loaded *l = NULL;
    fw_err err = load(g, snap, &l, d);
    if (err != FW_OK) {
        return err;
    }
    if (l->occ_prep == NULL) {
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                           "snapshot %lld has no occupied area",
                           (long long)snap->id);
    }
    struct fw_control c = {.status = FW_STATUS_FREE,
                           .contested_km2_25km = -1};
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, lon_deg, lat_deg);
    if (pt == NULL) {
        return geos_fail(g, d, "cannot make a point");
    }
    for (size_t i = 0; i < l->n_polys; i++) {
        struct poly *p = &l->polys[i];
        if (lon_deg < p->min_lon || lon_deg > p->max_lon ||
            lat_deg < p->min_lat || lat_deg > p->max_lat) {
            continue;
        }
        int cls_status = p->cls == FW_CLASS_OCCUPIED_PRE2022
                             ? FW_STATUS_OCCUPIED_PRE2022
                         : p->cls == FW_CLASS_OCCUPIED ? FW_STATUS_OCCUPIED
                         : p->cls == FW_CLASS_CONTESTED
                             ? FW_STATUS_CONTESTED
                             : FW_STATUS_FREE;
        if (cls_status <= (int)c.status) {
            continue;
        }
        char hit = GEOSPreparedIntersects_r(g->gh, p->prep, pt);
        if (hit == 2) {
            GEOSGeom_destroy_r(g->gh, pt);
            return geos_fail(g, d, "point-in-polygon failed");
        }
        if (hit) {
            c.status = (enum fw_status)cls_status;
        }
    }
    GEOSGeom_destroy_r(g->gh, pt);

    double x, y;
    lcc_fwd(g, lon_deg, lat_deg, &x, &y);
    if (c.status == FW_STATUS_OCCUPIED ||
        c.status == FW_STATUS_OCCUPIED_PRE2022) {
        c.distance_km = 0;
        c.nearest_lat_deg = lat_deg;
        c.nearest_lon_deg = lon_deg;
    } else {
        GEOSGeometry *ppt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
        GEOSCoordSequence *cs =
            ppt ? GEOSPreparedNearestPoints_r(g->gh, l->occ_prep, ppt) : NULL;
        GEOSGeom_destroy_r(g->gh, ppt);
        if (cs == NULL) {
            return geos_fail(g, d, "nearest point failed");
        }
        double nx = 0, ny = 0;
        GEOSCoordSeq_getXY_r(g->gh, cs, 0, &nx, &ny);
        GEOSCoordSeq_destroy_r(g->gh, cs);
        lcc_inv(g, nx, ny, &c.nearest_lon_deg, &c.nearest_lat_deg);
        double s12 = 0;
        geod_inverse(&g->geod, lat_deg, lon_deg, c.nearest_lat_deg,
                     c.nearest_lon_deg, &s12, NULL, NULL);
        c.distance_km = s12 / 1000.0;
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
