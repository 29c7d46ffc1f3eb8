/*
 * test_alerts.c - the alert readers (alerts.h) on the real dataset in
 * ../shared/data/alerts (counts and totals computed independently with
 * Python, commands beside each value) and on hand-made fixtures in
 * tests/data/alerts (edge cases, and broken files with exact positions).
 *
 * The Python commands are wrapped to fit: join their lines with a space and
 * run them in ../shared/data/alerts; "->" gives what they print.
 */
#include "fwtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontwatch/alerts.h"
#include "frontwatch/date.h"
#include "frontwatch/io.h"

#define MAX_KEPT 16

/* A sink that counts what it gets and keeps a few details. */
struct tsink {
    size_t n_alerts, n_rejected, n_repaired, n_naive;
    size_t n_official, n_volunteer, n_by_level[4];
    long reject_lines[MAX_KEPT];
    char reject_reasons[MAX_KEPT][256];
    long repair_lines[MAX_KEPT];
    char repair_what[MAX_KEPT][128];
    /* the first alert, and the first one after each repair */
    struct fw_alert_rec first;
    char first_iso[8];
    int first_has_raion;
    int repair_pending;
    char repaired_iso[MAX_KEPT][8];
    char repaired_raion[MAX_KEPT][128];
    char repaired_hromada[MAX_KEPT][128];
    /* Kharkiv oblast, oblast level, started in 2023 */
    size_t n_kharkiv_2023;
    int64_t kharkiv_2023_s;
    /* Luhansk oblast */
    size_t n_luhansk;
    int64_t luhansk_start_s;
    /* regions */
    size_t n_regions[4];
    char state_iso[64][8]; /* by stateId; "" when unknown or not seen */
    size_t n_state_no_iso;
    long raion_parent_of_116;
    long hromada_parent_of_1198;
    char hromada_name_1198[128];
    /* progress */
    size_t n_progress;
    size_t last_done, last_total;
    int progress_went_back;
    /* when > 0, the n-th alert is refused with FW_ESQL */
    size_t fail_at;
};

static fw_err t_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct tsink *t = ctx;
    t->n_alerts++;
    if (t->fail_at > 0 && t->n_alerts == t->fail_at) {
        return FW_ESQL;
    }
    assert_non_null(a->oblast_iso);
    assert_true(a->end_s >= a->start_s);
    if (t->n_alerts == 1) {
        t->first = *a;
        snprintf(t->first_iso, sizeof t->first_iso, "%s", a->oblast_iso);
        t->first_has_raion = a->raion != NULL;
    }
    if (strcmp(a->source, "official") == 0) {
        t->n_official++;
    } else if (strcmp(a->source, "volunteer") == 0) {
        t->n_volunteer++;
    }
    t->n_by_level[a->level]++;
    t->n_naive += a->is_naive != 0;
    if (t->repair_pending && t->n_repaired <= MAX_KEPT) {
        size_t k = t->n_repaired - 1;
        snprintf(t->repaired_iso[k], 8, "%s", a->oblast_iso);
        snprintf(t->repaired_raion[k], 128, "%s",
                 a->raion != NULL ? a->raion : "(null)");
        snprintf(t->repaired_hromada[k], 128, "%s",
                 a->hromada != NULL ? a->hromada : "(null)");
    }
    t->repair_pending = 0;
    if (strcmp(a->oblast_iso, "UA-63") == 0 && a->level == FW_ALERT_OBLAST &&
        a->start_s >= fw_date_from_civil(2023, 1, 1, 0, 0, 0) &&
        a->start_s < fw_date_from_civil(2024, 1, 1, 0, 0, 0)) {
        t->n_kharkiv_2023++;
        t->kharkiv_2023_s += a->end_s - a->start_s;
    }
    if (strcmp(a->oblast_iso, "UA-09") == 0) {
        t->n_luhansk++;
        t->luhansk_start_s = a->start_s;
    }
    return FW_OK;
}

