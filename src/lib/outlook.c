/*
 * outlook.c - the air-raid alert outlook (outlook.h): models fitted on the
 * hourly alert panel, their file, and the outlook of one region at one
 * hour.
 */
#include "frontwatch/outlook.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontwatch/date.h"
#include "frontwatch/io.h"
#include "frontwatch/model.h"
#include "frontwatch/oblast.h"

#define HOUR ((int64_t)3600)
#define DAY ((int64_t)FW_DAY_S)
#define R FW_PANEL_N_REGIONS
#define NH FW_PANEL_N_HORIZONS
#define FORMAT_NAME "frontwatch-alert-model"
#define FORMAT_VERSION 1
#define MAX_FILE_BYTES ((size_t)64 << 20)

/* Boosted trees for the alert panel: far more rows (hundreds of
 * thousands) and a far commoner event than the occupation models, so
 * deeper trees than model.h's defaults; two threads on a 2-core machine.
 * docs/ALERTS.md has the settings tried on the back-test. */
static const char XGB_ALERTS[] = "max_depth=5 eta=0.1 rounds=150 "
                                 "min_child_weight=50 subsample=0.8 "
                                 "nthread=1";

/* The trees' forecast may only rise with recent alerts (of the region, of
 * the country, of the neighbours) and fall with the time since the last
 * one: alerts come in waves, and without the constraint the trees learn
 * steps of one year's levels that the next does not repeat (ROC-AUC at
 * 24 hours on the rolling folds 0.83 free, 0.85 constrained;
 * docs/ALERTS.md). */
static const signed char XGB_MONOTONE[FW_PF_N] = {
    [FW_PF_H_SINCE_END] = -1,
    [FW_PF_H_SINCE_START] = -1,
    [FW_PF_STARTS_1H] = 1,
    [FW_PF_STARTS_3H] = 1,
    [FW_PF_STARTS_6H] = 1,
    [FW_PF_STARTS_12H] = 1,
    [FW_PF_STARTS_24H] = 1,
    [FW_PF_STARTS_72H] = 1,
    [FW_PF_STARTS_168H] = 1,
    [FW_PF_ALERT_H_24H] = 1,
    [FW_PF_ALERT_H_7D] = 1,
    [FW_PF_ALERT_H_30D] = 1,
    [FW_PF_REGIONS_NOW] = 1,
    [FW_PF_REGIONS_STARTED_1H] = 1,
    [FW_PF_REGIONS_STARTED_3H] = 1,
    [FW_PF_NEIGHBOURS_NOW] = 1,
    [FW_PF_NEIGHBOURS_STARTS_3H] = 1,
    [FW_PF_NEIGHBOURS_STARTS_24H] = 1,
};

static const char *const KIND_NAMES[FW_OUTLOOK_N_KINDS] = {
    "prior", "persistence", "logit", "xgboost"};

const char *fw_outlook_kind_name(int kind)
{
    return kind >= 0 && kind < FW_OUTLOOK_N_KINDS ? KIND_NAMES[kind] : "?";
}

int fw_outlook_kind_parse(const char *name)
{
    for (int k = 0; name != NULL && k < FW_OUTLOOK_N_KINDS; k++) {
        if (strcmp(name, KIND_NAMES[k]) == 0) {
            return k;
        }
    }
    return -1;
}

struct fw_outlook_model {
    int kind;
    fw_model *m[NH];
    size_t n_rows[NH], n_pos[NH];
    double usual[NH][R][24];
    fw_panel_adjacency adj;
    char until[11];
    char command[1024];
};

void fw_outlook_model_free(fw_outlook_model *m)
{
    if (m == NULL) {
        return;
    }
    for (int h = 0; h < NH; h++) {
        fw_model_free(m->m[h]);
    }
    free(m);
}

const uint8_t *fw_outlook_model_adjacency(const fw_outlook_model *m)
{
    return m->adj;
}

size_t fw_outlook_model_n_rows(const fw_outlook_model *m, int h)
{
    return h >= 0 && h < NH ? m->n_rows[h] : 0;
}

size_t fw_outlook_model_n_pos(const fw_outlook_model *m, int h)
{
    return h >= 0 && h < NH ? m->n_pos[h] : 0;
}

const char *fw_outlook_model_until(const fw_outlook_model *m)
{
    return m->until;
}

void fw_outlook_model_set_command(fw_outlook_model *m, const char *command)
{
    snprintf(m->command, sizeof m->command, "%s", command ? command : "");
}

