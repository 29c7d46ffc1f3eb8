/*
 * dataset.h - forecasting samples: for each place, map series and origin
 * day, the features known at that origin and whether the place came under
 * occupation within each horizon (../shared/DESIGN.md, "Forecasting
 * protocol").
 *
 * A series is one map source: DeepState's full maps or NZZ/liveuamap. Its
 * labels and its front-line features come from its own maps only, so each
 * source is scored on its own terms; the model learns from both (feature
 * "source_nzz" tells them apart).
 *
 * Origins. An origin t is an instant; only data published at or before t is
 * used for its features: the newest map of the series published by t (which
 * must be at most FW_DATASET_MAX_MAP_AGE_DAYS old, or the series does not
 * cover t and gives no sample), the maps in force 7 and 28 days earlier,
 * alerts and strikes before t (an incident is known from its day on: the
 * tables carry no publication date). A map that the store marks suspect (a
 * one-week glitch, found by comparing it with the following map) is passed
 * over only from the moment that following map is published: before that a
 * user would have seen it, and so do the features.
 *
 * Labels. A place not occupied on the origin's map (nor, when labels are
 * built, on the newest map published by t that is not a glitch: NZZ's
 * 2023-12-11 map shows 64,000 occupied km2 as free, and the places on it
 * were not about to come under occupation, they were under it) is
 * positive for horizon
 * H if a map of the series published in (t, t + H] shows it occupied
 * (occupied or occupied before 2022) and the series' next map shows it
 * occupied too (NZZ's one- and two-week flips are noise, not occupation).
 * Suspect maps are never used for labels. The label is unknown (-1) when the
 * series' maps end before t + H. A label is resolved - known to someone
 * living at that time - at fw_dataset_resolved_s(): t + H + 14 days (the
 * confirming map).
 *
 * Missing values are NAN: a feature the data does not cover (alerts end
 * 2023-12-31; strike waves start 2022-09-28; the incident tables, and so
 * strikes near the place, end 2024-05-29; NZZ maps no contested areas) is
 * missing, never zero.
 */
#ifndef FRONTWATCH_DATASET_H
#define FRONTWATCH_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/geo.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

#define FW_N_HORIZONS 2
extern const int FW_HORIZON_DAYS[FW_N_HORIZONS]; /* 30, 90 */

#define FW_N_SERIES 2
extern const char *const FW_SERIES[FW_N_SERIES]; /* "deepstate", "nzz" */

/* A series gives no sample at t when its newest map is older than this. */
#define FW_DATASET_MAX_MAP_AGE_DAYS 14
/* Time from t + H until a label is known (the confirming map). */
#define FW_DATASET_CONFIRM_DAYS 14

