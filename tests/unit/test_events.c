/*
 * test_events.c - the missile attack table reader and the wave counts
 * (events.h) on tiny fixtures written by hand in this file (the real table
 * is not openly licensed; its facts are checked in test_facts.c): exact
 * lines of rejects and repairs, targets of several oblasts, region words,
 * cities, empty launched, Kyiv time to UTC across the clock changes, bad
 * times failing the file at line and column, and the counts read back
 * from a store, per call and in batch.
 */
#include "fwtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontwatch/date.h"
#include "frontwatch/events.h"
#include "frontwatch/ingest.h"
#include "frontwatch/oblast.h"
#include "frontwatch/store.h"

#define MAX_KEPT 32

struct kept_event {
    int64_t t_s;
    char iso[8];
    char area[8];
    char type[32];
    long long count;
    char row[16];
};

struct tsink {
    size_t n_events, n_rejects, n_repairs;
    struct kept_event ev[MAX_KEPT];
    long reject_lines[MAX_KEPT];
    char reject_reasons[MAX_KEPT][256];
    long repair_lines[MAX_KEPT];
    char repair_what[MAX_KEPT][320];
    size_t n_events_at_repair[MAX_KEPT];
};

static fw_err t_event(void *ctx, const struct fw_event_rec *e)
{
    struct tsink *t = ctx;
    assert_string_equal(e->source, "missile_attacks_daily");
    /* exactly one of oblast and area */
    assert_true((e->oblast_iso == NULL) != (e->area == NULL));
    assert_false(e->has_position);
    assert_true(e->type != NULL && e->type[0] != '\0');
    if (t->n_events < MAX_KEPT) {
        struct kept_event *k = &t->ev[t->n_events];
        k->t_s = e->t_s;
        snprintf(k->iso, sizeof k->iso, "%s", e->oblast_iso ? e->oblast_iso : "");
        snprintf(k->area, sizeof k->area, "%s", e->area ? e->area : "");
        snprintf(k->type, sizeof k->type, "%s", e->type);
        k->count = e->count;
        snprintf(k->row, sizeof k->row, "%s", e->source_row);
    }
    t->n_events++;
    return FW_OK;
}

static void t_reject(void *ctx, long line, long feature, const char *reason)
{
    struct tsink *t = ctx;
    assert_int_equal(feature, -1);
    if (t->n_rejects < MAX_KEPT) {
        t->reject_lines[t->n_rejects] = line;
        snprintf(t->reject_reasons[t->n_rejects], 256, "%s", reason);
    }
    t->n_rejects++;
}

static void t_repair(void *ctx, long line, long feature, const char *what)
{
    struct tsink *t = ctx;
    assert_int_equal(feature, -1);
    if (t->n_repairs < MAX_KEPT) {
        t->repair_lines[t->n_repairs] = line;
        snprintf(t->repair_what[t->n_repairs], 320, "%s", what);
        t->n_events_at_repair[t->n_repairs] = t->n_events;
    }
    t->n_repairs++;
}

static fw_err read_str(const char *csv, struct tsink *t, struct fw_diag *d)
{
    memset(t, 0, sizeof *t);
    struct fw_sink sink = {.ctx = t,
                           .event = t_event,
                           .reject = t_reject,
                           .repair = t_repair};
    fw_diag_reset(d);
    return fw_events_read_missiles(csv, strlen(csv), &sink, d);
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return fw_date_from_civil(y, mo, d, h, mi, 0);
}

#define HEADER                                                                 \
    "time_start,time_end,model,launch_place,target,target_main,launched,"     \
    "destroyed,source\n"

/* Hand-made, in the table's shape. Line 4's source is quoted over two
 * lines, so the rows after it start one line later than their index. */
