/*
 * server.c - civetweb in front of api.c (server.h).
 *
 * One begin_request callback answers everything: civetweb has decoded the
 * path and removed its dot segments (local_uri), so "/a/../b" arrives as
 * "/b"; api.c never touches the file system for a path, so no spelling of
 * a path reaches outside the dashboard's files held in memory.
 */
#include "frontwatch/server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frontwatch/date.h"

struct fw_server {
    struct mg_context *ctx;
    fw_api *api;
    FILE *access_log;
    int port;
    char bind[64];
    pthread_mutex_t mu;
    int is_stopped;
};

static pthread_mutex_t g_lib_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 1099511628211ULL;
    }
    return h;
}

static void http_date(int64_t t, char out[40])
{
    static const char *const wd[] = {"Thu", "Fri", "Sat", "Sun",
                                     "Mon", "Tue", "Wed"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
                                      "May", "Jun", "Jul", "Aug",
                                      "Sep", "Oct", "Nov", "Dec"};
    char iso[21];
    fw_date_format_iso(t, iso); /* YYYY-MM-DDTHH:MM:SSZ */
    int m = atoi(iso + 5);
    snprintf(out, 40, "%s, %.2s %s %.4s %.8s GMT",
             wd[(t / FW_DAY_S) % 7], iso + 8, mon[(m >= 1 && m <= 12) ? m - 1 : 0],
             iso, iso + 11);
}

/* Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); -1 if not. */
static int64_t parse_http_date(const char *s)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
                                      "May", "Jun", "Jul", "Aug",
                                      "Sep", "Oct", "Nov", "Dec"};
    char wd[4], mo[4];
    int day, year, h, mi, se;
    if (s == NULL || sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &day, mo,
                            &year, &h, &mi, &se) != 7) {
        return -1;
    }
    for (int m = 0; m < 12; m++) {
        if (strcmp(mo, mon[m]) == 0) {
            return fw_date_from_civil(year, m + 1, day, h, mi, se);
        }
    }
    return -1;
}

/* Whether the If-None-Match list names etag (weak comparison). */
static int etag_matches(const char *inm, const char *etag)
{
    if (inm == NULL) {
        return 0;
    }
    const char *bare = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
    size_t n = strlen(bare);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return 1;
        }
        if (strncmp(p, "W/", 2) == 0) {
            p += 2;
        }
        if (strncmp(p, bare, n) == 0 &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) {
            return 1;
        }
        const char *c = strchr(p, ',');
        if (c == NULL) {
            break;
        }
        p = c;
    }
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 300: return "Multiple Choices";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Client Error" : "Internal Server Error";
    }
}

