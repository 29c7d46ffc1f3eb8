/*
 * fuzz_alerts_in_ua.c - libFuzzer harness for fw_alerts_read_in_ua, the
 * reader of the alerts.in.ua history API answer (alerts.h). The read
 * happens at a fixed time (NOW_S), so every run of an input is the same.
 * Rejects, progress and the diagnostics are checked by the counting sink
 * (fuzz_sink.c); the alerts are checked here, because fuzz_sink.c's alert
 * check knows the CSV sources only ("official", "volunteer") and wants a
 * raion at hromada level, which this API does not name. A read either
 * succeeds or fails with a positioned message.
 */
#include <stdlib.h>
#include <string.h>

#include "frontwatch/alerts.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"
#include "frontwatch/text.h"
#include "fuzz.h"

/* 2026-06-21T17:15:25Z, when the real answers were read. */
#define NOW_S INT64_C(1782062125)

/* s is set, NUL-terminated and well-formed UTF-8. */
static int is_text(const char *s)
{
    long line = 0, col = 0;
    return s != NULL && fw_text_utf8_valid(s, strlen(s), &line, &col);
}

static fw_err check_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(a->source != NULL && strcmp(a->source, "alerts_in_ua") == 0);
    FUZZ_CHECK(a->level >= FW_ALERT_OBLAST && a->level <= FW_ALERT_HROMADA);
    FUZZ_CHECK(a->oblast_iso != NULL && fw_oblast_by_iso(a->oblast_iso));
    /* the title names the raion at raion level, the hromada (or city) at
     * hromada level, nothing else */
    FUZZ_CHECK((a->raion != NULL) == (a->level == FW_ALERT_RAION));
    FUZZ_CHECK((a->hromada != NULL) == (a->level == FW_ALERT_HROMADA));
    FUZZ_CHECK(a->raion == NULL || (is_text(a->raion) && a->raion[0]));
    FUZZ_CHECK(a->hromada == NULL || (is_text(a->hromada) && a->hromada[0]));
    FUZZ_CHECK(a->end_s >= a->start_s);
    FUZZ_CHECK(a->start_s <= NOW_S + FW_DAY_S);
    FUZZ_CHECK(a->end_s <= NOW_S + FW_DAY_S);
    FUZZ_CHECK(a->is_naive == 0);
    FUZZ_CHECK(a->is_open == 0 || a->is_open == 1);
    /* an open alert lasts until the read, or 0 s if it started later */
    FUZZ_CHECK(!a->is_open ||
               a->end_s == (a->start_s > NOW_S ? a->start_s : NOW_S));
    c->n_alerts++;
    return FW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    sink.alert = check_alert;
    fw_diag_reset(&d);
    /* buf must not be NULL, even for an empty input */
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_alerts_read_in_ua(buf, size, NOW_S, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        /* progress once at the end at least; no file-level position */
        FUZZ_CHECK(counts.n_progress >= 1);
        FUZZ_CHECK(d.feature == -1);
    } else {
        /* a JSON error has a line, an error in an alert its index or a
         * path; one in the document's shape names "alerts" */
        FUZZ_CHECK(d.line >= 1 || d.feature >= 0 ||
                   strstr(d.msg, "alerts") != NULL);
    }
    return 0;
}
