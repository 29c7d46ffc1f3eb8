/*
 * test_outlook.c - the hourly alert panel (alert_panel.h) and the alert
 * outlook (outlook.h).
 *
 * Edge cases of time (daylight saving, alerts across midnight and days,
 * overlapping and touching alerts, alerts running at T) use tiny
 * hand-made intervals, each written out below; everything else runs on
 * the bundled sample's real alerts (data/sample/alerts, MIT): CRLF and LF
 * files give identical panels, a naive volunteer row, no look-ahead, the
 * single outlook equal to the batch, and the model file round trip.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwtest.h"
#include "frontwatch/alert_panel.h"
#include "frontwatch/date.h"
#include "frontwatch/ingest.h"
#include "frontwatch/io.h"
#include "frontwatch/metrics.h"
#include "frontwatch/outlook.h"

#define HOUR ((int64_t)3600)
#define DAY ((int64_t)86400)

static int64_t ts(const char *s)
{
    int64_t t = 0;
    assert_int_equal(fw_date_parse_timestamp(s, &t), FW_OK);
    return t;
}

/* The panel of one hour T from history h (not freed). */
static void panel_at(fw_alert_history *h, int64_t t, struct fw_alert_panel *p)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alert_panel_build(h, NULL, t, t + 1, p, &d), FW_OK);
    assert_int_equal(p->n_hours, 1);
}

static float feat(const struct fw_alert_panel *p, size_t r, int f)
{
    return p->x[r * FW_PF_N + (size_t)f];
}

/* A history of region 0 with the given intervals, and region 1 with an
 * alert every 6 hours around them so that the record is live. */
static fw_alert_history *history_of(const int64_t (*iv)[2], size_t n,
                                    int64_t around)
{
    fw_alert_history *h = fw_alert_history_new();
    assert_non_null(h);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fw_alert_history_add(h, 0, iv[i][0], iv[i][1]),
                         FW_OK);
    }
    for (int64_t t = around - 40 * DAY; t < around + 40 * DAY; t += 6 * HOUR) {
        assert_int_equal(fw_alert_history_add(h, 1, t, t + 600), FW_OK);
    }
    return h;
}

/* Daylight saving: Kyiv moves from UTC+2 to UTC+3 at 01:00 UTC on the
 * last Sunday of March and back at 01:00 UTC on the last Sunday of
 * October. */
static void test_dst_both_directions(void **state)
{
    (void)state;
    struct {
        const char *t;
        int hour, dow;
    } cases[] = {
        {"2023-03-26T00:00Z", 2, 6}, /* Sunday 02:00 EET */
        {"2023-03-26T01:00Z", 4, 6}, /* 04:00 EEST: 03:00 never was */
        {"2023-03-25T22:00Z", 0, 6}, /* Sunday's midnight, local */
        {"2023-03-25T21:00Z", 23, 5},
        {"2023-10-29T00:00Z", 3, 6}, /* 03:00 EEST */
        {"2023-10-29T01:00Z", 3, 6}, /* 03:00 EET again */
        {"2023-10-29T02:00Z", 4, 6},
        {"2023-10-29T22:00Z", 0, 0}, /* Monday 00:00 EET */
        {"2023-07-01T21:00Z", 0, 6}, /* summer: Sunday 00:00 EEST */
    };
    int64_t mid = ts("2023-07-01T00:00Z");
    fw_alert_history *h = history_of(NULL, 0, mid);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t t = ts(cases[i].t);
        if (t < mid - 39 * DAY) {
            fw_alert_history_free(h);
            h = history_of(NULL, 0, t);
        }
        struct fw_alert_panel p;
        panel_at(h, t, &p);
        assert_int_equal((int)feat(&p, 0, FW_PF_HOUR_LOCAL), cases[i].hour);
        assert_int_equal((int)feat(&p, 0, FW_PF_DOW_LOCAL), cases[i].dow);
        fw_alert_panel_reset(&p);
        fw_alert_history_free(h);
        h = history_of(NULL, 0, t);
    }
    fw_alert_history_free(h);
}

