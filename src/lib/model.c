/*
 * model.c - climatology, logistic regression (liblinear), boosted trees
 * (xgboost) and their Platt calibration (see model.h).
 */
#include "frontwatch/model.h"

#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

/* One thread for fitting and forecasting: OpenMP's idle workers spin
 * while they wait for the next parallel loop, and on a busy 2-core
 * machine that spinning made one `risk` take 11 s instead of 1.7 s (and,
 * measured for issue 11, `train` 177 s instead of 64 s). A second thread
 * saved 5 % of an idle `train`, whose time goes to the samples; forecasts
 * are a few thousand rows, microseconds. docs/BENCHMARKS.md. */
#define XGB_THREADS 1
#define STR_(x) #x
#define STR(x) STR_(x)
/* Boosted trees: shallow trees, slow learning rate, a fixed seed. Chosen
 * by the rolling back-test over all years (docs/FORECAST.md). */
#define XGB_ROUNDS 150
static const char *const XGB_PARAMS[][2] = {
    {"objective", "binary:logistic"},
    {"tree_method", "hist"},
    {"max_depth", "2"},
    {"eta", "0.05"},
    {"min_child_weight", "5"},
    {"subsample", "0.8"},
    {"lambda", "1"},
    {"seed", "1"},
    {"nthread", STR(XGB_THREADS)},
    {"verbosity", "0"},
};
/* Logistic regression: L2 with C = 1 on standardised features. */
#define LOGIT_C 1.0
/* Platt calibration: effectively unregularised. */
#define PLATT_C 1e4
#define P_CLIP 1e-6

struct linear {
    size_t n_cols;      /* input columns used */
    int *col;           /* their indices in x */
    double *mean, *sd;  /* standardisation (training rows) */
    int *has_ind;       /* a missing indicator follows the column */
    double *w, *w_ind;  /* weights of the standardised value, indicator */
    double bias;
};

struct fw_model {
    enum fw_model_kind kind;
    size_t n_features;
    double rate;        /* climatology */
    double neg_keep;    /* share of negative rows fitted (model.h) */
    struct linear lin;  /* logit_* */
    BoosterHandle xgb;  /* xgboost */
    unsigned char *use; /* n_features flags: column used */
    int uses_all;
    int calibrated;
    double cal_a, cal_b; /* p = sigmoid(a * logit(raw) + b) */
    fw_model *part[2];   /* blend, stack: xgboost and logit_dist */
    double comb[3];      /* stack: sigmoid(c0 + c1 logit p0 + c2 logit p1) */
};

/* Composite kinds are made of a model of each of these. */
static const enum fw_model_kind PART_KINDS[2] = {FW_MODEL_XGBOOST,
                                                 FW_MODEL_LOGIT_DIST};

static int is_composite(enum fw_model_kind k)
{
    return k == FW_MODEL_BLEND || k == FW_MODEL_STACK;
}

static const char *const KIND_NAMES[FW_MODEL_N_KINDS] = {
    "climatology", "logit_dist", "logit_full", "xgboost", "blend", "stack"};

const char *fw_model_kind_name(enum fw_model_kind kind)
{
    return (unsigned)kind < FW_MODEL_N_KINDS ? KIND_NAMES[kind] : "?";
}

int fw_model_kind_parse(const char *name)
{
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        if (strcmp(name, KIND_NAMES[k]) == 0) {
            return k;
        }
    }
    return -1;
}

enum fw_model_kind fw_model_kind_of(const fw_model *m) { return m->kind; }
int fw_model_is_calibrated(const fw_model *m) { return m->calibrated; }
size_t fw_model_n_features(const fw_model *m) { return m->n_features; }

int fw_model_uses(const fw_model *m, size_t f)
{
    return f < m->n_features && m->use[f] != 0;
}

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

static double logit(double p)
{
    p = p < P_CLIP ? P_CLIP : p > 1 - P_CLIP ? 1 - P_CLIP : p;
    return log(p / (1 - p));
}

/* Deterministic keep decision for negative row i at rate keep. */
static int keep_negative(size_t i, double keep)
{
    uint64_t z = (uint64_t)i + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53 < keep;
}

static void linear_free(struct linear *l)
{
    free(l->col);
    free(l->mean);
    free(l->sd);
    free(l->has_ind);
    free(l->w);
    free(l->w_ind);
    memset(l, 0, sizeof *l);
}

void fw_model_free(fw_model *m)
{
    if (m == NULL) {
        return;
    }
    linear_free(&m->lin);
    fw_model_free(m->part[0]);
    fw_model_free(m->part[1]);
    free(m->use);
    if (m->xgb != NULL) {
        XGBoosterFree(m->xgb);
    }
    free(m);
}

static void quiet(const char *s) { (void)s; }

static int linear_alloc(struct linear *l, size_t n_cols)
{
    l->n_cols = n_cols;
    l->col = calloc(n_cols, sizeof *l->col);
    l->mean = calloc(n_cols, sizeof *l->mean);
    l->sd = calloc(n_cols, sizeof *l->sd);
    l->has_ind = calloc(n_cols, sizeof *l->has_ind);
    l->w = calloc(n_cols, sizeof *l->w);
    l->w_ind = calloc(n_cols, sizeof *l->w_ind);
    return l->col && l->mean && l->sd && l->has_ind && l->w && l->w_ind;
}

