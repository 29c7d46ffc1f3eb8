/*
 * gazetteer.c - readers of place lists (see gazetteer.h): the GeoNames
 * cities500 TSV and the KSE hromada centres CSV.
 *
 * These are the first step of the data flow for places: each reader checks
 * its whole input (UTF-8, no NUL bytes, column counts, numbers, coordinate
 * ranges) and hands one struct fw_place_rec per accepted row to the sink;
 * the store's ingest merges them. GeoNames TSV is split here by hand (it has
 * no quoting, so libcsv would only get in the way); the KSE file is real CSV
 * and goes through fw_csv_parse.
 *
 * Numbers are parsed with strtod, which follows LC_NUMERIC: the library
 * assumes the "C" numeric locale (a program that calls setlocale() must
 * keep LC_NUMERIC as "C").
 */
#include "frontwatch/gazetteer.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/csv.h"
#include "frontwatch/oblast.h"
#include "frontwatch/text.h"

/* GeoNames columns (https://download.geonames.org/export/dump/readme.txt).
 */
#define GN_N_FIELDS 19
#define GN_ID 0
#define GN_NAME 1
#define GN_ASCIINAME 2
#define GN_ALTNAMES 3
#define GN_LAT 4
#define GN_LON 5
#define GN_CLASS 6
#define GN_CODE 7
#define GN_COUNTRY 8
#define GN_ADMIN1 10
#define GN_POPULATION 14

/* Hard cap on one GeoNames line; the longest real one is about 1.6 kB. */
#define GN_MAX_LINE_BYTES ((size_t)1 << 20)

/* How often (in lines or rows) the readers call sink->progress. */
#define PROGRESS_EVERY 1000

/* How much of an offending value is quoted in a message. */
#define CLIP_BYTES 40

static const char BOM[] = "\xEF\xBB\xBF";

/* Copies at most CLIP_BYTES of s into out, cut at a UTF-8 character
 * boundary, for quoting bad values in diagnostics. */
static const char *clip(const char *s, char out[CLIP_BYTES + 4])
{
    size_t n = strlen(s);
    if (n <= CLIP_BYTES) {
        memcpy(out, s, n + 1);
        return out;
    }
    n = CLIP_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    memcpy(out, s, n);
    memcpy(out + n, "...", 4);
    return out;
}

/* Parses a coordinate in degrees. Anything strtod does not consume
 * entirely (including an empty field or leading blanks) is FW_EPARSE;
 * NaN, infinities and values beyond +-limit are FW_ERANGE. */
static fw_err parse_deg(const char *s, double limit, const char *what,
                        long line, long col, double *out, struct fw_diag *d)
{
    char shown[CLIP_BYTES + 4];
    if (s[0] == '\0') {
        return fw_diag_set(d, FW_EPARSE, line, col, "%s is empty", what);
    }
    char *end = NULL;
    double v = strtod(s, &end);
    if (isspace((unsigned char)s[0]) || end == s || *end != '\0') {
        return fw_diag_set(d, FW_EPARSE, line, col,
                           "%s is not a number: \"%s\"", what,
                           clip(s, shown));
    }
    /* errno is not consulted: an underflow to ~0 is a fine coordinate,
     * an overflow is infinite and caught here. */
    if (!isfinite(v)) {
        return fw_diag_set(d, FW_ERANGE, line, col,
                           "%s %s is not a finite number", what,
                           clip(s, shown));
    }
    if (v < -limit || v > limit) {
        return fw_diag_set(d, FW_ERANGE, line, col,
                           "%s %s is outside [-%g, %g]", what,
                           clip(s, shown), limit, limit);
    }
    *out = v;
    return FW_OK;
}

/* Parses a population count: an optional '-' and decimal digits. Empty
 * means unknown (-1); so does 0, which GeoNames writes for "not known"
 * (18 rows of the Ukrainian cities500 file). Negative or
 * too-large values are FW_ERANGE, anything else FW_EPARSE. */
