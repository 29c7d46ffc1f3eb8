/*
 * test_httpd.c - the loopback test server (tests/support/fw_httpd.h) that
 * the tests of `frontwatch update` download from: every route, checked
 * with libcurl against the files of the shared data folder (read here
 * with the library's own reader, fw_io_read_file, or byte for byte), the
 * conditional answers, every fault, the control URLs, the counts, and a
 * stop that interrupts a `slow` answer. Skipped (77) without the shared
 * data. One server serves most tests (setup and teardown reset it); a
 * test that needs other options starts its own.
 */
#include "fwtest.h"

#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "frontwatch/io.h"
#include "fw_httpd.h"

#define DS_DIR "frontline/deepstate_full_layers_2022-2025"
#define FIRST_MAP "deepstate_20220403T165926Z_1649005166.geojson.gz"
#define LAST_MAP "deepstate_20250803T195825Z_1754251105.geojson.gz"
#define AIU14 "/alerts_in_ua/v1/regions/14/alerts/month_ago.json"
#define AIU31 "/alerts_in_ua/v1/regions/31/alerts/month_ago.json"
#define AIU5 "/alerts_in_ua/v1/regions/5/alerts/month_ago.json"
#define MAX_BODY ((size_t)64 << 20)

static char data_dir[4096];

/* The server most tests share. */
static fw_httpd *shared_h;
static int shared_port;

/* ---- a small libcurl client ------------------------------------------- */

struct resp {
    CURLcode rc;
    long status;
    char *body; /* NUL-terminated, "" when none; free with resp_free */
    size_t len;
    size_t cap; /* allocated for body */
    char content_type[128];
    char content_length[32];
    char content_encoding[32];
    char etag[64];
    char last_modified[64];
    char retry_after[32];
    char www_authenticate[64];
    double t_first_body_s; /* since the request began; -1: no body */
    double t_done_s;
    struct timespec t0;
};

static double since_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = size * n;
    if (r->len + len > MAX_BODY) {
        return 0; /* hard cap: curl reports CURLE_WRITE_ERROR */
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap == 0 ? 65536 : r->cap;
        while (cap < r->len + len + 1) {
            cap *= 2;
        }
        char *grown = realloc(r->body, cap);
        if (grown == NULL) {
            return 0;
        }
        r->body = grown;
        r->cap = cap;
    }
    if (r->t_first_body_s < 0 && len > 0) {
        r->t_first_body_s = since_s(&r->t0);
    }
    memcpy(r->body + r->len, p, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

/* Copies the value of header line "name: value\r\n" into out. */
static void take_header(const char *line, size_t len, const char *name,
                        char *out, size_t out_len)
{
    size_t name_len = strlen(name);
    if (len <= name_len + 1 || strncasecmp(line, name, name_len) != 0 ||
        line[name_len] != ':') {
        return;
    }
    const char *v = line + name_len + 1;
    const char *end = line + len;
    while (v < end && *v == ' ') {
        v++;
    }
    while (end > v && (end[-1] == '\r' || end[-1] == '\n')) {
        end--;
    }
    snprintf(out, out_len, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = size * n;
    take_header(p, len, "Content-Type", r->content_type,
                sizeof r->content_type);
    take_header(p, len, "Content-Length", r->content_length,
                sizeof r->content_length);
    take_header(p, len, "Content-Encoding", r->content_encoding,
                sizeof r->content_encoding);
    take_header(p, len, "ETag", r->etag, sizeof r->etag);
    take_header(p, len, "Last-Modified", r->last_modified,
                sizeof r->last_modified);
    take_header(p, len, "Retry-After", r->retry_after, sizeof r->retry_after);
    take_header(p, len, "WWW-Authenticate", r->www_authenticate,
                sizeof r->www_authenticate);
    return len;
}

/* GET (or method) path from the server on port, with extra request
 * headers (NULL-terminated list, or NULL) and a curl size cap
 * (max_bytes, 0: none), into *r. Fails the test only when curl cannot be
 * set up; transfer errors are left in r->rc for the test to check. */
static void fetch(int port, const char *method, const char *path,
                  const char *const *headers, long max_bytes, struct resp *r)
{
    memset(r, 0, sizeof *r);
    r->t_first_body_s = -1;
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        struct curl_slist *l = curl_slist_append(list, headers[i]);
        assert_non_null(l);
        list = l;
    }
    assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_NOPROXY, "*"), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body),
                     CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEDATA, r), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header),
                     CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_HEADERDATA, r), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_HTTPHEADER, list), CURLE_OK);
    if (method != NULL) {
        assert_int_equal(curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method),
                         CURLE_OK);
    }
    if (max_bytes > 0) {
        assert_int_equal(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                                          (curl_off_t)max_bytes),
                         CURLE_OK);
    }
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    r->rc = curl_easy_perform(c);
    r->t_done_s = since_s(&r->t0);
    if (r->body == NULL) { /* no body: "" */
        r->body = calloc(1, 1);
        assert_non_null(r->body);
    }
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status),
                     CURLE_OK);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
}

static void get(const char *path, struct resp *r)
{
    fetch(shared_port, NULL, path, NULL, 0, r);
}

static void get_with(const char *path, const char *header, struct resp *r)
{
    const char *headers[] = {header, NULL};
    fetch(shared_port, NULL, path, headers, 0, r);
}

