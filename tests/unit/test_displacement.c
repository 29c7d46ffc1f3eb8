/*
 * test_displacement.c - people leaving (displacement.h): the P-code table
 * against every P-code of IOM's real table, the two readers on the real
 * tables (../shared/data/displacement; skipped, saying why, when absent)
 * and on hand-made bad fixtures (tests/data/displacement: exact lines of
 * rejects and errors, the store unchanged by a file that fails), a newer
 * file replacing the rounds it holds again, the match of the monitored
 * settlements to the gazetteer, and what assess shows: Kharkiv oblast's
 * round, a monitored place's newest visit at or before the date, and
 * null (not 0) before the first round.
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/displacement.h"
#include "frontwatch/ingest.h"
#include "frontwatch/io.h"
#include "frontwatch/oblast.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

#define IOM_CSV "displacement/iom_dtm_idp_returnees_by_oblast_r17-r20.csv"
#define SLAC_CSV                                                               \
    "displacement/slac_frontline_settlement_monitoring_2024-08_2025-02.csv"

static struct fwt_temp g_store;

/* the real gazetteer and displacement tables, and the match */
static int setup(void **state)
{
    (void)state;
    if (fwt_shared("displacement") == NULL) {
        return 0; /* each test skips, saying why */
    }
    if (fwt_temp_store(&g_store, "displacement") != 0) {
        return -1;
    }
    /* the monitoring before the gazetteer: the match must not depend on
     * the order */
    static const char *const dirs[] = {"displacement", "gazetteer"};
    return fwt_store_of(g_store.db, dirs, 2);
}

static int teardown(void **state)
{
    (void)state;
    if (g_store.db[0] != '\0') {
        fwt_temp_store_remove(&g_store);
    }
    return 0;
}

static fw_store *open_real(void)
{
    if (fwt_shared_or_skip(IOM_CSV) == NULL) {
        return NULL;
    }
    fw_store *st = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_store.db, FW_STORE_READ, &st, &d),
                     FW_OK);
    return st;
}

