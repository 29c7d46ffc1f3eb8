/*
 * assess.h - the answer for one place on one date: control status per
 * source, distance to the occupied area and its trend, contested area
 * nearby, air-raid alert load against its own recent history, and the age
 * of every input.
 *
 * Data flow: store + geo -> assess -> outputs (text for people, JSON for
 * programs; the schema is documented in docs/CLI.md).
 */
#ifndef FRONTWATCH_ASSESS_H
#define FRONTWATCH_ASSESS_H

#include <stdint.h>
#include <stdio.h>

#include "frontwatch/err.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

/* A map source is stale when its newest snapshot is older than this at
 * the assessed date (maps are weekly); alerts when older than 2 days. */
#define FW_ASSESS_MAP_STALE_DAYS 10
#define FW_ASSESS_ALERT_STALE_DAYS 2

struct fw_source_assessment {
    char source[24];
    int has_data;             /* a snapshot at or before the date exists */
    struct fw_snapshot_info snap;
    struct fw_control now;
    double distance_7d_ago_km;  /* NAN when no snapshot then */
    double distance_28d_ago_km; /* NAN when no snapshot then */
    int64_t newest_s;         /* newest snapshot published at/before date */
    int is_stale;
};

struct fw_alert_load {
    int has_data;             /* the oblast has alerts at/before the date
                                 and the data is not stale: only then are
                                 the hours below meaningful */
    double hours_7d;          /* under alert in [date-7d, date) */
    double hours_30d;         /* [date-30d, date) */
    double hours_prev90d;     /* [date-120d, date-30d), the baseline */
    int64_t newest_s;         /* newest alert start at/before date */
    int is_stale;
};

struct fw_assessment {
    struct fw_place place;
    int64_t date_s;           /* midnight UTC of the assessed day */
    int64_t at_s;             /* end of that day: data up to here is used */
    int has_status;           /* some source covers the date */
    enum fw_status status;    /* from the newest snapshot of any source */
    char status_source[24];
    double distance_km;       /* same source; NAN without data */
    double distance_change_7d_km;  /* now minus 7 days ago; <0 = closer */
    double distance_change_28d_km;
    double contested_km2_25km; /* DeepState full maps; NAN without */
    struct fw_source_assessment sources[FW_GEO_N_SOURCES];
    struct fw_alert_load alerts;
    /* Probabilities, set by the caller after fw_assess (borrowed; NULL:
     * none): the model file's metadata, and the place's forecast. */
    const struct fw_forecast_meta *model;
    const struct fw_place_forecast *forecast;
};

/* Assesses place on the day date_s (midnight UTC; data published up to
 * the end of that day is used). Errors: FW_ESQL, FW_EGEOS, FW_EPROJ,
 * FW_ENOMEM. A place no source covers is not an error: has_status is 0. */
fw_err fw_assess(fw_store *st, fw_geo *g, const struct fw_place *place,
                 int64_t date_s, struct fw_assessment *out,
                 struct fw_diag *d);

/* The answer in plain words, then the indicators. */
void fw_assess_write_text(const struct fw_assessment *a, FILE *f);

/* One JSON object (docs/CLI.md), newline-terminated. */
void fw_assess_write_json(const struct fw_assessment *a, FILE *f);

#endif