static void t_reject(void *ctx, long line, long feature, const char *reason)
{
    struct tsink *t = ctx;
    assert_int_equal(feature, -1);
    if (t->n_rejected < MAX_KEPT) {
        t->reject_lines[t->n_rejected] = line;
        snprintf(t->reject_reasons[t->n_rejected], 256, "%s", reason);
    }
    t->n_rejected++;
}

static void t_repair(void *ctx, long line, long feature, const char *what)
{
    struct tsink *t = ctx;
    assert_int_equal(feature, -1);
    if (t->n_repaired < MAX_KEPT) {
        t->repair_lines[t->n_repaired] = line;
        snprintf(t->repair_what[t->n_repaired], 128, "%s", what);
    }
    t->n_repaired++;
    t->repair_pending = 1;
}

static void t_progress(void *ctx, size_t done, size_t total)
{
    struct tsink *t = ctx;
    if (done < t->last_done) {
        t->progress_went_back = 1;
    }
    t->n_progress++;
    t->last_done = done;
    t->last_total = total;
}

static fw_err t_region(void *ctx, const struct fw_region_rec *r)
{
    struct tsink *t = ctx;
    assert_non_null(r->name);
    t->n_regions[r->level]++;
    if (r->level == FW_ALERT_OBLAST) {
        assert_int_equal(r->parent_id, 0);
        if (r->oblast_iso == NULL) {
            t->n_state_no_iso++;
        } else if (r->id >= 0 && r->id < 64) {
            snprintf(t->state_iso[r->id], 8, "%s", r->oblast_iso);
        }
    }
    if (r->level == FW_ALERT_RAION && r->id == 116) {
        t->raion_parent_of_116 = r->parent_id;
    }
    if (r->level == FW_ALERT_HROMADA && r->id == 1198) {
        t->hromada_parent_of_1198 = r->parent_id;
        snprintf(t->hromada_name_1198, 128, "%s", r->name);
    }
    return FW_OK;
}

static struct fw_sink make_sink(struct tsink *t)
{
    memset(t, 0, sizeof *t);
    struct fw_sink s = {
        .ctx = t,
        .alert = t_alert,
        .region = t_region,
        .reject = t_reject,
        .repair = t_repair,
        .progress = t_progress,
    };
    return s;
}

static char *read_or_fail(const char *path, size_t *len)
{
    char *buf = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, len, &d),
                     FW_OK);
    return buf;
}

typedef fw_err (*reader_fn)(const char *, size_t, const struct fw_sink *,
                            struct fw_diag *);

/* Reads file with reader into a fresh sink t; returns the reader's result
 * with the diagnostics in *d. */
static fw_err read_with(reader_fn reader, const char *path, struct tsink *t,
                        struct fw_diag *d)
{
    size_t len = 0;
    char *buf = read_or_fail(path, &len);
    struct fw_sink s = make_sink(t);
    fw_diag_reset(d);
    fw_err e = reader(buf, len, &s, d);
    free(buf);
    return e;
}

/* ---- the real dataset --------------------------------------------------- */

