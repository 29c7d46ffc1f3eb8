/*
 * test_alerts_in_ua.c - the alerts.in.ua reader (fw_alerts_read_in_ua,
 * alerts.h) on the two real API answers in ../shared/data/alerts_in_ua
 * (counts and times computed independently with Python, commands beside
 * each value) and on tiny hand-made JSON written inline below (edge cases,
 * rejects, and broken answers with exact positions).
 *
 * The Python commands are wrapped to fit: join their lines with a space and
 * run them in ../shared/data/alerts_in_ua; "->" gives what they print.
 * Python's int() of the timestamp drops the milliseconds as the reader
 * does (all times are after 1970, so dropping is flooring).
 */
#include "fwtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/alerts.h"
#include "frontwatch/date.h"
#include "frontwatch/io.h"

#define MAX_KEPT 16

/* The time both real answers are read at: 2026-06-21T17:15:25Z, the
 * meta.last_updated_at of the Kyiv oblast answer ("2026/06/21 17:15:25
 * +0000"); date -ud '2026-06-21 17:15:25' +%s -> 1782062125. */
#define NOW_S INT64_C(1782062125)

/* A sink that counts what it gets and keeps a few details. */
struct tsink {
    size_t n_alerts, n_rejected, n_open, n_by_level[4];
    long reject_features[MAX_KEPT];
    char reject_reasons[MAX_KEPT][256];
    /* the first and last alert, and copies of their strings */
    struct fw_alert_rec first, last;
    char first_iso[8], last_iso[8];
    char first_raion[128], first_hromada[128];
    char last_raion[128], last_hromada[128];
    /* every distinct oblast seen */
    char isos[4][8];
    size_t n_isos;
    /* alerts whose raion is the Boryspil raion */
    size_t n_boryspil;
    /* progress */
    size_t n_progress;
    size_t last_done, last_total;
    int progress_went_back;
    /* when > 0, the n-th alert is refused with FW_ESQL */
    size_t fail_at;
};

static void copy_or_null(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s != NULL ? s : "(null)");
}

static fw_err t_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct tsink *t = ctx;
    t->n_alerts++;
    if (t->fail_at > 0 && t->n_alerts == t->fail_at) {
        return FW_ESQL;
    }
    assert_string_equal(a->source, "alerts_in_ua");
    assert_non_null(a->oblast_iso);
    assert_true(a->end_s >= a->start_s);
    assert_int_equal(a->is_naive, 0);
    assert_true(a->is_open == 0 || a->is_open == 1);
    /* the raion is named at raion level only, the hromada at hromada
     * level only */
    assert_true((a->raion != NULL) == (a->level == FW_ALERT_RAION));
    assert_true((a->hromada != NULL) == (a->level == FW_ALERT_HROMADA));
    if (t->n_alerts == 1) {
        t->first = *a;
        snprintf(t->first_iso, sizeof t->first_iso, "%s", a->oblast_iso);
        copy_or_null(t->first_raion, sizeof t->first_raion, a->raion);
        copy_or_null(t->first_hromada, sizeof t->first_hromada, a->hromada);
    }
    t->last = *a;
    snprintf(t->last_iso, sizeof t->last_iso, "%s", a->oblast_iso);
    copy_or_null(t->last_raion, sizeof t->last_raion, a->raion);
    copy_or_null(t->last_hromada, sizeof t->last_hromada, a->hromada);
    size_t k = 0;
    while (k < t->n_isos && strcmp(t->isos[k], a->oblast_iso) != 0) {
        k++;
    }
    if (k == t->n_isos && k < 4) {
        snprintf(t->isos[t->n_isos++], 8, "%s", a->oblast_iso);
    }
    t->n_by_level[a->level]++;
    t->n_open += a->is_open != 0;
    if (a->raion != NULL && strcmp(a->raion, "Бориспільський район") == 0) {
        t->n_boryspil++;
    }
    return FW_OK;
}

static void t_reject(void *ctx, long line, long feature, const char *reason)
{
    struct tsink *t = ctx;
    assert_int_equal(line, 0);
    assert_true(feature >= 0);
    if (t->n_rejected < MAX_KEPT) {
        t->reject_features[t->n_rejected] = feature;
        snprintf(t->reject_reasons[t->n_rejected], 256, "%s", reason);
    }
    t->n_rejected++;
}