/* The liblinear row of x for l: standardised values (missing: 0, the
 * mean), then the indicators, index 1-based; then the bias node (index
 * n_dims + 1, value 1: liblinear does not add it itself) and the
 * terminator -1. out holds n_dims + 2 nodes. Returns the nodes written
 * before the terminator. */
static size_t linear_row(const struct linear *l, const float *x,
                         struct feature_node *out)
{
    size_t k = 0;
    int idx = 1;
    for (size_t c = 0; c < l->n_cols; c++) {
        double v = x[l->col[c]];
        int miss = isnan(v);
        double z = miss ? 0.0 : (v - l->mean[c]) / l->sd[c];
        if (z != 0.0) {
            out[k].index = idx;
            out[k++].value = z;
        }
        idx++;
        if (l->has_ind[c]) {
            if (miss) {
                out[k].index = idx;
                out[k++].value = 1.0;
            }
            idx++;
        }
    }
    out[k].index = idx;
    out[k++].value = 1.0;
    out[k].index = -1;
    return k;
}

static double linear_predict(const struct linear *l, const float *x)
{
    double z = l->bias;
    for (size_t c = 0; c < l->n_cols; c++) {
        double v = x[l->col[c]];
        if (isnan(v)) {
            z += l->has_ind[c] ? l->w_ind[c] : 0.0;
        } else {
            z += l->w[c] * (v - l->mean[c]) / l->sd[c];
        }
    }
    return sigmoid(z);
}

/* Runs liblinear's L2 logistic regression on job's rows (each ending with
 * the bias node, index n_dims + 1), class weight neg_w for y = -1. On
 * success, w[0 .. n_dims - 1] and *bias give P(y = 1) = sigmoid(w.x + b). */
struct lr_job {
    size_t n_rows, n_dims;
    struct feature_node **rows; /* each terminated by index -1 */
    double *y;                  /* +1 / -1 */
    double C, neg_w;
};

static fw_err run_liblinear(const struct lr_job *job, double *w, double *bias,
                            struct fw_diag *d)
{
    set_print_string_function(quiet);
    struct problem prob = {.l = (int)job->n_rows,
                           .n = (int)job->n_dims + 1,
                           .y = job->y,
                           .x = job->rows,
                           .bias = 1.0};
    int wl[1] = {-1};
    double wv[1] = {job->neg_w};
    struct parameter par = {.solver_type = L2R_LR,
                            .eps = 0.001,
                            .C = job->C,
                            .nr_weight = 1,
                            .weight_label = wl,
                            .weight = wv,
                            .p = 0.1,
                            .init_sol = NULL};
    const char *why = check_parameter(&prob, &par);
    if (why != NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "liblinear: %s", why);
    }
    struct model *lm = train(&prob, &par);
    if (lm == NULL) {
        return FW_ENOMEM;
    }
    int labels[2];
    get_labels(lm, labels);
    double sign = labels[0] == 1 ? 1.0 : -1.0;
    for (size_t i = 0; i < job->n_dims; i++) {
        w[i] = sign * get_decfun_coef(lm, (int)i + 1, 0);
    }
    *bias = sign * get_decfun_bias(lm, 0);
    free_and_destroy_model(&lm);
    return FW_OK;
}

/* Fitting rows: positives, and negatives that keep_negative() keeps. */
static int fit_row(const fw_model *m, const int8_t *y, const uint8_t *holdout,
                   size_t i)
{
    return (holdout == NULL || !holdout[i]) &&
           (y[i] == 1 || m->neg_keep >= 1.0 || keep_negative(i, m->neg_keep));
}

