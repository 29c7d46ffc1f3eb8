/*
 * fuzz_kse.c - libFuzzer harness for fw_gazetteer_read_kse, the reader of
 * the KSE hromada centres CSV (gazetteer.h). Place records are checked by
 * the counting sink (fuzz_sink.c).
 */
#include "frontwatch/gazetteer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    fw_diag_reset(&d);
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_gazetteer_read_kse(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err != FW_OK) {
        FUZZ_CHECK(d.line >= 1);
    }
    return 0;
}