static void resp_free(struct resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* ---- the expected bodies ---------------------------------------------- */

static const char *data_path(const char *rel)
{
    static char p[4200];
    snprintf(p, sizeof p, "%s/%s", data_dir, rel);
    return p;
}

/* The file as the library's reader gives it (gunzipped if gzip). */
static char *read_text(const char *rel, size_t *len)
{
    char *buf = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(
        fw_io_read_file(data_path(rel), FW_IO_MAX_BYTES, &buf, len, &d), FW_OK);
    return buf;
}

/* The file's bytes as stored. */
static char *read_bytes(const char *rel, size_t *len)
{
    FILE *f = fopen(data_path(rel), "rb");
    assert_non_null(f);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), st.st_size);
    assert_int_equal(fclose(f), 0);
    *len = (size_t)st.st_size;
    return buf;
}

static void assert_body_is(const struct resp *r, const char *want,
                           size_t want_len)
{
    assert_int_equal(r->len, want_len);
    assert_memory_equal(r->body, want, want_len);
    char cl[32];
    snprintf(cl, sizeof cl, "%zu", want_len);
    assert_string_equal(r->content_length, cl);
}

/* Last-Modified as RFC 7231 writes the file's mtime (strftime in the C
 * locale, which this program never changes). */
static void http_date_of(const char *rel, char out[64])
{
    struct stat st;
    struct tm tm;
    assert_int_equal(stat(data_path(rel), &st), 0);
    assert_non_null(gmtime_r(&st.st_mtime, &tm));
    assert_true(strftime(out, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0);
}

static size_t count_maps(void)
{
    DIR *dp = opendir(data_path(DS_DIR));
    assert_non_null(dp);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "deepstate_", 10) == 0 && len > 11 &&
            strcmp(e->d_name + len - 11, ".geojson.gz") == 0) {
            n++;
        }
    }
    assert_int_equal(closedir(dp), 0);
    return n;
}

/* ---- setup ------------------------------------------------------------ */

static fw_httpd *start(const char *token, int *port)
{
    struct fw_httpd_opts o = {data_dir, token, 0};
    fw_httpd *h = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_httpd_start(&o, &h, port, &d);
    if (err != FW_OK) {
        print_error("fw_httpd_start: %s: %s\n", fw_strerror(err), d.msg);
    }
    assert_int_equal(err, FW_OK);
    assert_non_null(h);
    assert_true(*port > 0);
    return h;
}

static int group_setup(void **state)
{
    (void)state;
    struct fw_httpd_opts o = {data_dir, NULL, 0};
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_httpd_start(&o, &shared_h, &shared_port, &d) != FW_OK) {
        print_error("fw_httpd_start: %s\n", d.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fw_httpd_stop(shared_h);
    shared_h = NULL;
    return 0;
}

/* Each test starts from no faults and no counts. */
static int reset(void **state)
{
    (void)state;
    fw_httpd_reset(shared_h);
    return 0;
}

/* ---- routes ----------------------------------------------------------- */

static void test_history_list(void **state)
{
    (void)state;
    struct resp r;
    get("/deepstate/api/history/public", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_int_equal(strlen(r.etag), 18); /* "<16 hex digits>" */
    assert_true(r.last_modified[0] != '\0');
    cJSON *list = cJSON_Parse(r.body);
    assert_non_null(list);
    assert_true(cJSON_IsArray(list));
    assert_int_equal((size_t)cJSON_GetArraySize(list), count_maps());
    assert_int_equal(cJSON_GetArraySize(list), 175);

    /* oldest first; id and datetime as the file name gives them */
    cJSON *first = cJSON_GetArrayItem(list, 0);
    assert_int_equal(cJSON_GetObjectItem(first, "id")->valuedouble, 1649005166);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(first, "datetime")),
        "2022-04-03T16:59:26Z");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(first, "description")), "");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(first, "descriptionEn")), "");
    cJSON *last = cJSON_GetArrayItem(list, 174);
    assert_int_equal(cJSON_GetObjectItem(last, "id")->valuedouble, 1754251105);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(last, "datetime")),
        "2025-08-03T19:58:25Z");
    double prev = 0;
    const cJSON *m;
    cJSON_ArrayForEach (m, list) {
        double id = cJSON_GetObjectItem(m, "id")->valuedouble;
        assert_true(id > prev);
        prev = id;
    }
    cJSON_Delete(list);
    resp_free(&r);
}

