/*
 * frontline.h - readers of front-line maps and administrative boundaries
 * (GeoJSON, plain or gzipped: see io.h).
 *
 * Shapes recognised by content:
 *  - DeepStateMap full layers: a FeatureCollection whose polygons carry a
 *    "fill" colour: #a52714 occupied, #880e4f (and #000000 in the first
 *    files) occupied before 2022, #bcaaa4 / #bdbdbd contested (and
 *    #757575, "Під питанням /// Contested", on 2022-08-20), #0f9d58 /
 *    #0288d1 / #01579b liberated, #ff5252 other countries (skipped, not an
 *    error). The first maps (2022-04-03 .. 2022-05-22) used another
 *    legend: #000000 for Crimea and ORDLO, #880e4f for Transnistria and no
 *    #ff5252; in a file with #000000 and without #ff5252, #880e4f is
 *    skipped as another country. Any other colour, or a polygon without
 *    one, is rejected (sink->reject). Polygon, MultiPolygon and
 *    GeometryCollection; Point markers skipped; a third coordinate is
 *    dropped.
 *  - DeepStateMap occupied union: features with empty properties and
 *    Polygon or MultiPolygon geometry: every polygon is class occupied.
 *  - NZZ / liveuamap: {"value": FeatureCollection}; features of type
 *    "nochange" and "gains" are occupied, "losses" skipped (ground lost
 *    since the last map: data, not a fault, so not rejected); the
 *    snapshot's as_of is the newest feature "date" (every feature needs a
 *    valid YYYY-MM-DD one).
 *  - Boundaries: features with "shapeISO" (geoBoundaries ADM1, "UA-63") or
 *    "ADMIN_1" (Minregion oblasts, "Харківська область", "Місто Київ" or
 *    "м. Київ", "Автономна Республіка Крим"); each becomes a boundary
 *    record named as the source names it (shapeName or ADMIN_1). A
 *    feature naming no known oblast is rejected.
 * Maps take their publication time from the file name (see
 * fw_frontline_date_from_name) or, when it holds none, from the document's
 * top-level "name" (the DeepState union files carry
 * "deepstatemap_data_YYYYMMDD" there); boundaries need no date. Points and
 * lines are skipped in every shape; a feature without geometry is rejected.
 *
 * Each GeoJSON Polygon is checked with GEOS. An unclosed ring is closed
 * (sink->repair "ring not closed (ring N)"); an invalid polygon is repaired
 * with GEOS MakeValid (sink->repair "invalid polygon repaired: <GEOS
 * reason>"), and rejected if nothing polygonal is left. Every resulting
 * single Polygon becomes one polygon record; nothing is dropped silently.
 * Its area_km2 is the WGS84 ellipsoidal area (holes subtracted) within
 * 1e-4 of the exact geodesic area: planar in a Lambert azimuthal
 * equal-area projection centred on Ukraine, or, when the estimated
 * difference of the projected straight edges from geodesics exceeds that
 * (long edges, slivers), the exact geodesic area (docs/decisions/0003).
 *
 * The reader is reentrant: each call owns its GEOS and PROJ contexts.
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

/* The publication time encoded in the base name of path: the first run
 * of digits that reads "YYYYMMDDTHHMMSSZ" ("..._20220403T165926Z_...",
 * DeepState history), "YYYYMMDD" ("..._20240708...", exactly 8 digits, so
 * a unix time is not taken for one) or "YYYY-MM-DD" ("...2022-02-24...",
 * NZZ) and is a real calendar time. *t_unix_s is set on success only.
 * Errors: FW_EPARSE when the name holds no date. */
fw_err fw_frontline_date_from_name(const char *path, int64_t *t_unix_s);

/* Reads one GeoJSON document: buf[0..len) (borrowed, need not be
 * NUL-terminated). path is used for the snapshot's publication date and in
 * messages only (the buffer is already read). Emits, for a map,
 * sink->snapshot once then sink->polygon per polygon; for boundaries,
 * sink->boundary then its polygons, per feature; sink->progress (features
 * done, features in all) every 50 features and at the end. *kind_out (may
 * be NULL) receives the recognised shape (FW_GEOJSON_UNKNOWN if none) as
 * soon as the JSON is parsed, so it is set also when a feature then fails;
 * it is untouched when the input is not valid JSON.
 * d (may be NULL) is reset and its file set to path; JSON errors give a
 * line and column, geometry errors the 0-based feature index.
 * Errors: FW_EPARSE (invalid JSON, invalid UTF-8 or a NUL byte with its line
 * and column, "unexpected end of input" for a truncated file: see
 * fw_json_parse; a shape that is none of the above; a map whose file name and
 * "name" hold no date; a geometry that is malformed, a ring with fewer than 4
 * positions or a position that is not numbers, with the feature index),
 * FW_ERANGE (a coordinate that is not finite or outside [-180,180] x [-90,90],
 * with the feature index; a publication date more than a day after the
 * machine's clock, "in the future"; an NZZ feature "date" more than a day
 * after the publication date, with the feature index), FW_ELIMIT (nesting
 * deeper than 64, a document over 64 MiB; see json.h), FW_EGEOS,
 * FW_ENOMEM, FW_EUSAGE (no sink), or the error a sink callback returned.
 * Records sent before an error stay sent: the sink discards them (the store's
 * ingest rolls back). */
fw_err fw_frontline_read(const char *path, const char *buf, size_t len,
                         const struct fw_sink *sink,
                         enum fw_geojson_kind *kind_out, struct fw_diag *d);

#endif
