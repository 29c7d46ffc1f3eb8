/*
 * fuzz_text.c - libFuzzer harness for the text and date helpers every
 * reader leans on: fw_text_check, fw_text_key and fw_text_edit_distance
 * (text.h), fw_date_parse_timestamp and fw_date_parse_day (date.h) and
 * fw_frontline_date_from_name (frontline.h). The input is used as raw
 * bytes and, up to its first NUL, as a string.
 *
 * Properties checked: fw_text_check agrees with fw_text_utf8_valid and a
 * NUL search; a key is lowercase ASCII letters, digits and single inner
 * spaces, the same as its own key, and a key cut short by a small buffer
 * is a prefix of the full one; a parsed time formats and re-parses to
 * itself and lies in the years the parser accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "frontwatch/date.h"
#include "frontwatch/frontline.h"
#include "frontwatch/text.h"
#include "fuzz.h"

/* Earliest and latest instants fw_date_parse_timestamp can return: years
 * 1900 to 2200, moved by an offset of at most 14:59. */
#define T_MIN_S (-2208988800LL - 15 * 3600)
#define T_MAX_S (7289654400LL + 15 * 3600)

static void check_key(const char *s)
{
    char key[256], again[256], small[17];
    long line = 0, col = 0;
    int is_valid = fw_text_utf8_valid(s, strlen(s), &line, &col);
    fw_err err = fw_text_key(s, key, sizeof key);
    FUZZ_CHECK(err == (is_valid ? FW_OK : FW_EPARSE));
    FUZZ_CHECK(fw_text_key(s, key, 0) == FW_EUSAGE);
    if (err != FW_OK) {
        return;
    }
    size_t n = strlen(key);
    FUZZ_CHECK(n < sizeof key);
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   (c == ' ' && i > 0 && i + 1 < n && key[i - 1] != ' '));
    }
    FUZZ_CHECK(fw_text_key(key, again, sizeof again) == FW_OK);
    FUZZ_CHECK(strcmp(key, again) == 0);
    FUZZ_CHECK(fw_text_key(s, small, sizeof small) == FW_OK);
    FUZZ_CHECK(strncmp(small, key, strlen(small)) == 0);
    FUZZ_CHECK(fw_text_edit_distance(key, key, 3) == 0);
    size_t ab = fw_text_edit_distance(key, small, 4);
    FUZZ_CHECK(ab <= 5 && ab == fw_text_edit_distance(small, key, 4));
}

static void check_dates(const char *s)
{
    int64_t t = 0;
    fw_err err = fw_date_parse_timestamp(s, &t);
    FUZZ_CHECK(err == FW_OK || err == FW_EPARSE || err == FW_ERANGE);
    if (err == FW_OK) {
        char iso[21];
        int64_t t2 = 0;
        FUZZ_CHECK(t >= T_MIN_S && t <= T_MAX_S);
        fw_date_format_iso(t, iso);
        /* a leap second (:60) formats as the next minute's :00 */
        FUZZ_CHECK(fw_date_parse_timestamp(iso, &t2) == FW_OK && t2 == t);
    }
    err = fw_date_parse_day(s, &t);
    if (err == FW_OK) {
        char day[11];
        FUZZ_CHECK(t % FW_DAY_S == 0);
        fw_date_format_day(t, day);
        FUZZ_CHECK(strcmp(day, s) == 0);
    }
    if (fw_frontline_date_from_name(s, &t) == FW_OK) {
        FUZZ_CHECK(t >= T_MIN_S && t <= T_MAX_S);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = size > 0 ? (const char *)data : "";
    struct fw_diag d;
    long line = 0, col = 0;
    fw_diag_reset(&d);
    fw_err err = fw_text_check(buf, size, &d);
    fuzz_check_diag(err, &d);
    const char *nul = memchr(buf, '\0', size);
    size_t before_nul = nul != NULL ? (size_t)(nul - buf) : size;
    int is_valid = fw_text_utf8_valid(buf, before_nul, &line, &col);
    FUZZ_CHECK((err == FW_OK) == (is_valid && nul == NULL));
    if (err != FW_OK) {
        FUZZ_CHECK(err == FW_EPARSE && d.line >= 1 && d.col >= 1);
    }

    char *s = malloc(before_nul + 1);
    if (s == NULL) {
        return 0;
    }
    memcpy(s, buf, before_nul);
    s[before_nul] = '\0';
    check_key(s);
    check_dates(s);
    free(s);
    return 0;
}
