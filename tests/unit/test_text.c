/*
 * test_text.c - search keys, UTF-8 checks, dates and CSV positions.
 */
#include "fwtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/csv.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"
#include "frontwatch/text.h"

static void key_is(const char *name, const char *want)
{
    char key[256];
    assert_int_equal(fw_text_key(name, key, sizeof key), FW_OK);
    assert_string_equal(key, want);
}

static void test_keys_fold_scripts_and_accents(void **state)
{
    (void)state;
    key_is("Харків", "kharkiv");
    key_is("Kharkiv", "kharkiv");
    key_is("KHARKIV", "kharkiv");
    key_is("Запорізька", "zaporizka");
    key_is("Київська", "kyivska");
    /* word-initial ye/yu/ya, as in the national system */
    key_is("Южне", "yuzhne");
    key_is("Яготин", "yahotyn");
    key_is("Маріуполь", "mariupol");
    /* apostrophes vanish, punctuation becomes one space */
    key_is("Мар'їнка", "marinka");
    key_is("Mar’inka", "marinka");
    key_is("Ivano-Frankivsk", "ivano frankivsk");
    key_is("м. Первомайськ та Первомайська територіальна громада",
           "m pervomaisk ta pervomaiska terytorialna hromada");
    key_is("Dnipropetrovs’k", "dnipropetrovsk");
    key_is("Zaporizhzhya", "zaporizhzhya");
    key_is("Łódź Çatalca Ørsta", "lodz catalca orsta");
}

static void test_utf8_positions(void **state)
{
    (void)state;
    long line = 0, col = 0;
    const char ok[] = "a,b\nХарків,1\n";
    assert_true(fw_text_utf8_valid(ok, sizeof ok - 1, &line, &col));
    const char bad[] = "a,b\nxy\xC3(,1\n";
    assert_false(fw_text_utf8_valid(bad, sizeof bad - 1, &line, &col));
    assert_int_equal(line, 2);
    assert_int_equal(col, 3);
    const char overlong[] = "\xC0\xAF";
    assert_false(fw_text_utf8_valid(overlong, 2, &line, &col));
    const char truncated[] = "ok\xE2\x82";
    assert_false(fw_text_utf8_valid(truncated, 4, &line, &col));
    assert_int_equal(col, 3);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(fw_text_edit_distance("kharkiv", "kharkiv", 3), 0);
    assert_int_equal(fw_text_edit_distance("kharkov", "kharkiv", 3), 1);
    assert_int_equal(fw_text_edit_distance("harkiv", "kharkiv", 3), 1);
    assert_int_equal(fw_text_edit_distance("lviv", "kharkiv", 2), 3);
}

static void test_dates(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(fw_date_parse_day("2022-11-13", &t), FW_OK);
    assert_int_equal(t, 1668297600);
    assert_int_equal(fw_date_parse_timestamp("2022-03-15 16:10:34+00:00", &t),
                     FW_OK);
    assert_int_equal(t, 1647360634);
    assert_int_equal(fw_date_parse_timestamp("2022-03-15T18:10:34+02:00", &t),
                     FW_OK);
    assert_int_equal(t, 1647360634);
    assert_int_equal(fw_date_parse_timestamp("2024-02-29", &t), FW_OK);
    assert_int_equal(fw_date_parse_day("2023-02-29", &t), FW_ERANGE);
    assert_int_equal(fw_date_parse_day("15/03/2022", &t), FW_EPARSE);
    assert_int_equal(fw_date_parse_timestamp("2022-03-15 24:00:00", &t),
                     FW_ERANGE);
    char buf[21];
    fw_date_format_day(1668297600 + 3600, buf);
    assert_string_equal(buf, "2022-11-13");
    fw_date_format_iso(1647360634, buf);
    assert_string_equal(buf, "2022-03-15T16:10:34Z");
}

struct rows {
    long lines[8];
    char first[8][64];
    size_t n;
};

static fw_err collect(void *ctx, long line, size_t n_fields,
                      char *const *fields, struct fw_diag *d)
{
    (void)d;
    struct rows *r = ctx;
    if (r->n < 8) {
        r->lines[r->n] = line;
        snprintf(r->first[r->n], 64, "%s|%zu", fields[0], n_fields);
        r->n++;
    }
    return FW_OK;
}

static void test_csv_lines_and_errors(void **state)
{
    (void)state;
    struct rows r = {0};
    struct fw_diag d;
    fw_diag_reset(&d);
    const char in[] = "\xEF\xBB\xBFh1,h2\r\na,\"multi\r\nline\"\r\n\r\nb,c\r\n";
    assert_int_equal(fw_csv_parse(in, sizeof in - 1, collect, &r, &d), FW_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.first[0], "h1|2");
    assert_int_equal(r.lines[1], 2);
    assert_int_equal(r.lines[2], 5);

    memset(&r, 0, sizeof r);
    const char unterminated[] = "h1,h2\na,b\nc,\"never closed\nd,e\n";
    assert_int_equal(
        fw_csv_parse(unterminated, sizeof unterminated - 1, collect, &r, &d),
        FW_EPARSE);
    assert_int_equal(d.line, 3);

    const char nul[] = "h1,h2\na,b\0c\n";
    assert_int_equal(fw_csv_parse(nul, sizeof nul - 1, collect, &r, &d),
                     FW_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 4);

    const char stray[] = "h1,h2\na,b\"x\"\n";
    assert_int_equal(fw_csv_parse(stray, sizeof stray - 1, collect, &r, &d),
                     FW_EPARSE);
    assert_int_equal(d.line, 2);
}

