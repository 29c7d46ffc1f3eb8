/*
 * fw_httpd.c - the loopback test server of fw_httpd.h, on civetweb.
 *
 * Every request goes through on_request (civetweb's begin_request
 * callback, set before the server starts so that no request can arrive
 * before it): control requests are answered at once; any other request
 * is first counted and may take a queued fault (record_request, under the
 * lock), then its route builds the whole answer in memory (struct
 * answer), and finally either the fault decides what is written
 * (send_fault) or the answer is written, as a 304 when the client's
 * validators match (send_answer). Counts are updated before the bytes
 * they count are written, so a client that has read an answer sees it
 * counted. Keep-alive is off: every answer ends by closing the
 * connection, which is also how `truncate` cuts a body short.
 *
 * Nothing here is global but the lock around civetweb's library
 * initialisation, whose first call is not thread-safe.
 */
#include "fw_httpd.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <civetweb.h>

/* Folders and files of the shared data folder, as the routes use them. */
#define DS_DIR "frontline/deepstate_full_layers_2022-2025"
#define OCC_GZ                                                                 \
    "frontline/deepstate_occupied_consolidated/deepstate-map-data.geojson.gz"
#define OCC_DIR "frontline/deepstate_occupied_2024-2026"
#define ALERTS_DIR "alerts"
#define AIU_DIR "alerts_in_ua"

#define PATH_CAP 4096
#define MAX_TOKEN_LEN 255
/* More DeepState maps than this in the folder fail the start (FW_ELIMIT):
 * the real folder holds 175. */
#define MAX_MAPS 100000
#define WRITE_CHUNK_BYTES ((size_t)64 * 1024)
#define SLOW_FIRST_BYTES ((size_t)1024)
#define SLOW_STEP_MS 10L

/* civetweb worker threads: each `slow` fault holds one while it waits. */
#define NUM_THREADS "16"

#define JSON "application/json"
#define TEXT "text/plain; charset=utf-8"

/* Index of a request's counts: an entry of h->paths, or one of these. */
#define REC_NONE ((size_t)-1)     /* a control request: not counted */
#define REC_OVERFLOW ((size_t)-2) /* h->overflow: the path table was full */

/* Serialises mg_init_library and mg_exit_library across servers. */
static pthread_mutex_t civetweb_init_lock = PTHREAD_MUTEX_INITIALIZER;

/* One map of the DeepState history: deepstate_<datetime>_<id>.geojson.gz */
struct ds_map {
    long long id;      /* unix seconds, as DeepState numbers its maps */
    char datetime[21]; /* YYYY-MM-DDTHH:MM:SSZ */
    char name[64];     /* the file name */
};

struct fault {
    char prefix[FW_HTTPD_MAX_PREFIX_LEN + 1];
    enum fw_httpd_fault_kind kind;
    int n_left;
    long arg;
};

struct path_stats {
    char *path; /* owned; NULL in h->overflow */
    struct fw_httpd_stats s;
    unsigned long long last_seq; /* order of the latest request, 0: none */
    char auth[FW_HTTPD_MAX_AUTH_LEN + 1];
};

struct fw_httpd {
    struct mg_context *ctx;
    int port;
    /* Set before the server starts and never changed: read by the worker
     * threads without the lock. */
    char *data_dir;
    char *token;         /* NULL: none required */
    struct ds_map *maps; /* sorted by id, oldest first */
    size_t n_maps;
    char *list_body; /* the /api/history/public answer */
    size_t list_len;
    time_t list_mtime;
    char list_etag[24];

    pthread_mutex_t lock; /* guards everything below */
    bool is_stopping;
    bool is_stopped; /* mg_stop has returned */
    struct fault faults[FW_HTTPD_MAX_FAULTS];
    size_t n_faults;
    struct path_stats *paths;
    size_t n_paths;
    size_t paths_cap;
    struct path_stats overflow;
    unsigned long long seq;
};

/* A route's whole answer, before any fault or validator is applied. */
struct answer {
    int status;
    const char *content_type; /* static */
    const char *body;         /* owned or static or h->list_body */
    char *owned;              /* freed by answer_free; NULL if none */
    size_t body_len;
    bool has_validators; /* a file answer: ETag, Last-Modified, 304 */
    time_t mtime;
    char etag[24];     /* quoted, when has_validators */
    const char *extra; /* static "Name: value\r\n" lines, or NULL */
};

/* ---- helpers ---------------------------------------------------------- */

/* A default mutex fails only when misused (EINVAL, EDEADLK): a programmer
 * error, hence assert. */
static void lock(fw_httpd *h)
{
    int rc = pthread_mutex_lock(&h->lock);
    assert(rc == 0);
    (void)rc;
}

static void unlock(fw_httpd *h)
{
    int rc = pthread_mutex_unlock(&h->lock);
    assert(rc == 0);
    (void)rc;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
    }
    return true;
}

/* out = dir "/" rel. FW_ELIMIT when it does not fit in PATH_CAP. */
static fw_err join_path(char out[PATH_CAP], const char *dir, const char *rel)
{
    int n = snprintf(out, PATH_CAP, "%s/%s", dir, rel);
    return n < 0 || n >= PATH_CAP ? FW_ELIMIT : FW_OK;
}

/* FNV-1a, 64 bits, as a quoted hex ETag: cheap and enough to tell bodies
 * apart in tests. */
static void make_etag(const char *body, size_t len, char out[24])
{
    uint64_t x = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        x ^= (unsigned char)body[i];
        x *= 0x100000001b3ULL;
    }
    snprintf(out, 24, "\"%016llx\"", (unsigned long long)x);
}

