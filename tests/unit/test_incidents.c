/*
 * test_incidents.c - the incident tables (incidents.h) on hand-made
 * fixtures (tests/data/incidents, and strings in this file; the real
 * tables are not openly licensed, and their count near Kharkiv is checked
 * against an independent script by tests/cli/test_strikes.sh): which rows
 * are strikes, exact lines and items of rejects, string and number
 * coordinates, CRLF and a quoted field over three lines, rows outside
 * Ukraine skipped, broken files failing at their position with the store
 * unchanged, a newer version replacing the older one's events, the count
 * near a point against a brute-force count on random points, the same
 * incident in both tables counted once, and the strike indicators of
 * assess unknown (not 0) where the data does not reach.
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/geo.h"
#include "frontwatch/incidents.h"
#include "frontwatch/ingest.h"
#include "frontwatch/io.h"
#include "frontwatch/store.h"
#include "frontwatch/text.h"

#define MAX_KEPT 32

struct kept_event {
    char source[16];
    int64_t t_s;
    double lat, lon;
    char iso[8];
    char type[256];
    char row[64];
};

struct tsink {
    size_t n_events, n_rejects, n_progress;
    struct kept_event ev[MAX_KEPT];
    long reject_line[MAX_KEPT], reject_feature[MAX_KEPT];
    char reject_reason[MAX_KEPT][320];
};

static fw_err t_event(void *ctx, const struct fw_event_rec *e)
{
    struct tsink *t = ctx;
    assert_true(e->has_position);
    assert_null(e->area);
    assert_int_equal(e->count, -1);
    assert_true(e->type != NULL && e->type[0] != '\0');
    if (t->n_events < MAX_KEPT) {
        struct kept_event *k = &t->ev[t->n_events];
        snprintf(k->source, sizeof k->source, "%s", e->source);
        k->t_s = e->t_s;
        k->lat = e->lat_deg;
        k->lon = e->lon_deg;
        snprintf(k->iso, sizeof k->iso, "%s",
                 e->oblast_iso ? e->oblast_iso : "");
        snprintf(k->type, sizeof k->type, "%s", e->type);
        snprintf(k->row, sizeof k->row, "%s", e->source_row);
    }
    t->n_events++;
    return FW_OK;
}

static void t_reject(void *ctx, long line, long feature, const char *reason)
{
    struct tsink *t = ctx;
    if (t->n_rejects < MAX_KEPT) {
        t->reject_line[t->n_rejects] = line;
        t->reject_feature[t->n_rejects] = feature;
        snprintf(t->reject_reason[t->n_rejects], 320, "%s", reason);
    }
    t->n_rejects++;
}

static void t_progress(void *ctx, size_t done, size_t total)
{
    struct tsink *t = ctx;
    assert_true(done <= total);
    t->n_progress++;
}

typedef fw_err (*reader_fn)(const char *, size_t, const struct fw_sink *,
                            struct fw_diag *);

static fw_err read_buf(reader_fn fn, const char *buf, size_t len,
                       struct tsink *t, struct fw_diag *d)
{
    memset(t, 0, sizeof *t);
    struct fw_sink sink = {
        .ctx = t, .event = t_event, .reject = t_reject, .progress = t_progress};
    fw_diag_reset(d);
    return fn(buf, len, &sink, d);
}

static fw_err read_str(reader_fn fn, const char *text, struct tsink *t,
                       struct fw_diag *d)
{
    return read_buf(fn, text, strlen(text), t, d);
}

static fw_err read_fixture(reader_fn fn, const char *rel, struct tsink *t,
                           struct fw_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    struct fw_diag rd;
    fw_diag_reset(&rd);
    if (fw_io_read_file(fwt_fixture(rel), 1 << 20, &buf, &len, &rd) != FW_OK) {
        fail_msg("cannot read %s: %s", fwt_fixture(rel), rd.msg);
    }
    fw_err err = read_buf(fn, buf, len, t, d);
    free(buf);
    return err;
}

static void assert_has(const char *text, const char *part)
{
    if (strstr(text, part) == NULL) {
        fail_msg("'%s' lacks '%s'", text, part);
    }
}

/* ---- readers ------------------------------------------------------------ */

