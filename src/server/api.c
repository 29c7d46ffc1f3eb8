/*
 * api.c - the service's answers without HTTP (api.h): the route table,
 * the pool of worker contexts, query parameters, errors, the cache of
 * expensive answers and the dashboard's files held in memory.
 */
#include "frontwatch/api.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "api_int.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"

#define DAY ((int64_t)FW_DAY_S)
#define WEB_MAX_BYTES (64u << 20)
#define WEB_MAX_FILES 512
#define CACHE_SLOTS 64
#define CACHE_MAX_BODY (32u << 20)

struct web_file {
    char *path;               /* "/js/app.js" */
    char *body;
    size_t len;
};

struct cache_slot {
    char *key;                /* method-less request: path ? query # lang */
    int64_t data_version;
    struct fw_api_response resp;
    struct fw_api_response gz; /* the same gzipped, body NULL until made */
    unsigned used;
};

/* Every place's forecast on one day (without reasons), shared by all
 * contexts: /api/assess of any place on a day asked before is a lookup. */
#define DAY_SLOTS 4
struct day_forecasts {
    int64_t at_s;             /* 0: empty */
    int64_t data_version;
    struct fw_place_forecast *pf; /* n, by place id */
    size_t n;
    unsigned used;
};

struct fw_api {
    char *db_path;
    char *model_path;
    char *alert_model_path;
    int64_t now_s;
    pthread_mutex_t mu;       /* ctxs' is_busy, the cache, n_heavy */
    pthread_cond_t cv;        /* a context came back */
    struct api_ctx *ctxs;
    size_t n_ctxs;
    struct web_file *web;
    size_t n_web;
    struct cache_slot cache[CACHE_SLOTS];
    unsigned clock;
    int n_heavy;
    uint64_t model_tag;
    pthread_mutex_t day_mu;   /* days; held while one is computed, so
                                 that it is computed once */
    struct day_forecasts days[DAY_SLOTS];
    unsigned day_clock;
};

/* ---- web files ---------------------------------------------------------- */

static fw_err read_file(const char *path, char **body, size_t *len,
                        struct fw_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", path, strerror(errno));
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    char chunk[65536];
    size_t got;
    fw_err err = FW_OK;
    while (m != NULL && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n + got > WEB_MAX_BYTES) {
            err = fw_diag_set(d, FW_ELIMIT, 0, 0, "%s: larger than %u MiB",
                              path, WEB_MAX_BYTES >> 20);
            break;
        }
        fwrite(chunk, 1, got, m);
    }
    if (m == NULL || ferror(f)) {
        err = fw_diag_set(d, FW_EIO, 0, 0, "%s: cannot read", path);
    }
    fclose(f);
    if (m != NULL) {
        fclose(m);
    }
    if (err != FW_OK) {
        free(buf);
        return err;
    }
    *body = buf;
    *len = n;
    return FW_OK;
}

/* Every regular file under dir/rel, recursively, into api->web. */
static fw_err load_web(fw_api *api, const char *dir, const char *rel,
                       size_t *total, struct fw_diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", dir, rel);
    DIR *dh = opendir(path);
    if (dh == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", path, strerror(errno));
    }
    fw_err err = FW_OK;
    struct dirent *e;
    while (err == FW_OK && (e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.') {
            continue; /* ., .., and hidden files are never served */
        }
        char sub[2048], full[4096];
        int n = snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        if (n < 0 || (size_t)n >= sizeof sub) {
            err = fw_diag_set(d, FW_ELIMIT, 0, 0, "%s: path too long", sub);
            break;
        }
        snprintf(full, sizeof full, "%s%s", dir, sub);
        struct stat sb;
        if (stat(full, &sb) != 0) {
            err = fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", full,
                              strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            if (strcmp(sub, "/node_modules") != 0) {
                err = load_web(api, dir, sub, total, d);
            }
        } else if (S_ISREG(sb.st_mode)) {
            if (api->n_web == WEB_MAX_FILES) {
                err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                                  "%s: more than %d files", dir,
                                  WEB_MAX_FILES);
                break;
            }
            struct web_file *w = &api->web[api->n_web];
            w->path = strdup(sub);
            if (w->path == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                break;
            }
            api->n_web++;
            err = read_file(full, &w->body, &w->len, d);
            *total += w->len;
            if (err == FW_OK && *total > WEB_MAX_BYTES) {
                err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                                  "%s: more than %u MiB", dir,
                                  WEB_MAX_BYTES >> 20);
            }
        }
    }
    closedir(dh);
    return err;
}

