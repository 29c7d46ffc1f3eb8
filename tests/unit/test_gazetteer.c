/*
 * test_gazetteer.c - the GeoNames and KSE place readers: counts and known
 * places on the real files, exact error positions on broken input.
 *
 * Expected values were computed independently of this code, with the
 * commands quoted beside each assertion (run in ../shared/data/gazetteer).
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/gazetteer.h"
#include "frontwatch/io.h"

/* A sink that counts what it gets and keeps a copy of one wanted place. */
struct collect {
    size_t n_places;
    size_t n_rejects;
    size_t n_no_oblast;
    size_t n_no_population;
    size_t n_alt_names;
    size_t n_uk63;
    int has_bad_alt;       /* an alt name that is empty, the main name or
                              repeated */
    size_t n_progress;
    size_t last_done, last_total;
    long reject_lines[8];
    char last_reject[256];
    /* return fail_with for the fail_at-th place (1-based), 0 = never */
    size_t fail_at;
    fw_err fail_with;

    const char *want_id;   /* source_id to copy */
    const char *want_name; /* or name (first match) */
    int found;
    struct fw_place_rec got;
    char source[16], id[64], name[128], oblast[8], raion[128];
    char hromada[128], kind[64];
    char alts[8192];       /* "|alt1|alt2|" */
};

static void copy_str(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s != NULL ? s : "(null)");
}

static fw_err on_place(void *ctx, const struct fw_place_rec *p)
{
    struct collect *c = ctx;
    c->n_places++;
    c->n_no_oblast += p->oblast_iso == NULL;
    c->n_no_population += p->population == -1;
    c->n_uk63 += p->oblast_iso != NULL && strcmp(p->oblast_iso, "UA-63") == 0;
    c->n_alt_names += p->n_alt_names;
    assert_true((p->alt_names == NULL) == (p->n_alt_names == 0));
    for (size_t i = 0; i < p->n_alt_names; i++) {
        const char *a = p->alt_names[i];
        if (a[0] == '\0' || strcmp(a, p->name) == 0) {
            c->has_bad_alt = 1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(a, p->alt_names[j]) == 0) {
                c->has_bad_alt = 1;
            }
        }
    }
    int is_wanted =
        (c->want_id != NULL && strcmp(p->source_id, c->want_id) == 0) ||
        (c->want_name != NULL && strcmp(p->name, c->want_name) == 0);
    if (is_wanted && !c->found) {
        c->found = 1;
        c->got = *p; /* numbers only: the strings are copied below */
        copy_str(c->source, sizeof c->source, p->source);
        copy_str(c->id, sizeof c->id, p->source_id);
        copy_str(c->name, sizeof c->name, p->name);
        copy_str(c->oblast, sizeof c->oblast, p->oblast_iso);
        copy_str(c->raion, sizeof c->raion, p->raion);
        copy_str(c->hromada, sizeof c->hromada, p->hromada);
        copy_str(c->kind, sizeof c->kind, p->kind);
        size_t o = (size_t)snprintf(c->alts, sizeof c->alts, "|");
        for (size_t i = 0; i < p->n_alt_names && o < sizeof c->alts; i++) {
            o += (size_t)snprintf(c->alts + o, sizeof c->alts - o, "%s|",
                                  p->alt_names[i]);
        }
    }
    if (c->fail_at != 0 && c->n_places == c->fail_at) {
        return c->fail_with;
    }
    return FW_OK;
}

static void on_reject(void *ctx, long line, long feature, const char *reason)
{
    struct collect *c = ctx;
    assert_int_equal(feature, -1);
    if (c->n_rejects < 8) {
        c->reject_lines[c->n_rejects] = line;
    }
    c->n_rejects++;
    snprintf(c->last_reject, sizeof c->last_reject, "%s", reason);
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct collect *c = ctx;
    assert_true(done <= total);
    assert_true(done >= c->last_done);
    c->n_progress++;
    c->last_done = done;
    c->last_total = total;
}

static struct fw_sink sink_for(struct collect *c)
{
    struct fw_sink s = {.ctx = c,
                        .place = on_place,
                        .reject = on_reject,
                        .progress = on_progress};
    return s;
}