static void test_cir_rows(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(
        read_fixture(fw_incidents_read_cir, "incidents/cir_small.csv", &t, &d),
        FW_OK);
    /* three strikes: lines 2, 3 (its description runs to line 5), 12 */
    assert_int_equal(t.n_events, 3);
    const struct kept_event *e = t.ev;
    assert_string_equal(e[0].source, "cir");
    assert_string_equal(e[0].row, "UX0001 (line 2)");
    assert_true(e[0].t_s == fwt_day_s("2022-03-01"));
    assert_near(e[0].lat, 49.9935, 1e-12);
    assert_near(e[0].lon, 36.2304, 1e-12);
    assert_string_equal(e[0].iso, "UA-63");
    assert_string_equal(e[0].type, "Bombing or Explosion");
    assert_string_equal(e[1].row, "UX0002 (line 3)");
    assert_string_equal(e[1].type, "Civilian Infrastructure Damage");
    assert_string_equal(e[1].iso, "UA-63"); /* Kharkivs'ka oblast */
    /* blanks around the values, "ukraine", an unknown province */
    assert_string_equal(e[2].row, "UX0009 (line 12)");
    assert_true(e[2].t_s == fwt_day_s("2022-03-05"));
    assert_near(e[2].lat, 49.92, 1e-12);
    assert_string_equal(e[2].iso, "");
    assert_string_equal(e[2].type, "Military Infrastructure Damage");

    /* Russian presence (6), Belgorod (7) and "Other" (15) are skipped;
     * the rest rejected at the lines where their rows start */
    assert_int_equal(t.n_rejects, 6);
    static const long lines[] = {8, 9, 10, 11, 13, 14};
    static const char *const why[] = {
        "entry 'UX0005': date '' is not a date (expected YYYY-MM-DD)",
        "entry 'UX0006': date '2022-02-30': no such day",
        "entry 'UX0007': lat 'abc' is not a decimal number",
        "entry 'UX0008': position 36.230000 N 49.990000 E outside 40-60 N, "
        "20-50 E",
        "entry 'UX0010': date '01/03/2022' is not a date (expected "
        "YYYY-MM-DD)",
        "entry 'UX0011': incident in the future (date 2199-01-01 is more "
        "than a day after the time of reading)",
    };
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(t.reject_line[i], lines[i]);
        assert_int_equal(t.reject_feature[i], -1);
        assert_string_equal(t.reject_reason[i], why[i]);
    }
    assert_true(t.n_progress >= 1);
}

static void test_bellingcat_rows(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_fixture(fw_incidents_read_bellingcat,
                                  "incidents/bellingcat_small.json", &t, &d),
                     FW_OK);
    /* items 0, 1, 3, 8, 9, 10; item 2 (small arms) skipped */
    assert_int_equal(t.n_events, 6);
    const struct kept_event *e = t.ev;
    assert_string_equal(e[0].source, "bellingcat");
    assert_string_equal(e[0].row, "T001 (item 0)");
    assert_true(e[0].t_s == fwt_day_s("2022-03-01")); /* MM/DD/YYYY */
    assert_near(e[0].lat, 49.9935, 1e-12);        /* from "49.993500" */
    assert_near(e[0].lon, 36.2304, 1e-12);
    assert_string_equal(e[0].iso, "");
    assert_string_equal(e[0].type, "Unknown");
    assert_string_equal(e[1].type, "HE rocket artillery, Cluster munitions");
    /* numbers for coordinates, no filters at all */
    assert_string_equal(e[2].row, "T004 (item 3)");
    assert_near(e[2].lat, 50.0, 0);
    assert_near(e[2].lon, 36.25, 0);
    assert_string_equal(e[2].type, "Unknown");
    /* Moscow is kept */
    assert_string_equal(e[3].row, "T009 (item 8)");
    assert_true(e[3].t_s == fwt_day_s("2023-05-30"));
    /* small arms with a cruise missile is a strike */
    assert_string_equal(e[4].type, "Small arms, Cruise missile");
    /* "Unknown" twice is one; land mines beside it do not unmake it */
    assert_string_equal(e[5].type, "Unknown, Land mines");

    assert_int_equal(t.n_rejects, 4);
    static const long items[] = {4, 5, 6, 7};
    static const char *const why[] = {
        "date '3/1/2022' is not a date (expected MM/DD/YYYY) (id 'T005')",
        "date '02/30/2022': no such day (id 'T006')",
        "position -0.000137 N 0.000403 E outside 40-60 N, 20-50 E (id "
        "'T007')",
        "latitude '49.9x' is not a finite decimal number (id 'T008')",
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(t.reject_line[i], 0);
        assert_int_equal(t.reject_feature[i], items[i]);
        assert_string_equal(t.reject_reason[i], why[i]);
    }
    assert_true(t.n_progress >= 1);
}

static void expect_fail(reader_fn fn, const char *text, fw_err err, long line,
                        long col, long feature, const char *msg)
{
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(fn, text, &t, &d), err);
    if (d.line != line || d.col != col || d.feature != feature) {
        fail_msg("got %ld:%ld feature %ld (%s), want %ld:%ld feature %ld",
                 d.line, d.col, d.feature, d.msg, line, col, feature);
    }
    assert_has(d.msg, msg);
}

#define ITEM(date, lat, rest)                                                  \
    "{\"id\":\"X\",\"date\":" date ",\"latitude\":" lat                        \
    ",\"longitude\":\"36.2\"" rest "}"