const char *api_web_file(const fw_api *api, const char *path, size_t *len)
{
    for (size_t i = 0; i < api->n_web; i++) {
        if (strcmp(api->web[i].path, path) == 0) {
            *len = api->web[i].len;
            return api->web[i].body;
        }
    }
    return NULL;
}

/* ---- life --------------------------------------------------------------- */

static fw_err data_version(fw_store *st, int64_t *version,
                           int64_t *modified_s, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st,
                                  "SELECT coalesce(max(id), 0),"
                                  " coalesce(max(ingested_at), 0)"
                                  " FROM ingest_log",
                                  &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        *version = sqlite3_column_int64(s, 0);
        if (modified_s != NULL) {
            *modified_s = sqlite3_column_int64(s, 1);
        }
    } else {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "reading the data version");
    }
    sqlite3_finalize(s);
    return err;
}

/* Closes c's handles. is_busy is left as it is: it belongs to the pool's
 * lock, and the thread that borrowed c still holds it. */
static void ctx_close(struct api_ctx *c)
{
    api_assess_forget(c);
    fw_geo_free(c->g);
    fw_forecast_free(c->fc);
    fw_outlook_model_free(c->om);
    fw_store_close(c->st);
    int busy = c->is_busy;
    memset(c, 0, sizeof *c);
    c->is_busy = busy;
}

static fw_err ctx_open(const fw_api *api, struct api_ctx *c, struct fw_diag *d)
{
    int busy = c->is_busy;
    memset(c, 0, sizeof *c);
    c->is_busy = busy;
    fw_err err = fw_store_open(api->db_path, FW_STORE_READ, &c->st, d);
    if (err == FW_OK) {
        err = data_version(c->st, &c->data_version, NULL, d);
    }
    if (err == FW_OK) {
        err = fw_geo_new(c->st, &c->g, d);
    }
    if (err == FW_OK && api->model_path != NULL) {
        err = fw_forecast_load(api->model_path, &c->fc, d);
    }
    if (err == FW_OK && api->alert_model_path != NULL) {
        err = fw_outlook_model_load(api->alert_model_path, &c->om, d);
    }
    if (err != FW_OK) {
        ctx_close(c);
    }
    return err;
}

/* FNV-1a of the model file's identity, for ETags. */
static uint64_t fnv(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

void fw_api_set_clock(fw_api *api, int64_t now_s)
{
    api->now_s = now_s;
}

void fw_api_free(fw_api *api)
{
    if (api == NULL) {
        return;
    }
    for (size_t i = 0; i < api->n_ctxs; i++) {
        ctx_close(&api->ctxs[i]);
    }
    free(api->ctxs);
    for (size_t i = 0; i < api->n_web; i++) {
        free(api->web[i].path);
        free(api->web[i].body);
    }
    free(api->web);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(api->cache[i].key);
        fw_api_response_free(&api->cache[i].resp);
        fw_api_response_free(&api->cache[i].gz);
    }
    for (int i = 0; i < DAY_SLOTS; i++) {
        free(api->days[i].pf);
    }
    pthread_mutex_destroy(&api->mu);
    pthread_mutex_destroy(&api->day_mu);
    pthread_cond_destroy(&api->cv);
    free(api->db_path);
    free(api->model_path);
    free(api->alert_model_path);
    free(api);
}

fw_err fw_api_new(const struct fw_api_config *cfg, fw_api **out,
                  struct fw_diag *d)
{
    fw_api *api = calloc(1, sizeof *api);
    if (api == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    pthread_mutex_init(&api->mu, NULL);
    pthread_mutex_init(&api->day_mu, NULL);
    pthread_cond_init(&api->cv, NULL);
    fw_err err = FW_OK;
    api->now_s = cfg->now_s;
    api->n_ctxs = cfg->n_contexts > 0 ? cfg->n_contexts : 1;
    api->db_path = strdup(cfg->db_path);
    api->model_path = cfg->model_path ? strdup(cfg->model_path) : NULL;
    api->alert_model_path =
        cfg->alert_model_path ? strdup(cfg->alert_model_path) : NULL;
    api->ctxs = calloc(api->n_ctxs, sizeof *api->ctxs);
    api->web = calloc(WEB_MAX_FILES, sizeof *api->web);
    if (api->db_path == NULL || api->ctxs == NULL || api->web == NULL ||
        (cfg->model_path != NULL && api->model_path == NULL) ||
        (cfg->alert_model_path != NULL && api->alert_model_path == NULL)) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        goto fail;
    }
    /* the first context now, so that a bad store or model is an error at
     * start, not a 500 at the first request; the others when needed */
    if ((err = ctx_open(api, &api->ctxs[0], d)) != FW_OK) {
        goto fail;
    }
    if (api->ctxs[0].fc != NULL) {
        const struct fw_forecast_meta *m = fw_forecast_meta_of(api->ctxs[0].fc);
        api->model_tag = fnv(m->created, fnv(m->data_sha256,
                                             1469598103934665603ULL));
    }
    if (cfg->web_dir != NULL) {
        size_t total = 0;
        if ((err = load_web(api, cfg->web_dir, "", &total, d)) != FW_OK) {
            goto fail;
        }
        size_t len;
        if (api_web_file(api, "/index.html", &len) == NULL ||
            api_web_file(api, "/place.html", &len) == NULL) {
            err = fw_diag_set(d, FW_EIO, 0, 0,
                              "%s: no index.html or place.html: not the "
                              "dashboard's folder (scripts/web_vendor.sh "
                              "makes it)",
                              cfg->web_dir);
            goto fail;
        }
    }
    *out = api;
    return FW_OK;
fail:
    fw_api_free(api);
    return err;
}