double fw_outlook_usual(const fw_outlook_model *m, int h, size_t r,
                        int hour_local)
{
    if (h < 0 || h >= NH || r >= R || hour_local < 0 || hour_local > 23) {
        return NAN;
    }
    return m->usual[h][r][hour_local];
}

/* Whether row i of p may train horizon h with the cut-off. */
static int trains(const struct fw_alert_panel *p, size_t i, int h,
                  int64_t until_s)
{
    int64_t t = fw_alert_panel_t(p, i);
    return p->is_fresh[i / R] && p->y[h][i] >= 0 &&
           t + FW_PANEL_HORIZON_H[h] * HOUR <= until_s;
}

/* The usual table of horizon h: the rate per region and local hour. */
static void fit_usual(fw_outlook_model *om, const struct fw_alert_panel *p,
                      int h, int64_t until_s)
{
    size_t n[R][24] = {{0}}, pos[R][24] = {{0}};
    for (size_t i = 0; i < p->n_rows; i++) {
        if (trains(p, i, h, until_s)) {
            size_t r = fw_alert_panel_region(i);
            int hr = (int)p->x[i * FW_PF_N + FW_PF_HOUR_LOCAL];
            n[r][hr]++;
            pos[r][hr] += p->y[h][i] == 1;
        }
    }
    for (size_t r = 0; r < R; r++) {
        for (int hr = 0; hr < 24; hr++) {
            om->usual[h][r][hr] =
                n[r][hr] ? (double)pos[r][hr] / (double)n[r][hr] : NAN;
        }
    }
}

static fw_err fit_horizon(fw_outlook_model *om, const struct fw_alert_panel *p,
                          int h, int64_t until_s, struct fw_diag *d)
{
    /* prior: every training row; the others: the quiet ones */
    int quiet_only = om->kind != FW_OUTLOOK_PRIOR;
    size_t n = 0;
    for (size_t i = 0; i < p->n_rows; i++) {
        n += trains(p, i, h, until_s) && !(quiet_only && p->is_now[i]);
    }
    if (n == 0) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "no alert data to train the %d-hour outlook on"
                           " before the cut-off",
                           FW_PANEL_HORIZON_H[h]);
    }
    float *x = malloc(n * FW_PF_N * sizeof *x);
    int8_t *y = malloc(n);
    uint8_t *hold = malloc(n);
    if (x == NULL || y == NULL || hold == NULL) {
        free(x);
        free(y);
        free(hold);
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    size_t k = 0, n_all = 0, pos_all = 0;
    int64_t hold_from = until_s - FW_OUTLOOK_HOLDOUT_DAYS * DAY;
    for (size_t i = 0; i < p->n_rows; i++) {
        if (!trains(p, i, h, until_s)) {
            continue;
        }
        n_all++;
        pos_all += p->y[h][i] == 1;
        if (quiet_only && p->is_now[i]) {
            continue;
        }
        memcpy(x + k * FW_PF_N, p->x + i * FW_PF_N, FW_PF_N * sizeof *x);
        y[k] = p->y[h][i];
        hold[k] = fw_alert_panel_t(p, i) >= hold_from;
        k++;
    }
    om->n_rows[h] = n_all;
    om->n_pos[h] = pos_all;
    enum fw_model_kind mk = FW_MODEL_CLIMATOLOGY;
    struct fw_model_spec spec = {0};
    if (om->kind == FW_OUTLOOK_LOGIT) {
        mk = FW_MODEL_LOGIT_FULL;
    } else if (om->kind == FW_OUTLOOK_XGBOOST) {
        mk = FW_MODEL_XGBOOST;
        spec.xgb = XGB_ALERTS;
        spec.monotone = XGB_MONOTONE;
    }
    /* climatology is a rate: every row counts, none is held out */
    if (mk == FW_MODEL_CLIMATOLOGY) {
        memset(hold, 0, n);
    }
    fw_err err = fw_model_fit(mk, x, FW_PF_N, &spec, y, hold, n, &om->m[h], d);
    free(x);
    free(y);
    free(hold);
    return err;
}