static const char SMALL[] =
    HEADER
    /* 2 */ "2024-07-01 20:00,2024-07-02 08:00,Shahed-136/131,Kursk oblast,"
            "Ukraine,,50.0,40.0,kpszsu\n"
    /* 3 */ "2024-07-01,2024-07-01,Orlan-10,,south,,2.0,2.0,PvKPivden\n"
    /* 4 */ "2024-07-02 21:00,2024-07-03 08:00,Iskander-M,,"
            "Odesa oblast and Mykolaiv oblast,,3.0,1.0,\"a post\nover two "
            "lines\"\n"
    /* 6 */ "2024-07-03,2024-07-03,X-59,,,,1.0,1.0,kpszsu\n"
    /* 7 */ "2024-07-03,2024-07-03,Lancet,,\"Dnipropetrovsk oblast, Dnipro "
            "Raion and Dnipropetrovsk oblast, Kryvyi Rih Raion\",,,0.0,x\n"
    /* 8 */ "2024-07-04,2024-07-04,Unknown UAV,,front line,,1.0,1.0,x\n"
    /* 9 */ "2024-07-04 3:30 ,2024-07-04 07:00,Kalibr,,south and east,,4.0,"
            "4.0,x\n"
    /* 10 */ "2024-07-05,2024-07-05,Shahed-136/131,,Sumy oblast and Kursk "
             "oblast,,6.0,6.0,x\n"
    /* 11 */ "2024-07-05,2024-07-05,,,Kyiv,,1.0,1.0,x\n"
    /* 12 */ "2024-07-06,2024-07-06,ZALA,,Kyiv,,many,1.0,x\n"
    /* 13 */ "2024-07-06,2024-07-06,ZALA,,Kyiv,,1.0,1.0,x\n"
    /* 14 */ "2024-12-01 10:00,2024-12-01 12:00,X-22,,Kyiv oblast (south) "
             "and north-east,,2.0,0.0,x\n"
    /* 15 */ "2024-07-07 10:00,2024-07-07 09:00,X-22,,Ukraine,,1.0,0.0,x\n"
    /* 16 */ "2024-07-07,2024-07-07,Shahed-136/131,,Kryvyi Rih,,7.0,7.0,x\n";

static void test_small_rows(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(SMALL, &t, &d), FW_OK);

    /* rejects, at the lines where their rows start */
    assert_int_equal(t.n_rejects, 5);
    assert_int_equal(t.reject_lines[0], 6);
    assert_string_equal(t.reject_reasons[0], "target is empty");
    assert_int_equal(t.reject_lines[1], 8);
    assert_string_equal(t.reject_reasons[1],
                        "target 'front line' names no oblast of Ukraine, "
                        "region or 'Ukraine'");
    assert_int_equal(t.reject_lines[2], 11);
    assert_string_equal(t.reject_reasons[2], "model is empty");
    assert_int_equal(t.reject_lines[3], 12);
    assert_string_equal(t.reject_reasons[3],
                        "launched 'many' is not a whole number");
    assert_int_equal(t.reject_lines[4], 15);
    assert_non_null(strstr(t.reject_reasons[4], "ends before it starts"));

    /* Kursk oblast dropped from line 10, Sumy kept, reported before it */
    assert_int_equal(t.n_repairs, 1);
    assert_int_equal(t.repair_lines[0], 10);
    assert_non_null(strstr(t.repair_what[0], "'Kursk oblast'"));

    /* the events, in row order, one per distinct target */
    assert_int_equal(t.n_events, 13);
    const struct kept_event *e = t.ev;
    /* line 2: Ukraine, 20:00 Kyiv summer time = 17:00 UTC */
    assert_string_equal(e[0].area, "ukraine");
    assert_string_equal(e[0].iso, "");
    assert_true(e[0].t_s == utc(2024, 7, 1, 17, 0));
    assert_int_equal(e[0].count, 50);
    assert_string_equal(e[0].type, "Shahed-136/131");
    assert_string_equal(e[0].row, "2");
    /* line 3: a bare date is its midnight UTC */
    assert_string_equal(e[1].area, "south");
    assert_true(e[1].t_s == utc(2024, 7, 1, 0, 0));
    assert_string_equal(e[1].row, "3");
    /* line 4: two oblasts, same row, time and count */
    assert_string_equal(e[2].iso, "UA-51");
    assert_string_equal(e[3].iso, "UA-48");
    assert_true(e[2].t_s == utc(2024, 7, 2, 18, 0) && e[3].t_s == e[2].t_s);
    assert_int_equal(e[3].count, 3);
    assert_string_equal(e[2].row, "4");
    assert_string_equal(e[3].row, "4");
    /* line 7: one oblast named twice with raions: one event; launched
     * empty is kept as unknown */
    assert_string_equal(e[4].iso, "UA-12");
    assert_int_equal(e[4].count, -1);
    assert_string_equal(e[4].row, "7");
    /* line 9: " 3:30 " (one hour digit, blanks) and two region words */
    assert_string_equal(e[5].area, "south");
    assert_string_equal(e[6].area, "east");
    assert_true(e[5].t_s == utc(2024, 7, 4, 0, 30));
    /* line 10: Sumy only */
    assert_string_equal(e[7].iso, "UA-59");
    assert_string_equal(e[7].row, "10");
    assert_int_equal(t.n_events_at_repair[0], 7);
    /* line 13: Kyiv is the city, not the oblast */
    assert_string_equal(e[8].iso, "UA-30");
    assert_string_equal(e[8].row, "13");
    /* line 14: "(south)" narrows Kyiv oblast; north-east is both words;
     * 10:00 Kyiv winter time = 08:00 UTC */
    assert_string_equal(e[9].iso, "UA-32");
    assert_string_equal(e[10].area, "north");
    assert_string_equal(e[11].area, "east");
    assert_true(e[9].t_s == utc(2024, 12, 1, 8, 0));
    /* line 16: a city of Dnipropetrovsk oblast */
    assert_string_equal(e[12].iso, "UA-12");
    assert_int_equal(e[12].count, 7);
}