static const char *const weekday_names[7] = {"Sun", "Mon", "Tue", "Wed",
                                             "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};

/* t as an RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); names
 * are written here, not by strftime, so the locale cannot change them. */
static void http_date(time_t t, char out[64])
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(out, 64, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             weekday_names[tm.tm_wday % 7], tm.tm_mday,
             month_names[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); timegm is not POSIX. */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Parses an IMF-fixdate into *out. The obsolete RFC 850 and asctime forms
 * are not accepted: an unparsable If-Modified-Since is ignored, as RFC 7232
 * says. */
static bool parse_http_date(const char *s, time_t *out)
{
    char wd[4], mon[4];
    int day, year, hh, mm, ss, n = -1;
    if (sscanf(s, "%3[A-Za-z], %d %3[A-Za-z] %d %d:%d:%d GMT%n", wd, &day, mon,
               &year, &hh, &mm, &ss, &n) != 7 ||
        n < 0) {
        return false;
    }
    while (s[n] == ' ' || s[n] == '\t') {
        n++;
    }
    if (s[n] != '\0') {
        return false;
    }
    int m = -1;
    for (int i = 0; i < 12; i++) {
        if (strcmp(mon, month_names[i]) == 0) {
            m = i + 1;
        }
    }
    if (m < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || hh > 23 ||
        hh < 0 || mm > 59 || mm < 0 || ss > 60 || ss < 0) {
        return false;
    }
    long long t =
        days_from_civil(year, m, day) * 86400LL + hh * 3600LL + mm * 60LL + ss;
    *out = (time_t)t;
    return true;
}

/* Does the If-None-Match list inm ("*", or entity tags separated by
 * commas, weak ones W/"...") name etag? Weak comparison, as RFC 7232
 * wants for If-None-Match. */
static bool etag_matches(const char *inm, const char *etag)
{
    size_t etag_len = strlen(etag);
    const char *p = inm;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return true;
        }
        if (p[0] == 'W' && p[1] == '/') {
            p += 2;
        }
        if (*p == '"') {
            const char *end = strchr(p + 1, '"');
            if (end == NULL) {
                return false;
            }
            size_t len = (size_t)(end - p) + 1;
            if (len == etag_len && memcmp(p, etag, len) == 0) {
                return true;
            }
            p = end + 1;
        } else {
            while (*p != '\0' && *p != ',') {
                p++;
            }
        }
    }
    return false;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

/* ---- reading data files ----------------------------------------------- */

/* Reads the file at path whole into a new NUL-terminated buffer (*out,
 * freed with free) and its mtime. Errors: FW_ENOTFOUND (no such file),
 * FW_EIO, FW_ELIMIT (over FW_HTTPD_MAX_BODY_BYTES), FW_ENOMEM; outputs
 * untouched on error. */
static fw_err read_raw(const char *path, char **out, size_t *out_len,
                       time_t *mtime)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT || errno == ENOTDIR ? FW_ENOTFOUND : FW_EIO;
    }
    fw_err err = FW_OK;
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        err = FW_EIO;
    } else if ((unsigned long long)st.st_size > FW_HTTPD_MAX_BODY_BYTES) {
        err = FW_ELIMIT;
    } else {
        len = (size_t)st.st_size;
        buf = malloc(len + 1);
        if (buf == NULL) {
            err = FW_ENOMEM;
        } else if (fread(buf, 1, len, f) != len) {
            err = FW_EIO;
        }
    }
    if (fclose(f) != 0 && err == FW_OK) {
        err = FW_EIO;
    }
    if (err != FW_OK) {
        free(buf);
        return err;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    *mtime = st.st_mtime;
    return FW_OK;
}

/* Like read_raw, but gunzips the file (zlib reads a file that is not gzip
 * as it is). The cap bounds the decompressed size. */