fw_err fw_outlook_fit(const struct fw_alert_panel *p, int kind,
                      int64_t until_s, const fw_panel_adjacency adj,
                      fw_outlook_model **out, struct fw_diag *d)
{
    if (kind < 0 || kind >= FW_OUTLOOK_N_KINDS) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "unknown outlook kind %d",
                           kind);
    }
    fw_outlook_model *om = calloc(1, sizeof *om);
    if (om == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    om->kind = kind;
    if (adj != NULL) {
        memcpy(om->adj, adj, sizeof om->adj);
    }
    fw_date_format_day(until_s - 1, om->until);
    fw_err err = FW_OK;
    for (int h = 0; h < NH && err == FW_OK; h++) {
        fit_usual(om, p, h, until_s);
        err = fit_horizon(om, p, h, until_s, d);
    }
    if (err != FW_OK) {
        fw_outlook_model_free(om);
        return err;
    }
    *out = om;
    return FW_OK;
}

fw_err fw_outlook_predict(const fw_outlook_model *m,
                          const struct fw_alert_panel *p, int h, size_t row0,
                          size_t n, double *prob, struct fw_diag *d)
{
    if (h < 0 || h >= NH || row0 > p->n_rows || n > p->n_rows - row0) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "outlook rows out of range");
    }
    if (n == 0) {
        return FW_OK;
    }
    fw_err err = fw_model_predict(m->m[h], p->x + row0 * FW_PF_N, n, prob, d);
    if (err != FW_OK) {
        return err;
    }
    for (size_t i = 0; i < n; i++) {
        size_t row = row0 + i;
        if (!p->is_fresh[row / R]) {
            prob[i] = NAN;
        } else if (m->kind != FW_OUTLOOK_PRIOR && p->is_now[row]) {
            prob[i] = 1.0;
        }
    }
    return FW_OK;
}

/* ---- the model file ---- */

static cJSON *usual_json(const fw_outlook_model *m, int h)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t r = 0; o != NULL && r < R; r++) {
        cJSON *a = cJSON_AddArrayToObject(o, fw_panel_region_iso(r));
        for (int hr = 0; a != NULL && hr < 24; hr++) {
            double v = m->usual[h][r][hr];
            /* 4 decimals: a rate of thousands of rows */
            cJSON *x = isnan(v) ? cJSON_CreateNull()
                                : cJSON_CreateNumber(round(v * 1e4) / 1e4);
            if (x == NULL || !cJSON_AddItemToArray(a, x)) {
                cJSON_Delete(x);
                a = NULL;
            }
        }
        if (a == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static cJSON *neighbours_json(const fw_outlook_model *m)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t r = 0; o != NULL && r < R; r++) {
        cJSON *a = cJSON_AddArrayToObject(o, fw_panel_region_iso(r));
        for (size_t j = 0; a != NULL && j < R; j++) {
            if (m->adj[r * R + j]) {
                cJSON *s = cJSON_CreateString(fw_panel_region_iso(j));
                if (s == NULL || !cJSON_AddItemToArray(a, s)) {
                    cJSON_Delete(s);
                    a = NULL;
                }
            }
        }
        if (a == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static cJSON *model_json(const fw_outlook_model *m, struct fw_diag *d)
{
    cJSON *j = cJSON_CreateObject();
    char created[21];
    fw_date_format_iso(time(NULL), created);
    const char *names[FW_PF_N], *regions[R];
    for (int f = 0; f < FW_PF_N; f++) {
        names[f] = fw_panel_feature_name(f);
    }
    for (size_t r = 0; r < R; r++) {
        regions[r] = fw_panel_region_iso(r);
    }
    int ok = j && cJSON_AddStringToObject(j, "format", FORMAT_NAME) &&
             cJSON_AddNumberToObject(j, "version", FORMAT_VERSION) &&
             cJSON_AddStringToObject(j, "created", created) &&
             cJSON_AddStringToObject(j, "command", m->command) &&
             cJSON_AddStringToObject(j, "kind", KIND_NAMES[m->kind]) &&
             cJSON_AddStringToObject(j, "trained_until", m->until);
    cJSON *x;
    ok = ok && (x = cJSON_CreateStringArray(names, FW_PF_N)) &&
         cJSON_AddItemToObject(j, "features", x);
    ok = ok && (x = cJSON_CreateStringArray(regions, R)) &&
         cJSON_AddItemToObject(j, "regions", x);
    ok = ok && (x = neighbours_json(m)) &&
         cJSON_AddItemToObject(j, "neighbours", x);
    cJSON *hs = ok ? cJSON_AddArrayToObject(j, "horizons") : NULL;
    ok = hs != NULL;
    for (int h = 0; ok && h < NH; h++) {
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(hs, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = cJSON_AddNumberToObject(o, "hours", FW_PANEL_HORIZON_H[h]) &&
             cJSON_AddNumberToObject(o, "training_rows",
                                     (double)m->n_rows[h]) &&
             cJSON_AddNumberToObject(o, "training_positives",
                                     (double)m->n_pos[h]) &&
             (x = usual_json(m, h)) && cJSON_AddItemToObject(o, "usual", x) &&
             (x = fw_model_to_json(m->m[h], d)) &&
             cJSON_AddItemToObject(o, "model", x);
    }
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

fw_err fw_outlook_model_save(const fw_outlook_model *m, const char *path,
                             struct fw_diag *d)
{
    cJSON *j = model_json(m, d);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (text == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "cannot write the model");
    }
    fw_err err = fw_io_write_text_atomic(path, text, d);
    free(text);
    return err;
}

static fw_err bad(struct fw_diag *d, const char *path, const char *what)
{
    return fw_diag_set(d, FW_EPARSE, 0, 0, "%s: %s", path, what);
}

/* Checks that the strings of array a are exactly want[0..n). */
static int same_names(const cJSON *a, const char *const *want, size_t n)
{
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n) {
        return 0;
    }
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e) || strcmp(e->valuestring, want[i]) != 0) {
            return 0;
        }
        i++;
    }
    return 1;
}