/* Borrows a free context, opening it on first use and making its geo
 * engine anew when the store's data changed (a map's parts may have been
 * confirmed since: the engine's cache would be stale). */
static fw_err ctx_borrow(fw_api *api, struct api_ctx **out, int64_t *version,
                         int64_t *modified_s, struct fw_diag *d)
{
    pthread_mutex_lock(&api->mu);
    struct api_ctx *c = NULL;
    for (;;) {
        for (size_t i = 0; i < api->n_ctxs && c == NULL; i++) {
            if (!api->ctxs[i].is_busy) {
                c = &api->ctxs[i];
            }
        }
        if (c != NULL) {
            break;
        }
        pthread_cond_wait(&api->cv, &api->mu);
    }
    c->is_busy = 1;
    pthread_mutex_unlock(&api->mu);
    fw_err err = FW_OK;
    if (c->st == NULL) {
        err = ctx_open(api, c, d);
    }
    if (err == FW_OK) {
        err = data_version(c->st, version, modified_s, d);
    }
    if (err == FW_OK && *version != c->data_version) {
        fw_geo_free(c->g);
        c->g = NULL;
        err = fw_geo_new(c->st, &c->g, d);
        c->data_version = err == FW_OK ? *version : -1;
    }
    if (err != FW_OK) {
        pthread_mutex_lock(&api->mu);
        c->is_busy = 0;
        pthread_cond_signal(&api->cv);
        pthread_mutex_unlock(&api->mu);
        return err;
    }
    *out = c;
    return FW_OK;
}

static void ctx_return(fw_api *api, struct api_ctx *c)
{
    pthread_mutex_lock(&api->mu);
    c->is_busy = 0;
    pthread_cond_signal(&api->cv);
    pthread_mutex_unlock(&api->mu);
}

/* ---- every place's forecast on a day -------------------------------------- */

static int by_place_id(const void *a, const void *b)
{
    const struct fw_place_forecast *x = a, *y = b;
    return (x->place_id > y->place_id) - (x->place_id < y->place_id);
}

fw_err api_place_forecast(struct api_req *rq, int64_t place_id, int64_t at_s,
                          struct fw_place_forecast *out, int *found,
                          struct fw_diag *d)
{
    fw_api *api = rq->api;
    struct api_ctx *c = rq->ctx;
    fw_err err = FW_OK;
    *found = 0;
    pthread_mutex_lock(&api->day_mu);
    struct day_forecasts *day = NULL, *pick = &api->days[0];
    for (int i = 0; i < DAY_SLOTS && day == NULL; i++) {
        struct day_forecasts *x = &api->days[i];
        if (x->at_s == at_s && x->data_version == rq->data_version &&
            x->pf != NULL) {
            day = x;
        } else if (x->used < pick->used) {
            pick = x;
        }
    }
    if (day == NULL) {
        /* every place at once (0.6 s on the full data), as the map and
         * the ranking ask for them: the card then agrees with both */
        struct fw_place_forecast *pf = NULL;
        size_t n = 0;
        err = fw_forecast_places(c->fc, c->st, c->g, NULL, 0, at_s, 0, &pf,
                                 &n, d);
        if (err == FW_OK) {
            qsort(pf, n, sizeof *pf, by_place_id);
            free(pick->pf);
            pick->pf = pf;
            pick->n = n;
            pick->at_s = at_s;
            pick->data_version = rq->data_version;
            day = pick;
        }
    }
    if (day != NULL) {
        day->used = ++api->day_clock;
        struct fw_place_forecast key = {.place_id = place_id};
        const struct fw_place_forecast *hit =
            bsearch(&key, day->pf, day->n, sizeof *day->pf, by_place_id);
        if (hit != NULL) {
            *out = *hit;
            *found = 1;
        }
    }
    pthread_mutex_unlock(&api->day_mu);
    return err;
}