/* One alert from 22:30 on 1 May to 01:00 on 4 May (50.5 h). */
static void test_alert_across_midnight_and_days(void **state)
{
    (void)state;
    int64_t a = ts("2023-05-01T22:30Z"), b = ts("2023-05-04T01:00Z");
    const int64_t iv[][2] = {{a, b}};
    fw_alert_history *h = history_of(iv, 1, a);
    struct fw_alert_panel p;

    panel_at(h, ts("2023-05-02T00:00Z"), &p);
    assert_int_equal(p.is_now[0], 1);
    assert_near(feat(&p, 0, FW_PF_H_SINCE_START), 1.5, 1e-6);
    assert_near(feat(&p, 0, FW_PF_ALERT_H_24H), 1.5, 1e-6);
    assert_near(feat(&p, 0, FW_PF_STARTS_24H), 1, 0);
    assert_int_equal(p.y[0][0], 1);
    fw_alert_panel_reset(&p);

    panel_at(h, ts("2023-05-04T00:00Z"), &p);
    assert_int_equal(p.is_now[0], 1);
    assert_near(feat(&p, 0, FW_PF_ALERT_H_24H), 24.0, 1e-6);
    assert_near(feat(&p, 0, FW_PF_ALERT_H_7D), 49.5, 1e-6);
    assert_near(feat(&p, 0, FW_PF_STARTS_24H), 0, 0);
    assert_near(feat(&p, 0, FW_PF_STARTS_72H), 1, 0);
    fw_alert_panel_reset(&p);

    panel_at(h, ts("2023-05-04T02:00Z"), &p);
    assert_int_equal(p.is_now[0], 0);
    assert_near(feat(&p, 0, FW_PF_H_SINCE_END), 1.0, 1e-6);
    assert_near(feat(&p, 0, FW_PF_LAST_DURATION_H), 50.5, 1e-6);
    assert_int_equal(p.y[0][0], 0); /* nothing in the next 6 h */
    fw_alert_panel_reset(&p);

    /* 20:00 on 3 May, under alert: the target holds */
    panel_at(h, ts("2023-05-03T20:00Z"), &p);
    assert_int_equal(p.y[0][0], 1);
    assert_int_equal(p.y[1][0], 1);
    fw_alert_panel_reset(&p);
    /* 17:00 on 1 May: the alert starts 5.5 h later */
    panel_at(h, ts("2023-05-01T17:00Z"), &p);
    assert_int_equal(p.is_now[0], 0);
    assert_int_equal(p.y[0][0], 1);
    fw_alert_panel_reset(&p);
    panel_at(h, ts("2023-05-01T16:00Z"), &p);
    assert_int_equal(p.y[0][0], 0); /* 6.5 h later: outside 6 h */
    assert_int_equal(p.y[1][0], 1);
    fw_alert_panel_reset(&p);
    fw_alert_history_free(h);
}

/* An oblast alert 10:00-11:00 and a raion alert 10:30-12:00 are one
 * alert of the region, 10:00-12:00; an alert that starts when another
 * ends (11:00 -> 11:00-11:30 on another day) is a new one. */
static void test_overlapping_and_touching_alerts(void **state)
{
    (void)state;
    const int64_t iv[][2] = {
        {ts("2023-06-10T10:00Z"), ts("2023-06-10T11:00Z")},
        {ts("2023-06-10T10:30Z"), ts("2023-06-10T12:00Z")},
        {ts("2023-06-12T10:00Z"), ts("2023-06-12T11:00Z")},
        {ts("2023-06-12T11:00Z"), ts("2023-06-12T11:30Z")},
    };
    fw_alert_history *h = history_of(iv, 4, iv[0][0]);
    struct fw_alert_panel p;
    panel_at(h, ts("2023-06-10T13:00Z"), &p);
    assert_near(feat(&p, 0, FW_PF_STARTS_24H), 1, 0);
    assert_near(feat(&p, 0, FW_PF_ALERT_H_24H), 2.0, 1e-6);
    assert_near(feat(&p, 0, FW_PF_LAST_DURATION_H), 2.0, 1e-6);
    assert_near(feat(&p, 0, FW_PF_H_SINCE_END), 1.0, 1e-6);
    fw_alert_panel_reset(&p);
    /* at 11:00 on 12 June the first has ended and the second starts: not
     * under alert (that alert did not start before T), but the target
     * holds */
    panel_at(h, ts("2023-06-12T11:00Z"), &p);
    assert_int_equal(p.is_now[0], 0);
    assert_near(feat(&p, 0, FW_PF_H_SINCE_END), 0.0, 1e-6);
    assert_int_equal(p.y[0][0], 1);
    fw_alert_panel_reset(&p);
    panel_at(h, ts("2023-06-12T12:00Z"), &p);
    assert_near(feat(&p, 0, FW_PF_STARTS_3H), 2, 0);
    assert_near(feat(&p, 0, FW_PF_ALERT_H_24H), 1.5, 1e-6);
    fw_alert_panel_reset(&p);
    fw_alert_history_free(h);
}