/* Reads a whole file; the caller frees *buf. */
static void slurp(const char *path, char **buf, size_t *len)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_io_read_file(path, FW_IO_MAX_BYTES, buf, len, &d);
    if (err != FW_OK) {
        fail_msg("cannot read %s: %s", path, d.msg);
    }
}

/* A hand-made fixture: tests/data/gazetteer/name, found through
 * FW_TEST_DATA (set by CTest) or, when the test is run by hand from another
 * folder, next to this source file. */
static void slurp_fixture(const char *name, char **buf, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "gazetteer/%s", name);
    const char *path = fwt_fixture(rel);
    FILE *f = fopen(path, "rb");
    char alt[4096];
    if (f == NULL) {
        const char *src = __FILE__;
        const char *slash = strrchr(src, '/');
        int dir_len = slash != NULL ? (int)(slash - src) : 1;
        snprintf(alt, sizeof alt, "%.*s/../data/%s", dir_len,
                 slash != NULL ? src : ".", rel);
        path = alt;
    } else {
        fclose(f);
    }
    slurp(path, buf, len);
}

static fw_err read_geonames_str(const char *s, struct collect *c,
                                struct fw_diag *d)
{
    struct fw_sink sink = sink_for(c);
    fw_diag_reset(d);
    return fw_gazetteer_read_geonames(s, strlen(s), &sink, d);
}

static fw_err read_kse_str(const char *s, struct collect *c,
                           struct fw_diag *d)
{
    struct fw_sink sink = sink_for(c);
    fw_diag_reset(d);
    return fw_gazetteer_read_kse(s, strlen(s), &sink, d);
}

/* ---------------------------------------------------------------- */
/* Real files                                                       */
/* ---------------------------------------------------------------- */

static void test_geonames_real(void **state)
{
    (void)state;
    const char *path =
        fwt_shared_or_skip("gazetteer/geonames_cities500_UA.txt");
    if (path == NULL) {
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    slurp(path, &buf, &len);
    struct collect c = {.want_id = "706483"};
    struct fw_sink sink = sink_for(&c);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_gazetteer_read_geonames(buf, len, &sink, &d), FW_OK);

    /* awk -F'\t' 'NF==19 && $7=="P" && $9=="UA"' geonames_cities500_UA.txt
     *   | wc -l  ->  2851 (= wc -l: every row is class P in Ukraine) */
    assert_int_equal(c.n_places, 2851);
    assert_int_equal(c.n_rejects, 0);
    /* every admin1 is 01..27: awk -F'\t' '{print $11}' ... | sort -u */
    assert_int_equal(c.n_no_oblast, 0);
    /* awk -F'\t' '$11=="07"' ... | wc -l  ->  69 (Kharkiv oblast) */
    assert_int_equal(c.n_uk63, 69);
    /* awk -F'\t' '$15==0' ... | wc -l  ->  18 */
    assert_int_equal(c.n_no_population, 18);
    /* python3: for each row, the non-empty comma pieces of column 4 plus
     * column 3, minus column 2, deduplicated -> 20434 in all, 39 for
     * Kharkiv */
    assert_int_equal(c.n_alt_names, 20434);
    assert_false(c.has_bad_alt);
    /* 2851 lines: progress at lines 1000 and 2000, then at the end */
    assert_int_equal(c.n_progress, 3);
    assert_int_equal(c.last_done, len);
    assert_int_equal(c.last_total, len);

    /* awk -F'\t' '$1=="706483"' ...: Kharkiv 49.98081 36.25272 P PPLA UA
     * admin1 07 population 1433886 */
    assert_true(c.found);
    assert_string_equal(c.source, "geonames");
    assert_string_equal(c.name, "Kharkiv");
    assert_true(fabs(c.got.lat_deg - 49.98081) < 1e-9);
    assert_true(fabs(c.got.lon_deg - 36.25272) < 1e-9);
    assert_string_equal(c.oblast, "UA-63");
    assert_int_equal(c.got.population, 1433886);
    assert_true(c.got.population > 1000000);
    assert_string_equal(c.kind, "PPLA");
    assert_string_equal(c.raion, "(null)");
    assert_int_equal(c.got.n_alt_names, 39);
    assert_non_null(strstr(c.alts, "|Харків|"));
    assert_non_null(strstr(c.alts, "|Kharkov|"));
    assert_non_null(strstr(c.alts, "|Khar’kov|"));
    assert_null(strstr(c.alts, "|Kharkiv|")); /* the main name */
    free(buf);
}

