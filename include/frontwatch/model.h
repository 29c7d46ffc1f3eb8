/*
 * model.h - probability models of occupation within a horizon, fitted on
 * dataset rows (dataset.h), with calibration on held-out origins, and
 * their JSON form for the model file.
 *
 * Kinds:
 *   climatology   the base rate of the training rows, for every place;
 *   logit_dist    logistic regression on ln(1 + distance) alone: the
 *                 baseline a forecast must beat (liblinear, L2, C = 1);
 *   logit_full    logistic regression on every feature, standardised, a
 *                 missing value replaced by the training mean with a 0/1
 *                 "missing" indicator beside it (liblinear);
 *   xgboost       gradient-boosted trees (xgboost C API, binary:logistic,
 *                 hist; missing values handled natively);
 *   blend         the average of the calibrated probabilities of xgboost
 *                 and logit_dist (both fitted as above), recalibrated
 *                 (Platt) on the held-out rows;
 *   stack         logistic regression on the calibrated logits of xgboost
 *                 and logit_dist, fitted on the held-out rows (it is its
 *                 own calibration).
 *
 * Fitting. Negatives vastly outnumber positives (about 1,000 to 1), so
 * when there are more than FW_MODEL_NEG_PER_POS negatives per positive
 * among the fitting rows, each negative row is kept with probability
 * keep = FW_MODEL_NEG_PER_POS * positives / negatives (decided by a hash of
 * its row number, so the same rows give the same model) and the kept ones
 * weigh 1 / keep: the fit sees the same expected loss as on all rows. Rows flagged in `holdout` are not used to fit the
 * model; a logistic (Platt) calibration of its logit is fitted on them, all
 * of them, unweighted. Without holdout rows (or with no positive among
 * them) the model is used uncalibrated, and says so.
 */
#ifndef FRONTWATCH_MODEL_H
#define FRONTWATCH_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "frontwatch/err.h"

enum fw_model_kind {
    FW_MODEL_CLIMATOLOGY,
    FW_MODEL_LOGIT_DIST,
    FW_MODEL_LOGIT_FULL,
    FW_MODEL_XGBOOST,
    FW_MODEL_BLEND,
    FW_MODEL_STACK,
    FW_MODEL_N_KINDS
};

#define FW_MODEL_NEG_PER_POS 100.0

/* "climatology", "logit_dist", "logit_full", "xgboost", "blend", "stack"
 * (static). */
const char *fw_model_kind_name(enum fw_model_kind kind);

/* Parses a kind name; returns -1 when unknown. */
int fw_model_kind_parse(const char *name);

typedef struct fw_model fw_model;

/* What a fit may use: use[f] != 0 for the columns it may use (NULL: all;
 * logit_dist always uses column 0, the distance, alone); monotone[f] = -1
 * or +1 forces the trees' forecast to fall or rise with column f (NULL or
 * 0: free); xgb, when not NULL, overrides the trees' settings with
 * space-separated name=value pairs of xgboost parameters, "rounds=N" for
 * the number of rounds ("max_depth=3 eta=0.1 rounds=80"; for sweeps:
 * bench/tune_forecast.c). Borrowed. */
struct fw_model_spec {
    const unsigned char *use;
    const signed char *monotone;
    const char *xgb;
};

/* Fits a model of kind on rows i < n with x[i * n_features ...] (NAN =
 * missing) and y[i] in {0, 1}; rows with holdout[i] != 0 (holdout may be
 * NULL) calibrate it (above). spec (may be NULL) limits the columns; the
 * model remembers which it uses and ignores the others when it forecasts.
 * *out freed by fw_model_free. Errors: FW_EUSAGE (no rows, no positive or
 * no negative among the fitting rows; an xgb pair without '=' or a bad
 * rounds), FW_ENOMEM, FW_EIO (xgboost failed or refused a parameter; d
 * says why). */
fw_err fw_model_fit(enum fw_model_kind kind, const float *x, size_t n_features,
                    const struct fw_model_spec *spec, const int8_t *y,
                    const uint8_t *holdout, size_t n, fw_model **out,
                    struct fw_diag *d);

/* Probabilities for n rows of x (same features as the fit) into p[].
 * Errors: FW_ENOMEM, FW_EIO (xgboost). */
fw_err fw_model_predict(const fw_model *m, const float *x, size_t n,
                        double *p, struct fw_diag *d);

/* How much each feature moved row x's prediction away from the average
 * training row, on the log-odds scale before calibration, into
 * contrib[0 .. n_features - 1]: the SHAP values of the trees (xgboost's
 * pred_contribs), w * (x - mean) / sd plus the missing indicator's weight
 * for a logistic model, 0 for climatology. Errors: FW_EIO (xgboost). */
fw_err fw_model_contributions(const fw_model *m, const float *x,
                              double *contrib, struct fw_diag *d);

enum fw_model_kind fw_model_kind_of(const fw_model *m);
int fw_model_is_calibrated(const fw_model *m);
size_t fw_model_n_features(const fw_model *m);
/* Whether m reads column f (f < fw_model_n_features(m)). */
int fw_model_uses(const fw_model *m, size_t f);

/* The model as JSON (kind, parameters, calibration); NULL on ENOMEM or an
 * xgboost failure. Caller frees with cJSON_Delete. */
cJSON *fw_model_to_json(const fw_model *m, struct fw_diag *d);

/* The inverse of fw_model_to_json. Errors: FW_EPARSE (d names the member
 * that is missing or wrong), FW_ENOMEM, FW_EIO (xgboost). */
fw_err fw_model_from_json(const cJSON *j, fw_model **out, struct fw_diag *d);

void fw_model_free(fw_model *m);

#endif
