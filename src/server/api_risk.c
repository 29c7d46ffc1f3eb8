/*
 * api_risk.c - /api/risk?date=&horizon=&top=: the ranking `risk --json`
 * prints (risk.c).
 */
#include "api_int.h"
#include "frontwatch/risk.h"

void api_risk(struct api_req *rq, struct api_resp *rs)
{
    int64_t day_s;
    long horizon, top;
    if (api_param_day(rq, rs, "date", rq->today_s, &day_s) != 0 ||
        api_param_long(rq, rs, "horizon", 30, 90, 90, &horizon) != 0 ||
        api_param_long(rq, rs, "top", 1, FW_API_MAX_TOP, 20, &top) != 0) {
        return;
    }
    if (horizon != 30 && horizon != 90) {
        api_error(rs, 400, "bad_parameter", "horizon: 30 or 90 (days)");
        return;
    }
    if (!api_need_model(rq, rs) || !api_heavy_enter(rq, rs)) {
        return;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct fw_risk r = {0};
    struct api_ctx *c = rq->ctx;
    fw_err err = fw_risk_rank(c->fc, c->st, c->g, day_s, (int)horizon,
                              (size_t)top, &r, &d);
    api_heavy_leave(rq);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        return;
    }
    api_ok(rs, "application/json");
    fw_risk_write_json(&r, rs->f);
    fw_risk_free(&r);
}
