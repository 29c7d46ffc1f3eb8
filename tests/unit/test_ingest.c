/*
 * test_ingest.c - ingest on the bundled sample: counts, idempotence, the
 * KSE/GeoNames merge, and broken files that must fail with their exact
 * position while leaving the store unchanged.
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "frontwatch/assess.h"
#include "frontwatch/geo.h"
#include "frontwatch/ingest.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

static char g_dir[64];
static char g_db[128];

static void rm_store(void)
{
    char p[160];
    unlink(g_db);
    snprintf(p, sizeof p, "%s-wal", g_db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", g_db);
    unlink(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/fwingest.XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        return -1;
    }
    snprintf(g_db, sizeof g_db, "%s/t.db", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_store();
    char p[160];
    snprintf(p, sizeof p, "%s/truncated.geojson", g_dir);
    unlink(p);
    rmdir(g_dir);
    return 0;
}

static const char *SAMPLE[] = {
    "gazetteer/geonames_cities500_UA.txt.gz",
    "gazetteer/kse_hromada_centers_deoccupation.csv.gz",
    "alerts/official_data_en.csv.gz",
    "alerts/volunteer_data_en.csv.gz",
    "alerts/states.json.gz",
    "frontline/deepstatemap_data_20250728.geojson.gz",
    "frontline/deepstatemap_data_20250825.geojson.gz",
    /* gzipped, its .shx.gz and .dbf.gz beside it; serial in the pipe */
    "boundaries/osm_russia_incl_crimea.shp.gz",
};

/* A fingerprint of everything in the store. */
static void counts(fw_store *st, char *buf, size_t len)
{
    sqlite3_stmt *s = NULL;
    struct fw_diag d;
    assert_int_equal(
        fw_store_prepare(
            st,
            "SELECT (SELECT count(*) FROM place), (SELECT count(*) FROM"
            " place_name), (SELECT count(*) FROM alert), (SELECT count(*)"
            " FROM region), (SELECT count(*) FROM snapshot), (SELECT"
            " count(*) FROM polygon), (SELECT count(*) FROM polygon_rtree),"
            " (SELECT count(*) FROM ingest_log), (SELECT count(*) FROM"
            " ingest_issue), (SELECT count(*) FROM boundary)",
            &s, &d),
        FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    size_t o = 0;
    for (int i = 0; i < 10; i++) {
        o += (size_t)snprintf(buf + o, len - o, "%lld ",
                              sqlite3_column_int64(s, i));
    }
    sqlite3_finalize(s);
}

static fw_store *sample_store(void)
{
    rm_store();
    fw_store *st = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_db, FW_STORE_WRITE, &st, &d), FW_OK);
    for (size_t i = 0; i < sizeof SAMPLE / sizeof SAMPLE[0]; i++) {
        struct fw_ingest_result r;
        fw_err err = fw_ingest_file(st, fwt_sample(SAMPLE[i]), NULL, NULL,
                                    &r, &d);
        if (err != FW_OK) {
            fprintf(stderr, "%s: %s\n", SAMPLE[i], d.msg);
        }
        assert_int_equal(err, FW_OK);
        assert_false(r.is_duplicate);
    }
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    return st;
}

static void test_sample_counts_and_idempotence(void **state)
{
    (void)state;
    fw_store *st = sample_store();
    char before[256], after[256];
    counts(st, before, sizeof before);
    /* 2851 GeoNames + 1469 KSE places; 34855 official + 34288 volunteer
     * alerts; 25 + 122 + 1458 regions (states.json); 2 snapshots */
    assert_int_equal(strncmp(before, "4320 ", 5), 0);
    assert_non_null(strstr(before, " 69143 1605 2 "));

    struct fw_diag d;
    for (size_t i = 0; i < sizeof SAMPLE / sizeof SAMPLE[0]; i++) {
        struct fw_ingest_result r;
        assert_int_equal(
            fw_ingest_file(st, fwt_sample(SAMPLE[i]), NULL, NULL, &r, &d),
            FW_OK);
        assert_true(r.is_duplicate);
    }
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    counts(st, after, sizeof after);
    assert_string_equal(before, after);
    fw_store_close(st);
}

