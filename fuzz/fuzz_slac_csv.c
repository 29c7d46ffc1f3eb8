/*
 * fuzz_slac_csv.c - libFuzzer harness for fw_displacement_read_slac, the
 * reader of SLAC's front-line settlement monitoring (displacement.h).
 * Every visit it hands on is checked by the counting sink (fuzz_sink.c)
 * and here: a known oblast, a settlement and names within their cap, the
 * checked answers from the code book (civilians_number renamed to its
 * band), a source row naming its line. A read either succeeds or fails
 * with a positioned message.
 */
#include <string.h>

#include "frontwatch/displacement.h"
#include "frontwatch/oblast.h"
#include "fuzz.h"

static fw_err (*g_shared)(void *ctx, const struct fw_settlement_visit_rec *v);

static int one_of(const char *v, const char *const *allowed, size_t n)
{
    if (v == NULL) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v, allowed[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static fw_err check(void *ctx, const struct fw_settlement_visit_rec *v)
{
    static const char *const yes_no[] = {"yes", "no"};
    static const char *const yes_no_nk[] = {"yes", "no", "not_known"};
    static const char *const dist[] = {"less_5km", "5_10km", "more_10km"};
    static const char *const bands[] = {"0",        "less_50",  "50_200",
                                        "201_500",  "501_1000", "1001_2000",
                                        "more_2000"};
    FUZZ_CHECK(fw_oblast_by_iso(v->oblast_iso) != NULL);
    FUZZ_CHECK(strlen(v->settlement) <= FW_DISPLACEMENT_MAX_NAME_BYTES);
    FUZZ_CHECK(v->raion == NULL ||
               strlen(v->raion) <= FW_DISPLACEMENT_MAX_NAME_BYTES);
    FUZZ_CHECK(v->hromada == NULL ||
               strlen(v->hromada) <= FW_DISPLACEMENT_MAX_NAME_BYTES);
    FUZZ_CHECK(one_of(v->civilians_present, yes_no, 2));
    FUZZ_CHECK(one_of(v->civ_change, yes_no_nk, 3));
    FUZZ_CHECK(one_of(v->movement_now, yes_no, 2));
    FUZZ_CHECK(one_of(v->frontline_distance, dist, 3));
    FUZZ_CHECK(one_of(v->civilians_number, bands, 7));
    FUZZ_CHECK(v->source_row != NULL &&
               strncmp(v->source_row, "line ", 5) == 0);
    return g_shared(ctx, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    g_shared = sink.visit;
    sink.visit = check;
    fw_diag_reset(&d);
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_displacement_read_slac(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        FUZZ_CHECK(size > 0);
        FUZZ_CHECK(counts.n_progress >= 1);
    } else {
        FUZZ_CHECK(d.line >= 1);
    }
    return 0;
}