static void test_official_real(void **state)
{
    (void)state;
    const char *path = fwt_shared_or_skip("alerts/official_data_en.csv");
    if (path == NULL) {
        return;
    }
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_with(fw_alerts_read_csv, path, &t, &d), FW_OK);

    /* rows, rows with oblast and raion swapped, rows to reject:
     * python3 -c "import csv;r=list(csv.reader(
     * open('official_data_en.csv',newline='')))[1:];ob=lambda s:s.endswith(
     * ' oblast') or s=='Kyiv City';print(len(r),sum(not ob(x[0]) and ob(x[1])
     * for x in r),sum((not ob(x[0]) and not ob(x[1])) or x[5]=='' or x[5]<x[4]
     * for x in r))"
     * -> 34855 1 0 */
    assert_int_equal(t.n_alerts, 34855);
    assert_int_equal(t.n_rejected, 0);
    assert_int_equal(t.n_repaired, 1);
    assert_int_equal(t.n_official, 34855);
    assert_int_equal(t.n_volunteer, 0);
    assert_int_equal(t.n_naive, 0);

    /* Line 18: "Lubenskyi raion,Poltavska oblast,Hrebinkivska ..." */
    assert_int_equal(t.repair_lines[0], 18);
    assert_string_equal(t.repair_what[0], "oblast and raion columns swapped");
    assert_string_equal(t.repaired_iso[0], "UA-53");
    assert_string_equal(t.repaired_raion[0], "Lubenskyi raion");
    assert_string_equal(t.repaired_hromada[0],
                        "Hrebinkivska terytorialna hromada");

    /* levels: python3 -c "import csv,collections;print(collections.Counter(
     * x['level'] for x in csv.DictReader(open('official_data_en.csv',
     * newline=''))))" -> oblast 29876, hromada 4083, raion 896 */
    assert_int_equal(t.n_by_level[FW_ALERT_OBLAST], 29876);
    assert_int_equal(t.n_by_level[FW_ALERT_RAION], 896);
    assert_int_equal(t.n_by_level[FW_ALERT_HROMADA], 4083);

    /* First row: Vinnytska oblast, 2022-03-15 16:10:34 .. 16:50:07 UTC
     * (date -ud '2022-03-15 16:10:34' +%s -> 1647360634, 16:50:07 ->
     * 1647363007). */
    assert_string_equal(t.first_iso, "UA-05");
    assert_int_equal(t.first.level, FW_ALERT_OBLAST);
    assert_int_equal(t.first.start_s, 1647360634);
    assert_int_equal(t.first.end_s, 1647363007);
    assert_false(t.first_has_raion);

    /* The single Luhansk row (line 926), although the source says the
     * permanent Luhansk siren is not listed: 2022-03-24 11:28:27 UTC. */
    assert_int_equal(t.n_luhansk, 1);
    assert_int_equal(t.luhansk_start_s,
                     fw_date_from_civil(2022, 3, 24, 11, 28, 27));

    /* Oblast-level alerts in Kharkiv oblast started in 2023, plain sum of
     * durations:
     * python3 -c "import csv,datetime as D;f=D.datetime.fromisoformat;r=[x
     * for x in csv.DictReader(open('official_data_en.csv',newline='')) if
     * x['oblast']=='Kharkivska oblast' and x['level']=='oblast' and
     * x['started_at'][:4]=='2023'];s=sum((f(x['finished_at'])-f(
     * x['started_at'])).total_seconds() for x in r);print(len(r),s,s/3600)"
     * -> 1655 4690159.0 1302.8219444444444 */
    assert_int_equal(t.n_kharkiv_2023, 1655);
    assert_int_equal(t.kharkiv_2023_s, 4690159);
    assert_float_equal(t.kharkiv_2023_s / 3600.0, 1302.8219444, 1e-6);

    /* progress: every 4096 rows (8 times for 34855 rows), then at the end */
    assert_int_equal(t.n_progress, 34855 / 4096 + 1);
    assert_false(t.progress_went_back);
    assert_int_equal(t.last_done, t.last_total);
}

