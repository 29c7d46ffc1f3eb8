/*
 * api_alerts.c - /api/alerts?oblast=&from=&to=: the hours under air-raid
 * alert in an oblast per day (oblast, raion and hromada alerts merged, as
 * assess counts them); null for a day the alert data does not reach (as
 * assess: before the oblast's first alert, or more than
 * FW_ASSESS_ALERT_STALE_DAYS after the newest alert anywhere).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

#include "api_int.h"
#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"

#define MAX_DAYS 1500

/* The value of a one-number query with one bound time (or oblast), or
 * INT64_MIN when there is no row. */
static fw_err one_time(fw_store *st, const char *sql, int64_t t,
                       const char *iso, int64_t *out, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st, sql, &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (iso != NULL) {
        sqlite3_bind_text(s, 1, iso, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_int64(s, 1, t);
    }
    *out = INT64_MIN;
    if (sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *out = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return FW_OK;
}

void api_alerts(struct api_req *rq, struct api_resp *rs)
{
    const char *ob = api_param(rq, "oblast");
    const struct fw_oblast *o = ob ? fw_oblast_by_name(ob) : NULL;
    if (o == NULL) {
        api_error(rs, 400, "bad_parameter",
                  "oblast: an oblast as UA-63, Kharkiv or Харківська");
        return;
    }
    int64_t from_s, to_s;
    if (api_param_day(rq, rs, "to", rq->today_s, &to_s) != 0 ||
        api_param_day(rq, rs, "from", to_s - 29 * (int64_t)FW_DAY_S,
                      &from_s) != 0) {
        return;
    }
    if (from_s > to_s || (to_s - from_s) / FW_DAY_S >= MAX_DAYS) {
        api_error(rs, 400, "bad_parameter",
                  "from, to: from at or before to, at most %d days", MAX_DAYS);
        return;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct fw_interval *iv = NULL;
    size_t n = 0;
    int64_t end_s = to_s + FW_DAY_S;
    fw_err err = fw_assess_alert_intervals(rq->ctx->st, o->iso, from_s, end_s,
                                           &iv, &n, &d);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        return;
    }
    int64_t first_s;
    err = one_time(rq->ctx->st,
                   "SELECT min(start_s) FROM alert WHERE oblast_iso = ?1", 0,
                   o->iso, &first_s, &d);
    if (err != FW_OK) {
        free(iv);
        api_fail(rs, err, &d);
        return;
    }
    char a[11], b[11];
    fw_date_format_day(from_s, a);
    fw_date_format_day(to_s, b);
    api_ok(rs, "application/json");
    fprintf(rs->f,
            "{\"oblast\":\"%s\",\"oblast_name\":\"%s\",\"from\":\"%s\","
            "\"to\":\"%s\",\"alert_periods\":%zu,\"days\":[",
            o->iso, o->name_en, a, b, n);
    for (int64_t t = from_s; t <= to_s; t += FW_DAY_S) {
        int64_t at = t + FW_DAY_S - 1, newest = INT64_MIN;
        err = one_time(rq->ctx->st,
                       "SELECT max(start_s) FROM alert WHERE start_s <= ?1",
                       at, NULL, &newest, &d);
        fw_date_format_day(t, a);
        fprintf(rs->f, "%s{\"date\":\"%s\",\"alert_hours\":",
                t > from_s ? "," : "", a);
        if (err == FW_OK && first_s <= at && newest != INT64_MIN &&
            at - newest <= FW_ASSESS_ALERT_STALE_DAYS * FW_DAY_S) {
            fprintf(rs->f, "%.2f}",
                    fw_assess_covered_s(iv, n, t, t + FW_DAY_S) / 3600.0);
        } else {
            fputs("null}", rs->f);
        }
    }
    fprintf(rs->f, "]}\n");
    free(iv);
}
