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

#endif
