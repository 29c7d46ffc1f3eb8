/*
 * csv.c - line-tracking CSV parsing on top of libcsv (see csv.h).
 *
 * The buffer is fed to libcsv one physical line at a time (a long line in
 * pieces), so that when a row ends we know on which line it started and,
 * when libcsv rejects input, on which line and column it stopped. libcsv
 * hands over a field only when it ends; the size of its field buffer is
 * checked after every piece, so that a field over the cap fails while it
 * grows, not after all of it was buffered.
 */
#include "frontwatch/csv.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/text.h"

/* libcsv grows its field buffer by this much at a time. Its default, 128
 * bytes, costs a realloc (a copy, under a sanitizer or valgrind) per 128
 * bytes of a long field: 2 MB took 16 s under ASan. */
#define FIELD_BLOCK_BYTES ((size_t)1 << 16)

/* Longest piece of a line handed to libcsv at once: a field's buffer is
 * checked against the cap after each. */
#define FEED_BYTES ((size_t)1 << 16)

struct row_state {
    char *fields[FW_CSV_MAX_FIELDS];
    size_t n_fields;
    long line;       /* line the current row started on, 0 = none yet */
    long cur_line;   /* line being fed */
    fw_err err;      /* first error raised inside a callback */
    fw_csv_row_fn fn;
    void *ctx;
    struct fw_diag *d;
};

static void clear_row(struct row_state *st)
{
    for (size_t i = 0; i < st->n_fields; i++) {
        free(st->fields[i]);
        st->fields[i] = NULL;
    }
    st->n_fields = 0;
}

/* The line the current row started on. A row that follows a lone CR (a
 * row end to libcsv) starts on the line being fed, which st->line does
 * not note: it is only set when a physical line starts. */
static long row_line(const struct row_state *st)
{
    return st->line != 0 ? st->line : st->cur_line;
}

static void on_field(void *s, size_t len, void *data)
{
    struct row_state *st = data;
    if (st->err != FW_OK) {
        return;
    }
    if (st->n_fields >= FW_CSV_MAX_FIELDS) {
        st->err = fw_diag_set(st->d, FW_ELIMIT, row_line(st), 0,
                              "row has more than %d fields",
                              FW_CSV_MAX_FIELDS);
        return;
    }
    if (len > FW_CSV_MAX_FIELD_BYTES) {
        st->err = fw_diag_set(st->d, FW_ELIMIT, row_line(st), 0,
                              "field %zu is longer than %zu bytes",
                              st->n_fields + 1, FW_CSV_MAX_FIELD_BYTES);
        return;
    }
    char *f = malloc(len + 1);
    if (f == NULL) {
        st->err = FW_ENOMEM;
        return;
    }
    if (len > 0) {
        memcpy(f, s, len);
    }
    f[len] = '\0';
    st->fields[st->n_fields++] = f;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct row_state *st = data;
    if (st->err == FW_OK) {
        fw_err e =
            st->fn(st->ctx, row_line(st), st->n_fields, st->fields, st->d);
        if (e != FW_OK) {
            st->err = e;
        }
    }
    clear_row(st);
    st->line = 0;
}

int fw_csv_column(size_t n_fields, char *const *fields, const char *name)
{
    for (size_t i = 0; i < n_fields; i++) {
        if (strcmp(fields[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

fw_err fw_csv_parse(const char *buf, size_t len, fw_csv_row_fn fn, void *ctx,
                    struct fw_diag *d)
{
    fw_err err = fw_text_check(buf, len, d);
    if (err != FW_OK) {
        return err;
    }

    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        return FW_ENOMEM;
    }
    csv_set_blk_size(&p, FIELD_BLOCK_BYTES);
    struct row_state st = {.fn = fn, .ctx = ctx, .d = d};
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        pos = 3;
    }
    while (pos < len && st.err == FW_OK) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t line_len =
            nl != NULL ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
        st.cur_line++;
        /* A row starts on the first non-blank line after the last one. */
        int blank = line_len == 1 || (line_len == 2 && buf[pos] == '\r');
        if (st.line == 0 && !blank) {
            st.line = st.cur_line;
        }
        for (size_t off = 0; off < line_len && st.err == FW_OK;) {
            size_t n =
                line_len - off < FEED_BYTES ? line_len - off : FEED_BYTES;
            size_t done =
                csv_parse(&p, buf + pos + off, n, on_field, on_row, &st);
            if (st.err == FW_OK && done != n) {
                st.err = fw_diag_set(d, FW_EPARSE, st.cur_line,
                                     (long)(off + done) + 1, "%s",
                                     csv_strerror(csv_error(&p)));
            }
            /* The buffer only grows past the cap for a field longer than
             * the cap (a shorter one fails in on_field), and the one being
             * read is the one that needs it. */
            if (st.err == FW_OK &&
                csv_get_buffer_size(&p) >
                    FW_CSV_MAX_FIELD_BYTES + FIELD_BLOCK_BYTES) {
                st.err = fw_diag_set(d, FW_ELIMIT, row_line(&st), 0,
                                     "field %zu is longer than %zu bytes",
                                     st.n_fields + 1, FW_CSV_MAX_FIELD_BYTES);
            }
            off += n;
        }
        pos += line_len;
    }
    if (st.err == FW_OK && csv_fini(&p, on_field, on_row, &st) != 0) {
        st.err = fw_diag_set(d, FW_EPARSE, row_line(&st), 0,
                             "unterminated quoted field");
    }
    clear_row(&st);
    csv_free(&p);
    return st.err;
}

/* ---- positions ---------------------------------------------------------- */

struct fw_csv_pos fw_csv_pos_init(const char *buf, size_t len)
{
    struct fw_csv_pos c = {.buf = buf, .len = len, .line = 1, .off = 0};
    return c;
}

size_t fw_csv_line_offset(struct fw_csv_pos *st, long line)
{
    while (st->line < line && st->off < st->len) {
        const char *nl =
            memchr(st->buf + st->off, '\n', st->len - st->off);
        if (nl == NULL) {
            break;
        }
        st->off = (size_t)(nl - st->buf) + 1;
        st->line++;
    }
    return st->off;
}

void fw_csv_field_position(struct fw_csv_pos *st, long line, int field,
                           long *out_line, long *out_col)
{
    const char *b = st->buf;
    size_t len = st->len;
    size_t p = fw_csv_line_offset(st, line);
    if (line == 1 && len - p >= 3 && memcmp(b + p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }
    for (int i = 0; i < field && p < len; i++) {
        if (b[p] == '"') {
            p++;
            while (p < len) {
                if (b[p] == '"' && p + 1 < len && b[p + 1] == '"') {
                    p += 2;
                } else if (b[p] == '"') {
                    p++;
                    break;
                } else {
                    p++;
                }
            }
        }
        while (p < len && b[p] != ',' && b[p] != '\n') {
            p++;
        }
        if (p < len && b[p] == ',') {
            p++;
        }
    }
    long l = line;
    size_t line_start = fw_csv_line_offset(st, line);
    for (size_t i = line_start; i < p; i++) {
        if (b[i] == '\n') {
            l++;
            line_start = i + 1;
        }
    }
    *out_line = l;
    *out_col = (long)(p - line_start) + 1;
}
