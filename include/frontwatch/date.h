/*
 * date.h - calendar dates and UTC timestamps as seconds since 1970.
 *
 * Sources write time in several ways ("2022-03-15 16:10:34+00:00",
 * "2024-07-08", "20220403T165926Z" in file names). All become t_unix_s (UTC);
 * dates are the t_unix_s of their midnight UTC. Invalid calendar values
 * (2023-02-30, hour 24) are errors, never normalised.
 */
#ifndef FRONTWATCH_DATE_H
#define FRONTWATCH_DATE_H

#include <stdint.h>

#include "frontwatch/err.h"

#define FW_DAY_S 86400

/* Seconds since 1970-01-01 UTC of y-m-d h:mi:s; no range checks. */
int64_t fw_date_from_civil(int y, int m, int d, int h, int mi, int s);

/* Parses "YYYY-MM-DD" exactly. Errors: FW_EPARSE (shape), FW_ERANGE
 * (no such day). *t_unix_s is set on success only. */
fw_err fw_date_parse_day(const char *s, int64_t *t_unix_s);

/* Parses "YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|(+|-)HH[:MM]]" into UTC
 * seconds (fractions dropped). A missing offset means UTC. Errors as above. */
fw_err fw_date_parse_timestamp(const char *s, int64_t *t_unix_s);

/* Writes "YYYY-MM-DD" of t_unix_s (UTC) into buf[11]. */
void fw_date_format_day(int64_t t_unix_s, char buf[11]);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" into buf[21]. */
void fw_date_format_iso(int64_t t_unix_s, char buf[21]);

/* Midnight UTC of the day containing t_unix_s. */
int64_t fw_date_floor_day(int64_t t_unix_s);

/* Europe/Kyiv's offset from UTC at t_unix_s, in seconds: +3 h from 01:00
 * UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October, +2 h otherwise (the EU rule Ukraine has kept since 1996; the
 * 2011 and 2024 laws to drop summer time never came into force). Not
 * valid before 1996. */
int fw_date_kyiv_offset_s(int64_t t_unix_s);

/* The Kyiv calendar date at t_unix_s, as the midnight UTC of that date
 * (what "today" means to a user in Ukraine). */
int64_t fw_date_kyiv_day(int64_t t_unix_s);

#endif