static void access_line(fw_server *s, const struct mg_request_info *ri,
                        int status, size_t bytes, double ms)
{
    if (s->access_log == NULL) {
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    char when[40];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    /* one fprintf is one locked write: lines of threads do not mix */
    fprintf(s->access_log, "%s - - [%s] \"%s %s%s%.200s HTTP/%s\" %d %zu %.1fms\n",
            ri->remote_addr, when, ri->request_method,
            ri->local_uri ? ri->local_uri : "-",
            ri->query_string ? "?" : "",
            ri->query_string ? ri->query_string : "", ri->http_version,
            status, bytes, ms);
    fflush(s->access_log);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The headers every answer carries. */
#define COMMON_HEADERS                                                         \
    "Access-Control-Allow-Origin: *\r\n"                                       \
    "X-Content-Type-Options: nosniff\r\n"                                      \
    "Referrer-Policy: no-referrer\r\n"

static int on_request(struct mg_connection *c)
{
    fw_server *s = mg_get_user_data(mg_get_context(c));
    const struct mg_request_info *ri = mg_get_request_info(c);
    double t0 = now_ms();
    if (ri->local_uri == NULL) {
        const char *msg = "{\"error\":{\"code\":\"bad_path\",\"message\":"
                          "\"the request names no resource of this "
                          "server\"}}\n";
        mg_printf(c, "HTTP/1.1 400 Bad Request\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                  strlen(msg), msg);
        access_line(s, ri, 400, strlen(msg), now_ms() - t0);
        return 1;
    }
    if (strcmp(ri->request_method, "OPTIONS") == 0) {
        mg_printf(c, "HTTP/1.1 204 No Content\r\n" COMMON_HEADERS
                     "Access-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n"
                     "Access-Control-Allow-Headers: If-None-Match, "
                     "If-Modified-Since\r\nAccess-Control-Max-Age: 86400\r\n"
                     "Content-Length: 0\r\n\r\n");
        access_line(s, ri, 204, 0, now_ms() - t0);
        return 1;
    }
    const char *ae = mg_get_header(c, "Accept-Encoding");
    /* the feeds' links name the host the client asked for; a Host that
     * is not a plain host[:port] is not echoed into them */
    char base_url[160];
    const char *host = mg_get_header(c, "Host");
    int host_ok = host != NULL && *host != '\0' && strlen(host) < 100;
    for (const char *p = host; host_ok && *p; p++) {
        host_ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789.-:[]",
                         *p) != NULL;
    }
    if (host_ok) {
        snprintf(base_url, sizeof base_url, "http://%s", host);
    } else {
        snprintf(base_url, sizeof base_url, "http://%s:%d", s->bind, s->port);
    }
    struct fw_api_request rq = {
        .method = ri->request_method,
        .path = ri->local_uri,
        .query = ri->query_string,
        .accept_language = mg_get_header(c, "Accept-Language"),
        .base = "/",
        .base_url = base_url,
        .accept_gzip = ae != NULL && strstr(ae, "gzip") != NULL,
    };
    struct fw_api_response r;
    if (fw_api_answer(s->api, &rq, &r) != FW_OK) {
        mg_printf(c, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n");
        access_line(s, ri, 503, 0, now_ms() - t0);
        return 1;
    }
    char etag[80] = "", modified[40] = "";
    int status = r.status;
    if (r.is_cacheable) {
        /* the data version and the model name every answer they can
         * change; a static file is named by its bytes */
        uint64_t h = fnv(ri->local_uri, strlen(ri->local_uri),
                         1469598103934665603ULL);
        if (ri->query_string != NULL) {
            h = fnv(ri->query_string, strlen(ri->query_string), h);
        }
        h = fnv(r.body, r.body_len, h);
        snprintf(etag, sizeof etag, "W/\"%llx-%llx-%llx\"",
                 (unsigned long long)r.data_version,
                 (unsigned long long)r.model_tag, (unsigned long long)h);
        if (r.last_modified_s > 0) {
            http_date(r.last_modified_s, modified);
        }
        const char *inm = mg_get_header(c, "If-None-Match");
        const char *ims = mg_get_header(c, "If-Modified-Since");
        /* a date in the future is no date (RFC 9110, 13.1.3) */
        int64_t since = parse_http_date(ims);
        if (since > (int64_t)time(NULL)) {
            since = -1;
        }
        if (etag_matches(inm, etag) ||
            (inm == NULL && modified[0] != '\0' && since >= 0 &&
             since >= r.last_modified_s)) {
            status = 304;
        }
    }
    int is_head = strcmp(ri->request_method, "HEAD") == 0;
    /* the headers in one buffer and one send */
    char h[2048];
    size_t n = 0;
#define HDR(...)                                                               \
    do {                                                                       \
        int w_ = snprintf(h + n, sizeof h - n, __VA_ARGS__);                   \
        n += w_ > 0 && (size_t)w_ < sizeof h - n ? (size_t)w_ : 0;             \
    } while (0)
    HDR("HTTP/1.1 %d %s\r\n%s", status, reason(status), COMMON_HEADERS);
    if (etag[0] != '\0') {
        HDR("ETag: %s\r\nCache-Control: public, max-age=60\r\n", etag);
    } else {
        HDR("Cache-Control: no-store\r\n");
    }
    if (modified[0] != '\0') {
        HDR("Last-Modified: %s\r\n", modified);
    }
    HDR("Vary: Accept-Encoding, Accept-Language\r\n");
    if (r.allow[0] != '\0') {
        HDR("Allow: %s\r\n", r.allow);
    }
    if (r.retry_after_s > 0) {
        HDR("Retry-After: %d\r\n", r.retry_after_s);
    }
    size_t sent = 0;
    if (status != 304) {
        if (strncmp(r.content_type, "text/html", 9) == 0) {
            HDR("Content-Security-Policy: default-src 'self'; img-src 'self' "
                "data:; style-src 'self' 'unsafe-inline'; object-src "
                "'none'; frame-ancestors 'none'\r\n");
        }
        HDR("Content-Type: %s\r\n%sContent-Length: %zu\r\n", r.content_type,
            r.is_gzip ? "Content-Encoding: gzip\r\n" : "", r.body_len);
    }
    HDR("\r\n");
#undef HDR
    mg_write(c, h, n);
    if (status != 304 && !is_head && r.body_len > 0) {
        mg_write(c, r.body, r.body_len);
        sent = r.body_len;
    }
    access_line(s, ri, status, sent, now_ms() - t0);
    fw_api_response_free(&r);
    return status;
}

static int on_log(const struct mg_connection *c, const char *message)
{
    (void)c;
    fprintf(stderr, "frontwatch serve: %s\n", message);
    return 1;
}

fw_err fw_server_start(const struct fw_server_config *cfg, fw_server **out,
                       struct fw_diag *d)
{
    if (cfg->api == NULL || cfg->port < 0 || cfg->port > 65535 ||
        cfg->n_threads < 1 || cfg->n_threads > 256) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "a server needs the answers, a port from 0 to "
                           "65535 and 1 to 256 threads");
    }
    fw_server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    s->api = cfg->api;
    s->access_log = cfg->access_log;
    snprintf(s->bind, sizeof s->bind, "%s", cfg->bind ? cfg->bind : "127.0.0.1");
    char ports[96], threads[16], header[16], timeout[16];
    /* an IPv6 address goes in brackets */
    snprintf(ports, sizeof ports, strchr(s->bind, ':') ? "[%s]:%d" : "%s:%d",
             s->bind, cfg->port);
    snprintf(threads, sizeof threads, "%d", cfg->n_threads);
    snprintf(header, sizeof header, "%d", FW_SERVER_MAX_HEADER_BYTES);
    snprintf(timeout, sizeof timeout, "%d",
             cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms
                                         : FW_SERVER_REQUEST_TIMEOUT_MS);
    const char *mg_opts[] = {"listening_ports", ports,
                             "num_threads", threads,
                             "max_request_size", header,
                             "request_timeout_ms", timeout,
                             "enable_keep_alive", "yes",
                             "keep_alive_timeout_ms", "5000",
                             "enable_directory_listing", "no",
                             /* the answers are written in a few sends:
                              * without it Nagle holds the last one for
                              * the client's delayed ACK, 40 ms */
                             "tcp_nodelay", "1",
                             NULL};
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.begin_request = on_request;
    callbacks.log_message = on_log;
    struct mg_init_data init = {&callbacks, s, mg_opts};
    unsigned mg_code = 0;
    char mg_text[256] = "";
    struct mg_error_data mg_err = {&mg_code, mg_text, sizeof mg_text};
    pthread_mutex_lock(&g_lib_lock);
    (void)mg_init_library(0);
    pthread_mutex_unlock(&g_lib_lock);
    s->ctx = mg_start2(&init, &mg_err);
    if (s->ctx == NULL) {
        fw_err err = fw_diag_set(d, FW_EIO, 0, 0, "cannot listen on %s: %s",
                                 ports,
                                 mg_text[0] ? mg_text : "civetweb failed");
        pthread_mutex_lock(&g_lib_lock);
        (void)mg_exit_library();
        pthread_mutex_unlock(&g_lib_lock);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return err;
    }
    struct mg_server_port port;
    if (mg_get_server_ports(s->ctx, 1, &port) == 1) {
        s->port = port.port;
    }
    *out = s;
    return FW_OK;
}

int fw_server_port(const fw_server *s) { return s->port; }

static int is_stopped(fw_server *s)
{
    pthread_mutex_lock(&s->mu);
    int v = s->is_stopped;
    pthread_mutex_unlock(&s->mu);
    return v;
}

/* civetweb's listening thread sees mg_stop's flag only when its poll
 * returns, up to 2 s without traffic: this thread connects every 20 ms
 * until mg_stop has returned, so that stopping takes milliseconds. */
static void *poke(void *arg)
{
    fw_server *s = arg;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)s->port);
    if (inet_pton(AF_INET, s->bind, &sa.sin_addr) != 1 ||
        sa.sin_addr.s_addr == htonl(INADDR_ANY)) {
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    while (!is_stopped(s)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            (void)connect(fd, (const struct sockaddr *)&sa, sizeof sa);
            (void)close(fd);
        }
        struct timespec ts = {0, 20 * 1000000L};
        (void)nanosleep(&ts, NULL);
    }
    return NULL;
}

void fw_server_stop(fw_server *s)
{
    if (s == NULL) {
        return;
    }
    pthread_t poker;
    int has_poker = pthread_create(&poker, NULL, poke, s) == 0;
    mg_stop(s->ctx); /* joins the workers: none runs after this */
    pthread_mutex_lock(&s->mu);
    s->is_stopped = 1;
    pthread_mutex_unlock(&s->mu);
    if (has_poker) {
        pthread_join(poker, NULL);
    }
    pthread_mutex_lock(&g_lib_lock);
    (void)mg_exit_library();
    pthread_mutex_unlock(&g_lib_lock);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