static void test_bellingcat_bad_files(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    /* broken JSON: where the parser stopped */
    assert_int_equal(read_fixture(fw_incidents_read_bellingcat,
                                  "incidents/bellingcat_broken.json", &t, &d),
                     FW_EPARSE);
    if (d.line != 29 || d.col != 3) {
        fail_msg("got %ld:%ld (%s), want 29:3", d.line, d.col, d.msg);
    }
    assert_int_equal(t.n_events, 0);
    /* truncated */
    expect_fail(fw_incidents_read_bellingcat,
                "[\n" ITEM("\"03/01/2022\"", "\"49.9\"", ""), FW_EPARSE, 2, 68,
                -1, "unexpected end of input");
    /* not an array: where the document starts */
    expect_fail(fw_incidents_read_bellingcat, "\r\n  {\"type\": 1}\n",
                FW_EPARSE, 2, 3, -1, "expected a JSON array of incidents");
    /* the shape of an element fails the file, at its index */
    expect_fail(fw_incidents_read_bellingcat,
                "[" ITEM("\"03/01/2022\"", "\"49.9\"", "") ", 7]", FW_EPARSE, 0,
                0, 1, "expected an object (an incident)");
    expect_fail(fw_incidents_read_bellingcat,
                "[{\"id\":\"X\",\"latitude\":\"1\",\"longitude\":\"2\"}]",
                FW_EPARSE, 0, 0, 0, "date: missing (expected a string)");
    expect_fail(fw_incidents_read_bellingcat,
                "[" ITEM("\"03/01/2022\"", "true", "") "]", FW_EPARSE, 0, 0, 0,
                "latitude: expected a string or a number");
    expect_fail(fw_incidents_read_bellingcat,
                "[" ITEM("\"03/01/2022\"", "\"49.9\"", ",\"filters\":{}") "]",
                FW_EPARSE, 0, 0, 0, "filters: expected an array");
    expect_fail(fw_incidents_read_bellingcat,
                "[" ITEM("\"03/01/2022\"", "\"49.9\"",
                         ",\"filters\":[{\"key\":\"Weapon System\","
                         "\"value\":\"Unknown\"},{\"key\":\"Weapon System\","
                         "\"value\":3}]") "]",
                FW_EPARSE, 0, 0, 0, "filters[1].value: expected a string");
    /* an empty array is an empty export */
    assert_int_equal(read_str(fw_incidents_read_bellingcat, " [ ] ", &t, &d),
                     FW_OK);
    assert_int_equal(t.n_events, 0);
    assert_int_equal(t.n_progress, 1);
    /* a latitude of 1e999 is read as infinite: rejected, not failed */
    assert_int_equal(read_str(fw_incidents_read_bellingcat,
                              "[" ITEM("\"03/01/2022\"", "1e999", "") "]", &t,
                              &d),
                     FW_OK);
    assert_int_equal(t.n_rejects, 1);
    assert_has(t.reject_reason[0], "latitude '(a number)' is not a finite");
    assert_int_equal(fw_incidents_read_bellingcat(NULL, 0, NULL, &d),
                     FW_EUSAGE);
    /* a NULL sink reads and drops */
    assert_int_equal(fw_incidents_read_bellingcat("[]", 2, NULL, &d), FW_OK);
}

/* Fuzzing found it (fuzz/corpus/bellingcat_json/regress-type-cut-
 * utf8.json): a type longer than its cap was cut inside a character (the
 * cut was looked for in the cut copy, where the character's rest was
 * gone), and the event's type was not UTF-8. */
static void test_regress_type_cut_utf8(void **state)
{
    (void)state;
    /* "x" and 150 two-byte letters: 200 bytes end inside the 100th */
    char weapon[320] = "x";
    for (int i = 0; i < 150; i++) {
        strcat(weapon, "\xd0\xaf");
    }
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":\"L1\",\"date\":\"03/01/2022\",\"latitude\":\"49.9\","
             "\"longitude\":\"36.2\",\"filters\":[{\"key\":\"Weapon "
             "System\",\"value\":\"%s\"}]}]",
             weapon);
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(fw_incidents_read_bellingcat, json, &t, &d),
                     FW_OK);
    assert_int_equal(t.n_events, 1);
    assert_int_equal(strlen(t.ev[0].type), 199);
    long line = 0, col = 0;
    assert_true(fw_text_utf8_valid(t.ev[0].type, 199, &line, &col));
}

#define CIR_HEADER "entry,date,event_group,lat,lon,country\n"