static fw_err fit_linear(fw_model *m, const float *x, const int8_t *y,
                         const uint8_t *holdout, size_t n,
                         struct fw_diag *d)
{
    size_t nf = m->n_features;
    size_t n_cols = 0;
    for (size_t f = 0; f < nf; f++) {
        n_cols += m->use[f] != 0;
    }
    struct linear *l = &m->lin;
    if (!linear_alloc(l, n_cols)) {
        return FW_ENOMEM;
    }
    for (size_t f = 0, c = 0; f < nf; f++) {
        if (m->use[f]) {
            l->col[c++] = (int)f;
        }
    }
    size_t n_fit = 0;
    for (size_t i = 0; i < n; i++) {
        n_fit += fit_row(m, y, holdout, i);
    }
    /* standardisation over the fitting rows (unweighted) */
    for (size_t c = 0; c < n_cols; c++) {
        double s = 0, s2 = 0;
        size_t k = 0, miss = 0;
        for (size_t i = 0; i < n; i++) {
            if (!fit_row(m, y, holdout, i)) {
                continue;
            }
            double v = x[i * nf + (size_t)l->col[c]];
            if (isnan(v)) {
                miss++;
                continue;
            }
            s += v;
            s2 += v * v;
            k++;
        }
        l->mean[c] = k ? s / (double)k : 0.0;
        double var = k ? s2 / (double)k - l->mean[c] * l->mean[c] : 0.0;
        l->sd[c] = var > 1e-12 ? sqrt(var) : 1.0;
        l->has_ind[c] = miss > 0;
    }
    size_t n_dims = 0;
    for (size_t c = 0; c < n_cols; c++) {
        n_dims += 1 + (size_t)l->has_ind[c];
    }
    struct lr_job job = {.n_rows = n_fit,
                         .n_dims = n_dims,
                         .C = LOGIT_C,
                         .neg_w = 1.0 / m->neg_keep};
    job.rows = malloc(n_fit * sizeof *job.rows);
    job.y = malloc(n_fit * sizeof *job.y);
    struct feature_node *nodes = malloc(n_fit * (n_dims + 2) * sizeof *nodes);
    double *w = malloc(n_dims * sizeof *w);
    fw_err err = job.rows && job.y && nodes && w ? FW_OK : FW_ENOMEM;
    size_t r = 0;
    for (size_t i = 0; err == FW_OK && i < n; i++) {
        if (!fit_row(m, y, holdout, i)) {
            continue;
        }
        job.rows[r] = nodes + r * (n_dims + 2);
        linear_row(l, x + i * nf, job.rows[r]);
        job.y[r] = y[i] == 1 ? 1.0 : -1.0;
        r++;
    }
    double bias = 0;
    if (err == FW_OK) {
        err = run_liblinear(&job, w, &bias, d);
    }
    if (err == FW_OK) {
        size_t k = 0;
        for (size_t c = 0; c < n_cols; c++) {
            l->w[c] = w[k++];
            if (l->has_ind[c]) {
                l->w_ind[c] = w[k++];
            }
        }
        l->bias = bias;
    }
    free(job.rows);
    free(job.y);
    free(nodes);
    free(w);
    return err;
}

static fw_err xgb_fail(struct fw_diag *d, const char *what)
{
    return fw_diag_set(d, FW_EIO, 0, 0, "xgboost: %s: %s", what,
                       XGBGetLastError());
}

/* Applies spec's "name=value ..." overrides; *rounds gets "rounds". */
static fw_err xgb_overrides(BoosterHandle b, const char *spec, int *rounds,
                            struct fw_diag *d)
{
    char buf[512];
    if (strlen(spec) >= sizeof buf) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "xgboost settings too long");
    }
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL || eq == tok) {
            return fw_diag_set(d, FW_EUSAGE, 0, 0,
                               "xgboost setting '%s': expected name=value",
                               tok);
        }
        *eq = '\0';
        if (strcmp(tok, "rounds") == 0) {
            char *end = NULL;
            long r = strtol(eq + 1, &end, 10);
            if (*end != '\0' || r < 1 || r > 100000) {
                return fw_diag_set(d, FW_EUSAGE, 0, 0,
                                   "rounds=%s: expected 1..100000", eq + 1);
            }
            *rounds = (int)r;
        } else if (XGBoosterSetParam(b, tok, eq + 1) != 0) {
            return xgb_fail(d, "bad setting");
        }
    }
    return FW_OK;
}

static fw_err fit_xgb(fw_model *m, const float *x, const int8_t *y,
                      const uint8_t *holdout, size_t n,
                      const struct fw_model_spec *spec, struct fw_diag *d)
{
    const signed char *monotone = spec ? spec->monotone : NULL;
    size_t nf = m->n_features, n_fit = 0;
    for (size_t i = 0; i < n; i++) {
        n_fit += fit_row(m, y, holdout, i);
    }
    float *fx = malloc(n_fit * nf * sizeof *fx);
    float *fy = malloc(n_fit * sizeof *fy), *fw = malloc(n_fit * sizeof *fw);
    if (fx == NULL || fy == NULL || fw == NULL) {
        free(fx);
        free(fy);
        free(fw);
        return FW_ENOMEM;
    }
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (fit_row(m, y, holdout, i)) {
            for (size_t f = 0; f < nf; f++) {
                fx[r * nf + f] = m->use[f] ? x[i * nf + f] : NAN;
            }
            fy[r] = (float)(y[i] == 1);
            fw[r] = y[i] == 1 ? 1.0f : (float)(1.0 / m->neg_keep);
            r++;
        }
    }
    DMatrixHandle dm = NULL;
    fw_err err = FW_OK;
    if (XGDMatrixCreateFromMat_omp(fx, n_fit, nf, NAN, &dm, XGB_THREADS) != 0 ||
        XGDMatrixSetFloatInfo(dm, "label", fy, n_fit) != 0 ||
        XGDMatrixSetFloatInfo(dm, "weight", fw, n_fit) != 0 ||
        XGBoosterCreate(&dm, 1, &m->xgb) != 0) {
        err = xgb_fail(d, "cannot set up training");
    }
    for (size_t k = 0; err == FW_OK && k < sizeof XGB_PARAMS / sizeof *XGB_PARAMS;
         k++) {
        if (XGBoosterSetParam(m->xgb, XGB_PARAMS[k][0], XGB_PARAMS[k][1]) != 0) {
            err = xgb_fail(d, "bad parameter");
        }
    }
    if (err == FW_OK && monotone != NULL) {
        char mc[4 * 256 + 4] = "(";
        size_t len = 1;
        for (size_t f = 0; f < nf && len + 4 < sizeof mc; f++) {
            len += (size_t)snprintf(mc + len, sizeof mc - len, "%s%d",
                                    f ? "," : "", monotone[f]);
        }
        snprintf(mc + len, sizeof mc - len, ")");
        if (XGBoosterSetParam(m->xgb, "monotone_constraints", mc) != 0) {
            err = xgb_fail(d, "bad monotone constraints");
        }
    }
    int rounds = XGB_ROUNDS;
    if (err == FW_OK && spec != NULL && spec->xgb != NULL) {
        err = xgb_overrides(m->xgb, spec->xgb, &rounds, d);
    }
    for (int it = 0; err == FW_OK && it < rounds; it++) {
        if (XGBoosterUpdateOneIter(m->xgb, it, dm) != 0) {
            err = xgb_fail(d, "training failed");
        }
    }
    if (dm != NULL) {
        XGDMatrixFree(dm);
    }
    free(fx);
    free(fy);
    free(fw);
    return err;
}