static fw_err parse_population(const char *s, long line, long col,
                               long *out, struct fw_diag *d)
{
    char shown[CLIP_BYTES + 4];
    if (s[0] == '\0') {
        *out = -1;
        return FW_OK;
    }
    size_t i = s[0] == '-' ? 1 : 0;
    if (s[i] == '\0') {
        return fw_diag_set(d, FW_EPARSE, line, col,
                           "population is not an integer: \"%s\"", s);
    }
    for (; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return fw_diag_set(d, FW_EPARSE, line, col,
                               "population is not an integer: \"%s\"",
                               clip(s, shown));
        }
    }
    errno = 0;
    long v = strtol(s, NULL, 10);
    if (errno == ERANGE || v < 0) {
        return fw_diag_set(d, FW_ERANGE, line, col,
                           "population %s is out of range", clip(s, shown));
    }
    *out = v == 0 ? -1 : v;
    return FW_OK;
}

static int is_digits(const char *s)
{
    if (s[0] == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* GeoNames                                                           */
/* ------------------------------------------------------------------ */

/* Scratch space reused from line to line; freed once at the end. */
struct gn_scratch {
    char *line;         /* copy of the current line, split in place */
    size_t line_cap;
    const char **alts;  /* alternate names, pointing into line */
    size_t alts_cap;
};

static fw_err grow_line(struct gn_scratch *s, size_t need)
{
    if (need <= s->line_cap) {
        return FW_OK;
    }
    char *p = realloc(s->line, need);
    if (p == NULL) {
        return FW_ENOMEM;
    }
    s->line = p;
    s->line_cap = need;
    return FW_OK;
}

static fw_err grow_alts(struct gn_scratch *s, size_t need)
{
    if (need <= s->alts_cap) {
        return FW_OK;
    }
    if (need > SIZE_MAX / sizeof *s->alts) {
        return FW_ENOMEM;
    }
    const char **p = realloc(s->alts, need * sizeof *s->alts);
    if (p == NULL) {
        return FW_ENOMEM;
    }
    s->alts = p;
    s->alts_cap = need;
    return FW_OK;
}

/* Appends name to alts unless it is empty, the main name, or already
 * there. Quadratic, but rows have at most a few hundred names. */
static void add_alt(const char **alts, size_t *n, const char *main_name,
                    const char *name)
{
    if (name[0] == '\0' || strcmp(name, main_name) == 0) {
        return;
    }
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(alts[i], name) == 0) {
            return;
        }
    }
    alts[(*n)++] = name;
}

/* Handles one non-empty line (without its line end) starting col_base
 * bytes into its physical line (3 after a BOM, else 0). */