static void test_kse_real(void **state)
{
    (void)state;
    const char *path =
        fwt_shared_or_skip("gazetteer/kse_hromada_centers_deoccupation.csv");
    if (path == NULL) {
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    slurp(path, &buf, &len);
    struct collect c = {.want_name = "Харків"};
    struct fw_sink sink = sink_for(&c);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_gazetteer_read_kse(buf, len, &sink, &d), FW_OK);

    /* python3 -c 'import csv; r = list(csv.reader(open("kse_hromada_
     * centers_deoccupation.csv"))); print(len(r) - 1)'  ->  1469, and the
     * oblast_name column has only the 24 adjectives of oblast.h (no
     * Crimea, Sevastopol or Kyiv city); 56 rows are Харківська. */
    assert_int_equal(c.n_places, 1469);
    assert_int_equal(c.n_rejects, 0);
    assert_int_equal(c.n_no_oblast, 0);
    assert_int_equal(c.n_uk63, 56);
    assert_int_equal(c.n_no_population, 0); /* min population is 1793 */
    assert_int_equal(c.n_alt_names, 0);
    assert_int_equal(c.n_progress, 2); /* row 1000, then the end */
    assert_int_equal(c.last_done, len);

    /* grep ',Харків,' ...: UA63120270010096107, Харківський raion,
     * Харківська hromada, міська, 49.992318099999999, 36.231014600000002,
     * total_population_2022 1421125 */
    assert_true(c.found);
    assert_string_equal(c.source, "kse");
    assert_string_equal(c.id, "UA63120270010096107");
    assert_string_equal(c.oblast, "UA-63");
    assert_string_equal(c.raion, "Харківський");
    assert_string_equal(c.hromada, "Харківська");
    assert_string_equal(c.kind, "міська");
    assert_true(fabs(c.got.lat_deg - 49.9923181) < 1e-6);
    assert_true(fabs(c.got.lon_deg - 36.2310146) < 1e-6);
    assert_int_equal(c.got.population, 1421125);
    free(buf);
}

/* ---------------------------------------------------------------- */
/* GeoNames edge cases                                              */
/* ---------------------------------------------------------------- */

static void test_geonames_fixture(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    slurp_fixture("geonames_mixed.txt", &buf, &len);
    struct collect c = {.want_id = "1000001"};
    struct fw_sink sink = sink_for(&c);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_gazetteer_read_geonames(buf, len, &sink, &d), FW_OK);
    assert_int_equal(c.n_places, 2);
    assert_int_equal(c.n_rejects, 2);
    assert_int_equal(c.reject_lines[0], 2);  /* class H */
    assert_int_equal(c.reject_lines[1], 4);  /* country PL */
    assert_non_null(strstr(c.last_reject, "PL"));
    assert_int_equal(c.n_no_oblast, 1);     /* admin1 "99" */
    assert_false(c.has_bad_alt);

    /* line 1: "Testovka,,Тестівка,Testovka,Testivka", population 0 */
    assert_true(c.found);
    assert_string_equal(c.name, "Testivka");
    assert_string_equal(c.alts, "|Testovka|Тестівка|");
    assert_int_equal(c.got.population, -1);
    assert_string_equal(c.oblast, "UA-63");
    assert_string_equal(c.kind, "PPL");

    /* line 5: asciiname differs, so it is an alternate name */
    memset(&c, 0, sizeof c);
    c.want_id = "1000004";
    assert_int_equal(fw_gazetteer_read_geonames(buf, len, &sink, &d), FW_OK);
    assert_true(c.found);
    assert_string_equal(c.name, "Mar’ivka");
    assert_string_equal(c.alts, "|Мар’ївка|Mar'ivka|");
    assert_string_equal(c.oblast, "(null)");
    assert_true(c.got.lat_deg == -45.25);
    assert_true(c.got.lon_deg == -170.5);
    assert_int_equal(c.got.population, 501);
    free(buf);
}

