/*
 * gazetteer.h - readers of place lists: GeoNames cities500 and the KSE
 * hromada centres.
 *
 * GeoNames covers the front-line oblasts thinly (69 rows for Kharkiv
 * oblast); the KSE hromada centres (1,469, even coverage, Ukrainian names)
 * complete it. Both emit struct fw_place_rec to the sink; the store merges
 * a KSE centre into the GeoNames place of the same name nearby.
 */
#ifndef FRONTWATCH_GAZETTEER_H
#define FRONTWATCH_GAZETTEER_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"

/* Both readers take the whole file in buf[0..len) (borrowed; need not be
 * NUL-terminated; see io.h), accept LF or CRLF line ends and a leading
 * UTF-8 BOM, and report every record to sink (borrowed, not NULL; NULL
 * callbacks drop what they would receive). d may be NULL. The sink has
 * already received the rows before the failing one when an error is
 * returned; d names the line and, where it helps, the byte column. */

/* GeoNames "cities500"-style TSV: 19 tab-separated columns, no header, no
 * quoting; blank lines are skipped.
 *
 * Each row is checked first (column count, numeric geonameid, latitude,
 * longitude, population), then filtered: feature class other than P,
 * country other than UA, or an empty name go to sink->reject with the line
 * and a reason; every other row becomes a record with source "geonames",
 * source_id the geonameid, kind the feature code, oblast_iso from admin1
 * (oblast.h; NULL when unknown, the row is still accepted), raion and
 * hromada NULL. alt_names are the non-empty comma-separated alternatenames
 * plus the asciiname, without duplicates and without the main name (NULL
 * when none are left). population is -1 when empty or 0 (GeoNames writes
 * 0 for "unknown"). sink->progress is called every 1000 lines and at the
 * end.
 *
 * Errors: FW_EPARSE (invalid UTF-8 or a NUL byte, at its line and column;
 * not exactly 19 fields, at the line; a field that is not a number, at its
 * line and column), FW_ERANGE (latitude outside [-90, 90], longitude
 * outside [-180, 180], NaN or infinite; negative or overflowing
 * population; at the field's line and column), FW_ELIMIT (a line of 1 MiB
 * or more), FW_ENOMEM, or what a sink callback returned. */
fw_err fw_gazetteer_read_geonames(const char *buf, size_t len,
                                  const struct fw_sink *sink,
                                  struct fw_diag *d);

/* KSE hromada centres (kse_hromada_centers_deoccupation.csv, and the same
 * columns of kse_hromada_centers_geography.csv), an RFC 4180 CSV read with
 * fw_csv_parse. Columns are located by header name, so their order does
 * not matter:
 *   required  hromada_center (name), hromada_center_code (source_id),
 *             oblast_name (Ukrainian adjective, "Харківська"; oblast_iso is
 *             NULL when oblast.h does not know it), lat_center, lon_center;
 *   optional  raion_name (raion), hromada_name or hromada (hromada),
 *             total_population_2022 (population: the whole hromada's, not
 *             the centre's; -1 when absent, empty or 0), hromada_type or
 *             type_1 (kind: "міська", "селищна", "сільська").
 * Records have source "kse" and no alt_names. A row with an empty name or
 * code goes to sink->reject. sink->progress is called every 1000 rows and
 * at the end.
 *
 * Errors: FW_EPARSE (empty input or no header; a required column missing,
 * at the header's line, naming the column; a row whose field count differs
 * from the header's, at the row's line; malformed CSV as in csv.h), number
 * errors as for GeoNames (at the field's line and column), FW_ELIMIT (caps
 * in csv.h), FW_ENOMEM, or what a sink callback returned. */
fw_err fw_gazetteer_read_kse(const char *buf, size_t len,
                             const struct fw_sink *sink, struct fw_diag *d);

#endif