static void test_cir_bad_files(void **state)
{
    (void)state;
    expect_fail(fw_incidents_read_cir, "id,day,group,lat,lon\n1,2,3,4,5\n",
                FW_EPARSE, 1, 0, -1, "unknown header");
    expect_fail(fw_incidents_read_cir, "", FW_EPARSE, 1, 0, -1, "empty file");
    /* a row with a field missing, after a quoted field over two lines */
    expect_fail(fw_incidents_read_cir,
                CIR_HEADER "A1,2022-03-01,\"Civilian\nCasualty\",49.9,36.2,"
                           "Ukraine\n"
                           "A2,2022-03-01,Civilian Casualty,49.9,36.2\n",
                FW_EPARSE, 4, 0, -1,
                "expected 6 fields as in the header, "
                "found 5");
    /* a quote that never closes: the line where the field began */
    expect_fail(fw_incidents_read_cir,
                CIR_HEADER "A1,2022-03-01,Civilian Casualty,49.9,36.2,"
                           "Ukraine\nA2,\"2022-03-01,x,1,2,Ukraine\n",
                FW_EPARSE, 3, 0, -1, "unterminated quoted field");
    struct fw_diag d;
    assert_int_equal(fw_incidents_read_cir(NULL, 0, NULL, &d), FW_EUSAGE);
    /* the header alone is a table without rows; columns in another order
     * and a BOM are fine; "Civilian Casualty" of the quoted group above is
     * not ("Civilian\nCasualty") */
    struct tsink t;
    assert_int_equal(
        read_str(fw_incidents_read_cir,
                 "\xEF\xBB\xBF"
                 "country,lon,lat,event_group,date,entry\n"
                 "Ukraine,36.2,49.9,Civilian Casualty,2022-03-01,A1\n"
                 "Ukraine,36.2,49.9,\"Civilian\nCasualty\",2022-03-01,A2\n",
                 &t, &d),
        FW_OK);
    assert_int_equal(t.n_events, 1);
    assert_string_equal(t.ev[0].row, "A1 (line 2)");
    assert_int_equal(t.n_rejects, 0);
}

/* ---- through the store ----------------------------------------------------
 */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static long long scalar(fw_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_prepare(st, sql, &s, &d), FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static struct fw_strike_count count(fw_store *st, double lat, double lon,
                                    double km, const char *from, const char *to,
                                    unsigned mask)
{
    struct fw_strike_count c;
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_incidents_count_near(st, lat, lon, km, fwt_day_s(from), fwt_day_s(to), mask,
                                &c, &d) != FW_OK) {
        fail_msg("count_near: %s", d.msg);
    }
    return c;
}