static void t_progress(void *ctx, size_t done, size_t total)
{
    struct tsink *t = ctx;
    if (done < t->last_done) {
        t->progress_went_back = 1;
    }
    assert_true(done <= total);
    t->n_progress++;
    t->last_done = done;
    t->last_total = total;
}

static struct fw_sink make_sink(struct tsink *t)
{
    memset(t, 0, sizeof *t);
    struct fw_sink s = {
        .ctx = t,
        .alert = t_alert,
        .reject = t_reject,
        .progress = t_progress,
    };
    return s;
}

/* Reads buf[0..len) at now_s into a fresh sink t; returns the reader's
 * result with the diagnostics in *d. */
static fw_err read_buf(const char *buf, size_t len, int64_t now_s,
                       struct tsink *t, struct fw_diag *d)
{
    struct fw_sink s = make_sink(t);
    fw_diag_reset(d);
    return fw_alerts_read_in_ua(buf, len, now_s, &s, d);
}

static fw_err read_str(const char *json, struct tsink *t, struct fw_diag *d)
{
    return read_buf(json, strlen(json), NOW_S, t, d);
}

static fw_err read_path(const char *path, struct tsink *t, struct fw_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    struct fw_diag io;
    fw_diag_reset(&io);
    assert_int_equal(fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len, &io),
                     FW_OK);
    fw_err e = read_buf(buf, len, NOW_S, t, d);
    free(buf);
    return e;
}

/* ---- the real answers --------------------------------------------------- */

static void test_kyiv_oblast_real(void **state)
{
    (void)state;
    const char *path =
        fwt_shared_or_skip("alerts_in_ua/kyiv_oblast_14_excerpt.json");
    if (path == NULL) {
        return;
    }
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_path(path, &t, &d), FW_OK);
    assert_int_equal(d.feature, -1);

    /* python3 -c "import json,collections;a=json.load(open(
     * 'kyiv_oblast_14_excerpt.json'))['alerts'];print(len(a),
     * collections.Counter(x['location_type'] for x in a),collections.Counter(
     * x['alert_type'] for x in a),collections.Counter(x['location_oblast']
     * for x in a),sum(x['finished_at'] is None or x['deleted_at'] is not
     * None for x in a),sum(x['location_title']=='Бориспільський район' for x
     * in a))"
     * -> 40 Counter({'raion': 40}) Counter({'air_raid': 40})
     *    Counter({'Київська область': 40}) 0 7 */
    assert_int_equal(t.n_alerts, 40);
    assert_int_equal(t.n_rejected, 0);
    assert_int_equal(t.n_open, 0);
    assert_int_equal(t.n_by_level[FW_ALERT_OBLAST], 0);
    assert_int_equal(t.n_by_level[FW_ALERT_RAION], 40);
    assert_int_equal(t.n_by_level[FW_ALERT_HROMADA], 0);
    assert_int_equal(t.n_boryspil, 7);
    /* location_oblast_uid is 73..79 here, never 14: the oblast comes from
     * the name, "Київська область" */
    assert_int_equal(t.n_isos, 1);
    assert_string_equal(t.isos[0], "UA-32");

    /* first and last alert, newest first:
     * python3 -c "import json,datetime as D;f=lambda s:int(
     * D.datetime.fromisoformat(s).timestamp());a=json.load(open(
     * 'kyiv_oblast_14_excerpt.json'))['alerts'];print([(x['location_title'],
     * f(x['started_at']),f(x['finished_at'])) for x in (a[0],a[-1])])"
     * -> [('Обухівський район', 1782033569, 1782034854),
     *     ('Бориспільський район', 1781955805, 1781961800)] */
    assert_string_equal(t.first_raion, "Обухівський район");
    assert_string_equal(t.first_hromada, "(null)");
    assert_int_equal(t.first.start_s, 1782033569);
    assert_int_equal(t.first.end_s, 1782034854);
    assert_int_equal(t.first.is_open, 0);
    assert_string_equal(t.last_raion, "Бориспільський район");
    assert_int_equal(t.last.start_s, 1781955805);
    assert_int_equal(t.last.end_s, 1781961800);

    /* progress: at 50 alerts (never reached) and once at the end */
    assert_int_equal(t.n_progress, 1);
    assert_int_equal(t.last_done, 40);
    assert_int_equal(t.last_total, 40);
}

