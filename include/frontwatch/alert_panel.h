/*
 * alert_panel.h - the hourly panel of air-raid alerts per region: at each
 * hour start T, what was known of the alerts (the features) and whether an
 * alert followed (the targets). The alert outlook (outlook.h) is fitted on
 * it, back-tested on it and forecast from it.
 *
 * Data flow: store (alert table) -> history (merged intervals per region)
 * -> panel (features and targets per region and hour) -> outlook models.
 *
 * Regions. The 23 oblasts and Kyiv City: Luhansk oblast and Crimea (and
 * Sevastopol) are left out, their sirens being permanent and absent from
 * the data (../shared/data/alerts/SOURCE_README.md). Alerts of every source
 * and level (oblast, raion, hromada) count for their oblast. An oblast's
 * alerts are merged into intervals where they overlap (a later alert that
 * starts strictly before the running end joins it; one that starts exactly
 * when another ends does not, so that "under alert at T" never depends on
 * an alert that starts at T).
 *
 * Target at hour start T for horizon H: 1 when the region is under alert
 * at T or an alert starts in [T, T + H); that is, when its merged
 * intervals meet [T, T + H). Unknown (-1) unless the record covers
 * [T, T + H]: live at T (below), no day without an alert start anywhere
 * in between, and going on past T + H. The record is judged on all
 * regions together: a store that holds one oblast's alerts of some month
 * (the alerts.in.ua excerpts) makes the others look quiet then.
 *
 * Features at T use only the alerts that started before T, each cut at T
 * (an alert running at T is known to be running, not when it will end),
 * and look back at most FW_PANEL_LOOKBACK_H hours: times since an event
 * are capped there, so a panel built over a year and one built for a
 * single hour from the alerts of the last month agree exactly. Local time
 * is Europe/Kyiv (date.h, daylight saving included).
 */
#ifndef FRONTWATCH_ALERT_PANEL_H
#define FRONTWATCH_ALERT_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/store.h"

#define FW_PANEL_N_REGIONS 24
#define FW_PANEL_N_HORIZONS 2
#define FW_PANEL_LOOKBACK_H 720
/* The record is live at T when some alert, of any region, started in the
 * FW_PANEL_FRESH_H hours before T (the longest quiet spell of the whole
 * country in 2022-2023 was 14 h): otherwise the data has stopped, and
 * silence would read as calm. */
#define FW_PANEL_FRESH_H 24

/* The horizons in hours: 6, 24 (index h of y[h]). */
extern const int FW_PANEL_HORIZON_H[FW_PANEL_N_HORIZONS];

/* The features, in column order (names: fw_panel_feature_name). */
enum fw_panel_feature {
    FW_PF_H_SINCE_END,    /* hours since the last alert ended (<= 720) */
    FW_PF_H_SINCE_START,  /* hours since the last alert started (<= 720) */
    FW_PF_LAST_DURATION_H,/* length of the last ended alert; NaN if none
                             ended in the look-back */
    FW_PF_STARTS_1H,      /* alerts started in [T - w, T), w = 1 h ... */
    FW_PF_STARTS_3H,
    FW_PF_STARTS_6H,
    FW_PF_STARTS_12H,
    FW_PF_STARTS_24H,
    FW_PF_STARTS_72H,
    FW_PF_STARTS_168H,
    FW_PF_ALERT_H_24H,    /* hours under alert in [T - 24 h, T) */
    FW_PF_ALERT_H_7D,
    FW_PF_ALERT_H_30D,
    FW_PF_REGIONS_NOW,    /* other regions under alert at T */
    FW_PF_REGIONS_STARTED_1H, /* regions with an alert started in the
                                 last hour */
    FW_PF_REGIONS_STARTED_3H,
    FW_PF_NEIGHBOURS_NOW, /* share of neighbouring regions under alert */
    FW_PF_NEIGHBOURS_STARTS_3H, /* alerts started among the neighbours */
    FW_PF_NEIGHBOURS_STARTS_24H,
    FW_PF_HOUR_LOCAL,     /* 0..23, Kyiv time */
    FW_PF_HOUR_SIN,       /* the hour on a circle, for linear models */
    FW_PF_HOUR_COS,
    FW_PF_DOW_LOCAL,      /* 0 = Monday .. 6 = Sunday, Kyiv time */
    FW_PF_N
};

