/*
 * csv.h - RFC 4180 CSV rows with their line numbers (wraps libcsv).
 *
 * The readers of alerts, gazetteers and control tables call this. Input is
 * a whole buffer (see io.h); CRLF, LF and quoted newlines are handled by
 * libcsv, a leading UTF-8 BOM is skipped, and every failure names the line
 * and column: an unterminated quote points at the line where the quoted
 * field began, a NUL byte or invalid UTF-8 at its exact position.
 */
#ifndef FRONTWATCH_CSV_H
#define FRONTWATCH_CSV_H

#include <stddef.h>

#include "frontwatch/err.h"

/* Hard caps: a row with more fields, or a field longer, is an error. */
#define FW_CSV_MAX_FIELDS 512
#define FW_CSV_MAX_FIELD_BYTES ((size_t)1 << 20)

/* Called once per row (the header too). line is the 1-based line on which
 * the row starts (libcsv ends a row at a lone CR too, so two rows may
 * start on one line; lines count LFs). fields[i] are NUL-terminated,
 * borrowed until the callback returns. A non-FW_OK return stops parsing
 * and is returned by fw_csv_parse (the callback fills d; fw_csv_parse
 * keeps what it wrote). */
typedef fw_err (*fw_csv_row_fn)(void *ctx, long line, size_t n_fields,
                                char *const *fields, struct fw_diag *d);

/* Parses buf[0..len) and calls fn for every non-empty row.
 * Errors: FW_EPARSE (malformed quoting, NUL byte, invalid UTF-8; line and
 * col in d), FW_ELIMIT (caps above, at the row's line), FW_ENOMEM, or
 * whatever fn returned. */
fw_err fw_csv_parse(const char *buf, size_t len, fw_csv_row_fn fn, void *ctx,
                    struct fw_diag *d);

/* Index of the column named name in a header row, or -1. */
int fw_csv_column(size_t n_fields, char *const *fields, const char *name);

/* Where fields lie in the raw text, for error messages: libcsv reports no
 * offsets, so a row is walked again (quoted fields may hold commas,
 * quotes and newlines). A cursor over buf[0..len) (borrowed) remembers
 * where the last line asked for begins; lines must be asked in
 * non-decreasing order, as a reader meets them. */
struct fw_csv_pos {
    const char *buf;
    size_t len;
    long line;  /* line whose start is off; starts at 1 */
    size_t off;
};

/* A cursor at the start of buf. */
struct fw_csv_pos fw_csv_pos_init(const char *buf, size_t len);

/* The byte offset where line `line` begins (for progress). */
size_t fw_csv_line_offset(struct fw_csv_pos *c, long line);

/* The 1-based line and byte column where field `field` (0-based) of the
 * row starting on `line` begins (a UTF-8 BOM on line 1 is skipped). */
void fw_csv_field_position(struct fw_csv_pos *c, long line, int field,
                           long *out_line, long *out_col);

#endif