static void test_kyiv_city_real(void **state)
{
    (void)state;
    const char *path =
        fwt_shared_or_skip("alerts_in_ua/kyiv_city_31_excerpt.json");
    if (path == NULL) {
        return;
    }
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_path(path, &t, &d), FW_OK);

    /* python3 -c "import json,collections;a=json.load(open(
     * 'kyiv_city_31_excerpt.json'))['alerts'];print(len(a),
     * collections.Counter((x['location_type'],x['alert_type'],
     * x['location_oblast']) for x in a),sum(x['finished_at'] is None or
     * x['deleted_at'] is not None for x in a))"
     * -> 20 Counter({('oblast', 'air_raid', 'м. Київ'): 20}) 0 */
    assert_int_equal(t.n_alerts, 20);
    assert_int_equal(t.n_rejected, 0);
    assert_int_equal(t.n_open, 0);
    assert_int_equal(t.n_by_level[FW_ALERT_OBLAST], 20);
    assert_int_equal(t.n_by_level[FW_ALERT_RAION], 0);
    assert_int_equal(t.n_by_level[FW_ALERT_HROMADA], 0);
    assert_int_equal(t.n_isos, 1);
    assert_string_equal(t.isos[0], "UA-30");

    /* python3 -c "import json,datetime as D;f=lambda s:int(
     * D.datetime.fromisoformat(s).timestamp());a=json.load(open(
     * 'kyiv_city_31_excerpt.json'))['alerts'];print([(f(x['started_at']),
     * f(x['finished_at'])) for x in (a[0],a[-1])])"
     * -> [(1782033494, 1782034845), (1780745733, 1780746378)] */
    assert_string_equal(t.first_raion, "(null)");
    assert_string_equal(t.first_hromada, "(null)");
    assert_int_equal(t.first.start_s, 1782033494);
    assert_int_equal(t.first.end_s, 1782034845);
    assert_int_equal(t.last.start_s, 1780745733);
    assert_int_equal(t.last.end_s, 1780746378);
    assert_int_equal(t.n_progress, 1);
    assert_int_equal(t.last_done, 20);
}

/* ---- hand-made answers (inline, tiny) ----------------------------------- */

/* The answers below are written by hand, inline, in the API's shape: one
 * alert is a struct fx, written by doc(). Each member is written as a JSON
 * string (no escaping: the fixtures hold no quotes or backslashes), a
 * value starting with '=' as it is after the '=' (a number, false...),
 * NULL as null, and OMIT leaves the member out. */
struct fx {
    const char *id, *type, *title, *oblast, *start, *end, *atype, *deleted;
};

static const char OMIT[] = "(omit)";

/* 2026-06-21T09:19:29Z .. 09:40:54Z (date -ud '2026-06-21 09:19:29' +%s
 * -> 1782033569; 09:40:54 -> 1782034854) */
#define START "2026-06-21T09:19:29.000Z"
#define END "2026-06-21T09:40:54.000Z"
#define START_S 1782033569
#define END_S 1782034854

#define KYIV_OBLAST "Київська область"
#define KYIV_CITY "м. Київ"

/* A well-formed raion-level air raid in Kyiv oblast. */
static const struct fx GOOD = {
    .id = "=10",
    .type = "raion",
    .title = "Обухівський район",
    .oblast = KYIV_OBLAST,
    .start = START,
    .end = END,
    .atype = "air_raid",
    .deleted = NULL,
};

/* The same in Kyiv city, at oblast level. */
static const struct fx CITY = {
    .id = "=20",
    .type = "oblast",
    .title = KYIV_CITY,
    .oblast = KYIV_CITY,
    .start = START,
    .end = END,
    .atype = "air_raid",
    .deleted = NULL,
};

static char g_doc[65536];
static size_t g_len;

/* Appends s to g_doc. */
static void put(const char *s)
{
    size_t n = strlen(s);
    assert_true(n < sizeof g_doc - g_len);
    memcpy(g_doc + g_len, s, n + 1);
    g_len += n;
}

static void put_member(const char *name, const char *v)
{
    if (v == OMIT) {
        return;
    }
    put(", \"");
    put(name);
    put("\": ");
    if (v == NULL) {
        put("null");
    } else if (v[0] == '=') {
        put(v + 1);
    } else {
        put("\"");
        put(v);
        put("\"");
    }
}

