/*
 * test_server.c - `serve` over loopback (server.c, api.c): the API's
 * answers against the library's, HTTP's part (ETag and 304, gzip, CORS,
 * 405, 414), and hostile requests (path traversal in every spelling,
 * oversized and slow headers, malformed percent-encoding, huge numbers,
 * SQL in every parameter): each gets a 4xx, the store is unchanged and
 * the server keeps answering. On a store of the bundled sample (its
 * Russian border too), so it runs everywhere and under valgrind; the
 * place page from web/place.html.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "fwtest.h"
#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/ingest.h"
#include "frontwatch/server.h"

static char g_dir[64];
static char g_db[128];
static char g_web[128];  /* the dashboard's two pages, no script */
static char g_page[160]; /* g_web/place.html */
static char g_index[160]; /* g_web/index.html */
static fw_api *g_api;
static fw_server *g_srv;
static int g_port;

/* Copies the file from to to; 0 on success. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL) {
        fprintf(stderr, "%s: cannot open\n", from);
        return -1;
    }
    FILE *out = fopen(to, "wb");
    char buf[4096];
    size_t n;
    int rc = out == NULL ? -1 : 0;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    }
    if (ferror(in)) {
        rc = -1;
    }
    if (out != NULL && fclose(out) != 0) {
        rc = -1;
    }
    fclose(in);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/fwsrv.XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        return -1;
    }
    snprintf(g_db, sizeof g_db, "%s/s.db", g_dir);
    snprintf(g_web, sizeof g_web, "%s/web", g_dir);
    snprintf(g_page, sizeof g_page, "%s/place.html", g_web);
    snprintf(g_index, sizeof g_index, "%s/index.html", g_web);
    if (mkdir(g_web, 0700) != 0 ||
        copy_file(fwt_fixture("../../web/place.html"), g_page) != 0 ||
        copy_file(fwt_fixture("../../web/index.html"), g_index) != 0) {
        return -1;
    }
    fw_store *st = NULL;
    struct fw_diag d;
    if (fw_store_open(g_db, FW_STORE_WRITE, &st, &d) != FW_OK) {
        return -1;
    }
    int rc = fwt_ingest_dir(st, fwt_sample("gazetteer"), 0, 0) |
             fwt_ingest_dir(st, fwt_sample("frontline"), 0, 0) |
             fwt_ingest_dir(st, fwt_sample("alerts"), 0, 0) |
             fwt_ingest_dir(st, fwt_sample("boundaries"), 0, 0);
    if (rc != 0 || fw_ingest_derive(st, &d) != FW_OK) {
        fw_store_close(st);
        return -1;
    }
    fw_store_close(st);
    struct fw_api_config ac = {
        .db_path = g_db, .web_dir = g_web, .n_contexts = 4};
    if (fw_api_new(&ac, &g_api, &d) != FW_OK) {
        fprintf(stderr, "api: %s\n", d.msg);
        return -1;
    }
    struct fw_server_config sc = {.port = 0,
                                  .n_threads = 4,
                                  .api = g_api,
                                  .request_timeout_ms = 1000};
    if (fw_server_start(&sc, &g_srv, &d) != FW_OK) {
        fprintf(stderr, "server: %s\n", d.msg);
        return -1;
    }
    g_port = fw_server_port(g_srv);
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fw_server_stop(g_srv);
    fw_api_free(g_api);
    curl_global_cleanup();
    fwt_remove_db(g_db);
    unlink(g_page);
    unlink(g_index);
    rmdir(g_web);
    rmdir(g_dir);
    return 0;
}

struct reply {
    long status;
    char *body;
    size_t len;
    char headers[4096];
    size_t headers_len;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    char *nb = realloc(r->body, r->len + size * n + 1);
    if (nb == NULL) {
        return 0;
    }
    r->body = nb;
    memcpy(r->body + r->len, p, size * n);
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    size_t k = size * n;
    if (r->headers_len + k < sizeof r->headers) {
        memcpy(r->headers + r->headers_len, p, k);
        r->headers_len += k;
        r->headers[r->headers_len] = '\0';
    }
    return k;
}

/* GET (or method) path with the extra header lines (NULL-terminated);
 * the body as sent (no decoding). */
