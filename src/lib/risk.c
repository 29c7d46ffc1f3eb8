/*
 * risk.c - the places most at risk of occupation on a date (risk.h).
 */
#include "frontwatch/risk.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/dataset.h"
#include "frontwatch/date.h"

#define DAY ((int64_t)FW_DAY_S)

struct ranked {
    struct fw_place_forecast *f;
    double p;
};

static int by_p_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p != y->p) {
        return x->p > y->p ? -1 : 1;
    }
    return (x->f->place_id > y->f->place_id) -
           (x->f->place_id < y->f->place_id);
}

void fw_risk_free(struct fw_risk *r)
{
    if (r == NULL) {
        return;
    }
    free(r->entries);
    free(r->all_);
    memset(r, 0, sizeof *r);
}

fw_err fw_risk_rank(const fw_forecast *fc, fw_store *st, fw_geo *g,
                    int64_t date_s, int horizon_days, size_t top,
                    struct fw_risk *out, struct fw_diag *d)
{
    if ((horizon_days != 30 && horizon_days != 90) || top == 0) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "horizon must be 30 or 90 and top at least 1");
    }
    int h = horizon_days == FW_HORIZON_DAYS[0] ? 0 : 1;
    struct fw_risk r;
    memset(&r, 0, sizeof r);
    struct ranked *rk = NULL;
    size_t n = 0;
    /* data published by the end of the day, as assess (the next day's
     * midnight is the next day); reasons only for the places shown, below:
     * the trees' SHAP values of every place took half of a ranking */
    fw_err err =
        fw_forecast_places(fc, st, g, NULL, 0, date_s + DAY - 1, 0, &r.all_, &n, d);
    if (err != FW_OK) {
        goto fail;
    }
    rk = malloc((n ? n : 1) * sizeof *rk);
    if (rk == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if (r.all_[i].state == FW_FORECAST_OK) {
            rk[r.n_scored].f = &r.all_[i];
            rk[r.n_scored++].p = r.all_[i].p[h];
        }
    }
    if (r.n_scored == 0) {
        char day[11];
        fw_date_format_day(date_s, day);
        err = fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                          "no place has a forecast on %s: no front-line "
                          "map within %d days",
                          day, FW_DATASET_MAX_MAP_AGE_DAYS);
        goto fail;
    }
    qsort(rk, r.n_scored, sizeof *rk, by_p_desc);
    r.n = top < r.n_scored ? top : r.n_scored;
    r.entries = calloc(r.n, sizeof *r.entries);
    if (r.entries == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < r.n; i++) {
        r.entries[i].forecast = rk[i].f;
        if ((err = fw_forecast_reasons(fc, rk[i].f, d)) != FW_OK ||
            (err = fw_place_get(st, rk[i].f->place_id, &r.entries[i].place,
                                d)) != FW_OK) {
            goto fail;
        }
    }
    r.date_s = date_s;
    r.horizon_days = horizon_days;
    snprintf(r.series, sizeof r.series, "%s", rk[0].f->series);
    r.map_s = rk[0].f->map_s;
    snprintf(r.model_until, sizeof r.model_until, "%s",
             fw_forecast_meta_of(fc)->until);
    free(rk);
    *out = r;
    return FW_OK;
fail:
    free(rk);
    fw_risk_free(&r);
    return err;
}

void fw_risk_write_json(const struct fw_risk *r, FILE *f)
{
    int h = r->horizon_days == FW_HORIZON_DAYS[0] ? 0 : 1;
    char day[11], map[11];
    fw_date_format_day(r->date_s, day);
    fw_date_format_day(r->map_s, map);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "date", day);
    cJSON_AddNumberToObject(root, "horizon_days", (double)r->horizon_days);
    cJSON_AddStringToObject(root, "series", r->series);
    cJSON_AddStringToObject(root, "map", map);
    cJSON_AddNumberToObject(root, "map_age_days",
                            (double)((r->date_s + DAY - 1 - r->map_s) / DAY));
    cJSON_AddStringToObject(root, "model_trained_until", r->model_until);
    cJSON_AddNumberToObject(root, "places_scored", (double)r->n_scored);
    cJSON *arr = cJSON_AddArrayToObject(root, "places");
    for (size_t i = 0; i < r->n; i++) {
        const struct fw_place_forecast *pf = r->entries[i].forecast;
        const struct fw_place *pl = &r->entries[i].place;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "rank", (double)(i + 1));
        cJSON_AddNumberToObject(o, "id", (double)pl->id);
        cJSON_AddStringToObject(o, "name", pl->name);
        if (pl->name_local[0] != '\0') {
            cJSON_AddStringToObject(o, "name_local", pl->name_local);
        }
        cJSON_AddStringToObject(o, "oblast_iso", pl->oblast_iso);
        cJSON_AddNumberToObject(o, "p_occupied_30d", pf->p[0]);
        cJSON_AddNumberToObject(o, "p_occupied_90d", pf->p[1]);
        cJSON_AddNumberToObject(o, "distance_km", pf->distance_km);
        cJSON *rs = cJSON_AddArrayToObject(o, "reasons");
        for (size_t k = 0; k < pf->n_reasons[h]; k++) {
            cJSON_AddItemToArray(rs,
                                 cJSON_CreateString(pf->reasons[h][k].text));
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *txt = cJSON_PrintUnformatted(root);
    if (txt != NULL) {
        fprintf(f, "%s\n", txt);
    }
    cJSON_free(txt);
    cJSON_Delete(root);
}
