/*
 * fw_httpd.h - a loopback HTTP server that stands in for the internet
 * sources of `frontwatch update` in tests.
 *
 * It listens on 127.0.0.1 only and serves the real files of the shared
 * data folder (../shared/data) in the shapes of the real sources: the
 * DeepStateMap history API (/deepstate), the raw files of the
 * cyterat/deepstate-map-data repository (/occupied), the air-alert CSVs
 * (/alerts) and the alerts.in.ua API (/alerts_in_ua, optionally behind a
 * Bearer token). Every file answer carries an ETag and a Last-Modified
 * and honours If-None-Match and If-Modified-Since with 304, so that the
 * client's conditional requests can be tested. Faults (rate limits,
 * server errors, cut or slow bodies, captive-portal pages, oversize or
 * invalid bodies, refusals) are queued by path prefix, from C
 * (fw_httpd_add_fault) or over HTTP (/_control/fault, for shell tests).
 * tests/support/README.md lists the routes and the faults; the program
 * fw_test_httpd (httpd_main.c) runs the server for shell tests.
 *
 * Counts and the last Authorization header seen are kept per path and can
 * be read back by prefix. All state shared with civetweb's worker threads
 * is guarded by one mutex: every function may be called from any thread,
 * and several servers may run at once, but a handle must not be used
 * during or after its own fw_httpd_stop.
 */
#ifndef FW_HTTPD_H
#define FW_HTTPD_H

#include <stddef.h>

#include "frontwatch/err.h"

/* A running server. Opaque; created by fw_httpd_start, ended by
 * fw_httpd_stop. */
typedef struct fw_httpd fw_httpd;

/* Largest body the server reads from a data file (decompressed): 64 MiB.
 * The largest real file served is 3.4 MB. A larger file is answered with
 * 500. */
#define FW_HTTPD_MAX_BODY_BYTES ((size_t)64 << 20)

/* Most faults queued at once (fw_httpd_add_fault gives FW_ELIMIT beyond). */
#define FW_HTTPD_MAX_FAULTS 64

/* Longest fault prefix, in bytes without the NUL. */
#define FW_HTTPD_MAX_PREFIX_LEN 255

/* Most distinct request paths whose counts are kept apart. Requests to
 * further new paths still count in the totals (prefix NULL) but in no
 * prefix's. */
#define FW_HTTPD_MAX_PATHS 4096

/* Longest Authorization header kept per path, in bytes without the NUL;
 * longer ones are kept cut to this length. */
#define FW_HTTPD_MAX_AUTH_LEN 1023

struct fw_httpd_opts {
    /* The shared data folder (borrowed; copied by fw_httpd_start). Must be
     * a directory; a subfolder or file missing in it makes only the routes
     * that need it answer 404. */
    const char *data_dir;
    /* Bearer token required under /alerts_in_ua/ (borrowed; copied), or
     * NULL for none. Printable ASCII without spaces, at most 255 bytes. */
    const char *token;
    /* TCP port on 127.0.0.1, or 0 for a free port chosen by the system. */
    int port;
};

/* What a fault does to the answer. Faulted requests never get 304: the
 * fault decides the whole answer. The name in parentheses is the `kind`
 * of the control URL and of fw_httpd_fault_parse. */
enum fw_httpd_fault_kind {
    /* (status429) 429 with `Retry-After: arg` (seconds) and a JSON body. */
    FW_HTTPD_FAULT_STATUS429,
    /* (status503) 503 with `Retry-After: arg` (seconds) and a JSON body. */
    FW_HTTPD_FAULT_STATUS503,
    /* (status500) 500 with a JSON body, no Retry-After; arg unused. */
    FW_HTTPD_FAULT_STATUS500,
    /* (truncate) the route's status and headers with the full
     * Content-Length, then the first half of the body (rounded down), then
     * the connection is closed; arg unused. */
    FW_HTTPD_FAULT_TRUNCATE,
    /* (slow) the route's answer, but after the headers and the first 1 KiB
     * of the body the server waits arg milliseconds (in 10 ms steps; it
     * stops waiting, and closes without the rest, when fw_httpd_stop is
     * called). */
    FW_HTTPD_FAULT_SLOW,
    /* (content_type) 200, `Content-Type: text/html` and the body
     * `<html><body>Access denied</body></html>`, as captive portals and
     * CDNs answer; arg unused. */
    FW_HTTPD_FAULT_CONTENT_TYPE,
    /* (oversize) 200 with the route's Content-Type and a body of exactly
     * arg bytes (at least 1): `{"alerts":[` then spaces, streamed, with
     * its Content-Length. */
    FW_HTTPD_FAULT_OVERSIZE,
    /* (bad_json) the route's status and Content-Type and the first half of
     * its body (rounded down), with a Content-Length that matches it: a
     * complete HTTP answer carrying cut JSON or CSV; arg unused. */
    FW_HTTPD_FAULT_BAD_JSON,
    /* (refuse) 403 with a JSON body, as the DeepState list endpoint
     * answers clients it does not accept; arg unused. */
    FW_HTTPD_FAULT_REFUSE
};