static fw_err read_gz(const char *path, char **out, size_t *out_len,
                      time_t *mtime)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return errno == ENOENT || errno == ENOTDIR ? FW_ENOTFOUND : FW_EIO;
    }
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        return errno == ENOMEM ? FW_ENOMEM : FW_EIO;
    }
    fw_err err = FW_OK;
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    for (;;) {
        if (cap - len < WRITE_CHUNK_BYTES + 1) {
            size_t new_cap = cap == 0 ? (size_t)1 << 20 : cap * 2;
            if (new_cap > FW_HTTPD_MAX_BODY_BYTES + WRITE_CHUNK_BYTES + 1) {
                new_cap = FW_HTTPD_MAX_BODY_BYTES + WRITE_CHUNK_BYTES + 1;
            }
            if (new_cap <= cap) {
                err = FW_ELIMIT;
                goto done;
            }
            char *grown = realloc(buf, new_cap);
            if (grown == NULL) {
                err = FW_ENOMEM;
                goto done;
            }
            buf = grown;
            cap = new_cap;
        }
        int n = gzread(gz, buf + len, (unsigned)WRITE_CHUNK_BYTES);
        if (n < 0) {
            err = FW_EIO; /* corrupt or cut gzip data */
            goto done;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
        if (len > FW_HTTPD_MAX_BODY_BYTES) {
            err = FW_ELIMIT;
            goto done;
        }
    }
done:
    if (gzclose_r(gz) != Z_OK && err == FW_OK) {
        err = FW_EIO;
    }
    if (err != FW_OK) {
        free(buf);
        return err;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    *mtime = st.st_mtime;
    return FW_OK;
}

/* ---- answers ---------------------------------------------------------- */

static void answer_static(struct answer *a, int status,
                          const char *content_type, const char *body)
{
    a->status = status;
    a->content_type = content_type;
    a->body = body;
    a->body_len = strlen(body);
}

/* The answer for a failed read of a data file: 404 when it is absent,
 * else 500. */
static void answer_read_error(struct answer *a, fw_err err,
                              const char *not_found_type,
                              const char *not_found_body)
{
    if (err == FW_ENOTFOUND) {
        answer_static(a, 404, not_found_type, not_found_body);
    } else {
        answer_static(a, 500, JSON,
                      "{\"statusCode\":500,\"message\":\"cannot read the "
                      "data file\"}");
    }
}

/* Takes buf (owned) as a 200 file answer with validators. */
static void answer_file(struct answer *a, const char *content_type, char *buf,
                        size_t len, time_t mtime)
{
    a->status = 200;
    a->content_type = content_type;
    a->owned = buf;
    a->body = buf;
    a->body_len = len;
    a->has_validators = true;
    a->mtime = mtime;
    make_etag(buf, len, a->etag);
}

static void answer_free(struct answer *a)
{
    free(a->owned);
    a->owned = NULL;
}

/* ---- routes ----------------------------------------------------------- */

static const char ds_not_found[] =
    "{\"statusCode\":404,\"message\":\"Not Found\"}";
static const char github_not_found[] = "404: Not Found";

static const struct ds_map *find_map(const fw_httpd *h, long long id)
{
    size_t lo = 0;
    size_t hi = h->n_maps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->maps[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < h->n_maps && h->maps[lo].id == id ? &h->maps[lo] : NULL;
}

/* Reads the GeoJSON of map m. */
static fw_err read_map(const fw_httpd *h, const struct ds_map *m, char **out,
                       size_t *out_len, time_t *mtime)
{
    char dir[PATH_CAP];
    char path[PATH_CAP];
    fw_err err = join_path(dir, h->data_dir, DS_DIR);
    if (err == FW_OK) {
        err = join_path(path, dir, m->name);
    }
    if (err == FW_OK) {
        err = read_gz(path, out, out_len, mtime);
    }
    return err;
}

/* rest: the path after "/deepstate". */
static void route_deepstate(const fw_httpd *h, const char *rest,
                            struct answer *a)
{
    static const char history[] = "/api/history/";
    if (strcmp(rest, "/api/history/public") == 0) {
        a->status = 200;
        a->content_type = JSON;
        a->body = h->list_body;
        a->body_len = h->list_len;
        a->has_validators = true;
        a->mtime = h->list_mtime;
        memcpy(a->etag, h->list_etag, sizeof a->etag);
        return;
    }
    char *geo = NULL;
    size_t geo_len = 0;
    time_t mtime = 0;
    if (strcmp(rest, "/api/history/last") == 0) {
        if (h->n_maps == 0) {
            answer_static(a, 404, JSON, ds_not_found);
            return;
        }
        const struct ds_map *m = &h->maps[h->n_maps - 1];
        fw_err err = read_map(h, m, &geo, &geo_len, &mtime);
        if (err != FW_OK) {
            answer_read_error(a, err, JSON, ds_not_found);
            return;
        }
        /* Concatenated, not re-serialised: the map is served as stored. */
        char head[64];
        int head_len =
            snprintf(head, sizeof head, "{\"id\":%lld,\"map\":", m->id);
        size_t len = (size_t)head_len + geo_len + 1;
        char *body = malloc(len + 1);
        if (head_len < 0 || body == NULL) {
            free(geo);
            free(body);
            answer_static(a, 500, JSON,
                          "{\"statusCode\":500,\"message\":\"out of "
                          "memory\"}");
            return;
        }
        memcpy(body, head, (size_t)head_len);
        memcpy(body + head_len, geo, geo_len);
        body[len - 1] = '}';
        body[len] = '\0';
        free(geo);
        answer_file(a, JSON, body, len, mtime);
        return;
    }
    if (has_prefix(rest, history)) {
        const char *id_text = rest + strlen(history);
        const char *slash = strchr(id_text, '/');
        size_t id_len = slash == NULL ? 0 : (size_t)(slash - id_text);
        if (id_len > 0 && id_len <= 18 && all_digits(id_text, id_len) &&
            strcmp(slash, "/geojson") == 0) {
            const struct ds_map *m = find_map(h, strtoll(id_text, NULL, 10));
            if (m == NULL) {
                answer_static(a, 404, JSON, ds_not_found);
                return;
            }
            fw_err err = read_map(h, m, &geo, &geo_len, &mtime);
            if (err != FW_OK) {
                answer_read_error(a, err, JSON, ds_not_found);
                return;
            }
            answer_file(a, JSON, geo, geo_len, mtime);
            return;
        }
    }
    answer_static(a, 404, JSON, ds_not_found);
}

/* Serves data_dir/rel as it is stored, or 404 with not_found_*. */
static void answer_raw_file(const fw_httpd *h, const char *rel,
                            const char *content_type, struct answer *a,
                            const char *not_found_type,
                            const char *not_found_body)
{
    char path[PATH_CAP];
    char *buf = NULL;
    size_t len = 0;
    time_t mtime = 0;
    fw_err err = join_path(path, h->data_dir, rel);
    if (err == FW_OK) {
        err = read_raw(path, &buf, &len, &mtime);
    }
    if (err != FW_OK) {
        answer_read_error(a, err, not_found_type, not_found_body);
        return;
    }
    answer_file(a, content_type, buf, len, mtime);
}

/* rest: the path after "/occupied". Like raw.githubusercontent.com: text
 * files as text/plain, "404: Not Found" for a missing one. */
static void route_occupied(const fw_httpd *h, const char *rest,
                           struct answer *a)
{
    static const char daily[] = "/data/deepstatemap_data_";
    if (strcmp(rest, "/deepstate-map-data.geojson.gz") == 0) {
        answer_raw_file(h, OCC_GZ, "application/gzip", a, TEXT,
                        github_not_found);
        return;
    }
    /* Only deepstatemap_data_YYYYMMDD.geojson: the name is checked whole,
     * so no path can leave the folder. */
    if (has_prefix(rest, daily)) {
        const char *date = rest + strlen(daily);
        if (strlen(date) == 16 && all_digits(date, 8) &&
            strcmp(date + 8, ".geojson") == 0) {
            char rel[128];
            snprintf(rel, sizeof rel, "%s%s", OCC_DIR, rest + strlen("/data"));
            answer_raw_file(h, rel, TEXT, a, TEXT, github_not_found);
            return;
        }
    }
    answer_static(a, 404, TEXT, github_not_found);
}

/* rest: the path after "/alerts". */
static void route_alerts(const fw_httpd *h, const char *rest, struct answer *a)
{
    if (strcmp(rest, "/official_data_en.csv") == 0) {
        answer_raw_file(h, ALERTS_DIR "/official_data_en.csv", "text/csv", a,
                        TEXT, github_not_found);
    } else if (strcmp(rest, "/volunteer_data_en.csv") == 0) {
        answer_raw_file(h, ALERTS_DIR "/volunteer_data_en.csv", "text/csv", a,
                        TEXT, github_not_found);
    } else {
        answer_static(a, 404, TEXT, github_not_found);
    }
}

static const char aiu_not_found[] = "{\"message\":\"Not found\"}";

/* The answer for a region without alerts in the data: no alerts, dated by
 * the alerts_in_ua folder so that it is the same on every request. */
static void answer_no_alerts(const fw_httpd *h, struct answer *a)
{
    char dir[PATH_CAP];
    struct stat st;
    if (join_path(dir, h->data_dir, AIU_DIR) != FW_OK || stat(dir, &st) != 0) {
        answer_static(a, 404, JSON, aiu_not_found);
        return;
    }
    struct tm tm;
    char *body = malloc(128);
    if (body == NULL || gmtime_r(&st.st_mtime, &tm) == NULL) {
        free(body);
        answer_static(a, 500, JSON, "{\"message\":\"internal error\"}");
        return;
    }
    int n = snprintf(body, 128,
                     "{\"alerts\":[],\"meta\":{\"last_updated_at\":\"%04d/"
                     "%02d/%02d %02d:%02d:%02d +0000\",\"type\":\"full\"}}",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
    if (n < 0 || n >= 128) {
        free(body);
        answer_static(a, 500, JSON, "{\"message\":\"internal error\"}");
        return;
    }
    answer_file(a, JSON, body, (size_t)n, st.st_mtime);
}

/* rest: the path after "/alerts_in_ua"; auth: the Authorization header or
 * NULL. The token is checked before the path, as the real API does. */
static void route_alerts_in_ua(const fw_httpd *h, const char *rest,
                               const char *auth, struct answer *a)
{
    static const char regions[] = "/v1/regions/";
    if (h->token != NULL) {
        bool ok = auth != NULL && has_prefix(auth, "Bearer ") &&
                  strcmp(auth + strlen("Bearer "), h->token) == 0;
        if (!ok) {
            answer_static(a, 401, JSON, "{\"message\":\"API token required\"}");
            a->extra = "WWW-Authenticate: Bearer\r\n";
            return;
        }
    }
    if (has_prefix(rest, regions)) {
        const char *uid = rest + strlen(regions);
        const char *slash = strchr(uid, '/');
        size_t uid_len = slash == NULL ? 0 : (size_t)(slash - uid);
        if (uid_len >= 1 && uid_len <= 2 && uid[0] != '0' &&
            all_digits(uid, uid_len) &&
            strcmp(slash, "/alerts/month_ago.json") == 0) {
            long n = strtol(uid, NULL, 10);
            if (n == 14) {
                answer_raw_file(h, AIU_DIR "/kyiv_oblast_14_excerpt.json", JSON,
                                a, JSON, aiu_not_found);
                return;
            }
            if (n == 31) {
                answer_raw_file(h, AIU_DIR "/kyiv_city_31_excerpt.json", JSON,
                                a, JSON, aiu_not_found);
                return;
            }
            if (n <= 40) {
                answer_no_alerts(h, a);
                return;
            }
        }
    }
    answer_static(a, 404, JSON, aiu_not_found);
}

static void route(const fw_httpd *h, const char *method, const char *path,
                  const char *auth, struct answer *a)
{
    if (strcmp(method, "GET") != 0) {
        answer_static(a, 405, TEXT, "Method Not Allowed");
        a->extra = "Allow: GET\r\n";
    } else if (has_prefix(path, "/deepstate/")) {
        route_deepstate(h, path + strlen("/deepstate"), a);
    } else if (has_prefix(path, "/occupied/")) {
        route_occupied(h, path + strlen("/occupied"), a);
    } else if (has_prefix(path, "/alerts/")) {
        route_alerts(h, path + strlen("/alerts"), a);
    } else if (has_prefix(path, "/alerts_in_ua/") ||
               strcmp(path, "/alerts_in_ua") == 0) {
        route_alerts_in_ua(h, path + strlen("/alerts_in_ua"), auth, a);
    } else {
        answer_static(a, 404, TEXT, "Not Found");
    }
}

/* ---- writing ---------------------------------------------------------- */

struct head {
    int status;
    const char *content_type; /* NULL: none */
    long long content_len;    /* -1: no Content-Length */
    const char *etag;         /* NULL: no ETag nor Last-Modified */
    time_t mtime;
    const char *extra; /* "Name: value\r\n" lines, or NULL */
};

/* Writes the status line and headers. false when the connection failed. */
static bool send_head(struct mg_connection *c, const struct head *hd)
{
    char buf[1024];
    char date[64];
    char modified[64] = "";
    char length[48] = "";
    char type[160] = "";
    char validators[160] = "";
    http_date(time(NULL), date);
    if (hd->content_len >= 0) {
        snprintf(length, sizeof length, "Content-Length: %lld\r\n",
                 hd->content_len);
    }
    if (hd->content_type != NULL) {
        snprintf(type, sizeof type, "Content-Type: %s\r\n", hd->content_type);
    }
    if (hd->etag != NULL) {
        http_date(hd->mtime, modified);
        snprintf(validators, sizeof validators,
                 "ETag: %s\r\nLast-Modified: %s\r\n", hd->etag, modified);
    }
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\nDate: %s\r\n%s%s%s%s"
                     "Connection: close\r\n\r\n",
                     hd->status, reason_phrase(hd->status), date, type, length,
                     validators, hd->extra ? hd->extra : "");
    if (n < 0 || (size_t)n >= sizeof buf) {
        return false; /* cannot happen: every part above is bounded */
    }
    return mg_write(c, buf, (size_t)n) == n;
}

static struct path_stats *stats_at(fw_httpd *h, size_t rec)
{
    return rec == REC_OVERFLOW ? &h->overflow : &h->paths[rec];
}

/* Counts len body bytes for rec (unless REC_NONE), then writes them. false
 * when the connection failed. */
static bool send_body(fw_httpd *h, struct mg_connection *c, size_t rec,
                      const char *buf, size_t len)
{
    if (rec != REC_NONE) {
        lock(h);
        stats_at(h, rec)->s.body_bytes_sent += (long long)len;
        unlock(h);
    }
    while (len > 0) {
        size_t n = len < WRITE_CHUNK_BYTES ? len : WRITE_CHUNK_BYTES;
        if (mg_write(c, buf, n) != (int)n) {
            return false;
        }
        buf += n;
        len -= n;
    }
    return true;
}

/* A whole answer with a body and no validators. */
static int send_simple(fw_httpd *h, struct mg_connection *c, size_t rec,
                       int status, const char *content_type, const char *body,
                       const char *extra)
{
    size_t len = strlen(body);
    struct head hd = {status, content_type, (long long)len, NULL, 0, extra};
    if (send_head(c, &hd)) {
        send_body(h, c, rec, body, len);
    }
    return status;
}

static bool client_has_it(const struct mg_connection *c, const struct answer *a)
{
    const char *inm = mg_get_header(c, "If-None-Match");
    if (inm != NULL) {
        return etag_matches(inm, a->etag); /* If-Modified-Since ignored */
    }
    const char *ims = mg_get_header(c, "If-Modified-Since");
    time_t t;
    return ims != NULL && parse_http_date(ims, &t) && t >= a->mtime;
}

static int send_answer(fw_httpd *h, struct mg_connection *c, size_t rec,
                       const struct answer *a)
{
    if (a->has_validators && a->status == 200 && client_has_it(c, a)) {
        lock(h);
        stats_at(h, rec)->s.n_not_modified++;
        unlock(h);
        struct head hd = {304, NULL, -1, a->etag, a->mtime, NULL};
        send_head(c, &hd);
        return 304;
    }
    struct head hd = {a->status,
                      a->content_type,
                      (long long)a->body_len,
                      a->has_validators ? a->etag : NULL,
                      a->mtime,
                      a->extra};
    if (send_head(c, &hd)) {
        send_body(h, c, rec, a->body, a->body_len);
    }
    return a->status;
}

static bool is_stopping(fw_httpd *h)
{
    lock(h);
    bool stopping = h->is_stopping;
    unlock(h);
    return stopping;
}

/* Waits ms milliseconds in SLOW_STEP_MS steps. false when the server began
 * to stop meanwhile. */
static bool wait_ms(fw_httpd *h, long ms)
{
    while (ms > 0) {
        if (is_stopping(h)) {
            return false;
        }
        long step = ms < SLOW_STEP_MS ? ms : SLOW_STEP_MS;
        struct timespec ts = {0, step * 1000000L};
        /* EINTR only shortens the step */
        (void)nanosleep(&ts, NULL);
        ms -= step;
    }
    return !is_stopping(h);
}

/* Streams the `oversize` body: {"alerts":[ then spaces, len bytes. */
static void send_padding(fw_httpd *h, struct mg_connection *c, size_t rec,
                         unsigned long long len)
{
    static const char opening[] = "{\"alerts\":[";
    char chunk[8192];
    memset(chunk, ' ', sizeof chunk);
    if (rec != REC_NONE) {
        lock(h);
        stats_at(h, rec)->s.body_bytes_sent += (long long)len;
        unlock(h);
    }
    size_t first = len < sizeof opening - 1 ? (size_t)len : sizeof opening - 1;
    if (mg_write(c, opening, first) != (int)first) {
        return;
    }
    len -= first;
    while (len > 0) {
        size_t n = len < sizeof chunk ? (size_t)len : sizeof chunk;
        if (mg_write(c, chunk, n) != (int)n || is_stopping(h)) {
            return;
        }
        len -= n;
    }
}

static int send_fault(fw_httpd *h, struct mg_connection *c, size_t rec,
                      const struct fault *f, const struct answer *a)
{
    char extra[64];
    switch (f->kind) {
    case FW_HTTPD_FAULT_STATUS429:
        snprintf(extra, sizeof extra, "Retry-After: %ld\r\n", f->arg);
        return send_simple(
            h, c, rec, 429, JSON,
            "{\"statusCode\":429,\"message\":\"Too Many Requests\"}", extra);
    case FW_HTTPD_FAULT_STATUS503:
        snprintf(extra, sizeof extra, "Retry-After: %ld\r\n", f->arg);
        return send_simple(
            h, c, rec, 503, JSON,
            "{\"statusCode\":503,\"message\":\"Service Unavailable\"}", extra);
    case FW_HTTPD_FAULT_STATUS500:
        return send_simple(
            h, c, rec, 500, JSON,
            "{\"statusCode\":500,\"message\":\"Internal Server Error\"}", NULL);
    case FW_HTTPD_FAULT_REFUSE:
        return send_simple(h, c, rec, 403, JSON,
                           "{\"statusCode\":403,\"message\":\"Forbidden\"}",
                           NULL);
    case FW_HTTPD_FAULT_CONTENT_TYPE:
        return send_simple(h, c, rec, 200, "text/html",
                           "<html><body>Access denied</body></html>", NULL);
    case FW_HTTPD_FAULT_OVERSIZE: {
        struct head hd = {200, a->content_type, f->arg, NULL, 0, NULL};
        if (send_head(c, &hd)) {
            send_padding(h, c, rec, (unsigned long long)f->arg);
        }
        return 200;
    }
    case FW_HTTPD_FAULT_TRUNCATE: {
        struct head hd = {a->status,
                          a->content_type,
                          (long long)a->body_len,
                          a->has_validators ? a->etag : NULL,
                          a->mtime,
                          a->extra};
        /* Returning closes the connection (keep-alive is off): the client
         * sees it end before Content-Length. */
        if (send_head(c, &hd)) {
            send_body(h, c, rec, a->body, a->body_len / 2);
        }
        return a->status;
    }
    case FW_HTTPD_FAULT_SLOW: {
        struct head hd = {a->status,
                          a->content_type,
                          (long long)a->body_len,
                          a->has_validators ? a->etag : NULL,
                          a->mtime,
                          a->extra};
        size_t first =
            a->body_len < SLOW_FIRST_BYTES ? a->body_len : SLOW_FIRST_BYTES;
        if (send_head(c, &hd) && send_body(h, c, rec, a->body, first) &&
            wait_ms(h, f->arg)) {
            send_body(h, c, rec, a->body + first, a->body_len - first);
        }
        return a->status;
    }
    case FW_HTTPD_FAULT_BAD_JSON: {
        size_t half = a->body_len / 2;
        struct head hd = {a->status, a->content_type, (long long)half, NULL,
                          0,         a->extra};
        if (send_head(c, &hd)) {
            send_body(h, c, rec, a->body, half);
        }
        return a->status;
    }
    }
    return send_simple(h, c, rec, 500, JSON, "{\"message\":\"bad fault\"}",
                       NULL);
}

/* ---- counting and faults ---------------------------------------------- */

/* Counts a request to path carrying auth (may be NULL) and takes the first
 * queued fault that matches it into *f (*has_fault). Returns the index of
 * its counts. */
static size_t record_request(fw_httpd *h, const char *path, const char *auth,
                             struct fault *f, bool *has_fault)
{
    lock(h);
    size_t rec = REC_OVERFLOW;
    for (size_t i = 0; i < h->n_paths; i++) {
        if (strcmp(h->paths[i].path, path) == 0) {
            rec = i;
            break;
        }
    }
    if (rec == REC_OVERFLOW && h->n_paths < FW_HTTPD_MAX_PATHS) {
        /* On ENOMEM the request counts in the overflow entry. */
        if (h->n_paths == h->paths_cap) {
            size_t cap = h->paths_cap == 0 ? 32 : h->paths_cap * 2;
            struct path_stats *grown = realloc(h->paths, cap * sizeof *grown);
            if (grown != NULL) {
                h->paths = grown;
                h->paths_cap = cap;
            }
        }
        char *copy = strdup(path);
        if (h->n_paths < h->paths_cap && copy != NULL) {
            struct path_stats *p = &h->paths[h->n_paths];
            memset(p, 0, sizeof *p);
            p->path = copy;
            rec = h->n_paths++;
        } else {
            free(copy);
        }
    }
    struct path_stats *p = stats_at(h, rec);
    p->s.n_requests++;
    p->last_seq = ++h->seq;
    snprintf(p->auth, sizeof p->auth, "%s", auth != NULL ? auth : "");

    *has_fault = false;
    for (size_t i = 0; i < h->n_faults; i++) {
        if (has_prefix(path, h->faults[i].prefix)) {
            *f = h->faults[i];
            *has_fault = true;
            p->s.n_faults++;
            if (--h->faults[i].n_left == 0) {
                memmove(&h->faults[i], &h->faults[i + 1],
                        (h->n_faults - i - 1) * sizeof h->faults[0]);
                h->n_faults--;
            }
            break;
        }
    }
    unlock(h);
    return rec;
}

/* ---- control ---------------------------------------------------------- */

/* Query parameter name of q, URL-decoded, into buf: 1 when present, 0 when
 * absent, -1 when too long for buf. */
static int query_var(const char *q, const char *name, char *buf, size_t buf_len)
{
    if (q == NULL) {
        return 0;
    }
    int rc = mg_get_var(q, strlen(q), name, buf, buf_len);
    return rc >= 0 ? 1 : rc == -1 ? 0 : -1;
}

static bool parse_long(const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static int bad_control(fw_httpd *h, struct mg_connection *c, const char *why)
{
    char body[160];
    snprintf(body, sizeof body, "{\"error\":\"%s\"}", why);
    return send_simple(h, c, REC_NONE, 400, JSON, body, NULL);
}

static int control(fw_httpd *h, struct mg_connection *c,
                   const struct mg_request_info *ri)
{
    const char *q = ri->query_string;
    char prefix[FW_HTTPD_MAX_PREFIX_LEN + 1];
    int has_prefix_var = query_var(q, "prefix", prefix, sizeof prefix);
    if (has_prefix_var < 0) {
        return bad_control(h, c, "prefix too long");
    }
    if (strcmp(ri->local_uri, "/_control/fault") == 0) {
        char kind_name[32];
        char num[32];
        long n = 1;
        long arg = 0;
        enum fw_httpd_fault_kind kind;
        if (has_prefix_var == 0 ||
            query_var(q, "kind", kind_name, sizeof kind_name) != 1 ||
            fw_httpd_fault_parse(kind_name, &kind) != FW_OK) {
            return bad_control(h, c, "need prefix and a known kind");
        }
        int has_n = query_var(q, "n", num, sizeof num);
        if (has_n < 0 || (has_n == 1 && !parse_long(num, &n)) || n > INT_MAX) {
            return bad_control(h, c, "n must be an integer");
        }
        int has_arg = query_var(q, "arg", num, sizeof num);
        if (has_arg < 0 || (has_arg == 1 && !parse_long(num, &arg))) {
            return bad_control(h, c, "arg must be an integer");
        }
        fw_err err = fw_httpd_add_fault(h, prefix, kind, (int)n, arg);
        if (err != FW_OK) {
            return bad_control(h, c, fw_strerror(err));
        }
        return send_simple(h, c, REC_NONE, 200, JSON, "{\"ok\":true}", NULL);
    }
    if (strcmp(ri->local_uri, "/_control/stats") == 0) {
        struct fw_httpd_stats s;
        char body[256];
        fw_httpd_get_stats(h, has_prefix_var ? prefix : NULL, &s);
        snprintf(body, sizeof body,
                 "{\"requests\":%ld,\"bytes_sent\":%lld,\"not_modified\":%ld,"
                 "\"faults\":%ld}",
                 s.n_requests, s.body_bytes_sent, s.n_not_modified, s.n_faults);
        return send_simple(h, c, REC_NONE, 200, JSON, body, NULL);
    }
    if (strcmp(ri->local_uri, "/_control/reset") == 0) {
        fw_httpd_reset(h);
        return send_simple(h, c, REC_NONE, 200, JSON, "{\"ok\":true}", NULL);
    }
    if (strcmp(ri->local_uri, "/_control/last_auth") == 0) {
        char auth[FW_HTTPD_MAX_AUTH_LEN + 1];
        /* FW_ENOTFOUND leaves "" in auth, which is the answer then */
        (void)fw_httpd_get_last_auth(h, has_prefix_var ? prefix : NULL, auth,
                                     sizeof auth);
        return send_simple(h, c, REC_NONE, 200, TEXT, auth, NULL);
    }
    return send_simple(h, c, REC_NONE, 404, TEXT, "Not Found", NULL);
}

/* ---- civetweb callbacks ----------------------------------------------- */

static int on_request(struct mg_connection *c)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    fw_httpd *h = ri->user_data;
    /* local_uri is NULL for an absolute URI naming another host */
    const char *path = ri->local_uri != NULL ? ri->local_uri : "";
    if (has_prefix(path, "/_control/")) {
        return control(h, c, ri);
    }
    const char *auth = mg_get_header(c, "Authorization");
    struct fault f;
    bool has_fault = false;
    size_t rec = record_request(h, path, auth, &f, &has_fault);
    struct answer a = {0};
    route(h, ri->request_method, path, auth, &a);
    int status =
        has_fault ? send_fault(h, c, rec, &f, &a) : send_answer(h, c, rec, &a);
    answer_free(&a);
    return status;
}

/* Library code never prints: civetweb's messages are dropped (start
 * failures come back through mg_error_data instead). */
static int on_log(const struct mg_connection *c, const char *message)
{
    (void)c;
    (void)message;
    return 1;
}

/* ---- start and stop --------------------------------------------------- */

/* Parses deepstate_YYYYMMDDTHHMMSSZ_<id>.geojson.gz into *m. */
static bool parse_map_name(const char *name, struct ds_map *m)
{
    static const char head[] = "deepstate_";
    static const char tail[] = ".geojson.gz";
    size_t len = strlen(name);
    size_t head_len = sizeof head - 1;
    size_t tail_len = sizeof tail - 1;
    if (len >= sizeof m->name || len < head_len + 17 + 1 + tail_len ||
        !has_prefix(name, head) || strcmp(name + len - tail_len, tail) != 0) {
        return false;
    }
    const char *t = name + head_len; /* YYYYMMDDTHHMMSSZ_ */
    if (!all_digits(t, 8) || t[8] != 'T' || !all_digits(t + 9, 6) ||
        t[15] != 'Z' || t[16] != '_') {
        return false;
    }
    const char *id = t + 17;
    size_t id_len = (size_t)(name + len - tail_len - id);
    if (id_len < 1 || id_len > 18 || !all_digits(id, id_len)) {
        return false;
    }
    m->id = strtoll(id, NULL, 10);
    snprintf(m->datetime, sizeof m->datetime, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ",
             t, t + 4, t + 6, t + 9, t + 11, t + 13);
    memcpy(m->name, name, len + 1);
    return true;
}

static int compare_maps(const void *a, const void *b)
{
    long long x = ((const struct ds_map *)a)->id;
    long long y = ((const struct ds_map *)b)->id;
    return (x > y) - (x < y);
}

/* Lists the DeepState history folder into h->maps and builds the list
 * answer. An absent folder gives an empty list. */
static fw_err list_history(fw_httpd *h, struct fw_diag *d)
{
    char dir[PATH_CAP];
    if (join_path(dir, h->data_dir, DS_DIR) != FW_OK) {
        return fw_diag_set(d, FW_ELIMIT, 0, 0, "data folder path too long");
    }
    fw_err err = FW_OK;
    DIR *dp = NULL;
    size_t cap = 0;
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) {
            return fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", dir, strerror(errno));
        }
        h->list_mtime = 0;
    } else {
        h->list_mtime = st.st_mtime;
        dp = opendir(dir);
        if (dp == NULL) {
            return fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", dir, strerror(errno));
        }
        for (;;) {
            errno = 0;
            struct dirent *e = readdir(dp);
            if (e == NULL) {
                if (errno != 0) {
                    err = fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", dir,
                                      strerror(errno));
                    goto done;
                }
                break;
            }
            struct ds_map m;
            if (!parse_map_name(e->d_name, &m)) {
                continue;
            }
            if (h->n_maps == MAX_MAPS) {
                err = fw_diag_set(d, FW_ELIMIT, 0, 0, "%s: more than %d maps",
                                  dir, MAX_MAPS);
                goto done;
            }
            if (h->n_maps == cap) {
                size_t new_cap = cap == 0 ? 256 : cap * 2;
                struct ds_map *grown =
                    realloc(h->maps, new_cap * sizeof *grown);
                if (grown == NULL) {
                    err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                    goto done;
                }
                h->maps = grown;
                cap = new_cap;
            }
            h->maps[h->n_maps++] = m;
        }
        if (h->n_maps > 0) {
            qsort(h->maps, h->n_maps, sizeof *h->maps, compare_maps);
        }
    }

    /* One entry is at most 100 bytes: ids have at most 18 digits. */
    size_t body_cap = 3 + h->n_maps * 128;
    h->list_body = malloc(body_cap);
    if (h->list_body == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        goto done;
    }
    size_t len = 0;
    h->list_body[len++] = '[';
    for (size_t i = 0; i < h->n_maps; i++) {
        int n = snprintf(h->list_body + len, body_cap - len,
                         "%s{\"id\":%lld,\"datetime\":\"%s\",\"description\":"
                         "\"\",\"descriptionEn\":\"\"}",
                         i == 0 ? "" : ",", h->maps[i].id, h->maps[i].datetime);
        if (n < 0 || (size_t)n >= body_cap - len) {
            err = fw_diag_set(d, FW_ELIMIT, 0, 0, "history list too long");
            goto done;
        }
        len += (size_t)n;
    }
    h->list_body[len++] = ']';
    h->list_body[len] = '\0';
    h->list_len = len;
    make_etag(h->list_body, len, h->list_etag);
