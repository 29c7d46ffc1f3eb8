/*
 * test_update.c - `frontwatch update` against the loopback test server
 * (tests/support/fw_httpd.h), which serves the real files of
 * ../shared/data in the shapes of the real sources: a first update
 * ingests, a second gets 304 and ingests nothing, 429 with Retry-After is
 * waited out, 500 then success is retried, and a truncated body, a slow
 * body past the timeout, a wrong content type, an oversized body and
 * invalid JSON are each refused with the store's data unchanged; the
 * alerts.in.ua token is sent as a Bearer header and is nowhere in the
 * store; the update lock is exclusive. Also the config file and the Kyiv
 * calendar day. Skipped (77) without the shared data, except the last
 * two groups.
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "frontwatch/config.h"
#include "frontwatch/date.h"
#include "frontwatch/fetch.h"
#include "frontwatch/ingest.h"
#include "frontwatch/store.h"
#include "frontwatch/update.h"
#include "fw_httpd.h"

#define TOKEN "t0ken-Secret-4242"

struct ctx {
    fw_httpd *h;
    int port;
    char dir[256];
    char db[300];
    fw_store *st;
    fw_fetch *f;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A fresh store and fetch handle for each test; the server too, so that
 * no fault or count leaks from one test to the next. Fast retries: the
 * waits being tested are the server's Retry-After, not the backoff. */
static int setup(void **state)
{
    const char *data = fwt_shared("");
    if (data == NULL) {
        *state = NULL;
        return 0;
    }
    struct ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    struct fw_httpd_opts ho = {.data_dir = data, .token = TOKEN};
    assert_int_equal(fw_httpd_start(&ho, &c->h, &c->port, NULL), FW_OK);
    snprintf(c->dir, sizeof c->dir, "/tmp/fw-test-update-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    snprintf(c->db, sizeof c->db, "%s/t.db", c->dir);
    assert_int_equal(fw_store_open(c->db, FW_STORE_WRITE, &c->st, NULL), FW_OK);
    struct fw_fetch_opts fo = {.total_timeout_ms = 60000,
                               .backoff_ms = 20,
                               .max_attempts = 3,
                               .max_wait_s = 5,
                               .host_delay_ms = 1};
    assert_int_equal(fw_fetch_new(&fo, &c->f, NULL), FW_OK);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    if (c == NULL) {
        return 0;
    }
    fw_fetch_free(c->f);
    fw_store_close(c->st);
    fw_httpd_stop(c->h);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    assert_int_equal(system(cmd), 0);
    free(c);
    return 0;
}

#define NEED_DATA(c)                                                           \
    do {                                                                       \
        if ((c) == NULL) {                                                     \
            fwt_shared_or_skip("");                                            \
            return;                                                            \
        }                                                                      \
    } while (0)

static const char *root(struct ctx *c, const char *path)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d%s", c->port, path);
    return buf;
}

/* The store's data (not its bookkeeping of tries): a change in any count
 * or sum shows. */
static void fingerprint(struct ctx *c, char *buf, size_t cap)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(
        fw_store_prepare(
            c->st,
            "SELECT (SELECT count(*) FROM snapshot),"
            " (SELECT count(*) FROM polygon),"
            " (SELECT count(*) FROM alert),"
            " (SELECT coalesce(sum(end_s - start_s), 0) FROM alert),"
            " (SELECT count(*) FROM ingest_log),"
            " (SELECT count(*) FROM ingest_issue),"
            " (SELECT count(*) FROM http_cache)",
            &s, NULL),
        FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(buf, cap, "%lld %lld %lld %lld %lld %lld %lld",
             sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
             sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
             sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5),
             sqlite3_column_int64(s, 6));
    sqlite3_finalize(s);
}

