/*
 * geo_int.h - what the two halves of the geo engine share, private to the
 * library: geo.c (per snapshot: loading and caching a snapshot's polygons,
 * status, distance, areas) defines these, and geo_kernel.c (the
 * whole-history path, fw_geo_points and fw_geo_control_points) uses them
 * to ask the per-snapshot questions for many points; mapcheck.c (the check
 * of new isolated parts, run by fw_ingest_derive) uses the same
 * projection, WKB reader and source rules; border.c (the state border,
 * border.h) derives the border in the same projection and keeps its
 * loaded lines in the engine. Included by those four files only.
 */
#ifndef FRONTWATCH_GEO_INT_H
#define FRONTWATCH_GEO_INT_H

#include <geodesic.h>
#include <geos_c.h>
#include <proj.h>
#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/geo.h"
#include "frontwatch/store.h"

/* Snapshots kept loaded. assess needs 3 per source (t, t-7, t-28) plus the
 * borrowed pre-2022 layers. */
#define FW_GEO_CACHE_SLOTS 16

/* NZZ scatters tiny spurious polygons in some files (2024-08-12: 75
 * polygons under 1 km2 along the Sumy-Kursk border, 50-149 km from the
 * occupied area, 45 of them inside Sumy oblast). Polygons smaller than
 * this are not used from NZZ maps; the other sub-km2 NZZ polygons are
 * slivers on the edge of the occupied area, whose loss moves no distance
 * by more than their own width. */
#define FW_GEO_NZZ_MIN_POLYGON_KM2 1.0

/* The smallest polygon the engine uses from a map of source (km2). */
double fw_geo_min_polygon_km2(const char *source);

/*
 * SQL: whether snapshot row S (an alias) is passed over as seen at time T
 * (an SQL expression, a parameter): it is suspect, and either it has no
 * occupied area (known from the map itself) or a later map of its source
 * was out by T (the glitch rule compares a map with the next one, so a
 * user saw the glitch map until then). dataset.c passes over the same maps
 * (its next_pub_s); a map with no polygons at all counts as no later map.
 */
#define FW_GEO_SQL_PASSED_OVER(S, T)                                       \
    "(" S ".suspect IS NOT NULL AND (" S ".occupied_km2 <= 0 OR EXISTS("   \
    "SELECT 1 FROM snapshot nx WHERE nx.source = " S ".source"             \
    " AND nx.published_s > " S ".published_s AND nx.published_s <= " T      \
    " AND nx.n_polygons > 0)))"

/* A polygon as loaded (geo.c), shared between cached snapshots. */
struct poly;

/* A snapshot in the cache. */
struct loaded {
    int64_t id; /* snapshot id, 0 = empty slot */
    unsigned long last_use;
    struct poly **polys; /* shared, counted in n_refs */
    size_t n_polys;
    GEOSGeometry *occ_proj; /* edges of the occupied area (Lambert) */
    const GEOSPreparedGeometry *occ_prep;
};

/* The Lambert conformal conic projection of Ukraine through PROJ (geo.c
 * says how it is created). */
struct lcc {
    PJ_CONTEXT *ctx;
    PJ *pj;
};

/* The parts of one snapshot held as unconfirmed (mapcheck.h), read once:
 * the flag lies after each row's geometry, so finding them reads every
 * polygon of the snapshot in full, the most of an assessment's time. */
struct held_part {
    double area_km2, gap_km, lat_deg, lon_deg; /* lat/lon: its centroid */
    GEOSGeometry *gm;                          /* lon/lat, as stored */
};

struct held {
    int64_t snap_id;          /* 0: empty slot */
    size_t n;
    struct held_part *parts;  /* largest first */
    unsigned long used;
};

#define FW_GEO_HELD_SLOTS 16

/* The state border's lines as loaded (border.c), NULL until first asked. */
struct fw_border_cache;

/* Frees c (border.c); accepts NULL. fw_geo_free calls it. */
void fw_border_cache_free(fw_geo *g, struct fw_border_cache *c);

struct fw_geo {
    fw_store *st;
    GEOSContextHandle_t gh;
    struct lcc lcc;
    struct geod_geodesic geod;
    GEOSWKBReader *wkb_reader;
    struct loaded cache[FW_GEO_CACHE_SLOTS];
    struct held held[FW_GEO_HELD_SLOTS];
    unsigned long clock;
    struct fw_border_cache *border;
    char geos_msg[256];
};

/* Lon/lat degrees -> Lambert metres through p (borrowed). */
void fw_geo_lcc_fwd(const struct lcc *p, double lon_deg, double lat_deg,
                    double *x_m, double *y_m);

/* Lambert metres -> lon/lat degrees through p (borrowed). */
void fw_geo_lcc_inv(const struct lcc *p, double x_m, double y_m,
                    double *lon_deg, double *lat_deg);

/* Lon/lat -> Lambert metres, in place: a GEOSGeom_transformXY_r callback
 * whose userdata is the fw_geo. */
int fw_geo_to_lcc(double *x, double *y, void *userdata);

/* Sets d to FW_EGEOS, "what: " and GEOS's last message, and returns
 * FW_EGEOS. */
fw_err fw_geo_geos_fail(fw_geo *g, struct fw_diag *d, const char *what);

/* FW_OK for a finite latitude in [-90, 90] and longitude in [-180, 180];
 * else FW_ERANGE, with d naming both. */
fw_err fw_geo_check_coordinates(double lat_deg, double lon_deg,
                                struct fw_diag *d);

/* Loads snap into g's cache (or finds it there) into *out (owned by the
 * cache: valid until the next load), and checks that it has an occupied
 * area to measure to. Errors: FW_ENOTFOUND (no occupied area), FW_ESQL,
 * FW_EGEOS, FW_ENOMEM; a snapshot that failed to load is not cached. */
fw_err fw_geo_load_occupied(fw_geo *g, const struct fw_snapshot_info *snap,
                            struct loaded **out, struct fw_diag *d);

/* The status of the point pt (lon/lat, the same as lat, lon; borrowed) in
 * l into *out: the highest class of the polygons containing it (boundary
 * included). Errors: FW_EGEOS; *out is then untouched. */
fw_err fw_geo_status_at(fw_geo *g, const struct loaded *l,
                        const GEOSGeometry *pt, double lat, double lon,
                        enum fw_status *out, struct fw_diag *d);

/* Whether status is occupied or occupied before 2022. */
int fw_geo_is_occupied(enum fw_status status);

/* The nearest occupied point to the projected point ppt = (x, y), a point
 * outside the occupied area of l (which must have one), into c (nearest
 * point and geodesic km from (lat, lon)) and *d_m (the planar distance in
 * the projection). Errors: FW_EGEOS; c and *d_m are then untouched. */
fw_err fw_geo_nearest_occupied(fw_geo *g, const struct loaded *l,
                               const GEOSGeometry *ppt, double lat, double lon,
                               double x, double y, struct fw_control *c,
                               double *d_m, struct fw_diag *d);

/* The contested area in km2 within 25 km of (lat, lon), projected (x, y),
 * in l into *km2. Errors: FW_EGEOS. */
fw_err fw_geo_contested_near(fw_geo *g, struct loaded *l, double lat,
                             double lon, double x, double y, double *km2,
                             struct fw_diag *d);

#endif