done:
    if (dp != NULL && closedir(dp) != 0 && err == FW_OK) {
        err = fw_diag_set(d, FW_EIO, 0, 0, "%s: %s", dir, strerror(errno));
    }
    return err;
}

static bool token_ok(const char *t)
{
    size_t len = strlen(t);
    if (len == 0 || len > MAX_TOKEN_LEN) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (t[i] <= ' ' || t[i] > '~') {
            return false;
        }
    }
    return true;
}

/* Frees h and everything it owns; the server must be stopped. */
static void free_httpd(fw_httpd *h)
{
    for (size_t i = 0; i < h->n_paths; i++) {
        free(h->paths[i].path);
    }
    free(h->paths);
    free(h->list_body);
    free(h->maps);
    free(h->token);
    free(h->data_dir);
    int rc = pthread_mutex_destroy(&h->lock);
    assert(rc == 0); /* fails only while locked: a programmer error */
    (void)rc;
    free(h);
}

fw_err fw_httpd_start(const struct fw_httpd_opts *opts, fw_httpd **out,
                      int *port_out, struct fw_diag *d)
{
    if (opts == NULL || opts->data_dir == NULL || out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "opts, data_dir or out NULL");
    }
    if (opts->port < 0 || opts->port > 65535) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "port %d not in 0..65535",
                           opts->port);
    }
    if (opts->token != NULL && !token_ok(opts->token)) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "token must be 1..%d printable ASCII characters "
                           "without spaces",
                           MAX_TOKEN_LEN);
    }
    struct stat st;
    if (stat(opts->data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0, "%s: not a directory",
                           opts->data_dir);
    }
    fw_httpd *h = calloc(1, sizeof *h);
    if (h == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    if (pthread_mutex_init(&h->lock, NULL) != 0) {
        free(h);
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "cannot create a mutex");
    }
    fw_err err = FW_OK;
    bool is_lib_init = false;
    h->data_dir = strdup(opts->data_dir);
    h->token = opts->token != NULL ? strdup(opts->token) : NULL;
    if (h->data_dir == NULL || (opts->token != NULL && h->token == NULL)) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        goto fail;
    }
    err = list_history(h, d);
    if (err != FW_OK) {
        goto fail;
    }

    char ports[32];
    snprintf(ports, sizeof ports, "127.0.0.1:%d", opts->port);
    const char *mg_opts[] = {"listening_ports",
                             ports,
                             "num_threads",
                             NUM_THREADS,
                             "enable_keep_alive",
                             "no",
                             "request_timeout_ms",
                             "10000",
                             NULL};
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.begin_request = on_request;
    callbacks.log_message = on_log;
    struct mg_init_data init = {&callbacks, h, mg_opts};
    unsigned mg_code = 0;
    char mg_text[256] = "";
    struct mg_error_data mg_err = {&mg_code, mg_text, sizeof mg_text};

    int rc = pthread_mutex_lock(&civetweb_init_lock);
    assert(rc == 0);
    /* With no feature asked for, mg_init_library returns 0 on success as
     * on failure; a failed initialisation makes mg_start2 fail below. */
    (void)mg_init_library(0);
    rc = pthread_mutex_unlock(&civetweb_init_lock);
    assert(rc == 0);
    (void)rc;
    is_lib_init = true;

    h->ctx = mg_start2(&init, &mg_err);
    if (h->ctx == NULL) {
        err = fw_diag_set(d, FW_EIO, 0, 0, "cannot start on %s: %s", ports,
                          mg_text[0] != '\0' ? mg_text : "civetweb failed");
        goto fail;
    }
    struct mg_server_port port;
    if (mg_get_server_ports(h->ctx, 1, &port) != 1) {
        err = fw_diag_set(d, FW_EIO, 0, 0, "civetweb reports no port");
        goto fail;
    }
    h->port = port.port;
    *out = h;
    if (port_out != NULL) {
        *port_out = port.port;
    }
    return FW_OK;