static void test_history_geojson(void **state)
{
    (void)state;
    size_t want_len = 0;
    char *want = read_text(DS_DIR "/" FIRST_MAP, &want_len);
    char lm[64];
    http_date_of(DS_DIR "/" FIRST_MAP, lm);
    struct resp r;
    get("/deepstate/api/history/1649005166/geojson", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_string_equal(r.content_encoding, "");
    assert_string_equal(r.last_modified, lm);
    assert_body_is(&r, want, want_len);
    resp_free(&r);
    free(want);

    /* unknown or malformed ids: 404 with a JSON error */
    const char *bad[] = {"/deepstate/api/history/1649005167/geojson",
                         "/deepstate/api/history/abc/geojson",
                         "/deepstate/api/history/1649005166/geojsonx",
                         "/deepstate/api/history/1649005166", "/deepstate/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(bad[i], &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.content_type, "application/json");
        cJSON *e = cJSON_Parse(r.body);
        assert_non_null(e);
        assert_int_equal(cJSON_GetObjectItem(e, "statusCode")->valuedouble,
                         404);
        cJSON_Delete(e);
        resp_free(&r);
    }
}

static void test_history_last(void **state)
{
    (void)state;
    size_t map_len = 0;
    char *map = read_text(DS_DIR "/" LAST_MAP, &map_len);
    struct resp r;
    get("/deepstate/api/history/last", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    static const char head[] = "{\"id\":1754251105,\"map\":";
    size_t head_len = sizeof head - 1;
    assert_int_equal(r.len, head_len + map_len + 1);
    assert_memory_equal(r.body, head, head_len);
    assert_memory_equal(r.body + head_len, map, map_len);
    assert_int_equal(r.body[r.len - 1], '}');
    cJSON *doc = cJSON_Parse(r.body);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetObjectItem(doc, "id")->valuedouble, 1754251105);
    cJSON *m = cJSON_GetObjectItem(doc, "map");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(m, "type")),
                        "FeatureCollection");
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(m, "features")) > 0);
    cJSON_Delete(doc);
    resp_free(&r);
    free(map);
}