/* x with the columns m does not use set missing: x itself when it uses
 * all, else a copy in *owned (freed by the caller). NULL on ENOMEM. */
static const float *masked(const fw_model *m, const float *x, size_t n,
                           float **owned)
{
    *owned = NULL;
    if (m->uses_all) {
        return x;
    }
    size_t nf = m->n_features;
    float *c = malloc(n * nf * sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t f = 0; f < nf; f++) {
            c[i * nf + f] = m->use[f] ? x[i * nf + f] : NAN;
        }
    }
    *owned = c;
    return c;
}

/* A composite's raw probabilities from its parts' calibrated ones. */
static fw_err predict_composite(const fw_model *m, const float *x, size_t n,
                                double *p, struct fw_diag *d)
{
    double *q = malloc((n ? n : 1) * sizeof *q);
    if (q == NULL) {
        return FW_ENOMEM;
    }
    fw_err err = fw_model_predict(m->part[0], x, n, p, d);
    if (err == FW_OK) {
        err = fw_model_predict(m->part[1], x, n, q, d);
    }
    for (size_t i = 0; err == FW_OK && i < n; i++) {
        p[i] = m->kind == FW_MODEL_BLEND
                   ? 0.5 * (p[i] + q[i])
                   : sigmoid(m->comb[0] + m->comb[1] * logit(p[i]) +
                             m->comb[2] * logit(q[i]));
    }
    free(q);
    return err;
}

/* Raw (uncalibrated) probabilities. */
static fw_err predict_raw(const fw_model *m, const float *x, size_t n,
                          double *p, struct fw_diag *d)
{
    switch (m->kind) {
    case FW_MODEL_CLIMATOLOGY:
        for (size_t i = 0; i < n; i++) {
            p[i] = m->rate;
        }
        return FW_OK;
    case FW_MODEL_LOGIT_DIST:
    case FW_MODEL_LOGIT_FULL:
        for (size_t i = 0; i < n; i++) {
            p[i] = linear_predict(&m->lin, x + i * m->n_features);
        }
        return FW_OK;
    case FW_MODEL_XGBOOST: {
        DMatrixHandle dm = NULL;
        bst_ulong len = 0;
        const float *out = NULL;
        float *owned = NULL;
        const float *xm = masked(m, x, n, &owned);
        if (xm == NULL) {
            return FW_ENOMEM;
        }
        int bad = XGDMatrixCreateFromMat_omp(xm, n, m->n_features, NAN, &dm,
                                             XGB_THREADS);
        free(owned);
        if (bad != 0) {
            return xgb_fail(d, "cannot make a matrix");
        }
        fw_err err = FW_OK;
        if (XGBoosterPredict(m->xgb, dm, 0, 0, 0, &len, &out) != 0 ||
            len != n) {
            err = xgb_fail(d, "prediction failed");
        }
        for (size_t i = 0; err == FW_OK && i < n; i++) {
            p[i] = out[i];
        }
        XGDMatrixFree(dm);
        return err;
    }
    case FW_MODEL_BLEND:
    case FW_MODEL_STACK:
        return predict_composite(m, x, n, p, d);
    default:
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "unknown model kind");
    }
}

/* The held-out rows when there is something to fit on them (a positive
 * and a negative among them), else 0. */
static size_t holdout_rows(const int8_t *y, const uint8_t *holdout, size_t n)
{
    size_t n_h = 0, pos = 0;
    for (size_t i = 0; holdout != NULL && i < n; i++) {
        if (holdout[i]) {
            n_h++;
            pos += y[i] == 1;
        }
    }
    return pos == 0 || pos == n_h ? 0 : n_h;
}

/* Logistic regression, effectively unregularised, of y on the logits of
 * the k probability columns p[0 .. k-1], over the n_h held-out rows
 * (holdout_rows): P(y = 1) = sigmoid(w . logit(p) + *b). */
