/*
 * outlook_backtest.c - the alert outlook's back-test and its report
 * (outlook_backtest.h): panel -> outlook models -> metrics -> report.md,
 * report.json, SVG reliability charts.
 */
#include "frontwatch/outlook_backtest.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "frontwatch/date.h"
#include "frontwatch/report.h"
#include "frontwatch/svg.h"

#define HOUR ((int64_t)3600)
#define DAY ((int64_t)FW_DAY_S)
#define R FW_PANEL_N_REGIONS
#define NH FW_PANEL_N_HORIZONS
#define NK FW_OUTLOOK_N_KINDS
#define P_CLIP 1e-15
/* Fits at once: the machine this runs on has 2 cores, and each fit uses
 * one (outlook.c). */
#define FW_OBT_THREADS 2

/* The scored forecasts of one set, horizon and kind. */
struct scored {
    double *p;
    unsigned char *y;
    uint8_t *region, *is_now;
    size_t n;
};

static void scored_free(struct scored *s)
{
    free(s->p);
    free(s->y);
    free(s->region);
    free(s->is_now);
    memset(s, 0, sizeof *s);
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rows of the hours [a, b) of p: [*r0, *r1). */
static void row_range(const struct fw_alert_panel *p, int64_t a, int64_t b,
                      size_t *r0, size_t *r1)
{
    int64_t end = p->t0_s + (int64_t)p->n_hours * HOUR;
    a = a < p->t0_s ? p->t0_s : a > end ? end : a;
    b = b < a ? a : b > end ? end : b;
    *r0 = (size_t)((a - p->t0_s + HOUR - 1) / HOUR) * R;
    *r1 = (size_t)((b - p->t0_s + HOUR - 1) / HOUR) * R;
}

static double auroc_of(const struct scored *s, int region, int quiet)
{
    double *p = malloc((s->n ? s->n : 1) * sizeof *p);
    unsigned char *y = malloc(s->n ? s->n : 1);
    double auc = NAN;
    if (p != NULL && y != NULL) {
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++) {
            if ((region < 0 || s->region[i] == region) &&
                (!quiet || !s->is_now[i])) {
                p[k] = s->p[i];
                y[k++] = s->y[i];
            }
        }
        if (k > 0 && fw_metrics_auroc(p, y, k, &auc) != FW_OK) {
            auc = NAN;
        }
    }
    free(p);
    free(y);
    return auc;
}

static fw_err score(const struct scored *s, struct fw_obt_cell *c)
{
    memset(c, 0, sizeof *c);
    c->log_loss = c->auroc_region_mean = c->auroc_quiet = NAN;
    if (s->n == 0) {
        return FW_OK;
    }
    fw_err err = fw_metrics_compute(s->p, s->y, s->n, &c->m);
    if (err != FW_OK) {
        return err;
    }
    double ll = 0;
    for (size_t i = 0; i < s->n; i++) {
        double q = fmin(fmax(s->p[i], P_CLIP), 1 - P_CLIP);
        ll -= s->y[i] ? log(q) : log(1 - q);
    }
    c->log_loss = ll / (double)s->n;
    double sum = 0;
    int n = 0;
    for (int r = 0; r < R; r++) {
        double a = auroc_of(s, r, 0);
        if (!isnan(a)) {
            sum += a;
            n++;
        }
    }
    c->auroc_region_mean = n ? sum / n : NAN;
    c->auroc_quiet = auroc_of(s, -1, 1);
    return FW_OK;
}

/* The forecasts of rows [r0, r1) of p for horizon h by m that can be
 * scored (live hour, known outcome) into out. */
