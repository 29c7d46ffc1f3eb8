/*
 * assess.h - the answer for one place on one date: control status per
 * source, distance to the occupied area and its trend, contested area
 * nearby, the distance to the state border, air-raid alert load against
 * its own recent history, strikes near the place and attack waves aimed
 * at its oblast, people leaving (IOM's displaced people in the oblast, the
 * front-line monitoring's newest visit of the place), and the age of every
 * input.
 *
 * Data flow: store + geo -> assess -> outputs (text for people, JSON for
 * programs; the schema is documented in docs/CLI.md).
 */
#ifndef FRONTWATCH_ASSESS_H
#define FRONTWATCH_ASSESS_H

#include <stdint.h>
#include <stdio.h>

#include "frontwatch/displacement.h"
#include "frontwatch/err.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/incidents.h"
#include "frontwatch/outlook.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

/* A map source is stale when its newest snapshot is older than this at
 * the assessed date (maps are weekly); alerts when older than 2 days. */
#define FW_ASSESS_MAP_STALE_DAYS 10
#define FW_ASSESS_ALERT_STALE_DAYS 2

/* Strikes near the place (incidents.h): those within this geodesic
 * distance. An event source (each incident table, the missile table)
 * counts in a window only when its records reach back to the window's
 * start and its newest record at the date is at most
 * FW_ASSESS_STRIKE_STALE_DAYS days older than the date (the missile table
 * has gaps of up to 14 days, Bellingcat's export of up to 10 in
 * 2023-24); otherwise its count is unknown, not 0. The CIR table's strikes
 * end in 2022-11, Bellingcat's in 2024-05, the missile table starts in
 * 2022-09: each window counts the sources that cover it. */
#define FW_ASSESS_STRIKE_RADIUS_KM 25.0
#define FW_ASSESS_STRIKE_STALE_DAYS 14

/* Parts held as unconfirmed (mapcheck.h) listed per source, the largest;
 * the rest are counted. */
#define FW_ASSESS_MAX_SET_ASIDE 4

/*
 * A data warning: a source's distance changed by FW_ASSESS_JUMP_KM or more
 * in a week (both maps as seen at the date; such a change puts the place
 * at least that far from the occupied area on one of the two maps), and
 * the other source (NZZ against DeepState and back), on a map showing a
 * state at most FW_ASSESS_JUMP_LAG_DAYS older, is nearer to the old
 * distance than to the new one, its unconfirmed parts counted (a pocket
 * it draws but holds is a pocket it shows). Such a jump is a data problem,
 * not news: the headline then comes from a source without a warning.
 * Measured on every place and day of the real maps 2022-2025
 * (docs/decisions/0006), 30 km warns of NZZ's glitch of 2023-12-11 (2,664
 * places, up to 170 km), NZZ's lone part at the Chernihiv-Bryansk border
 * from 2024-12-09 (363 places, up to 273 km), border areas one source
 * alone marks occupied (2024-11, 2024-12, 2025-03: 2 to 210 places, 36 to
 * 78 km) and NZZ against DeepState's first maps in April 2022 (149
 * places, up to 52 km); the real moves of Kharkiv 2022-09, Kherson 2022-11
 * and Vovchansk 2024-05 are shown by the other source within its lag.
 * 20 km would add two disagreements of 23-27 km in 2022.
 */
#define FW_ASSESS_JUMP_KM 30.0
#define FW_ASSESS_JUMP_LAG_DAYS 3