static struct reply get(const char *method, const char *path,
                        const char *const *extra)
{
    struct reply r;
    memset(&r, 0, sizeof r);
    char url[4096];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        hl = curl_slist_append(hl, extra[i]);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return r;
}

static void reply_free(struct reply *r) { free(r->body); }

/* The value of header name in r (case-insensitive), "" when absent. */
static const char *header(const struct reply *r, const char *name,
                          char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = r->headers; *p;) {
        const char *eol = strstr(p, "\r\n");
        if (eol == NULL) {
            break;
        }
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ') {
                v++;
            }
            snprintf(buf, cap, "%.*s", (int)(eol - v), v);
            return buf;
        }
        p = eol + 2;
    }
    return buf;
}

/* The status code of a raw request sent over a socket, the first line of
 * the reply; 0 when the server closed without a status, -1 when it still
 * had not answered 5 s after the request was sent. */
static int raw(const char *req, size_t len, int pause_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)g_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (pause_ms > 0) {
        /* a byte at a time, slowly: the slowloris client */
        for (size_t i = 0; i < len; i++) {
            if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1) {
                break;
            }
            struct timespec ts = {0, pause_ms * 1000000L};
            nanosleep(&ts, NULL);
        }
    } else {
        (void)send(fd, req, len, MSG_NOSIGNAL);
    }
    char buf[64] = "";
    ssize_t got = recv(fd, buf, sizeof buf - 1, 0);
    close(fd);
    int status = got < 0 ? -1 : 0;
    if (got > 0) {
        buf[got] = '\0';
        sscanf(buf, "HTTP/1.%*d %d", &status);
    }
    return status;
}

static void healthy(void)
{
    struct reply r = get("GET", "/healthz", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    reply_free(&r);
}

/* /api/assess answers exactly what `assess --json` prints. */
static void test_assess_same_as_cli(void **state)
{
    (void)state;
    struct reply r = get("GET", "/api/assess/Kharkiv?date=2025-08-25", NULL);
    assert_int_equal(r.status, 200);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_db, FW_STORE_READ, &st, &d), FW_OK);
    assert_int_equal(fw_geo_new(st, &g, &d), FW_OK);
    struct fw_place *p = NULL;
    size_t n = 0;
    assert_int_equal(fw_place_find(st, "Kharkiv", &p, &n, &d), FW_OK);
    int64_t day = 0;
    fw_date_parse_day("2025-08-25", &day);
    struct fw_assessment a;
    assert_int_equal(fw_assess(st, g, &p[0], day, &a, &d), FW_OK);
    char *want = NULL;
    size_t want_len = 0;
    FILE *f = open_memstream(&want, &want_len);
    fw_assess_write_json(&a, f);
    fclose(f);
    assert_string_equal(r.body, want);
    assert_non_null(strstr(r.body, "\"uk\":\"Харків: не окуповано."));
    free(want);
    free(p);
    fw_geo_free(g);
    fw_store_close(st);
    reply_free(&r);
}

/* The row of data-key key in a place page: its label and its value, the
 * whole line as api_page.c writes it. */
static void assert_row(const char *body, const char *key, const char *label,
                       const char *value)
{
    char want[1024];
    snprintf(want, sizeof want,
             "<div class=\"fact\" data-key=\"%s\"><dt>%s</dt><dd>%s</dd>"
             "</div>\n",
             key, label, value);
    if (strstr(body, want) == NULL) {
        fail_msg("the page has no row\n  %s", want);
    }
}

/* The place page of Kharkiv on the sample, in both languages: the state
 * border 34.8 km away (as `assess` says, and 34.8 km on the full data:
 * the sample holds OSM's whole outline of Russia), Belarus not measured,
 * the strikes unknown (the sample has no incident data: unknown, never 0),
 * the season of 25 August and the line on the troops no data shows. */
