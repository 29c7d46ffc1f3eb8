/*
 * fetch.c - one URL to one file with libcurl (fetch.h): an easy handle per
 * attempt, every option's return checked, the body through a capped write
 * callback into a temporary file that is renamed only when the answer is
 * whole and of an accepted type.
 */
#include "frontwatch/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef FW_VERSION
#define FW_VERSION "0.1.0"
#endif

/* names the program and its version, as servers' operators ask */
#define DEFAULT_UA "frontwatch/" FW_VERSION " (early-warning tool; libcurl)"

/* Hosts remembered for the pause between requests; more are forgotten
 * oldest first (update talks to four). */
#define MAX_HOSTS 16

struct host {
    char name[256];
    double last_end_s; /* monotonic; 0 = never */
};

struct fw_fetch {
    struct fw_fetch_opts o;
    char user_agent[256];
    struct host hosts[MAX_HOSTS];
    size_t n_hosts;
    long n_requests;
    long long wire_bytes;
    uint64_t rng;
};

/* One attempt's state, seen by the callbacks. */
struct xfer {
    FILE *out;
    long long written;
    long long cap;
    int over_cap;
    long retry_after_s; /* -1: none */
    char etag[256];
    char last_modified[64];
    const struct fw_fetch *f;
    const char *url;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void init_curl(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0) {
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)s,
                          .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* xorshift64*: jitter needs no more than this. */
static double rand01(fw_fetch *f)
{
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (double)((f->rng * 2685821657736338717ULL) >> 11) /
           (double)(1ULL << 53);
}

fw_err fw_fetch_new(const struct fw_fetch_opts *opts, fw_fetch **out,
                    struct fw_diag *d)
{
    pthread_once(&curl_once, init_curl);
    if (curl_init_rc != CURLE_OK) {
        return fw_diag_set(d, FW_ENET, 0, 0, "libcurl: %s",
                           curl_easy_strerror(curl_init_rc));
    }
    fw_fetch *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return FW_ENOMEM;
    }
    if (opts != NULL) {
        f->o = *opts;
    }
    struct fw_fetch_opts *o = &f->o;
    if (o->connect_timeout_ms <= 0) {
        o->connect_timeout_ms = 10000;
    }
    if (o->total_timeout_ms <= 0) {
        o->total_timeout_ms = 600000;
    }
    if (o->stall_timeout_s <= 0) {
        o->stall_timeout_s = 60;
    }
    if (o->max_attempts <= 0) {
        o->max_attempts = 4;
    }
    if (o->backoff_ms <= 0) {
        o->backoff_ms = 2000;
    }
    if (o->max_wait_s <= 0) {
        o->max_wait_s = 300;
    }
    if (o->host_delay_ms <= 0) {
        o->host_delay_ms = 1000;
    }
    snprintf(f->user_agent, sizeof f->user_agent, "%s",
             o->user_agent ? o->user_agent : DEFAULT_UA);
    o->user_agent = f->user_agent;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    f->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
             ((uint64_t)getpid() << 40) ^ 0x9E3779B97F4A7C15ULL;
    *out = f;
    return FW_OK;
}

void fw_fetch_free(fw_fetch *f)
{
    free(f);
}

void fw_fetch_totals(const fw_fetch *f, long *n_requests, long long *wire_bytes)
{
    *n_requests = f->n_requests;
    *wire_bytes = f->wire_bytes;
}

/* The host of url ("" for file://), for the pause between requests. */
static void url_host(const char *url, char *buf, size_t cap)
{
    buf[0] = '\0';
    CURLU *u = curl_url();
    char *host = NULL;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        snprintf(buf, cap, "%s", host);
    }
    curl_free(host);
    curl_url_cleanup(u);
}

static struct host *host_slot(fw_fetch *f, const char *name)
{
    for (size_t i = 0; i < f->n_hosts; i++) {
        if (strcmp(f->hosts[i].name, name) == 0) {
            return &f->hosts[i];
        }
    }
    if (f->n_hosts == MAX_HOSTS) {
        memmove(f->hosts, f->hosts + 1, (MAX_HOSTS - 1) * sizeof *f->hosts);
        f->n_hosts--;
    }
    struct host *h = &f->hosts[f->n_hosts++];
    snprintf(h->name, sizeof h->name, "%s", name);
    h->last_end_s = 0;
    return h;
}

