/*
 * shapefile.h - reader of country outlines in ESRI shapefiles, through
 * shapelib (Debian libshp-dev): Russia's outline from OpenStreetMap
 * (../shared/data/boundaries/osm_russia_incl_crimea.*), from which the
 * state border is derived (border.h).
 *
 * A shapefile is one source in several files: the geometry (.shp), its
 * index (.shx) and its attributes (.dbf), with the same base name (the
 * .prj and .cpg beside them are not read: coordinates must be WGS84
 * longitude and latitude, which the range check enforces, and the
 * attributes used are ASCII). The reader works on the three files in
 * memory, read by shapelib through its I/O hooks (SAHooks), so that it can
 * be tested and fuzzed alone; fw_shapefile_read_path finds and reads the
 * .shx and .dbf beside a .shp for the ingest. Files may be gzipped (io.h):
 * "x.shp.gz" finds "x.shx.gz" or "x.shx".
 *
 * Each record must be a polygon (shape types Polygon, PolygonZ, PolygonM;
 * Z and M are dropped) whose .dbf row names its country: a field ISO_A2
 * (Natural Earth), or an OpenStreetMap "address" field holding
 * "country_code"=>"ru" (a Nominatim export, as the Russia file). It
 * becomes one sink->country record (the code in upper case, the name from
 * a field "name" or "NAME" when it is UTF-8, else the code) and a sink->polygon per
 * polygon: rings wound clockwise are shells, counter-clockwise ones holes,
 * each hole in the smallest shell that holds it (a hole in none is taken
 * as a shell, sink->repair); an unclosed ring is closed (sink->repair);
 * a ring of fewer than four points is dropped (sink->repair); an invalid
 * polygon is repaired with GEOS MakeValid (sink->repair). area_km2 is the
 * exact geodesic area on WGS84 (PROJ geod_polygon), shell less holes; 0
 * (sink->repair) for a polygon whose edges span so many degrees that its
 * holes measure more than its shell on the ellipsoid. A record without
 * geometry (null shape) is rejected (sink->reject), not an error.
 *
 * Errors (FW_EPARSE, d's feature the 0-based record where one is at
 * fault, its message naming the file of the three that is wrong): not a
 * .shp (no file code 9994), a .shp shorter than its header says
 * (truncated), an .shx or .dbf that shapelib cannot open, an .shx placing
 * a record past the .shp's end (checked before any record is read, so no
 * buffer is sized by a length the file does not hold), a .dbf whose
 * record count differs from the .shp's (the .dbf of another shapefile),
 * not a polygon shapefile, a record shapelib cannot read, a record naming
 * no country; FW_ERANGE for a coordinate outside [-180, 180] x [-90, 90]
 * (a projected shapefile). shapelib's own messages are passed on in d,
 * never printed.
 *
 * The reader is reentrant: shapelib's hooks take no context, so the files
 * being read are found through thread-local storage, one read per thread
 * at a time; GEOS and PROJ contexts are per call.
 */
#ifndef FRONTWATCH_SHAPEFILE_H
#define FRONTWATCH_SHAPEFILE_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"

/* The three files of one shapefile in memory (all borrowed). name is the
 * shapefile's base name ("osm_russia_incl_crimea"), used in messages. */
struct fw_shapefile {
    const char *name;
    const void *shp;
    size_t shp_len;
    const void *shx;
    size_t shx_len;
    const void *dbf;
    size_t dbf_len;
};

/* Whether buf[0 .. len) (borrowed) starts as a shapefile's .shp with at
 * least one record: file code 9994, version 1000, then record number 1.
 * Its .shx has the same header but an offset (50) where the record number
 * is, so it is not one: the ingest skips the .shx and the .dbf, which come
 * with their .shp. */
int fw_shapefile_is_shp(const void *buf, size_t len);

/* Reads the country outlines of f into sink (see above). Errors: as above,
 * FW_EGEOS, FW_ENOMEM, or a sink callback's error unchanged. */
fw_err fw_shapefile_read(const struct fw_shapefile *f,
                         const struct fw_sink *sink, struct fw_diag *d);

/* The paths of the .shx and .dbf beside shp_path (a name ending in .shp or
 * .shp.gz, any case), into shx[cap] and dbf[cap]: for each, the first of
 * base.ext, base.ext.gz, base.EXT, base.EXT.gz that exists. Errors:
 * FW_EPARSE when shp_path does not end in .shp(.gz), or names the file
 * missing; FW_ELIMIT when a path does not fit cap. */
fw_err fw_shapefile_parts(const char *shp_path, char *shx, char *dbf,
                          size_t cap, struct fw_diag *d);

/* The sha256 of the shapefile whose .shp is shp_path: of the raw bytes of
 * its .shp, .shx and .dbf one after the other (fw_io_sha256_files), so
 * that a change in any of the three makes it a new source for the ingest.
 * hex is set on success only. Errors: as fw_shapefile_parts, FW_EIO. */
fw_err fw_shapefile_sha256(const char *shp_path, char hex[65],
                           struct fw_diag *d);

/* Reads the shapefile whose .shp is shp_path and already in memory
 * (shp[0 .. shp_len), borrowed): its .shx and .dbf are read from beside it
 * (fw_shapefile_parts, fw_io_read_file), then fw_shapefile_read. Errors:
 * those two functions' and fw_io_read_file's. */
fw_err fw_shapefile_read_path(const char *shp_path, const void *shp,
                              size_t shp_len, const struct fw_sink *sink,
                              struct fw_diag *d);

#endif
