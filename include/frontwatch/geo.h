/*
 * geo.h - control status of a point and its geodesic distance to the
 * occupied area, per front-line snapshot.
 *
 * A snapshot's polygons are loaded from the store once and kept in a small
 * cache: GEOS prepared geometries for point-in-polygon, and a copy in a
 * Lambert conformal conic projection of Ukraine (standard parallels 45.5 and
 * 50.5 N) to find the nearest occupied point, which is then measured along
 * the WGS84 geodesic (PROJ geod_inverse). Kilometres are geodesic, never
 * degrees.
 *
 * Sources without an "occupied before 2022" class (NZZ / liveuamap, the
 * DeepState occupied union) borrow that layer from the DeepState full map
 * nearest in time: NZZ leaves Crimea out always, and Donetsk and Luhansk
 * cities out from 2024-03-18 (../shared/data/README.md).
 */
#ifndef FRONTWATCH_GEO_H
#define FRONTWATCH_GEO_H

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
    int64_t published_s;  /* usable from this time on */
    int64_t as_of_s;      /* the state of the front it shows */
    int has_contested;    /* the source maps contested areas */
};

/* Creates a geo engine reading snap/polygon rows of st (borrowed; must
 * outlive the engine). *out freed by fw_geo_free. Errors: FW_ENOMEM,
 * FW_EPROJ, FW_EGEOS. */
fw_err fw_geo_new(fw_store *st, fw_geo **out, struct fw_diag *d);

/* Frees g and its cache; accepts NULL. */
void fw_geo_free(fw_geo *g);

/* The newest usable snapshot of source published at or before t_s
 * (snapshots marked suspect are passed over). Errors: FW_ENOTFOUND when
 * there is none, FW_ESQL. *out set on success only. */
fw_err fw_geo_snapshot_at(fw_geo *g, const char *source, int64_t t_s,
                          struct fw_snapshot_info *out, struct fw_diag *d);

struct fw_control {
    enum fw_status status;
    double distance_km;      /* to the nearest occupied point; 0 inside */
    double nearest_lat_deg;  /* that point (the place itself when inside) */
    double nearest_lon_deg;
    double contested_km2_25km; /* contested area within 25 km; -1 when the
                                  source does not map contested areas */
};

/* Status of (lat, lon) in snap and the distance to its occupied area
 * (occupied plus occupied before 2022). Errors: FW_ERANGE (coordinates),
 * FW_ENOTFOUND (snapshot has no occupied polygons), FW_ESQL, FW_EGEOS,
 * FW_EPROJ. *out set on success only. */
fw_err fw_geo_control(fw_geo *g, const struct fw_snapshot_info *snap,
                      double lat_deg, double lon_deg, struct fw_control *out,
                      struct fw_diag *d);

/* Geodesic distance in km between two WGS84 points. */
double fw_geo_distance_km(double lat1_deg, double lon1_deg, double lat2_deg,
                          double lon2_deg);

#endif