/* An alert running at T counts up to T only, and the other regions see
 * it as running. */
static void test_alert_active_at_t(void **state)
{
    (void)state;
    int64_t t = ts("2023-08-20T15:00Z");
    const int64_t iv[][2] = {{t - 2 * HOUR, t + 3 * HOUR}};
    fw_alert_history *h = history_of(iv, 1, t);
    struct fw_alert_panel p;
    panel_at(h, t, &p);
    assert_int_equal(p.is_now[0], 1);
    assert_near(feat(&p, 0, FW_PF_ALERT_H_24H), 2.0, 1e-6);
    assert_near(feat(&p, 0, FW_PF_H_SINCE_START), 2.0, 1e-6);
    assert_near(feat(&p, 1, FW_PF_REGIONS_NOW), 1, 0);
    assert_near(feat(&p, 0, FW_PF_REGIONS_NOW), 0, 0);
    fw_alert_panel_reset(&p);
    fw_alert_history_free(h);
}

/* A day without any alert start anywhere: the record has stopped. */
static void test_record_stopped(void **state)
{
    (void)state;
    fw_alert_history *h = fw_alert_history_new();
    int64_t t = ts("2023-09-01T00:00Z");
    assert_int_equal(fw_alert_history_add(h, 3, t - 30 * HOUR, t - 29 * HOUR),
                     FW_OK);
    assert_int_equal(fw_alert_history_add(h, 3, t + 2 * DAY, t + 2 * DAY + 60),
                     FW_OK);
    struct fw_alert_panel p;
    panel_at(h, t, &p);
    assert_int_equal(p.is_fresh[0], 0);
    assert_int_equal(p.y[0][3], -1);
    fw_alert_panel_reset(&p);
    fw_alert_history_free(h);
}

/* ---- on the sample's real alerts ---- */

static struct fwt_temp tmp;

static int group_setup(void **state)
{
    (void)state;
    if (fwt_temp_store(&tmp, "outlook") != 0) {
        return -1;
    }
    fw_store *st = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_store_open(tmp.db, FW_STORE_WRITE, &st, &d) != FW_OK) {
        return -1;
    }
    const char *files[] = {"alerts/states.json.gz",
                           "alerts/official_data_en.csv.gz",
                           "alerts/volunteer_data_en.csv.gz"};
    for (size_t i = 0; i < 3; i++) {
        struct fw_ingest_result res;
        if (fw_ingest_file(st, fwt_sample(files[i]), NULL, NULL, &res, &d) !=
            FW_OK) {
            fprintf(stderr, "%s: %s\n", files[i], d.msg);
            fw_store_close(st);
            return -1;
        }
    }
    fw_store_close(st);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fwt_temp_store_remove(&tmp);
    return 0;
}

static fw_store *open_sample(void)
{
    fw_store *st = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_store_open(tmp.db, FW_STORE_READ, &st, &d), FW_OK);
    return st;
}

static void panel_of_store(fw_store *st, int64_t from, int64_t to,
                           struct fw_alert_panel *p)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_alert_history *h = NULL;
    assert_int_equal(fw_alert_history_load(st, from, to + 2 * DAY, &h, &d),
                     FW_OK);
    assert_int_equal(fw_alert_panel_build(h, NULL, from, to, p, &d), FW_OK);
    fw_alert_history_free(h);
}