static long long count(struct ctx *c, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(fw_store_prepare(c->st, sql, &s, NULL), FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static fw_err run(struct ctx *c, enum fw_update_source src, const char *url,
                  int64_t since_s, int64_t now_s, struct fw_update_report *rep,
                  struct fw_diag *d)
{
    struct fw_update_opts o = {.url = url,
                               .since_s = since_s,
                               .now_s = now_s,
                               .token = TOKEN,
                               .in_ua_regions = "14,31,5",
                               .interval_ms = 1};
    return fw_update_run(c->st, c->f, src, &o, rep, d);
}

static int64_t day(const char *ymd)
{
    int64_t t = 0;
    assert_int_equal(fw_date_parse_day(ymd, &t), FW_OK);
    return t;
}

/* ---- first update, then 304 ------------------------------------------- */

static void test_alerts_first_then_not_modified(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    struct fw_update_report rep;
    struct fw_diag d;
    const char *url = root(c, "/alerts/official_data_en.csv");
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL, url, 0, 0, &rep, &d),
                     FW_OK);
    assert_int_equal(rep.n_files_new, 1);
    assert_int_equal(rep.n_requests, 1);
    /* every alert of the file that the reader accepts, once: the same
     * count as ingesting the file itself (checked in test_alerts) */
    long long n = count(c, "SELECT count(*) FROM alert WHERE source ="
                           " 'official'");
    assert_int_equal(rep.n_records_new, n);
    assert_true(n > 34000);
    /* the newest start in the file: 2023-12-31 23:57:30 UTC */
    assert_int_equal(rep.newest_s,
                     day("2023-12-31") + 23 * 3600 + 57 * 60 + 30);
    /* the ingest log names the URL it came from */
    assert_int_equal(count(c, "SELECT count(*) FROM ingest_log WHERE path"
                              " LIKE 'http://127.0.0.1:%/alerts/official_"
                              "data_en.csv'"),
                     1);
    char before[200], after[200];
    fingerprint(c, before, sizeof before);
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL, url, 0, 0, &rep, &d),
                     FW_OK);
    assert_int_equal(rep.n_not_modified, 1);
    assert_int_equal(rep.n_files_new, 0);
    assert_int_equal(rep.wire_bytes, 0);
    struct fw_httpd_stats hs;
    fw_httpd_get_stats(c->h, "/alerts/official", &hs);
    assert_int_equal(hs.n_requests, 2);
    assert_int_equal(hs.n_not_modified, 1);
    fingerprint(c, after, sizeof after);
    assert_string_equal(before, after);
    struct fw_update_status us;
    assert_int_equal(
        fw_update_status(c->st, FW_UPDATE_ALERTS_OFFICIAL, &us, NULL), FW_OK);
    assert_true(us.last_success_s > 0);
    assert_string_equal(us.last_error, "");
}

/* ---- retries ----------------------------------------------------------- */

static void test_429_retry_after_honoured(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    assert_int_equal(fw_httpd_add_fault(c->h, "/alerts/volunteer",
                                        FW_HTTPD_FAULT_STATUS429, 1, 2),
                     FW_OK);
    struct fw_update_report rep;
    struct fw_diag d;
    double t0 = mono_s();
    assert_int_equal(run(c, FW_UPDATE_ALERTS_VOLUNTEER,
                         root(c, "/alerts/volunteer_data_en.csv"), 0, 0, &rep,
                         &d),
                     FW_OK);
    double took = mono_s() - t0;
    assert_int_equal(rep.n_requests, 2);
    assert_int_equal(rep.n_files_new, 1);
    /* the backoff alone is 20-40 ms: the wait is the server's 2 s */
    assert_true(took >= 1.9);
    assert_true(count(c, "SELECT count(*) FROM alert") > 30000);
}

static void test_retry_after_too_long_fails(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    assert_int_equal(fw_httpd_add_fault(c->h, "/alerts/volunteer",
                                        FW_HTTPD_FAULT_STATUS503, 1, 3600),
                     FW_OK);
    struct fw_update_report rep;
    struct fw_diag d;
    double t0 = mono_s();
    assert_int_equal(run(c, FW_UPDATE_ALERTS_VOLUNTEER,
                         root(c, "/alerts/volunteer_data_en.csv"), 0, 0, &rep,
                         &d),
                     FW_ENET);
    assert_true(mono_s() - t0 < 2);
    assert_non_null(strstr(d.msg, "asks to wait 3600 s"));
    assert_int_equal(count(c, "SELECT count(*) FROM alert"), 0);
}