static fw_err fit_on_holdout(const double *const *p, size_t k,
                             const int8_t *y, const uint8_t *holdout,
                             size_t n, size_t n_h, double *w, double *b,
                             struct fw_diag *d)
{
    size_t width = k + 2; /* the columns, the bias node, the terminator */
    struct lr_job job = {.n_rows = n_h, .n_dims = k, .C = PLATT_C,
                         .neg_w = 1.0};
    job.rows = malloc(n_h * sizeof *job.rows);
    job.y = malloc(n_h * sizeof *job.y);
    struct feature_node *nodes = malloc(n_h * width * sizeof *nodes);
    fw_err err = job.rows && job.y && nodes ? FW_OK : FW_ENOMEM;
    size_t r = 0;
    for (size_t i = 0; err == FW_OK && i < n; i++) {
        if (holdout[i]) {
            struct feature_node *row = nodes + width * r;
            for (size_t c = 0; c < k; c++) {
                row[c].index = (int)c + 1;
                row[c].value = logit(p[c][i]);
            }
            row[k].index = (int)k + 1;
            row[k].value = 1.0;
            row[k + 1].index = -1;
            job.rows[r] = row;
            job.y[r] = y[i] == 1 ? 1.0 : -1.0;
            r++;
        }
    }
    if (err == FW_OK) {
        err = run_liblinear(&job, w, b, d);
    }
    free(job.rows);
    free(job.y);
    free(nodes);
    return err;
}

static fw_err calibrate(fw_model *m, const float *x, const int8_t *y,
                        const uint8_t *holdout, size_t n, struct fw_diag *d)
{
    size_t n_h = holdout_rows(y, holdout, n);
    if (n_h == 0) {
        return FW_OK; /* nothing to calibrate on: used as fitted */
    }
    double *p = malloc(n * sizeof *p);
    if (p == NULL) {
        return FW_ENOMEM;
    }
    const double *cols[1] = {p};
    double a = 1, b = 0;
    fw_err err = predict_raw(m, x, n, p, d);
    if (err == FW_OK &&
        (err = fit_on_holdout(cols, 1, y, holdout, n, n_h, &a, &b, d)) ==
            FW_OK) {
        m->cal_a = a;
        m->cal_b = b;
        m->calibrated = 1;
    }
    free(p);
    return err;
}

/* Fits a composite's parts, and a stack's combiner on the held-out rows
 * (without any, or without a positive among them, the parts' logits are
 * averaged). */
static fw_err fit_composite(fw_model *m, const float *x, const int8_t *y,
                            const uint8_t *holdout, size_t n,
                            const struct fw_model_spec *spec,
                            struct fw_diag *d)
{
    for (int k = 0; k < 2; k++) {
        fw_err err = fw_model_fit(PART_KINDS[k], x, m->n_features, spec, y,
                                  holdout, n, &m->part[k], d);
        if (err != FW_OK) {
            return err;
        }
    }
    m->comb[0] = 0;
    m->comb[1] = m->comb[2] = 0.5;
    if (m->kind != FW_MODEL_STACK) {
        return FW_OK;
    }
    size_t n_h = holdout_rows(y, holdout, n);
    if (n_h == 0) {
        return FW_OK;
    }
    double *p0 = malloc(n * sizeof *p0), *p1 = malloc(n * sizeof *p1);
    const double *cols[2] = {p0, p1};
    double w[2], b = 0;
    fw_err err = p0 && p1 ? FW_OK : FW_ENOMEM;
    if (err == FW_OK) {
        err = fw_model_predict(m->part[0], x, n, p0, d);
    }
    if (err == FW_OK) {
        err = fw_model_predict(m->part[1], x, n, p1, d);
    }
    if (err == FW_OK &&
        (err = fit_on_holdout(cols, 2, y, holdout, n, n_h, w, &b, d)) ==
            FW_OK) {
        m->comb[0] = b;
        m->comb[1] = w[0];
        m->comb[2] = w[1];
    }
    free(p0);
    free(p1);
    return err;
}

/* Sets m->use from use (NULL: all; logit_dist: the distance alone). */
static int set_use(fw_model *m, const unsigned char *use)
{
    m->use = calloc(m->n_features, 1);
    if (m->use == NULL) {
        return 0;
    }
    m->uses_all = 1;
    for (size_t f = 0; f < m->n_features; f++) {
        m->use[f] = m->kind == FW_MODEL_LOGIT_DIST ? f == 0
                    : use == NULL                ? 1
                                                 : use[f] != 0;
        m->uses_all &= m->use[f];
    }
    return 1;
}