/* ---- parameters --------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0 .. len) ('+' is a space) into out (cap bytes).
 * Returns the length, -1 on a malformed escape or a NUL, -2 when too
 * long. */
static long decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (len - i < 3) {
                return -1;
            }
            int hi = hexval((unsigned char)s[i + 1]);
            int lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == 0) {
            return -1;
        }
        if (o + 1 >= cap) {
            return -2;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return (long)o;
}

const char *api_param(const struct api_req *rq, const char *name)
{
    for (size_t i = 0; i < rq->n_params; i++) {
        if (strcmp(rq->params[i].name, name) == 0) {
            return rq->params[i].value;
        }
    }
    return NULL;
}

int api_param_day(const struct api_req *rq, struct api_resp *rs,
                  const char *name, int64_t dflt, int64_t *out)
{
    const char *v = api_param(rq, name);
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    if (fw_date_parse_day(v, out) != FW_OK) {
        api_error(rs, 400, "bad_parameter",
                  "%s: expected a day as YYYY-MM-DD (e.g. 2024-05-15)", name);
        return -1;
    }
    return 0;
}

int api_param_long(const struct api_req *rq, struct api_resp *rs,
                   const char *name, long min, long max, long dflt,
                   long *out)
{
    const char *v = api_param(rq, name);
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno != 0 || x < min || x > max) {
        api_error(rs, 400, "bad_parameter",
                  "%s: expected a whole number from %ld to %ld", name, min,
                  max);
        return -1;
    }
    *out = x;
    return 0;
}

/* ---- answers ------------------------------------------------------------ */

/* Drops what was written: a new stream over a new buffer. When that
 * fails rs->f is NULL and the caller reports out of memory. */
static void body_reset(struct api_resp *rs)
{
    if (rs->f != NULL) {
        fclose(rs->f);
    }
    free(*rs->body);
    *rs->body = NULL;
    *rs->body_len = 0;
    rs->f = open_memstream(rs->body, rs->body_len);
}

void api_ok(struct api_resp *rs, const char *content_type)
{
    rs->status = 200;
    rs->content_type = content_type;
}

void api_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) {
                fprintf(f, "\\u%04x", *p);
            } else {
                fputc(*p, f);
            }
        }
    }
    fputc('"', f);
}

void api_error(struct api_resp *rs, int status, const char *code,
               const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    body_reset(rs);
    rs->status = status;
    rs->content_type = "application/json";
    rs->is_cacheable = 0;
    if (rs->f == NULL) {
        return;
    }
    fprintf(rs->f, "{\"error\":{\"code\":");
    api_write_string(rs->f, code);
    fprintf(rs->f, ",\"message\":");
    api_write_string(rs->f, msg);
    fprintf(rs->f, "}}\n");
}

void api_fail(struct api_resp *rs, fw_err err, const struct fw_diag *d)
{
    switch (err) {
    case FW_ENOTFOUND: api_error(rs, 404, "not_found", "%s", d->msg); break;
    case FW_EUSAGE:
    case FW_ERANGE: api_error(rs, 400, "bad_parameter", "%s", d->msg); break;
    case FW_ENOMEM:
        api_error(rs, 503, "out_of_memory", "out of memory, try again");
        break;
    default:
        fprintf(stderr, "frontwatch serve: %s: %s\n", fw_strerror(err),
                d->msg);
        api_error(rs, 500, "internal", "%s", fw_strerror(err));
    }
}

void api_write_place(FILE *f, const struct fw_place *p)
{
    const struct fw_oblast *o = fw_oblast_by_iso(p->oblast_iso);
    fprintf(f, "{\"id\":%lld,\"name\":", (long long)p->id);
    api_write_string(f, p->name);
    fprintf(f, ",\"name_local\":");
    if (p->name_local[0] != '\0') {
        api_write_string(f, p->name_local);
    } else {
        fputs("null", f);
    }
    if (o != NULL) {
        fprintf(f, ",\"oblast\":\"%s\",\"oblast_iso\":\"%s\"", o->name_en,
                o->iso);
    } else {
        fprintf(f, ",\"oblast\":null,\"oblast_iso\":null");
    }
    fprintf(f, ",\"lat\":%.5f,\"lon\":%.5f,\"population\":", p->lat_deg,
            p->lon_deg);
    if (p->population >= 0) {
        fprintf(f, "%ld}", p->population);
    } else {
        fputs("null}", f);
    }
}