/* "h_since_end", ... (static). */
const char *fw_panel_feature_name(int f);

/* The i-th region's ISO 3166-2 code (i < FW_PANEL_N_REGIONS), static. */
const char *fw_panel_region_iso(size_t i);

/* The index of the region with this ISO code, -1 when it is not one of
 * the regions (UA-09 Luhansk, UA-43 Crimea, UA-40 Sevastopol, unknown). */
int fw_panel_region_index(const char *iso);

/* Neighbours: adj[i * FW_PANEL_N_REGIONS + j] != 0 when regions i and j
 * share a boundary (geo.h: fw_geo_oblast_neighbours). */
typedef uint8_t fw_panel_adjacency[FW_PANEL_N_REGIONS * FW_PANEL_N_REGIONS];

/* Each region's merged alert intervals. */
typedef struct fw_alert_history fw_alert_history;

/* Loads the alerts of the store that start before hi_s and end after
 * lo_s - FW_PANEL_LOOKBACK_H hours (all of them: lo_s = INT64_MIN,
 * hi_s = INT64_MAX), merged per region as above. An alert still running
 * when it was read (is_open) lasts to the newest time the store has seen,
 * at most 7 days past its reading. *out freed by fw_alert_history_free.
 * Errors: FW_ESQL, FW_ENOMEM. */
fw_err fw_alert_history_load(fw_store *st, int64_t lo_s, int64_t hi_s,
                             fw_alert_history **out, struct fw_diag *d);

void fw_alert_history_free(fw_alert_history *h);

/* The newest alert start of any region, INT64_MIN when there is none:
 * the data's end, for targets and freshness. */
int64_t fw_alert_history_end_s(const fw_alert_history *h);

/* The oldest alert start, INT64_MIN when there is none. */
int64_t fw_alert_history_start_s(const fw_alert_history *h);

/* Adds an interval [start_s, end_s) to region r, as if it came from the
 * store (tests; fixtures of edge cases). Intervals are merged again when
 * the panel is built. Errors: FW_EUSAGE (r out of range, end < start),
 * FW_ENOMEM. */
fw_err fw_alert_history_add(fw_alert_history *h, size_t r, int64_t start_s,
                            int64_t end_s);

/* A new empty history (tests). NULL on ENOMEM. */
fw_alert_history *fw_alert_history_new(void);

/* The panel: rows for the hours t0_s + k h, k < n_hours, and within each
 * hour the regions in order: row = k * FW_PANEL_N_REGIONS + region. */
struct fw_alert_panel {
    int64_t t0_s;        /* first hour start (a whole UTC hour) */
    size_t n_hours;
    size_t n_rows;       /* n_hours * FW_PANEL_N_REGIONS */
    float *x;            /* n_rows * FW_PF_N features, NAN = missing */
    int8_t *y[FW_PANEL_N_HORIZONS]; /* targets: 1, 0, or -1 unknown */
    uint8_t *is_now;     /* under alert at T */
    uint8_t *is_fresh;   /* per hour k: the record was live at its start
                            (FW_PANEL_FRESH_H); rows of other hours have
                            no outlook */
    int64_t data_end_s;  /* fw_alert_history_end_s of the history */
};

/* Builds the panel for every whole hour T with from_s <= T < to_s (from_s
 * rounded up to the hour) from history h (borrowed; its intervals are
 * sorted and merged in place on first use, so one history must not be
 * built from by two threads at once) and the neighbours
 * adj (borrowed; NULL: no region has neighbours). The caller's *out is
 * overwritten; release it with fw_alert_panel_reset. Errors: FW_EUSAGE
 * (to_s <= from_s, more than 10 years of hours), FW_ENOMEM. */
fw_err fw_alert_panel_build(fw_alert_history *h,
                            const fw_panel_adjacency adj, int64_t from_s,
                            int64_t to_s, struct fw_alert_panel *out,
                            struct fw_diag *d);

void fw_alert_panel_reset(struct fw_alert_panel *p);

/* The row's hour start and region. */
int64_t fw_alert_panel_t(const struct fw_alert_panel *p, size_t row);
size_t fw_alert_panel_region(size_t row);

#endif