static size_t on_body(char *ptr, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;
    size_t len = size * n;
    if (x->written + (long long)len > x->cap) {
        x->over_cap = 1;
        return 0; /* CURLE_WRITE_ERROR ends the transfer */
    }
    if (fwrite(ptr, 1, len, x->out) != len) {
        return 0;
    }
    x->written += (long long)len;
    return len;
}

/* Copies a header's value (trimmed) into buf. */
static void header_value(const char *v, size_t len, char *buf, size_t cap)
{
    while (len > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
                       v[len - 1] == ' ' || v[len - 1] == '\t')) {
        len--;
    }
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(buf, v, len);
    buf[len] = '\0';
}

static int header_is(const char *line, size_t len, const char *name,
                     const char **value, size_t *value_len)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':') {
        return 0;
    }
    *value = line + n + 1;
    *value_len = len - n - 1;
    return 1;
}

/* Retry-After: delta-seconds or an HTTP-date (RFC 9110 10.2.3). */
static long parse_retry_after(const char *v)
{
    char *end = NULL;
    long s = strtol(v, &end, 10);
    if (end != v && *end == '\0') {
        return s < 0 ? 0 : s;
    }
    time_t t = curl_getdate(v, NULL);
    if (t < 0) {
        return -1;
    }
    long wait = (long)(t - time(NULL));
    return wait < 0 ? 0 : wait;
}

static size_t on_header(char *line, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;
    size_t len = size * n;
    const char *v;
    size_t vlen;
    char tmp[64];
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* a new answer (after a redirect or a 100): forget the last */
        x->etag[0] = '\0';
        x->last_modified[0] = '\0';
        x->retry_after_s = -1;
    } else if (header_is(line, len, "ETag", &v, &vlen)) {
        header_value(v, vlen, x->etag, sizeof x->etag);
    } else if (header_is(line, len, "Last-Modified", &v, &vlen)) {
        header_value(v, vlen, x->last_modified, sizeof x->last_modified);
    } else if (header_is(line, len, "Retry-After", &v, &vlen)) {
        header_value(v, vlen, tmp, sizeof tmp);
        x->retry_after_s = parse_retry_after(tmp);
    }
    return len;
}

static int is_cancelled(const fw_fetch *f)
{
    return f->o.cancel != NULL && *f->o.cancel != 0;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    struct xfer *x = ctx;
    if (x->f->o.progress != NULL) {
        x->f->o.progress(x->f->o.progress_ctx, x->url, (long long)dlnow,
                         (long long)dltotal);
    }
    return is_cancelled(x->f); /* non-zero aborts the transfer */
}