/* The answer {"alerts": [a[0], ... a[n-1]], "meta": ..., "disclaimer":
 * ...} in g_doc (static storage, overwritten by the next call). */
static const char *doc(size_t n, const struct fx *a)
{
    g_len = 0;
    put("{\"alerts\": [");
    for (size_t i = 0; i < n; i++) {
        put(i > 0 ? ",\n" : "\n");
        put("{\"location_uid\": \"76\", \"location_oblast_uid\": 76");
        put_member("id", a[i].id);
        put_member("location_type", a[i].type);
        put_member("location_title", a[i].title);
        put_member("location_oblast", a[i].oblast);
        put_member("started_at", a[i].start);
        put_member("finished_at", a[i].end);
        put_member("alert_type", a[i].atype);
        put_member("deleted_at", a[i].deleted);
        put(", \"updated_at\": \"2026-06-21T09:40:58.618Z\", \"notes\": "
            "null, \"country\": null, \"calculated\": false}");
    }
    put("],\n\"meta\": {\"type\": \"full\"}, \"disclaimer\": \"x\"}");
    return g_doc;
}

static void test_levels_and_times(void **state)
{
    (void)state;
    /* every level; times without a fraction, with "+00:00", with another
     * offset (converted) and with a fraction that is dropped */
    struct fx a[4] = {CITY, GOOD, GOOD, GOOD};
    a[0].start = "2026-06-21T09:19:29Z";
    a[1].title = "Бучанський район";
    a[1].start = "2026-06-21T09:19:29+00:00";
    a[2].type = "hromada";
    a[2].title = "Ірпінська територіальна громада";
    a[2].start = "2026-06-21T12:19:29+03:00";
    a[3].type = "city";
    a[3].title = "м. Біла Церква";
    a[3].start = "2026-06-21T09:19:29.999Z";
    a[3].end = "2026-06-21T09:40:54+00:00";
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(doc(4, a), &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 4);
    assert_int_equal(t.n_rejected, 0);
    assert_int_equal(t.n_open, 0);
    assert_int_equal(t.n_by_level[FW_ALERT_OBLAST], 1);
    assert_int_equal(t.n_by_level[FW_ALERT_RAION], 1);
    assert_int_equal(t.n_by_level[FW_ALERT_HROMADA], 2);
    assert_int_equal(t.n_isos, 2);
    assert_string_equal(t.isos[0], "UA-30");
    assert_string_equal(t.isos[1], "UA-32");
    assert_string_equal(t.first_raion, "(null)");
    assert_string_equal(t.first_hromada, "(null)");
    assert_int_equal(t.first.start_s, START_S);
    assert_int_equal(t.first.end_s, END_S);
    /* a city is a hromada-level alert named by its title, no raion */
    assert_string_equal(t.last_raion, "(null)");
    assert_string_equal(t.last_hromada, "м. Біла Церква");
    assert_int_equal(t.last.start_s, START_S);
    assert_int_equal(t.last.end_s, END_S);
}

/* Offsets and a fraction other than .000 give the same instant. */
static void test_offsets_agree(void **state)
{
    (void)state;
    const char *forms[] = {"2026-06-21T12:19:29+03:00",
                           "2026-06-21T05:19:29-04:00",
                           "2026-06-21T09:19:29.5+00:00"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        struct fx a = GOOD;
        a.start = forms[i];
        struct tsink t;
        struct fw_diag d;
        assert_int_equal(read_str(doc(1, &a), &t, &d), FW_OK);
        assert_int_equal(t.n_alerts, 1);
        assert_int_equal(t.first.start_s, START_S);
    }
}

/* An active alert (finished_at null) ends, for now, when the answer was
 * read; one that starts after that (within the day allowed for clocks)
 * has lasted 0 s. */
