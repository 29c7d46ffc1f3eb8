/*
 * fuzz_shapefile.c - libFuzzer harness for fw_shapefile_read, the reader
 * of country outlines in ESRI shapefiles (shapefile.h), which hands the
 * three files to shapelib through its I/O hooks. The input is the three
 * files one after the other: the .shp's length and the .shx's, each a
 * 32-bit little-endian number, then the .shp, the .shx and, to the end,
 * the .dbf (a length past the end is cut to it). Country and polygon
 * records are checked by the counting sink (fuzz_sink.c).
 */
#include <string.h>

#include "frontwatch/shapefile.h"
#include "fuzz.h"

static size_t take_len(const uint8_t **p, size_t *left)
{
    if (*left < 4) {
        *left = 0;
        return 0;
    }
    size_t n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8 | (size_t)(*p)[2] << 16 |
               (size_t)(*p)[3] << 24;
    *p += 4;
    *left -= 4;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t empty[1];
    const uint8_t *p = size > 0 ? data : empty;
    size_t left = size;
    size_t shp_len = take_len(&p, &left);
    size_t shx_len = take_len(&p, &left);
    shp_len = shp_len < left ? shp_len : left;
    const uint8_t *shp = p;
    left -= shp_len;
    shx_len = shx_len < left ? shx_len : left;
    const uint8_t *shx = shp + shp_len;
    left -= shx_len;
    struct fw_shapefile f = {.name = "fuzz",
                             .shp = shp,
                             .shp_len = shp_len,
                             .shx = shx,
                             .shx_len = shx_len,
                             .dbf = shx + shx_len,
                             .dbf_len = left};
    struct fw_sink sink;
    struct fuzz_counts counts;
    struct fw_diag d;
    fuzz_sink_init(&sink, &counts);
    fw_diag_reset(&d);
    fw_err err = fw_shapefile_read(&f, &sink, &d);
    fuzz_check_diag(err, &d);
    FUZZ_CHECK(d.feature >= -1);
    return 0;
}