static void test_place_page_signals(void **state)
{
    (void)state;
    struct reply r = get("GET", "/api/assess/Kharkiv?date=2025-08-25", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"distance_to_border_km\":34.8,"
                                   "\"border_country\":\"RU\""));
    assert_non_null(strstr(r.body, "\"strikes_25km_7d\":null"));
    reply_free(&r);

    r = get("GET", "/place/Kharkiv?date=2025-08-25&lang=en", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<html lang=\"en\">"));
    assert_row(r.body, "distance_to_border_km",
               "Distance to the border with Russia", "34.8 km");
    assert_row(r.body, "border_belarus", "Distance to the border with Belarus",
               "not measured: the data has no outline of Belarus");
    assert_row(r.body, "strikes_25km_7d", "Strikes within 25 km, last 7 days",
               "unknown (no incident data up to this date)");
    assert_row(r.body, "strikes_25km_30d",
               "Strikes within 25 km, last 30 days",
               "unknown (no incident data up to this date)");
    assert_row(r.body, "strikes_25km_ratio",
               "Strikes within 25 km, last 30 days against the 90 before",
               "unknown (no incident data up to this date)");
    assert_row(r.body, "strike_waves_oblast_30d",
               "Attack waves aimed at Kharkiv oblast, last 30 days",
               "unknown (no missile-table data up to this date)");
    assert_row(r.body, "season", "Season",
               "the campaign season (dry ground, May to September)");
    assert_row(r.body, "not_measured", "Not measured",
               "troop numbers and massing near the front or the border: no "
               "public data shows them, so silence here is not safety");
    /* no displacement data in the sample (not openly licensed) */
    assert_row(r.body, "displacement_oblast",
               "People displaced within Ukraine present in the oblast "
               "(IOM DTM)",
               "unknown: no IOM DTM round up to this date");
    assert_row(r.body, "displacement_settlement",
               "Front-line settlement monitoring (SLAC)",
               "no visit of this place up to this date");
    /* no strike data in the sample: no row of its age, and no 0 */
    assert_null(strstr(r.body, "data-key=\"strikes_bellingcat\""));
    assert_null(strstr(r.body, "data-key=\"strikes_25km_7d\"><dt>Strikes "
                               "within 25 km, last 7 days</dt><dd>0"));
    reply_free(&r);

    r = get("GET", "/place/Kharkiv?date=2025-08-25&lang=uk", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<html lang=\"uk\">"));
    assert_row(r.body, "distance_to_border_km", "Відстань до кордону з Росією",
               "34,8 км");
    assert_row(r.body, "border_belarus", "Відстань до кордону з Білоруссю",
               "не виміряно: у даних немає контуру Білорусі");
    assert_row(r.body, "strikes_25km_7d", "Удари в радіусі 25 км за 7 днів",
               "невідомо (немає даних про інциденти до цієї дати)");
    assert_row(r.body, "strike_waves_oblast_30d",
               "Хвилі атак на Харківську область за 30 днів",
               "невідомо (немає даних таблиці ракетних атак до цієї дати)");
    assert_row(r.body, "season", "Сезон",
               "сезон наступальних кампаній (суха земля, травень–вересень)");
    assert_row(r.body, "not_measured", "Не виміряно",
               "чисельність військ і їх зосередження біля фронту чи кордону "
               "не видно в жодних відкритих даних, тож тиша тут не означає "
               "безпеки");
    reply_free(&r);
}

/* An answer without a date is today's: the cache must not give
 * yesterday's once the day has turned (its key holds the day). */
static void test_cache_turns_with_the_day(void **state)
{
    (void)state;
    struct fw_api_request rq = {.method = "GET",
                                .path = "/api/assess/Kharkiv"};
    const char *days[] = {"2025-08-25", "2025-08-26", "2025-08-25"};
    for (int i = 0; i < 3; i++) {
        fw_api_set_clock(g_api, fwt_day_s(days[i]) + 12 * 3600);
        struct fw_api_response r;
        assert_int_equal(fw_api_answer(g_api, &rq, &r), FW_OK);
        assert_int_equal(r.status, 200);
        char want[32];
        snprintf(want, sizeof want, "\"date\":\"%s\"", days[i]);
        char *body = strndup(r.body, r.body_len);
        assert_non_null(body);
        if (strstr(body, want) == NULL) {
            fail_msg("on %s the answer is not of that day: %.200s", days[i],
                     body);
        }
        free(body);
        fw_api_response_free(&r);
    }
    fw_api_set_clock(g_api, 0);
}