int api_place(struct api_req *rq, struct api_resp *rs, struct fw_place *out)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    const char *arg = rq->arg;
    if (*arg == '\0') {
        api_error(rs, 400, "bad_parameter",
                  "place: give a place id or name after the last /");
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long long id = strtoll(arg, &end, 10);
    if (*end == '\0' && errno == 0 && id > 0) {
        fw_err err = fw_place_get(rq->ctx->st, id, out, &d);
        if (err == FW_ENOTFOUND) {
            api_error(rs, 404, "not_found", "no place with id %lld", id);
            return -1;
        }
        if (err != FW_OK) {
            api_fail(rs, err, &d);
            return -1;
        }
        return 0;
    }
    struct fw_place *v = NULL;
    size_t n = 0, n_others = 0;
    fw_err err = fw_place_resolve(rq->ctx->st, arg, out, &n_others, &v, &n,
                                  &d);
    if (err == FW_OK) {
        return 0;
    }
    if (err == FW_ENOTFOUND || err == FW_EAMBIGUOUS) {
        body_reset(rs);
        rs->status = err == FW_ENOTFOUND ? 404 : 300;
        rs->content_type = "application/json";
        rs->is_cacheable = 0;
        if (rs->f == NULL) {
            free(v);
            return -1;
        }
        fprintf(rs->f, "{\"error\":{\"code\":\"%s\",\"message\":",
                err == FW_ENOTFOUND ? "not_found" : "ambiguous");
        api_write_string(rs->f, err == FW_ENOTFOUND
                                    ? d.msg
                                    : "the name is shared by several "
                                      "places: ask for one by its id");
        fprintf(rs->f, "},\"%s\":[",
                err == FW_ENOTFOUND ? "suggestions" : "candidates");
        for (size_t i = 0; i < n && i < 50; i++) {
            if (i > 0) {
                fputc(',', rs->f);
            }
            api_write_place(rs->f, &v[i]);
        }
        fprintf(rs->f, "]}\n");
    } else {
        api_fail(rs, err, &d);
    }
    free(v);
    return -1;
}

int api_need_model(const struct api_req *rq, struct api_resp *rs)
{
    if (rq->ctx->fc != NULL) {
        return 1;
    }
    api_error(rs, 404, "no_model",
              "the server runs without a model file (serve --model F): no "
              "probabilities");
    return 0;
}

int api_heavy_enter(struct api_req *rq, struct api_resp *rs)
{
    fw_api *api = rq->api;
    pthread_mutex_lock(&api->mu);
    int ok = api->n_heavy < FW_API_MAX_HEAVY;
    if (ok) {
        api->n_heavy++;
    }
    pthread_mutex_unlock(&api->mu);
    if (!ok) {
        api_error(rs, 429, "busy",
                  "%d expensive answers are being computed; try again in a "
                  "second",
                  FW_API_MAX_HEAVY);
        rs->retry_after_s = 1;
    }
    return ok;
}

void api_heavy_leave(struct api_req *rq)
{
    pthread_mutex_lock(&rq->api->mu);
    rq->api->n_heavy--;
    pthread_mutex_unlock(&rq->api->mu);
}

void api_healthz(struct api_req *rq, struct api_resp *rs)
{
    api_ok(rs, "application/json");
    fprintf(rs->f, "{\"status\":\"ok\",\"data_version\":%lld}\n",
            (long long)rq->data_version);
}

/* ---- routing ------------------------------------------------------------ */

struct route {
    const char *path;
    int is_prefix;            /* path ends in '/': the rest is rq->arg */
    api_handler fn;
    const char *params;       /* allowed parameters, space-separated */
    int is_cacheable;         /* keep the answer in the cache */
};

static const struct route ROUTES[] = {
    {"/healthz", 0, api_healthz, "", 0},
    {"/api/meta", 0, api_meta, "", 1},
    /* what the static export's dashboard reads first; here it says that
     * this is the live server, sparing the page a 404 */
    {"/data/meta.json", 0, api_meta, "", 1},
    {"/api/sources", 0, api_sources, "", 0},
    {"/api/places", 0, api_places, "q limit", 1},
    {"/api/places/", 1, api_place_by_id, "", 1},
    {"/api/assess/", 1, api_assess, "date", 1},
    {"/api/risk", 0, api_risk, "date horizon top", 1},
    {"/api/history/", 1, api_history, "from to step", 1},
    {"/api/frontline", 0, api_frontline, "date source simplify", 1},
    {"/api/oblasts", 0, api_oblasts, "", 1},
    {"/api/placemap", 0, api_placemap, "date", 1},
    {"/api/alerts", 0, api_alerts, "oblast from to", 1},
    /* not cached: without `at` the answer is of the current hour */
    {"/api/outlook/", 1, api_outlook, "at", 0},
    {"/place/", 1, api_page_place, "date lang", 1},
    {"/feeds/atom.xml", 0, api_feed_atom, "place oblast from to", 1},
    {"/feeds/cap.xml", 0, api_feed_cap, "place oblast from to alert", 1},
};
#define N_ROUTES (sizeof ROUTES / sizeof ROUTES[0])

