/*
 * api_assess.c - /api/assess/{place}?date=: the object `assess --json`
 * prints, from the same functions, with the air-raid alert outlook when
 * the server has an alert model (serve --alert-model).
 */
#include <stdlib.h>

#include "api_int.h"
#include "frontwatch/assess.h"

/* A copy of the forecast f (NULL: none) into *out. 0, or -1. */
static int copy_forecast(const struct fw_place_forecast *f,
                         struct fw_place_forecast **out)
{
    *out = NULL;
    if (f == NULL) {
        return 0;
    }
    *out = malloc(sizeof **out);
    if (*out == NULL) {
        return -1;
    }
    **out = *f;
    return 0;
}

void api_assess_forget(struct api_ctx *c)
{
    free(c->memo);
    free(c->memo_pf);
    c->memo = NULL;
    c->memo_pf = NULL;
    c->memo_place_id = 0;
}

int api_assess_place(struct api_req *rq, struct api_resp *rs,
                     const struct fw_place *place, int64_t day_s,
                     struct fw_assessment *a, struct fw_place_forecast **pf)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    struct api_ctx *c = rq->ctx;
    *pf = NULL;
    if (c->memo != NULL && c->memo_place_id == place->id &&
        c->memo_day_s == day_s && c->memo_version == c->data_version) {
        *a = *c->memo;
        if (copy_forecast(c->memo_pf, pf) != 0) {
            api_error(rs, 503, "out_of_memory", "out of memory, try again");
            return -1;
        }
        a->forecast = *pf;
        return 0;
    }
    fw_err err = fw_assess(c->st, c->g, place, day_s, a, &d);
    if (err == FW_OK && c->fc != NULL) {
        int found = 0;
        *pf = malloc(sizeof **pf);
        if (*pf == NULL) {
            err = fw_diag_set(&d, FW_ENOMEM, 0, 0, "out of memory");
        } else {
            err = api_place_forecast(rq, place->id, a->at_s, *pf, &found, &d);
        }
        if (err == FW_OK && found) {
            err = fw_forecast_reasons(c->fc, *pf, &d);
        }
        a->model = fw_forecast_meta_of(c->fc);
        a->forecast = err == FW_OK && found ? *pf : NULL;
    }
    if (err != FW_OK) {
        free(*pf);
        *pf = NULL;
        api_fail(rs, err, &d);
        return -1;
    }
    api_assess_forget(c);
    c->memo = malloc(sizeof *c->memo);
    if (c->memo != NULL && copy_forecast(a->forecast, &c->memo_pf) == 0) {
        *c->memo = *a;
        c->memo->forecast = c->memo_pf;
        c->memo_place_id = place->id;
        c->memo_day_s = day_s;
        c->memo_version = c->data_version;
    } else {
        api_assess_forget(c); /* no memo is no error */
    }
    return 0;
}

int api_assess_request(struct api_req *rq, struct api_resp *rs,
                       struct fw_place *place, int64_t *day_s,
                       struct fw_assessment *a,
                       struct fw_place_forecast **pf)
{
    *pf = NULL;
    if (api_place(rq, rs, place) != 0 ||
        api_param_day(rq, rs, "date", rq->today_s, day_s) != 0) {
        return -1;
    }
    return api_assess_place(rq, rs, place, *day_s, a, pf);
}

void api_assess(struct api_req *rq, struct api_resp *rs)
{
    struct fw_place place;
    int64_t day_s;
    struct fw_assessment a;
    struct fw_place_forecast *pf = NULL;
    if (api_assess_request(rq, rs, &place, &day_s, &a, &pf) != 0) {
        return;
    }
    struct fw_outlook o;
    if (rq->ctx->om != NULL) {
        /* as `assess --alert-model`: the end of the day asked, or now
         * while that is to come, when the answer changes by the hour and
         * is not kept */
        int64_t at = a.at_s < rq->now_s ? a.at_s : rq->now_s;
        if (at == rq->now_s) {
            rs->is_cacheable = 0;
        }
        struct fw_diag d;
        fw_diag_reset(&d);
        fw_err err = fw_outlook_at(rq->ctx->st, rq->ctx->om, place.oblast_iso,
                                   at, &o, &d);
        if (err != FW_OK) {
            free(pf);
            api_fail(rs, err, &d);
            return;
        }
        a.outlook = &o;
    }
    api_ok(rs, "application/json");
    fw_assess_write_json(&a, rs->f);
    free(pf);
}