static void test_occupied(void **state)
{
    (void)state;
    size_t want_len = 0;
    char *want = read_bytes("frontline/deepstate_occupied_consolidated/"
                            "deepstate-map-data.geojson.gz",
                            &want_len);
    struct resp r;
    get("/occupied/deepstate-map-data.geojson.gz", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/gzip");
    assert_string_equal(r.content_encoding, ""); /* the gzip bytes as is */
    assert_int_equal((unsigned char)r.body[0], 0x1f);
    assert_int_equal((unsigned char)r.body[1], 0x8b);
    assert_body_is(&r, want, want_len);
    resp_free(&r);
    free(want);

    want = read_bytes("frontline/deepstate_occupied_2024-2026/"
                      "deepstatemap_data_20240708.geojson",
                      &want_len);
    get("/occupied/data/deepstatemap_data_20240708.geojson", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    assert_body_is(&r, want, want_len);
    resp_free(&r);
    free(want);

    /* no file for that day, or not a daily file name: GitHub's 404 */
    const char *bad[] = {"/occupied/data/deepstatemap_data_20240709.geojson",
                         "/occupied/data/deepstatemap_data_2024070.geojson",
                         "/occupied/data/deepstatemap_data_20240708.geojson.gz",
                         "/occupied/data/", "/occupied/x.geojson.gz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(bad[i], &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.body, "404: Not Found");
        resp_free(&r);
    }
}

static void test_alerts_csv(void **state)
{
    (void)state;
    const char *names[] = {"official_data_en.csv", "volunteer_data_en.csv"};
    for (size_t i = 0; i < 2; i++) {
        char rel[64];
        char path[64];
        snprintf(rel, sizeof rel, "alerts/%s", names[i]);
        snprintf(path, sizeof path, "/alerts/%s", names[i]);
        size_t want_len = 0;
        char *want = read_bytes(rel, &want_len);
        char lm[64];
        http_date_of(rel, lm);
        struct resp r;
        get(path, &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.content_type, "text/csv");
        assert_string_equal(r.last_modified, lm);
        assert_body_is(&r, want, want_len);
        resp_free(&r);
        free(want);
    }
    struct resp r;
    get("/alerts/states.json", &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
}

static void test_alerts_in_ua(void **state)
{
    (void)state;
    struct resp r;
    size_t want_len = 0;
    char *want =
        read_bytes("alerts_in_ua/kyiv_oblast_14_excerpt.json", &want_len);
    get(AIU14, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_body_is(&r, want, want_len);
    char etag14[64];
    snprintf(etag14, sizeof etag14, "%s", r.etag);
    resp_free(&r);
    free(want);

    want = read_bytes("alerts_in_ua/kyiv_city_31_excerpt.json", &want_len);
    get(AIU31, &r);
    assert_int_equal(r.status, 200);
    assert_body_is(&r, want, want_len);
    assert_string_not_equal(r.etag, etag14); /* the ETag follows the body */
    resp_free(&r);
    free(want);

    /* any other region 1..40: no alerts, the real shape */
    const char *empty[] = {AIU5,
                           "/alerts_in_ua/v1/regions/1/alerts/"
                           "month_ago.json",
                           "/alerts_in_ua/v1/regions/40/alerts/"
                           "month_ago.json"};
    for (size_t i = 0; i < 3; i++) {
        get(empty[i], &r);
        assert_int_equal(r.status, 200);
        assert_true(r.etag[0] != '\0' && r.last_modified[0] != '\0');
        cJSON *doc = cJSON_Parse(r.body);
        assert_non_null(doc);
        cJSON *alerts = cJSON_GetObjectItem(doc, "alerts");
        assert_true(cJSON_IsArray(alerts));
        assert_int_equal(cJSON_GetArraySize(alerts), 0);
        cJSON *meta = cJSON_GetObjectItem(doc, "meta");
        assert_string_equal(
            cJSON_GetStringValue(cJSON_GetObjectItem(meta, "type")), "full");
        /* "YYYY/MM/DD HH:MM:SS +0000", as the real answers have it */
        const char *at =
            cJSON_GetStringValue(cJSON_GetObjectItem(meta, "last_updated_at"));
        assert_non_null(at);
        assert_int_equal(strlen(at), 25);
        assert_int_equal(at[4], '/');
        assert_string_equal(at + 19, " +0000");
        cJSON_Delete(doc);
        resp_free(&r);
    }

    const char *bad[] = {"/alerts_in_ua/v1/regions/41/alerts/month_ago.json",
                         "/alerts_in_ua/v1/regions/0/alerts/month_ago.json",
                         "/alerts_in_ua/v1/regions/014/alerts/month_ago.json",
                         "/alerts_in_ua/v1/regions/ab/alerts/month_ago.json",
                         "/alerts_in_ua/v1/regions/14/alerts/active.json",
                         "/alerts_in_ua/v1/alerts/active.json"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(bad[i], &r);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.content_type, "application/json");
        resp_free(&r);
    }
}

static void test_token(void **state)
{
    (void)state;
    int port = 0;
    fw_httpd *h = start("s3cret-token", &port);
    struct resp r;

    /* no header, another token, another scheme: 401 with a JSON error */
    const char *refused[] = {NULL, "Authorization: Bearer wrong",
                             "Authorization: Basic s3cret-token",
                             "Authorization: Bearer s3cret-token2"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const char *headers[] = {refused[i], NULL};
        fetch(port, NULL, AIU14, headers, 0, &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 401);
        assert_string_equal(r.content_type, "application/json");
        assert_string_equal(r.www_authenticate, "Bearer");
        cJSON *e = cJSON_Parse(r.body);
        assert_non_null(e);
        assert_non_null(
            cJSON_GetStringValue(cJSON_GetObjectItem(e, "message")));
        cJSON_Delete(e);
        resp_free(&r);
    }

    const char *ok[] = {"Authorization: Bearer s3cret-token", NULL};
    fetch(port, NULL, AIU14, ok, 0, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 21084);
    resp_free(&r);
    fetch(port, NULL, "/alerts_in_ua/v1/regions/41/alerts/month_ago.json", ok,
          0, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);

    /* the token guards only /alerts_in_ua/ */
    fetch(port, NULL, "/deepstate/api/history/public", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    char auth[64];
    assert_int_equal(
        fw_httpd_get_last_auth(h, "/alerts_in_ua/", auth, sizeof auth), FW_OK);
    assert_string_equal(auth, "Bearer s3cret-token");
    assert_int_equal(fw_httpd_get_last_auth(h, NULL, auth, sizeof auth), FW_OK);
    assert_string_equal(auth, ""); /* the DeepState request had none */
    struct fw_httpd_stats s;
    fw_httpd_get_stats(h, "/alerts_in_ua/", &s);
    assert_int_equal(s.n_requests, 6);
    fw_httpd_stop(h);
}

static void test_other_paths(void **state)
{
    (void)state;
    struct resp r;
    const char *bad[] = {"/",       "/nope",     "/deepstate",
                         "/alerts", "/occupied", "/_controlx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(bad[i], &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 404);
        resp_free(&r);
    }
    fetch(shared_port, "POST", "/deepstate/api/history/public", NULL, 0, &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);
}

/* ---- conditional requests --------------------------------------------- */

static void test_conditional(void **state)
{
    (void)state;
    struct resp r;
    get(AIU31, &r);
    assert_int_equal(r.status, 200);
    char etag[64];
    char lm[64];
    snprintf(etag, sizeof etag, "%s", r.etag);
    snprintf(lm, sizeof lm, "%s", r.last_modified);
    char want_lm[64];
    http_date_of("alerts_in_ua/kyiv_city_31_excerpt.json", want_lm);
    assert_string_equal(lm, want_lm);
    resp_free(&r);

    char h[160];
    /* If-None-Match: the ETag, weak or strong, alone or in a list */
    const char *before[] = {"", "W/", "\"0000\", ", NULL};
    for (size_t i = 0; i < 4; i++) {
        if (before[i] != NULL) {
            snprintf(h, sizeof h, "If-None-Match: %s%s", before[i], etag);
        } else {
            snprintf(h, sizeof h, "If-None-Match: *");
        }
        get_with(AIU31, h, &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 304);
        assert_int_equal(r.len, 0);
        assert_string_equal(r.etag, etag);
        assert_string_equal(r.last_modified, lm);
        resp_free(&r);
    }
    get_with(AIU31, "If-None-Match: \"0123456789abcdef\"", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 9808);
    resp_free(&r);

    /* If-Modified-Since: at the mtime or after it 304, before it 200 */
    snprintf(h, sizeof h, "If-Modified-Since: %s", lm);
    get_with(AIU31, h, &r);
    assert_int_equal(r.status, 304);
    resp_free(&r);
    get_with(AIU31, "If-Modified-Since: Fri, 31 Dec 9998 23:59:59 GMT", &r);
    assert_int_equal(r.status, 304);
    resp_free(&r);
    get_with(AIU31, "If-Modified-Since: Thu, 01 Jan 2015 00:00:00 GMT", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 9808);
    resp_free(&r);
    get_with(AIU31, "If-Modified-Since: yesterday", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* If-None-Match wins over If-Modified-Since (RFC 7232 3.3) */
    const char *both[] = {"If-None-Match: \"0000\"", h, NULL};
    fetch(shared_port, NULL, AIU31, both, 0, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* the list and the derived answers have validators too */
    get("/deepstate/api/history/public", &r);
    snprintf(h, sizeof h, "If-None-Match: %s", r.etag);
    resp_free(&r);
    get_with("/deepstate/api/history/public", h, &r);
    assert_int_equal(r.status, 304);
    resp_free(&r);

    struct fw_httpd_stats s;
    fw_httpd_get_stats(shared_h, AIU31, &s);
    assert_int_equal(s.n_requests, 11);
    assert_int_equal(s.n_not_modified, 6);
    assert_int_equal(s.body_bytes_sent, 5 * 9808); /* the five 200s */
    fw_httpd_get_stats(shared_h, NULL, &s);
    assert_int_equal(s.n_not_modified, 7);
}

/* ---- faults ----------------------------------------------------------- */

static void test_fault_status(void **state)
{
    (void)state;
    const char *path = "/deepstate/api/history/public";
    assert_int_equal(
        fw_httpd_add_fault(shared_h, path, FW_HTTPD_FAULT_STATUS429, 2, 7),
        FW_OK);
    struct resp r;
    for (int i = 0; i < 2; i++) {
        get(path, &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_int_equal(r.status, 429);
        assert_string_equal(r.retry_after, "7");
        cJSON *e = cJSON_Parse(r.body);
        assert_non_null(e);
        cJSON_Delete(e);
        resp_free(&r);
    }
    get(path, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    assert_int_equal(
        fw_httpd_add_fault(shared_h, path, FW_HTTPD_FAULT_STATUS503, 1, 3),
        FW_OK);
    get(path, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.retry_after, "3");
    resp_free(&r);

    assert_int_equal(
        fw_httpd_add_fault(shared_h, path, FW_HTTPD_FAULT_STATUS500, 1, 0),
        FW_OK);
    get(path, &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(r.retry_after, "");
    resp_free(&r);

    assert_int_equal(
        fw_httpd_add_fault(shared_h, path, FW_HTTPD_FAULT_REFUSE, 1, 0), FW_OK);
    get(path, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.content_type, "application/json");
    cJSON *e = cJSON_Parse(r.body);
    assert_non_null(e);
    assert_int_equal(cJSON_GetObjectItem(e, "statusCode")->valuedouble, 403);
    cJSON_Delete(e);
    resp_free(&r);

    get(path, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    struct fw_httpd_stats s;
    fw_httpd_get_stats(shared_h, path, &s);
    assert_int_equal(s.n_requests, 7);
    assert_int_equal(s.n_faults, 5);
}

static void test_fault_truncate(void **state)
{
    (void)state;
    assert_int_equal(
        fw_httpd_add_fault(shared_h, AIU14, FW_HTTPD_FAULT_TRUNCATE, 1, 0),
        FW_OK);
    size_t want_len = 0;
    char *want =
        read_bytes("alerts_in_ua/kyiv_oblast_14_excerpt.json", &want_len);
    struct resp r;
    get(AIU14, &r);
    assert_int_equal(r.rc, CURLE_PARTIAL_FILE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_length, "21084"); /* the full length */
    assert_true(r.etag[0] != '\0');
    assert_int_equal(r.len, want_len / 2);
    assert_memory_equal(r.body, want, r.len);
    resp_free(&r);
    get(AIU14, &r); /* n was 1 */
    assert_int_equal(r.rc, CURLE_OK);
    assert_body_is(&r, want, want_len);
    resp_free(&r);
    free(want);
}

static void test_fault_slow(void **state)
{
    (void)state;
    assert_int_equal(
        fw_httpd_add_fault(shared_h, AIU14, FW_HTTPD_FAULT_SLOW, 1, 500),
        FW_OK);
    size_t want_len = 0;
    char *want =
        read_bytes("alerts_in_ua/kyiv_oblast_14_excerpt.json", &want_len);
    struct resp r;
    get(AIU14, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_body_is(&r, want, want_len);
    /* the first KiB came, then the pause, then the rest */
    assert_true(r.t_first_body_s >= 0);
    assert_true(r.t_done_s - r.t_first_body_s >= 0.45);
    resp_free(&r);
    free(want);
}

static void test_fault_content_type(void **state)
{
    (void)state;
    assert_int_equal(fw_httpd_add_fault(shared_h, "/alerts/",
                                        FW_HTTPD_FAULT_CONTENT_TYPE, 1, 0),
                     FW_OK);
    struct resp r;
    get("/alerts/official_data_en.csv", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/html");
    static const char page[] = "<html><body>Access denied</body></html>";
    assert_body_is(&r, page, sizeof page - 1);
    resp_free(&r);
}

static void test_fault_oversize(void **state)
{
    (void)state;
    assert_int_equal(
        fw_httpd_add_fault(shared_h, AIU5, FW_HTTPD_FAULT_OVERSIZE, 2, 200000),
        FW_OK);
    struct resp r;
    get(AIU5, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_string_equal(r.content_length, "200000");
    assert_int_equal(r.len, 200000);
    assert_memory_equal(r.body, "{\"alerts\":[ ", 12);
    resp_free(&r);
    /* a client with a cap refuses it from its Content-Length */
    fetch(shared_port, NULL, AIU5, NULL, 100000, &r);
    assert_int_equal(r.rc, CURLE_FILESIZE_EXCEEDED);
    resp_free(&r);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, AIU5, FW_HTTPD_FAULT_OVERSIZE, 1, 5),
        FW_OK);
    get(AIU5, &r);
    assert_int_equal(r.len, 5);
    assert_string_equal(r.body, "{\"ale");
    resp_free(&r);
}

static void test_fault_bad_json(void **state)
{
    (void)state;
    assert_int_equal(
        fw_httpd_add_fault(shared_h, AIU14, FW_HTTPD_FAULT_BAD_JSON, 1, 0),
        FW_OK);
    size_t want_len = 0;
    char *want =
        read_bytes("alerts_in_ua/kyiv_oblast_14_excerpt.json", &want_len);
    cJSON *whole = cJSON_ParseWithLength(want, want_len);
    assert_non_null(whole); /* the real body parses... */
    cJSON_Delete(whole);
    struct resp r;
    get(AIU14, &r);
    assert_int_equal(r.rc, CURLE_OK); /* ...a complete HTTP answer... */
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    assert_body_is(&r, want, want_len / 2);
    assert_null(cJSON_Parse(r.body)); /* ...whose JSON is cut */
    resp_free(&r);
    free(want);
}

static void test_fault_order_and_prefix(void **state)
{
    (void)state;
    /* the oldest matching fault first; other paths untouched */
    assert_int_equal(fw_httpd_add_fault(shared_h, "/alerts_in_ua/",
                                        FW_HTTPD_FAULT_STATUS503, 1, 1),
                     FW_OK);
    assert_int_equal(fw_httpd_add_fault(shared_h,
                                        "/alerts_in_ua/v1/regions/31/",
                                        FW_HTTPD_FAULT_STATUS500, 1, 0),
                     FW_OK);
    struct resp r;
    get("/deepstate/api/history/public", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    get(AIU14, &r);
    assert_int_equal(r.status, 503);
    resp_free(&r);
    get(AIU14, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    get(AIU31, &r);
    assert_int_equal(r.status, 500);
    resp_free(&r);
    get(AIU31, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* "/" matches every path; a fault is never applied to control URLs */
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "/", FW_HTTPD_FAULT_STATUS500, 1, 0),
        FW_OK);
    get("/_control/stats", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    get("/nope", &r);
    assert_int_equal(r.status, 500);
    resp_free(&r);

    struct fw_httpd_stats s;
    fw_httpd_get_stats(shared_h, "/alerts_in_ua/", &s);
    assert_int_equal(s.n_requests, 4);
    assert_int_equal(s.n_faults, 2);
    fw_httpd_get_stats(shared_h, NULL, &s);
    assert_int_equal(s.n_requests, 6);
    assert_int_equal(s.n_faults, 3);
}

/* ---- control URLs, counts, API errors ---------------------------------- */

static void test_control(void **state)
{
    (void)state;
    struct resp r;
    get("/_control/fault?prefix=%2Falerts_in_ua%2F&kind=status503&n=1&arg=2",
        &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":true}");
    resp_free(&r);
    const char *headers[] = {"Authorization: Bearer abc", NULL};
    fetch(shared_port, NULL, AIU14, headers, 0, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.retry_after, "2");
    size_t fault_len = r.len;
    resp_free(&r);
    get(AIU14, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    get("/_control/stats?prefix=/alerts_in_ua/", &r);
    assert_int_equal(r.status, 200);
    char want[160];
    snprintf(want, sizeof want,
             "{\"requests\":2,\"bytes_sent\":%zu,\"not_modified\":0,"
             "\"faults\":1}",
             fault_len + 21084);
    assert_string_equal(r.body, want);
    resp_free(&r);

    /* the latest request under the prefix had no Authorization */
    get("/_control/last_auth?prefix=/alerts_in_ua/", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "");
    resp_free(&r);
    fetch(shared_port, NULL, AIU31, headers, 0, &r);
    resp_free(&r);
    get("/_control/last_auth?prefix=/alerts_in_ua/", &r);
    assert_string_equal(r.body, "Bearer abc");
    resp_free(&r);

    /* bad requests; none of them queues anything */
    const char *bad[] = {"/_control/fault?prefix=/a&kind=nope",
                         "/_control/fault?kind=truncate",
                         "/_control/fault?prefix=/a&kind=truncate&n=0",
                         "/_control/fault?prefix=/a&kind=truncate&n=x",
                         "/_control/fault?prefix=/a&kind=slow&arg=-1",
                         "/_control/fault?prefix=a&kind=truncate",
                         "/_control/fault?prefix=/a&kind=oversize"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(bad[i], &r);
        assert_int_equal(r.status, 400);
        assert_non_null(strstr(r.body, "\"error\""));
        resp_free(&r);
    }
    get("/_control/nope", &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);

    /* control requests are not counted, and reset forgets everything */
    struct fw_httpd_stats s;
    fw_httpd_get_stats(shared_h, NULL, &s);
    assert_int_equal(s.n_requests, 3);
    get("/_control/fault?prefix=/alerts/&kind=status500", &r);
    resp_free(&r);
    get("/_control/reset", &r);
    assert_string_equal(r.body, "{\"ok\":true}");
    resp_free(&r);
    get("/_control/stats", &r);
    assert_string_equal(r.body, "{\"requests\":0,\"bytes_sent\":0,"
                                "\"not_modified\":0,\"faults\":0}");
    resp_free(&r);
    get("/alerts/official_data_en.csv", &r);
    assert_int_equal(r.status, 200); /* the fault was forgotten */
    resp_free(&r);
}

static void test_stats_and_last_auth(void **state)
{
    (void)state;
    char auth[16];
    struct fw_httpd_stats s;
    fw_httpd_get_stats(shared_h, NULL, &s);
    assert_int_equal(s.n_requests, 0);
    assert_int_equal(fw_httpd_get_last_auth(shared_h, NULL, auth, sizeof auth),
                     FW_ENOTFOUND);
    assert_string_equal(auth, "");

    struct resp r;
    size_t total = 0;
    get_with(AIU14, "Authorization: Bearer 0123456789abcdef", &r);
    total += r.len;
    resp_free(&r);
    get(AIU31, &r);
    total += r.len;
    resp_free(&r);
    get("/nope", &r);
    total += r.len;
    resp_free(&r);

    fw_httpd_get_stats(shared_h, NULL, &s);
    assert_int_equal(s.n_requests, 3);
    assert_int_equal(s.body_bytes_sent, (long long)total);
    fw_httpd_get_stats(shared_h, AIU14, &s);
    assert_int_equal(s.n_requests, 1);
    assert_int_equal(s.body_bytes_sent, 21084);
    fw_httpd_get_stats(shared_h, "/alerts_in_ua/v1/regions/", &s);
    assert_int_equal(s.n_requests, 2);
    assert_int_equal(s.body_bytes_sent, 21084 + 9808);
    fw_httpd_get_stats(shared_h, "/occupied/", &s);
    assert_int_equal(s.n_requests, 0);
    assert_int_equal(s.body_bytes_sent, 0);

    /* the latest request overall had none; under 14's path, cut to fit */
    assert_int_equal(fw_httpd_get_last_auth(shared_h, NULL, auth, sizeof auth),
                     FW_OK);
    assert_string_equal(auth, "");
    assert_int_equal(fw_httpd_get_last_auth(shared_h, AIU14, auth, sizeof auth),
                     FW_ELIMIT);
    assert_string_equal(auth, "Bearer 01234567");
    char big[64];
    assert_int_equal(
        fw_httpd_get_last_auth(shared_h, "/alerts_in_ua/v1/", big, sizeof big),
        FW_OK);
    assert_string_equal(big, ""); /* 31's request came later */
    assert_int_equal(
        fw_httpd_get_last_auth(shared_h, "/occupied/", big, sizeof big),
        FW_ENOTFOUND);
}

static void test_api_errors(void **state)
{
    (void)state;
    fw_httpd *h = NULL;
    int port = -1;
    struct fw_diag d;
    fw_diag_reset(&d);
    struct fw_httpd_opts o = {data_dir, NULL, 0};
    assert_int_equal(fw_httpd_start(NULL, &h, &port, &d), FW_EUSAGE);
    assert_int_equal(fw_httpd_start(&o, NULL, &port, &d), FW_EUSAGE);
    o.port = 70000;
    assert_int_equal(fw_httpd_start(&o, &h, &port, &d), FW_EUSAGE);
    o.port = 0;
    o.token = "two words";
    assert_int_equal(fw_httpd_start(&o, &h, &port, &d), FW_EUSAGE);
    o.token = "";
    assert_int_equal(fw_httpd_start(&o, &h, &port, &d), FW_EUSAGE);
    o.token = NULL;
    o.data_dir = "/nonexistent/fw_httpd";
    assert_int_equal(fw_httpd_start(&o, &h, &port, &d), FW_ENOTFOUND);
    /* the port of the running server is taken */
    o.data_dir = data_dir;
    o.port = shared_port;
    fw_diag_reset(&d);
    assert_int_equal(fw_httpd_start(&o, &h, &port, &d), FW_EIO);
    assert_non_null(strstr(d.msg, "cannot start"));
    assert_null(h);
    assert_int_equal(port, -1);

    assert_int_equal(fw_httpd_add_fault(NULL, "/", FW_HTTPD_FAULT_SLOW, 1, 1),
                     FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, NULL, FW_HTTPD_FAULT_SLOW, 1, 1),
        FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "", FW_HTTPD_FAULT_SLOW, 1, 1), FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "alerts", FW_HTTPD_FAULT_SLOW, 1, 1),
        FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "/", FW_HTTPD_FAULT_SLOW, 0, 1),
        FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "/", FW_HTTPD_FAULT_SLOW, 1, -1),
        FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "/", FW_HTTPD_FAULT_OVERSIZE, 1, 0),
        FW_EUSAGE);
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "/", (enum fw_httpd_fault_kind)99, 1, 0),
        FW_EUSAGE);
    char long_prefix[FW_HTTPD_MAX_PREFIX_LEN + 2];
    memset(long_prefix, 'a', sizeof long_prefix - 1);
    long_prefix[0] = '/';
    long_prefix[sizeof long_prefix - 1] = '\0';
    assert_int_equal(
        fw_httpd_add_fault(shared_h, long_prefix, FW_HTTPD_FAULT_SLOW, 1, 1),
        FW_EUSAGE);
    long_prefix[sizeof long_prefix - 2] = '\0'; /* exactly the maximum */
    assert_int_equal(
        fw_httpd_add_fault(shared_h, long_prefix, FW_HTTPD_FAULT_SLOW, 1, 1),
        FW_OK);
    for (int i = 1; i < FW_HTTPD_MAX_FAULTS; i++) {
        assert_int_equal(
            fw_httpd_add_fault(shared_h, "/x", FW_HTTPD_FAULT_STATUS500, 1, 0),
            FW_OK);
    }
    assert_int_equal(
        fw_httpd_add_fault(shared_h, "/x", FW_HTTPD_FAULT_STATUS500, 1, 0),
        FW_ELIMIT);

    /* names */
    static const char *const names[] = {
        "status429",    "status503", "status500", "truncate", "slow",
        "content_type", "oversize",  "bad_json",  "refuse"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum fw_httpd_fault_kind k;
        assert_int_equal(fw_httpd_fault_parse(names[i], &k), FW_OK);
        assert_int_equal(k, (enum fw_httpd_fault_kind)i);
        assert_string_equal(fw_httpd_fault_name(k), names[i]);
    }
    enum fw_httpd_fault_kind k = FW_HTTPD_FAULT_SLOW;
    assert_int_equal(fw_httpd_fault_parse("Slow", &k), FW_ENOTFOUND);
    assert_int_equal(k, FW_HTTPD_FAULT_SLOW);
    assert_int_equal(fw_httpd_fault_parse(NULL, &k), FW_EUSAGE);
    assert_string_equal(fw_httpd_fault_name((enum fw_httpd_fault_kind)42),
                        "unknown");
    char buf[8];
    assert_int_equal(fw_httpd_get_last_auth(shared_h, NULL, buf, 0), FW_EUSAGE);
    fw_httpd_stop(NULL);
}

struct slow_client {
    int port;
    struct resp r;
};

static void *slow_client_run(void *arg)
{
    struct slow_client *c = arg;
    fetch(c->port, NULL, AIU14, NULL, 0, &c->r);
    return NULL;
}

/* A `slow` answer stops waiting when the server stops: the stop is quick
 * and the client sees the answer cut after its first KiB. */
static void test_stop_interrupts_slow(void **state)
{
    (void)state;
    struct slow_client c;
    fw_httpd *h = start(NULL, &c.port);
    assert_int_equal(
        fw_httpd_add_fault(h, AIU14, FW_HTTPD_FAULT_SLOW, 1, 60000), FW_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, slow_client_run, &c), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct fw_httpd_stats s = {0};
    while (s.body_bytes_sent < 1024 && since_s(&t0) < 10) {
        struct timespec step = {0, 10 * 1000000L};
        nanosleep(&step, NULL);
        fw_httpd_get_stats(h, NULL, &s);
    }
    assert_int_equal(s.body_bytes_sent, 1024);
    struct timespec pause = {0, 100 * 1000000L};
    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fw_httpd_stop(h);
    double stop_s = since_s(&t0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(stop_s < 3.0);
    assert_int_not_equal(c.r.rc, CURLE_OK);
    assert_int_equal(c.r.status, 200);
    assert_int_equal(c.r.len, 1024);
    resp_free(&c.r);
}

int main(void)
{
    const char *dir = fwt_shared(DS_DIR);
    if (dir == NULL || fwt_shared("alerts_in_ua") == NULL ||
        fwt_shared("alerts") == NULL) {
        printf("SKIP: the real data (../shared/data, or $FW_SHARED_DATA) is "
               "absent; the test server serves it\n");
        return 77; /* CTest: skipped */
    }
    snprintf(data_dir, sizeof data_dir, "%s", fwt_shared("."));
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        printf("curl_global_init failed\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_history_list, reset),
        cmocka_unit_test_setup(test_history_geojson, reset),
        cmocka_unit_test_setup(test_history_last, reset),
        cmocka_unit_test_setup(test_occupied, reset),
        cmocka_unit_test_setup(test_alerts_csv, reset),
        cmocka_unit_test_setup(test_alerts_in_ua, reset),
        cmocka_unit_test_setup(test_token, reset),
        cmocka_unit_test_setup(test_other_paths, reset),
        cmocka_unit_test_setup(test_conditional, reset),
        cmocka_unit_test_setup(test_fault_status, reset),
        cmocka_unit_test_setup(test_fault_truncate, reset),
        cmocka_unit_test_setup(test_fault_slow, reset),
        cmocka_unit_test_setup(test_fault_content_type, reset),
        cmocka_unit_test_setup(test_fault_oversize, reset),
        cmocka_unit_test_setup(test_fault_bad_json, reset),
        cmocka_unit_test_setup(test_fault_order_and_prefix, reset),
        cmocka_unit_test_setup(test_control, reset),
        cmocka_unit_test_setup(test_stats_and_last_auth, reset),
        cmocka_unit_test_setup_teardown(test_api_errors, reset, reset),
        cmocka_unit_test(test_stop_interrupts_slow),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    curl_global_cleanup();
    return failed;
}