static void test_active_alert(void **state)
{
    (void)state;
    struct fx a[2] = {CITY, CITY};
    a[0].end = NULL;
    /* NOW_S + 3600 (date -ud '2026-06-21 18:15:25' +%s -> 1782065725) */
    a[1].start = "2026-06-21T18:15:25.000Z";
    a[1].end = NULL;
    const char *json = doc(2, a);
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(json, &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 2);
    assert_int_equal(t.n_open, 2);
    assert_int_equal(t.first.is_open, 1);
    assert_int_equal(t.first.start_s, START_S);
    assert_int_equal(t.first.end_s, NOW_S);
    assert_int_equal(t.last.is_open, 1);
    assert_int_equal(t.last.start_s, 1782065725);
    assert_int_equal(t.last.end_s, 1782065725);

    /* the same answer read two hours later: both open alerts have grown */
    assert_int_equal(read_buf(json, strlen(json), NOW_S + 7200, &t, &d), FW_OK);
    assert_int_equal(t.first.end_s, NOW_S + 7200);
    assert_int_equal(t.last.end_s, NOW_S + 7200);
}

/* Reads [GOOD, bad, GOOD]: expects bad rejected, as alert 1, with exactly
 * reason, and the other two kept. */
static void expect_middle_rejected(struct fx bad, const char *reason)
{
    struct fx a[3] = {GOOD, bad, GOOD};
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(doc(3, a), &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 2);
    assert_int_equal(t.n_rejected, 1);
    assert_int_equal(t.reject_features[0], 1);
    assert_string_equal(t.reject_reasons[0], reason);
}

static void test_not_air_raid_rejected(void **state)
{
    (void)state;
    struct fx a = GOOD;
    a.id = "=11";
    a.atype = "artillery_shelling";
    expect_middle_rejected(a, "not an air raid: artillery_shelling "
                              "(alert id 11)");
}

static void test_deleted_rejected(void **state)
{
    (void)state;
    struct fx a = GOOD;
    a.deleted = "2026-06-21T09:50:00.000Z";
    expect_middle_rejected(a, "deleted (deleted_at 2026-06-21T09:50:00.000Z) "
                              "(alert id 10)");
}

static void test_unknown_oblast_rejected(void **state)
{
    (void)state;
    struct fx a = CITY;
    a.title = "Атлантида";
    a.oblast = "Атлантида область";
    expect_middle_rejected(a, "unknown oblast 'Атлантида область' "
                              "(alert id 20)");
}

static void test_future_rejected(void **state)
{
    (void)state;
    /* NOW_S + FW_DAY_S is 2026-06-22T17:15:25Z: one second later is the
     * future, for a start and for an end */
    struct fx a = CITY;
    a.start = "2026-06-22T17:15:26.000Z";
    a.end = NULL;
    expect_middle_rejected(a, "alert in the future (started_at "
                              "2026-06-22T17:15:26.000Z is more than a day "
                              "after the time of reading) (alert id 20)");
    a = CITY;
    a.end = "2026-06-22T17:15:26.000Z";
    expect_middle_rejected(a, "alert in the future (finished_at "
                              "2026-06-22T17:15:26.000Z is more than a day "
                              "after the time of reading) (alert id 20)");

    /* exactly a day after: kept (open, 0 s so far) */
    a = CITY;
    a.start = "2026-06-22T17:15:25.000Z";
    a.end = NULL;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(doc(1, &a), &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 1);
    assert_int_equal(t.first.start_s, NOW_S + FW_DAY_S);
    assert_int_equal(t.first.end_s, NOW_S + FW_DAY_S);
}

static void test_other_rejects(void **state)
{
    (void)state;
    struct fx a = GOOD;
    a.start = END;
    a.end = START;
    expect_middle_rejected(a, "alert ends before it starts (finished_at "
                              "2026-06-21T09:19:29.000Z < started_at "
                              "2026-06-21T09:40:54.000Z) (alert id 10)");
    a = GOOD;
    a.type = "village";
    expect_middle_rejected(a, "unknown location_type 'village' (expected "
                              "oblast, raion, hromada or city) (alert id 10)");
    a = GOOD;
    a.type = "hromada";
    a.title = "";
    expect_middle_rejected(a, "hromada-level alert with an empty "
                              "location_title (alert id 10)");
    /* the first reason found is given: not an air raid, although deleted
     * too */
    a = GOOD;
    a.atype = "chemical";
    a.deleted = END;
    expect_middle_rejected(a, "not an air raid: chemical (alert id 10)");

    /* an alert without deleted_at is not deleted */
    a = CITY;
    a.deleted = OMIT;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(doc(1, &a), &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 1);
    assert_int_equal(t.n_rejected, 0);
}