/* One GeoNames row with the given id, latitude, longitude and population;
 * in the line "1\tKharkiv\tKharkiv\tХарків,Kharkov\t" is 39 bytes
 * (2 + 8 + 8 + 12 + 1 + 7 + 1), so latitude starts at column 40. */
#define GN_ROW(id, lat, lon, pop)                                          \
    id "\tKharkiv\tKharkiv\tХарків,Kharkov\t" lat "\t" lon                 \
       "\tP\tPPLA\tUA\t\t07\t6312\t\t\t" pop "\t\t113\tEurope/Kyiv\t"      \
       "2023-01-22\n"

static void test_geonames_good_rows(void **state)
{
    (void)state;
    struct collect c = {0};
    struct fw_diag d;
    /* no final newline, a leading BOM, an empty line in between */
    const char in[] = "\xEF\xBB\xBF" GN_ROW("1", "49.98", "36.25", "5")
        "\n" GN_ROW("2", "-90", "180", "") "9\tx\tx\t\t0\t0\tP\tPPL\tUA"
        "\t\t07\t\t\t\t7\t\t\t\t";
    assert_int_equal(read_geonames_str(in, &c, &d), FW_OK);
    assert_int_equal(c.n_places, 3);
    assert_int_equal(c.n_no_population, 1); /* the empty one */
    assert_int_equal(c.n_progress, 1);

    /* an empty buffer holds no places */
    memset(&c, 0, sizeof c);
    assert_int_equal(read_geonames_str("", &c, &d), FW_OK);
    assert_int_equal(c.n_places, 0);
}