static void test_kse_centre_merged_into_geonames(void **state)
{
    (void)state;
    fw_store *st = sample_store();
    struct fw_place *v = NULL;
    size_t n = 0;
    struct fw_diag d;
    /* found by its Ukrainian (KSE) name, reported as the GeoNames place */
    assert_int_equal(fw_place_find(st, "Харків", &v, &n, &d), FW_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].source, "geonames");
    assert_string_equal(v[0].name, "Kharkiv");
    assert_string_equal(v[0].name_local, "Харків");
    assert_string_equal(v[0].oblast_iso, "UA-63");
    assert_string_equal(v[0].raion, "Харківський");
    free(v);
    /* accents, case and apostrophes do not matter */
    assert_int_equal(fw_place_find(st, "KHAR'KIV", &v, &n, &d), FW_OK);
    assert_int_equal(n, 1);
    free(v);
    /* two Avdiivkas; the oblast after a comma picks one */
    assert_int_equal(fw_place_find(st, "Avdiivka", &v, &n, &d), FW_OK);
    assert_int_equal(n, 2);
    free(v);
    assert_int_equal(fw_place_find(st, "Avdiivka, Donetsk", &v, &n, &d),
                     FW_OK);
    assert_int_equal(n, 1);
    assert_true(v[0].population > 30000);
    free(v);
    fw_store_close(st);
}

/* Ingests a broken file; checks the error and that nothing changed. */
static void expect_failure(fw_store *st, const char *path, fw_err want_err,
                           long want_line, long want_col, long want_feature,
                           const char *want_msg)
{
    char before[256], after[256];
    counts(st, before, sizeof before);
    struct fw_diag d;
    struct fw_ingest_result r;
    fw_err err = fw_ingest_file(st, path, NULL, NULL, &r, &d);
    printf("  %s -> %s:%ld:%ld feature %ld: %s\n", path, d.file, d.line,
           d.col, d.feature, d.msg);
    assert_int_equal(err, want_err);
    assert_string_equal(d.file, path);
    assert_int_equal(d.line, want_line);
    if (want_col >= 0) {
        assert_int_equal(d.col, want_col);
    }
    assert_int_equal(d.feature, want_feature);
    assert_non_null(strstr(d.msg, want_msg));
    counts(st, after, sizeof after);
    assert_string_equal(before, after);
}

static void test_broken_files_leave_store_unchanged(void **state)
{
    (void)state;
    fw_store *st = sample_store();
    expect_failure(st, fwt_fixture("bad/alerts_unterminated_quote.csv"),
                   FW_EPARSE, 3, -1, -1, "unterminated");
    expect_failure(st, fwt_fixture("bad/alerts_unknown_date_format.csv"),
                   FW_EPARSE, 3, 18, -1, "25/02/2022 18:36");
    expect_failure(st, fwt_fixture("bad/deepstatemap_data_20240708_out_of_range.geojson"),
                   FW_ERANGE, 0, -1, 0, "237.5");

    /* a real map cut in half, as a failed download leaves it */
    char *buf = NULL;
    size_t len = 0;
    gzFile gz = gzopen(
        fwt_sample("frontline/deepstatemap_data_20250818.geojson.gz"), "rb");
    assert_non_null(gz);
    buf = malloc(1 << 20);
    len = (size_t)gzread(gz, buf, 1 << 20);
    gzclose(gz);
    char path[160];
    snprintf(path, sizeof path, "%s/truncated.geojson", g_dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(buf, 1, len / 2, f);
    fclose(f);
    free(buf);
    /* the cut falls in line 6, a 40,696-byte feature */
    expect_failure(st, path, FW_EPARSE, 6, -1, -1, "truncated");
    fw_store_close(st);
}

/* The pipelined ingest (worker threads parse ahead) gives the store, the
 * results and the errors of fw_ingest_file called on each file in turn:
 * a file twice is a duplicate, a broken file fails with the same message
 * and leaves the store unchanged. */
static void test_pipe_equals_serial(void **state)
{
    (void)state;
    const char *bad = "bad/alerts_unterminated_quote.csv";
    fw_store *st = sample_store();
    char serial[256], piped[256];
    counts(st, serial, sizeof serial);
    struct fw_diag want;
    struct fw_ingest_result r;
    assert_int_equal(fw_ingest_file(st, fwt_fixture(bad), NULL, NULL, &r,
                                    &want),
                     FW_EPARSE);
    fw_store_close(st);

    rm_store();
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_db, FW_STORE_WRITE, &st, &d), FW_OK);
    enum { N_SAMPLE = sizeof SAMPLE / sizeof SAMPLE[0] };
    char *paths[N_SAMPLE + 2];
    for (size_t i = 0; i < N_SAMPLE; i++) {
        paths[i] = strdup(fwt_sample(SAMPLE[i]));
    }
    paths[N_SAMPLE] = strdup(fwt_sample(SAMPLE[0]));
    paths[N_SAMPLE + 1] = strdup(fwt_fixture(bad));
    struct fw_ingest_pipe *p = NULL;
    assert_int_equal(fw_ingest_pipe_open(st, paths, N_SAMPLE + 2, 2, &p, &d),
                     FW_OK);
    for (size_t i = 0; i < N_SAMPLE; i++) {
        enum fw_source_kind kind = FW_SOURCE_UNKNOWN;
        assert_int_equal(fw_ingest_pipe_sniff(p, i, &kind, &d), FW_OK);
        assert_int_not_equal(kind, FW_SOURCE_UNKNOWN);
        assert_int_equal(fw_ingest_pipe_file(p, i, NULL, NULL, &r, &d),
                         FW_OK);
        assert_false(r.is_duplicate);
    }
    assert_int_equal(fw_ingest_pipe_file(p, N_SAMPLE, NULL, NULL, &r, &d),
                     FW_OK);
    assert_true(r.is_duplicate);
    assert_int_equal(
        fw_ingest_pipe_file(p, N_SAMPLE + 1, NULL, NULL, &r, &d),
        FW_EPARSE);
    assert_string_equal(d.file, want.file);
    assert_int_equal(d.line, want.line);
    assert_int_equal(d.col, want.col);
    assert_string_equal(d.msg, want.msg);
    fw_ingest_pipe_close(p);
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    counts(st, piped, sizeof piped);
    assert_string_equal(serial, piped);
    fw_store_close(st);
    for (size_t i = 0; i < N_SAMPLE + 2; i++) {
        free(paths[i]);
    }
}