static fw_err forecast_rows(const fw_outlook_model *m,
                            const struct fw_alert_panel *p, int h, size_t r0,
                            size_t r1, struct scored *out, struct fw_diag *d)
{
    memset(out, 0, sizeof *out);
    size_t n = r1 - r0;
    double *prob = malloc((n ? n : 1) * sizeof *prob);
    out->p = malloc((n ? n : 1) * sizeof *out->p);
    out->y = malloc(n ? n : 1);
    out->region = malloc(n ? n : 1);
    out->is_now = malloc(n ? n : 1);
    fw_err err;
    if (prob == NULL || out->p == NULL || out->y == NULL ||
        out->region == NULL || out->is_now == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    } else {
        err = fw_outlook_predict(m, p, h, r0, n, prob, d);
    }
    for (size_t i = 0; err == FW_OK && i < n; i++) {
        size_t row = r0 + i;
        if (p->y[h][row] < 0 || isnan(prob[i])) {
            continue;
        }
        out->p[out->n] = prob[i];
        out->y[out->n] = (unsigned char)p->y[h][row];
        out->region[out->n] = (uint8_t)fw_alert_panel_region(row);
        out->is_now[out->n] = p->is_now[row];
        out->n++;
    }
    free(prob);
    if (err != FW_OK) {
        scored_free(out);
    }
    return err;
}

/* One fit: a set and a kind, forecast and scored for both horizons. */
struct job {
    int set, kind;
    struct scored sc[NH];
    fw_err err;
    struct fw_diag d;
};

struct pool_ctx {
    const struct fw_alert_panel *p;
    const uint8_t *adj;
    struct fw_outlook_backtest *bt;
    fw_obt_progress_fn progress;
    void *arg;
    struct job job[FW_OBT_N_SETS * NK];
    size_t n_jobs, next;
    pthread_mutex_t lock;
};

static void run_job(struct pool_ctx *c, struct job *jb)
{
    struct fw_obt_set *s = &c->bt->set[jb->set];
    fw_diag_reset(&jb->d);
    fw_outlook_model *m = NULL;
    jb->err = fw_outlook_fit(c->p, jb->kind, s->from_s, c->adj, &m, &jb->d);
    size_t r0, r1;
    row_range(c->p, s->from_s, s->to_s, &r0, &r1);
    for (int h = 0; h < NH && jb->err == FW_OK; h++) {
        /* every kind trains on the same rows; one job says how many */
        if (jb->kind == FW_OUTLOOK_PRIOR) {
            s->n_train[h] = fw_outlook_model_n_rows(m, h);
        }
        jb->err = forecast_rows(m, c->p, h, r0, r1, &jb->sc[h], &jb->d);
        if (jb->err == FW_OK) {
            jb->err = score(&jb->sc[h], &s->c[h][jb->kind]);
        }
    }
    fw_outlook_model_free(m);
}

static void *worker(void *arg)
{
    struct pool_ctx *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        struct job *jb = c->next < c->n_jobs ? &c->job[c->next++] : NULL;
        if (jb != NULL && c->progress != NULL) {
            c->progress(c->arg, c->bt->set[jb->set].name,
                        fw_outlook_kind_name(jb->kind));
        }
        pthread_mutex_unlock(&c->lock);
        if (jb == NULL) {
            return NULL;
        }
        run_job(c, jb);
    }
}

/* Appends b to a. */
static fw_err pool(struct scored *a, const struct scored *b)
{
    size_t n = a->n + b->n;
    double *p = realloc(a->p, (n ? n : 1) * sizeof *p);
    if (p == NULL) {
        return FW_ENOMEM;
    }
    a->p = p;
    unsigned char *y = realloc(a->y, n ? n : 1);
    if (y == NULL) {
        return FW_ENOMEM;
    }
    a->y = y;
    uint8_t *rg = realloc(a->region, n ? n : 1);
    if (rg == NULL) {
        return FW_ENOMEM;
    }
    a->region = rg;
    uint8_t *nw = realloc(a->is_now, n ? n : 1);
    if (nw == NULL) {
        return FW_ENOMEM;
    }
    a->is_now = nw;
    memcpy(a->p + a->n, b->p, b->n * sizeof *b->p);
    memcpy(a->y + a->n, b->y, b->n);
    memcpy(a->region + a->n, b->region, b->n);
    memcpy(a->is_now + a->n, b->is_now, b->n);
    a->n = n;
    return FW_OK;
}