static void test_store(void **state)
{
    (void)state;
    struct fwt_temp tmp;
    assert_int_equal(fwt_temp_store(&tmp, "incidents"), 0);
    fw_store *st = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(tmp.db, FW_STORE_WRITE, &st, &d), FW_OK);
    struct fw_ingest_result r;
    assert_int_equal(fw_ingest_file(st, fwt_fixture("incidents/cir_small.csv"),
                                    NULL, NULL, &r, &d),
                     FW_OK);
    assert_int_equal(r.kind, FW_SOURCE_CIR);
    assert_int_equal(r.rows_read, 9); /* the skipped three are not read */
    assert_int_equal(r.rows_accepted, 3);
    assert_int_equal(r.rows_rejected, 6);
    assert_int_equal(
        fw_ingest_file(st, fwt_fixture("incidents/bellingcat_small.json"), NULL,
                       NULL, &r, &d),
        FW_OK);
    assert_int_equal(r.kind, FW_SOURCE_BELLINGCAT);
    assert_int_equal(r.rows_accepted, 6);
    assert_int_equal(r.rows_rejected, 4);
    assert_int_equal(scalar(st, "SELECT count(*) FROM ingest_issue WHERE "
                                "feature = 6 AND reason LIKE '%T007%'"),
                     1);

    /* Kharkiv's square, 2022-03-01..05, 25 km: CIR UX0001, UX0002,
     * UX0009; Bellingcat T001 (the same incident as UX0001), T002 (294 m
     * away: another), T004, T010, T011 */
    struct fw_strike_count c = count(st, 49.9935, 36.2304, 25, "2022-03-01",
                                     "2022-03-06", FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_by_source[FW_INCIDENTS_CIR], 3);
    assert_int_equal(c.n_by_source[FW_INCIDENTS_BELLINGCAT], 5);
    assert_int_equal(c.n_same, 1);
    assert_int_equal(c.n_strikes, 7);
    /* the spans, as seen at the window's end (Moscow's 2023 strike is
     * after it) */
    assert_true(c.span[FW_INCIDENTS_CIR].has_data);
    assert_true(c.span[FW_INCIDENTS_CIR].oldest_s == fwt_day_s("2022-03-01"));
    assert_true(c.span[FW_INCIDENTS_CIR].newest_s == fwt_day_s("2022-03-05"));
    assert_true(c.span[FW_INCIDENTS_BELLINGCAT].newest_s ==
                fwt_day_s("2022-03-05"));
    c = count(st, 49.9935, 36.2304, 25, "2022-03-01", "2023-06-01",
              FW_INCIDENTS_ALL_SOURCES);
    assert_true(c.span[FW_INCIDENTS_BELLINGCAT].newest_s ==
                fwt_day_s("2023-05-30"));
    /* windows are half-open: the first day alone */
    c = count(st, 49.9935, 36.2304, 25, "2022-03-01", "2022-03-02",
              FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_strikes, 2); /* UX0001 = T001, T002 */
    /* one source: no duplicates to drop */
    c = count(st, 49.9935, 36.2304, 25, "2022-03-01", "2022-03-02",
              1u << FW_INCIDENTS_BELLINGCAT);
    assert_int_equal(c.n_strikes, 2);
    assert_int_equal(c.n_same, 0);
    assert_int_equal(c.n_by_source[FW_INCIDENTS_CIR], 0);
    /* 250 m: T002 (294 m) is out, UX0001 = T001 in */
    c = count(st, 49.9935, 36.2304, 0.25, "2022-03-01", "2022-03-02",
              FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_strikes, 1);
    /* Moscow */
    c = count(st, 55.75, 37.54, 25, "2023-01-01", "2024-01-01",
              FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_strikes, 1);
    /* before the data: nothing, and no span */
    c = count(st, 49.9935, 36.2304, 25, "2021-01-01", "2022-01-01",
              FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_strikes, 0);
    assert_false(c.span[FW_INCIDENTS_CIR].has_data);
    assert_int_equal(fw_incidents_count_near(st, NAN, 36.2, 25, 0, 1,
                                             FW_INCIDENTS_ALL_SOURCES, &c, &d),
                     FW_EUSAGE);
    assert_int_equal(fw_incidents_count_near(st, 49.9, 36.2, 0, 0, 1,
                                             FW_INCIDENTS_ALL_SOURCES, &c, &d),
                     FW_EUSAGE);
    assert_int_equal(fw_incidents_count_near(st, 49.9, 36.2, 25, 1, 0,
                                             FW_INCIDENTS_ALL_SOURCES, &c, &d),
                     FW_EUSAGE);
    assert_int_equal(
        fw_incidents_count_near(st, 49.9, 36.2, 25, 0, 1, 4u, &c, &d),
        FW_EUSAGE);
    struct fw_event_span sp;
    assert_int_equal(fw_incidents_span(st, NULL, 0, &sp, &d), FW_EUSAGE);
    /* a pole and the antimeridian search every longitude */
    c = count(st, 89.9, 0, 25, "2022-01-01", "2024-01-01",
              FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_strikes, 0);
    c = count(st, 50, 179.9, 25, "2022-01-01", "2024-01-01",
              FW_INCIDENTS_ALL_SOURCES);
    assert_int_equal(c.n_strikes, 0);

    /* a broken file fails with the store unchanged */
    long long n_events = scalar(st, "SELECT count(*) FROM event");
    long long n_logs = scalar(st, "SELECT count(*) FROM ingest_log");
    assert_int_equal(
        fw_ingest_file(st, fwt_fixture("incidents/bellingcat_broken.json"),
                       NULL, NULL, &r, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 29);
    assert_has(d.file, "bellingcat_broken.json");
    assert_int_equal(scalar(st, "SELECT count(*) FROM event"), n_events);
    assert_int_equal(scalar(st, "SELECT count(*) FROM ingest_log"), n_logs);
    /* a newer CIR table that fails at its third row: the older one's
     * events stay (the replacement is rolled back with the file) */
    char path[256];
    snprintf(path, sizeof path, "%s/events.csv", tmp.dir);
    write_file(path, CIR_HEADER
               "B1,2022-04-01,Civilian Casualty,49.99,36.23,Ukraine\n"
               "B2,2022-04-02,Civilian Casualty,49.99,36.23\n");
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_int_equal(scalar(st, "SELECT count(*) FROM event"), n_events);
    assert_int_equal(scalar(st, "SELECT count(*) FROM event WHERE "
                                "source = 'cir'"),
                     3);
    /* a newer table that reads replaces the older one's events */
    write_file(path, CIR_HEADER
               "B1,2022-04-01,Civilian Casualty,49.99,36.23,Ukraine\n");
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(scalar(st, "SELECT count(*) FROM event WHERE "
                                "source = 'cir'"),
                     1);
    assert_int_equal(scalar(st, "SELECT count(*) FROM event WHERE "
                                "source = 'bellingcat'"),
                     6);
    unlink(path);
    fw_store_close(st);
    fwt_temp_store_remove(&tmp);
}

/* ---- the count against brute force ------------------------------------------
 */

static uint64_t g_rng = 88172645463325252ULL;

static double uniform(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) / 9007199254740992.0;
}

#define N_RANDOM 600

struct rpoint {
    double lat, lon;
    int day;
};

