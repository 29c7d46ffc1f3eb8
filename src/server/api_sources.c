/*
 * api_sources.c - /api/sources (each source's newest data and its age)
 * and /api/meta (what the dashboard needs first: the span of the maps,
 * the weeks of the slider, whether there is a model).
 */
#include <sqlite3.h>
#include <time.h>

#include "api_int.h"
#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/update.h"

#define DAY ((int64_t)FW_DAY_S)

/* The first and newest map publication of any source (0 when none). */
static fw_err map_span(fw_store *st, int64_t *first_s, int64_t *newest_s,
                       struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st,
                                  "SELECT coalesce(min(published_s), 0),"
                                  " coalesce(max(published_s), 0)"
                                  " FROM snapshot WHERE suspect IS NULL",
                                  &s, d);
    if (err != FW_OK) {
        return err;
    }
    *first_s = *newest_s = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *first_s = sqlite3_column_int64(s, 0);
        *newest_s = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return FW_OK;
}

void api_meta(struct api_req *rq, struct api_resp *rs)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t first_s, newest_s;
    fw_err err = map_span(rq->ctx->st, &first_s, &newest_s, &d);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        return;
    }
    api_ok(rs, "application/json");
    char a[11], b[11];
    fprintf(rs->f, "{\"static\":false");
    if (newest_s == 0) {
        fprintf(rs->f, ",\"first\":null,\"newest\":null,\"dates\":[]");
    } else {
        fw_date_format_day(first_s, a);
        fw_date_format_day(newest_s, b);
        fprintf(rs->f, ",\"first\":\"%s\",\"newest\":\"%s\",\"dates\":[", a,
                b);
        /* the Mondays from the first map on, and the newest day */
        int64_t day = fw_date_floor_day(first_s);
        int64_t monday = day + ((7 - (day / DAY + 3) % 7) % 7) * DAY;
        int64_t last = fw_date_floor_day(newest_s);
        int n = 0;
        for (int64_t t = monday; t < last; t += 7 * DAY) {
            fw_date_format_day(t, a);
            fprintf(rs->f, "%s\"%s\"", n++ ? "," : "", a);
        }
        fprintf(rs->f, "%s\"%s\"]", n ? "," : "", b);
    }
    const fw_forecast *fc = rq->ctx->fc;
    fprintf(rs->f, ",\"basis\":\"%s\",\"model_trained_until\":",
            fc ? "model" : "distance");
    if (fc != NULL) {
        api_write_string(rs->f, fw_forecast_meta_of(fc)->until);
    } else {
        fputs("null", rs->f);
    }
    fprintf(rs->f, ",\"data_version\":%lld}\n", (long long)rq->data_version);
}

static void source_json(FILE *f, int is_first, const char *name,
                        const char *what, int64_t newest_s, int64_t now_s,
                        int is_stale)
{
    char iso[21];
    fprintf(f, "%s{\"name\":\"%s\",\"what\":", is_first ? "" : ",", name);
    api_write_string(f, what);
    if (newest_s > 0) {
        fw_date_format_iso(newest_s, iso);
        fprintf(f, ",\"newest\":\"%s\",\"age_days\":%.1f", iso,
                (double)(now_s - newest_s) / DAY);
    } else {
        fprintf(f, ",\"newest\":null,\"age_days\":null");
    }
    fprintf(f, ",\"stale\":%s}", is_stale ? "true" : "false");
}

void api_sources(struct api_req *rq, struct api_resp *rs)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t now_s = (int64_t)time(NULL);
    api_ok(rs, "application/json");
    fprintf(rs->f, "{\"sources\":[");
    for (int s = 0; s < FW_UPDATE_N_SOURCES; s++) {
        const struct fw_update_source_info *info =
            fw_update_source_info((enum fw_update_source)s);
        struct fw_update_status st;
        fw_err err =
            fw_update_status(rq->ctx->st, (enum fw_update_source)s, &st, &d);
        if (err != FW_OK) {
            api_fail(rs, err, &d);
            return;
        }
        source_json(rs->f, s == 0, info->name, info->what, st.newest_s, now_s,
                    fw_update_is_stale(info, now_s, st.newest_s));
    }
    /* NZZ's maps come only as files (no live source): their age all the
     * same */
    struct fw_snapshot_info snap;
    fw_err err = fw_geo_snapshot_at(rq->ctx->g, "nzz", now_s, &snap, &d);
    int64_t nzz_s = err == FW_OK ? snap.published_s : 0;
    source_json(rs->f, 0, "nzz", "NZZ / liveuamap occupied area (files)",
                nzz_s, now_s,
                nzz_s <= 0 ||
                    now_s - nzz_s > FW_ASSESS_MAP_STALE_DAYS * DAY);
    fprintf(rs->f, "],\"now\":");
    char iso[21];
    fw_date_format_iso(now_s, iso);
    api_write_string(rs->f, iso);
    fprintf(rs->f, "}\n");
}
