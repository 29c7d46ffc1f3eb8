/*
 * frontline.h - readers of front-line maps and administrative boundaries
 * (GeoJSON, plain or gzipped: see io.h).
 *
 * Shapes recognised by content:
 *  - DeepStateMap full layers: a FeatureCollection whose polygons carry a
 *    "fill" colour: #a52714 occupied, #880e4f (and #000000 in the first
 *    files) occupied before 2022, #bcaaa4 / #bdbdbd contested, #0f9d58 /
 *    #0288d1 / #01579b liberated, #ff5252 other countries (skipped, not an
 *    error). Polygon, MultiPolygon and GeometryCollection; Point markers
 *    skipped; a third coordinate is dropped.
 *  - DeepStateMap occupied union: one feature, empty properties, a
 *    MultiPolygon: every polygon is class occupied.
 *  - NZZ / liveuamap: {"value": FeatureCollection}; features of type
 *    "nochange" and "gains" are occupied, "losses" skipped; the snapshot's
 *    as_of is the newest feature "date".
 *  - Boundaries: features with "shapeISO" (geoBoundaries ADM1) or
 *    "ADMIN_1" (Minregion oblasts); each becomes a boundary record.
 *
 * Invalid polygons are repaired with GEOS MakeValid and reported through
 * sink->repair; nothing is dropped silently.
 */
#ifndef FRONTWATCH_FRONTLINE_H
#define FRONTWATCH_FRONTLINE_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"

enum fw_geojson_kind {
    FW_GEOJSON_UNKNOWN = 0,
    FW_GEOJSON_DEEPSTATE_FULL,
    FW_GEOJSON_DEEPSTATE_OCCUPIED,
    FW_GEOJSON_NZZ,
    FW_GEOJSON_BOUNDARIES
};

/* The publication time encoded in a file name: "..._20220403T165926Z_..."
 * (DeepState history), "..._20240708..." or "...2022-02-24..." (NZZ).
 * Errors: FW_EPARSE when the name holds no date. */
fw_err fw_frontline_date_from_name(const char *path, int64_t *t_unix_s);

/* Reads one GeoJSON document. path is used for the snapshot's publication
 * date and in messages only (the buffer is already read). Emits, for a
 * map, sink->snapshot once then sink->polygon per polygon; for boundaries,
 * sink->boundary then its polygons, per feature. *kind_out (may be NULL)
 * receives the recognised shape.
 * Errors: FW_EPARSE (invalid JSON with its line and column; a shape that
 * is none of the above; a geometry that is malformed, with the feature
 * index), FW_ERANGE (a coordinate that is not finite or outside
 * [-180,180] x [-90,90], with the feature index), FW_ELIMIT (nesting
 * deeper than 64), FW_EGEOS. */
fw_err fw_frontline_read(const char *path, const char *buf, size_t len,
                         const struct fw_sink *sink,
                         enum fw_geojson_kind *kind_out, struct fw_diag *d);

#endif
