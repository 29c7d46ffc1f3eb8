/*
 * geo.h - control status of a point and its geodesic distance to the
 * occupied area, per front-line snapshot.
 *
 * A snapshot's polygons are loaded from the store once and kept in a small
 * cache (a polygon unchanged from a cached snapshot is shared, not loaded
 * again): GEOS prepared geometries for point-in-polygon, and a copy in a
 * Lambert conformal conic projection of Ukraine (standard parallels 45.5 and
 * 50.5 N) to find the nearest occupied point, which is then measured along
 * the WGS84 geodesic (PROJ geod_inverse). Kilometres are geodesic, never
 * degrees.
 *
 * No answer looks ahead: every map, and every layer it borrows, is one
 * published at or before the time asked (docs/decisions/0006).
 *
 * - Sources without an "occupied before 2022" class (NZZ / liveuamap, the
 *   DeepState occupied union) borrow that layer: NZZ leaves Crimea out
 *   always, and Donetsk and Luhansk cities out from 2024-03-18
 *   (../shared/data/README.md). A map published at t borrows it from the
 *   newest DeepState full map published at or before t that has the layer
 *   (passing over maps known as glitches at t, as below). Before the first
 *   such map (NZZ's maps of 2022-02-24 to 2022-03-28 precede DeepState's
 *   first, 2022-04-03) the layer is fixed, known before the war: the
 *   Crimea (UA-43) and Sevastopol (UA-40) boundaries of the boundary file
 *   ingested last that holds Crimea; ORDLO is inside NZZ's own occupied
 *   area then. A store without boundaries borrows nothing before April
 *   2022.
 * - A map marked suspect (a one-week glitch, exposed by the next map of
 *   its source) is used until that next map is published, and passed over
 *   from then on: a user before then saw the glitch. A map with no
 *   occupied area is always passed over.
 * - A new isolated occupied part (mapcheck.h) is held as unconfirmed and
 *   never used: no status, distance, area, feature or export sees it.
 */
#ifndef FRONTWATCH_GEO_H
#define FRONTWATCH_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/store.h"

typedef struct fw_geo fw_geo;

enum fw_status {
    FW_STATUS_FREE = 0,
    FW_STATUS_CONTESTED = 1,
    FW_STATUS_OCCUPIED = 2,
    FW_STATUS_OCCUPIED_PRE2022 = 3
};

/* "free", "contested", "occupied", "occupied_before_2022" (static). */
const char *fw_status_name(enum fw_status status);

/* The map sources frontwatch knows, newest-first tie order irrelevant. */
#define FW_GEO_N_SOURCES 3
extern const char *const FW_GEO_SOURCES[FW_GEO_N_SOURCES];

struct fw_snapshot_info {
    int64_t id;
    char source[24];
    int64_t published_s; /* usable from this time on */
    int64_t as_of_s;     /* the state of the front it shows */
    int has_contested;   /* the source maps contested areas */
};

/* Creates a geo engine reading snap/polygon rows of st (borrowed; must
 * outlive the engine). *out freed by fw_geo_free. Errors: FW_ENOMEM,
 * FW_EGEOS, FW_EPROJ. */
fw_err fw_geo_new(fw_store *st, fw_geo **out, struct fw_diag *d);

/* Frees g and its cache; accepts NULL. */
void fw_geo_free(fw_geo *g);

/* The snapshot of source in force at t_s as known at seen_s (seen_s >=
 * t_s; an earlier seen_s counts as t_s): the newest published at or before
 * t_s, passing over the suspect ones exposed by seen_s (see above). For a
 * trend, "the map of 7 days ago" as a user sees it today passes over a
 * glitch exposed since. Errors: FW_ENOTFOUND when there is none, FW_ESQL.
 * *out set on success only. */
fw_err fw_geo_snapshot_seen(fw_geo *g, const char *source, int64_t t_s,
                            int64_t seen_s, struct fw_snapshot_info *out,
                            struct fw_diag *d);