static int type_accepted(const char *const *types, const char *got)
{
    if (types == NULL) {
        return 1;
    }
    for (size_t i = 0; types[i] != NULL; i++) {
        if (strncasecmp(got, types[i], strlen(types[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

/* What one attempt came to. */
enum outcome {
    O_DONE,  /* 200 or 304: stop, success */
    O_RETRY, /* may succeed later */
    O_FAIL   /* will not: stop, error set */
};

#define SET(opt, val)                                                          \
    do {                                                                       \
        if ((rc = curl_easy_setopt(h, opt, val)) != CURLE_OK) {                \
            goto setopt_failed;                                                \
        }                                                                      \
    } while (0)

/* One attempt: the transfer into tmp (already open as x->out). */
static enum outcome attempt(fw_fetch *f, const struct fw_fetch_req *req,
                            struct xfer *x, struct fw_fetch_resp *resp,
                            fw_err *err, struct fw_diag *d)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL, *nh;
    CURLcode rc;
    enum outcome o = O_FAIL;
    char line[512];
    if (h == NULL) {
        *err = FW_ENOMEM;
        return O_FAIL;
    }
    if (req->etag != NULL && req->etag[0] != '\0') {
        snprintf(line, sizeof line, "If-None-Match: %s", req->etag);
        if ((nh = curl_slist_append(hdr, line)) == NULL) {
            goto oom;
        }
        hdr = nh;
    }
    if (req->last_modified != NULL && req->last_modified[0] != '\0') {
        snprintf(line, sizeof line, "If-Modified-Since: %s",
                 req->last_modified);
        if ((nh = curl_slist_append(hdr, line)) == NULL) {
            goto oom;
        }
        hdr = nh;
    }
    if (req->bearer_token != NULL) {
        snprintf(line, sizeof line, "Authorization: Bearer %s",
                 req->bearer_token);
        nh = curl_slist_append(hdr, line);
        memset(line, 0, sizeof line); /* no copy of the token lingers */
        if (nh == NULL) {
            goto oom;
        }
        hdr = nh;
    }
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, 5L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, f->user_agent);
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* gzip and the others libcurl has */
    SET(CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, f->o.total_timeout_ms);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
    SET(CURLOPT_LOW_SPEED_TIME, f->o.stall_timeout_s);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->cap);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, x);
    SET(CURLOPT_NOPROGRESS, 0L);
    if (hdr != NULL) {
        SET(CURLOPT_HTTPHEADER, hdr);
    }

    rc = curl_easy_perform(h);
    f->n_requests++;
    resp->n_attempts++;
    curl_off_t got = 0;
    if (curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &got) == CURLE_OK) {
        resp->wire_bytes += (long long)got;
        f->wire_bytes += (long long)got;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    resp->status = status;
    char *ct = NULL;
    resp->content_type[0] = '\0';
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
        ct != NULL) {
        snprintf(resp->content_type, sizeof resp->content_type, "%s", ct);
    }
    int is_file = strncasecmp(req->url, "file:", 5) == 0;

    if (rc != CURLE_OK) {
        if (is_cancelled(f)) {
            *err = fw_diag_set(d, FW_ENET, 0, 0, "interrupted");
            o = O_FAIL;
        } else if (x->over_cap || rc == CURLE_FILESIZE_EXCEEDED) {
            *err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                               "the answer is larger than the %lld-byte cap",
                               x->cap);
            o = O_FAIL;
        } else if (rc == CURLE_FILE_COULDNT_READ_FILE) {
            *err = fw_diag_set(d, FW_ENOTFOUND, 0, 0, "no such file");
            o = O_FAIL;
        } else if (rc == CURLE_UNSUPPORTED_PROTOCOL ||
                   rc == CURLE_URL_MALFORMAT) {
            *err = fw_diag_set(d, FW_EUSAGE, 0, 0,
                               "%s (https://, http:// or file:// only)",
                               curl_easy_strerror(rc));
            o = O_FAIL;
        } else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
                   rc == CURLE_SSL_CONNECT_ERROR ||
                   rc == CURLE_SSL_CERTPROBLEM ||
                   rc == CURLE_SSL_CACERT_BADFILE) {
            /* a certificate that does not verify will not verify later */
            *err = fw_diag_set(d, FW_ENET, 0, 0, "TLS: %s",
                               curl_easy_strerror(rc));
            o = O_FAIL;
        } else {
            *err = fw_diag_set(d, FW_ENET, 0, 0, "%s", curl_easy_strerror(rc));
            o = O_RETRY;
        }
        goto out;
    }
    if (is_file || status == 200) {
        if (!is_file &&
            !type_accepted(req->content_types, resp->content_type)) {
            *err = fw_diag_set(d, FW_EPARSE, 0, 0,
                               "answered with Content-Type '%s', expected "
                               "%s%s (an error page of a proxy or portal?)",
                               resp->content_type[0] ? resp->content_type
                                                     : "(none)",
                               req->content_types[0],
                               req->content_types[1] ? " or similar" : "");
            o = O_FAIL;
            goto out;
        }
        resp->status = 200;
        snprintf(resp->etag, sizeof resp->etag, "%s", x->etag);
        snprintf(resp->last_modified, sizeof resp->last_modified, "%s",
                 x->last_modified);
        resp->body_bytes = x->written;
        o = O_DONE;
    } else if (status == 304) {
        resp->is_not_modified = 1;
        o = O_DONE;
    } else if (status == 404 || status == 410) {
        *err =
            fw_diag_set(d, FW_ENOTFOUND, 0, 0, "HTTP %ld: not there", status);
        o = O_FAIL;
    } else if (status == 429 || status >= 500) {
        *err = fw_diag_set(d, FW_ENET, 0, 0, "HTTP %ld%s", status,
                           status == 429 ? " Too Many Requests" : "");
        o = O_RETRY;
    } else {
        *err = fw_diag_set(d, FW_ENET, 0, 0, "HTTP %ld%s", status,
                           status == 401 || status == 403
                               ? " (refused: a token or permission needed)"
                               : "");
        o = O_FAIL;
    }
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return o;
setopt_failed:
    *err = fw_diag_set(d, FW_ENET, 0, 0, "libcurl option: %s",
                       curl_easy_strerror(rc));
    o = O_FAIL;
    goto out;