static void test_500_then_success(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    assert_int_equal(fw_httpd_add_fault(c->h, "/alerts/official",
                                        FW_HTTPD_FAULT_STATUS500, 2, 0),
                     FW_OK);
    struct fw_update_report rep;
    struct fw_diag d;
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL,
                         root(c, "/alerts/official_data_en.csv"), 0, 0, &rep,
                         &d),
                     FW_OK);
    assert_int_equal(rep.n_requests, 3);
    assert_int_equal(rep.n_files_new, 1);
}

/* ---- refusals: the store's data unchanged ------------------------------ */

/* Runs alerts_in_ua (regions 14, 31, 5) with fault kind on region 14's
 * answer for every attempt, and checks the refusal. */
static void refused(struct ctx *c, enum fw_httpd_fault_kind kind, long arg,
                    fw_err want, const char *msg_part, long want_requests)
{
    char before[200], after[200];
    fingerprint(c, before, sizeof before);
    assert_int_equal(
        fw_httpd_add_fault(c->h, "/alerts_in_ua/v1/regions/14/", kind, 5, arg),
        FW_OK);
    struct fw_update_report rep;
    struct fw_diag d;
    fw_err err = run(c, FW_UPDATE_ALERTS_IN_UA, root(c, "/alerts_in_ua"), 0, 0,
                     &rep, &d);
    if (err != want || strstr(d.msg, msg_part) == NULL) {
        print_error("got %d '%s: %s', want %d '%s'\n", err, d.file, d.msg, want,
                    msg_part);
    }
    assert_int_equal(err, want);
    assert_non_null(strstr(d.msg, msg_part));
    assert_non_null(strstr(d.file, "/alerts_in_ua/v1/regions/14/"));
    assert_int_equal(rep.n_requests, want_requests);
    assert_int_equal(rep.n_files_new, 0);
    fingerprint(c, after, sizeof after);
    assert_string_equal(before, after);
    struct fw_update_status us;
    assert_int_equal(fw_update_status(c->st, FW_UPDATE_ALERTS_IN_UA, &us, NULL),
                     FW_OK);
    assert_true(us.last_error[0] != '\0');
    assert_null(strstr(us.last_error, TOKEN));
}

static void test_truncated_body_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    /* a transfer cut short is retried, then given up */
    refused(c, FW_HTTPD_FAULT_TRUNCATE, 0, FW_ENET, "after 3 attempts", 3);
}

static void test_slow_body_past_timeout_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    /* a handle whose whole-transfer timeout is 1 s, against a body that
     * stops for 4 s after its first KiB */
    fw_fetch_free(c->f);
    struct fw_fetch_opts fo = {.total_timeout_ms = 1000,
                               .backoff_ms = 20,
                               .max_attempts = 3,
                               .host_delay_ms = 1};
    assert_int_equal(fw_fetch_new(&fo, &c->f, NULL), FW_OK);
    refused(c, FW_HTTPD_FAULT_SLOW, 4000, FW_ENET, "imeout", 3);
}

static void test_wrong_content_type_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    /* a portal's page will not turn into data: no retry */
    refused(c, FW_HTTPD_FAULT_CONTENT_TYPE, 0, FW_EPARSE,
            "Content-Type 'text/html'", 1);
}

static void test_oversized_body_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    /* 65 MiB against the 64 MiB cap of an alerts.in.ua answer: refused on
     * its Content-Length, before the body */
    refused(c, FW_HTTPD_FAULT_OVERSIZE, (65L << 20), FW_ELIMIT,
            "larger than the 67108864-byte cap", 1);
}

static void test_invalid_json_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    /* a whole HTTP answer carrying half a document: the reader refuses it
     * with the position, and the ingest rolls back */
    refused(c, FW_HTTPD_FAULT_BAD_JSON, 0, FW_EPARSE, "truncated", 1);
}

