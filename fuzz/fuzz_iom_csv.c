/*
 * fuzz_iom_csv.c - libFuzzer harness for fw_displacement_read_iom, the
 * reader of IOM DTM's oblast estimates (displacement.h). Every estimate it
 * hands on is checked by the counting sink (fuzz_sink.c) and here: a round
 * from 1 to 1000, a known oblast, figures of at most 12 digits or unknown
 * (-1), a source row naming its line. A read either succeeds or fails
 * with a positioned message.
 */
#include <string.h>

#include "frontwatch/displacement.h"
#include "frontwatch/oblast.h"
#include "fuzz.h"

static fw_err (*g_shared)(void *ctx, const struct fw_displacement_rec *r);

static fw_err check(void *ctx, const struct fw_displacement_rec *r)
{
    FUZZ_CHECK(r->round >= 1 && r->round <= 1000);
    FUZZ_CHECK(fw_oblast_by_iso(r->oblast_iso) != NULL);
    FUZZ_CHECK(r->idps >= -1 && r->idps < 1000000000000LL);
    FUZZ_CHECK(r->returnees >= -1 && r->returnees < 1000000000000LL);
    FUZZ_CHECK(r->source_row != NULL &&
               strncmp(r->source_row, "line ", 5) == 0);
    return g_shared(ctx, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    g_shared = sink.displacement;
    sink.displacement = check;
    fw_diag_reset(&d);
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_displacement_read_iom(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        FUZZ_CHECK(size > 0);
        FUZZ_CHECK(counts.n_progress >= 1);
    } else {
        FUZZ_CHECK(d.line >= 1);
    }
    return 0;
}