fw_err fw_model_fit(enum fw_model_kind kind, const float *x, size_t n_features,
                    const struct fw_model_spec *spec, const int8_t *y,
                    const uint8_t *holdout, size_t n, fw_model **out,
                    struct fw_diag *d)
{
    *out = NULL;
    if ((unsigned)kind >= FW_MODEL_N_KINDS || x == NULL || y == NULL ||
        n_features == 0 || n == 0) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "nothing to fit");
    }
    size_t pos = 0, neg = 0, all_pos = 0;
    for (size_t i = 0; i < n; i++) {
        all_pos += y[i] == 1;
        if (holdout == NULL || !holdout[i]) {
            pos += y[i] == 1;
            neg += y[i] != 1;
        }
    }
    if (pos == 0 || neg == 0) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "the training rows hold %zu positives and %zu "
                           "negatives: a model needs both",
                           pos, neg);
    }
    fw_model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        return FW_ENOMEM;
    }
    m->kind = kind;
    m->n_features = n_features;
    m->cal_a = 1;
    m->neg_keep = (double)neg <= FW_MODEL_NEG_PER_POS * (double)pos
                      ? 1.0
                      : FW_MODEL_NEG_PER_POS * (double)pos / (double)neg;
    if (!set_use(m, spec ? spec->use : NULL)) {
        fw_model_free(m);
        return FW_ENOMEM;
    }
    fw_err err = FW_OK;
    switch (kind) {
    case FW_MODEL_CLIMATOLOGY:
        m->rate = (double)all_pos / (double)n;
        break;
    case FW_MODEL_LOGIT_DIST:
    case FW_MODEL_LOGIT_FULL:
        err = fit_linear(m, x, y, holdout, n, d);
        break;
    case FW_MODEL_BLEND:
    case FW_MODEL_STACK:
        err = fit_composite(m, x, y, holdout, n, spec, d);
        break;
    default:
        err = fit_xgb(m, x, y, holdout, n, spec, d);
        break;
    }
    if (err == FW_OK && kind != FW_MODEL_CLIMATOLOGY &&
        kind != FW_MODEL_STACK) {
        err = calibrate(m, x, y, holdout, n, d);
    }
    if (err != FW_OK) {
        fw_model_free(m);
        return err;
    }
    *out = m;
    return FW_OK;
}

fw_err fw_model_predict(const fw_model *m, const float *x, size_t n,
                        double *p, struct fw_diag *d)
{
    fw_err err = predict_raw(m, x, n, p, d);
    if (err == FW_OK && m->calibrated) {
        for (size_t i = 0; i < n; i++) {
            p[i] = sigmoid(m->cal_a * logit(p[i]) + m->cal_b);
        }
    }
    return err;
}

/* A composite's contributions: each part's, on its calibrated log-odds
 * (times its Platt slope), weighed by how much the part moves the
 * composite's log-odds at x (the combiner's weight for a stack; for a
 * blend, the derivative of the logit of the average at x), times the
 * blend's own Platt slope. */
static fw_err composite_contributions(const fw_model *m, const float *x,
                                      double *contrib, struct fw_diag *d)
{
    size_t nf = m->n_features;
    double c[2][256], p[2];
    if (nf > 256) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "too many features");
    }
    for (int k = 0; k < 2; k++) {
        fw_err err = fw_model_contributions(m->part[k], x, c[k], d);
        if (err == FW_OK) {
            err = fw_model_predict(m->part[k], x, 1, &p[k], d);
        }
        if (err != FW_OK) {
            return err;
        }
    }
    double g[2];
    if (m->kind == FW_MODEL_STACK) {
        g[0] = m->comb[1];
        g[1] = m->comb[2];
    } else {
        double avg = 0.5 * (p[0] + p[1]), v = avg * (1 - avg);
        for (int k = 0; k < 2; k++) {
            g[k] = v > 0 ? m->cal_a * 0.5 * p[k] * (1 - p[k]) / v : 0;
        }
    }
    for (size_t f = 0; f < nf; f++) {
        contrib[f] = g[0] * m->part[0]->cal_a * c[0][f] +
                     g[1] * m->part[1]->cal_a * c[1][f];
    }
    return FW_OK;
}

fw_err fw_model_contributions(const fw_model *m, const float *x,
                              double *contrib, struct fw_diag *d)
{
    size_t nf = m->n_features;
    for (size_t f = 0; f < nf; f++) {
        contrib[f] = 0;
    }
    if (is_composite(m->kind)) {
        return composite_contributions(m, x, contrib, d);
    }
    if (m->kind == FW_MODEL_LOGIT_DIST || m->kind == FW_MODEL_LOGIT_FULL) {
        const struct linear *l = &m->lin;
        for (size_t c = 0; c < l->n_cols; c++) {
            double v = x[l->col[c]];
            contrib[l->col[c]] =
                isnan(v) ? (l->has_ind[c] ? l->w_ind[c] : 0.0)
                         : l->w[c] * (v - l->mean[c]) / l->sd[c];
        }
    } else if (m->kind == FW_MODEL_XGBOOST) {
        DMatrixHandle dm = NULL;
        bst_ulong len = 0;
        const float *out = NULL;
        float *owned = NULL;
        const float *xm = masked(m, x, 1, &owned);
        if (xm == NULL) {
            return FW_ENOMEM;
        }
        int bad = XGDMatrixCreateFromMat_omp(xm, 1, nf, NAN, &dm, XGB_THREADS);
        free(owned);
        if (bad != 0) {
            return xgb_fail(d, "cannot make a matrix");
        }
        fw_err err = FW_OK;
        if (XGBoosterPredict(m->xgb, dm, 4 /* contributions */, 0, 0, &len,
                             &out) != 0 ||
            len != nf + 1) {
            err = xgb_fail(d, "contributions failed");
        }
        for (size_t f = 0; err == FW_OK && f < nf; f++) {
            contrib[f] = out[f];
        }
        XGDMatrixFree(dm);
        return err;
    }
    return FW_OK;
}