static void test_count_oracle(void **state)
{
    (void)state;
    struct fwt_temp tmp;
    assert_int_equal(fwt_temp_store(&tmp, "incoracle"), 0);
    /* random strikes around two centres (Kharkiv, and 59.5 N where a
     * degree of longitude is 56 km), over 60 days, as a CIR table */
    static const double centre[2][2] = {{49.99, 36.23}, {59.5, 30.0}};
    struct rpoint *pt = calloc(N_RANDOM, sizeof *pt);
    assert_non_null(pt);
    size_t cap = 64 + (size_t)N_RANDOM * 96;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t used = (size_t)snprintf(csv, cap, CIR_HEADER);
    for (int i = 0; i < N_RANDOM; i++) {
        const double *c = centre[i % 2];
        pt[i].lat = c[0] + (uniform() - 0.5) * 1.0;
        pt[i].lon = c[1] + (uniform() - 0.5) * 1.6;
        pt[i].day = (int)(uniform() * 60);
        char date[11];
        fw_date_format_day(fwt_day_s("2022-03-01") + pt[i].day * FW_DAY_S, date);
        used += (size_t)snprintf(csv + used, cap - used,
                                 "R%d,%s,Bombing or Explosion,%.6f,%.6f,"
                                 "Ukraine\n",
                                 i, date, pt[i].lat, pt[i].lon);
        /* the table holds what it printed */
        pt[i].lat = round(pt[i].lat * 1e6) / 1e6;
        pt[i].lon = round(pt[i].lon * 1e6) / 1e6;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/events.csv", tmp.dir);
    write_file(path, csv);
    free(csv);
    fw_store *st = NULL;
    struct fw_diag d;
    struct fw_ingest_result r;
    assert_int_equal(fw_store_open(tmp.db, FW_STORE_WRITE, &st, &d), FW_OK);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(r.rows_accepted, N_RANDOM);

    static const double radii[] = {1, 5, 10, 25, 40};
    static const int windows[][2] = {{0, 60}, {10, 17}, {30, 60}, {59, 60}};
    long total = 0;
    for (int k = 0; k < 2; k++) {
        for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++) {
            for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
                int64_t t0 = fwt_day_s("2022-03-01") + windows[w][0] * FW_DAY_S;
                int64_t t1 = fwt_day_s("2022-03-01") + windows[w][1] * FW_DAY_S;
                long want = 0;
                for (int i = 0; i < N_RANDOM; i++) {
                    if (pt[i].day >= windows[w][0] &&
                        pt[i].day < windows[w][1] &&
                        fw_geo_distance_km(centre[k][0], centre[k][1],
                                           pt[i].lat, pt[i].lon) <= radii[ri]) {
                        want++;
                    }
                }
                struct fw_strike_count c;
                assert_int_equal(fw_incidents_count_near(
                                     st, centre[k][0], centre[k][1], radii[ri],
                                     t0, t1, FW_INCIDENTS_ALL_SOURCES, &c, &d),
                                 FW_OK);
                if (c.n_strikes != want) {
                    fail_msg("centre %d, %.0f km, days %d..%d: %ld, brute "
                             "force %ld",
                             k, radii[ri], windows[w][0], windows[w][1],
                             c.n_strikes, want);
                }
                total += want;
            }
        }
    }
    assert_true(total > 100); /* the test counts something */
    free(pt);
    fw_store_close(st);
    unlink(path);
    fwt_temp_store_remove(&tmp);
}

/* The in-memory count of many points (fw_strike_set, the forecasts'
 * features) equals the store's count (fw_incidents_count_near) on the real
 * tables, where both sources overlap (2022: the duplicates counted once)
 * and with each source alone, and the spans agree. */