/* Europe/Kyiv changed clocks on 2024-03-31 and 2024-10-27 at 01:00 UTC. */
static void test_kyiv_clock_changes(void **state)
{
    (void)state;
    static const char *const local[] = {
        "2024-03-31 02:30", /* EET, just before the change */
        "2024-03-31 04:00", /* EEST, just after */
        "2024-03-31 03:30", /* in the gap: read as EET */
        "2024-10-27 03:30", /* repeated hour: the first, EEST */
        "2024-10-27 04:30", /* EET again */
        "2022-12-31 23:59", /* winter, across the new year */
    };
    const int64_t want[] = {
        utc(2024, 3, 31, 0, 30),  utc(2024, 3, 31, 1, 0),
        utc(2024, 3, 31, 1, 30),  utc(2024, 10, 27, 0, 30),
        utc(2024, 10, 27, 2, 30), utc(2022, 12, 31, 21, 59),
    };
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
        char csv[256];
        snprintf(csv, sizeof csv, HEADER "%s,,Kalibr,,Ukraine,,1.0,1.0,x\n",
                 local[i]);
        struct tsink t;
        struct fw_diag d;
        assert_int_equal(read_str(csv, &t, &d), FW_OK);
        assert_int_equal(t.n_events, 1);
        if (t.ev[0].t_s != want[i]) {
            fail_msg("%s: got %lld, want %lld", local[i],
                     (long long)t.ev[0].t_s, (long long)want[i]);
        }
    }
}

static void expect_fail(const char *csv, fw_err err, long line, long col,
                        const char *msg_part)
{
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(csv, &t, &d), err);
    if (d.line != line || d.col != col) {
        fail_msg("got %ld:%ld (%s), want %ld:%ld", d.line, d.col, d.msg, line,
                 col);
    }
    if (strstr(d.msg, msg_part) == NULL) {
        fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
    }
}

static void test_bad_files(void **state)
{
    (void)state;
    /* no such day: the file fails at the field */
    expect_fail(HEADER "2024-07-01,2024-07-01,X-59,,south,,1.0,1.0,x\n"
                       "2023-02-30 10:00,2023-02-30 12:00,X-59,,south,,1,1,x\n",
                FW_ERANGE, 3, 1,
                "time_start: '2023-02-30 10:00' is not a valid date");
    /* no such hour, in time_end (column 18) */
    expect_fail(HEADER "2024-07-01,2024-07-01 24:10,X-59,,south,,1.0,1.0,x\n",
                FW_ERANGE, 2, 12, "time_end: '2024-07-01 24:10'");
    /* not a time at all, after a quoted multi-line field */
    expect_fail(HEADER "2024-07-01,2024-07-01,X-59,,south,,1.0,1.0,\"a\nb\"\n"
                       "01/07/2024,2024-07-01,X-59,,south,,1.0,1.0,x\n",
                FW_EPARSE, 4, 1,
                "time_start: '01/07/2024' is not a time (expected "
                "YYYY-MM-DD or YYYY-MM-DD HH:MM)");
    expect_fail(HEADER "2024-07-01 10:00:00,,X-59,,south,,1.0,1.0,x\n",
                FW_EPARSE, 2, 1, "is not a time");
    /* a row with a missing field */
    expect_fail(HEADER "2024-07-01,2024-07-01,X-59,,south,,1.0,1.0\n",
                FW_EPARSE, 2, 0, "expected 9 fields as in the header, found 8");
    /* headers */
    expect_fail("time,model,target\n1,2,3\n", FW_EPARSE, 1, 0,
                "unknown header");
    expect_fail("", FW_EPARSE, 1, 0, "empty file");
    struct fw_diag d;
    assert_int_equal(fw_events_read_missiles(NULL, 0, NULL, &d), FW_EUSAGE);
}

