/*
 * api_alerts.c - /api/alerts?oblast=&from=&to=: the hours under air-raid
 * alert in an oblast per day (oblast, raion and hromada alerts merged, as
 * assess counts them).
 */
#include <stdlib.h>

#include "api_int.h"
#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"

#define MAX_DAYS 1500

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
    char a[11], b[11];
    fw_date_format_day(from_s, a);
    fw_date_format_day(to_s, b);
    api_ok(rs, "application/json");
    fprintf(rs->f,
            "{\"oblast\":\"%s\",\"oblast_name\":\"%s\",\"from\":\"%s\","
            "\"to\":\"%s\",\"alerts\":%zu,\"days\":[",
            o->iso, o->name_en, a, b, n);
    for (int64_t t = from_s; t <= to_s; t += FW_DAY_S) {
        fw_date_format_day(t, a);
        fprintf(rs->f, "%s{\"date\":\"%s\",\"alert_hours\":%.2f}",
                t > from_s ? "," : "", a,
                fw_assess_covered_s(iv, n, t, t + FW_DAY_S) / 3600.0);
    }
    fprintf(rs->f, "]}\n");
    free(iv);
}