static void assert_same_panel(const struct fw_alert_panel *a,
                              const struct fw_alert_panel *b)
{
    assert_int_equal(a->n_rows, b->n_rows);
    assert_int_equal(a->t0_s, b->t0_s);
    for (size_t i = 0; i < a->n_rows * FW_PF_N; i++) {
        if (!(isnan(a->x[i]) && isnan(b->x[i]))) {
            assert_true(a->x[i] == b->x[i]);
        }
    }
    assert_memory_equal(a->y[0], b->y[0], a->n_rows);
    assert_memory_equal(a->y[1], b->y[1], a->n_rows);
    assert_memory_equal(a->is_now, b->is_now, a->n_rows);
}

/* The volunteer file as shipped (CRLF) and with LF line ends, each in its
 * own store: the same panel. */
static void test_crlf_and_lf_same_panel(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_io_read_file(fwt_sample("alerts/volunteer_data_en.csv.gz"),
                                     (size_t)1 << 30, &buf, &len, &d),
                     FW_OK);
    assert_non_null(memchr(buf, '\r', len)); /* it is CRLF */
    struct fwt_temp t[2];
    struct fw_alert_panel p[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(fwt_temp_store(&t[k], k ? "lf" : "crlf"), 0);
        char path[512];
        snprintf(path, sizeof path, "%s/volunteer_data_en.csv", t[k].dir);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        for (size_t i = 0; i < len; i++) {
            if (!(k == 1 && buf[i] == '\r')) {
                fputc(buf[i], f);
            }
        }
        fclose(f);
        fw_store *st = NULL;
        assert_int_equal(fw_store_open(t[k].db, FW_STORE_WRITE, &st, &d),
                         FW_OK);
        struct fw_ingest_result res;
        assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &res, &d),
                         FW_OK);
        assert_true(res.rows_accepted > 30000);
        panel_of_store(st, ts("2023-01-01T00:00Z"), ts("2023-03-01T00:00Z"),
                       &p[k]);
        fw_store_close(st);
        remove(path);
        fwt_temp_store_remove(&t[k]);
    }
    free(buf);
    assert_same_panel(&p[0], &p[1]);
    fw_alert_panel_reset(&p[0]);
    fw_alert_panel_reset(&p[1]);
}

/* A volunteer row with naive=True lasts 30 minutes (its source says
 * so). Kyiv City, 2022-02-25 16:36:22 (line 2 of the sample's file). */
static void test_naive_alert(void **state)
{
    (void)state;
    fw_store *st = open_sample();
    sqlite3_stmt *s = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(
        fw_store_prepare(st,
                         "SELECT end_s - start_s, is_naive FROM alert WHERE"
                         " source = 'volunteer' AND oblast_iso = 'UA-30'"
                         " ORDER BY start_s LIMIT 1",
                         &s, &d),
        FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1800);
    assert_int_equal(sqlite3_column_int(s, 1), 1);
    sqlite3_finalize(s);
    /* it ended at 17:06:22 (the next one starts at 22:02:07) */
    struct fw_alert_panel p;
    panel_of_store(st, ts("2022-02-25T18:00Z"), ts("2022-02-25T18:00:01Z"),
                   &p);
    size_t r = (size_t)fw_panel_region_index("UA-30");
    assert_int_equal(p.is_now[r], 0);
    assert_near(feat(&p, r, FW_PF_LAST_DURATION_H), 0.5, 1e-6);
    /* 18:00:00 - 17:06:22 = 53 min 38 s */
    assert_near(feat(&p, r, FW_PF_H_SINCE_END), (53 * 60 + 38) / 3600.0,
                1e-4);
    fw_alert_panel_reset(&p);
    fw_store_close(st);
}

/* An oblast alert and a raion alert inside it, read from an official
 * CSV (a hand-made fixture of two rows, and one Lviv alert so that the
 * record is live), are one alert of 10:00-12:00. */
