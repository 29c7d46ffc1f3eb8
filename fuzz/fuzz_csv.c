/*
 * fuzz_csv.c - libFuzzer harness for fw_csv_parse, the CSV layer under the
 * alerts and KSE readers (csv.h). Rows must arrive in line order, within
 * the field caps and as UTF-8; a callback error must come back unchanged.
 * The first input byte picks after how many rows the callback stops the
 * parse (0: never), so that path is fuzzed too.
 */
#include <string.h>

#include "frontwatch/csv.h"
#include "frontwatch/text.h"
#include "fuzz.h"

struct csv_fuzz {
    long last_line;
    size_t n_rows;
    size_t stop_after; /* 0: never stop */
};

static fw_err on_row(void *ctx, long line, size_t n_fields, char *const *fields,
                     struct fw_diag *d)
{
    struct csv_fuzz *c = ctx;
    /* a lone CR ends a row too (libcsv), so two rows may share a line */
    FUZZ_CHECK(line >= c->last_line && line >= 1);
    c->last_line = line;
    FUZZ_CHECK(n_fields >= 1 && n_fields <= FW_CSV_MAX_FIELDS);
    for (size_t i = 0; i < n_fields; i++) {
        size_t len = strlen(fields[i]);
        long l = 0, col = 0;
        FUZZ_CHECK(len <= FW_CSV_MAX_FIELD_BYTES);
        FUZZ_CHECK(fw_text_utf8_valid(fields[i], len, &l, &col));
    }
    FUZZ_CHECK(fw_csv_column(n_fields, fields, fields[0]) == 0);
    c->n_rows++;
    if (c->stop_after != 0 && c->n_rows == c->stop_after) {
        return fw_diag_set(d, FW_ERANGE, line, 0, "stopped by the harness");
    }
    return FW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_fuzz c = {0};
    struct fw_diag d;
    fw_diag_reset(&d);
    if (size > 0 && (data[0] & 0x80) != 0) {
        c.stop_after = (size_t)(data[0] & 0x07) + 1;
    }
    const char *buf = size > 0 ? (const char *)data : "";
    fw_err err = fw_csv_parse(buf, size, on_row, &c, &d);
    fuzz_check_diag(err, &d);
    if (err == FW_ERANGE) {
        FUZZ_CHECK(c.stop_after != 0 && c.n_rows == c.stop_after);
        FUZZ_CHECK(strcmp(d.msg, "stopped by the harness") == 0);
    } else if (err != FW_OK) {
        FUZZ_CHECK(err == FW_EPARSE || err == FW_ELIMIT);
        FUZZ_CHECK(d.line >= 1);
    } else {
        FUZZ_CHECK(c.stop_after == 0 || c.n_rows < c.stop_after);
    }
    return 0;
}