static fw_err gn_row(struct gn_scratch *s, const char *text, size_t text_len,
                     long line, long col_base, const struct fw_sink *sink,
                     struct fw_diag *d)
{
    if (text_len >= GN_MAX_LINE_BYTES) {
        return fw_diag_set(d, FW_ELIMIT, line, 0,
                           "line is longer than %zu bytes",
                           GN_MAX_LINE_BYTES);
    }
    size_t n_fields = 1;
    for (size_t i = 0; i < text_len; i++) {
        n_fields += text[i] == '\t';
    }
    if (n_fields != GN_N_FIELDS) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "%zu tab-separated fields, expected %d",
                           n_fields, GN_N_FIELDS);
    }

    fw_err err = grow_line(s, text_len + 1);
    if (err != FW_OK) {
        return err;
    }
    memcpy(s->line, text, text_len);
    s->line[text_len] = '\0';
    char *f[GN_N_FIELDS];
    long col[GN_N_FIELDS];
    size_t k = 0;
    f[0] = s->line;
    col[0] = col_base + 1;
    for (size_t i = 0; i < text_len; i++) {
        if (s->line[i] == '\t') {
            s->line[i] = '\0';
            k++;
            f[k] = s->line + i + 1;
            col[k] = col_base + (long)i + 2;
        }
    }

    /* Format first: every row must be well-formed, even one that is then
     * rejected for its content. */
    char shown[CLIP_BYTES + 4];
    if (!is_digits(f[GN_ID])) {
        return fw_diag_set(d, FW_EPARSE, line, col[GN_ID],
                           "geonameid is not a number: \"%s\"",
                           clip(f[GN_ID], shown));
    }
    struct fw_place_rec rec = {
        .source = "geonames",
        .source_id = f[GN_ID],
        .name = f[GN_NAME],
        .kind = f[GN_CODE][0] != '\0' ? f[GN_CODE] : NULL,
    };
    err = parse_deg(f[GN_LAT], 90.0, "latitude", line, col[GN_LAT],
                    &rec.lat_deg, d);
    if (err != FW_OK) {
        return err;
    }
    err = parse_deg(f[GN_LON], 180.0, "longitude", line, col[GN_LON],
                    &rec.lon_deg, d);
    if (err != FW_OK) {
        return err;
    }
    err = parse_population(f[GN_POPULATION], line, col[GN_POPULATION],
                           &rec.population, d);
    if (err != FW_OK) {
        return err;
    }

    char reason[128];
    if (strcmp(f[GN_CLASS], "P") != 0) {
        if (sink->reject != NULL) {
            snprintf(reason, sizeof reason,
                     "feature class \"%s\" is not P (populated place)",
                     clip(f[GN_CLASS], shown));
            sink->reject(sink->ctx, line, -1, reason);
        }
        return FW_OK;
    }
    if (strcmp(f[GN_COUNTRY], "UA") != 0) {
        if (sink->reject != NULL) {
            snprintf(reason, sizeof reason, "country \"%s\" is not UA",
                     clip(f[GN_COUNTRY], shown));
            sink->reject(sink->ctx, line, -1, reason);
        }
        return FW_OK;
    }
    if (f[GN_NAME][0] == '\0') {
        if (sink->reject != NULL) {
            sink->reject(sink->ctx, line, -1, "empty name");
        }
        return FW_OK;
    }
    if (sink->place == NULL) {
        return FW_OK;
    }

    /* Alternate names: each comma-separated piece, then the ASCII name. */
    size_t n_pieces = 2;
    for (const char *p = f[GN_ALTNAMES]; *p != '\0'; p++) {
        n_pieces += *p == ',';
    }
    err = grow_alts(s, n_pieces);
    if (err != FW_OK) {
        return err;
    }
    size_t n_alts = 0;
    char *piece = f[GN_ALTNAMES];
    for (;;) {
        char *comma = strchr(piece, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        add_alt(s->alts, &n_alts, rec.name, piece);
        if (comma == NULL) {
            break;
        }
        piece = comma + 1;
    }
    add_alt(s->alts, &n_alts, rec.name, f[GN_ASCIINAME]);
    rec.alt_names = n_alts > 0 ? s->alts : NULL;
    rec.n_alt_names = n_alts;

    const struct fw_oblast *ob = fw_oblast_by_geonames(f[GN_ADMIN1]);
    rec.oblast_iso = ob != NULL ? ob->iso : NULL;
    return sink->place(sink->ctx, &rec);
}

fw_err fw_gazetteer_read_geonames(const char *buf, size_t len,
                                  const struct fw_sink *sink,
                                  struct fw_diag *d)
{
    assert(sink != NULL);
    assert(buf != NULL || len == 0);
    if (len == 0) {
        return FW_OK;
    }
    fw_err err = fw_text_check(buf, len, d);
    if (err != FW_OK) {
        return err;
    }

    struct gn_scratch s = {0};
    size_t pos = 0;
    long line = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        size_t start = pos;
        line++;
        if (line == 1 && end - start >= 3 && memcmp(buf, BOM, 3) == 0) {
            start += 3;
        }
        size_t text_len = end - start;
        if (text_len > 0 && buf[start + text_len - 1] == '\r') {
            text_len--;
        }
        /* Blank lines (a trailing one, say) carry no row. */
        if (text_len > 0) {
            err = gn_row(&s, buf + start, text_len, line,
                         (long)(start - pos), sink, d);
            if (err != FW_OK) {
                goto out;
            }
        }
        pos = nl != NULL ? end + 1 : len;
        if (sink->progress != NULL && line % PROGRESS_EVERY == 0) {
            sink->progress(sink->ctx, pos, len);
        }
    }
    if (sink->progress != NULL) {
        sink->progress(sink->ctx, len, len);
    }

out:
    free(s.line);
    free(s.alts);
    return err;
}

/* ------------------------------------------------------------------ */
/* KSE hromada centres                                                */
/* ------------------------------------------------------------------ */

/* A header column: the first of names present wins. */
struct kse_col {
    const char *names[2];
    int is_required;
};