/* ---- JSON ---- */

static cJSON *num_array(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a != NULL && i < n; i++) {
        cJSON *x = cJSON_CreateNumber(v[i]);
        if (x == NULL || !cJSON_AddItemToArray(a, x)) {
            cJSON_Delete(x);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

cJSON *fw_model_to_json(const fw_model *m, struct fw_diag *d)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL) {
        return NULL;
    }
    int ok = cJSON_AddStringToObject(j, "kind", KIND_NAMES[m->kind]) &&
             cJSON_AddNumberToObject(j, "n_features", (double)m->n_features);
    double *u = malloc(m->n_features * sizeof *u);
    ok = ok && u != NULL;
    for (size_t f = 0; ok && f < m->n_features; f++) {
        u[f] = m->use[f];
    }
    ok = ok && cJSON_AddItemToObject(j, "uses", num_array(u, m->n_features));
    free(u);
    if (ok && m->calibrated) {
        cJSON *c = cJSON_AddObjectToObject(j, "platt");
        ok = c && cJSON_AddNumberToObject(c, "a", m->cal_a) &&
             cJSON_AddNumberToObject(c, "b", m->cal_b);
    } else if (ok) {
        ok = cJSON_AddNullToObject(j, "platt") != NULL;
    }
    if (ok && m->kind == FW_MODEL_CLIMATOLOGY) {
        ok = cJSON_AddNumberToObject(j, "rate", m->rate) != NULL;
    }
    if (ok && (m->kind == FW_MODEL_LOGIT_DIST ||
               m->kind == FW_MODEL_LOGIT_FULL)) {
        const struct linear *l = &m->lin;
        size_t nc = l->n_cols;
        double *cols = malloc((nc ? nc : 1) * sizeof *cols);
        double *ind = malloc((nc ? nc : 1) * sizeof *ind);
        cJSON *o = cJSON_AddObjectToObject(j, "linear");
        ok = cols && ind && o;
        for (size_t c = 0; ok && c < nc; c++) {
            cols[c] = l->col[c];
            ind[c] = l->has_ind[c];
        }
        ok = ok && cJSON_AddItemToObject(o, "columns", num_array(cols, nc)) &&
             cJSON_AddItemToObject(o, "mean", num_array(l->mean, nc)) &&
             cJSON_AddItemToObject(o, "sd", num_array(l->sd, nc)) &&
             cJSON_AddItemToObject(o, "has_missing", num_array(ind, nc)) &&
             cJSON_AddItemToObject(o, "w", num_array(l->w, nc)) &&
             cJSON_AddItemToObject(o, "w_missing", num_array(l->w_ind, nc)) &&
             cJSON_AddNumberToObject(o, "bias", l->bias);
        free(cols);
        free(ind);
    }
    if (ok && m->kind == FW_MODEL_XGBOOST) {
        bst_ulong len = 0;
        const char *buf = NULL;
        if (XGBoosterSaveModelToBuffer(m->xgb, "{\"format\": \"json\"}", &len,
                                       &buf) != 0) {
            xgb_fail(d, "cannot save the model");
            ok = 0;
        } else {
            /* kept as xgboost wrote it: a parse and print by cJSON
             * would turn 1.0 into 1, which xgboost refuses */
            char *s = malloc(len + 1);
            ok = s != NULL;
            if (ok) {
                memcpy(s, buf, len);
                s[len] = '\0';
                ok = cJSON_AddStringToObject(j, "booster_json", s) != NULL;
            }
            free(s);
        }
    }
    if (ok && is_composite(m->kind)) {
        cJSON *parts = cJSON_AddArrayToObject(j, "parts");
        ok = parts != NULL;
        for (int k = 0; ok && k < 2; k++) {
            cJSON *pj = fw_model_to_json(m->part[k], d);
            ok = pj != NULL && cJSON_AddItemToArray(parts, pj);
            if (!ok) {
                cJSON_Delete(pj);
            }
        }
        ok = ok && cJSON_AddItemToObject(j, "combine", num_array(m->comb, 3));
    }
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static fw_err json_fail(struct fw_diag *d, const char *member)
{
    return fw_diag_set(d, FW_EPARSE, 0, 0, "model: %s missing or wrong",
                       member);
}

static int get_num(const cJSON *o, const char *k, double *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
        return 0;
    }
    *v = x->valuedouble;
    return 1;
}

static int get_nums(const cJSON *o, const char *k, double *v, size_t n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n) {
        return 0;
    }
    size_t i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, a)
    {
        if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
            return 0;
        }
        v[i++] = x->valuedouble;
    }
    return 1;
}