static void test_volunteer_real(void **state)
{
    (void)state;
    const char *path = fwt_shared_or_skip("alerts/volunteer_data_en.csv");
    if (path == NULL) {
        return;
    }
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_with(fw_alerts_read_csv, path, &t, &d), FW_OK);

    /* python3 -c "import csv;r=list(
     * csv.DictReader(open('volunteer_data_en.csv',newline='')));print(len(r),
     * sum(x['naive']=='True' for x in r),sum(x['region']=='Luhanska oblast'
     * for x in r),sum(x['finished_at']<x['started_at'] for x in r))"
     * -> 34288 1471 3 0 */
    assert_int_equal(t.n_alerts, 34288);
    assert_int_equal(t.n_rejected, 0);
    assert_int_equal(t.n_repaired, 0);
    assert_int_equal(t.n_naive, 1471);
    assert_int_equal(t.n_luhansk, 3);
    assert_int_equal(t.n_volunteer, 34288);
    assert_int_equal(t.n_by_level[FW_ALERT_OBLAST], 34288);

    /* first row: Kyiv City,2022-02-25 16:36:22+00:00,...17:06:22,True */
    assert_string_equal(t.first_iso, "UA-30");
    assert_int_equal(t.first.start_s,
                     fw_date_from_civil(2022, 2, 25, 16, 36, 22));
    assert_int_equal(t.first.end_s - t.first.start_s, 30 * 60);
    assert_int_equal(t.first.is_naive, 1);
}

static void test_regions_real(void **state)
{
    (void)state;
    const char *path = fwt_shared_or_skip("alerts/states.json");
    if (path == NULL) {
        return;
    }
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_with(fw_alerts_read_regions, path, &t, &d), FW_OK);

    /* python3 -c "import json;s=json.load(open(
     * 'states.json'))['states'];print(len(s),sum(len(x['districts']) for x
     * in s),sum(len(d['communities']) for x in s for d in x['districts']))"
     * -> 25 122 1458 (no Crimea, no Sevastopol) */
    assert_int_equal(t.n_regions[FW_ALERT_OBLAST], 25);
    assert_int_equal(t.n_regions[FW_ALERT_RAION], 122);
    assert_int_equal(t.n_regions[FW_ALERT_HROMADA], 1458);

    /* every state resolves, each to its own oblast */
    assert_int_equal(t.n_state_no_iso, 0);
    size_t n_distinct = 0;
    for (size_t i = 0; i < 64; i++) {
        if (t.state_iso[i][0] == '\0') {
            continue;
        }
        n_distinct++;
        for (size_t k = 0; k < i; k++) {
            assert_string_not_equal(t.state_iso[i], t.state_iso[k]);
        }
    }
    assert_int_equal(n_distinct, 25);
    assert_string_equal(t.state_iso[22], "UA-63"); /* Харківська область */
    assert_string_equal(t.state_iso[31], "UA-30"); /* м. Київ */
    assert_string_equal(t.state_iso[14], "UA-32"); /* Київська область */
    assert_string_equal(t.state_iso[16], "UA-09"); /* Луганська область */
}

/* ---- hand-made fixtures ------------------------------------------------- */

static void test_official_fixture(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_with(fw_alerts_read_csv,
                               fwt_fixture("alerts/official_small.csv"), &t,
                               &d),
                     FW_OK);
    /* accepted: lines 2, 3, 4 (repaired), 5, 9-10, 12 */
    assert_int_equal(t.n_alerts, 6);
    assert_int_equal(t.n_repaired, 1);
    assert_int_equal(t.repair_lines[0], 4);
    assert_string_equal(t.repaired_iso[0], "UA-53");
    assert_string_equal(t.repaired_raion[0], "Lubenskyi raion");
    assert_int_equal(t.n_by_level[FW_ALERT_OBLAST], 3);
    assert_int_equal(t.n_by_level[FW_ALERT_RAION], 1);
    assert_int_equal(t.n_by_level[FW_ALERT_HROMADA], 2);

    assert_int_equal(t.n_rejected, 4);
    assert_int_equal(t.reject_lines[0], 6);
    assert_string_equal(t.reject_reasons[0],
                        "unknown oblast 'Atlantis oblast'");
    assert_int_equal(t.reject_lines[1], 7);
    assert_non_null(strstr(t.reject_reasons[1], "ends before it starts"));
    assert_int_equal(t.reject_lines[2], 8);
    assert_non_null(strstr(t.reject_reasons[2], "alert has no end"));
    assert_int_equal(t.reject_lines[3], 13);
    assert_non_null(strstr(t.reject_reasons[3], "empty hromada"));
}