fail:
    if (h->ctx != NULL) {
        mg_stop(h->ctx);
    }
    if (is_lib_init) {
        rc = pthread_mutex_lock(&civetweb_init_lock);
        assert(rc == 0);
        (void)mg_exit_library();
        rc = pthread_mutex_unlock(&civetweb_init_lock);
        assert(rc == 0);
    }
    free_httpd(h);
    return err;
}

/* civetweb's listening thread sees mg_stop's flag only when its poll
 * returns, which without traffic takes up to 2 s. This thread connects to
 * the port every POKE_MS until mg_stop has returned, so that stopping takes
 * milliseconds. A connection made before the flag is set is accepted and
 * closed without a request (nothing is counted); one made after the port
 * closed is refused. */
#define POKE_MS 20L

static bool is_stopped(fw_httpd *h)
{
    lock(h);
    bool stopped = h->is_stopped;
    unlock(h);
    return stopped;
}

static void *poke_listener(void *arg)
{
    fw_httpd *h = arg;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)h->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (!is_stopped(h)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            /* refused once the port is closed: that is expected */
            (void)connect(fd, (const struct sockaddr *)&sa, sizeof sa);
            (void)close(fd);
        }
        struct timespec ts = {0, POKE_MS * 1000000L};
        (void)nanosleep(&ts, NULL);
    }
    return NULL;
}