/* Expects json[0..len) to fail with err at line:col (0:0 for a shape
 * error), d->feature and exactly the message msg. */
static void expect_fail(const char *json, size_t len, fw_err err, long line,
                        long col, long feature, const char *msg)
{
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_buf(json, len, NOW_S, &t, &d), err);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    assert_int_equal(d.feature, feature);
    assert_string_equal(d.msg, msg);
}

/* Expects the answer a[0..n) to fail with a shape error at alert feature. */
static void expect_alert_fail(size_t n, const struct fx *a, fw_err err,
                              long feature, const char *msg)
{
    const char *json = doc(n, a);
    expect_fail(json, strlen(json), err, 0, 0, feature, msg);
}

static void test_missing_started_at_fails(void **state)
{
    (void)state;
    struct fx a[2] = {GOOD, CITY};
    a[1].start = OMIT;
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(doc(2, a), &t, &d), FW_EPARSE);
    assert_int_equal(d.line, 0);
    assert_int_equal(d.col, 0);
    assert_int_equal(d.feature, 1);
    assert_string_equal(d.msg,
                        "alerts[1].started_at: missing (expected a string)");
    /* the alert before the failure has reached the sink */
    assert_int_equal(t.n_alerts, 1);
    assert_int_equal(t.n_progress, 0);
}

static void test_bad_members_fail(void **state)
{
    (void)state;
    const char *not_obj = "{\"alerts\": [{}, 7]}";
    expect_fail(not_obj, strlen(not_obj), FW_EPARSE, 0, 0, 0,
                "alerts[0].id: missing (expected a number)");
    not_obj = "{\"alerts\": [7, {}]}";
    expect_fail(not_obj, strlen(not_obj), FW_EPARSE, 0, 0, 0,
                "alerts[0]: expected an object");

    struct fx a[2] = {GOOD, GOOD};
    a[1].id = "=1.5";
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].id: expected a whole number from 0 to "
                      "9007199254740991");
    a[1].id = "223086";
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].id: expected a whole number from 0 to "
                      "9007199254740991");
    a[1] = GOOD;
    a[1].end = "=17";
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].finished_at: expected a string or null");
    a[1] = GOOD;
    a[1].deleted = "=false";
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].deleted_at: expected a string or null");
    a[1] = GOOD;
    a[1].start = NULL;
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].started_at: expected a string");
    a[1] = GOOD;
    a[1].oblast = OMIT;
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].location_oblast: missing (expected a "
                      "string)");
    /* a malformed alert fails even when it would have been rejected */
    a[1] = GOOD;
    a[1].atype = "artillery_shelling";
    a[1].start = "yesterday";
    expect_alert_fail(2, a, FW_EPARSE, 1,
                      "alerts[1].started_at: expected an ISO-8601 UTC time "
                      "such as 2026-06-21T09:19:29.000Z, found 'yesterday'");
}

static void test_bad_times_fail(void **state)
{
    (void)state;
    /* shapes fw_date_parse_timestamp would take but the API never writes */
    const char *not_api[] = {"2026-06-21",
                             "2026-06-21 09:19:29Z",
                             "2026-06-21T09:19:29",
                             "2026-06-21T09:19Z",
                             "2026-06-21T09:19:29.Z",
                             "2026-06-21T09:19:29.000"};
    for (size_t i = 0; i < sizeof not_api / sizeof not_api[0]; i++) {
        struct fx a = CITY;
        a.end = not_api[i];
        char msg[256];
        snprintf(msg, sizeof msg,
                 "alerts[0].finished_at: expected an ISO-8601 UTC time such "
                 "as 2026-06-21T09:19:29.000Z, found '%s'",
                 not_api[i]);
        expect_alert_fail(1, &a, FW_EPARSE, 0, msg);
    }
    /* the right shape, but no such day: as the CSV reader, FW_ERANGE */
    struct fx a = CITY;
    a.start = "2026-02-30T10:00:00Z";
    expect_alert_fail(1, &a, FW_ERANGE, 0,
                      "alerts[0].started_at: '2026-02-30T10:00:00Z' is not a "
                      "valid date and time (no such day, hour or offset)");
}

