/*
 * api_history.c - /api/history/{place}?from=&to=&step=: the place's
 * answer day by day (history.c), for the place page's charts.
 */
#include "api_int.h"
#include "frontwatch/date.h"
#include "frontwatch/history.h"

void api_history(struct api_req *rq, struct api_resp *rs)
{
    struct fw_place place;
    int64_t from_s, to_s;
    long step;
    if (api_place(rq, rs, &place) != 0 ||
        api_param_day(rq, rs, "to", rq->today_s, &to_s) != 0 ||
        api_param_day(rq, rs, "from", to_s - 365 * (int64_t)FW_DAY_S,
                      &from_s) != 0 ||
        api_param_long(rq, rs, "step", 1, 31, 1, &step) != 0) {
        return;
    }
    if (from_s > to_s) {
        api_error(rs, 400, "bad_parameter", "from: after to");
        return;
    }
    if (!api_heavy_enter(rq, rs)) {
        return;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct fw_history h = {0};
    struct api_ctx *c = rq->ctx;
    fw_err err = fw_history_build(c->st, c->g, c->fc, &place, 1, from_s, to_s,
                                  (int)step, &h, &d);
    api_heavy_leave(rq);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        return;
    }
    api_ok(rs, "application/json");
    fw_history_write_json(&h, &place, 0, (int)step, rs->f);
    fw_history_free(&h);
}
