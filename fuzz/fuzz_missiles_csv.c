/*
 * fuzz_missiles_csv.c - libFuzzer harness for fw_events_read_missiles, the
 * reader of the missile and drone attack table (events.h). Every event it
 * hands on is checked by the counting sink (fuzz_sink.c); a read either
 * succeeds or fails with a positioned message.
 */
#include <stdlib.h>
#include <string.h>

#include "frontwatch/events.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    fw_diag_reset(&d);
    /* buf must not be NULL, even for an empty input */
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_events_read_missiles(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        FUZZ_CHECK(size > 0);
        FUZZ_CHECK(counts.n_progress >= 1);
        /* a repair always precedes the events of its row */
        FUZZ_CHECK(counts.n_repairs == 0 || counts.n_events > 0);
    } else {
        /* a file-level error from the reader always has a line */
        FUZZ_CHECK(d.line >= 1);
    }
    return 0;
}