fw_err fw_outlook_backtest_run(const struct fw_alert_panel *p,
                               const fw_panel_adjacency adj, int64_t from_s,
                               int64_t to_s, fw_obt_progress_fn progress,
                               void *arg, struct fw_outlook_backtest *out,
                               struct fw_diag *d)
{
    memset(out, 0, sizeof *out);
    if (to_s <= from_s) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "back-test: the period ends before it starts");
    }
    double t_start = wall_s();
    /* the known hours: first and last rows with a 24-hour target */
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t i = 0; i < p->n_rows; i++) {
        if (p->y[NH - 1][i] >= 0 && p->is_fresh[i / R]) {
            int64_t t = fw_alert_panel_t(p, i);
            first = t < first ? t : first;
            last = t > last ? t : last;
        }
    }
    if (first == INT64_MAX) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "back-test: no hour with alert data and a known"
                           " outcome");
    }
    out->data_from_s = first;
    out->data_to_s = last + HOUR;
    int64_t end = out->data_to_s < to_s ? out->data_to_s : to_s;
    for (int f = 0; f < FW_OBT_N_FOLDS; f++) {
        struct fw_obt_set *s = &out->set[f];
        snprintf(s->name, sizeof s->name, "fold %d", f + 1);
        s->from_s = end - (FW_OBT_N_FOLDS - f) * FW_OBT_FOLD_DAYS * DAY;
        s->to_s = s->from_s + FW_OBT_FOLD_DAYS * DAY;
    }
    snprintf(out->set[FW_OBT_POOLED].name, sizeof out->set[0].name, "folds");
    out->set[FW_OBT_POOLED].from_s = out->set[0].from_s;
    out->set[FW_OBT_POOLED].to_s = end;
    snprintf(out->set[FW_OBT_SPLIT].name, sizeof out->set[0].name, "split");
    out->set[FW_OBT_SPLIT].from_s = from_s;
    out->set[FW_OBT_SPLIT].to_s = to_s;

    /* One fit per set and kind serves both horizons; the fits run on
     * FW_OBT_THREADS threads; the folds' forecasts are kept to be scored
     * pooled. */
    struct pool_ctx c = {.p = p, .adj = adj, .bt = out, .progress = progress,
                         .arg = arg};
    for (int si = 0; si < FW_OBT_N_SETS; si++) {
        for (int k = 0; si != FW_OBT_POOLED && k < NK; k++) {
            c.job[c.n_jobs].set = si;
            c.job[c.n_jobs].kind = k;
            c.n_jobs++;
        }
    }
    pthread_mutex_init(&c.lock, NULL);
    pthread_t th[FW_OBT_THREADS];
    int n_th = 0;
    for (; n_th < FW_OBT_THREADS; n_th++) {
        if (pthread_create(&th[n_th], NULL, worker, &c) != 0) {
            break;
        }
    }
    if (n_th == 0) {
        worker(&c); /* no thread to be had: do it here */
    }
    for (int i = 0; i < n_th; i++) {
        pthread_join(th[i], NULL);
    }
    pthread_mutex_destroy(&c.lock);
    fw_err err = FW_OK;
    for (size_t j = 0; j < c.n_jobs && err == FW_OK; j++) {
        if (c.job[j].err != FW_OK) {
            err = c.job[j].err;
            if (d != NULL) {
                *d = c.job[j].d;
            }
        }
    }
    struct fw_obt_set *ps = &out->set[FW_OBT_POOLED];
    for (int h = 0; h < NH && err == FW_OK; h++) {
        ps->n_train[h] = out->set[0].n_train[h];
        for (int k = 0; k < NK && err == FW_OK; k++) {
            struct scored pooled = {0};
            for (size_t j = 0; j < c.n_jobs && err == FW_OK; j++) {
                if (c.job[j].kind == k && c.job[j].set < FW_OBT_N_FOLDS &&
                    pool(&pooled, &c.job[j].sc[h]) != FW_OK) {
                    err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                }
            }
            if (err == FW_OK) {
                err = score(&pooled, &ps->c[h][k]);
            }
            scored_free(&pooled);
        }
    }
    for (size_t j = 0; j < c.n_jobs; j++) {
        for (int h = 0; h < NH; h++) {
            scored_free(&c.job[j].sc[h]);
        }
    }
    out->seconds = wall_s() - t_start;
    return err;
}

/* ---- the report ---- */

static void day_range(const struct fw_obt_set *s, char from[11], char to[11])
{
    fw_date_format_day(s->from_s, from);
    fw_date_format_day(s->to_s - 1, to);
}