/* Records hromada names and Kyiv City alerts of the fixture. */
struct names {
    char hromada[4][128];
    size_t n;
    int64_t kyiv_start_s;
};

static fw_err names_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct names *n = ctx;
    if (a->hromada != NULL && n->n < 4) {
        snprintf(n->hromada[n->n++], 128, "%s", a->hromada);
    }
    if (strcmp(a->oblast_iso, "UA-30") == 0) {
        n->kyiv_start_s = a->start_s;
    }
    return FW_OK;
}

static void test_official_fixture_values(void **state)
{
    (void)state;
    size_t len = 0;
    char *buf = read_or_fail(fwt_fixture("alerts/official_small.csv"), &len);
    struct names n = {0};
    struct fw_sink s = {.ctx = &n, .alert = names_alert};
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_csv(buf, len, &s, &d), FW_OK);
    assert_int_equal(n.n, 2);
    assert_string_equal(n.hromada[0], "Hrebinkivska terytorialna hromada");
    /* quoted: comma, doubled quotes and a CRLF inside the field */
    assert_string_equal(n.hromada[1], "Toretska, \"quoted\"\r\nhromada");
    assert_int_equal(n.kyiv_start_s,
                     fw_date_from_civil(2022, 3, 15, 16, 19, 20));

    /* A NULL sink, or one without callbacks, drops everything. */
    assert_int_equal(fw_alerts_read_csv(buf, len, NULL, &d), FW_OK);
    struct fw_sink empty = {0};
    assert_int_equal(fw_alerts_read_csv(buf, len, &empty, &d), FW_OK);
    free(buf);
}

static void test_volunteer_fixture(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_with(fw_alerts_read_csv,
                               fwt_fixture("alerts/volunteer_small.csv"), &t,
                               &d),
                     FW_OK);
    assert_int_equal(t.n_alerts, 3);
    assert_int_equal(t.n_naive, 2);
    assert_int_equal(t.n_luhansk, 1);
    assert_int_equal(t.n_rejected, 1);
    assert_int_equal(t.reject_lines[0], 4);
    assert_string_equal(t.reject_reasons[0], "unknown oblast 'Ukraine'");
    assert_int_equal(t.n_volunteer, 3);
}

static void test_columns_found_by_name(void **state)
{
    (void)state;
    const char in[] = "naive,finished_at,region,started_at\n"
                      "False,2022-02-25 19:32:11+00:00,Cherkaska oblast,"
                      "2022-02-25 18:36:21+00:00\n";
    struct tsink t;
    struct fw_sink s = make_sink(&t);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_csv(in, sizeof in - 1, &s, &d), FW_OK);
    assert_int_equal(t.n_alerts, 1);
    assert_string_equal(t.first_iso, "UA-71");
    assert_int_equal(t.first.end_s - t.first.start_s, 55 * 60 + 50);
    assert_int_equal(t.first.is_naive, 0);
}

/* Reads the fixture, expecting err at line:col. */
static void expect_csv_error(const char *fixture, fw_err err, long line,
                             long col, const char *msg_part)
{
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(
        read_with(fw_alerts_read_csv, fwt_fixture(fixture), &t, &d), err);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    if (msg_part != NULL && strstr(d.msg, msg_part) == NULL) {
        fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
    }
}