static fw_err parse_model(const char *path, const cJSON *j,
                          fw_outlook_model *om, struct fw_diag *d)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "format");
    if (!cJSON_IsString(x) || strcmp(x->valuestring, FORMAT_NAME) != 0) {
        return bad(d, path,
                   "not an alert outlook model (format is not \"" FORMAT_NAME
                   "\"; train one with `frontwatch train --target alerts`)");
    }
    x = cJSON_GetObjectItemCaseSensitive(j, "version");
    if (!cJSON_IsNumber(x) || x->valuedouble != FORMAT_VERSION) {
        return bad(d, path, "version: this program reads version 1");
    }
    x = cJSON_GetObjectItemCaseSensitive(j, "kind");
    om->kind = cJSON_IsString(x) ? fw_outlook_kind_parse(x->valuestring) : -1;
    if (om->kind < 0) {
        return bad(d, path, "kind: expected prior, persistence, logit or"
                            " xgboost");
    }
    const char *names[FW_PF_N], *regions[R];
    for (int f = 0; f < FW_PF_N; f++) {
        names[f] = fw_panel_feature_name(f);
    }
    for (size_t r = 0; r < R; r++) {
        regions[r] = fw_panel_region_iso(r);
    }
    if (!same_names(cJSON_GetObjectItemCaseSensitive(j, "features"), names,
                    FW_PF_N)) {
        return bad(d, path, "features: not this program's features (train"
                            " the model again)");
    }
    if (!same_names(cJSON_GetObjectItemCaseSensitive(j, "regions"), regions,
                    R)) {
        return bad(d, path, "regions: not this program's regions");
    }
    x = cJSON_GetObjectItemCaseSensitive(j, "trained_until");
    snprintf(om->until, sizeof om->until, "%s",
             cJSON_IsString(x) ? x->valuestring : "");
    x = cJSON_GetObjectItemCaseSensitive(j, "command");
    snprintf(om->command, sizeof om->command, "%s",
             cJSON_IsString(x) ? x->valuestring : "");
    const cJSON *nb = cJSON_GetObjectItemCaseSensitive(j, "neighbours");
    if (!cJSON_IsObject(nb)) {
        return bad(d, path, "neighbours: expected an object");
    }
    for (size_t r = 0; r < R; r++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(nb, regions[r]);
        const cJSON *e;
        if (!cJSON_IsArray(a)) {
            return fw_diag_set(d, FW_EPARSE, 0, 0,
                               "%s: neighbours.%s: expected an array", path,
                               regions[r]);
        }
        cJSON_ArrayForEach(e, a)
        {
            int k = cJSON_IsString(e) ? fw_panel_region_index(e->valuestring)
                                      : -1;
            if (k < 0) {
                return fw_diag_set(d, FW_EPARSE, 0, 0,
                                   "%s: neighbours.%s: not a region", path,
                                   regions[r]);
            }
            om->adj[r * R + (size_t)k] = 1;
        }
    }
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(j, "horizons");
    if (!cJSON_IsArray(hs) || cJSON_GetArraySize(hs) != NH) {
        return bad(d, path, "horizons: expected 2 (6 and 24 hours)");
    }
    for (int h = 0; h < NH; h++) {
        const cJSON *o = cJSON_GetArrayItem(hs, h);
        x = cJSON_GetObjectItemCaseSensitive(o, "hours");
        if (!cJSON_IsNumber(x) || x->valuedouble != FW_PANEL_HORIZON_H[h]) {
            return fw_diag_set(d, FW_EPARSE, 0, 0,
                               "%s: horizons[%d].hours: expected %d", path, h,
                               FW_PANEL_HORIZON_H[h]);
        }
        x = cJSON_GetObjectItemCaseSensitive(o, "training_rows");
        om->n_rows[h] = cJSON_IsNumber(x) && x->valuedouble >= 0
                            ? (size_t)x->valuedouble
                            : 0;
        x = cJSON_GetObjectItemCaseSensitive(o, "training_positives");
        om->n_pos[h] = cJSON_IsNumber(x) && x->valuedouble >= 0
                           ? (size_t)x->valuedouble
                           : 0;
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "usual");
        for (size_t r = 0; r < R; r++) {
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(u, regions[r]);
            if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 24) {
                return fw_diag_set(d, FW_EPARSE, 0, 0,
                                   "%s: horizons[%d].usual.%s: expected 24"
                                   " rates",
                                   path, h, regions[r]);
            }
            for (int hr = 0; hr < 24; hr++) {
                const cJSON *v = cJSON_GetArrayItem(a, hr);
                om->usual[h][r][hr] =
                    cJSON_IsNumber(v) && v->valuedouble >= 0 &&
                            v->valuedouble <= 1
                        ? v->valuedouble
                        : NAN;
            }
        }
        fw_err err = fw_model_from_json(
            cJSON_GetObjectItemCaseSensitive(o, "model"), &om->m[h], d);
        if (err != FW_OK) {
            char why[sizeof d->msg];
            snprintf(why, sizeof why, "%s", d->msg);
            return fw_diag_set(d, err, 0, 0, "%s: horizons[%d].model: %s",
                               path, h, why);
        }
        if (fw_model_n_features(om->m[h]) != FW_PF_N) {
            return fw_diag_set(d, FW_EPARSE, 0, 0,
                               "%s: horizons[%d].model: expected %d"
                               " features",
                               path, h, FW_PF_N);
        }
    }
    return FW_OK;
}