static void test_oblast_and_raion_alert_merged(void **state)
{
    (void)state;
    struct fwt_temp t;
    assert_int_equal(fwt_temp_store(&t, "raion"), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/official_data_en.csv", t.dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("oblast,raion,hromada,level,started_at,finished_at,source\r\n"
          "Lvivska oblast,,,oblast,2023-06-10 09:00:00+00:00,"
          "2023-06-10 09:20:00+00:00,official\r\n"
          "Kharkivska oblast,,,oblast,2023-06-10 10:00:00+00:00,"
          "2023-06-10 11:00:00+00:00,official\r\n"
          "Kharkivska oblast,Kharkivskyi raion,,raion,"
          "2023-06-10 10:30:00+00:00,2023-06-10 12:00:00+00:00,official\r\n",
          f);
    fclose(f);
    fw_store *st = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_store_open(t.db, FW_STORE_WRITE, &st, &d), FW_OK);
    struct fw_ingest_result res;
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &res, &d), FW_OK);
    assert_int_equal(res.rows_accepted, 3);
    struct fw_alert_panel p;
    int64_t at = ts("2023-06-10T13:00Z");
    panel_of_store(st, at, at + 1, &p);
    size_t r = (size_t)fw_panel_region_index("UA-63");
    assert_int_equal(p.is_fresh[0], 1);
    assert_near(feat(&p, r, FW_PF_STARTS_24H), 1, 0);
    assert_near(feat(&p, r, FW_PF_ALERT_H_24H), 2.0, 1e-6);
    assert_near(feat(&p, r, FW_PF_LAST_DURATION_H), 2.0, 1e-6);
    fw_alert_panel_reset(&p);
    /* at 11:00 the oblast alert has just ended, the raion one runs on */
    panel_of_store(st, ts("2023-06-10T11:00Z"), ts("2023-06-10T11:00:01Z"),
                   &p);
    assert_int_equal(p.is_now[r], 1);
    assert_near(feat(&p, r, FW_PF_H_SINCE_START), 1.0, 1e-6);
    fw_alert_panel_reset(&p);
    fw_store_close(st);
    remove(path);
    fwt_temp_store_remove(&t);
}

/* No look-ahead: moving, lengthening and adding alerts that start at or
 * after T changes no feature at T, only the targets. */
static void test_no_lookahead(void **state)
{
    (void)state;
    struct fwt_temp t;
    assert_int_equal(fwt_temp_store(&t, "lookahead"), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", tmp.db, t.db);
    assert_int_equal(system(cmd), 0);
    int64_t at = ts("2023-06-15T12:00Z");
    fw_store *st = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_store_open(t.db, FW_STORE_WRITE, &st, &d), FW_OK);
    struct fw_alert_panel before, after;
    panel_of_store(st, at, at + 1, &before);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "UPDATE alert SET end_s = end_s + 18000 WHERE start_s >= %lld;"
             "UPDATE alert SET start_s = start_s - 1800, end_s = end_s - 1800"
             " WHERE start_s >= %lld + 3600 AND start_s < %lld + 86400;"
             "INSERT INTO alert(source, level, oblast_iso, raion, hromada,"
             " start_s, end_s, is_naive, log_id) SELECT 'test', 0, 'UA-46',"
             " '', '', %lld, %lld + 7200, 0, 1;",
             (long long)at, (long long)at, (long long)at, (long long)at,
             (long long)at);
    assert_int_equal(sqlite3_exec(fw_store_db(st), sql, NULL, NULL, NULL),
                     SQLITE_OK);
    panel_of_store(st, at, at + 1, &after);
    for (size_t i = 0; i < before.n_rows * FW_PF_N; i++) {
        if (!(isnan(before.x[i]) && isnan(after.x[i]))) {
            assert_true(before.x[i] == after.x[i]);
        }
    }
    assert_memory_equal(before.is_now, after.is_now, before.n_rows);
    /* Lviv had no alert at T; the one added at T is in its target */
    size_t lviv = (size_t)fw_panel_region_index("UA-46");
    assert_int_equal(after.y[0][lviv], 1);
    fw_alert_panel_reset(&before);
    fw_alert_panel_reset(&after);
    fw_store_close(st);
    fwt_temp_store_remove(&t);
}