static void test_future_and_empty_end(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    /* an empty time_end is fine; a start in 2199 is rejected */
    assert_int_equal(read_str(HEADER
                              "2024-07-01 10:00,,X-59,,east,,1.0,1.0,x\n"
                              "2199-01-01,2199-01-01,X-59,,east,,1.0,1.0,x\n",
                              &t, &d),
                     FW_OK);
    assert_int_equal(t.n_events, 1);
    assert_int_equal(t.n_rejects, 1);
    assert_int_equal(t.reject_lines[0], 3);
    assert_non_null(strstr(t.reject_reasons[0], "in the future"));
    /* a NULL sink reads and drops */
    assert_int_equal(fw_events_read_missiles(SMALL, strlen(SMALL), NULL, &d),
                     FW_OK);
}

static void test_regions_table(void **state)
{
    (void)state;
    /* every oblast has exactly one region, each word has at least one */
    size_t n_by[5] = {0};
    static const char *const words[] = {"north", "south", "east", "center",
                                        "west"};
    for (size_t i = 0; i < fw_oblast_count(); i++) {
        const char *r = fw_events_region_of(fw_oblast_at(i)->iso);
        assert_non_null(r);
        for (size_t k = 0; k < 5; k++) {
            n_by[k] += strcmp(r, words[k]) == 0;
        }
    }
    for (size_t k = 0; k < 5; k++) {
        assert_true(n_by[k] > 0);
    }
    assert_string_equal(fw_events_region_of("UA-51"), "south");
    assert_string_equal(fw_events_region_of("UA-63"), "east");
    assert_string_equal(fw_events_region_of("UA-30"), "center");
    assert_string_equal(fw_events_region_of("UA-46"), "west");
    assert_string_equal(fw_events_region_of("UA-59"), "north");
    assert_null(fw_events_region_of("RU-KRS"));
    assert_null(fw_events_region_of(NULL));
}

/* ---- through the store ---------------------------------------------------- */