static int allowed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) {
            return 1;
        }
        p += len + (sp ? 1 : 0);
    }
    return 0;
}

/* Splits the query into rq->params, checking each name against the
 * route's list. 0, or -1 after a 400. */
static int parse_query(struct api_req *rq, struct api_resp *rs,
                       const char *query, const char *list)
{
    if (query == NULL || *query == '\0') {
        return 0;
    }
    for (const char *p = query; *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        if (len == 0) {
            p += amp ? 1 : 0;
            continue;
        }
        char name[64];
        long nl = decode(p, name_len, name, sizeof name);
        if (nl < 0) {
            api_error(rs, 400, "bad_parameter",
                      "a parameter name is malformed or too long (check "
                      "its percent-encoding)");
            return -1;
        }
        if (!allowed(list, name) && strcmp(name, "lang") != 0) {
            char shown[40];
            snprintf(shown, sizeof shown, "%.39s", name);
            for (char *c = shown; *c; c++) {
                if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\') {
                    *c = '?';
                }
            }
            api_error(rs, 400, "bad_parameter",
                      "unknown parameter '%s'%s%s", shown,
                      *list ? "; this resource takes: " : "", list);
            return -1;
        }
        if (api_param(rq, name) != NULL) {
            api_error(rs, 400, "bad_parameter", "%s: given twice", name);
            return -1;
        }
        if (rq->n_params == FW_API_MAX_PARAMS) {
            api_error(rs, 400, "bad_parameter", "too many parameters");
            return -1;
        }
        struct api_param *pa = &rq->params[rq->n_params];
        snprintf(pa->name, sizeof pa->name, "%s", name);
        long vl = eq ? decode(eq + 1, len - name_len - 1, pa->value,
                              sizeof pa->value)
                     : 0;
        if (!eq) {
            pa->value[0] = '\0';
        }
        if (vl == -1) {
            api_error(rs, 400, "bad_parameter",
                      "%s: malformed percent-encoding", name);
            return -1;
        }
        if (vl == -2) {
            api_error(rs, 400, "bad_parameter", "%s: longer than %d bytes",
                      name, FW_API_MAX_PARAM_LEN);
            return -1;
        }
        rq->n_params++;
        p += len + (amp ? 1 : 0);
    }
    return 0;
}

/* The language of a page: ?lang=, else the first of Accept-Language that
 * is Ukrainian or English (Russian readers get Ukrainian), else English. */
static enum fw_lang pick_lang(const struct api_req *rq, const char *accept)
{
    const char *l = api_param(rq, "lang");
    if (l != NULL) {
        return fw_lang_from_code(l);
    }
    for (const char *p = accept; p != NULL && *p;) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (strncasecmp(p, "uk", 2) == 0 || strncasecmp(p, "ru", 2) == 0) {
            return FW_LANG_UK;
        }
        if (strncasecmp(p, "en", 2) == 0) {
            return FW_LANG_EN;
        }
        p = strchr(p, ',');
    }
    return FW_LANG_EN;
}

static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".geojson", "application/geo+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(dot, types[i].ext) == 0) {
            return types[i].type;
        }
    }
    return "application/octet-stream";
}

void fw_api_response_free(struct fw_api_response *resp)
{
    if (resp != NULL) {
        free(resp->body);
        resp->body = NULL;
        resp->body_len = 0;
    }
}

static int bad_path(const char *path)
{
    if (path[0] != '/') {
        return 1;
    }
    for (const char *p = path; *p; p++) {
        if (*p == '\\' || (unsigned char)*p < 0x20) {
            return 1;
        }
        if (p[0] == '/' && p[1] == '.' && p[2] == '.' &&
            (p[3] == '/' || p[3] == '\0')) {
            return 1;
        }
    }
    return 0;
}

static fw_err copy_response(const struct fw_api_response *from,
                            struct fw_api_response *to)
{
    *to = *from;
    to->body = malloc(from->body_len ? from->body_len : 1);
    if (to->body == NULL) {
        return FW_ENOMEM;
    }
    memcpy(to->body, from->body, from->body_len);
    return FW_OK;
}