/* fw_geo_snapshot_seen(g, source, t_s, t_s, out, d): the map a user saw
 * at t_s. */
fw_err fw_geo_snapshot_at(fw_geo *g, const char *source, int64_t t_s,
                          struct fw_snapshot_info *out, struct fw_diag *d);

/* The snapshot, of any source, that shows the newest state of the front
 * seen at t_s (fw_geo_snapshot_seen of each source at t_s; the newest
 * as_of_s wins, the first source of FW_GEO_SOURCES on a tie): assess's
 * headline rule before its checks. *k_out (may be NULL) is the source's
 * index. Errors: FW_ENOTFOUND when no source has a map by then, FW_ESQL.
 * *out set on success only. */
fw_err fw_geo_newest_snapshot(fw_geo *g, int64_t t_s,
                              struct fw_snapshot_info *out, int *k_out,
                              struct fw_diag *d);

struct fw_control {
    enum fw_status status;
    double distance_km;     /* to the nearest occupied point; 0 inside */
    double nearest_lat_deg; /* that point (the place itself when inside) */
    double nearest_lon_deg;
    double contested_km2_25km; /* contested area within 25 km; -1 when the
                                  source does not map contested areas */
};

/* Status of (lat, lon) in snap and the distance to its occupied area
 * (occupied plus occupied before 2022). Errors: FW_ERANGE (coordinates),
 * FW_ENOTFOUND (snapshot has no occupied polygons), FW_ESQL, FW_EGEOS,
 * FW_ENOMEM. *out set on success only. */
fw_err fw_geo_control(fw_geo *g, const struct fw_snapshot_info *snap,
                      double lat_deg, double lon_deg, struct fw_control *out,
                      struct fw_diag *d);

enum fw_geo_area {
    FW_GEO_AREA_OCCUPIED,  /* occupied and occupied before 2022 */
    FW_GEO_AREA_CONTESTED
};

/* Area of that kind in km2 within each of radius_km[0 .. n_radii - 1] of
 * (lat, lon) in snap, into km2[] (caller's array): the exact intersection
 * with a disc drawn in the conformal projection, scaled to true area
 * (within 0.1 % up to 50 km). Polygons outside a radius's bounding box are
 * not touched, so a place far from the front costs a few comparisons; a
 * source without contested areas gives 0 for them. Errors: as
 * fw_geo_control. */
fw_err fw_geo_area_near(fw_geo *g, const struct fw_snapshot_info *snap,
                        enum fw_geo_area kind, double lat_deg, double lon_deg,
                        const double *radius_km, size_t n_radii, double *km2,
                        struct fw_diag *d);

/* A part of a map held as unconfirmed (mapcheck.h), which nothing uses. */
struct fw_set_aside {
    double area_km2;
    double gap_km;      /* from the nearest occupied or contested part of
                           the source's previous map */
    double lat_deg;     /* its centroid */
    double lon_deg;
    double distance_km; /* from the point asked about; 0 inside */
};

/* The parts of snap held as unconfirmed, largest first, measured from
 * (lat, lon): the first cap of them into out[] (caller's array), how many
 * there are into *n_out (which may exceed cap) and, when nearest_km is not
 * NULL, the least distance_km of them all into *nearest_km (INFINITY when
 * there are none): how far the map as drawn, unconfirmed parts included,
 * puts its occupied area. Errors: FW_ERANGE (coordinates), FW_ESQL,
 * FW_EGEOS; the outputs are set on success only. */
fw_err fw_geo_set_aside(fw_geo *g, const struct fw_snapshot_info *snap,
                        double lat_deg, double lon_deg,
                        struct fw_set_aside *out, size_t cap, size_t *n_out,
                        double *nearest_km, struct fw_diag *d);