/* ---- alerts.in.ua: the token ------------------------------------------ */

static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return 0;
    }
    size_t n = strlen(needle), got = 0;
    int ch, hit = 0;
    /* naive streaming search: the needle has no repeated prefix */
    while (!hit && (ch = fgetc(fp)) != EOF) {
        got = (size_t)ch == (unsigned char)needle[got] ? got + 1
              : (size_t)ch == (unsigned char)needle[0] ? 1
                                                       : 0;
        hit = got == n;
    }
    fclose(fp);
    return hit;
}

static void test_token_sent_never_stored(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    struct fw_update_report rep;
    struct fw_diag d;
    assert_int_equal(run(c, FW_UPDATE_ALERTS_IN_UA, root(c, "/alerts_in_ua"), 0,
                         0, &rep, &d),
                     FW_OK);
    char auth[256];
    assert_int_equal(
        fw_httpd_get_last_auth(c->h, "/alerts_in_ua/", auth, sizeof auth),
        FW_OK);
    assert_string_equal(auth, "Bearer " TOKEN);
    assert_int_equal(rep.n_requests, 3);
    /* 40 raion alerts of Kyiv oblast, 20 oblast alerts of Kyiv city,
     * region 5 empty (../shared/data/alerts_in_ua/README.md) */
    assert_int_equal(rep.n_records_new, 60);
    assert_int_equal(count(c, "SELECT count(*) FROM alert WHERE source="
                              "'alerts_in_ua' AND level=2 AND"
                              " oblast_iso='UA-32'"),
                     40);
    assert_int_equal(count(c, "SELECT count(*) FROM alert WHERE source="
                              "'alerts_in_ua' AND level=1 AND"
                              " oblast_iso='UA-30'"),
                     20);
    /* region 5's answer holds no alert: not logged as an ingested file */
    assert_int_equal(rep.n_files_new, 2);
    assert_int_equal(rep.n_files_same, 1);
    assert_int_equal(count(c, "SELECT count(*) FROM ingest_log WHERE path"
                              " LIKE '%/v1/regions/5/%'"),
                     0);
    assert_int_equal(count(c, "SELECT count(*) FROM ingest_log WHERE path"
                              " LIKE '%/v1/regions/14/alerts/month_ago.json'"),
                     1);
    /* the same answers again: 304, nothing new */
    assert_int_equal(run(c, FW_UPDATE_ALERTS_IN_UA, root(c, "/alerts_in_ua"), 0,
                         0, &rep, &d),
                     FW_OK);
    assert_int_equal(rep.n_not_modified, 3);
    fw_store_close(c->st); /* checkpoint the WAL into the file */
    c->st = NULL;
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", c->db);
    assert_false(file_has(c->db, TOKEN));
    assert_false(file_has(wal, TOKEN));
    assert_int_equal(fw_store_open(c->db, FW_STORE_WRITE, &c->st, NULL), FW_OK);
}

static void test_wrong_token_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    struct fw_update_opts o = {.url = root(c, "/alerts_in_ua"),
                               .token = "wrong",
                               .in_ua_regions = "31",
                               .interval_ms = 1};
    struct fw_update_report rep;
    struct fw_diag d;
    assert_int_equal(
        fw_update_run(c->st, c->f, FW_UPDATE_ALERTS_IN_UA, &o, &rep, &d),
        FW_ENET);
    assert_non_null(strstr(d.msg, "HTTP 401"));
    assert_null(strstr(d.msg, "wrong"));
    assert_int_equal(rep.n_requests, 1); /* a refusal is not retried */
    /* no token: skipped, nothing asked */
    o.token = NULL;
    assert_int_equal(
        fw_update_run(c->st, c->f, FW_UPDATE_ALERTS_IN_UA, &o, &rep, &d),
        FW_OK);
    assert_true(rep.is_skipped);
    assert_int_equal(rep.n_requests, 0);
}