static long long query_int(fw_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(fw_store_prepare(st, sql, &s, NULL), FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void assert_has(const char *text, const char *part)
{
    if (strstr(text, part) == NULL) {
        fail_msg("'%s' lacks '%s'", text, part);
    }
}

/* ---- the P-codes ---------------------------------------------------------- */

/* Every P-code of IOM's table names the oblast its row names, but for
 * round 17's swapped Kyiv pair (lines 10, 11) and the placeholders
 * ("Temp03", "n/a"); the table holds 25 distinct real P-codes. */
static void test_pcodes(void **state)
{
    (void)state;
    const char *path = fwt_shared_or_skip(IOM_CSV);
    if (path == NULL) {
        return;
    }
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    char seen[40][8];
    size_t n_seen = 0;
    long ln = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        ln++;
        if (ln == 1) {
            continue;
        }
        char *field[6] = {0};
        char *p = line;
        for (int i = 0; i < 6 && p != NULL; i++) {
            field[i] = p;
            p = strchr(p, ',');
            if (p != NULL) {
                *p++ = '\0';
            }
        }
        assert_non_null(field[3]);
        const char *pc = field[3];
        if (strcmp(pc, "Temp03") == 0 || strcmp(pc, "n/a") == 0) {
            assert_null(fw_oblast_by_pcode(pc));
            continue;
        }
        const struct fw_oblast *o = fw_oblast_by_pcode(pc);
        if (o == NULL) {
            fail_msg("line %ld: P-code %s unknown", ln, pc);
        }
        char name[64];
        snprintf(name, sizeof name, "%s", field[2]);
        char *star = strchr(name, '*');
        if (star != NULL) {
            *star = '\0';
        }
        if (ln == 10 || ln == 11) {
            /* Kyiv UA32, Kyivska UA80: swapped in round 17 */
            assert_string_equal(o->iso, ln == 10 ? "UA-32" : "UA-30");
        } else {
            /* "Kharkivska" is the alert name's first word */
            if (strncmp(o->alert_name, name, strlen(name)) != 0) {
                fail_msg("line %ld: %s is %s, not %s", ln, pc, o->alert_name,
                         name);
            }
        }
        size_t k = 0;
        while (k < n_seen && strcmp(seen[k], pc) != 0) {
            k++;
        }
        if (k == n_seen) {
            snprintf(seen[n_seen++], sizeof seen[0], "%s", pc);
        }
    }
    fclose(f);
    assert_int_equal(n_seen, 25);
    /* the P-codes that are not the ISO number */
    assert_string_equal(fw_oblast_by_pcode("UA44")->iso, "UA-09");
    assert_string_equal(fw_oblast_by_pcode("UA73")->iso, "UA-77");
    assert_string_equal(fw_oblast_by_pcode("UA80")->iso, "UA-30");
    assert_string_equal(fw_oblast_by_pcode("UA85")->iso, "UA-40");
    assert_string_equal(fw_oblast_by_pcode("UA01")->iso, "UA-43");
    assert_null(fw_oblast_by_pcode("ua63"));
    for (size_t i = 0; i < fw_oblast_count(); i++) {
        const struct fw_oblast *o = fw_oblast_at(i);
        assert_ptr_equal(fw_oblast_by_pcode(o->pcode), o);
    }
}

/* ---- the real tables ------------------------------------------------------ */

static void test_real_iom(void **state)
{
    (void)state;
    fw_store *st = open_real();
    if (st == NULL) {
        return;
    }
    /* 4 rounds of 25 oblasts (and the city): 104 rows less the 4
     * "Residence location unknown" */
    assert_int_equal(query_int(st, "SELECT count(DISTINCT round) FROM"
                                   " displacement"),
                     4);
    assert_int_equal(query_int(st, "SELECT count(*) FROM displacement"), 100);
    /* Kharkiv oblast, round 20: the CSV's 463000 and 608000 */
    assert_int_equal(query_int(st, "SELECT idps FROM displacement WHERE"
                                   " oblast_iso='UA-63' AND round=20"),
                     463000);
    assert_int_equal(query_int(st, "SELECT returnees FROM displacement WHERE"
                                   " oblast_iso='UA-63' AND round=20"),
                     608000);
    /* Kyiv City by its name in round 17 (P-code swapped) */
    assert_int_equal(query_int(st, "SELECT idps FROM displacement WHERE"
                                   " oblast_iso='UA-30' AND round=17"),
                     370000);
    /* Donetsk "n/a": unknown, not 0 */
    assert_int_equal(query_int(st, "SELECT count(*) FROM displacement WHERE"
                                   " oblast_iso='UA-14' AND idps IS NULL"),
                     4);
    assert_int_equal(query_int(st, "SELECT rows_repaired FROM ingest_log"
                                   " WHERE kind='iom-displacement'"),
                     2);
    fw_store_close(st);
}

static void test_real_slac(void **state)
{
    (void)state;
    fw_store *st = open_real();
    if (st == NULL) {
        return;
    }
    assert_int_equal(query_int(st, "SELECT count(*) FROM settlement_visit"),
                     286);
    assert_int_equal(query_int(st, "SELECT count(*) FROM settlement_visit"
                                   " WHERE oblast_iso='UA-14'"),
                     230);
    /* the bands the spreadsheet turned into numbers get their names */
    assert_int_equal(query_int(st, "SELECT count(*) FROM settlement_visit"
                                   " WHERE civilians_number='50_200'"),
                     83);
    assert_int_equal(query_int(st, "SELECT count(*) FROM settlement_visit"
                                   " WHERE civilians_number IN ('50200',"
                                   " '201500', '5011000', '10012000')"),
                     0);
    /* the match: 30 of the 229 distinct settlements, one of them by a
     * near spelling (Mykolayivka); none guessed between two */
    struct fw_displacement_match_stats ms;
    struct fw_diag d;
    assert_int_equal(fw_displacement_match_stats(st, &ms, &d), FW_OK);
    assert_int_equal(ms.n_settlements, 229);
    assert_int_equal(ms.n_matched, 30);
    assert_int_equal(ms.n_by_spelling, 1);
    /* the two spellings of one village are one place */
    assert_int_equal(
        query_int(st, "SELECT count(DISTINCT place_id) FROM settlement_visit"
                      " WHERE settlement IN ('Mykolaivka', 'Mykolayivka')"
                      " AND raion='Kramatorskyi'"),
        1);
    /* a hromada centre of another hromada is not the settlement:
     * Dobropillia of Kryvorizka hromada is a village, not the town */
    assert_int_equal(query_int(st, "SELECT count(place_id) FROM"
                                   " settlement_visit WHERE"
                                   " settlement='Dobropillia'"),
                     0);
    fw_store_close(st);
}

static struct fw_place place(fw_store *st, const char *query)
{
    struct fw_place *v = NULL;
    size_t n = 0;
    struct fw_diag d;
    assert_int_equal(fw_place_find(st, query, &v, &n, &d), FW_OK);
    assert_true(n >= 1);
    struct fw_place p = v[0];
    free(v);
    return p;
}

static char *assess_json(const struct fw_assessment *a)
{
    char *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    fw_assess_write_json(a, f);
    fclose(f);
    return json;
}

static char *assess_text(const struct fw_assessment *a)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    fw_assess_write_text(a, f);
    fclose(f);
    return txt;
}