static void md_num(FILE *f, double v, int decimals)
{
    if (isnan(v)) {
        fputs(" | -", f);
    } else {
        fprintf(f, " | %.*f", decimals, v);
    }
}

static void md_table(FILE *f, const struct fw_obt_set *s, int h)
{
    const struct fw_obt_cell *prior = &s->c[h][FW_OUTLOOK_PRIOR];
    fputs("| model | forecasts | base rate | ROC-AUC | ROC-AUC, mean of "
          "regions | ROC-AUC, quiet rows | PR-AUC | log loss | Brier | "
          "Brier skill vs prior | reliability bins consistent |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
          f);
    for (int k = 0; k < NK; k++) {
        const struct fw_obt_cell *c = &s->c[h][k];
        fprintf(f, "| %s | %zu", fw_outlook_kind_name(k), c->m.n);
        md_num(f, c->m.base_rate, 3);
        md_num(f, c->m.auroc, 4);
        md_num(f, c->auroc_region_mean, 4);
        md_num(f, c->auroc_quiet, 4);
        md_num(f, c->m.ap, 4);
        md_num(f, c->log_loss, 4);
        md_num(f, c->m.brier, 4);
        md_num(f, fw_metrics_brier_skill(c->m.brier, prior->m.brier), 3);
        fprintf(f, " | %d of %d |\n", c->m.rel.n_consistent,
                c->m.rel.n_nonempty);
    }
    fputc('\n', f);
}

static void md_reliability(FILE *f, const struct fw_obt_cell *c)
{
    fputs("| forecast | n | mean forecast | observed | 90% interval |\n"
          "|---|---:|---:|---:|---|\n",
          f);
    for (int b = 0; b < FW_METRICS_N_BINS; b++) {
        const struct fw_reliability_bin *x = &c->m.rel.bins[b];
        if (x->n == 0) {
            continue;
        }
        fprintf(f, "| %.1f-%.1f | %zu | %.3f | %.3f | %.3f-%.3f%s |\n",
                x->p_lo, x->p_hi, x->n, x->mean_pred, x->obs_rate, x->q05,
                x->q95, x->is_consistent ? "" : " (outside)");
    }
    fputc('\n', f);
}

static double lift(const struct fw_obt_set *s, int h)
{
    return s->c[h][FW_OUTLOOK_XGBOOST].m.auroc -
           s->c[h][FW_OUTLOOK_PERSISTENCE].m.auroc;
}