/* ---- maps ---------------------------------------------------------------- */

static void test_deepstate_history(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    struct fw_update_report rep;
    struct fw_diag d;
    /* maps of 2025-07-27 and 08-03 (the last two of the folder) */
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE, root(c, "/deepstate"),
                         day("2025-07-27"), 0, &rep, &d),
                     FW_OK);
    assert_int_equal(rep.n_files_new, 2);
    assert_int_equal(rep.n_requests, 3); /* the list and two maps */
    assert_int_equal(rep.newest_s, 1754251105);
    /* an earlier --since fills in what lies before the newest map */
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE, root(c, "/deepstate"),
                         day("2025-07-20"), 0, &rep, &d),
                     FW_OK);
    assert_int_equal(rep.n_files_new, 1);
    assert_int_equal(rep.n_requests, 2);
    assert_int_equal(count(c, "SELECT count(*) FROM snapshot WHERE"
                              " source='deepstate'"),
                     3);
    /* again: the list only, nothing new */
    assert_int_equal(
        run(c, FW_UPDATE_DEEPSTATE, root(c, "/deepstate"), 0, 0, &rep, &d),
        FW_OK);
    assert_int_equal(rep.n_files_new, 0);
    assert_int_equal(rep.n_requests, 1);
}

static void test_deepstate_list_refused_falls_back(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    assert_int_equal(fw_httpd_add_fault(c->h, "/deepstate/api/history/public",
                                        FW_HTTPD_FAULT_REFUSE, 1, 0),
                     FW_OK);
    struct fw_update_report rep;
    struct fw_diag d;
    assert_int_equal(
        run(c, FW_UPDATE_DEEPSTATE, root(c, "/deepstate"), 0, 0, &rep, &d),
        FW_OK);
    assert_non_null(strstr(rep.note, "refused this client (HTTP 403)"));
    assert_int_equal(rep.n_files_new, 1);
    /* the newest map, dated by its id */
    assert_int_equal(rep.newest_s, 1754251105);
    struct fw_httpd_stats hs;
    fw_httpd_get_stats(c->h, "/deepstate/api/history/last", &hs);
    assert_int_equal(hs.n_requests, 1);
}

/* The consolidated file is split into days; a day's area equals that of
 * the weekly file it was built from, ingested on its own. */
static void test_occupied_consolidated_and_daily(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    struct fw_update_report rep;
    struct fw_diag d;
    int64_t now = day("2025-08-28") + 12 * 3600;
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE_OCCUPIED, root(c, "/occupied"),
                         day("2025-08-01"), now, &rep, &d),
                     FW_OK);
    /* 08-04, 08-11, 08-18 from the consolidated file; 08-25 too (the
     * daily probes then find it stored); probes 08-26..08-28: 404 */
    assert_int_equal(rep.n_files_new, 4);
    assert_int_equal(rep.newest_s, day("2025-08-25"));
    assert_int_equal(count(c, "SELECT count(*) FROM snapshot WHERE"
                              " source='deepstate_occupied'"),
                     4);
    /* compare 2025-08-25 with its weekly file in a store of its own */
    char other[320];
    snprintf(other, sizeof other, "%s/o.db", c->dir);
    fw_store *o = NULL;
    assert_int_equal(fw_store_open(other, FW_STORE_WRITE, &o, NULL), FW_OK);
    const char *weekly = fwt_shared("frontline/deepstate_occupied_2024-2026/"
                                    "deepstatemap_data_20250825.geojson");
    assert_int_equal(fw_ingest_file(o, weekly, NULL, NULL, NULL, NULL), FW_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(fw_store_prepare(o,
                                      "SELECT occupied_km2, n_polygons FROM"
                                      " snapshot",
                                      &s, NULL),
                     FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    double want_km2 = sqlite3_column_double(s, 0);
    long long want_n = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    fw_store_close(o);
    assert_int_equal(fw_store_prepare(c->st,
                                      "SELECT occupied_km2, n_polygons FROM"
                                      " snapshot WHERE published_s=?1",
                                      &s, NULL),
                     FW_OK);
    sqlite3_bind_int64(s, 1, day("2025-08-25"));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_true(fabs(sqlite3_column_double(s, 0) - want_km2) < 1e-6 * want_km2);
    assert_int_equal(sqlite3_column_int64(s, 1), want_n);
    sqlite3_finalize(s);
    assert_true(want_km2 > 100000); /* about 114,000 km2 in August 2025 */

    /* a day later: only the daily files after the newest are asked for */
    struct fw_httpd_stats before, after;
    fw_httpd_get_stats(c->h, "/occupied/deepstate-map-data", &before);
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE_OCCUPIED, root(c, "/occupied"),
                         0, now + 86400, &rep, &d),
                     FW_OK);
    fw_httpd_get_stats(c->h, "/occupied/deepstate-map-data", &after);
    assert_int_equal(after.n_requests, before.n_requests);
    assert_int_equal(rep.n_files_new, 0);
    assert_int_equal(rep.n_requests, 4); /* 08-26 .. 08-29 */

    /* an earlier --since reads the consolidated file again, although it
     * has not changed, for the days before: 07-07, 07-14, 07-21, 07-28 */
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE_OCCUPIED,
                         root(c, "/occupied"), day("2025-07-01"),
                         now + 86400, &rep, &d),
                     FW_OK);
    assert_int_equal(rep.n_not_modified, 0);
    assert_int_equal(rep.n_files_new, 4);
    assert_int_equal(count(c, "SELECT count(*) FROM snapshot WHERE"
                              " source='deepstate_occupied'"),
                     8);
}

