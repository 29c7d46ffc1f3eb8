/*
 * api_places.c - /api/places?q= (every place a name means, any spelling)
 * and /api/places/{id}.
 */
#include <stdlib.h>

#include "api_int.h"

void api_places(struct api_req *rq, struct api_resp *rs)
{
    const char *q = api_param(rq, "q");
    long limit = 0;
    if (q == NULL || *q == '\0') {
        api_error(rs, 400, "bad_parameter",
                  "q: give a name to look for (Latin or Cyrillic), e.g. "
                  "q=Kharkiv");
        return;
    }
    if (api_param_long(rq, rs, "limit", 1, FW_API_MAX_TOP, 20, &limit) != 0) {
        return;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct fw_place *v = NULL, *sug = NULL;
    size_t n = 0, n_sug = 0;
    fw_err err = fw_place_find(rq->ctx->st, q, &v, &n, &d);
    if (err == FW_OK && n == 0) {
        err = fw_place_suggest(rq->ctx->st, q, 8, &sug, &n_sug, &d);
    }
    if (err != FW_OK) {
        /* an empty query or an unknown oblast after the comma */
        api_error(rs, err == FW_ENOTFOUND || err == FW_EUSAGE ? 400 : 500,
                  "bad_parameter", "q: %s", d.msg);
        goto out;
    }
    api_ok(rs, "application/json");
    fprintf(rs->f, "{\"query\":");
    api_write_string(rs->f, q);
    fprintf(rs->f, ",\"count\":%zu,\"places\":[", n);
    for (size_t i = 0; i < n && i < (size_t)limit; i++) {
        if (i > 0) {
            fputc(',', rs->f);
        }
        api_write_place(rs->f, &v[i]);
    }
    fprintf(rs->f, "],\"suggestions\":[");
    for (size_t i = 0; i < n_sug; i++) {
        if (i > 0) {
            fputc(',', rs->f);
        }
        api_write_place(rs->f, &sug[i]);
    }
    fprintf(rs->f, "]}\n");
out:
    free(v);
    free(sug);
}

void api_place_by_id(struct api_req *rq, struct api_resp *rs)
{
    struct fw_place p;
    if (api_place(rq, rs, &p) != 0) {
        return;
    }
    api_ok(rs, "application/json");
    api_write_place(rs->f, &p);
    fputc('\n', rs->f);
}