static void test_assess(void **state)
{
    (void)state;
    fw_store *st = open_real();
    if (st == NULL) {
        return;
    }
    struct fw_diag d;
    fw_geo *g = NULL;
    assert_int_equal(fw_geo_new(st, &g, &d), FW_OK);
    struct fw_assessment *a = calloc(1, sizeof *a);
    assert_non_null(a);

    /* Kharkiv on 2025-08-25: round 20, 16,000 more IDPs than round 19 */
    struct fw_place p = place(st, "Kharkiv");
    assert_int_equal(fw_assess(st, g, &p, fwt_day_s("2025-08-25"), a, &d), FW_OK);
    const struct fw_displacement *x = &a->displacement;
    assert_true(x->oblast.has_round);
    assert_int_equal(x->oblast.round, 20);
    assert_near(x->oblast.idps, 463000, 0);
    assert_near(x->oblast.idps_change_prev_round, 16000, 0);
    assert_false(x->oblast.is_stale);
    char *j = assess_json(a);
    assert_has(j, "\"displacement\":{\"oblast\":{\"round\":20,\"date\":"
                  "\"2025-04-30\",\"idps_present\":463000,"
                  "\"returnees_present\":608000,\"prev_round\":19,"
                  "\"idps_change_prev_round\":16000,\"age_days\":117,"
                  "\"stale\":false},\"oblast_note\":null,\"settlement\":null,");
    assert_has(j, "{\"name\":\"iom_dtm\",\"newest\":\"2025-04-30\","
                  "\"stale\":false},{\"name\":\"slac_monitoring\",\"newest\":"
                  "\"2025-02-20\",\"stale\":true}]");
    free(j);
    /* 2025-03-01: round 20 is not out yet (reported 2025-04-30) */
    assert_int_equal(fw_assess(st, g, &p, fwt_day_s("2025-03-01"), a, &d), FW_OK);
    assert_int_equal(x->oblast.round, 19);
    /* 2024-08-30, the day before round 17: unknown, with the reason */
    assert_int_equal(fw_assess(st, g, &p, fwt_day_s("2024-08-30"), a, &d), FW_OK);
    assert_false(x->oblast.has_round);
    j = assess_json(a);
    assert_has(j, "\"displacement\":{\"oblast\":null,\"oblast_note\":\"no "
                  "IOM DTM round reported by this date (the first in the "
                  "store: 2024-08-31)\"");
    free(j);

    /* Mykolaivka (Kramatorsk raion): visited 2024-08-28 as "Mykolayivka",
     * then as "Mykolaivka"; the newest visit at or before each date */
    p = place(st, "Mykolaivka, Donetsk");
    assert_int_equal(fw_assess(st, g, &p, fwt_day_s("2024-09-01"), a, &d), FW_OK);
    const struct fw_settlement_status *v = &x->settlement;
    assert_true(v->has_visit);
    assert_string_equal(v->settlement, "Mykolayivka");
    assert_string_equal(v->match, "spelling");
    assert_int_equal(v->n_visits, 1);
    assert_string_equal(v->civilians_number, "more_2000");
    assert_string_equal(v->frontline_distance, "more_10km");
    char *txt = assess_text(a);
    assert_has(txt, "  front-line monitoring (SLAC) of Mykolayivka, visit of "
                    "2024-08-28 (4 days ago; matched by a near spelling):\n"
                    "    civilians present: yes (more than 2,000)\n");
    /* Donetsk oblast has no IOM estimate: unknown, not 0 */
    assert_has(txt, "IOM DTM gives no estimate for this oblast in round 17");
    free(txt);
    assert_int_equal(fw_assess(st, g, &p, fwt_day_s("2025-02-10"), a, &d), FW_OK);
    assert_true(v->has_visit);
    assert_string_equal(v->settlement, "Mykolaivka");
    assert_true(v->n_visits >= 2);
    j = assess_json(a);
    assert_has(j, "\"settlement\":{\"date\":\"2025-01-24\",\"match\":"
                  "\"Mykolaivka\",\"match_by\":\"name\",\"civilians_present\":"
                  "\"yes\",\"civilians_number\":\"more_2000\"");
    assert_has(j, "\"idps_present\":null,");
    free(j);
    /* before the first visit: none, and why */
    assert_int_equal(fw_assess(st, g, &p, fwt_day_s("2024-08-27"), a, &d), FW_OK);
    assert_false(v->has_visit);
    j = assess_json(a);
    assert_has(j, "\"settlement\":null,\"settlement_note\":\"first visited "
                  "by the monitors on 2024-08-28\"}");
    free(j);
    free(a);
    fw_geo_free(g);
    fw_store_close(st);
}