/* A map that does not parse is refused by the ingest: nothing of it is
 * stored; the maps after it still come in, and the source reports the
 * bad one. */
static void test_bad_map_refused(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    assert_int_equal(fw_httpd_add_fault(c->h,
                                        "/deepstate/api/history/1754251105",
                                        FW_HTTPD_FAULT_BAD_JSON, 1, 0),
                     FW_OK);
    struct fw_update_report rep;
    struct fw_diag d;
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE, root(c, "/deepstate"),
                         day("2025-08-01"), 0, &rep, &d),
                     FW_EPARSE);
    assert_non_null(strstr(d.file, "/api/history/1754251105/geojson"));
    assert_true(d.line > 0); /* where the JSON stops */
    assert_int_equal(count(c, "SELECT count(*) FROM snapshot"), 0);
    assert_int_equal(count(c, "SELECT count(*) FROM polygon"), 0);

    /* the map of 2025-07-27 cut, those of 07-20 and 08-03 whole */
    fw_httpd_reset(c->h);
    assert_int_equal(fw_httpd_add_fault(c->h,
                                        "/deepstate/api/history/1753646472",
                                        FW_HTTPD_FAULT_BAD_JSON, 1, 0),
                     FW_OK);
    assert_int_equal(run(c, FW_UPDATE_DEEPSTATE, root(c, "/deepstate"),
                         day("2025-07-20"), 0, &rep, &d),
                     FW_EPARSE);
    assert_non_null(strstr(d.file, "/api/history/1753646472"));
    assert_int_equal(rep.n_files_new, 2);
    assert_int_equal(rep.n_refused, 1);
    assert_int_equal(count(c, "SELECT count(*) FROM snapshot"), 2);
    assert_int_equal(rep.newest_s, 1754251105);
}

/* A cumulative file that shrinks is refused even though it parses. */
/* Head of the real official CSV, n lines, as the file at path (replaced
 * whole, as a download would be). */
static void csv_head(const char *path, int n)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "head -n %d '%s' > '%s.x' && mv '%s.x' '%s'", n,
             fwt_shared("alerts/official_data_en.csv"), path, path, path);
    assert_int_equal(system(cmd), 0);
}

/* A cumulative CSV that grows brings its new rows, and the rows stored
 * from the last version are neither new nor faults of the file; one that
 * shrinks is refused even though it parses. */