/* Counts over the requests whose path starts with a prefix. Control
 * requests (/_control/) are not counted. Every count is updated before the
 * answer's bytes are written, so a client that has read a whole answer
 * sees it counted. */
struct fw_httpd_stats {
    long n_requests;           /* requests received */
    long long body_bytes_sent; /* body bytes handed to the connection
                                * (headers not counted; a write the client
                                * cut short still counts whole) */
    long n_not_modified;       /* answered 304 */
    long n_faults;             /* answered by a fault */
};

/* Starts a server on 127.0.0.1 (never any other address) with the options
 * in *opts (borrowed; the strings are copied). The DeepState history is
 * listed once, here: files added to the folder later are not served. On
 * success *out is the server (freed by fw_httpd_stop) and *port_out (may
 * be NULL) its TCP port; on error neither is touched and no thread is
 * left. d (may be NULL) gets the reason in its msg. Errors:
 *  - FW_EUSAGE: opts, its data_dir or out NULL; port outside 0..65535; a
 *    token that is empty, too long or not printable ASCII without spaces.
 *  - FW_ENOTFOUND: data_dir is not a directory.
 *  - FW_EIO: the DeepState history folder exists but cannot be listed;
 *    the server could not start (port in use: the message is civetweb's).
 *  - FW_ELIMIT: a path in data_dir longer than 4095 bytes; more than
 *    100000 maps in the DeepState history folder.
 *  - FW_ENOMEM. */
fw_err fw_httpd_start(const struct fw_httpd_opts *opts, fw_httpd **out,
                      int *port_out, struct fw_diag *d);

/* Stops h: waits for the requests being answered (a `slow` fault stops
 * waiting at once), closes the port and frees h; takes some milliseconds.
 * h may be NULL. */
void fw_httpd_stop(fw_httpd *h);

/* Queues a fault: the next n requests whose path (without the query
 * string) starts with prefix (borrowed; copied; "/" matches every path)
 * get fault kind with argument arg (see enum fw_httpd_fault_kind). Faults
 * are used in the order they were queued: a request takes the oldest one
 * whose prefix matches it. Errors: FW_EUSAGE (h or prefix NULL, prefix
 * empty, not starting with '/' or longer than FW_HTTPD_MAX_PREFIX_LEN,
 * kind unknown, n < 1, arg < 0, or arg < 1 for oversize), FW_ELIMIT
 * (FW_HTTPD_MAX_FAULTS still queued). Nothing is queued on error. */
fw_err fw_httpd_add_fault(fw_httpd *h, const char *prefix,
                          enum fw_httpd_fault_kind kind, int n, long arg);

/* Forgets every queued fault and every count and Authorization header, as
 * if h had just started: for tests that share one server. */
void fw_httpd_reset(fw_httpd *h);

/* The counts of the requests whose path starts with prefix (borrowed), or
 * of all requests when prefix is NULL, into *out. A prefix no request
 * matched gives zeros. */
void fw_httpd_get_stats(fw_httpd *h, const char *prefix,
                        struct fw_httpd_stats *out);

/* Copies the Authorization header of the latest request whose path starts
 * with prefix (borrowed; NULL: of all requests) into buf[0..buf_len) as a
 * NUL-terminated string: "" when that request had none. Errors:
 * FW_ENOTFOUND (no request matched; buf is ""), FW_ELIMIT (buf too short:
 * buf holds the header cut to buf_len - 1 bytes), FW_EUSAGE (h or buf
 * NULL, or buf_len 0; buf untouched). */
fw_err fw_httpd_get_last_auth(fw_httpd *h, const char *prefix, char *buf,
                              size_t buf_len);

/* The kind named name ("status429", "truncate", ...: see enum
 * fw_httpd_fault_kind) into *out. Errors: FW_ENOTFOUND (no such name),
 * FW_EUSAGE (name or out NULL); *out is untouched on error. */
fw_err fw_httpd_fault_parse(const char *name, enum fw_httpd_fault_kind *out);

/* The static name of kind ("status429"...), or "unknown". Never NULL. */
const char *fw_httpd_fault_name(enum fw_httpd_fault_kind kind);

#endif