static char g_dir[64];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static void rm_store(const char *db)
{
    char p[200];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static struct fw_event_counts counts(fw_store *st, const char *iso,
                                     int64_t t0, int64_t t1)
{
    struct fw_event_counts c;
    struct fw_diag d;
    assert_int_equal(fw_events_oblast_counts(st, iso, t0, t1, &c, &d), FW_OK);
    return c;
}

static void test_store_counts(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/fwevents.XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    char db[128], csv[128], csv2[128];
    snprintf(db, sizeof db, "%s/t.db", g_dir);
    snprintf(csv, sizeof csv, "%s/missile_attacks_daily.csv", g_dir);
    snprintf(csv2, sizeof csv2, "%s/v2/missile_attacks_daily.csv", g_dir);
    write_file(csv, SMALL);

    fw_store *st = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(db, FW_STORE_WRITE, &st, &d), FW_OK);
    struct fw_ingest_result res;
    assert_int_equal(fw_ingest_file(st, csv, NULL, NULL, &res, &d), FW_OK);
    assert_int_equal(res.kind, FW_SOURCE_MISSILES);
    /* 14 rows: 9 gave events, 5 rejected, 1 repaired */
    assert_int_equal(res.rows_read, 14);
    assert_int_equal(res.rows_accepted, 9);
    assert_int_equal(res.rows_rejected, 5);
    assert_int_equal(res.rows_repaired, 1);
    /* again: nothing changes */
    assert_int_equal(fw_ingest_file(st, csv, NULL, NULL, &res, &d), FW_OK);
    assert_true(res.is_duplicate);

    int64_t w0 = utc(2024, 7, 1, 0, 0), w1 = utc(2024, 7, 8, 0, 0);
    struct fw_event_counts c = counts(st, "UA-51", w0, w1);
    assert_int_equal(c.n_waves_oblast, 1);    /* line 4 */
    assert_int_equal(c.n_launched_oblast, 3);
    assert_int_equal(c.n_waves_region, 2);    /* south: lines 3 and 9 */
    assert_int_equal(c.n_waves_ukraine, 1);   /* line 2 */
    c = counts(st, "UA-12", w0, w1);
    assert_int_equal(c.n_waves_oblast, 2);    /* lines 7 and 16 */
    assert_int_equal(c.n_launched_oblast, 7); /* line 7's is unknown */
    assert_int_equal(c.n_waves_region, 1);    /* east: line 9 */
    c = counts(st, "UA-30", w0, w1);
    assert_int_equal(c.n_waves_oblast, 1);
    assert_int_equal(c.n_waves_region, 0);
    /* windows are half-open: line 3 (2024-07-01 00:00 UTC) is out of
     * [07-01 00:00:01, ...) and in [..., 07-01 00:00:01) */
    c = counts(st, "UA-48", w0 + 1, w1);
    assert_int_equal(c.n_waves_region, 1);
    c = counts(st, "UA-48", w0 - 1, w0 + 1);
    assert_int_equal(c.n_waves_region, 1);
    assert_int_equal(c.n_waves_oblast, 0);
    c = counts(st, "UA-32", utc(2024, 12, 1, 0, 0), utc(2024, 12, 2, 0, 0));
    assert_int_equal(c.n_waves_oblast, 1);
    assert_int_equal(c.n_waves_region, 0); /* north and east, Kyiv center */
    assert_int_equal(fw_events_oblast_counts(st, "UA-99", w0, w1, &c, &d),
                     FW_EUSAGE);
    assert_int_equal(fw_events_oblast_counts(st, "UA-51", w1, w0, &c, &d),
                     FW_EUSAGE);

    /* the batch equals the calls, for every oblast and day windows */
    enum { N_W = 200 };
    int64_t t0[N_W], t1[N_W];
    for (int w = 0; w < N_W; w++) {
        t0[w] = utc(2024, 6, 28, 0, 0) + (int64_t)w * FW_DAY_S;
        t1[w] = t0[w] + 7 * FW_DAY_S - (w % 3) * 3600;
    }
    size_t n_ob = fw_oblast_count();
    struct fw_event_counts *b = calloc(N_W * n_ob, sizeof *b);
    assert_non_null(b);
    assert_int_equal(fw_events_counts_batch(st, t0, t1, N_W, b, &d), FW_OK);
    long total = 0;
    for (int w = 0; w < N_W; w++) {
        for (size_t i = 0; i < n_ob; i++) {
            c = counts(st, fw_oblast_at(i)->iso, t0[w], t1[w]);
            const struct fw_event_counts *x = &b[w * n_ob + i];
            assert_int_equal(x->n_waves_oblast, c.n_waves_oblast);
            assert_int_equal(x->n_waves_region, c.n_waves_region);
            assert_int_equal(x->n_waves_ukraine, c.n_waves_ukraine);
            assert_int_equal(x->n_launched_oblast, c.n_launched_oblast);
            total += c.n_waves_oblast + c.n_waves_region;
        }
    }
    assert_true(total > 0);
    free(b);

    /* a new version of the table replaces the old one's events */
    char v2dir[128];
    snprintf(v2dir, sizeof v2dir, "%s/v2", g_dir);
    assert_int_equal(mkdir(v2dir, 0700), 0);
    write_file(csv2, HEADER "2024-07-08,2024-07-08,X-59,,Odesa oblast,,2.0,"
                            "2.0,x\n");
    assert_int_equal(fw_ingest_file(st, csv2, NULL, NULL, &res, &d), FW_OK);
    assert_false(res.is_duplicate);
    c = counts(st, "UA-51", w0, utc(2024, 8, 1, 0, 0));
    assert_int_equal(c.n_waves_oblast, 1);
    assert_int_equal(c.n_launched_oblast, 2);
    assert_int_equal(c.n_waves_ukraine, 0);
    fw_store_close(st);

    rm_store(db);
    unlink(csv);
    unlink(csv2);
    rmdir(v2dir);
    rmdir(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_rows),
        cmocka_unit_test(test_kyiv_clock_changes),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_future_and_empty_end),
        cmocka_unit_test(test_regions_table),
        cmocka_unit_test(test_store_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
