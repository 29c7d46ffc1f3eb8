/*
 * geojson.h - GeoJSON writers (RFC 7946) for the server and the static
 * export: the layers of one front-line map as frontwatch uses them, and
 * the oblast boundaries for the dashboard's base map. The pair of the
 * readers in frontline.c.
 *
 * Coordinates are WGS84 longitude, latitude with 5 decimals (about 1 m);
 * exterior rings are written counter-clockwise and holes clockwise (the
 * right-hand rule of RFC 7946, section 3.1.6), whatever the source's
 * order.
 *
 * Data flow: store + geo -> geojson -> server / export.
 */
#ifndef FRONTWATCH_GEOJSON_H
#define FRONTWATCH_GEOJSON_H

#include <stdio.h>

#include "frontwatch/err.h"
#include "frontwatch/geo.h"
#include "frontwatch/store.h"

/* Writes a FeatureCollection of every polygon the geo engine uses for snap
 * (fw_geo_snapshot_polygons: liberated, unconfirmed and tiny NZZ parts left
 * out, the borrowed pre-2022 layer in), one Feature per polygon with
 * properties {"class": "occupied" | "occupied_before_2022" | "contested"}.
 * members (may be NULL) is inserted as top-level members: a JSON text of
 * members without braces, e.g. "\"source\":\"nzz\",\"map\":\"2024-05-13\"",
 * trusted (the caller builds it). simplify_deg > 0 simplifies each polygon
 * keeping its topology (GEOS TopologyPreserveSimplify) with that tolerance
 * in degrees; 0 writes every vertex. Errors: FW_ESQL, FW_EGEOS, FW_EIO
 * (writing f). f may hold part of the document after an error. */
fw_err fw_geojson_write_snapshot(fw_geo *g, const struct fw_snapshot_info *snap,
                                 const char *members, double simplify_deg,
                                 FILE *f, struct fw_diag *d);

/* Writes a FeatureCollection of the oblast boundaries in st, one Feature per
 * stored polygon, properties {"iso": "UA-63", "name_en": "Kharkiv",
 * "name_uk": "Харківська"}. Where several files gave an oblast's outline
 * (geoBoundaries, Minregion), the one with the fewest bytes is used: the
 * base map needs no more. An empty collection when st has none. Errors:
 * FW_ESQL, FW_EGEOS, FW_EIO. */
fw_err fw_geojson_write_oblasts(fw_store *st, double simplify_deg, FILE *f,
                                struct fw_diag *d);

#endif