void fw_httpd_stop(fw_httpd *h)
{
    if (h == NULL) {
        return;
    }
    lock(h);
    h->is_stopping = true;
    unlock(h);
    pthread_t poker;
    /* Without the helper thread, stopping is only slower. */
    bool has_poker = pthread_create(&poker, NULL, poke_listener, h) == 0;
    mg_stop(h->ctx); /* joins the workers: none runs after this */
    lock(h);
    h->is_stopped = true;
    unlock(h);
    if (has_poker) {
        int rc = pthread_join(poker, NULL);
        assert(rc == 0);
        (void)rc;
    }
    int rc = pthread_mutex_lock(&civetweb_init_lock);
    assert(rc == 0);
    (void)mg_exit_library();
    rc = pthread_mutex_unlock(&civetweb_init_lock);
    assert(rc == 0);
    (void)rc;
    free_httpd(h);
}

/* ---- the API on a running server -------------------------------------- */

static const char *const fault_names[] = {
    [FW_HTTPD_FAULT_STATUS429] = "status429",
    [FW_HTTPD_FAULT_STATUS503] = "status503",
    [FW_HTTPD_FAULT_STATUS500] = "status500",
    [FW_HTTPD_FAULT_TRUNCATE] = "truncate",
    [FW_HTTPD_FAULT_SLOW] = "slow",
    [FW_HTTPD_FAULT_CONTENT_TYPE] = "content_type",
    [FW_HTTPD_FAULT_OVERSIZE] = "oversize",
    [FW_HTTPD_FAULT_BAD_JSON] = "bad_json",
    [FW_HTTPD_FAULT_REFUSE] = "refuse",
};

