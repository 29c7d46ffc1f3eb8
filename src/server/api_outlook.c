/*
 * api_outlook.c - /api/outlook/{place or oblast}?at=: the air-raid alert
 * outlook of the oblast (outlook.h), the JSON of `outlook --json`. Without
 * `at`, the current hour; the route is not cached for that reason.
 */
#include <stdlib.h>

#include "api_int.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"

void api_outlook(struct api_req *rq, struct api_resp *rs)
{
    if (rq->ctx->om == NULL) {
        api_error(rs, 404, "no_alert_model",
                  "the server runs without an alert model (serve "
                  "--alert-model F): no outlook");
        return;
    }
    int64_t at_s = rq->now_s;
    const char *at = api_param(rq, "at");
    if (at != NULL && fw_date_parse_timestamp(at, &at_s) != FW_OK) {
        api_error(rs, 400, "bad_parameter",
                  "at: expected a time such as 2023-12-01T18:00Z");
        return;
    }
    /* a place's oblast ("Kyiv" is the city), else an oblast by name or
     * code, else the place lookup's 404 or 300 */
    const struct fw_oblast *ob = fw_oblast_by_name(rq->arg);
    struct fw_place pl;
    const char *iso = NULL;
    if (ob != NULL) {
        struct fw_place *cands = NULL;
        size_t n_cands = 0, n_others = 0;
        struct fw_diag d;
        fw_diag_reset(&d);
        fw_err err = fw_place_resolve(rq->ctx->st, rq->arg, &pl, &n_others,
                                      &cands, &n_cands, &d);
        free(cands);
        iso = err == FW_OK ? pl.oblast_iso : ob->iso;
    } else if (api_place(rq, rs, &pl) == 0) {
        iso = pl.oblast_iso;
    } else {
        return;
    }
    struct fw_outlook o;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_outlook_at(rq->ctx->st, rq->ctx->om, iso, at_s, &o, &d);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        return;
    }
    api_ok(rs, "application/json");
    fw_outlook_write_json(&o, rq->ctx->om, NULL, rs->f);
}