static void test_places_and_errors(void **state)
{
    (void)state;
    struct reply r = get("GET", "/api/places?q=%D0%A5%D0%B0%D1%80%D0%BA%D1%96%D0%B2",
                         NULL); /* Харків */
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"name\":\"Kharkiv\""));
    reply_free(&r);
    r = get("GET", "/api/assess/Mykolaivka", NULL);
    assert_int_equal(r.status, 300);
    assert_non_null(strstr(r.body, "\"candidates\":[{\"id\":"));
    reply_free(&r);
    r = get("GET", "/api/assess/Kharkivv", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "\"suggestions\":[{\"id\":"));
    assert_non_null(strstr(r.body, "Kharkiv"));
    reply_free(&r);
    r = get("GET", "/api/assess/Kharkiv?date=2025-02-30", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"message\":\"date: expected a day"));
    reply_free(&r);
    r = get("GET", "/api/assess/Kharkiv?when=today", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "unknown parameter 'when'"));
    reply_free(&r);
    r = get("GET", "/api/risk", NULL); /* no model file given */
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "\"code\":\"no_model\""));
    reply_free(&r);
    r = get("POST", "/api/places?q=Kharkiv", NULL);
    assert_int_equal(r.status, 405);
    char buf[256];
    assert_string_equal(header(&r, "Allow", buf, sizeof buf),
                        "GET, HEAD, OPTIONS");
    reply_free(&r);
    r = get("GET", "/no/such/thing", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "{\"error\":{\"code\":\"not_found\""));
    reply_free(&r);
}

static void test_frontline_geojson(void **state)
{
    (void)state;
    struct reply r = get("GET", "/api/frontline?date=2025-08-01", NULL);
    assert_int_equal(r.status, 200);
    char buf[256];
    assert_string_equal(header(&r, "Content-Type", buf, sizeof buf),
                        "application/geo+json");
    /* the sample's map in force: DeepState's occupied area of 07-28 */
    assert_non_null(strstr(r.body, "\"source\":\"deepstate_occupied\","
                                   "\"map\":\"2025-07-28\""));
    assert_non_null(strstr(r.body, "\"properties\":{\"class\":\"occupied\"}"));
    reply_free(&r);
    r = get("GET", "/api/frontline?date=2021-01-01", NULL);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    r = get("GET", "/api/frontline?date=2025-08-01&source=osm", NULL);
    assert_int_equal(r.status, 400);
    reply_free(&r);
}

static void test_etag_gzip_cors(void **state)
{
    (void)state;
    const char *path = "/api/assess/Kharkiv?date=2025-08-20";
    struct reply a = get("GET", path, NULL);
    assert_int_equal(a.status, 200);
    char etag[128], lm[128], inm[200], ims[200], buf[256];
    header(&a, "ETag", etag, sizeof etag);
    header(&a, "Last-Modified", lm, sizeof lm);
    assert_true(strncmp(etag, "W/\"", 3) == 0);
    assert_true(strlen(lm) > 20);
    assert_string_equal(header(&a, "Access-Control-Allow-Origin", buf,
                               sizeof buf),
                        "*");
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *h1[] = {inm, NULL};
    struct reply b = get("GET", path, h1);
    assert_int_equal(b.status, 304);
    assert_int_equal(b.len, 0);
    reply_free(&b);
    snprintf(ims, sizeof ims, "If-Modified-Since: %s", lm);
    const char *h2[] = {ims, NULL};
    b = get("GET", path, h2);
    assert_int_equal(b.status, 304);
    reply_free(&b);
    const char *h3[] = {"If-None-Match: \"other\"", NULL};
    b = get("GET", path, h3);
    assert_int_equal(b.status, 200);
    reply_free(&b);
    /* gzip: the same bytes once inflated */
    const char *h4[] = {"Accept-Encoding: gzip", NULL};
    b = get("GET", path, h4);
    assert_int_equal(b.status, 200);
    assert_string_equal(header(&b, "Content-Encoding", buf, sizeof buf),
                        "gzip");
    char out[65536];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)b.body;
    z.avail_in = (uInt)b.len;
    z.next_out = (Bytef *)out;
    z.avail_out = sizeof out;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, a.len);
    assert_memory_equal(out, a.body, a.len);
    inflateEnd(&z);
    reply_free(&b);
    b = get("OPTIONS", path, NULL);
    assert_int_equal(b.status, 204);
    assert_non_null(strstr(b.headers, "Access-Control-Allow-Methods: GET"));
    reply_free(&b);
    b = get("HEAD", path, NULL);
    assert_int_equal(b.status, 200);
    assert_int_equal(b.len, 0);
    reply_free(&b);
    reply_free(&a);
}