struct fw_source_assessment {
    char source[24];
    int has_data;             /* a snapshot at or before the date exists */
    struct fw_snapshot_info snap;
    struct fw_control now;
    double distance_7d_ago_km;  /* NAN when no snapshot then */
    double distance_28d_ago_km; /* NAN when no snapshot then */
    int64_t newest_s;         /* newest snapshot published at/before date */
    int is_stale;
    /* parts of the map held as unconfirmed: how many, and the largest */
    size_t n_set_aside;
    struct fw_set_aside set_aside[FW_ASSESS_MAX_SET_ASIDE];
    double drawn_distance_km; /* to the map as drawn, unconfirmed parts
                                 included */
    /* another source's map, published after this one, draws what this
     * one holds back (its distance is nearer the drawn distance than the
     * one used): that source, "" if none; the headline then comes from it,
     * as a second map confirms the parts */
    char set_aside_shown_by[24];
    /* a data warning (above) on this source's week-on-week change */
    int has_data_warning;
    char warning_other[24];    /* the source that does not show it */
    double warning_other_km;   /* that source's drawn distance */
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

/* The event sources of the strike indicators: the incident tables (in
 * enum fw_incident_source order), then the missile table. */
#define FW_ASSESS_N_STRIKE_SOURCES (FW_INCIDENTS_N_SOURCES + 1)

struct fw_strike_source {
    char name[24];    /* "bellingcat", "cir", "missile_attacks_daily" */
    int has_data;     /* a record at or before the date */
    int64_t oldest_s; /* its oldest record, when has_data */
    int64_t newest_s; /* its newest record at or before the date */
    int is_stale;     /* newest_s's day more than
                         FW_ASSESS_STRIKE_STALE_DAYS before the date */
};

struct fw_strike_load {
    /* strikes within FW_ASSESS_STRIKE_RADIUS_KM in [at-7d, at) and
     * [at-30d, at), from the incident sources that cover each window (a
     * strike both record counted once, incidents.h); NAN when none does */
    double n_7d;
    double n_30d;
    unsigned sources_30d; /* which sources n_30d counts: bits 1u << enum
                             fw_incident_source */
    /* the baseline: strikes in [at-120d, at-30d) from the sources that
     * cover all 120 days, and ratio, the strikes of [at-30d, at) from
     * those same sources against n_prev90d / 3; NAN when no source covers
     * the 120 days, ratio NAN too when n_prev90d is 0 */
    double n_prev90d;
    double ratio;
    /* attack waves of the missile table aimed at the place's oblast (or a
     * city in it: n_waves_oblast of fw_events_oblast_counts) in [at-30d,
     * at); NAN when the table does not cover the window or the place has
     * no oblast */
    double waves_oblast_30d;
    struct fw_strike_source sources[FW_ASSESS_N_STRIKE_SOURCES];
};

/* Why the strike sources [first, first + n) of sl leave a window unknown
 * (the CLI's and the place page's words come from it). */
enum fw_strikes_gap {
    FW_STRIKES_GAP_NO_DATA, /* none has a record up to the date */
    FW_STRIKES_GAP_ENDED,   /* all are stale: the newest record's day is
                               *day_s */
    FW_STRIKES_GAP_STARTS   /* else: the window starts before the oldest
                               record of a fresh one, on *day_s */
};

enum fw_strikes_gap fw_assess_strikes_gap(const struct fw_strike_load *sl,
                                          int first, int n, int64_t *day_s);

struct fw_assessment {
    struct fw_place place;
    int64_t date_s;           /* midnight UTC of the assessed day */
    int64_t at_s;             /* end of that day: data up to here is used */
    int has_status;           /* some source covers the date */
    enum fw_status status;    /* from the snapshot of any source that shows
                                 the newest state, passing over sources
                                 with a data warning when another has
                                 none */
    char status_source[24];
    double distance_km;       /* same source; NAN without data */
    double distance_change_7d_km;  /* now minus 7 days ago; <0 = closer */
    double distance_change_28d_km;
    double contested_km2_25km; /* DeepState full maps; NAN without */
    /* The nearest state border (border.h): whose, "RU" ("" without border
     * data; the data has no outline of Belarus, so it is always Russia's),
     * and the geodesic distance to it, NAN without. */
    char border_country[3];
    double distance_to_border_km;
    struct fw_source_assessment sources[FW_GEO_N_SOURCES];
    struct fw_alert_load alerts;
    /* Probabilities, set by the caller after fw_assess (borrowed; NULL:
     * none): the model file's metadata, and the place's forecast. */
    const struct fw_forecast_meta *model;
    const struct fw_place_forecast *forecast;
    /* The air-raid alert outlook of the place's oblast, set by the caller
     * (borrowed; NULL: no alert model): fw_outlook_at. */
    const struct fw_outlook *outlook;
    /* Strikes near the place and attack waves aimed at its oblast. */
    struct fw_strike_load strikes;
    /* People leaving (displacement.h): only rounds reported and visits
     * made at or before at_s. */
    struct fw_displacement displacement;
};

/* Assesses place on the day date_s (midnight UTC; data published up to
 * the end of that day is used). Errors: FW_ESQL, FW_EGEOS, FW_EPROJ,
 * FW_ENOMEM. A place no source covers is not an error: has_status is 0;
 * nor is a store without a state border: border_country is "". */
fw_err fw_assess(fw_store *st, fw_geo *g, const struct fw_place *place,
                 int64_t date_s, struct fw_assessment *out,
                 struct fw_diag *d);

/* A span of time [start_s, end_s), Unix seconds. */
struct fw_interval {
    int64_t start_s, end_s;
};

/* The air-raid alerts of the oblast (any source and level: oblast, raion,
 * hromada) that overlap [lo_s, hi_s), merged so that overlaps count once,
 * sorted, into *out (n_out entries, caller frees with free(); NULL when
 * none). An alert still running when it was read lasts to hi_s, at most
 * FW_ASSESS_ALERT_STALE_DAYS after its reading. The alert hours of assess
 * and of the history come from here. Errors: FW_ESQL, FW_ENOMEM. */
fw_err fw_assess_alert_intervals(fw_store *st, const char *oblast_iso,
                                 int64_t lo_s, int64_t hi_s,
                                 struct fw_interval **out, size_t *n_out,
                                 struct fw_diag *d);

/* Seconds of [lo_s, hi_s) covered by the n sorted, merged intervals iv. */
double fw_assess_covered_s(const struct fw_interval *iv, size_t n,
                           int64_t lo_s, int64_t hi_s);

/* The answer in plain words, then the indicators. */
void fw_assess_write_text(const struct fw_assessment *a, FILE *f);

/* One JSON object (docs/CLI.md), newline-terminated. */
void fw_assess_write_json(const struct fw_assessment *a, FILE *f);

#endif