/* A model fitted on the first half of 2023: the single outlook equals the
 * batch panel's at sampled hours, its file reads back to the same
 * numbers, and its forecasts beat persistence on the next month. */
static void test_model_single_batch_file(void **state)
{
    (void)state;
    fw_store *st = open_sample();
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t from = ts("2023-04-01T00:00Z"), until = ts("2023-06-01T00:00Z");
    int64_t to = ts("2023-07-01T00:00Z");
    /* history from the start: the batch panel's look-back is complete */
    fw_alert_history *h = NULL;
    assert_int_equal(fw_alert_history_load(st, INT64_MIN, to, &h, &d), FW_OK);
    struct fw_alert_panel p;
    assert_int_equal(fw_alert_panel_build(h, NULL, from, to, &p, &d), FW_OK);
    fw_alert_history_free(h);
    fw_outlook_model *m = NULL;
    assert_int_equal(fw_outlook_fit(&p, FW_OUTLOOK_LOGIT, until, NULL, &m, &d),
                     FW_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/alerts.json", tmp.dir);
    assert_int_equal(fw_outlook_model_save(m, path, &d), FW_OK);
    fw_outlook_model *m2 = NULL;
    assert_int_equal(fw_outlook_model_load(path, &m2, &d), FW_OK);

    double *p6 = malloc(p.n_rows * sizeof *p6);
    double *p6b = malloc(p.n_rows * sizeof *p6b);
    assert_int_equal(fw_outlook_predict(m, &p, 0, 0, p.n_rows, p6, &d), FW_OK);
    assert_int_equal(fw_outlook_predict(m2, &p, 0, 0, p.n_rows, p6b, &d),
                     FW_OK);
    for (size_t i = 0; i < p.n_rows; i++) {
        if (!isnan(p6[i])) {
            assert_near(p6b[i], p6[i], 1e-9);
        }
    }
    /* 40 sampled hours, all regions: single == batch */
    for (int k = 0; k < 40; k++) {
        size_t hour = (size_t)(k * 37 + 5) % p.n_hours;
        int64_t t = p.t0_s + (int64_t)hour * HOUR;
        for (size_t r = 0; r < FW_PANEL_N_REGIONS; r += 5) {
            struct fw_outlook o;
            assert_int_equal(fw_outlook_at(st, m, fw_panel_region_iso(r),
                                           t + 1234, &o, &d),
                             FW_OK);
            assert_int_equal(o.at_s, t);
            size_t row = hour * FW_PANEL_N_REGIONS + r;
            assert_int_equal(o.has_outlook, !isnan(p6[row]));
            if (o.has_outlook) {
                assert_near(o.p[0], p6[row], 1e-12);
                assert_int_equal(o.is_now, p.is_now[row]);
            }
        }
    }
    /* skill on June 2023, after the cut-off: better than persistence */
    fw_outlook_model *pers = NULL;
    assert_int_equal(fw_outlook_fit(&p, FW_OUTLOOK_PERSISTENCE, until, NULL,
                                    &pers, &d),
                     FW_OK);
    double *pp = malloc(p.n_rows * sizeof *pp);
    assert_int_equal(fw_outlook_predict(pers, &p, 0, 0, p.n_rows, pp, &d),
                     FW_OK);
    size_t r0 = (size_t)((until - p.t0_s) / HOUR) * FW_PANEL_N_REGIONS;
    double *a = malloc(p.n_rows * sizeof *a), *b = malloc(p.n_rows * sizeof *b);
    unsigned char *y = malloc(p.n_rows);
    size_t n = 0;
    for (size_t i = r0; i < p.n_rows; i++) {
        if (p.y[0][i] >= 0 && !isnan(p6[i])) {
            a[n] = p6[i];
            b[n] = pp[i];
            y[n++] = (unsigned char)p.y[0][i];
        }
    }
    double auc_m, auc_p;
    assert_int_equal(fw_metrics_auroc(a, y, n, &auc_m), FW_OK);
    assert_int_equal(fw_metrics_auroc(b, y, n, &auc_p), FW_OK);
    assert_true(auc_m > auc_p + 0.1);
    free(a);
    free(b);
    free(y);
    free(pp);
    free(p6);
    free(p6b);
    fw_outlook_model_free(pers);
    fw_outlook_model_free(m);
    fw_outlook_model_free(m2);
    remove(path);
    fw_alert_panel_reset(&p);
    fw_store_close(st);
}

/* Withheld outlooks: an oblast without alert data (Luhansk), and a time
 * more than a day after the data ends. */
static void test_withheld(void **state)
{
    (void)state;
    fw_store *st = open_sample();
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_alert_history *h = NULL;
    int64_t from = ts("2023-11-01T00:00Z");
    assert_int_equal(fw_alert_history_load(st, from, INT64_MAX, &h, &d),
                     FW_OK);
    struct fw_alert_panel p;
    assert_int_equal(
        fw_alert_panel_build(h, NULL, from, ts("2023-12-31T00:00Z"), &p, &d),
        FW_OK);
    fw_alert_history_free(h);
    fw_outlook_model *m = NULL;
    assert_int_equal(fw_outlook_fit(&p, FW_OUTLOOK_PERSISTENCE,
                                    ts("2023-12-30T00:00Z"), NULL, &m, &d),
                     FW_OK);
    struct fw_outlook o;
    assert_int_equal(
        fw_outlook_at(st, m, "UA-09", ts("2023-12-01T18:00Z"), &o, &d), FW_OK);
    assert_int_equal(o.has_outlook, 0);
    assert_non_null(strstr(o.why, "permanent sirens"));
    assert_int_equal(
        fw_outlook_at(st, m, "UA-63", ts("2024-01-02T00:00Z"), &o, &d), FW_OK);
    assert_int_equal(o.has_outlook, 0);
    assert_true(isnan(o.p[0]));
    assert_non_null(strstr(o.why, "2023-12-31T23:57:39Z"));
    assert_int_equal(
        fw_outlook_at(st, m, "UA-63", ts("2023-12-31T23:00Z"), &o, &d), FW_OK);
    assert_int_equal(o.has_outlook, 1);
    fw_outlook_model_free(m);
    fw_alert_panel_reset(&p);
    fw_store_close(st);
}

/* A file that is not an alert model names what is wrong. */
static void test_bad_model_file(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/bad.json", tmp.dir);
    FILE *f = fopen(path, "w");
    fputs("{\"format\":\"frontwatch-alert-model\",\"version\":1,"
          "\"kind\":\"logit\",\"features\":[\"h_since_end\"]}",
          f);
    fclose(f);
    fw_outlook_model *m = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_outlook_model_load(path, &m, &d), FW_EPARSE);
    assert_null(m);
    assert_non_null(strstr(d.msg, "features"));
    assert_non_null(strstr(d.msg, path));
    remove(path);
}

int main(void)
{
    const struct CMUnitTest fixtures[] = {
        cmocka_unit_test(test_dst_both_directions),
        cmocka_unit_test(test_alert_across_midnight_and_days),
        cmocka_unit_test(test_overlapping_and_touching_alerts),
        cmocka_unit_test(test_alert_active_at_t),
        cmocka_unit_test(test_record_stopped),
    };
    const struct CMUnitTest sample[] = {
        cmocka_unit_test(test_crlf_and_lf_same_panel),
        cmocka_unit_test(test_naive_alert),
        cmocka_unit_test(test_oblast_and_raion_alert_merged),
        cmocka_unit_test(test_no_lookahead),
        cmocka_unit_test(test_model_single_batch_file),
        cmocka_unit_test(test_withheld),
        cmocka_unit_test(test_bad_model_file),
    };
    int fails = cmocka_run_group_tests_name("panel edge cases", fixtures, NULL,
                                            NULL);
    fails += cmocka_run_group_tests_name("sample alerts", sample, group_setup,
                                         group_teardown);
    return fails;
}