static void test_strike_set_real(void **state)
{
    (void)state;
    /* fwt_shared's answer lives until its next call */
    const char *bc = fwt_shared_or_skip(
        "events/bellingcat_civilian_harm_2024-06-02.json");
    if (bc == NULL) {
        return;
    }
    char bc_path[1024];
    snprintf(bc_path, sizeof bc_path, "%s", bc);
    const char *cir =
        fwt_shared_or_skip("events/cir_russia_ukraine_monitor_events.csv");
    if (cir == NULL) {
        return;
    }
    struct fwt_temp tmp;
    assert_int_equal(fwt_temp_store(&tmp, "incset"), 0);
    fw_store *st = NULL;
    struct fw_diag d;
    struct fw_ingest_result r;
    assert_int_equal(fw_store_open(tmp.db, FW_STORE_WRITE, &st, &d), FW_OK);
    assert_int_equal(fw_ingest_file(st, bc_path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(fw_ingest_file(st, cir, NULL, NULL, &r, &d), FW_OK);
    fw_strike_set *set = NULL;
    assert_int_equal(fw_strike_set_load(st, &set, &d), FW_OK);

    /* Kharkiv, Mykolaiv, Kherson, Kyiv, Bakhmut, Lviv */
    static const double pts[][2] = {{49.9935, 36.2304}, {46.9750, 31.9946},
                                    {46.6354, 32.6169}, {50.4501, 30.5234},
                                    {48.5956, 38.0002}, {49.8397, 24.0297}};
    static const char *const starts[] = {"2022-02-20", "2022-03-10",
                                         "2022-07-01", "2022-10-15",
                                         "2023-06-01", "2024-05-01"};
    static const int lengths[] = {7, 30, 90};
    static const unsigned masks[] = {1u, 2u, FW_INCIDENTS_ALL_SOURCES};
    long total = 0, same = 0;
    for (size_t p = 0; p < sizeof pts / sizeof *pts; p++) {
        struct fw_strike_near nr;
        assert_int_equal(fw_strike_set_near(set, pts[p][0], pts[p][1], 25.0,
                                            &nr, &d),
                         FW_OK);
        for (size_t w = 0; w < sizeof starts / sizeof *starts; w++) {
            for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
                int64_t t0 = fwt_day_s(starts[w]);
                int64_t t1 = t0 + lengths[l] * FW_DAY_S;
                for (size_t m = 0; m < sizeof masks / sizeof *masks; m++) {
                    struct fw_strike_count c;
                    assert_int_equal(fw_incidents_count_near(
                                         st, pts[p][0], pts[p][1], 25.0, t0,
                                         t1, masks[m], &c, &d),
                                     FW_OK);
                    long got = fw_strike_near_count(&nr, t0, t1, masks[m]);
                    if (got != c.n_strikes) {
                        fail_msg("point %zu, %s + %d days, mask %u: in "
                                 "memory %ld, store %ld",
                                 p, starts[w], lengths[l], masks[m], got,
                                 c.n_strikes);
                    }
                    total += got;
                    same += c.n_same;
                }
            }
        }
        fw_strike_near_free(&nr);
    }
    assert_true(total > 1000); /* the windows hold strikes */
    assert_true(same > 10);    /* and duplicates the count drops */
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        for (size_t w = 0; w < sizeof starts / sizeof *starts; w++) {
            struct fw_event_span a, b;
            assert_int_equal(
                fw_incidents_span(
                    st, fw_incidents_source_name((enum fw_incident_source)i),
                    fwt_day_s(starts[w]), &a, &d),
                FW_OK);
            fw_strike_set_span(set, (enum fw_incident_source)i,
                               fwt_day_s(starts[w]), &b);
            assert_int_equal(a.has_data, b.has_data);
            if (a.has_data) {
                assert_int_equal(a.oldest_s, b.oldest_s);
                assert_int_equal(a.newest_s, b.newest_s);
            }
        }
    }
    struct fw_strike_near bad;
    assert_int_equal(fw_strike_set_near(set, 91.0, 30.0, 25.0, &bad, &d),
                     FW_EUSAGE);
    assert_int_equal(fw_strike_set_near(set, 50.0, 30.0, 0.0, &bad, &d),
                     FW_EUSAGE);
    fw_strike_set_free(set);
    fw_store_close(st);
    fwt_temp_store_remove(&tmp);
}

/* ---- assess ---------------------------------------------------------------
 */

static char *assess_json(const struct fw_assessment *a)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    fw_assess_write_json(a, f);
    fclose(f);
    return txt;
}

static char *assess_text(const struct fw_assessment *a)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    fw_assess_write_text(a, f);
    fclose(f);
    return txt;
}

/* A strike every tenth day of 2022 from 01-01 (day 0) to 12-27 (day 360),
 * 10 km north of the place: the strike indicators, counted by hand, and
 * unknown where the data does not reach. */
