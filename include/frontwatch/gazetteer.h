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

/* GeoNames "cities500"-style TSV: 19 tab-separated columns, no header.
 * Rows of feature class P only; alternatenames split on ','; admin1 mapped
 * to the oblast ISO code (oblast.h). Rows with country other than UA are
 * rejected with a reason. Errors: FW_EPARSE (wrong column count, bad
 * number, invalid UTF-8), FW_ERANGE (latitude/longitude out of range or
 * not finite), each with the line in d; or what the sink returned. */
fw_err fw_gazetteer_read_geonames(const char *buf, size_t len,
                                  const struct fw_sink *sink,
                                  struct fw_diag *d);

/* KSE hromada centres with deoccupation data (kse_hromada_centers_
 * deoccupation.csv: hromada_center, hromada_center_code, oblast_name,
 * raion_name, hromada_name, lat_center, lon_center, total_population_2022,
 * ...), located by header names, so column order does not matter.
 * Errors as for GeoNames, plus FW_EPARSE when a required column is
 * missing from the header. */
fw_err fw_gazetteer_read_kse(const char *buf, size_t len,
                             const struct fw_sink *sink, struct fw_diag *d);

#endif