static char *report_md(const struct fw_outlook_backtest *bt,
                       const char *command, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (f == NULL) {
        return NULL;
    }
    char a[11], b[11];
    fputs("# Air-raid alert outlook: back-test\n\n", f);
    fw_date_format_day(bt->data_from_s, a);
    fw_date_format_day(bt->data_to_s - 1, b);
    fprintf(f,
            "Alert data with known outcomes: %s to %s (UTC hours). Target at "
            "hour start T: the region is under alert at T or an alert "
            "starts in [T, T + H). Every model is trained only on outcomes "
            "resolved before its test period. Made by `%s` in %.1f s.\n\n",
            a, b, command ? command : "frontwatch backtest --target alerts",
            bt->seconds);
    const struct fw_obt_set *pl = &bt->set[FW_OBT_POOLED];
    fputs("## Against the published peer (6 hours)\n\n", f);
    fprintf(f,
            "| | xgboost ROC-AUC | persistence ROC-AUC | lift |\n"
            "|---|---:|---:|---:|\n"
            "| goodfrog33/air-raid-forecasting-ukraine (its own folds, "
            "to 2026) | %.4f | %.4f | %.4f |\n",
            FW_OBT_PEER_AUC_XGBOOST, FW_OBT_PEER_AUC_PERSISTENCE,
            FW_OBT_PEER_AUC_XGBOOST - FW_OBT_PEER_AUC_PERSISTENCE);
    for (int si = 0; si <= FW_OBT_POOLED; si++) {
        const struct fw_obt_set *s = &bt->set[si];
        day_range(s, a, b);
        fprintf(f, "| frontwatch, %s (%s to %s) | %.4f | %.4f | %.4f |\n",
                s->name, a, b, s->c[0][FW_OUTLOOK_XGBOOST].m.auroc,
                s->c[0][FW_OUTLOOK_PERSISTENCE].m.auroc, lift(s, 0));
    }
    fprintf(f, "\nLift on the pooled folds: %.4f against the peer's %.4f: "
               "%s.\n\n",
            lift(pl, 0), FW_OBT_PEER_AUC_XGBOOST - FW_OBT_PEER_AUC_PERSISTENCE,
            lift(pl, 0) > FW_OBT_PEER_AUC_XGBOOST - FW_OBT_PEER_AUC_PERSISTENCE
                ? "beaten"
                : "not beaten");
    for (int si = FW_OBT_N_SETS - 1; si >= 0; si--) {
        const struct fw_obt_set *s = &bt->set[si];
        day_range(s, a, b);
        fprintf(f, "## %s: %s to %s\n\n",
                si == FW_OBT_SPLIT    ? "Split"
                : si == FW_OBT_POOLED ? "Rolling folds, pooled"
                                      : s->name,
                a, b);
        for (int h = 0; h < NH; h++) {
            fprintf(f, "### %d hours (%zu training rows)\n\n",
                    FW_PANEL_HORIZON_H[h], s->n_train[h]);
            md_table(f, s, h);
        }
    }
    fputs("## Reliability, pooled folds\n\n", f);
    for (int h = 0; h < NH; h++) {
        fprintf(f, "### %d hours\n\n![reliability](reliability_%dh.svg)\n\n",
                FW_PANEL_HORIZON_H[h], FW_PANEL_HORIZON_H[h]);
        for (int k = FW_OUTLOOK_LOGIT; k <= FW_OUTLOOK_XGBOOST; k++) {
            fprintf(f, "%s:\n\n", fw_outlook_kind_name(k));
            md_reliability(f, &pl->c[h][k]);
        }
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int add_num(cJSON *o, const char *k, double v)
{
    return isfinite(v) ? cJSON_AddNumberToObject(o, k, v) != NULL
                       : cJSON_AddNullToObject(o, k) != NULL;
}

static cJSON *cell_json(const struct fw_obt_cell *c)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o && add_num(o, "n", (double)c->m.n) &&
             add_num(o, "positives", (double)c->m.n_pos) &&
             add_num(o, "base_rate", c->m.base_rate) &&
             add_num(o, "roc_auc", c->m.auroc) &&
             add_num(o, "roc_auc_region_mean", c->auroc_region_mean) &&
             add_num(o, "roc_auc_quiet", c->auroc_quiet) &&
             add_num(o, "pr_auc", c->m.ap) &&
             add_num(o, "log_loss", c->log_loss) &&
             add_num(o, "brier", c->m.brier);
    cJSON *rel = ok ? cJSON_AddArrayToObject(o, "reliability") : NULL;
    ok = rel != NULL;
    for (int b = 0; ok && b < FW_METRICS_N_BINS; b++) {
        const struct fw_reliability_bin *x = &c->m.rel.bins[b];
        if (x->n == 0) {
            continue;
        }
        cJSON *e = cJSON_CreateObject();
        ok = e && cJSON_AddItemToArray(rel, e) && add_num(e, "p_lo", x->p_lo) &&
             add_num(e, "p_hi", x->p_hi) && add_num(e, "n", (double)x->n) &&
             add_num(e, "mean_forecast", x->mean_pred) &&
             add_num(e, "observed", x->obs_rate) && add_num(e, "q05", x->q05) &&
             add_num(e, "q95", x->q95);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static char *report_json(const struct fw_outlook_backtest *bt,
                         const char *command)
{
    cJSON *j = cJSON_CreateObject();
    char a[11], b[11];
    fw_date_format_day(bt->data_from_s, a);
    fw_date_format_day(bt->data_to_s - 1, b);
    int ok = j && cJSON_AddStringToObject(j, "target", "alerts") &&
             cJSON_AddStringToObject(j, "command", command ? command : "") &&
             cJSON_AddStringToObject(j, "data_from", a) &&
             cJSON_AddStringToObject(j, "data_to", b) &&
             add_num(j, "seconds", bt->seconds);
    cJSON *peer = ok ? cJSON_AddObjectToObject(j, "peer_6h") : NULL;
    ok = peer && cJSON_AddStringToObject(
                     peer, "source",
                     "goodfrog33/air-raid-forecasting-ukraine "
                     "reports/final_report.md") &&
         add_num(peer, "roc_auc_xgboost", FW_OBT_PEER_AUC_XGBOOST) &&
         add_num(peer, "roc_auc_persistence", FW_OBT_PEER_AUC_PERSISTENCE);
    cJSON *sets = ok ? cJSON_AddArrayToObject(j, "sets") : NULL;
    ok = sets != NULL;
    for (int si = 0; ok && si < FW_OBT_N_SETS; si++) {
        const struct fw_obt_set *s = &bt->set[si];
        cJSON *o = cJSON_CreateObject();
        day_range(s, a, b);
        ok = o && cJSON_AddItemToArray(sets, o) &&
             cJSON_AddStringToObject(o, "name", s->name) &&
             cJSON_AddStringToObject(o, "from", a) &&
             cJSON_AddStringToObject(o, "to", b);
        cJSON *hs = ok ? cJSON_AddArrayToObject(o, "horizons") : NULL;
        ok = hs != NULL;
        for (int h = 0; ok && h < NH; h++) {
            cJSON *ho = cJSON_CreateObject();
            ok = ho && cJSON_AddItemToArray(hs, ho) &&
                 add_num(ho, "hours", FW_PANEL_HORIZON_H[h]) &&
                 add_num(ho, "training_rows", (double)s->n_train[h]) &&
                 add_num(ho, "lift_xgboost_over_persistence", lift(s, h));
            cJSON *ms = ok ? cJSON_AddObjectToObject(ho, "models") : NULL;
            ok = ms != NULL;
            for (int k = 0; ok && k < NK; k++) {
                cJSON *c = cell_json(&s->c[h][k]);
                ok = c && cJSON_AddItemToObject(ms, fw_outlook_kind_name(k), c);
                if (!ok) {
                    cJSON_Delete(c);
                }
            }
        }
    }
    char *text = ok ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    return text;
}

fw_err fw_outlook_backtest_write(const struct fw_outlook_backtest *bt,
                                 const char *dir, const char *command,
                                 struct fw_diag *d)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot create folder %s: %s",
                           dir, strerror(errno));
    }
    char *text = report_json(bt, command);
    if (text == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory (report.json)");
    }
    size_t len = strlen(text);
    fw_err err = fw_report_write_file(dir, "report.json", text, len, d);
    free(text);
    if (err == FW_OK) {
        text = report_md(bt, command, &len);
        err = text ? fw_report_write_file(dir, "report.md", text, len, d)
                   : fw_diag_set(d, FW_ENOMEM, 0, 0,
                                 "out of memory (report.md)");
        free(text);
    }
    const struct fw_obt_set *pl = &bt->set[FW_OBT_POOLED];
    for (int h = 0; err == FW_OK && h < NH; h++) {
        struct fw_svg_rel_model rm[NK - 1];
        size_t n = 0;
        for (int k = FW_OUTLOOK_PERSISTENCE; k < NK; k++) {
            if (pl->c[h][k].m.n > 0) {
                rm[n].name = fw_outlook_kind_name(k);
                rm[n].rel = &pl->c[h][k].m.rel;
                n++;
            }
        }
        if (n == 0) {
            continue;
        }
        char title[96], name[32];
        snprintf(title, sizeof title,
                 "Alert within %d hours: reliability, rolling folds",
                 FW_PANEL_HORIZON_H[h]);
        snprintf(name, sizeof name, "reliability_%dh.svg",
                 FW_PANEL_HORIZON_H[h]);
        char *svg = NULL;
        size_t svg_len = 0;
        err = fw_svg_reliability(rm, n, title, 1.0, &svg, &svg_len);
        if (err != FW_OK) {
            err = fw_diag_set(d, err, 0, 0, "%s: cannot draw the chart", name);
        } else {
            err = fw_report_write_file(dir, name, svg, svg_len, d);
        }
        free(svg);
    }
    return err;
}