enum fw_feature {
    FW_F_LOG_DIST,          /* ln(1 + km to the occupied area) */
    FW_F_DIST_CHANGE_7D,    /* km now minus 7 days ago (< 0: closer) */
    FW_F_DIST_CHANGE_28D,   /* km now minus 28 days ago */
    FW_F_OCC_10KM,          /* ln(1 + occupied km2 within 10 km) */
    FW_F_OCC_25KM,          /* ln(1 + occupied km2 within 25 km) */
    FW_F_OCC_50KM,          /* ln(1 + occupied km2 within 50 km) */
    FW_F_OCC_50KM_CHANGE_28D, /* occupied km2 within 50 km, now minus
                                 28 days ago */
    FW_F_CONTESTED_25KM,    /* ln(1 + contested km2 within 25 km);
                               DeepState only */
    FW_F_ALERT_HOURS_7D,    /* oblast-wide alert hours in the last 7 days */
    FW_F_ALERT_RATIO,       /* ln((1 + those) / (1 + the 7-day average of
                               the 90 days before)) */
    FW_F_STRIKES_7D,        /* attack waves aimed at the oblast or its
                               air command region in the last 7 days */
    FW_F_STRIKE_RATIO,      /* ln((1 + those) / (1 + 7-day average of the
                               90 days before)) */
    FW_F_LOG_POP,           /* ln(1 + population); missing if unknown */
    FW_F_SEASON_SIN,        /* sin, cos of 2 pi day-of-year / 365.25 */
    FW_F_SEASON_COS,
    FW_F_SOURCE_NZZ,        /* 1 for NZZ / liveuamap, 0 for DeepState */
    FW_F_DIST_CHANGE_90D,   /* km now minus 90 days ago: how fast the
                               nearest stretch of front moves */
    FW_F_DIST_CHANGE_180D,  /* km now minus 180 days ago */
    FW_F_STILL_10KM,        /* days the occupied area within 10 km has not
                               changed (by 0.5 km2), read at the maps of
                               28, 90 and 180 days before: 0, 28, 90 or
                               180 (a lower bound); missing when the map
                               series is younger than the step needs */
    FW_F_STILL_25KM,        /* the same within 25 km */
    FW_F_BORDER_DIST,       /* ln(1 + km to the state border with Russia,
                               border.h); missing without a state border */
    FW_F_STRIKES_25KM_30D,  /* ln(1 + strikes within 25 km in the 30 days
                               before), assess's count (incidents.h);
                               missing where no incident table covers the
                               window (origins before 2022-03-19 and after
                               2024-06-13) */
    FW_F_STRIKES_25KM_RATIO, /* ln((1 + those) / (1 + the 30-day average of
                                the 90 days before)), from the tables that
                                cover all 120 days; missing where none does */
    FW_N_FEATURES
};

/* Short names ("log_dist", ...), static. */
extern const char *const FW_FEATURE_NAMES[FW_N_FEATURES];

struct fw_sample {
    int32_t place;            /* index into fw_dataset.places */
    uint8_t series;           /* index into FW_SERIES */
    int8_t y[FW_N_HORIZONS];  /* 1 occupied within H, 0 not, -1 unknown */
    int64_t origin_s;
    int64_t map_s;            /* publication time of the newest map used */
    double distance_km;       /* at the origin (also in the features) */
};

struct fw_dataset {
    struct fw_place *places;
    size_t n_places;
    struct fw_sample *s;      /* n samples */
    float *x;                 /* n * FW_N_FEATURES, row-major, NAN missing */
    size_t n, cap;
};

typedef void (*fw_dataset_progress_fn)(void *arg, const char *stage,
                                       size_t done, size_t total);

struct fw_dataset_opts {
    int64_t from_s, to_s;     /* origins from_s, from_s + step_s, ... <= to_s */
    int64_t step_s;           /* 0: one origin, from_s */
    const int64_t *place_ids; /* NULL: every place (not merged into another) */
    size_t n_place_ids;
    int with_labels;          /* 0: leave y at -1 and read fewer maps */
    const unsigned char *need; /* NULL: every feature; else the features
                                  of the place (FW_F_BORDER_DIST,
                                  FW_F_STRIKES_25KM_*: 0.3 s for every
                                  place of the store) only where need[f],
                                  NAN otherwise */
    fw_dataset_progress_fn progress; /* may be NULL */
    void *progress_arg;
};

/* Builds the samples of every series, place and origin of o into *out
 * (freed by fw_dataset_free, also after an error). Samples are ordered by
 * series, then origin, then place. Places occupied on the origin's map give
 * no sample. Errors: FW_EUSAGE (bad options), FW_ENOTFOUND (a place id that
 * does not exist), FW_ENOMEM, FW_ESQL, FW_EGEOS, FW_EPROJ. */
fw_err fw_dataset_build(fw_store *st, fw_geo *g,
                        const struct fw_dataset_opts *o,
                        struct fw_dataset *out, struct fw_diag *d);

void fw_dataset_free(struct fw_dataset *ds);

/* When the label of s for horizon h becomes known. */
int64_t fw_dataset_resolved_s(const struct fw_sample *s, int h);

#endif