static void test_csv_broken_files(void **state)
{
    (void)state;
    /* the quote opened on line 3 is never closed */
    expect_csv_error("alerts/bad_unterminated_quote.csv", FW_EPARSE, 3, 0,
                     "unterminated");
    /* line 3: "Vinnytska oblast,,,oblast," is 26 bytes, so column 27 */
    expect_csv_error("alerts/bad_date_format.csv", FW_EPARSE, 3, 27,
                     "started_at: '15/03/2022 16:10' is not a timestamp "
                     "(expected YYYY-MM-DD HH:MM:SS+00:00)");
    /* line 2: "Kyiv City," (10) + "2023-02-25 16:36:22+00:00," (26) */
    expect_csv_error("alerts/bad_date_impossible.csv", FW_ERANGE, 2, 37,
                     "finished_at: '2023-02-30 10:00:00+00:00'");
    expect_csv_error("alerts/bad_column_count.csv", FW_EPARSE, 3, 0,
                     "expected 7 fields as in the header, found 6");
    expect_csv_error("alerts/bad_header.csv", FW_EPARSE, 1, 0,
                     "'region,started_at,finished_at,naive'");
}

static void expect_inline_error(const char *in, fw_err err, long line, long col,
                                const char *msg_part)
{
    struct tsink t;
    struct fw_sink s = make_sink(&t);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_csv(in, strlen(in), &s, &d), err);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    if (msg_part != NULL && strstr(d.msg, msg_part) == NULL) {
        fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
    }
}

static void test_csv_broken_inline(void **state)
{
    (void)state;
    expect_inline_error("", FW_EPARSE, 1, 0, "empty file");
    expect_inline_error("region,started_at,finished_at,naive\r\n"
                        "Kyiv City,2022-02-25 16:36:22+00:00,"
                        "2022-02-25 17:06:22+00:00,maybe\r\n",
                        FW_EPARSE, 2, 63, "naive: 'maybe'");
    expect_inline_error("oblast,raion,hromada,level,started_at,finished_at,"
                        "source\n"
                        "Sumska oblast,,,city,2022-03-15 18:00:00+00:00,"
                        "2022-03-15 18:30:00+00:00,official\n",
                        FW_EPARSE, 2, 17, "level: 'city'");
    /* a quoted field before the bad one, with a comma and a line break:
     * the column is counted on the line where the bad field starts */
    expect_inline_error("region,started_at,finished_at,naive\n"
                        "\"Kyiv\nCity, really\",2022-02-30 16:36:22+00:00,"
                        "2022-02-25 17:06:22+00:00,True\n",
                        FW_ERANGE, 3, 15, "started_at");
    /* an empty start is not a timestamp (an empty end only rejects) */
    expect_inline_error("region,started_at,finished_at,naive\n"
                        "Kyiv City,,2022-02-25 17:06:22+00:00,True\n",
                        FW_EPARSE, 2, 11, "started_at: ''");
}

static void test_sink_error_stops_reading(void **state)
{
    (void)state;
    size_t len = 0;
    char *buf = read_or_fail(fwt_fixture("alerts/official_small.csv"), &len);
    struct tsink t;
    struct fw_sink s = make_sink(&t);
    t.fail_at = 2;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_csv(buf, len, &s, &d), FW_ESQL);
    assert_int_equal(t.n_alerts, 2);
    assert_int_equal(d.line, 3);
    free(buf);
}

/* Reads an inline CSV into a fresh sink t; must succeed. */
static void read_inline_ok(const char *csv, struct tsink *t)
{
    struct fw_sink s = make_sink(t);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_csv(csv, strlen(csv), &s, &d), FW_OK);
}

/* Fuzzing found it (fuzz/corpus/alerts_csv/regress-reject-reason-cut-
 * utf8.csv): a quoted value was cut at 64 bytes inside a character, and
 * the reason, stored and printed, was not UTF-8. */