static void test_path_traversal(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/css/../../../../etc/passwd",
        "/api/places/..%2f..%2fetc%2fpasswd",
        "/place/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..\\..\\etc\\passwd",
        "/%c0%ae%c0%ae/etc/passwd",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct reply r = get("GET", paths[i], NULL);
        if (r.status < 400 || r.status > 499) {
            fail_msg("%s: status %ld", paths[i], r.status);
        }
        assert_null(strstr(r.body ? r.body : "", "root:"));
        reply_free(&r);
    }
    healthy();
}

static void test_bad_requests(void **state)
{
    (void)state;
    /* malformed percent-encoding in a parameter: 400 naming it */
    struct reply r = get("GET", "/api/places?q=%zzKharkiv", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "q: malformed percent-encoding"));
    reply_free(&r);
    r = get("GET", "/api/places?q=Kharkiv%", NULL);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    r = get("GET", "/api/places?q=Kh%00arkiv", NULL);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    /* huge numbers */
    r = get("GET", "/api/places?q=Kharkiv&limit=99999999999999999999", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "limit: expected a whole number"));
    reply_free(&r);
    r = get("GET", "/api/risk?top=1000000000", NULL);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    r = get("GET", "/api/history/Kharkiv?from=1900-01-01&to=2025-08-01",
            NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "at most 4000"));
    reply_free(&r);
    /* a URL over the limit: 414 */
    char *url = malloc(FW_API_MAX_URL + 64);
    assert_non_null(url);
    strcpy(url, "/api/places?q=");
    memset(url + 14, 'a', FW_API_MAX_URL + 10);
    url[14 + FW_API_MAX_URL + 10] = '\0';
    r = get("GET", url, NULL);
    assert_true(r.status == 414 || r.status == 413 || r.status == 400);
    reply_free(&r);
    free(url);
    /* oversized headers: refused, nothing breaks */
    char *big = malloc(3 * FW_SERVER_MAX_HEADER_BYTES);
    assert_non_null(big);
    int n = snprintf(big, 64, "GET /healthz HTTP/1.1\r\nX-Big: ");
    memset(big + n, 'x', 2 * FW_SERVER_MAX_HEADER_BYTES);
    strcpy(big + n + 2 * FW_SERVER_MAX_HEADER_BYTES, "\r\n\r\n");
    int st = raw(big, strlen(big), 0);
    assert_true(st == 0 || (st >= 400 && st <= 499));
    free(big);
    /* a request line that is not HTTP */
    st = raw("HELLO\r\n\r\n", 9, 0);
    assert_true(st == 0 || (st >= 400 && st <= 499));
    healthy();
}

static void test_slow_headers(void **state)
{
    (void)state;
    /* the slowloris client: a header a byte every 150 ms, 2.5 s in all,
     * against the test server's 1 s limit on reading a request */
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                              "X-Slow: 1\r\n\r\n";
    int st = raw(req, sizeof req - 1, 150);
    /* cut off (0) or refused (4xx), never left waiting (-1) nor answered */
    assert_true(st == 0 || (st >= 400 && st <= 499));
    /* meanwhile the server answered others */
    healthy();
}

