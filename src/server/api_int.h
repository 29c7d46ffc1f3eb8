/*
 * api_int.h - what the resources of the service share (src/server/):
 * the worker context, the parsed request, and the helpers that read
 * parameters and write answers. Each api_<resource>.c holds the handlers
 * of one resource; api.c holds the route table and the rest.
 */
#ifndef FRONTWATCH_API_INT_H
#define FRONTWATCH_API_INT_H

#include <stdio.h>

#include "frontwatch/api.h"
#include "frontwatch/assess.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/outlook.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"
#include "frontwatch/summary.h"

/* One worker's own handles, borrowed for one request. */
struct api_ctx {
    fw_store *st;
    fw_geo *g;
    fw_forecast *fc;          /* NULL: no model */
    fw_outlook_model *om;     /* NULL: no alert model */
    int64_t data_version;     /* of the store when g was made */
    int is_busy;
    /* the last assessment made (api_assess.c): the place page in two
     * languages and /api/assess of one place and day ask for the same */
    int64_t memo_place_id;    /* 0: none */
    int64_t memo_day_s, memo_version;
    struct fw_assessment *memo;
    struct fw_place_forecast *memo_pf; /* NULL: no forecast */
};

struct api_param {
    char name[64];
    char value[FW_API_MAX_PARAM_LEN + 1];
};

struct api_req {
    fw_api *api;
    struct api_ctx *ctx;
    const char *arg;          /* the path after the route's prefix, "" if
                                 none (decoded: "Kharkiv", "1862") */
    struct api_param params[FW_API_MAX_PARAMS];
    size_t n_params;
    enum fw_lang lang;        /* ?lang=, else Accept-Language, else en */
    const char *base;         /* to the site root, for pages */
    const char *base_url;     /* absolute, for feeds: "http://host:port" */
    int64_t today_s;          /* the day in Kyiv now (midnight UTC) */
    int64_t now_s;            /* now (fw_api_config.now_s in tests) */
    int64_t data_version;
};

/* The answer being made: handlers write the body into f. */
struct api_resp {
    int status;
    const char *content_type;
    FILE *f;                  /* open_memstream over *body */
    char **body;
    size_t *body_len;
    int is_cacheable;
    int retry_after_s;
};

/* Handlers return nothing: the response says how it went. */
typedef void (*api_handler)(struct api_req *rq, struct api_resp *rs);

/* ---- parameters (api.c) ------------------------------------------------- */

/* The value of the parameter, or NULL when not given. */
const char *api_param(const struct api_req *rq, const char *name);

/* The day of parameter name (YYYY-MM-DD), or dflt when not given. Returns
 * 0, or -1 after writing a 400 naming the parameter. */
int api_param_day(const struct api_req *rq, struct api_resp *rs,
                  const char *name, int64_t dflt, int64_t *out);

/* An integer parameter in [min, max], or dflt. 0, or -1 after a 400. */
int api_param_long(const struct api_req *rq, struct api_resp *rs,
                   const char *name, long min, long max, long dflt,
                   long *out);

/* ---- answers (api.c) ---------------------------------------------------- */

/* A JSON error {"error": {"code", "message"}} with status (the body so
 * far is dropped). */
void api_error(struct api_resp *rs, int status, const char *code,
               const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* The library error err (d's message) as an answer: FW_ENOTFOUND 404,
 * FW_EUSAGE and FW_ERANGE 400, anything else 500 (logged to stderr). */
void api_fail(struct api_resp *rs, fw_err err, const struct fw_diag *d);

/* Starts a JSON (or other type's) body: status 200. */
void api_ok(struct api_resp *rs, const char *content_type);

/* The place the path argument means: a number is an id, anything else a
 * name (fw_place_resolve). Returns 0, or -1 after writing the answer: 404
 * with suggestions, 300 with the candidates. */
int api_place(struct api_req *rq, struct api_resp *rs, struct fw_place *out);

/* A place as a JSON object text into f: {id, name, name_local, oblast,
 * oblast_iso, lat, lon, population}. */
void api_write_place(FILE *f, const struct fw_place *p);

/* A JSON string (quoted, escaped) into f. */
void api_write_string(FILE *f, const char *s);

/* Whether the model is there; else writes a 404 "no_model" and returns 0. */
int api_need_model(const struct api_req *rq, struct api_resp *rs);

/* Counts a heavy request in; 0 and a 429 when FW_API_MAX_HEAVY run. Every
 * api_heavy_enter that returned 1 is paired with api_heavy_leave. */
int api_heavy_enter(struct api_req *rq, struct api_resp *rs);
void api_heavy_leave(struct api_req *rq);

/* The forecast of place_id at at_s (without reasons: fw_forecast_reasons
 * adds them) into *out, *found 0 when the place has none (not in the
 * store). Every place's forecast of a day is made once, by the first
 * request that needs it, and shared by all contexts while the data stays
 * the same. Errors: those of fw_forecast_places. */
fw_err api_place_forecast(struct api_req *rq, int64_t place_id, int64_t at_s,
                          struct fw_place_forecast *out, int *found,
                          struct fw_diag *d);

/* The web file at path (from web_dir, in memory), or NULL. */
const char *api_web_file(const fw_api *api, const char *path, size_t *len);

/* ---- handlers (api_<resource>.c) ----------------------------------------- */

void api_healthz(struct api_req *rq, struct api_resp *rs);
void api_meta(struct api_req *rq, struct api_resp *rs);
void api_sources(struct api_req *rq, struct api_resp *rs);
void api_places(struct api_req *rq, struct api_resp *rs);
void api_place_by_id(struct api_req *rq, struct api_resp *rs);
void api_assess(struct api_req *rq, struct api_resp *rs);
void api_risk(struct api_req *rq, struct api_resp *rs);
void api_history(struct api_req *rq, struct api_resp *rs);
void api_frontline(struct api_req *rq, struct api_resp *rs);
void api_oblasts(struct api_req *rq, struct api_resp *rs);
void api_placemap(struct api_req *rq, struct api_resp *rs);
void api_alerts(struct api_req *rq, struct api_resp *rs);
void api_outlook(struct api_req *rq, struct api_resp *rs);
void api_page_place(struct api_req *rq, struct api_resp *rs);
void api_feed_atom(struct api_req *rq, struct api_resp *rs);
void api_feed_cap(struct api_req *rq, struct api_resp *rs);

/* The assessment of place on day, with the forecast when there is a
 * model: what /api/assess answers and the place page shows. Returns 0, or
 * -1 after writing the error. pf: caller frees with free(). The last one
 * of the context is kept and given again while the data is the same. */
/* The place of the path and the day of ?date= (default today) of the
 * request, assessed as api_assess_place does: what /api/assess and the
 * place page share. Returns 0, or -1 after writing the error. */
int api_assess_request(struct api_req *rq, struct api_resp *rs,
                       struct fw_place *place, int64_t *day_s,
                       struct fw_assessment *a,
                       struct fw_place_forecast **pf);

/* Drops the kept assessment (when the context closes). */
void api_assess_forget(struct api_ctx *c);

int api_assess_place(struct api_req *rq, struct api_resp *rs,
                     const struct fw_place *place, int64_t day_s,
                     struct fw_assessment *a,
                     struct fw_place_forecast **pf);

#endif
