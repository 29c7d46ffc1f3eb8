/*
 * fuzz_bellingcat_json.c - libFuzzer harness for
 * fw_incidents_read_bellingcat, the reader of the Bellingcat civilian-harm
 * export (incidents.h). Every event it hands on is checked by the counting
 * sink (fuzz_sink.c) and here: a strike of source "bellingcat" with a
 * position inside the incidents' area, no oblast, no area, an unknown
 * count and a type no longer than the cap. A read either succeeds or
 * fails with a positioned message.
 */
#include <stdlib.h>
#include <string.h>

#include "frontwatch/incidents.h"
#include "fuzz.h"

/* The counting sink's event callback, which checks what every event
 * promises and counts it. */
static fw_err (*g_shared_event)(void *ctx, const struct fw_event_rec *e);

static fw_err check_event(void *ctx, const struct fw_event_rec *e)
{
    FUZZ_CHECK(e->source != NULL &&
               strcmp(e->source, FW_INCIDENTS_SOURCE_BELLINGCAT) == 0);
    FUZZ_CHECK(e->has_position);
    FUZZ_CHECK(e->lat_deg >= FW_INCIDENTS_MIN_LAT_DEG &&
               e->lat_deg <= FW_INCIDENTS_MAX_LAT_DEG &&
               e->lon_deg >= FW_INCIDENTS_MIN_LON_DEG &&
               e->lon_deg <= FW_INCIDENTS_MAX_LON_DEG);
    FUZZ_CHECK(e->oblast_iso == NULL && e->area == NULL);
    FUZZ_CHECK(e->count == -1);
    FUZZ_CHECK(e->type != NULL && e->type[0] != '\0' &&
               strlen(e->type) <= FW_INCIDENTS_MAX_TYPE_BYTES);
    FUZZ_CHECK(e->source_row != NULL &&
               strstr(e->source_row, "(item ") != NULL);
    return g_shared_event(ctx, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    g_shared_event = sink.event;
    sink.event = check_event;
    fw_diag_reset(&d);
    /* buf must not be NULL, even for an empty input */
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_incidents_read_bellingcat(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        /* progress once at the end at least; no file-level position */
        FUZZ_CHECK(counts.n_progress >= 1);
        FUZZ_CHECK(d.feature == -1 && d.line == 0);
    } else {
        /* bad JSON or a document that is no array has a line, an
         * element of the wrong shape its index */
        FUZZ_CHECK(d.line >= 1 || d.feature >= 0);
    }
    return 0;
}
