/*
 * forecast.c - the model file and per-place probabilities with reasons
 * (see forecast.h).
 */
#include "frontwatch/forecast.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/date.h"
#include "frontwatch/io.h"

#define FORMAT_NAME "frontwatch-occupation-model"
#define FORMAT_VERSION 1
#define MAX_FILE_BYTES ((long)64 << 20)
#define DAY ((int64_t)FW_DAY_S)

struct fw_forecast {
    fw_model *m[FW_N_HORIZONS];
    struct fw_forecast_meta meta;
};

const struct fw_forecast_meta *fw_forecast_meta_of(const fw_forecast *fc)
{
    return &fc->meta;
}

void fw_forecast_free(fw_forecast *fc)
{
    if (fc == NULL) {
        return;
    }
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        fw_model_free(fc->m[h]);
    }
    free(fc);
}

fw_err fw_forecast_data_sha256(fw_store *st, char hex[65], size_t *n_files,
                               struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st, "SELECT name, sha256 FROM ingest_log ORDER BY name, sha256", &s,
        d);
    if (err != FW_OK) {
        return err;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        sqlite3_finalize(s);
        return FW_ENOMEM;
    }
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *sha = (const char *)sqlite3_column_text(s, 1);
        char line[1200];
        int len = snprintf(line, sizeof line, "%s  %s\n", sha ? sha : "",
                           name ? name : "");
        EVP_DigestUpdate(ctx, line, (size_t)len < sizeof line
                                        ? (size_t)len
                                        : sizeof line - 1);
        n++;
    }
    if (rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
    }
    sqlite3_finalize(s);
    unsigned char md[32];
    unsigned int md_len = 0;
    EVP_DigestFinal_ex(ctx, md, &md_len);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    *n_files = n;
    return err;
}

/* ---- the file ---- */

static int add_skill(cJSON *o, const struct fw_forecast_skill *s)
{
    if (!s->has) {
        return cJSON_AddNullToObject(o, "backtest") != NULL;
    }
    cJSON *b = cJSON_AddObjectToObject(o, "backtest");
    return b && cJSON_AddStringToObject(b, "window_from", s->window_from) &&
           cJSON_AddStringToObject(b, "window_to", s->window_to) &&
           cJSON_AddNumberToObject(b, "n", (double)s->n) &&
           cJSON_AddNumberToObject(b, "positives", (double)s->n_pos) &&
           cJSON_AddNumberToObject(b, "brier", s->brier) &&
           cJSON_AddNumberToObject(b, "bss_climatology", s->bss_climatology) &&
           cJSON_AddNumberToObject(b, "bss_distance", s->bss_distance) &&
           cJSON_AddNumberToObject(b, "auroc", s->auroc) &&
           cJSON_AddNumberToObject(b, "ap", s->ap) &&
           cJSON_AddNumberToObject(b, "ap_distance", s->ap_distance) &&
           cJSON_AddNumberToObject(b, "reliability_bins_consistent_eff",
                                   s->rel_consistent_eff) &&
           cJSON_AddNumberToObject(b, "reliability_bins_consistent",
                                   s->rel_consistent) &&
           cJSON_AddNumberToObject(b, "reliability_bins", s->rel_nonempty);
}

fw_err fw_forecast_save(const char *path, fw_model *const *models,
                        const struct fw_forecast_meta *meta,
                        struct fw_diag *d)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *feats = cJSON_CreateStringArray(FW_FEATURE_NAMES, FW_N_FEATURES);
    cJSON *series = cJSON_CreateStringArray(FW_SERIES, FW_N_SERIES);
    int ok = j && feats && series &&
             cJSON_AddStringToObject(j, "format", FORMAT_NAME) &&
             cJSON_AddNumberToObject(j, "version", FORMAT_VERSION) &&
             cJSON_AddStringToObject(j, "created", meta->created) &&
             cJSON_AddStringToObject(j, "command", meta->command) &&
             cJSON_AddStringToObject(j, "selection", meta->selection) &&
             cJSON_AddStringToObject(j, "trained_until", meta->until) &&
             cJSON_AddStringToObject(j, "data_sha256", meta->data_sha256) &&
             cJSON_AddNumberToObject(j, "data_files",
                                     (double)meta->data_files) &&
             cJSON_AddItemToObject(j, "features", feats) &&
             cJSON_AddItemToObject(j, "series", series);
    if (!ok) {
        if (j == NULL || !cJSON_IsArray(cJSON_GetObjectItem(j, "features"))) {
            cJSON_Delete(feats);
        }
        if (j == NULL || !cJSON_IsArray(cJSON_GetObjectItem(j, "series"))) {
            cJSON_Delete(series);
        }
        cJSON_Delete(j);
        return FW_ENOMEM;
    }
    cJSON *hs = cJSON_AddArrayToObject(j, "horizons");
    ok = hs != NULL;
    for (int h = 0; ok && h < FW_N_HORIZONS; h++) {
        cJSON *o = cJSON_CreateObject();
        cJSON *m = fw_model_to_json(models[h], d);
        ok = o && m && cJSON_AddItemToArray(hs, o);
        if (!ok) {
            cJSON_Delete(o);
            cJSON_Delete(m);
            break;
        }
        ok = cJSON_AddNumberToObject(o, "days", FW_HORIZON_DAYS[h]) &&
             cJSON_AddNumberToObject(o, "training_rows",
                                     (double)meta->n_rows[h]) &&
             cJSON_AddNumberToObject(o, "training_positives",
                                     (double)meta->n_pos[h]) &&
             add_skill(o, &meta->skill[h]) &&
             cJSON_AddItemToObject(o, "model", m);
    }
    char *text = ok ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (text == NULL) {
        return ok ? FW_ENOMEM : fw_diag_set(d, FW_ENOMEM, 0, 0,
                                            "cannot write the model");
    }
    fw_err err = fw_io_write_text_atomic(path, text, d);
    free(text);
    return err;
}

