/*
 * fuzz_alert_regions.c - libFuzzer harness for fw_alerts_read_regions,
 * the reader of states.json, the hierarchy of alert regions (alerts.h).
 * Region records are checked by the counting sink (fuzz_sink.c).
 */
#include "frontwatch/alerts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    fw_diag_reset(&d);
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_alerts_read_regions(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    FUZZ_CHECK(err != FW_OK || size > 0);
    return 0;
}