fw_err fw_outlook_model_load(const char *path, fw_outlook_model **out,
                             struct fw_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    fw_err err = fw_io_read_file(path, MAX_FILE_BYTES, &buf, &len, d);
    if (err != FW_OK) {
        char why[sizeof d->msg];
        snprintf(why, sizeof why, "%s", d->msg);
        return fw_diag_set(d, err, 0, 0, "alert model %s: %s", path, why);
    }
    cJSON *j = cJSON_ParseWithLength(buf, len);
    free(buf);
    if (j == NULL) {
        return bad(d, path, "not JSON");
    }
    fw_outlook_model *om = calloc(1, sizeof *om);
    err = om ? parse_model(path, j, om, d)
             : fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    cJSON_Delete(j);
    if (err != FW_OK) {
        fw_outlook_model_free(om);
        return err;
    }
    *out = om;
    return FW_OK;
}

/* ---- one region, one hour ---- */

static void json_num(FILE *f, const char *key, double v, int decimals)
{
    if (isnan(v)) {
        fprintf(f, "\"%s\":null", key);
    } else {
        fprintf(f, "\"%s\":%.*f", key, decimals, v);
    }
}

void fw_outlook_write_json(const struct fw_outlook *o,
                           const fw_outlook_model *m, const char *model_file,
                           FILE *f)
{
    const struct fw_oblast *ob = fw_oblast_by_iso(o->oblast_iso);
    char at[21], newest[21] = "";
    fw_date_format_iso(o->at_s, at);
    if (o->newest_alert_s != INT64_MIN) {
        fw_date_format_iso(o->newest_alert_s, newest);
    }
    fprintf(f, "{\"oblast_iso\":\"%s\",\"oblast\":\"%s\",\"at\":\"%s\",",
            o->oblast_iso, ob ? ob->name_en : "", at);
    json_num(f, "p_alert_6h", o->p[0], 4);
    fputc(',', f);
    json_num(f, "p_alert_24h", o->p[1], 4);
    fputc(',', f);
    json_num(f, "usual_6h", o->usual[0], 4);
    fputc(',', f);
    json_num(f, "usual_24h", o->usual[1], 4);
    fprintf(f, ",\"under_alert_now\":%s,",
            o->has_outlook ? (o->is_now ? "true" : "false") : "null");
    json_num(f, "hours_since_alert_end", o->h_since_end, 1);
    fputc(',', f);
    json_num(f, "alerts_started_24h", o->starts_24h, 0);
    fputc(',', f);
    json_num(f, "alert_hours_24h", o->alert_h_24h, 1);
    if (newest[0]) {
        fprintf(f, ",\"newest_alert\":\"%s\"", newest);
    } else {
        fputs(",\"newest_alert\":null", f);
    }
    if (o->has_outlook) {
        fputs(",\"withheld\":null", f);
    } else {
        fprintf(f, ",\"withheld\":\"%s\"", o->why);
    }
    fprintf(f, ",\"model\":{\"kind\":\"%s\",\"trained_until\":\"%s\",",
            o->kind, fw_outlook_model_until(m));
    if (model_file == NULL) {
        fputs("\"file\":null}}\n", f);
        return;
    }
    fputs("\"file\":\"", f);
    for (const char *c = model_file; *c; c++) {
        if (*c == '"' || *c == '\\') {
            fputc('\\', f);
        }
        if ((unsigned char)*c >= 0x20) {
            fputc(*c, f);
        }
    }
    fputs("\"}}\n", f);
}