static void get_str(const cJSON *o, const char *k, char *out, size_t cap)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    snprintf(out, cap, "%s", cJSON_IsString(x) ? x->valuestring : "");
}

static double get_num(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* A count from the file: -1 when missing or not a count. */
static int get_count(const cJSON *o, const char *k)
{
    double v = get_num(o, k);
    return v >= 0 && v <= 1000 ? (int)v : -1;
}

static void read_skill(const cJSON *o, struct fw_forecast_skill *s)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "backtest");
    memset(s, 0, sizeof *s);
    if (!cJSON_IsObject(b)) {
        return;
    }
    s->has = 1;
    get_str(b, "window_from", s->window_from, sizeof s->window_from);
    get_str(b, "window_to", s->window_to, sizeof s->window_to);
    s->n = (size_t)fmax(0, get_num(b, "n"));
    s->n_pos = (size_t)fmax(0, get_num(b, "positives"));
    s->brier = get_num(b, "brier");
    s->bss_climatology = get_num(b, "bss_climatology");
    s->bss_distance = get_num(b, "bss_distance");
    s->auroc = get_num(b, "auroc");
    s->ap = get_num(b, "ap");
    s->ap_distance = get_num(b, "ap_distance");
    s->rel_consistent_eff = get_count(b, "reliability_bins_consistent_eff");
    s->rel_consistent = get_count(b, "reliability_bins_consistent");
    s->rel_nonempty = get_count(b, "reliability_bins");
}

static fw_err parse_file(const char *path, const cJSON *j, fw_forecast *fc,
                         struct fw_diag *d)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, FORMAT_NAME) != 0 ||
        get_num(j, "version") != FORMAT_VERSION) {
        return fw_diag_set(d, FW_EPARSE, 0, 0,
                           "%s: not a frontwatch model file (format %s, "
                           "version %d expected)",
                           path, FORMAT_NAME, FORMAT_VERSION);
    }
    const cJSON *feats = cJSON_GetObjectItemCaseSensitive(j, "features");
    int same = cJSON_IsArray(feats) &&
               cJSON_GetArraySize(feats) == FW_N_FEATURES;
    for (int f = 0; same && f < FW_N_FEATURES; f++) {
        const cJSON *x = cJSON_GetArrayItem(feats, f);
        same = cJSON_IsString(x) &&
               strcmp(x->valuestring, FW_FEATURE_NAMES[f]) == 0;
    }
    if (!same) {
        return fw_diag_set(d, FW_EPARSE, 0, 0,
                           "%s: made for other features than this program's"
                           " (train it again)",
                           path);
    }
    get_str(j, "created", fc->meta.created, sizeof fc->meta.created);
    get_str(j, "command", fc->meta.command, sizeof fc->meta.command);
    get_str(j, "selection", fc->meta.selection, sizeof fc->meta.selection);
    get_str(j, "trained_until", fc->meta.until, sizeof fc->meta.until);
    get_str(j, "data_sha256", fc->meta.data_sha256,
            sizeof fc->meta.data_sha256);
    fc->meta.data_files = (size_t)fmax(0, get_num(j, "data_files"));
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(j, "horizons");
    if (!cJSON_IsArray(hs) || cJSON_GetArraySize(hs) != FW_N_HORIZONS) {
        return fw_diag_set(d, FW_EPARSE, 0, 0, "%s: horizons missing or wrong",
                           path);
    }
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        const cJSON *o = cJSON_GetArrayItem(hs, h);
        if (get_num(o, "days") != FW_HORIZON_DAYS[h]) {
            return fw_diag_set(d, FW_EPARSE, 0, 0,
                               "%s: horizons[%d].days is not %d", path, h,
                               FW_HORIZON_DAYS[h]);
        }
        fc->meta.n_rows[h] = (size_t)fmax(0, get_num(o, "training_rows"));
        fc->meta.n_pos[h] = (size_t)fmax(0, get_num(o, "training_positives"));
        read_skill(o, &fc->meta.skill[h]);
        fw_err err = fw_model_from_json(
            cJSON_GetObjectItemCaseSensitive(o, "model"), &fc->m[h], d);
        if (err != FW_OK) {
            char msg[sizeof d->msg];
            snprintf(msg, sizeof msg, "%s", d->msg);
            return fw_diag_set(d, err, 0, 0, "%s: horizons[%d]: %s", path, h,
                               msg);
        }
        if (fw_model_n_features(fc->m[h]) != FW_N_FEATURES) {
            return fw_diag_set(d, FW_EPARSE, 0, 0,
                               "%s: horizons[%d].model.n_features is not %d",
                               path, h, FW_N_FEATURES);
        }
    }
    return FW_OK;
}