/* Fuzzing found it (fuzz/corpus/csv/regress-fields-cap-after-lone-
 * cr.csv): a lone CR ends a row for libcsv, and the next row, starting on
 * the same line, hit the field cap "at line 0". */
static void test_csv_lone_cr_rows_have_lines(void **state)
{
    (void)state;
    struct rows r = {0};
    struct fw_diag d;
    fw_diag_reset(&d);
    const char in[] = "a,b\rc,d\ne\n";
    assert_int_equal(fw_csv_parse(in, sizeof in - 1, collect, &r, &d), FW_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.lines[0], 1);
    assert_int_equal(r.lines[1], 1); /* the row after the CR */
    assert_int_equal(r.lines[2], 2);

    char wide[700];
    memcpy(wide, "h\r", 2);
    memset(wide + 2, ',', 600);
    wide[602] = '\n';
    memset(&r, 0, sizeof r);
    assert_int_equal(fw_csv_parse(wide, 603, collect, &r, &d), FW_ELIMIT);
    assert_int_equal(d.line, 1);
    assert_string_equal(d.msg, "row has more than 512 fields");
}

static fw_err count_rows(void *ctx, long line, size_t n_fields,
                         char *const *fields, struct fw_diag *d)
{
    (void)line;
    (void)d;
    size_t *longest = ctx;
    for (size_t i = 0; i < n_fields; i++) {
        size_t n = strlen(fields[i]);
        *longest = n > *longest ? n : *longest;
    }
    return FW_OK;
}

/* tests/data/bad found it (alerts_2mb_line.csv): libcsv buffered a field
 * whole before the cap was checked, growing its buffer 128 bytes at a
 * time (16 s and 400 MB for 2 MB under ASan). A field at the cap is read;
 * one over it fails, quoted or not, on the line where its row starts. */
static void test_csv_field_cap(void **state)
{
    (void)state;
    size_t cap = FW_CSV_MAX_FIELD_BYTES;
    size_t n = 3 * cap;
    char *in = malloc(n);
    assert_non_null(in);
    struct fw_diag d;
    fw_diag_reset(&d);
    size_t longest = 0;
    /* h\na,<cap x's>\n */
    memcpy(in, "h\na,", 4);
    memset(in + 4, 'x', cap);
    in[4 + cap] = '\n';
    assert_int_equal(fw_csv_parse(in, 5 + cap, count_rows, &longest, &d),
                     FW_OK);
    assert_int_equal(longest, cap);
    /* one byte more */
    memset(in + 4, 'x', cap + 1);
    in[5 + cap] = '\n';
    assert_int_equal(fw_csv_parse(in, 6 + cap, count_rows, &longest, &d),
                     FW_ELIMIT);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.msg, "field 2 is longer than 1048576 bytes");
    /* 2 MiB inside quotes, across lines: stopped while it grows */
    memcpy(in, "h\na,\"", 5);
    memset(in + 5, 'y', n - 5);
    for (size_t i = 1000; i < n; i += 1000) {
        in[i] = '\n';
    }
    fw_diag_reset(&d);
    assert_int_equal(fw_csv_parse(in, n, count_rows, &longest, &d),
                     FW_ELIMIT);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.msg, "field 2 is longer than 1048576 bytes");
    free(in);
}

/* Fuzzing found it (fuzz/corpus/text/regress-key-bad-utf8-past-cut.txt):
 * fw_text_key stopped at a full buffer before it reached a bad byte, and
 * took an invalid name for a valid one. */
static void test_key_checks_the_whole_name(void **state)
{
    (void)state;
    char name[320], key[256];
    memset(name, 'a', 300);
    name[300] = '\x94';
    name[301] = '\0';
    assert_int_equal(fw_text_key(name, key, sizeof key), FW_EPARSE);
    name[300] = '\0';
    assert_int_equal(fw_text_key(name, key, sizeof key), FW_OK);
    assert_int_equal(strlen(key), sizeof key - 1);
}

static void oblast_is(const char *name, const char *iso)
{
    const struct fw_oblast *o = fw_oblast_by_name(name);
    assert_non_null(o);
    assert_string_equal(o->iso, iso);
}

static void test_oblast_names(void **state)
{
    (void)state;
    oblast_is("Харківська", "UA-63");
    oblast_is("Харківська область", "UA-63");
    oblast_is("Kharkiv Oblast", "UA-63");
    oblast_is("kharkivska oblast", "UA-63");
    oblast_is("UA-63", "UA-63");
    /* the city and the oblast around it */
    oblast_is("Kyiv", "UA-32");
    oblast_is("Kyiv Oblast", "UA-32");
    oblast_is("Київська область", "UA-32");
    oblast_is("м. Київ", "UA-30");
    oblast_is("Місто Київ", "UA-30");
    oblast_is("Kyiv City", "UA-30");
    oblast_is("м. Севастополь", "UA-40");
    oblast_is("Автономна Республіка Крим", "UA-43");
    assert_null(fw_oblast_by_name("Atlantis"));
    assert_int_equal(fw_oblast_count(), 27);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_fold_scripts_and_accents),
        cmocka_unit_test(test_utf8_positions),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_csv_lines_and_errors),
        cmocka_unit_test(test_csv_lone_cr_rows_have_lines),
        cmocka_unit_test(test_key_checks_the_whole_name),
        cmocka_unit_test(test_csv_field_cap),
        cmocka_unit_test(test_oblast_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