static void test_reject_reason_cut_at_character(void **state)
{
    (void)state;
    char csv[256];
    /* 63 ASCII bytes, then "Ж" (2 bytes) straddling the 64-byte cut */
    snprintf(csv, sizeof csv,
             "region,started_at,finished_at,naive\n"
             "%.63s\xd0\x96,2022-02-25 16:36:22+00:00,"
             "2022-02-25 17:06:22+00:00,True\n",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    struct tsink t;
    read_inline_ok(csv, &t);
    assert_int_equal(t.n_rejected, 1);
    char want[128];
    snprintf(want, sizeof want, "unknown oblast '%.63s'",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    assert_string_equal(t.reject_reasons[0], want);
}

/* An alert that starts (or ends) more than a day after the clock is
 * rejected with its line; one starting now is kept. */
static void test_future_alert_rejected(void **state)
{
    (void)state;
    char now_day[11], csv[512];
    fw_date_format_day((int64_t)time(NULL), now_day);
    snprintf(csv, sizeof csv,
             "region,started_at,finished_at,naive\n"
             "Kyiv City,2099-02-25 16:36:22+00:00,"
             "2099-02-25 17:06:22+00:00,True\n"
             "Kyiv City,2022-02-25 16:36:22+00:00,"
             "2199-02-25 17:06:22+00:00,False\n"
             "Kyiv City,%s 00:00:00+00:00,%s 00:30:00+00:00,True\n",
             now_day, now_day);
    struct tsink t;
    read_inline_ok(csv, &t);
    assert_int_equal(t.n_alerts, 1);
    assert_int_equal(t.n_rejected, 2);
    assert_int_equal(t.reject_lines[0], 2);
    assert_string_equal(t.reject_reasons[0],
                        "alert in the future (started_at 2099-02-25 "
                        "16:36:22+00:00 is more than a day after the time "
                        "of reading)");
    assert_int_equal(t.reject_lines[1], 3);
    assert_string_equal(t.reject_reasons[1],
                        "alert in the future (finished_at 2199-02-25 "
                        "17:06:22+00:00 is more than a day after the time "
                        "of reading)");
}

/* Fuzzing found it (fuzz/corpus/alerts_csv/regress-fields-cap-after-lone-
 * cr.csv): a lone CR ends a row for libcsv; a row starting after one and
 * failing a cap was reported at line 0. */
static void test_limit_after_lone_cr_has_line(void **state)
{
    (void)state;
    char csv[1024];
    int n = snprintf(csv, sizeof csv,
                     "region,started_at,finished_at,naive\r\n"
                     "Kyiv City,2022-02-25 16:36:22+00:00,"
                     "2022-02-25 17:06:22+00:00,True\r");
    memset(csv + n, ',', 600);
    csv[n + 600] = '\n';
    struct tsink t;
    struct fw_sink s = make_sink(&t);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_csv(csv, (size_t)n + 601, &s, &d),
                     FW_ELIMIT);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.msg, "row has more than 512 fields");
}

/* ---- states.json fixtures ----------------------------------------------- */

static void test_regions_fixture(void **state)
{
    (void)state;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_with(fw_alerts_read_regions,
                               fwt_fixture("alerts/states_small.json"), &t, &d),
                     FW_OK);
    assert_int_equal(t.n_regions[FW_ALERT_OBLAST], 2);
    assert_int_equal(t.n_regions[FW_ALERT_RAION], 1);
    assert_int_equal(t.n_regions[FW_ALERT_HROMADA], 2);
    assert_string_equal(t.state_iso[22], "UA-63");
    assert_string_equal(t.state_iso[31], "UA-30");
    assert_int_equal(t.raion_parent_of_116, 22);
    assert_int_equal(t.hromada_parent_of_1198, 116);
    /* brackets inside strings do not count as nesting */
    assert_string_equal(t.hromada_name_1198, "м. Ізюм [місто]");
}

static void expect_json_error(const char *buf, size_t len, fw_err err,
                              long line, long col, const char *msg_part)
{
    struct tsink t;
    struct fw_sink s = make_sink(&t);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_regions(buf, len, &s, &d), err);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    if (msg_part != NULL && strstr(d.msg, msg_part) == NULL) {
        fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
    }
}