enum {
    KSE_NAME,
    KSE_CODE,
    KSE_OBLAST,
    KSE_LAT,
    KSE_LON,
    KSE_RAION,
    KSE_HROMADA,
    KSE_POPULATION,
    KSE_KIND,
    KSE_N_COLS
};

/* hromada_name/type_1 are the deoccupation table's spellings, hromada/
 * hromada_type those of kse_hromada_centers_geography.csv. */
static const struct kse_col KSE_COLS[KSE_N_COLS] = {
    [KSE_NAME] = {{"hromada_center", NULL}, 1},
    [KSE_CODE] = {{"hromada_center_code", NULL}, 1},
    [KSE_OBLAST] = {{"oblast_name", NULL}, 1},
    [KSE_LAT] = {{"lat_center", NULL}, 1},
    [KSE_LON] = {{"lon_center", NULL}, 1},
    [KSE_RAION] = {{"raion_name", NULL}, 0},
    [KSE_HROMADA] = {{"hromada_name", "hromada"}, 0},
    [KSE_POPULATION] = {{"total_population_2022", NULL}, 0},
    [KSE_KIND] = {{"hromada_type", "type_1"}, 0},
};

struct kse_state {
    const char *buf;
    size_t len;
    const struct fw_sink *sink;
    int has_header;
    size_t n_header_fields;
    int col[KSE_N_COLS];  /* field index, -1 when absent (optional) */
    size_t n_rows;
    /* A cursor following the rows: the byte offset where line cur_line
     * starts. Rows arrive in order, so it only moves forward. */
    size_t cur_off;
    long cur_line;
};

/* Byte offset of the start of line (>= cur_line). */
static size_t kse_line_offset(struct kse_state *st, long line)
{
    while (st->cur_line < line && st->cur_off < st->len) {
        const char *nl = memchr(st->buf + st->cur_off, '\n',
                                st->len - st->cur_off);
        st->cur_off = nl != NULL ? (size_t)(nl - st->buf) + 1 : st->len;
        st->cur_line++;
    }
    return st->cur_off;
}

/* Line and byte column where field `field` of the row starting on `line`
 * begins, found by rescanning the raw bytes (quotes may hide commas and
 * newlines). Only used to report errors. */
static void kse_field_pos(struct kse_state *st, long line, int field,
                          long *out_line, long *out_col)
{
    size_t row = kse_line_offset(st, line);
    size_t line_start = row, off = row;
    if (off == 0 && st->len >= 3 && memcmp(st->buf, BOM, 3) == 0) {
        off = 3;
    }
    long at_line = line;
    int in_quotes = 0;
    for (int k = 0; k < field && off < st->len; off++) {
        char c = st->buf[off];
        if (c == '"') {
            in_quotes = !in_quotes;
        } else if (c == ',' && !in_quotes) {
            k++;
        } else if (c == '\n') {
            at_line++;
            line_start = off + 1;
        }
    }
    *out_line = at_line;
    *out_col = (long)(off - line_start) + 1;
}

/* Parses the coordinate in column c (KSE_LAT or KSE_LON); errors point at
 * the field's exact position. */
static fw_err kse_deg(struct kse_state *st, long line, char *const *fields,
                      int c, double *out, struct fw_diag *d)
{
    int is_lat = c == KSE_LAT;
    fw_err err = parse_deg(fields[st->col[c]], is_lat ? 90.0 : 180.0,
                           is_lat ? "latitude" : "longitude", line, 0, out,
                           d);
    if (err != FW_OK && d != NULL) {
        kse_field_pos(st, line, st->col[c], &d->line, &d->col);
    }
    return err;
}

/* Parses the population column (present); errors as for kse_deg. */
static fw_err kse_population(struct kse_state *st, long line,
                             char *const *fields, long *out,
                             struct fw_diag *d)
{
    int c = st->col[KSE_POPULATION];
    fw_err err = parse_population(fields[c], line, 0, out, d);
    if (err != FW_OK && d != NULL) {
        kse_field_pos(st, line, c, &d->line, &d->col);
    }
    return err;
}