fw_err fw_forecast_load(const char *path, fw_forecast **out,
                        struct fw_diag *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot open model file %s",
                           path);
    }
    char *buf = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
        len <= MAX_FILE_BYTES && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)len + 1)) != NULL &&
        fread(buf, 1, (size_t)len, f) == (size_t)len) {
        buf[len] = '\0';
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot read model file %s%s",
                           path, len > MAX_FILE_BYTES ? " (over 64 MiB)" : "");
    }
    cJSON *j = cJSON_ParseWithLength(buf, (size_t)len);
    free(buf);
    if (j == NULL) {
        return fw_diag_set(d, FW_EPARSE, 0, 0, "%s: not JSON", path);
    }
    fw_forecast *fc = calloc(1, sizeof *fc);
    fw_err err = fc ? parse_file(path, j, fc, d) : FW_ENOMEM;
    cJSON_Delete(j);
    if (err != FW_OK) {
        fw_forecast_free(fc);
        return err;
    }
    *out = fc;
    return FW_OK;
}

/* ---- reasons in words ---- */

static void change_text(char *buf, size_t cap, double km, const char *what,
                        int days)
{
    if (fabs(km) < 0.05) {
        snprintf(buf, cap, "%s did not move in %d days", what, days);
    } else {
        snprintf(buf, cap, "%s moved %.1f km %s in %d days", what, fabs(km),
                 km < 0 ? "closer" : "away", days);
    }
}