static void test_cumulative_file_grows_not_shrinks(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    char path[320], url[400];
    snprintf(path, sizeof path, "%s/official.csv", c->dir);
    snprintf(url, sizeof url, "file://%s", path);
    struct fw_update_report rep;
    struct fw_diag d;
    csv_head(path, 1001);
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL, url, 0, 0, &rep, &d),
                     FW_OK);
    long long n1 = count(c, "SELECT count(*) FROM alert");
    assert_int_equal(rep.n_records_new, n1);
    assert_true(n1 > 900);
    csv_head(path, 2001);
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL, url, 0, 0, &rep, &d),
                     FW_OK);
    long long n2 = count(c, "SELECT count(*) FROM alert");
    assert_int_equal(rep.n_records_new, n2 - n1);
    assert_true(n2 - n1 > 900);
    /* the second version's log: no issue for the 1000 rows it repeats */
    assert_int_equal(count(c, "SELECT count(*) FROM ingest_issue WHERE"
                              " log_id=(SELECT max(id) FROM ingest_log)"
                              " AND reason LIKE 'duplicate%'"),
                     0);
    csv_head(path, 1001);
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL, url, 0, 0, &rep, &d),
                     FW_EPARSE);
    assert_non_null(strstr(d.msg, "this file only grows"));
    assert_int_equal(count(c, "SELECT count(*) FROM alert"), n2);
}

static void test_unsupported_scheme(void **state)
{
    struct ctx *c = *state;
    NEED_DATA(c);
    struct fw_update_report rep;
    struct fw_diag d;
    assert_int_equal(run(c, FW_UPDATE_ALERTS_OFFICIAL,
                         "ftp://127.0.0.1/official_data_en.csv", 0, 0, &rep,
                         &d),
                     FW_EUSAGE);
    assert_non_null(strstr(d.msg, "https://, http:// or file://"));
}

/* ---- the lock ------------------------------------------------------------ */

static void test_lock_is_exclusive(void **state)
{
    (void)state;
    char dir[] = "/tmp/fw-test-lock-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[64];
    snprintf(db, sizeof db, "%s/x.db", dir);
    int a = -1, b = -1;
    struct fw_diag d;
    assert_int_equal(fw_update_lock(db, &a, &d), FW_OK);
    assert_int_equal(fw_update_lock(db, &b, &d), FW_EBUSY);
    char pid[32];
    snprintf(pid, sizeof pid, "process %ld", (long)getpid());
    assert_non_null(strstr(d.msg, pid));
    fw_update_unlock(a);
    assert_int_equal(fw_update_lock(db, &b, &d), FW_OK);
    fw_update_unlock(b);
    char lock[80];
    snprintf(lock, sizeof lock, "%s.update-lock", db);
    unlink(lock);
    rmdir(dir);
}

/* ---- config file (hand-made fixtures, written here) -------------------- */

static void write_file(const char *path, const char *text, int mode)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    chmod(path, (mode_t)mode);
}

static void test_config(void **state)
{
    (void)state;
    char dir[] = "/tmp/fw-test-config-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/config", dir);
    struct fw_config cfg;
    struct fw_diag d;
    write_file(path,
               "# frontwatch\n"
               "\n"
               "db = /var/lib/frontwatch/frontwatch.db\n"
               "  deepstate.url=https://example.org/ds  \n"
               "alerts_in_ua.token = abc\n"
               "alerts_in_ua.regions = 14,31\n"
               "alerts_in_ua.interval_s = 0.5\n",
               0600);
    fw_config_init(&cfg);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_OK);
    assert_string_equal(cfg.db, "/var/lib/frontwatch/frontwatch.db");
    assert_string_equal(cfg.url[FW_UPDATE_DEEPSTATE], "https://example.org/ds");
    assert_string_equal(cfg.url[FW_UPDATE_ALERTS_OFFICIAL], "");
    assert_string_equal(cfg.in_ua_token, "abc");
    assert_string_equal(cfg.in_ua_regions, "14,31");
    assert_int_equal(cfg.in_ua_interval_ms, 500);
    assert_false(cfg.is_token_readable_by_others);
    chmod(path, 0644);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_OK);
    assert_true(cfg.is_token_readable_by_others);

    write_file(path, "db = x\ndeepstat.url = https://x\n", 0600);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "no source 'deepstat'"));
    assert_string_equal(d.file, path);
    write_file(path, "\n\n\ncolour = blue\n", 0600);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_EPARSE);
    assert_int_equal(d.line, 4);
    assert_non_null(strstr(d.msg, "unknown key 'colour'"));
    write_file(path, "just words\n", 0600);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_EPARSE);
    assert_int_equal(d.line, 1);
    write_file(path, "alerts_in_ua.interval_s = soon\n", 0600);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_EPARSE);
    assert_non_null(strstr(d.msg, "'soon' is not a number"));
    unlink(path);
    assert_int_equal(fw_config_read(path, &cfg, &d), FW_ENOTFOUND);
    rmdir(dir);
}