static int is_text(const char *type)
{
    return strncmp(type, "text/", 5) == 0 ||
           strncmp(type, "application/json", 16) == 0 ||
           strncmp(type, "application/geo+json", 20) == 0 ||
           strncmp(type, "application/atom+xml", 20) == 0 ||
           strncmp(type, "application/cap+xml", 19) == 0 ||
           strncmp(type, "image/svg", 9) == 0;
}

/* Gzips the body in place when it is text of 1 KiB or more; left as it
 * is when that fails (an uncompressed answer is still right). */
static void gzip_body(struct fw_api_response *r)
{
    if (r->body_len < 1024 || !is_text(r->content_type)) {
        return;
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return;
    }
    uLong cap = deflateBound(&z, (uLong)r->body_len);
    char *out = malloc(cap);
    if (out != NULL) {
        z.next_in = (Bytef *)r->body;
        z.avail_in = (uInt)r->body_len;
        z.next_out = (Bytef *)out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            free(r->body);
            r->body = out;
            r->body_len = z.total_out;
            r->is_gzip = 1;
            out = NULL;
        }
    }
    free(out);
    deflateEnd(&z);
}

static void cache_put_gzip(fw_api *api, const char *key,
                           const struct fw_api_response *gz);

/* The cached answer of key at version: the gzipped form when want_gzip
 * and it was made (else the plain one, gzipped now and kept). */
static int cache_get(fw_api *api, const char *key, int64_t version,
                     int want_gzip, struct fw_api_response *out)
{
    int hit = 0, make_gzip = 0;
    pthread_mutex_lock(&api->mu);
    for (int i = 0; i < CACHE_SLOTS && !hit; i++) {
        struct cache_slot *c = &api->cache[i];
        if (c->key == NULL || c->data_version != version ||
            strcmp(c->key, key) != 0) {
            continue;
        }
        c->used = ++api->clock;
        if (want_gzip && c->gz.body != NULL) {
            hit = copy_response(&c->gz, out) == FW_OK;
        } else {
            hit = copy_response(&c->resp, out) == FW_OK;
            make_gzip = hit && want_gzip;
        }
    }
    pthread_mutex_unlock(&api->mu);
    if (make_gzip) {
        gzip_body(out);
        if (out->is_gzip) {
            cache_put_gzip(api, key, out);
        }
    }
    return hit;
}

static void cache_put(fw_api *api, const char *key,
                      const struct fw_api_response *r)
{
    if (r->body_len > CACHE_MAX_BODY) {
        return;
    }
    struct fw_api_response copy;
    char *k = strdup(key);
    if (k == NULL || copy_response(r, &copy) != FW_OK) {
        free(k);
        return;
    }
    pthread_mutex_lock(&api->mu);
    struct cache_slot *pick = &api->cache[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (api->cache[i].key == NULL) {
            pick = &api->cache[i];
            break;
        }
        if (api->cache[i].used < pick->used) {
            pick = &api->cache[i];
        }
    }
    free(pick->key);
    fw_api_response_free(&pick->resp);
    fw_api_response_free(&pick->gz);
    pick->key = k;
    pick->data_version = r->data_version;
    pick->resp = copy;
    pick->used = ++api->clock;
    pthread_mutex_unlock(&api->mu);
}

/* Keeps the gzipped form beside the plain one of the same key. */
static void cache_put_gzip(fw_api *api, const char *key,
                           const struct fw_api_response *gz)
{
    struct fw_api_response copy;
    if (copy_response(gz, &copy) != FW_OK) {
        return;
    }
    pthread_mutex_lock(&api->mu);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cache_slot *c = &api->cache[i];
        if (c->key != NULL && c->data_version == gz->data_version &&
            strcmp(c->key, key) == 0 && c->gz.body == NULL) {
            c->gz = copy;
            copy.body = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&api->mu);
    fw_api_response_free(&copy);
}

static void simple_error(struct fw_api_response *resp, int status,
                         const char *code, const char *msg)
{
    char *b = NULL;
    size_t n = 0;
    struct api_resp rs = {.body = &b, .body_len = &n};
    api_error(&rs, status, code, "%s", msg);
    if (rs.f != NULL) {
        fclose(rs.f);
    }
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = b;
    resp->body_len = b ? n : 0;
}

