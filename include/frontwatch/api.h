/*
 * api.h - every answer of the HTTP service without HTTP: the JSON API,
 * the GeoJSON layers, the feeds, the place page and the dashboard's
 * files, each from the same library functions as the CLI. The server
 * (server.h) puts it behind civetweb; `export` asks it for every file of
 * the static site; the tests ask it directly.
 *
 * Thread safety: fw_api_answer may be called from many threads at once.
 * Each call borrows a worker context (a store connection, a geo engine and
 * the model: none of them is shared between threads) from a pool and
 * gives it back; expensive answers are kept in a small cache shared under
 * a lock, keyed by the request and the store's data version.
 *
 * Data flow: store + geo + forecast + history + feeds -> api -> server,
 * export.
 */
#ifndef FRONTWATCH_API_H
#define FRONTWATCH_API_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"

/* Longest URL (path and query) answered; longer ones get 414. */
#define FW_API_MAX_URL 2048
/* At most this many query parameters, each at most this long decoded. */
#define FW_API_MAX_PARAMS 8
#define FW_API_MAX_PARAM_LEN 256
/* /api/risk?top= and /api/places?limit= at most. */
#define FW_API_MAX_TOP 5000
/* Expensive answers computed at once at most; more get 429. */
#define FW_API_MAX_HEAVY 4

struct fw_api_config {
    const char *db_path;      /* the store, opened read-only (borrowed) */
    const char *model_path;   /* the model file, NULL: no probabilities */
    const char *alert_model_path; /* the alert model (outlook.h), NULL: no
                                     /api/outlook */
    const char *web_dir;      /* the dashboard's files (scripts/
                                 web_vendor.sh's output), NULL: no
                                 dashboard, only the API */
    size_t n_contexts;        /* worker contexts, at least 1 (the number of
                                 server threads) */
    int64_t now_s;            /* the clock for "today" (tests); 0: real */
};

typedef struct fw_api fw_api;

/* Opens the service: checks that the store opens and has the current
 * schema, loads the model and reads every file of web_dir into memory (so
 * no request touches the file system). *out freed by fw_api_free. Errors:
 * FW_EIO, FW_ESQL (store), FW_EPARSE (model), FW_ELIMIT (web_dir holds
 * more than 64 MiB or 512 files), FW_ENOMEM. */
fw_err fw_api_new(const struct fw_api_config *cfg, fw_api **out,
                  struct fw_diag *d);

/* Frees api; accepts NULL. No fw_api_answer may be running. */
void fw_api_free(fw_api *api);

/* Sets the clock for "today" as fw_api_config.now_s does (0: the real
 * one), for tests that cross a day. No fw_api_answer may be running. */
void fw_api_set_clock(fw_api *api, int64_t now_s);

struct fw_api_request {
    const char *method;          /* "GET", "HEAD", ... */
    const char *path;            /* percent-decoded path, "/api/places" */
    const char *query;           /* raw query string after '?', or NULL */
    const char *accept_language; /* header, or NULL */
    const char *base;            /* prefix to the site root for the pages'
                                    links: "/" (NULL) on the server, e.g.
                                    "../../" in the export */
    const char *base_url;        /* the site's absolute address for the
                                    feeds' links, "http://host:port" (no
                                    trailing slash); NULL:
                                    "http://127.0.0.1:8080" */
    int accept_gzip;             /* the client takes gzip: bodies of 1 KiB
                                    or more of text types come gzipped */
};

struct fw_api_response {
    int status;                  /* HTTP status */
    const char *content_type;    /* static string */
    char *body;                  /* body_len bytes (malloc'd; freed by
                                    fw_api_response_free), also for HEAD */
    size_t body_len;
    int is_gzip;                 /* body is gzipped (Content-Encoding) */
    int is_cacheable;            /* may carry an ETag and be kept */
    int64_t data_version;        /* the store's data version it was made
                                    from (ETag, Last-Modified) */
    int64_t last_modified_s;     /* newest ingest (Last-Modified) */
    uint64_t model_tag;          /* the model file's identity, 0: none */
    char allow[32];              /* 405: the Allow header's value */
    int retry_after_s;           /* 429: the Retry-After header's value */
};

/* Answers one request into *resp. Every outcome, bad input included, is
 * a response with a status and a JSON (or HTML, XML) body; FW_OK is
 * returned whenever a response was made (a 4xx or 500 too). Errors (no
 * response): FW_ENOMEM. */
fw_err fw_api_answer(fw_api *api, const struct fw_api_request *req,
                     struct fw_api_response *resp);

/* Frees the body; accepts a zeroed struct. */
void fw_api_response_free(struct fw_api_response *resp);

#endif