void fw_forecast_reason_text(int f, const float *x, char *buf, size_t cap)
{
    double v = x[f];
    if (isnan(v)) {
        const char *what = f == FW_F_ALERT_HOURS_7D || f == FW_F_ALERT_RATIO
                               ? "air-raid alert data"
                           : f == FW_F_STRIKES_7D || f == FW_F_STRIKE_RATIO
                               ? "attack-wave data"
                           : f == FW_F_STRIKES_25KM_30D ||
                                   f == FW_F_STRIKES_25KM_RATIO
                               ? "incident data"
                           : f == FW_F_BORDER_DIST ? "state border"
                           : f == FW_F_CONTESTED_25KM
                               ? "map of contested areas"
                               : FW_FEATURE_NAMES[f];
        snprintf(buf, cap, "no %s for this date", what);
        return;
    }
    switch (f) {
    case FW_F_LOG_DIST:
        snprintf(buf, cap, "the occupied area is %.1f km away", expm1(v));
        break;
    case FW_F_DIST_CHANGE_7D:
        change_text(buf, cap, v, "the occupied area", 7);
        break;
    case FW_F_DIST_CHANGE_28D:
        change_text(buf, cap, v, "the occupied area", 28);
        break;
    case FW_F_DIST_CHANGE_90D:
        change_text(buf, cap, v, "the occupied area", 90);
        break;
    case FW_F_DIST_CHANGE_180D:
        change_text(buf, cap, v, "the occupied area", 180);
        break;
    case FW_F_STILL_10KM:
    case FW_F_STILL_25KM:
        if (v < 1) {
            snprintf(buf, cap,
                     "the occupied area within %d km changed in 28 days",
                     f == FW_F_STILL_10KM ? 10 : 25);
        } else {
            snprintf(buf, cap,
                     "the occupied area within %d km has not changed in %.0f "
                     "days",
                     f == FW_F_STILL_10KM ? 10 : 25, v);
        }
        break;
    case FW_F_OCC_10KM:
    case FW_F_OCC_25KM:
    case FW_F_OCC_50KM:
        snprintf(buf, cap, "%.0f km2 within %d km is occupied", expm1(v),
                 f == FW_F_OCC_10KM ? 10 : f == FW_F_OCC_25KM ? 25 : 50);
        break;
    case FW_F_OCC_50KM_CHANGE_28D:
        if (fabs(v) < 0.5) {
            snprintf(buf, cap,
                     "the occupied area within 50 km did not change in 28 "
                     "days");
        } else {
            snprintf(buf, cap,
                     "the occupied area within 50 km %s by %.0f km2 in 28 "
                     "days",
                     v > 0 ? "grew" : "shrank", fabs(v));
        }
        break;
    case FW_F_CONTESTED_25KM:
        snprintf(buf, cap, "%.0f km2 within 25 km is contested", expm1(v));
        break;
    case FW_F_ALERT_HOURS_7D:
        snprintf(buf, cap, "%.0f hours of air-raid alerts in its oblast in 7 "
                           "days", v);
        break;
    case FW_F_ALERT_RATIO:
        snprintf(buf, cap, "air-raid alerts in its oblast at %.1fx their "
                           "usual level", exp(v));
        break;
    case FW_F_STRIKES_7D:
        snprintf(buf, cap, "%.0f attack waves aimed at its oblast or region "
                           "in 7 days", v);
        break;
    case FW_F_STRIKE_RATIO:
        snprintf(buf, cap, "attack waves on its oblast or region at %.1fx "
                           "their usual level", exp(v));
        break;
    case FW_F_LOG_POP:
        snprintf(buf, cap, "population %.0f", expm1(v));
        break;
    case FW_F_SEASON_SIN:
    case FW_F_SEASON_COS:
        snprintf(buf, cap, "the time of year");
        break;
    case FW_F_BORDER_DIST:
        snprintf(buf, cap, "the Russian border is %.1f km away", expm1(v));
        break;
    case FW_F_STRIKES_25KM_30D:
        snprintf(buf, cap, "%.0f strikes within 25 km in 30 days", expm1(v));
        break;
    case FW_F_STRIKES_25KM_RATIO:
        snprintf(buf, cap, "strikes within 25 km at %.1fx the level of the "
                           "90 days before", exp(v));
        break;
    case FW_F_SOURCE_NZZ:
    default:
        snprintf(buf, cap, "the map source (%s)",
                 v > 0.5 ? "NZZ / liveuamap" : "DeepState");
        break;
    }
}

static fw_err reasons(const fw_model *m, struct fw_place_forecast *pf, int h,
                      struct fw_diag *d)
{
    double c[FW_N_FEATURES];
    fw_err err = fw_model_contributions(m, pf->x, c, d);
    if (err != FW_OK) {
        return err;
    }
    /* the season is one reason, not two */
    c[FW_F_SEASON_SIN] += c[FW_F_SEASON_COS];
    c[FW_F_SEASON_COS] = 0;
    int used[FW_N_FEATURES] = {0};
    pf->n_reasons[h] = 0;
    for (size_t r = 0; r < FW_FORECAST_N_REASONS; r++) {
        int best = -1;
        for (int f = 0; f < FW_N_FEATURES; f++) {
            if (!used[f] && fabs(c[f]) > 0.01 &&
                (best < 0 || fabs(c[f]) > fabs(c[best]))) {
                best = f;
            }
        }
        if (best < 0) {
            break;
        }
        used[best] = 1;
        struct fw_reason *rs = &pf->reasons[h][r];
        rs->feature = best;
        rs->contribution = c[best];
        fw_forecast_reason_text(best, pf->x, rs->text, sizeof rs->text);
        pf->n_reasons[h]++;
    }
    return FW_OK;
}

fw_err fw_forecast_reasons(const fw_forecast *fc, struct fw_place_forecast *pf,
                           struct fw_diag *d)
{
    if (pf->state != FW_FORECAST_OK) {
        return FW_OK;
    }
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        fw_err err = reasons(fc->m[h], pf, h, d);
        if (err != FW_OK) {
            return err;
        }
    }
    return FW_OK;
}

/* ---- places ---- */