static void test_sql_in_parameters(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "/api/places?q=%27%20OR%201%3D1%20--",
        "/api/places?q=Kharkiv%27%3B%20DROP%20TABLE%20place%3B%20--",
        "/api/assess/Kharkiv%27%3B%20DROP%20TABLE%20place%3B--",
        "/api/assess/1%20OR%201%3D1",
        "/api/assess/Kharkiv?date=2025-08-01%27%3B%20DROP%20TABLE%20place",
        "/api/history/Kharkiv?from=%27%20OR%20%271%27%3D%271",
        "/api/alerts?oblast=UA-63%27%20OR%201%3D1--",
        "/api/frontline?date=2025-08-01&source=deepstate%27--",
        "/api/places/1%3B%20DELETE%20FROM%20place",
        "/place/1862?lang=uk%22%3E%3Cscript%3E",
        "/feeds/atom.xml?place=Kharkiv%27%3B%20DROP%20TABLE%20place%3B--",
        "/feeds/cap.xml?oblast=UA-63%27%20OR%201%3D1",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct reply r = get("GET", paths[i], NULL);
        /* a name that matches nothing is a 404 or an empty list (200);
         * anything else that is not input must be a 4xx */
        if (r.status >= 500) {
            fail_msg("%s: status %ld", paths[i], r.status);
        }
        reply_free(&r);
    }
    struct reply r = get("GET", "/api/places?q=Kharkiv", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"count\":1"));
    reply_free(&r);
    healthy();
}

/* The feeds: the Atom feed's CAP links resolve to valid CAP documents. */
static void test_feeds(void **state)
{
    (void)state;
    struct reply r = get("GET",
                         "/feeds/atom.xml?place=Kharkiv&from=2025-07-01&"
                         "to=2025-08-25",
                         NULL);
    assert_int_equal(r.status, 200);
    char buf[256];
    assert_string_equal(header(&r, "Content-Type", buf, sizeof buf),
                        "application/atom+xml; charset=utf-8");
    /* the sample's first map is the feed's initial state */
    const char *link = strstr(r.body, "type=\"application/cap+xml\" href=\"");
    assert_non_null(link);
    link += strlen("type=\"application/cap+xml\" href=\"");
    const char *end = strchr(link, '"');
    char path[512];
    const char *p = strstr(link, "/feeds/");
    assert_true(p != NULL && p < end);
    size_t o = 0;
    for (; p < end && o + 1 < sizeof path; p++) {
        if (strncmp(p, "&amp;", 5) == 0) {
            path[o++] = '&';
            p += 4;
        } else {
            path[o++] = *p;
        }
    }
    path[o] = '\0';
    struct reply cap = get("GET", path, NULL);
    assert_int_equal(cap.status, 200);
    assert_non_null(strstr(cap.body, "<identifier>frontwatch-"));
    assert_non_null(strstr(cap.body, "<language>uk-UA</language>"));
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char file[128], cmd[512];
        snprintf(file, sizeof file, "%s/cap.xml", g_dir);
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fwrite(cap.body, 1, cap.len, f);
        fclose(f);
        snprintf(cmd, sizeof cmd,
                 "xmllint --noout --schema %s %s 2>/dev/null",
                 fwt_fixture("cap/CAP-v1.2.xsd"), file);
        assert_int_equal(system(cmd), 0);
        unlink(file);
    } else {
        printf("# xmllint not installed: CAP schema check skipped\n");
    }
    reply_free(&cap);
    reply_free(&r);
    r = get("GET", "/feeds/cap.xml?place=Kharkiv&oblast=UA-63", NULL);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    r = get("GET", "/feeds/cap.xml?place=Kharkiv&to=2025-08-25&alert=nope",
            NULL);
    assert_int_equal(r.status, 404);
    reply_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assess_same_as_cli),
        cmocka_unit_test(test_place_page_signals),
        cmocka_unit_test(test_cache_turns_with_the_day),
        cmocka_unit_test(test_places_and_errors),
        cmocka_unit_test(test_frontline_geojson),
        cmocka_unit_test(test_etag_gzip_cors),
        cmocka_unit_test(test_path_traversal),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_slow_headers),
        cmocka_unit_test(test_sql_in_parameters),
        cmocka_unit_test(test_feeds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