/* A place twice in one file is kept once, the second row rejected (the
 * store's upsert used to count it as accepted twice); the same place in a
 * newer file still updates it. */
static void test_duplicate_places(void **state)
{
    (void)state;
    rm_store();
    fw_store *st = NULL;
    struct fw_diag d;
    struct fw_ingest_result r;
    assert_int_equal(fw_store_open(g_db, FW_STORE_WRITE, &st, &d), FW_OK);
    /* rows 2 and 4 are both geonameid 505257 (Urzuf) */
    assert_int_equal(fw_ingest_file(st,
                                    fwt_fixture("bad/geonames_duplicate_"
                                                "rows.txt"),
                                    NULL, NULL, &r, &d),
                     FW_OK);
    assert_int_equal(r.rows_read, 4);
    assert_int_equal(r.rows_accepted, 3);
    assert_int_equal(r.rows_rejected, 1);
    assert_string_equal(r.first_issue, "rejected: duplicate of geonames "
                                       "place 505257 earlier in this file");
    char before[256], after[256];
    counts(st, before, sizeof before);
    assert_int_equal(strncmp(before, "3 ", 2), 0);

    /* a newer file with Urzuf's population changed */
    char path[160];
    snprintf(path, sizeof path, "%s/geonames_newer.txt", g_dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("505257\tUrzuf\tUrzuf\t\t46.91495\t37.10426\tP\tPPL\tUA\t\t05"
          "\t1414\t\t\t3000\t\t6\tEurope/Kyiv\t2024-01-01\n",
          f);
    fclose(f);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    unlink(path);
    assert_int_equal(r.rows_accepted, 1);
    assert_int_equal(r.rows_rejected, 0);
    counts(st, after, sizeof after);
    assert_int_equal(strncmp(after, "3 ", 2), 0);
    sqlite3_stmt *q = NULL;
    assert_int_equal(fw_store_prepare(st,
                                      "SELECT population FROM place WHERE"
                                      " source='geonames' AND"
                                      " source_id='505257'",
                                      &q, &d),
                     FW_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(q, 0), 3000);
    sqlite3_finalize(q);
    fw_store_close(st);
}

/* Writes text to g_dir/name with the given modification time. */
static void write_answer(const char *name, const char *text, int64_t mtime_s,
                         char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct timespec ts[2] = {{.tv_sec = (time_t)mtime_s},
                             {.tv_sec = (time_t)mtime_s}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void alert_row(fw_store *st, long long *end_s, int *is_open,
                      long long *n)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(fw_store_prepare(st,
                                      "SELECT max(end_s), max(is_open),"
                                      " count(*) FROM alert",
                                      &q, NULL),
                     FW_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    *end_s = sqlite3_column_int64(q, 0);
    *is_open = sqlite3_column_int(q, 1);
    *n = sqlite3_column_int64(q, 2);
    sqlite3_finalize(q);
}

/* A running or finished alert of Obukhiv raion, as alerts.in.ua answers
 * (hand-made; the shape of ../shared/data/alerts_in_ua). */
#define IN_UA_ANSWER(finished_at)                                              \
    "{\"alerts\":[{\"id\":7,\"location_title\":\"Обухівський район\","     \
    "\"location_type\":\"raion\",\"started_at\":"                           \
    "\"2026-06-21T09:00:00.000Z\",\"finished_at\":" finished_at ","           \
    "\"alert_type\":\"air_raid\",\"location_oblast\":"                      \
    "\"Київська область\",\"location_uid\":\"76\",\"deleted_at\":null}],"  \
    "\"meta\":{\"last_updated_at\":\"2026/06/21 09:30:00 +0000\","          \
    "\"type\":\"full\"}}\n"

/* An alerts.in.ua answer read while an alert runs, then answers read
 * later (hand-made, in the API's shape): the running alert ends where the
 * answer was saved, is extended by a later running answer, closed by the
 * finished one, and never changed after that. */
static void test_alerts_in_ua_running_then_closed(void **state)
{
    (void)state;
    rm_store();
    fw_store *st = NULL;
    struct fw_diag d;
    struct fw_ingest_result r;
    assert_int_equal(fw_store_open(g_db, FW_STORE_WRITE, &st, &d), FW_OK);
    int64_t start = 1782032400; /* 2026-06-21 09:00:00 UTC */
    char text[1024], path[200];
    long long end_s, n;
    int is_open;
    snprintf(text, sizeof text, "%s", IN_UA_ANSWER("null"));
    write_answer("alerts_in_ua_region_14.json", text, start + 1800, path,
                 sizeof path);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(r.kind, FW_SOURCE_ALERTS_IN_UA);
    assert_int_equal(r.rows_accepted, 1);
    alert_row(st, &end_s, &is_open, &n);
    assert_int_equal(n, 1);
    assert_int_equal(is_open, 1);
    assert_int_equal(end_s, start + 1800); /* as of the file's time */

    /* still running an hour later: extended */
    write_answer("alerts_in_ua_region_14b.json", text, start + 3600, path,
                 sizeof path);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    alert_row(st, &end_s, &is_open, &n);
    assert_int_equal(n, 1);
    assert_int_equal(end_s, start + 3600);

    /* while it runs, assess counts it up to the time asked: on
     * 2026-06-21 (data to 23:59:59 UTC) that is 09:00 to 23:59:59 in
     * Obukhiv's oblast (a place made up for the test, in UA-32) */
    struct fw_place pl = {.id = 1, .name = "Test", .oblast_iso = "UA-32",
                          .lat_deg = 50.1, .lon_deg = 30.6,
                          .population = -1};
    fw_geo *g = NULL;
    assert_int_equal(fw_geo_new(st, &g, &d), FW_OK);
    struct fw_assessment *a = malloc(sizeof *a);
    assert_non_null(a);
    assert_int_equal(fw_assess(st, g, &pl, start - 9 * 3600, a, &d), FW_OK);
    assert_true(a->alerts.has_data);
    assert_true(fabs(a->alerts.hours_7d - (15 * 3600 - 1) / 3600.0) < 1e-9);
    /* five days later, with no answer since: it counts until two days
     * (the alert data's freshness) after it was last read, at 10:00 by the
     * second answer: 09:00 to 10:00 + 48 h */
    assert_int_equal(
        fw_assess(st, g, &pl, start - 9 * 3600 + 5 * 86400, a, &d), FW_OK);
    assert_false(a->alerts.has_data); /* stale data: hours not shown */
    assert_true(fabs(a->alerts.hours_7d - 49.0) < 1e-9);
    free(a);
    fw_geo_free(g);

    /* finished at 09:40: closed */
    snprintf(text, sizeof text, "%s",
             IN_UA_ANSWER("\"2026-06-21T09:40:00.000Z\""));
    write_answer("alerts_in_ua_region_14c.json", text, start + 7200, path,
                 sizeof path);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    alert_row(st, &end_s, &is_open, &n);
    assert_int_equal(n, 1);
    assert_int_equal(is_open, 0);
    assert_int_equal(end_s, start + 2400);

    /* an older running answer ingested late changes nothing */
    snprintf(text, sizeof text, "%s", IN_UA_ANSWER("null"));
    write_answer("alerts_in_ua_region_14d.json", text, start + 9000, path,
                 sizeof path);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(r.rows_accepted, 0);
    alert_row(st, &end_s, &is_open, &n);
    assert_int_equal(is_open, 0);
    assert_int_equal(end_s, start + 2400);
    const char *names[] = {"", "b", "c", "d"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/alerts_in_ua_region_14%s.json",
                 g_dir, names[i]);
        unlink(path);
    }
    fw_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_counts_and_idempotence),
        cmocka_unit_test(test_kse_centre_merged_into_geonames),
        cmocka_unit_test(test_broken_files_leave_store_unchanged),
        cmocka_unit_test(test_duplicate_places),
        cmocka_unit_test(test_pipe_equals_serial),
        cmocka_unit_test(test_alerts_in_ua_running_then_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
