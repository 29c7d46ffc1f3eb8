/*
 * test_season.c - the fighting-season phase of a date (season.h): the
 * bounds of each phase, a leap day, and any time of the day.
 */
#include <string.h>

#include "fwtest.h"
#include "frontwatch/date.h"
#include "frontwatch/season.h"

static enum fw_season at(const char *day)
{
    int64_t t = 0;
    assert_int_equal(fw_date_parse_day(day, &t), FW_OK);
    return fw_season_at(t);
}

static void test_phase_bounds(void **state)
{
    (void)state;
    assert_int_equal(at("2024-02-29"), FW_SEASON_WINTER);
    assert_int_equal(at("2024-03-01"), FW_SEASON_SPRING_MUD);
    assert_int_equal(at("2024-04-30"), FW_SEASON_SPRING_MUD);
    assert_int_equal(at("2024-05-01"), FW_SEASON_CAMPAIGN);
    assert_int_equal(at("2024-09-30"), FW_SEASON_CAMPAIGN);
    assert_int_equal(at("2024-10-01"), FW_SEASON_AUTUMN_MUD);
    assert_int_equal(at("2024-11-30"), FW_SEASON_AUTUMN_MUD);
    assert_int_equal(at("2024-12-01"), FW_SEASON_WINTER);
    assert_int_equal(at("2025-01-15"), FW_SEASON_WINTER);
    /* 23:59:59 UTC on the last day of April is still April */
    int64_t t = 0;
    assert_int_equal(fw_date_parse_timestamp("2024-04-30T23:59:59Z", &t),
                     FW_OK);
    assert_int_equal(fw_season_at(t), FW_SEASON_SPRING_MUD);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(fw_season_name(FW_SEASON_CAMPAIGN), "campaign");
    assert_string_equal(fw_season_name(FW_SEASON_SPRING_MUD), "spring_mud");
    assert_string_equal(fw_season_name(FW_SEASON_AUTUMN_MUD), "autumn_mud");
    assert_string_equal(fw_season_name(FW_SEASON_WINTER), "winter");
    assert_non_null(strstr(fw_season_text(FW_SEASON_CAMPAIGN), "May"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phase_bounds),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