fw_err fw_outlook_at(fw_store *st, const fw_outlook_model *m,
                     const char *oblast_iso, int64_t at_s,
                     struct fw_outlook *out, struct fw_diag *d)
{
    memset(out, 0, sizeof *out);
    int64_t t = at_s - (((at_s % HOUR) + HOUR) % HOUR);
    snprintf(out->oblast_iso, sizeof out->oblast_iso, "%s",
             oblast_iso ? oblast_iso : "");
    out->at_s = t;
    out->kind = fw_outlook_kind_name(m->kind);
    out->newest_alert_s = INT64_MIN;
    for (int h = 0; h < NH; h++) {
        out->p[h] = NAN;
        out->usual[h] = NAN;
    }
    out->h_since_end = out->alert_h_24h = out->starts_24h = NAN;
    int r = fw_panel_region_index(oblast_iso);
    if (r < 0) {
        snprintf(out->why, sizeof out->why,
                 "%s has permanent sirens (Luhansk oblast, Crimea) or no"
                 " alert data",
                 oblast_iso ? oblast_iso : "this place");
        return FW_OK;
    }
    fw_alert_history *hist = NULL;
    fw_err err = fw_alert_history_load(st, t, t, &hist, d);
    if (err != FW_OK) {
        return err;
    }
    out->newest_alert_s = fw_alert_history_end_s(hist);
    struct fw_alert_panel p;
    err = fw_alert_panel_build(hist, m->adj, t, t + 1, &p, d);
    fw_alert_history_free(hist);
    if (err != FW_OK) {
        return err;
    }
    size_t row = (size_t)r;
    int hour = (int)p.x[row * FW_PF_N + FW_PF_HOUR_LOCAL];
    for (int h = 0; h < NH; h++) {
        out->usual[h] = fw_outlook_usual(m, h, (size_t)r, hour);
    }
    if (!p.is_fresh[0]) {
        char when[21] = "never";
        if (out->newest_alert_s != INT64_MIN) {
            fw_date_format_iso(out->newest_alert_s, when);
        }
        snprintf(out->why, sizeof out->why,
                 "the newest alert data (%s) is more than %d hours older"
                 " than the time asked",
                 when, FW_PANEL_FRESH_H);
        fw_alert_panel_reset(&p);
        return FW_OK;
    }
    out->is_now = p.is_now[row];
    out->h_since_end = p.x[row * FW_PF_N + FW_PF_H_SINCE_END];
    out->alert_h_24h = p.x[row * FW_PF_N + FW_PF_ALERT_H_24H];
    out->starts_24h = p.x[row * FW_PF_N + FW_PF_STARTS_24H];
    for (int h = 0; h < NH && err == FW_OK; h++) {
        err = fw_outlook_predict(m, &p, h, row, 1, &out->p[h], d);
    }
    fw_alert_panel_reset(&p);
    out->has_outlook = err == FW_OK;
    return err;
}