fw_err fw_api_answer(fw_api *api, const struct fw_api_request *req,
                     struct fw_api_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->model_tag = api->model_tag;
    const char *method = req->method ? req->method : "GET";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        snprintf(resp->allow, sizeof resp->allow, "GET, HEAD, OPTIONS");
        simple_error(resp, 405, "method_not_allowed",
                     "only GET and HEAD (and OPTIONS for CORS)");
        return resp->body ? FW_OK : FW_ENOMEM;
    }
    const char *path = req->path ? req->path : "/";
    size_t url_len = strlen(path) + (req->query ? strlen(req->query) : 0);
    if (url_len > FW_API_MAX_URL) {
        simple_error(resp, 414, "uri_too_long",
                     "the URL is longer than 2048 bytes");
        return resp->body ? FW_OK : FW_ENOMEM;
    }
    if (bad_path(path)) {
        simple_error(resp, 400, "bad_path",
                     "the path has '..', a backslash or a control "
                     "character");
        return resp->body ? FW_OK : FW_ENOMEM;
    }
    const struct route *rt = NULL;
    for (size_t i = 0; i < N_ROUTES && rt == NULL; i++) {
        size_t n = strlen(ROUTES[i].path);
        if (ROUTES[i].is_prefix ? strncmp(path, ROUTES[i].path, n) == 0
                                : strcmp(path, ROUTES[i].path) == 0) {
            rt = &ROUTES[i];
        }
    }
    if (rt == NULL) {
        /* the dashboard's files, held in memory */
        size_t len = 0;
        const char *file = api_web_file(
            api, strcmp(path, "/") == 0 ? "/index.html" : path, &len);
        if (file == NULL) {
            simple_error(resp, 404, "not_found", "no such resource");
            return resp->body ? FW_OK : FW_ENOMEM;
        }
        resp->body = malloc(len ? len : 1);
        if (resp->body == NULL) {
            return FW_ENOMEM;
        }
        memcpy(resp->body, file, len);
        resp->body_len = len;
        resp->status = 200;
        resp->content_type =
            mime_of(strcmp(path, "/") == 0 ? "/index.html" : path);
        resp->is_cacheable = 1;
        if (req->accept_gzip) {
            gzip_body(resp);
        }
        return FW_OK;
    }

    struct api_req rq;
    memset(&rq, 0, sizeof rq);
    rq.api = api;
    rq.arg = rt->is_prefix ? path + strlen(rt->path) : "";
    rq.base = req->base ? req->base : "/";
    rq.base_url = req->base_url ? req->base_url : "http://127.0.0.1:8080";
    int64_t now = api->now_s ? api->now_s : (int64_t)time(NULL);
    rq.today_s = fw_date_kyiv_day(now);
    rq.now_s = now;
    char *body = NULL;
    size_t body_len = 0;
    struct api_resp rs = {.status = 500,
                          .content_type = "application/json",
                          .body = &body,
                          .body_len = &body_len};
    rs.f = open_memstream(&body, &body_len);
    if (rs.f == NULL) {
        return FW_ENOMEM;
    }
    rs.is_cacheable = rt->is_cacheable;
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t modified_s = 0;
    char key[FW_API_MAX_URL + 64];
    int have_ctx = 0;
    if (parse_query(&rq, &rs, req->query, rt->params) == 0) {
        rq.lang = pick_lang(&rq, req->accept_language);
        /* the language makes a difference to pages only (JSON carries
         * both): not a key of every answer; the day does to every answer
         * whose date was left out ("today") */
        snprintf(key, sizeof key, "%s?%s#%s@%lld", path,
                 req->query ? req->query : "",
                 rt->fn == api_page_place ? fw_lang_code(rq.lang) : "",
                 (long long)rq.today_s);
        fw_err err = ctx_borrow(api, &rq.ctx, &rq.data_version, &modified_s,
                                &d);
        if (err != FW_OK) {
            api_fail(&rs, err, &d);
        } else {
            have_ctx = 1;
            if (rt->is_cacheable &&
                cache_get(api, key, rq.data_version, req->accept_gzip,
                          resp)) {
                ctx_return(api, rq.ctx);
                fclose(rs.f);
                free(body);
                return FW_OK;
            }
            rt->fn(&rq, &rs);
        }
    }
    if (have_ctx) {
        ctx_return(api, rq.ctx);
    }
    if (rs.f == NULL || fclose(rs.f) != 0 || body == NULL) {
        free(body);
        return FW_ENOMEM;
    }
    resp->status = rs.status;
    resp->content_type = rs.content_type;
    resp->body = body;
    resp->body_len = body_len;
    resp->is_cacheable = rs.is_cacheable && rs.status == 200;
    resp->data_version = rq.data_version;
    resp->last_modified_s = modified_s;
    resp->retry_after_s = rs.retry_after_s;
    if (resp->is_cacheable) {
        cache_put(api, key, resp);
    }
    if (req->accept_gzip) {
        gzip_body(resp);
        if (resp->is_cacheable && resp->is_gzip) {
            cache_put_gzip(api, key, resp);
        }
    }
    return FW_OK;
}