fw_err fw_model_from_json(const cJSON *j, fw_model **out, struct fw_diag *d)
{
    *out = NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
    int k = cJSON_IsString(kind) ? fw_model_kind_parse(kind->valuestring) : -1;
    double nf = 0;
    if (k < 0) {
        return json_fail(d, "kind");
    }
    if (!get_num(j, "n_features", &nf) || nf < 1 || nf > 1000) {
        return json_fail(d, "n_features");
    }
    fw_model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        return FW_ENOMEM;
    }
    m->kind = (enum fw_model_kind)k;
    m->n_features = (size_t)nf;
    m->cal_a = 1;
    fw_err err = FW_OK;
    double *u = malloc(m->n_features * sizeof *u);
    if (u == NULL || !set_use(m, NULL)) {
        err = FW_ENOMEM;
    } else if (!get_nums(j, "uses", u, m->n_features)) {
        err = json_fail(d, "uses");
    }
    for (size_t f = 0; err == FW_OK && f < m->n_features; f++) {
        m->use[f] = u[f] != 0;
        m->uses_all &= m->use[f];
    }
    free(u);
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(j, "platt");
    if (cJSON_IsObject(pl)) {
        if (!get_num(pl, "a", &m->cal_a) || !get_num(pl, "b", &m->cal_b)) {
            err = json_fail(d, "platt");
        }
        m->calibrated = 1;
    }
    if (err == FW_OK && m->kind == FW_MODEL_CLIMATOLOGY &&
        (!get_num(j, "rate", &m->rate) || m->rate < 0 || m->rate > 1)) {
        err = json_fail(d, "rate");
    }
    if (err == FW_OK && (m->kind == FW_MODEL_LOGIT_DIST ||
                         m->kind == FW_MODEL_LOGIT_FULL)) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "linear");
        const cJSON *cols = cJSON_GetObjectItemCaseSensitive(o, "columns");
        size_t nc = cJSON_IsArray(cols) ? (size_t)cJSON_GetArraySize(cols) : 0;
        double *c = malloc((nc ? nc : 1) * sizeof *c);
        double *ind = malloc((nc ? nc : 1) * sizeof *ind);
        if (c == NULL || ind == NULL || !linear_alloc(&m->lin, nc)) {
            err = FW_ENOMEM;
        } else if (nc == 0 || !get_nums(o, "columns", c, nc) ||
                   !get_nums(o, "mean", m->lin.mean, nc) ||
                   !get_nums(o, "sd", m->lin.sd, nc) ||
                   !get_nums(o, "has_missing", ind, nc) ||
                   !get_nums(o, "w", m->lin.w, nc) ||
                   !get_nums(o, "w_missing", m->lin.w_ind, nc) ||
                   !get_num(o, "bias", &m->lin.bias)) {
            err = json_fail(d, "linear");
        }
        for (size_t i = 0; err == FW_OK && i < nc; i++) {
            if (c[i] < 0 || c[i] >= nf || m->lin.sd[i] <= 0) {
                err = json_fail(d, "linear.columns");
            }
            m->lin.col[i] = (int)c[i];
            m->lin.has_ind[i] = ind[i] != 0;
        }
        free(c);
        free(ind);
    }
    if (err == FW_OK && m->kind == FW_MODEL_XGBOOST) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "booster_json");
        const char *s = cJSON_IsString(b) ? b->valuestring : NULL;
        if (s == NULL) {
            err = json_fail(d, "booster_json");
        } else if (XGBoosterCreate(NULL, 0, &m->xgb) != 0 ||
                   XGBoosterLoadModelFromBuffer(m->xgb, s, strlen(s)) != 0 ||
                   XGBoosterSetParam(m->xgb, "nthread",
                                     STR(XGB_THREADS)) != 0) {
            err = xgb_fail(d, "cannot load the booster");
        }
    }
    if (err == FW_OK && is_composite(m->kind)) {
        const cJSON *parts = cJSON_GetObjectItemCaseSensitive(j, "parts");
        if (!cJSON_IsArray(parts) || cJSON_GetArraySize(parts) != 2 ||
            !get_nums(j, "combine", m->comb, 3)) {
            err = json_fail(d, "parts");
        }
        for (int i = 0; err == FW_OK && i < 2; i++) {
            /* the part's kind first: a file of parts within parts would
             * otherwise recurse as deep as its nesting */
            const cJSON *pj = cJSON_GetArrayItem(parts, i);
            const cJSON *pk = cJSON_GetObjectItemCaseSensitive(pj, "kind");
            if (!cJSON_IsString(pk) ||
                strcmp(pk->valuestring, KIND_NAMES[PART_KINDS[i]]) != 0) {
                err = json_fail(d, "parts");
                break;
            }
            err = fw_model_from_json(pj, &m->part[i], d);
            if (err == FW_OK && m->part[i]->n_features != m->n_features) {
                err = json_fail(d, "parts");
            }
        }
    }
    if (err != FW_OK) {
        fw_model_free(m);
        return err;
    }
    *out = m;
    return FW_OK;
}
