/*
 * backtest.h - rolling-origin back-test of the occupation models.
 *
 * Test periods are calendar quarters (the first and last cut to the
 * requested range). For each horizon H and quarter [a, b), every model is
 * fitted on the rows whose label was resolved by a (dataset.h:
 * origin + H + 14 days <= a), the last FW_BACKTEST_HOLDOUT_DAYS of those
 * origins held out to calibrate it, and scored on the rows with an origin
 * in [a, b) whose horizon ends by the end of the range. No test row is ever
 * scored by a model that saw its label or anything after its origin. A
 * quarter is scored only when every model could be fitted (at least
 * FW_BACKTEST_MIN_POSITIVES positives among the fitting rows), so that all
 * models are compared on the same rows.
 */
#ifndef FRONTWATCH_BACKTEST_H
#define FRONTWATCH_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/bootstrap.h"
#include "frontwatch/dataset.h"
#include "frontwatch/err.h"
#include "frontwatch/metrics.h"
#include "frontwatch/model.h"

#define FW_BACKTEST_HOLDOUT_DAYS 182
#define FW_BACKTEST_MIN_POSITIVES 10
#define FW_BACKTEST_MAX_PERIODS 64

/* The features the models use (1) or leave out (0), chosen by the rolling
 * back-test over all years (docs/FORECAST.md). */
extern const unsigned char FW_BACKTEST_FEATURES[FW_N_FEATURES];
/* Those features, and the monotone constraints of the trees. */
extern const struct fw_model_spec FW_BACKTEST_SPEC;

/* The rule that chooses the model a forecast uses (issue 11): a candidate
 * is shipped only if it beats the calibrated distance-only model
 * (logit_dist) on Brier skill AND on average precision, over all scored
 * quarters AND over the final window, at both horizons, each difference's
 * 90 % interval from a bootstrap over places (bootstrap.h) lying above 0
 * (an interval that straddles 0 is a tie). Among several winners the one
 * with the highest mean Brier skill wins; with none, logit_dist is
 * shipped. Candidates: logit_full, xgboost, blend, stack. */
#define FW_BACKTEST_BASELINE FW_MODEL_LOGIT_DIST

/* The windows every candidate is compared in. */
enum { FW_BT_ALL = 0, FW_BT_FINAL = 1, FW_BT_N_WINDOWS = 2 };

struct fw_backtest_period {
    int64_t from_s, to_s;  /* [from, to) origins */
    char label[16];        /* "2023Q1" */
    int scored;            /* every model fitted */
    size_t n, n_pos;
    double brier[FW_MODEL_N_KINDS];
};

struct fw_backtest_horizon {
    int days;
    struct fw_metrics all[FW_MODEL_N_KINDS];   /* every scored row */
    struct fw_metrics final[FW_MODEL_N_KINDS]; /* origins >= final_from_s */
    struct fw_backtest_period periods[FW_BACKTEST_MAX_PERIODS];
    size_t n_periods;
    /* each model against the baseline over all quarters and the final
     * window (clusters: places); the baseline's own entry is empty */
    struct fw_boot_diff vs_base[FW_BT_N_WINDOWS][FW_MODEL_N_KINDS];
    /* the scored rows: dataset row index and each model's probability */
    size_t *row;
    double *p[FW_MODEL_N_KINDS];
    size_t n_rows;
};

struct fw_backtest {
    int64_t from_s, to_s, final_from_s;
    struct fw_backtest_horizon h[FW_N_HORIZONS];
    double seconds;        /* fitting and scoring time */
    enum fw_model_kind chosen; /* by the rule above */
    char chosen_why[512];  /* the rule's verdict in words */
};

typedef void (*fw_backtest_progress_fn)(void *arg, int horizon_days,
                                        const char *period, size_t done,
                                        size_t total);

/* Runs the back-test over ds (labels needed) for test origins in
 * [from_s, to_s - H] per horizon; final_from_s starts the "final" window
 * (the last 12 months, say). *out is the caller's, freed with
 * fw_backtest_free. Errors: FW_EUSAGE (bad range), FW_ENOMEM, FW_EIO
 * (xgboost). */
fw_err fw_backtest_run(const struct fw_dataset *ds, int64_t from_s,
                       int64_t to_s, int64_t final_from_s,
                       fw_backtest_progress_fn progress, void *arg,
                       struct fw_backtest *out, struct fw_diag *d);

/* The same with other model settings than FW_BACKTEST_SPEC (spec
 * borrowed), for choosing them: bench/tune_forecast.c. */
fw_err fw_backtest_run_spec(const struct fw_dataset *ds,
                            const struct fw_model_spec *spec, int64_t from_s,
                            int64_t to_s, int64_t final_from_s,
                            fw_backtest_progress_fn progress, void *arg,
                            struct fw_backtest *out, struct fw_diag *d);

void fw_backtest_free(struct fw_backtest *bt);

/* Applies the rule above to bt's comparisons (h[].vs_base): sets
 * bt->chosen and bt->chosen_why. fw_backtest_run calls it. */
void fw_backtest_choose(struct fw_backtest *bt);

/* The training rule of the back-test, for one model at time t: fitted on
 * the rows of ds resolved by t for horizon index h, the last
 * FW_BACKTEST_HOLDOUT_DAYS of them calibrating it. *n_rows, *n_pos (may
 * be NULL) receive the training size. Errors: as fw_model_fit. */
fw_err fw_backtest_fit(const struct fw_dataset *ds, int h, int64_t t,
                       enum fw_model_kind kind, fw_model **out,
                       size_t *n_rows, size_t *n_pos, struct fw_diag *d);

#endif