#define N_FAULT_KINDS (sizeof fault_names / sizeof fault_names[0])

const char *fw_httpd_fault_name(enum fw_httpd_fault_kind kind)
{
    return (unsigned)kind < N_FAULT_KINDS ? fault_names[kind] : "unknown";
}

fw_err fw_httpd_fault_parse(const char *name, enum fw_httpd_fault_kind *out)
{
    if (name == NULL || out == NULL) {
        return FW_EUSAGE;
    }
    for (size_t i = 0; i < N_FAULT_KINDS; i++) {
        if (strcmp(name, fault_names[i]) == 0) {
            *out = (enum fw_httpd_fault_kind)i;
            return FW_OK;
        }
    }
    return FW_ENOTFOUND;
}

fw_err fw_httpd_add_fault(fw_httpd *h, const char *prefix,
                          enum fw_httpd_fault_kind kind, int n, long arg)
{
    if (h == NULL || prefix == NULL || prefix[0] != '/' ||
        strlen(prefix) > FW_HTTPD_MAX_PREFIX_LEN ||
        (unsigned)kind >= N_FAULT_KINDS || n < 1 || arg < 0 ||
        (kind == FW_HTTPD_FAULT_OVERSIZE && arg < 1)) {
        return FW_EUSAGE;
    }
    lock(h);
    fw_err err = FW_OK;
    if (h->n_faults == FW_HTTPD_MAX_FAULTS) {
        err = FW_ELIMIT;
    } else {
        struct fault *f = &h->faults[h->n_faults++];
        snprintf(f->prefix, sizeof f->prefix, "%s", prefix);
        f->kind = kind;
        f->n_left = n;
        f->arg = arg;
    }
    unlock(h);
    return err;
}

