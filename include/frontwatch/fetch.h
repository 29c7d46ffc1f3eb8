/*
 * fetch.h - downloads for `frontwatch update`: one URL to one file, over
 * HTTPS, HTTP or file://, with libcurl, politely and defensively.
 *
 * Data flow: sources' public addresses -> fetch -> a checked file ->
 * ingest (ingest.h). fetch only downloads; update.h decides what to fetch
 * and ingests it.
 *
 * What every download gets (curl's own advice, docs/internals): HTTPS
 * peers and host names verified; a User-Agent naming frontwatch and its
 * version; conditional requests (If-None-Match / If-Modified-Since from the
 * caller's last success) answered 304 without a body; connect, total and
 * stall timeouts; a hard cap on the body, checked on Content-Length before
 * the transfer and on every byte written; redirects followed (at most 5,
 * to http and https only); retries of what may succeed later (connection
 * failures, timeouts, cut transfers, 5xx, 429) with exponential backoff and
 * full jitter, waiting as long as a 429 or 503 answer's Retry-After asks
 * (up to a cap); a pause between two requests to the same host. Requests
 * run one at a time (a handle is used by one thread), so at most one is
 * ever open per host.
 *
 * The body goes to the caller's destination path only through a temporary
 * file beside it, renamed over it when the transfer is complete and its
 * Content-Type is one the caller accepts: a failed or partial download
 * never appears at dest_path.
 */
#ifndef FRONTWATCH_FETCH_H
#define FRONTWATCH_FETCH_H

#include <signal.h>
#include <stddef.h>

#include "frontwatch/err.h"

typedef struct fw_fetch fw_fetch;

/* Progress of one transfer: bytes received of total (0 when unknown). */
typedef void (*fw_fetch_progress_fn)(void *ctx, const char *url,
                                     long long done_bytes,
                                     long long total_bytes);

/* Settings of a fetch handle; a member left 0 (or NULL) takes the
 * default given in brackets. */
struct fw_fetch_opts {
    long connect_timeout_ms;       /* [10 000] */
    long total_timeout_ms;         /* [600 000] one attempt, whole transfer */
    long stall_timeout_s;          /* [60] abort below 1 KiB/s for this long */
    int max_attempts;              /* [4] tries of one request in all */
    long backoff_ms;               /* [2 000] first retry waits up to this,
                                      doubling each time (full jitter) */
    long max_wait_s;               /* [300] longest Retry-After obeyed; an
                                      answer asking more fails the request */
    long host_delay_ms;            /* [1 000] pause between two requests to one
                                      host, measured from the end of the last */
    const char *user_agent;        /* ["frontwatch/VERSION (+URL)"], borrowed */
    fw_fetch_progress_fn progress; /* NULL: none */
    void *progress_ctx;
    /* When set and *cancel becomes non-zero (a signal handler's flag), the
     * transfer under way stops, no retry or pause follows, and
     * fw_fetch_get fails with FW_ENET "interrupted". NULL: never. */
    const volatile sig_atomic_t *cancel;
};

/* One request. Every pointer is borrowed for the call. */
struct fw_fetch_req {
    const char *url;
    const char *etag;          /* from the last 200 of this URL, or NULL */
    const char *last_modified; /* likewise (HTTP-date text), or NULL */
    const char *bearer_token;  /* sent as "Authorization: Bearer <token>";
                                  never in messages. NULL: none */
    const char *const *content_types; /* accepted media types (prefix match,
                                  case-insensitive, "application/json"),
                                  NULL-terminated; NULL: any. file:// URLs
                                  have none and are not checked. */
    long long max_bytes;              /* cap on the body; <= 0: 256 MiB */
    long host_delay_ms;               /* > 0: this pause instead of the handle's
                                         (an API that allows a few requests a
                                         minute) */
    const char *dest_path;            /* the body goes here on 200 */
};

/* What happened. Set by fw_fetch_get also when it fails (as far as the
 * request got). */
struct fw_fetch_resp {
    long status;            /* HTTP status of the last attempt (0: no
                               answer; file:// success is 200) */
    int is_not_modified;    /* 304: dest_path untouched */
    char etag[256];         /* of the 200 answer, "" if none */
    char last_modified[64]; /* of the 200 answer, "" if none */
    char content_type[128]; /* of the last answer, "" if none */
    long long body_bytes;   /* bytes written to dest_path */
    long long wire_bytes;   /* bytes received over all attempts */
    int n_attempts;
    double seconds; /* wall time including waits */
};

/* Default cap on one body: 256 MiB. */
#define FW_FETCH_MAX_BYTES ((long long)256 << 20)

/* Creates a handle (caller-owned, freed by fw_fetch_free). opts may be
 * NULL (all defaults); it is copied. Initialises libcurl once per process
 * (not thread-safe: create the first handle before starting threads).
 * Errors: FW_ENOMEM, FW_ENET (libcurl could not be initialised). */
fw_err fw_fetch_new(const struct fw_fetch_opts *opts, fw_fetch **out,
                    struct fw_diag *d);

/* Frees f; accepts NULL. */
void fw_fetch_free(fw_fetch *f);

/* Downloads req->url into req->dest_path (see the file comment). On
 * FW_OK, resp->status is 200 (dest_path holds the whole body) or 304
 * (is_not_modified; dest_path untouched). On error dest_path is untouched
 * and no temporary file is left; d names the URL (file: the URL) and says
 * what went wrong, never the token.
 * Errors: FW_ENOTFOUND (404 or 410: nothing there, not retried; also a
 * missing file:// file), FW_ENET (no connection, TLS failure, timeout, a
 * transfer cut short, an HTTP error status, after the retries that apply;
 * a Retry-After longer than max_wait_s), FW_ELIMIT (body over max_bytes:
 * not retried), FW_EPARSE (a Content-Type not accepted: a captive portal's
 * or a CDN's HTML page, not retried), FW_EIO (dest folder not writable),
 * FW_EUSAGE (NULL url or dest_path, an unsupported scheme), FW_ENOMEM. */
fw_err fw_fetch_get(fw_fetch *f, const struct fw_fetch_req *req,
                    struct fw_fetch_resp *resp, struct fw_diag *d);

/* Totals over every request of f: requests sent (attempts) and bytes
 * received. */
void fw_fetch_totals(const fw_fetch *f, long *n_requests,
                     long long *wire_bytes);

#endif
