/*
 * api_placemap.c - /api/placemap?date=: every place with its status,
 * distance and (with a model) probabilities on the day, for the
 * dashboard's map; the day's rows of the history (history.c), so the
 * map, the charts and the card agree.
 */
#include <math.h>
#include <stdlib.h>

#include "api_int.h"
#include "frontwatch/date.h"
#include "frontwatch/history.h"

static void num(FILE *f, const char *key, double v, int digits)
{
    if (isnan(v)) {
        fprintf(f, ",\"%s\":null", key);
    } else {
        fprintf(f, ",\"%s\":%.*f", key, digits, v);
    }
}

void api_placemap(struct api_req *rq, struct api_resp *rs)
{
    int64_t day_s;
    if (api_param_day(rq, rs, "date", rq->today_s, &day_s) != 0 ||
        !api_heavy_enter(rq, rs)) {
        return;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct api_ctx *c = rq->ctx;
    struct fw_place *pl = NULL;
    size_t n = 0;
    struct fw_history h = {0};
    fw_err err = fw_place_all(c->st, &pl, &n, &d);
    if (err == FW_OK && n == 0) {
        err = fw_diag_set(&d, FW_ENOTFOUND, 0, 0, "the store has no places");
    }
    if (err == FW_OK) {
        err = fw_history_build(c->st, c->g, c->fc, pl, n, day_s, day_s, 1, &h,
                               &d);
    }
    api_heavy_leave(rq);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        free(pl);
        return;
    }
    char day[11];
    fw_date_format_day(day_s, day);
    api_ok(rs, "application/json");
    fprintf(rs->f, "{\"date\":\"%s\",\"basis\":\"%s\",\"places\":[", day,
            c->fc != NULL ? "model" : "distance");
    for (size_t i = 0; i < n; i++) {
        const struct fw_history_row *r = &h.rows[i];
        fprintf(rs->f, "%s{\"id\":%lld,\"name\":", i ? "," : "",
                (long long)pl[i].id);
        api_write_string(rs->f, pl[i].name);
        fprintf(rs->f, ",\"name_local\":");
        if (pl[i].name_local[0] != '\0') {
            api_write_string(rs->f, pl[i].name_local);
        } else {
            fputs("null", rs->f);
        }
        fprintf(rs->f, ",\"oblast_iso\":\"%s\",\"lat\":%.5f,\"lon\":%.5f",
                pl[i].oblast_iso, pl[i].lat_deg, pl[i].lon_deg);
        if (pl[i].population >= 0) {
            fprintf(rs->f, ",\"population\":%ld", pl[i].population);
        } else {
            fputs(",\"population\":null", rs->f);
        }
        if (r->has_status) {
            fprintf(rs->f, ",\"status\":\"%s\"", fw_status_name(r->status));
        } else {
            fputs(",\"status\":null", rs->f);
        }
        num(rs->f, "distance_km", r->distance_km, 2);
        num(rs->f, "p_occupied_30d", r->p[0], 4);
        num(rs->f, "p_occupied_90d", r->p[1], 4);
        fputc('}', rs->f);
    }
    fprintf(rs->f, "]}\n");
    fw_history_free(&h);
    free(pl);
}