static void test_bad_document_fails(void **state)
{
    (void)state;
    expect_fail("[]", 2, FW_EPARSE, 0, 0, -1,
                "expected an object with an 'alerts' array");
    expect_fail("{\"meta\": {}}", 12, FW_EPARSE, 0, 0, -1,
                "alerts: missing (expected an array)");
    expect_fail("{\"alerts\": {}}", 14, FW_EPARSE, 0, 0, -1,
                "alerts: expected an array");
    expect_fail("alerts", 6, FW_EPARSE, 1, 1, -1, "invalid JSON at \"alerts\"");

    /* An answer cut inside a member name, on line 3: the opening quote of
     * "location_ti is column 15 (after 4 spaces, {"id": 1, and a space),
     * its 11 letters columns 16-26, so the input ends at column 27. */
    const char cut[] = "{\n"
                       "  \"alerts\": [\n"
                       "    {\"id\": 1, \"location_ti";
    expect_fail(cut, sizeof cut - 1, FW_EPARSE, 3, 27, -1,
                "unexpected end of input (truncated file?)");
    /* the same answer cut after "[" (15 bytes; the [ is column 13 of line
     * 2), so it ends at column 14 */
    expect_fail(cut, 15, FW_EPARSE, 2, 14, -1,
                "unexpected end of input (truncated file?)");

    /* a file with no alerts reads, and says so through progress */
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str("{\"alerts\": []}", &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 0);
    assert_int_equal(t.n_progress, 1);
    assert_int_equal(t.last_done, 0);
    assert_int_equal(t.last_total, 0);

    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_in_ua(NULL, 0, NOW_S, NULL, &d), FW_EUSAGE);
}

static void test_sink_error_and_null_sink(void **state)
{
    (void)state;
    struct fx a[3] = {GOOD, GOOD, GOOD};
    const char *json = doc(3, a);
    struct tsink t;
    struct fw_sink s = make_sink(&t);
    t.fail_at = 2;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_alerts_read_in_ua(json, strlen(json), NOW_S, &s, &d),
                     FW_ESQL);
    assert_int_equal(t.n_alerts, 2);
    assert_int_equal(d.feature, 1);
    assert_string_equal(
        d.msg, "alerts[1]: the sink refused the alert: store (SQLite) error");

    /* a NULL sink, or one without callbacks, drops everything; d may be
     * NULL too */
    assert_int_equal(fw_alerts_read_in_ua(json, strlen(json), NOW_S, NULL, &d),
                     FW_OK);
    struct fw_sink empty = {0};
    assert_int_equal(
        fw_alerts_read_in_ua(json, strlen(json), NOW_S, &empty, NULL), FW_OK);
    assert_int_equal(fw_alerts_read_in_ua("{", 1, NOW_S, &empty, NULL),
                     FW_EPARSE);
    a[1].start = OMIT;
    json = doc(3, a);
    assert_int_equal(
        fw_alerts_read_in_ua(json, strlen(json), NOW_S, NULL, NULL), FW_EPARSE);
}

static void test_progress(void **state)
{
    (void)state;
    /* 120 alerts: progress at 50 and 100, then (120, 120) */
    struct fx a[120];
    for (size_t i = 0; i < 120; i++) {
        a[i] = GOOD;
    }
    struct tsink t;
    struct fw_diag d;
    assert_int_equal(read_str(doc(120, a), &t, &d), FW_OK);
    assert_int_equal(t.n_alerts, 120);
    assert_int_equal(t.n_progress, 3);
    assert_false(t.progress_went_back);
    assert_int_equal(t.last_done, 120);
    assert_int_equal(t.last_total, 120);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kyiv_oblast_real),
        cmocka_unit_test(test_kyiv_city_real),
        cmocka_unit_test(test_levels_and_times),
        cmocka_unit_test(test_offsets_agree),
        cmocka_unit_test(test_active_alert),
        cmocka_unit_test(test_not_air_raid_rejected),
        cmocka_unit_test(test_deleted_rejected),
        cmocka_unit_test(test_unknown_oblast_rejected),
        cmocka_unit_test(test_future_rejected),
        cmocka_unit_test(test_other_rejects),
        cmocka_unit_test(test_missing_started_at_fails),
        cmocka_unit_test(test_bad_members_fail),
        cmocka_unit_test(test_bad_times_fail),
        cmocka_unit_test(test_bad_document_fails),
        cmocka_unit_test(test_sink_error_and_null_sink),
        cmocka_unit_test(test_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