void fw_httpd_reset(fw_httpd *h)
{
    lock(h);
    h->n_faults = 0;
    for (size_t i = 0; i < h->n_paths; i++) {
        free(h->paths[i].path);
    }
    h->n_paths = 0;
    memset(&h->overflow, 0, sizeof h->overflow);
    unlock(h);
}

static void add_stats(struct fw_httpd_stats *sum,
                      const struct fw_httpd_stats *s)
{
    sum->n_requests += s->n_requests;
    sum->body_bytes_sent += s->body_bytes_sent;
    sum->n_not_modified += s->n_not_modified;
    sum->n_faults += s->n_faults;
}

void fw_httpd_get_stats(fw_httpd *h, const char *prefix,
                        struct fw_httpd_stats *out)
{
    struct fw_httpd_stats sum = {0};
    lock(h);
    for (size_t i = 0; i < h->n_paths; i++) {
        if (prefix == NULL || has_prefix(h->paths[i].path, prefix)) {
            add_stats(&sum, &h->paths[i].s);
        }
    }
    if (prefix == NULL) {
        add_stats(&sum, &h->overflow.s);
    }
    unlock(h);
    *out = sum;
}

fw_err fw_httpd_get_last_auth(fw_httpd *h, const char *prefix, char *buf,
                              size_t buf_len)
{
    if (h == NULL || buf == NULL || buf_len == 0) {
        return FW_EUSAGE;
    }
    lock(h);
    const struct path_stats *latest = NULL;
    for (size_t i = 0; i < h->n_paths; i++) {
        const struct path_stats *p = &h->paths[i];
        if ((prefix == NULL || has_prefix(p->path, prefix)) &&
            (latest == NULL || p->last_seq > latest->last_seq)) {
            latest = p;
        }
    }
    if (prefix == NULL && h->overflow.last_seq > 0 &&
        (latest == NULL || h->overflow.last_seq > latest->last_seq)) {
        latest = &h->overflow;
    }
    fw_err err = FW_OK;
    if (latest == NULL) {
        buf[0] = '\0';
        err = FW_ENOTFOUND;
    } else {
        size_t len = strlen(latest->auth);
        if (len >= buf_len) {
            len = buf_len - 1;
            err = FW_ELIMIT;
        }
        memcpy(buf, latest->auth, len);
        buf[len] = '\0';
    }
    unlock(h);
    return err;
}