/* Calls fn(arg, cls, wkb, wkb_len) for every polygon the engine uses for
 * snap, in the store's order: its own polygons except liberated ones,
 * unconfirmed parts and, for NZZ, those under 1 km2, then the borrowed
 * "occupied before 2022" layer for sources without one (see above). cls
 * is an fw_control_class (record.h); wkb (WGS84 lon/lat, as stored) is
 * borrowed for the call. fn returns FW_OK to go on; anything else stops
 * the walk and is returned.
 * For exports, so that other tools see exactly frontwatch's geometries.
 * Errors: FW_ESQL, or fn's. */
typedef fw_err (*fw_geo_polygon_fn)(void *arg, int cls, const void *wkb,
                                    size_t wkb_len);
fw_err fw_geo_snapshot_polygons(fw_geo *g, const struct fw_snapshot_info *snap,
                                fw_geo_polygon_fn fn, void *arg,
                                struct fw_diag *d);

/*
 * Many points at many snapshots: the whole-history path (features,
 * back-tests, benchmarks). The points are projected once, and each source's
 * previous snapshot asked is remembered: a point outside the occupied area
 * then and now keeps its distance and nearest point unless an occupied edge
 * within that distance of it was added or removed (the nearest edge is
 * still there and nothing came closer), so when a weekly map moved only
 * part of the front, only the places near that part are searched again.
 * Point-in-polygon is always tested anew. Results equal fw_geo_control's
 * for each point (up to the choice between equally near points).
 */
typedef struct fw_geo_points fw_geo_points;

/* Do not compute contested_km2_25km (it stays -1): status and distance
 * only, much faster on DeepState full maps. */
#define FW_GEO_SKIP_CONTESTED 1u

/* A set of n_points points (WGS84 degrees, copied) for g (borrowed; must
 * outlive the set). *out freed by fw_geo_points_free. Errors: FW_ERANGE
 * (a bad coordinate; d names its index), FW_ENOMEM, FW_EGEOS. */
fw_err fw_geo_points_new(fw_geo *g, const double *lat_deg,
                         const double *lon_deg, size_t n_points,
                         fw_geo_points **out, struct fw_diag *d);

/* Frees pts; accepts NULL. */
void fw_geo_points_free(fw_geo_points *pts);

/* Status and distance of every point of pts (made with g) at snap into
 * out[0 .. n_points - 1] (caller's array), as fw_geo_control would give
 * them; flags is 0 or FW_GEO_SKIP_CONTESTED. Fastest when each source's
 * snapshots come in time order. Errors: as fw_geo_control, and FW_ENOMEM.
 * out is written on success only; after an error pts may have forgotten
 * the source's previous snapshot (the next call then searches every
 * point), which costs time, never correctness. */
fw_err fw_geo_control_points(fw_geo *g, fw_geo_points *pts,
                             const struct fw_snapshot_info *snap,
                             unsigned flags, struct fw_control *out,
                             struct fw_diag *d);

/* How many point distances the last fw_geo_control_points call searched
 * anew (the rest were kept or lay inside the occupied area). */
size_t fw_geo_points_n_searched(const fw_geo_points *pts);

/* Which of the n oblasts iso[0..n) (ISO 3166-2 codes, borrowed) share a
 * boundary, from the outlines of the store's boundary table (of the files
 * holding the most oblasts, the smallest; outlines within 0.01 degree
 * count as touching): adj[i * n + j] = adj[j * n + i] = 1 for neighbours,
 * 0 otherwise (adj: n * n bytes, the caller's). An oblast without an
 * outline has no neighbours. Errors: FW_ESQL, FW_EGEOS, FW_ENOMEM; on error
 * adj is all 0. */
fw_err fw_geo_oblast_neighbours(fw_geo *g, const char *const *iso, size_t n,
                                uint8_t *adj, struct fw_diag *d);

/* Geodesic distance in km between two WGS84 points. */
double fw_geo_distance_km(double lat1_deg, double lon1_deg, double lat2_deg,
                          double lon2_deg);

#endif