static void test_assess_strikes(void **state)
{
    (void)state;
    struct fwt_temp tmp;
    assert_int_equal(fwt_temp_store(&tmp, "incassess"), 0);
    char *csv = malloc(8192);
    assert_non_null(csv);
    size_t used = (size_t)snprintf(csv, 8192, CIR_HEADER);
    for (int k = 0; k <= 36; k++) {
        char date[11];
        fw_date_format_day(fwt_day_s("2022-01-01") + k * 10 * FW_DAY_S, date);
        used += (size_t)snprintf(csv + used, 8192 - used,
                                 "S%d,%s,Civilian Casualty,50.09,36.0,"
                                 "Ukraine\n"
                                 "F%d,%s,Civilian Casualty,50.5,36.0,"
                                 "Ukraine\n",
                                 k, date, k, date);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/events.csv", tmp.dir);
    write_file(path, csv);
    free(csv);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_diag d;
    struct fw_ingest_result r;
    assert_int_equal(fw_store_open(tmp.db, FW_STORE_WRITE, &st, &d), FW_OK);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(fw_geo_new(st, &g, &d), FW_OK);
    struct fw_place pl = {.id = 1,
                          .name = "Test",
                          .oblast_iso = "UA-63",
                          .lat_deg = 50.0,
                          .lon_deg = 36.0,
                          .population = -1};
    struct fw_assessment *a = malloc(sizeof *a);
    assert_non_null(a);

    /* 2022-06-30 is day 180: 7 days 174..180 hold day 180; 30 days
     * 151..180 hold 160, 170, 180; the 90 before, 61..150, hold 70..150 */
    assert_int_equal(fw_assess(st, g, &pl, fwt_day_s("2022-06-30"), a, &d), FW_OK);
    const struct fw_strike_load *sl = &a->strikes;
    assert_near(sl->n_7d, 1, 0);
    assert_near(sl->n_30d, 3, 0);
    assert_near(sl->n_prev90d, 9, 0);
    assert_near(sl->ratio, 1.0, 1e-12);
    assert_int_equal(sl->sources_30d, 1u << FW_INCIDENTS_CIR);
    assert_true(isnan(sl->waves_oblast_30d)); /* no missile table */
    assert_string_equal(sl->sources[FW_INCIDENTS_CIR].name, "cir");
    assert_false(sl->sources[FW_INCIDENTS_CIR].is_stale);
    assert_false(sl->sources[FW_INCIDENTS_BELLINGCAT].has_data);
    char *j = assess_json(a);
    assert_has(j, "\"alert_hours_prev90d\":null,\"strikes_25km_7d\":1,"
                  "\"strikes_25km_30d\":3,\"strikes_25km_ratio\":1,"
                  "\"strike_waves_oblast_30d\":null,");
    assert_has(j, "{\"name\":\"bellingcat\",\"newest\":null},{\"name\":\"cir\","
                  "\"newest\":\"2022-06-30\",\"stale\":false},{\"name\":"
                  "\"missile_attacks_daily\",\"newest\":null},{\"name\":"
                  "\"iom_dtm\",\"newest\":null},{\"name\":"
                  "\"slac_monitoring\",\"newest\":null}]");
    free(j);
    char *txt = assess_text(a);
    assert_has(txt, "Strikes within 25 km (geocoded incidents: cir):\n"
                    "  last 7 days        1\n"
                    "  last 30 days       3   previous 90 days: 3.0 per 30 "
                    "days (now 1.0x)\n"
                    "  attack waves aimed at Kharkiv oblast, last 30 days: "
                    "unknown (no missile-table data up to this date)\n");
    assert_has(txt, "  cir                 newest 2022-06-30 (0 days)\n");
    free(txt);

    /* day 59: 7 days 53..59 hold none (a known 0), 30 days 30..59 hold 30,
     * 40, 50; the 120 days start before the data: no baseline */
    assert_int_equal(fw_assess(st, g, &pl, fwt_day_s("2022-03-01"), a, &d), FW_OK);
    assert_near(sl->n_7d, 0, 0);
    assert_near(sl->n_30d, 3, 0);
    assert_true(isnan(sl->n_prev90d));
    assert_true(isnan(sl->ratio));
    txt = assess_text(a);
    assert_has(txt, "previous 90 days: unknown (the incident data starts on "
                    "2022-01-01)");
    free(txt);

    /* day 4: even 7 days reach before the data */
    assert_int_equal(fw_assess(st, g, &pl, fwt_day_s("2022-01-05"), a, &d), FW_OK);
    assert_true(isnan(sl->n_7d) && isnan(sl->n_30d));
    j = assess_json(a);
    assert_has(j, "\"strikes_25km_7d\":null,\"strikes_25km_30d\":null,"
                  "\"strikes_25km_ratio\":null");
    free(j);

    /* the last strike is on 2022-12-27: 14 days later it still counts
     * (30 days: 350, 360), 15 days later it is stale and unknown */
    assert_int_equal(fw_assess(st, g, &pl, fwt_day_s("2023-01-10"), a, &d), FW_OK);
    assert_near(sl->n_7d, 0, 0);
    assert_near(sl->n_30d, 2, 0);
    assert_int_equal(fw_assess(st, g, &pl, fwt_day_s("2023-01-11"), a, &d), FW_OK);
    assert_true(isnan(sl->n_7d) && isnan(sl->n_30d) && isnan(sl->ratio));
    assert_true(sl->sources[FW_INCIDENTS_CIR].is_stale);
    j = assess_json(a);
    assert_has(j, "{\"name\":\"cir\",\"newest\":\"2022-12-27\","
                  "\"stale\":true}");
    free(j);
    txt = assess_text(a);
    assert_has(txt, "Strikes within 25 km (geocoded incidents):\n"
                    "  unknown: the incident data ends on 2022-12-27\n");
    assert_has(txt, "  cir                 newest 2022-12-27 (15 days)  "
                    "STALE\n");
    free(txt);

    free(a);
    fw_geo_free(g);
    fw_store_close(st);
    unlink(path);
    fwt_temp_store_remove(&tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cir_rows),
        cmocka_unit_test(test_bellingcat_rows),
        cmocka_unit_test(test_bellingcat_bad_files),
        cmocka_unit_test(test_regress_type_cut_utf8),
        cmocka_unit_test(test_cir_bad_files),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_count_oracle),
        cmocka_unit_test(test_strike_set_real),
        cmocka_unit_test(test_assess_strikes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
