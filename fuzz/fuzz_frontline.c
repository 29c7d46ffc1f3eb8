/*
 * fuzz_frontline.c - libFuzzer harness for fw_frontline_read, the GeoJSON
 * reader of front-line maps and oblast boundaries (frontline.h). The path
 * carries a date, so that maps are not all stopped early by a name
 * without one; every shape (DeepState full and union, NZZ, boundaries) is
 * recognised by content. Polygons are checked by the counting sink
 * (fuzz_sink.c): WKB a non-empty closed 2D Polygon, positions in range and
 * inside the bounding box, area finite.
 */
#include "frontwatch/frontline.h"
#include "fuzz.h"

#define FUZZ_PATH "deepstate_20240101T000000Z_1.geojson"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    enum fw_geojson_kind kind = FW_GEOJSON_UNKNOWN;
    fuzz_sink_init(&sink, &counts);
    fw_err err = fw_frontline_read(FUZZ_PATH, (const char *)data, size, &sink,
                                   &kind, &d);
    fuzz_check_diag(err, &d);
    FUZZ_CHECK(kind >= FW_GEOJSON_UNKNOWN && kind <= FW_GEOJSON_BOUNDARIES);
    if (err == FW_OK) {
        FUZZ_CHECK(kind != FW_GEOJSON_UNKNOWN);
        /* a map sends its snapshot, boundaries never one */
        FUZZ_CHECK((kind == FW_GEOJSON_BOUNDARIES) ==
                   (counts.n_snapshots == 0));
    }
    return 0;
}