/* ---- the Kyiv calendar day ---------------------------------------------- */

static void test_kyiv_day(void **state)
{
    (void)state;
    /* Summer time 2024: from 2024-03-31 01:00 UTC to 2024-10-27 01:00 UTC
     * (last Sundays; checked with: TZ=Europe/Kyiv date -d @T) */
    int64_t t = fw_date_from_civil(2024, 3, 31, 0, 59, 59);
    assert_int_equal(fw_date_kyiv_offset_s(t), 2 * 3600);
    assert_int_equal(fw_date_kyiv_offset_s(t + 1), 3 * 3600);
    t = fw_date_from_civil(2024, 10, 27, 0, 59, 59);
    assert_int_equal(fw_date_kyiv_offset_s(t), 3 * 3600);
    assert_int_equal(fw_date_kyiv_offset_s(t + 1), 2 * 3600);
    /* 22:30 UTC on 2024-06-01 is already 2024-06-02 in Kyiv (+3) */
    t = fw_date_from_civil(2024, 6, 1, 22, 30, 0);
    assert_int_equal(fw_date_kyiv_day(t), day("2024-06-02"));
    /* 21:30 UTC on 2024-12-01 is 23:30 in Kyiv (+2): the same day */
    t = fw_date_from_civil(2024, 12, 1, 21, 30, 0);
    assert_int_equal(fw_date_kyiv_day(t), day("2024-12-01"));
    /* 22:00 UTC on 2024-12-31 is midnight of 2025-01-01 in Kyiv */
    t = fw_date_from_civil(2024, 12, 31, 22, 0, 0);
    assert_int_equal(fw_date_kyiv_day(t), day("2025-01-01"));
    /* every hour of 2022..2026 against the system's zone database, when it
     * has Europe/Kyiv */
    if (access("/usr/share/zoneinfo/Europe/Kyiv", R_OK) == 0) {
        setenv("TZ", "Europe/Kyiv", 1);
        tzset();
        for (int64_t s = day("2022-01-01"); s < day("2027-01-01"); s += 3600) {
            time_t tt = (time_t)s;
            struct tm tm;
            assert_non_null(localtime_r(&tt, &tm));
            int64_t want = fw_date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
                                              tm.tm_mday, 0, 0, 0);
            if (fw_date_kyiv_day(s) != want) {
                print_error("at %lld\n", (long long)s);
            }
            assert_int_equal(fw_date_kyiv_day(s), want);
        }
        unsetenv("TZ");
        tzset();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alerts_first_then_not_modified,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_retry_after_honoured, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_too_long_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_500_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_body_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_slow_body_past_timeout_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_content_type_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_oversized_body_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_json_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_token_sent_never_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wrong_token_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deepstate_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deepstate_list_refused_falls_back,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_occupied_consolidated_and_daily,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_map_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cumulative_file_grows_not_shrinks,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_scheme, setup,
                                        teardown),
        cmocka_unit_test(test_lock_is_exclusive),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_kyiv_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