static fw_err kse_header(struct kse_state *st, long line, size_t n_fields,
                         char *const *fields, struct fw_diag *d)
{
    for (int c = 0; c < KSE_N_COLS; c++) {
        st->col[c] = -1;
        for (int k = 0; k < 2 && KSE_COLS[c].names[k] != NULL; k++) {
            st->col[c] = fw_csv_column(n_fields, fields,
                                       KSE_COLS[c].names[k]);
            if (st->col[c] >= 0) {
                break;
            }
        }
        if (st->col[c] < 0 && KSE_COLS[c].is_required) {
            return fw_diag_set(d, FW_EPARSE, line, 0,
                               "required column \"%s\" missing from the "
                               "header",
                               KSE_COLS[c].names[0]);
        }
    }
    st->n_header_fields = n_fields;
    st->has_header = 1;
    return FW_OK;
}

/* Value of column c, or NULL when the column is absent or the cell
 * empty. */
static const char *kse_cell(const struct kse_state *st, char *const *fields,
                            int c)
{
    if (st->col[c] < 0 || fields[st->col[c]][0] == '\0') {
        return NULL;
    }
    return fields[st->col[c]];
}

static fw_err kse_row(void *ctx, long line, size_t n_fields,
                      char *const *fields, struct fw_diag *d)
{
    struct kse_state *st = ctx;
    const struct fw_sink *sink = st->sink;
    if (!st->has_header) {
        return kse_header(st, line, n_fields, fields, d);
    }
    if (n_fields != st->n_header_fields) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "%zu fields, the header has %zu", n_fields,
                           st->n_header_fields);
    }

    struct fw_place_rec rec = {
        .source = "kse",
        .source_id = kse_cell(st, fields, KSE_CODE),
        .name = kse_cell(st, fields, KSE_NAME),
        .raion = kse_cell(st, fields, KSE_RAION),
        .hromada = kse_cell(st, fields, KSE_HROMADA),
        .kind = kse_cell(st, fields, KSE_KIND),
        .population = -1,
    };
    fw_err err = kse_deg(st, line, fields, KSE_LAT, &rec.lat_deg, d);
    if (err != FW_OK) {
        return err;
    }
    err = kse_deg(st, line, fields, KSE_LON, &rec.lon_deg, d);
    if (err != FW_OK) {
        return err;
    }
    /* The population is the whole hromada's, not the centre's. */
    if (st->col[KSE_POPULATION] >= 0) {
        err = kse_population(st, line, fields, &rec.population, d);
        if (err != FW_OK) {
            return err;
        }
    }

    st->n_rows++;
    if (sink->progress != NULL && st->n_rows % PROGRESS_EVERY == 0) {
        sink->progress(sink->ctx, kse_line_offset(st, line), st->len);
    }
    if (rec.name == NULL || rec.source_id == NULL) {
        if (sink->reject != NULL) {
            sink->reject(sink->ctx, line, -1,
                         rec.name == NULL ? "empty hromada_center"
                                          : "empty hromada_center_code");
        }
        return FW_OK;
    }
    if (sink->place == NULL) {
        return FW_OK;
    }
    /* An oblast name the table does not know leaves the oblast unknown,
     * as for GeoNames; the place is still usable. */
    const char *oblast = kse_cell(st, fields, KSE_OBLAST);
    const struct fw_oblast *ob = oblast != NULL ? fw_oblast_by_name(oblast)
                                                : NULL;
    rec.oblast_iso = ob != NULL ? ob->iso : NULL;
    return sink->place(sink->ctx, &rec);
}

fw_err fw_gazetteer_read_kse(const char *buf, size_t len,
                             const struct fw_sink *sink, struct fw_diag *d)
{
    assert(sink != NULL);
    assert(buf != NULL || len == 0);
    if (len == 0) {
        return fw_diag_set(d, FW_EPARSE, 1, 0, "empty file: no header row");
    }
    struct kse_state st = {
        .buf = buf, .len = len, .sink = sink, .cur_line = 1};
    fw_err err = fw_csv_parse(buf, len, kse_row, &st, d);
    if (err != FW_OK) {
        return err;
    }
    if (!st.has_header) {
        return fw_diag_set(d, FW_EPARSE, 1, 0,
                           "no header row (required column \"%s\")",
                           KSE_COLS[0].names[0]);
    }
    if (sink->progress != NULL) {
        sink->progress(sink->ctx, len, len);
    }
    return FW_OK;
}
