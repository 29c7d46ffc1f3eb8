/*
 * fuzz_cir_csv.c - libFuzzer harness for fw_incidents_read_cir, the reader
 * of the CIR Russia-Ukraine Monitor map events (incidents.h). Every event
 * it hands on is checked by the counting sink (fuzz_sink.c) and here: a
 * strike of source "cir" with a position inside the incidents' area, an
 * oblast ISO code or none, no area, an unknown count and one of the four
 * strike groups as its type. A read either succeeds or fails with a
 * positioned message.
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
               strcmp(e->source, FW_INCIDENTS_SOURCE_CIR) == 0);
    FUZZ_CHECK(e->has_position);
    FUZZ_CHECK(e->lat_deg >= FW_INCIDENTS_MIN_LAT_DEG &&
               e->lat_deg <= FW_INCIDENTS_MAX_LAT_DEG &&
               e->lon_deg >= FW_INCIDENTS_MIN_LON_DEG &&
               e->lon_deg <= FW_INCIDENTS_MAX_LON_DEG);
    FUZZ_CHECK(e->area == NULL);
    FUZZ_CHECK(e->count == -1);
    static const char *const groups[] = {
        "Bombing or Explosion", "Civilian Casualty",
        "Civilian Infrastructure Damage", "Military Infrastructure Damage"};
    int known = 0;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        known |= e->type != NULL && strcmp(e->type, groups[i]) == 0;
    }
    FUZZ_CHECK(known);
    FUZZ_CHECK(e->source_row != NULL &&
               strstr(e->source_row, "(line ") != NULL);
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
    fw_err err = fw_incidents_read_cir(buf, size, &sink, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_OK) {
        FUZZ_CHECK(size > 0);
        FUZZ_CHECK(counts.n_progress >= 1);
    } else {
        /* a file-level error from the reader always has a line */
        FUZZ_CHECK(d.line >= 1);
    }
    return 0;
}