/* ---- bad input ------------------------------------------------------------ */

struct counts {
    long n_rows, n_rejects, n_repairs;
    long reject_line[8];
    char reason[8][320];
};

static fw_err c_disp(void *ctx, const struct fw_displacement_rec *r)
{
    (void)r;
    ((struct counts *)ctx)->n_rows++;
    return FW_OK;
}

static fw_err c_visit(void *ctx, const struct fw_settlement_visit_rec *v)
{
    (void)v;
    ((struct counts *)ctx)->n_rows++;
    return FW_OK;
}

static void c_reject(void *ctx, long line, long feature, const char *why)
{
    struct counts *c = ctx;
    assert_int_equal(feature, -1);
    if (c->n_rejects < 8) {
        c->reject_line[c->n_rejects] = line;
        snprintf(c->reason[c->n_rejects], 320, "%s", why);
    }
    c->n_rejects++;
}

static fw_err read_fixture(int is_slac, const char *rel, struct counts *c,
                           struct fw_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    if (fw_io_read_file(fwt_fixture(rel), 1 << 20, &buf, &len, d) != FW_OK) {
        fail_msg("cannot read %s", fwt_fixture(rel));
    }
    memset(c, 0, sizeof *c);
    struct fw_sink sink = {.ctx = c,
                           .displacement = c_disp,
                           .visit = c_visit,
                           .reject = c_reject};
    fw_diag_reset(d);
    fw_err err = is_slac ? fw_displacement_read_slac(buf, len, &sink, d)
                         : fw_displacement_read_iom(buf, len, &sink, d);
    free(buf);
    return err;
}

