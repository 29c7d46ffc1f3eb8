/*
 * outlook_backtest.h - the back-test of the alert outlook (outlook.h) and
 * its report: every kind, both horizons, on
 *   - the rolling folds: the last three 30-day periods of the data (or of
 *     the period asked), each forecast by models trained on everything
 *     resolved before it (an expanding window), as the published peer
 *     (goodfrog33/air-raid-forecasting-ukraine) does; their forecasts are
 *     also scored pooled ("folds");
 *   - the split: trained on everything resolved before from_s, tested on
 *     [from_s, to_s) (a whole year: train to 2022-12-31, test 2023).
 * Scores per cell: ROC-AUC pooled and the mean of the per-region ROC-AUC,
 * PR-AUC (average precision), log loss, Brier and its skill against the
 * prior, the reliability table (metrics.h); and the ROC-AUC of the quiet
 * rows alone (not under alert at T), where the outlook is in doubt.
 */
#ifndef FRONTWATCH_OUTLOOK_BACKTEST_H
#define FRONTWATCH_OUTLOOK_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/alert_panel.h"
#include "frontwatch/err.h"
#include "frontwatch/metrics.h"
#include "frontwatch/outlook.h"

#define FW_OBT_N_FOLDS 3
#define FW_OBT_FOLD_DAYS 30
/* folds 0..2, the three pooled, the split */
#define FW_OBT_POOLED FW_OBT_N_FOLDS
#define FW_OBT_SPLIT (FW_OBT_N_FOLDS + 1)
#define FW_OBT_N_SETS (FW_OBT_N_FOLDS + 2)

/* The published peer's figures at 6 h (reports/final_report.md). */
#define FW_OBT_PEER_AUC_XGBOOST 0.9145
#define FW_OBT_PEER_AUC_PERSISTENCE 0.7822

struct fw_obt_cell {
    struct fw_metrics m;     /* n == 0: not scored */
    double log_loss;
    double auroc_region_mean; /* over regions with both outcomes */
    double auroc_quiet;       /* rows not under alert at T */
};

struct fw_obt_set {
    char name[16];            /* "fold 1" ... "folds", "split" */
    int64_t from_s, to_s;     /* test hours [from_s, to_s) */
    size_t n_train[FW_PANEL_N_HORIZONS]; /* training rows */
    struct fw_obt_cell c[FW_PANEL_N_HORIZONS][FW_OUTLOOK_N_KINDS];
};

struct fw_outlook_backtest {
    struct fw_obt_set set[FW_OBT_N_SETS];
    int64_t data_from_s, data_to_s; /* the panel's known hours */
    double seconds;                 /* wall time of the run */
};

/* progress(arg, set name, kind name) before each fit. */
typedef void (*fw_obt_progress_fn)(void *arg, const char *set,
                                   const char *kind);

/* Runs the back-test on panel p (borrowed) with neighbours adj (borrowed,
 * may be NULL): the split tests [from_s, to_s); the folds end where the
 * data's known 24-hour targets end, or at to_s if that is sooner. The
 * caller's *out is overwritten. Errors: FW_EUSAGE (to_s <= from_s; no
 * training row before a test period: d names it), FW_ENOMEM, FW_EIO
 * (xgboost). */
fw_err fw_outlook_backtest_run(const struct fw_alert_panel *p,
                               const fw_panel_adjacency adj, int64_t from_s,
                               int64_t to_s, fw_obt_progress_fn progress,
                               void *arg, struct fw_outlook_backtest *out,
                               struct fw_diag *d);

/* Writes report.md, report.json and reliability_6h.svg, reliability_24h.svg
 * (the pooled folds) into dir, creating it (one level) when missing; each
 * file through a temporary one renamed when whole. command (borrowed, may
 * be NULL) is recorded as the command that reproduces the report.
 * Errors: FW_EIO (d holds the path), FW_ENOMEM, the svg.h errors. */
fw_err fw_outlook_backtest_write(const struct fw_outlook_backtest *bt,
                                 const char *dir, const char *command,
                                 struct fw_diag *d);

#endif
