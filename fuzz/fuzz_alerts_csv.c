/*
 * fuzz_alerts_csv.c - libFuzzer harness for fw_alerts_read_csv, the
 * reader of the official and volunteer air-raid alert CSVs (alerts.h).
 * Every alert it hands on is checked by the counting sink (fuzz_sink.c);
 * a read either succeeds or fails with a positioned message.
 */
#include <stdlib.h>
#include <string.h>

#include "frontwatch/alerts.h"
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
    fw_err err = fw_alerts_read_csv(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        /* a file that reads has its header, so it is not empty */
        FUZZ_CHECK(size > 0);
        FUZZ_CHECK(counts.n_progress >= 1);
    } else {
        /* a file-level error from the reader always has a line */
        FUZZ_CHECK(d.line >= 1);
    }
    return 0;
}