oom:
    *err = FW_ENOMEM;
    o = O_FAIL;
    goto out;
}

#undef SET

fw_err fw_fetch_get(fw_fetch *f, const struct fw_fetch_req *req,
                    struct fw_fetch_resp *resp, struct fw_diag *d)
{
    memset(resp, 0, sizeof *resp);
    fw_diag_reset(d);
    if (req == NULL || req->url == NULL || req->dest_path == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no URL or destination");
    }
    double t0 = mono_s();
    char host_name[256];
    url_host(req->url, host_name, sizeof host_name);
    double delay_s = (double)(req->host_delay_ms > 0 ? req->host_delay_ms
                                                     : f->o.host_delay_ms) /
                     1000.0;
    size_t tmp_len = strlen(req->dest_path) + 16;
    char *tmp = malloc(tmp_len);
    if (tmp == NULL) {
        return FW_ENOMEM;
    }
    fw_err err = FW_ENET;
    long long cap = req->max_bytes > 0 ? req->max_bytes : FW_FETCH_MAX_BYTES;
    for (int i = 0; i < f->o.max_attempts; i++) {
        if (is_cancelled(f)) {
            err = fw_diag_set(d, FW_ENET, 0, 0, "interrupted");
            break;
        }
        if (host_name[0] != '\0') {
            struct host *hs = host_slot(f, host_name);
            if (hs->last_end_s > 0) {
                sleep_s(hs->last_end_s + delay_s - mono_s());
            }
        }
        snprintf(tmp, tmp_len, "%s.partXXXXXX", req->dest_path);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            err = fw_diag_set(d, FW_EIO, 0, 0, "cannot create %s: %s", tmp,
                              strerror(errno));
            break;
        }
        struct xfer x = {
            .cap = cap, .retry_after_s = -1, .f = f, .url = req->url};
        x.out = fdopen(fd, "wb");
        if (x.out == NULL) {
            close(fd);
            unlink(tmp);
            err = FW_ENOMEM;
            break;
        }
        fw_diag_reset(d);
        enum outcome o = attempt(f, req, &x, resp, &err, d);
        if (host_name[0] != '\0') {
            host_slot(f, host_name)->last_end_s = mono_s();
        }
        if (fclose(x.out) != 0 && o == O_DONE && !resp->is_not_modified) {
            err = fw_diag_set(d, FW_EIO, 0, 0, "cannot write %s: %s", tmp,
                              strerror(errno));
            o = O_FAIL;
        }
        if (o == O_DONE && !resp->is_not_modified) {
            if (rename(tmp, req->dest_path) != 0) {
                err = fw_diag_set(d, FW_EIO, 0, 0, "cannot rename %s: %s", tmp,
                                  strerror(errno));
                unlink(tmp);
                break;
            }
            err = FW_OK;
            break;
        }
        unlink(tmp);
        if (o == O_DONE) {
            err = FW_OK;
            break;
        }
        if (o == O_FAIL) {
            break;
        }
        if (i + 1 == f->o.max_attempts) {
            char what[sizeof d->msg];
            snprintf(what, sizeof what, "%s", d != NULL ? d->msg : "");
            fw_diag_set(d, err, 0, 0, "%s, after %d attempts", what,
                        resp->n_attempts);
            break;
        }
        /* exponential backoff with jitter: half the step plus a random
         * part of the other half, so that clients do not retry in step */
        double step = (double)f->o.backoff_ms / 1000.0 * (double)(1L << i);
        double wait = step / 2 + rand01(f) * step / 2;
        if (x.retry_after_s >= 0) {
            if (x.retry_after_s > f->o.max_wait_s) {
                char what[sizeof d->msg];
                snprintf(what, sizeof what, "%s", d != NULL ? d->msg : "");
                err = fw_diag_set(d, FW_ENET, 0, 0,
                                  "%s: asks to wait %ld s (Retry-After), "
                                  "more than the %ld s this run waits",
                                  what, x.retry_after_s, f->o.max_wait_s);
                break;
            }
            if ((double)x.retry_after_s > wait) {
                wait = (double)x.retry_after_s;
            }
        }
        sleep_s(wait);
    }
    free(tmp);
    resp->seconds = mono_s() - t0;
    if (err != FW_OK && d != NULL) {
        snprintf(d->file, sizeof d->file, "%s", req->url);
    }
    return err;
}