static void test_regions_broken(void **state)
{
    (void)state;
    size_t len = 0;
    /* cut after 150 bytes, inside the member name "distric on line 8: the
     * opening quote is column 11, so the input ends at column 19 */
    char *buf = read_or_fail(fwt_fixture("alerts/states_truncated.json"), &len);
    assert_int_equal(len, 150);
    expect_json_error(buf, len, FW_EPARSE, 8, 19,
                      "unexpected end of input (truncated file?)");
    /* cut just after "districts": [ (121 bytes): four brackets open; the
     * [ is column 20 of line 6, so the input ends at column 21 */
    expect_json_error(buf, 121, FW_EPARSE, 6, 21,
                      "unexpected end of input (truncated file?)");
    free(buf);

    buf = read_or_fail(fwt_fixture("alerts/states_bad_member.json"), &len);
    expect_json_error(buf, len, FW_EPARSE, 0, 0,
                      "states[1].districts[1].districtId: expected a number");
    free(buf);

    const char *no_states = "{\"stats\": []}";
    expect_json_error(no_states, strlen(no_states), FW_EPARSE, 0, 0,
                      "states: missing (expected an array)");
    const char *not_obj = "{\"states\": [{\"stateName\": \"x\", "
                          "\"stateId\": 1, \"districts\": [7]}]}";
    expect_json_error(not_obj, strlen(not_obj), FW_EPARSE, 0, 0,
                      "states[0].districts[0]: expected an object");
    const char *frac = "{\"states\": [{\"stateName\": \"x\", "
                       "\"stateId\": 1.5, \"districts\": []}]}";
    expect_json_error(frac, strlen(frac), FW_EPARSE, 0, 0,
                      "states[0].stateId: expected a whole number");
    const char *trailing = "{\"states\": []}\n\n  x";
    expect_json_error(trailing, strlen(trailing), FW_EPARSE, 3, 3,
                      "after the JSON document");
    const char *bad_utf8 = "{\"states\": [\n\"\xC3(\"]}";
    expect_json_error(bad_utf8, strlen(bad_utf8), FW_EPARSE, 2, 2, "UTF-8");
}

static void test_regions_nesting_limit(void **state)
{
    (void)state;
    /* 10,000 nested arrays must fail cleanly, not overflow the stack */
    const size_t depth = 10000;
    char *deep = malloc(2 * depth);
    assert_non_null(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    expect_json_error(deep, 2 * depth, FW_ELIMIT, 1, 65, "deeper than 64");
    free(deep);

    /* 64 levels pass the scan (and then fail only as the wrong shape) */
    char ok[2 * 64 + 1];
    memset(ok, '[', 64);
    memset(ok + 64, ']', 64);
    ok[128] = '\0';
    expect_json_error(ok, 128, FW_EPARSE, 0, 0, "expected an object");

    /* brackets inside strings (with escaped quotes) are not nesting */
    char str[600];
    size_t n = 0;
    n +=
        (size_t)snprintf(str + n, sizeof str - n, "{\"states\": [], \"x\": \"");
    for (int i = 0; i < 200; i++) {
        str[n++] = '[';
    }
    n += (size_t)snprintf(str + n, sizeof str - n, "\\\"{\"}");
    expect_json_error(str, n, FW_OK, 0, 0, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_official_real),
        cmocka_unit_test(test_volunteer_real),
        cmocka_unit_test(test_regions_real),
        cmocka_unit_test(test_official_fixture),
        cmocka_unit_test(test_official_fixture_values),
        cmocka_unit_test(test_volunteer_fixture),
        cmocka_unit_test(test_columns_found_by_name),
        cmocka_unit_test(test_csv_broken_files),
        cmocka_unit_test(test_csv_broken_inline),
        cmocka_unit_test(test_sink_error_stops_reading),
        cmocka_unit_test(test_reject_reason_cut_at_character),
        cmocka_unit_test(test_future_alert_rejected),
        cmocka_unit_test(test_limit_after_lone_cr_has_line),
        cmocka_unit_test(test_regions_fixture),
        cmocka_unit_test(test_regions_broken),
        cmocka_unit_test(test_regions_nesting_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