static void test_bad_rows(void **state)
{
    (void)state;
    struct counts c;
    struct fw_diag d;
    assert_int_equal(read_fixture(0, "displacement/bad-rows.csv", &c, &d),
                     FW_OK);
    assert_int_equal(c.n_rows, 1);
    assert_int_equal(c.n_rejects, 3);
    assert_int_equal(c.reject_line[0], 3);
    assert_string_equal(c.reason[0], "idps_present_est '12x000' is not a "
                                     "whole number or n/a");
    assert_int_equal(c.reject_line[1], 4);
    assert_string_equal(c.reason[1], "reported_date '2025-04-31': no such day");
    assert_int_equal(c.reject_line[2], 5);
    assert_string_equal(c.reason[2],
                        "oblast 'Atlantis' (P-code 'UA99') names no oblast");

    assert_int_equal(read_fixture(0, "displacement/bad-truncated-row.csv", &c,
                                  &d),
                     FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_string_equal(d.msg, "expected 6 fields as in the header, found 3");

    assert_int_equal(read_fixture(0, "displacement/bad-header.csv", &c, &d),
                     FW_EPARSE);
    assert_int_equal(d.line, 1);
    assert_has(d.msg, "unknown header: no column oblast_pcode");

    assert_int_equal(read_fixture(1, "displacement/bad-slac.csv", &c, &d),
                     FW_EPARSE);
    assert_int_equal(c.n_rows, 1);
    assert_int_equal(c.n_rejects, 2);
    assert_int_equal(c.reject_line[0], 3);
    assert_string_equal(c.reason[0],
                        "frontline_distance '3km' is not in the code book");
    assert_int_equal(c.reject_line[1], 4);
    assert_string_equal(c.reason[1],
                        "civilians_present 'maybe' is not in the code book");
    assert_int_equal(d.line, 5);
    assert_string_equal(d.msg, "expected 12 fields as in the header, found 3");
}

/* Through the store: a file that fails leaves it as it was, a file with
 * bad rows keeps the good ones with the rejects counted, a newer file
 * replaces the rounds it holds again and keeps the others. */
static void test_store(void **state)
{
    (void)state;
    struct fwt_temp t;
    assert_int_equal(fwt_temp_store(&t, "dispstore"), 0);
    fw_store *st = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(t.db, FW_STORE_WRITE, &st, &d), FW_OK);
    struct fw_ingest_result r;
    assert_int_equal(fw_ingest_file(st, fwt_fixture("displacement/bad-rows.csv"),
                                    NULL, NULL, &r, &d),
                     FW_OK);
    assert_int_equal(r.kind, FW_SOURCE_IOM);
    assert_int_equal(r.rows_read, 4);
    assert_int_equal(r.rows_accepted, 1);
    assert_int_equal(r.rows_rejected, 3);
    assert_int_equal(query_int(st, "SELECT count(*) FROM ingest_issue"), 3);
    assert_int_equal(
        fw_ingest_file(st, fwt_fixture("displacement/bad-truncated-row.csv"),
                       NULL, NULL, &r, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_has(d.file, "bad-truncated-row.csv");
    assert_int_equal(query_int(st, "SELECT count(*) FROM ingest_log"), 1);
    assert_int_equal(query_int(st, "SELECT count(*) FROM displacement"), 1);
    assert_int_equal(
        fw_ingest_file(st, fwt_fixture("displacement/bad-slac.csv"), NULL,
                       NULL, &r, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 5);
    assert_int_equal(query_int(st, "SELECT count(*) FROM settlement_visit"),
                     0);
    /* the header without IOM's columns is no source of ours */
    assert_int_equal(
        fw_ingest_file(st, fwt_fixture("displacement/bad-header.csv"), NULL,
                       NULL, &r, &d),
        FW_EUSAGE);

    /* a newer version: round 20 again (Kharkiv corrected) and round 21 */
    char path[256];
    snprintf(path, sizeof path, "%s/iom-v2.csv", t.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("round,reported_date,oblast,oblast_pcode,idps_present_est,"
          "returnees_present_est\n"
          "20,2025-04-30,Kharkivska,UA63,460000,600000\n"
          "21,2025-08-31,Kharkivska,UA63,470000,n/a\n",
          f);
    fclose(f);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(r.rows_accepted, 2);
    assert_int_equal(query_int(st, "SELECT count(*) FROM displacement"), 2);
    assert_int_equal(query_int(st, "SELECT idps FROM displacement WHERE"
                                   " round=20"),
                     460000);
    /* the same file again changes nothing */
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_true(r.is_duplicate);
    /* a file of round 19 alone keeps rounds 20 and 21 */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("round,reported_date,oblast,oblast_pcode,idps_present_est,"
          "returnees_present_est\n"
          "19,2024-12-31,Kharkivska,UA63,447000,679000\n",
          f);
    fclose(f);
    assert_int_equal(fw_ingest_file(st, path, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(query_int(st, "SELECT count(*) FROM displacement"), 3);
    fw_store_close(st);
    fwt_temp_store_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcodes),   cmocka_unit_test(test_real_iom),
        cmocka_unit_test(test_real_slac), cmocka_unit_test(test_assess),
        cmocka_unit_test(test_bad_rows), cmocka_unit_test(test_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