static void test_geonames_errors(void **state)
{
    (void)state;
    struct collect c = {0};
    struct fw_diag d;

    /* 18 columns on line 3 (the population column dropped) */
    const char short_row[] = GN_ROW("1", "49.98", "36.25", "5")
        GN_ROW("2", "49.98", "36.25", "5")
        "3\tKharkiv\tKharkiv\t\t49.98\t36.25\tP\tPPLA\tUA\t\t07\t6312\t\t"
        "\t\t113\tEurope/Kyiv\t2023-01-22\n" GN_ROW("4", "1", "1", "1");
    assert_int_equal(read_geonames_str(short_row, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_non_null(strstr(d.msg, "18"));
    assert_int_equal(c.n_places, 2); /* rows before the error were sent */

    /* 20 columns, CRLF */
    memset(&c, 0, sizeof c);
    const char long_row[] = "1\ta\ta\t\t1\t1\tP\tPPL\tUA\t\t07\t\t\t\t1\t\t"
                            "\t\t\t\r\n";
    assert_int_equal(read_geonames_str(long_row, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.msg, "20"));

    /* latitude 91.5 on line 2 */
    const char lat_range[] = GN_ROW("1", "49.98", "36.25", "5")
        GN_ROW("2", "91.5", "36.25", "5");
    assert_int_equal(read_geonames_str(lat_range, &c, &d), FW_ERANGE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 40);

    /* latitude "abc" on line 2, column 40 */
    const char lat_text[] = GN_ROW("1", "49.98", "36.25", "5")
        GN_ROW("2", "abc", "36.25", "5");
    assert_int_equal(read_geonames_str(lat_text, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 40);
    assert_non_null(strstr(d.msg, "abc"));

    /* trailing garbage, a leading blank and an empty latitude are not
     * numbers either */
    const char *not_numbers[] = {GN_ROW("1", "49.9x", "36.25", "5"),
                                 GN_ROW("1", " 49.9", "36.25", "5"),
                                 GN_ROW("1", "", "36.25", "5")};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(read_geonames_str(not_numbers[i], &c, &d),
                         FW_EPARSE);
        assert_int_equal(d.line, 1);
        assert_int_equal(d.col, 40);
    }

    /* longitude: NaN, infinity, -180.5; "49.98\t" is 6 more bytes */
    const char *bad_lon[] = {GN_ROW("1", "49.98", "nan", "5"),
                             GN_ROW("1", "49.98", "-inf", "5"),
                             GN_ROW("1", "49.98", "-180.5", "5"),
                             GN_ROW("1", "49.98", "1e999", "5")};
    const char *bad_lon_msg[] = {"longitude nan is not a finite number",
                                 "longitude -inf is not a finite number",
                                 "longitude -180.5 is outside [-180, 180]",
                                 "longitude 1e999 is not a finite number"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(read_geonames_str(bad_lon[i], &c, &d), FW_ERANGE);
        assert_int_equal(d.line, 1);
        assert_int_equal(d.col, 46);
        assert_string_equal(d.msg, bad_lon_msg[i]);
    }

    /* population: not an integer / negative */
    assert_int_equal(
        read_geonames_str(GN_ROW("1", "49.98", "36.25", "12x"), &c, &d),
        FW_EPARSE);
    assert_int_equal(
        read_geonames_str(GN_ROW("1", "49.98", "36.25", "-3"), &c, &d),
        FW_ERANGE);

    /* geonameid must be a number: column 1 */
    assert_int_equal(
        read_geonames_str(GN_ROW("x1", "49.98", "36.25", "5"), &c, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 1);
    assert_int_equal(d.col, 1);

    /* invalid UTF-8: a lone continuation byte at line 2, column 5 */
    memset(&c, 0, sizeof c);
    const char bad_utf8[] = GN_ROW("1", "49.98", "36.25", "5")
        "2\tKh\x80rkiv\tKharkiv\t\t1\t1\tP\tPPL\tUA\t\t07\t\t\t\t1\t\t\t\t\n";
    assert_int_equal(read_geonames_str(bad_utf8, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 5);
    assert_int_equal(c.n_places, 0); /* checked before any row is sent */

    /* a NUL byte at line 2, column 3 (strlen cannot be used here) */
    const char nul[] = GN_ROW("1", "49.98", "36.25", "5") "2\t\0x\n";
    struct fw_sink sink = sink_for(&c);
    fw_diag_reset(&d);
    assert_int_equal(
        fw_gazetteer_read_geonames(nul, sizeof nul - 1, &sink, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 3);
}

static void test_geonames_sink_error_stops(void **state)
{
    (void)state;
    struct collect c = {.fail_at = 2, .fail_with = FW_ESQL};
    struct fw_diag d;
    const char in[] = GN_ROW("1", "1", "1", "1") GN_ROW("2", "1", "1", "1")
        GN_ROW("3", "1", "1", "1");
    assert_int_equal(read_geonames_str(in, &c, &d), FW_ESQL);
    assert_int_equal(c.n_places, 2);

    /* a sink without callbacks is fine */
    struct fw_sink empty = {0};
    assert_int_equal(fw_gazetteer_read_geonames(in, strlen(in), &empty, &d),
                     FW_OK);
}

/* ---------------------------------------------------------------- */
/* KSE edge cases                                                   */
/* ---------------------------------------------------------------- */

static void test_kse_fixture(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    slurp_fixture("kse_reordered.csv", &buf, &len);
    struct collect c = {.want_id = "UA99000000000000001"};
    struct fw_sink sink = sink_for(&c);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_gazetteer_read_kse(buf, len, &sink, &d), FW_OK);
    assert_int_equal(c.n_places, 2);
    assert_int_equal(c.n_rejects, 1);
    assert_int_equal(c.reject_lines[0], 5);
    assert_non_null(strstr(c.last_reject, "hromada_center"));
    assert_int_equal(c.n_no_population, 2); /* no population column */
    assert_int_equal(c.n_uk63, 1);

    assert_true(c.found);
    assert_string_equal(c.name, "Тестове, село");
    assert_string_equal(c.oblast, "(null)"); /* "Невідома" is no oblast */
    assert_string_equal(c.raion, "Тестовий\nрайон");
    assert_string_equal(c.hromada, "Тестова");
    assert_string_equal(c.kind, "сільська");
    assert_true(c.got.lat_deg == 47.25);
    assert_true(c.got.lon_deg == 37.5);
    assert_int_equal(c.got.population, -1);
    free(buf);
}

#define KSE_HEADER                                                         \
    "oblast_name,type_1,hromada_name,hromada_center_code,raion_name,"      \
    "hromada_center,lat_center,lon_center,total_population_2022\n"
/* "Харківська,міська,Харківська,UA63120270010096107,Харківський,Харків,"
 * is 21 + 13 + 21 + 20 + 23 + 13 = 111 bytes (Cyrillic letters take two):
 * lat_center starts at column 112. */
#define KSE_ROW(lat, lon, pop)                                             \
    "Харківська,міська,Харківська,UA63120270010096107,Харківський,"        \
    "Харків," lat "," lon "," pop "\n"

static void test_kse_errors(void **state)
{
    (void)state;
    struct collect c = {0};
    struct fw_diag d;

    const char good[] = KSE_HEADER KSE_ROW("49.99", "36.23", "1421125");
    assert_int_equal(read_kse_str(good, &c, &d), FW_OK);
    assert_int_equal(c.n_places, 1);

    /* header without lat_center */
    const char no_lat[] =
        "oblast_name,hromada_center_code,hromada_center,lon_center\n"
        "Харківська,UA63120270010096107,Харків,36.23\n";
    assert_int_equal(read_kse_str(no_lat, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.msg, "lat_center"));

    /* empty input: no header at all */
    assert_int_equal(read_kse_str("", &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 1);
    assert_int_equal(read_kse_str("\n\n", &c, &d), FW_EPARSE);

    /* one field missing on line 3 */
    memset(&c, 0, sizeof c);
    const char short_row[] = KSE_HEADER KSE_ROW("49.99", "36.23", "1")
        "Харківська,міська,Харківська,UA1,Харківський,Харків,49.99,36.23\n";
    assert_int_equal(read_kse_str(short_row, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_int_equal(c.n_places, 1);

    /* latitude "abc" on line 3, column 112 */
    const char lat_text[] = KSE_HEADER KSE_ROW("49.99", "36.23", "1")
        KSE_ROW("abc", "36.23", "1");
    assert_int_equal(read_kse_str(lat_text, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.col, 112);
    assert_non_null(strstr(d.msg, "abc"));

    /* latitude 91.5, longitude 200 ("49.99," is 6 bytes more) */
    assert_int_equal(
        read_kse_str(KSE_HEADER KSE_ROW("91.5", "36.23", "1"), &c, &d),
        FW_ERANGE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 112);
    assert_int_equal(
        read_kse_str(KSE_HEADER KSE_ROW("49.99", "200", "1"), &c, &d),
        FW_ERANGE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 118);

    /* a quoted raion spanning lines 2-3: the bad latitude is on line 3,
     * after "район\",Харків," (10 + 2 + 13 bytes), at column 26 */
    const char spanning[] =
        KSE_HEADER "Харківська,міська,Харківська,UA1,\"Харківський\n"
                   "район\",Харків,x,36.23,1\n";
    assert_int_equal(read_kse_str(spanning, &c, &d), FW_EPARSE);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.col, 26);

    /* population not an integer */
    assert_int_equal(
        read_kse_str(KSE_HEADER KSE_ROW("49.99", "36.23", "1.5"), &c, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 124);

    /* invalid UTF-8 (a truncated 2-byte sequence) at line 2, column 3 */
    assert_int_equal(read_kse_str(KSE_HEADER "ab\xD0,x\n", &c, &d),
                     FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 3);
}

static void test_kse_unterminated_quote(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    slurp_fixture("kse_unterminated_quote.csv", &buf, &len);
    struct collect c = {0};
    struct fw_sink sink = sink_for(&c);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_gazetteer_read_kse(buf, len, &sink, &d), FW_EPARSE);
    assert_int_equal(d.line, 3); /* where the quote opened */
    assert_int_equal(c.n_places, 1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geonames_real),
        cmocka_unit_test(test_kse_real),
        cmocka_unit_test(test_geonames_fixture),
        cmocka_unit_test(test_geonames_good_rows),
        cmocka_unit_test(test_geonames_errors),
        cmocka_unit_test(test_geonames_sink_error_stops),
        cmocka_unit_test(test_kse_fixture),
        cmocka_unit_test(test_kse_errors),
        cmocka_unit_test(test_kse_unterminated_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
