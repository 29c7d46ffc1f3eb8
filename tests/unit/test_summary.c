/*
 * test_summary.c - the answer in words (summary.c), in English and
 * Ukrainian. The assessments are filled by hand: they test the wording
 * and number style, not the data (test_facts.c checks real answers).
 */
#include <math.h>
#include <string.h>

#include "fwtest.h"
#include "frontwatch/summary.h"

static struct fw_assessment kharkiv(void)
{
    struct fw_assessment a;
    memset(&a, 0, sizeof a);
    snprintf(a.place.name, sizeof a.place.name, "Kharkiv");
    snprintf(a.place.name_local, sizeof a.place.name_local, "Харків");
    a.date_s = 1715731200; /* 2024-05-15 */
    a.has_status = 1;
    a.status = FW_STATUS_FREE;
    a.distance_km = 32.26;
    a.distance_change_28d_km = -71.04;
    return a;
}

static void test_free_both_languages(void **state)
{
    (void)state;
    struct fw_assessment a = kharkiv();
    char buf[512];
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Kharkiv is not occupied. The nearest occupied "
                             "area is 32.3 km away, 71.0 km closer than 28 "
                             "days ago.");
    fw_summary_format(&a, FW_LANG_UK, 1, buf, sizeof buf);
    assert_string_equal(buf, "Харків: не окуповано. Найближча окупована "
                             "територія — за 32,3 км, на 71,0 км ближче, "
                             "ніж 28 днів тому.");
}

static void test_forecast_sentence(void **state)
{
    (void)state;
    struct fw_assessment a = kharkiv();
    a.distance_change_28d_km = NAN;
    struct fw_forecast_meta meta;
    memset(&meta, 0, sizeof meta);
    struct fw_place_forecast pf;
    memset(&pf, 0, sizeof pf);
    pf.state = FW_FORECAST_OK;
    pf.p[0] = 0.0004;
    pf.p[1] = 0.1234;
    a.model = &meta;
    a.forecast = &pf;
    char buf[512];
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Kharkiv is not occupied. The nearest occupied "
                             "area is 32.3 km away. Chance of coming under "
                             "occupation: under 0.1 % within 30 days, "
                             "12.3 % within 90 days.");
    fw_summary_format(&a, FW_LANG_UK, 1, buf, sizeof buf);
    assert_non_null(strstr(buf, "Імовірність окупації: менше 0,1 % протягом "
                                "30 днів, 12,3 % протягом 90 днів."));
    /* the CLI's headline leaves the probabilities to its own block */
    fw_summary_format(&a, FW_LANG_EN, 0, buf, sizeof buf);
    assert_null(strstr(buf, "Chance"));
}

static void test_occupied_and_unknown(void **state)
{
    (void)state;
    struct fw_assessment a = kharkiv();
    a.status = FW_STATUS_OCCUPIED;
    snprintf(a.place.name_local, sizeof a.place.name_local, "%s", "");
    char buf[512];
    fw_summary_format(&a, FW_LANG_UK, 1, buf, sizeof buf);
    /* no Ukrainian name in the store: the Latin one */
    assert_string_equal(buf, "Kharkiv: окуповано.");
    a.has_status = 0;
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "No front-line map in the store covers "
                             "2024-05-15: the status of Kharkiv is unknown.");
}

/* The state border (issue 14): the nearer threat is named first; none
 * for an occupied place or without border data. */
static void test_border_order(void **state)
{
    (void)state;
    struct fw_assessment a = kharkiv();
    snprintf(a.border_country, sizeof a.border_country, "RU");
    a.distance_to_border_km = 34.75;
    char buf[512];
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Kharkiv is not occupied. The nearest occupied "
                             "area is 32.3 km away, 71.0 km closer than 28 "
                             "days ago. The Russian border is 34.8 km "
                             "away.");
    fw_summary_format(&a, FW_LANG_UK, 1, buf, sizeof buf);
    assert_string_equal(buf, "Харків: не окуповано. Найближча окупована "
                             "територія — за 32,3 км, на 71,0 км ближче, "
                             "ніж 28 днів тому. Кордон з Росією — за "
                             "34,8 км.");
    /* Vovchansk on 2024-05-01: the border first */
    snprintf(a.place.name, sizeof a.place.name, "Vovchansk");
    a.distance_km = 71.94;
    a.distance_change_28d_km = 0;
    a.distance_to_border_km = 6.38;
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Vovchansk is not occupied. The Russian border "
                             "is 6.4 km away. The nearest occupied area is "
                             "71.9 km away, unchanged from 28 days ago.");
    a.status = FW_STATUS_OCCUPIED;
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Vovchansk is occupied.");
    /* no border data: as before (a zeroed country, NAN distance) */
    a = kharkiv();
    a.distance_to_border_km = NAN;
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_null(strstr(buf, "border"));
}

static void test_cut_to_fit(void **state)
{
    (void)state;
    struct fw_assessment a = kharkiv();
    char buf[12];
    fw_summary_format(&a, FW_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Kharkiv is ");
}

static void test_lang_codes(void **state)
{
    (void)state;
    assert_int_equal(fw_lang_from_code("uk"), FW_LANG_UK);
    assert_int_equal(fw_lang_from_code("uk-UA"), FW_LANG_UK);
    assert_int_equal(fw_lang_from_code("UA"), FW_LANG_UK);
    assert_int_equal(fw_lang_from_code("en-GB"), FW_LANG_EN);
    assert_int_equal(fw_lang_from_code("ukx"), FW_LANG_EN);
    assert_int_equal(fw_lang_from_code(NULL), FW_LANG_EN);
    assert_string_equal(fw_lang_code(FW_LANG_UK), "uk");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_both_languages),
        cmocka_unit_test(test_forecast_sentence),
        cmocka_unit_test(test_occupied_and_unknown),
        cmocka_unit_test(test_border_order),
        cmocka_unit_test(test_cut_to_fit),
        cmocka_unit_test(test_lang_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