fw_err fw_forecast_places(const fw_forecast *fc, fw_store *st, fw_geo *g,
                          const int64_t *ids, size_t n, int64_t at_s,
                          int with_reasons, struct fw_place_forecast **out,
                          size_t *n_out, struct fw_diag *d)
{
    *out = NULL;
    *n_out = 0;
    /* only the features the models read: the border and the strikes
     * near every place cost 0.3 s a day, and the shipped model may use
     * neither */
    unsigned char need[FW_N_FEATURES];
    for (size_t f = 0; f < FW_N_FEATURES; f++) {
        need[f] = 0;
        for (int h = 0; h < FW_N_HORIZONS; h++) {
            need[f] |= (unsigned char)fw_model_uses(fc->m[h], f);
        }
    }
    struct fw_dataset_opts o = {.from_s = at_s,
                                .to_s = at_s,
                                .place_ids = ids,
                                .n_place_ids = n,
                                .need = need};
    struct fw_dataset ds;
    fw_err err = fw_dataset_build(st, g, &o, &ds, d);
    if (err != FW_OK) {
        fw_dataset_free(&ds);
        return err;
    }
    /* the newest map of each series at the date */
    int64_t newest[FW_N_SERIES];
    for (int s = 0; err == FW_OK && s < FW_N_SERIES; s++) {
        struct fw_snapshot_info si;
        newest[s] = INT64_MIN;
        err = fw_geo_snapshot_at(g, FW_SERIES[s], at_s, &si, d);
        if (err == FW_OK) {
            newest[s] = si.published_s;
        } else if (err == FW_ENOTFOUND) {
            err = FW_OK;
        }
    }
    int best = 0;
    for (int s = 1; s < FW_N_SERIES; s++) {
        best = newest[s] > newest[best] ? s : best;
    }
    int has_map = newest[best] != INT64_MIN &&
                  at_s - newest[best] <= FW_DATASET_MAX_MAP_AGE_DAYS * DAY;
    size_t np = ds.n_places;
    struct fw_place_forecast *pf = calloc(np ? np : 1, sizeof *pf);
    long *row = malloc((np ? np : 1) * sizeof *row);
    float *x = malloc((np ? np : 1) * FW_N_FEATURES * sizeof *x);
    double *p = malloc((np ? np : 1) * sizeof *p);
    if (err == FW_OK && (pf == NULL || row == NULL || x == NULL || p == NULL)) {
        err = FW_ENOMEM;
    }
    for (size_t i = 0; err == FW_OK && i < np; i++) {
        row[i] = -1;
        pf[i].place_id = ds.places[i].id;
        pf[i].state = has_map ? FW_FORECAST_OCCUPIED : FW_FORECAST_NO_MAP;
        snprintf(pf[i].series, sizeof pf[i].series, "%s", FW_SERIES[best]);
        pf[i].map_s = has_map ? newest[best] : 0;
        pf[i].distance_km = has_map ? 0 : NAN;
        for (int h = 0; h < FW_N_HORIZONS; h++) {
            pf[i].p[h] = NAN;
        }
    }
    size_t n_rows = 0;
    for (size_t r = 0; err == FW_OK && has_map && r < ds.n; r++) {
        const struct fw_sample *s = &ds.s[r];
        if (s->series != best) {
            continue;
        }
        struct fw_place_forecast *f = &pf[s->place];
        f->state = FW_FORECAST_OK;
        f->map_s = s->map_s;
        f->distance_km = s->distance_km;
        memcpy(f->x, ds.x + r * FW_N_FEATURES, sizeof f->x);
        memcpy(x + n_rows * FW_N_FEATURES, f->x, sizeof f->x);
        row[n_rows++] = s->place;
    }
    for (int h = 0; err == FW_OK && h < FW_N_HORIZONS && n_rows > 0; h++) {
        err = fw_model_predict(fc->m[h], x, n_rows, p, d);
        for (size_t k = 0; err == FW_OK && k < n_rows; k++) {
            struct fw_place_forecast *f = &pf[row[k]];
            f->p[h] = p[k];
            if (with_reasons) {
                err = reasons(fc->m[h], f, h, d);
            }
        }
    }
    /* occupied within 30 days is occupied within 90: the horizons' models
     * are fitted apart, so the longer one is raised where it falls short */
    for (size_t k = 0; err == FW_OK && k < n_rows; k++) {
        struct fw_place_forecast *f = &pf[row[k]];
        for (int h = 1; h < FW_N_HORIZONS; h++) {
            f->p[h] = f->p[h] > f->p[h - 1] ? f->p[h] : f->p[h - 1];
        }
    }
    free(row);
    free(x);
    free(p);
    fw_dataset_free(&ds);
    if (err != FW_OK) {
        free(pf);
        return err;
    }
    *out = pf;
    *n_out = np;
    return FW_OK;
}
