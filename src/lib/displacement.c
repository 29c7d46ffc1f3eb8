/*
 * displacement.c - people leaving (see displacement.h): the readers of IOM
 * DTM's oblast estimates and of SLAC's front-line settlement monitoring, a
 * reader stage of the data flow (rows -> struct fw_displacement_rec /
 * struct fw_settlement_visit_rec -> sink); the match of the monitored
 * settlements to the gazetteer's places, which the ingest's derive step
 * runs; and what assess reads back from the store.
 *
 * Like incidents.c, a file that is not in the expected shape fails as a
 * whole with its position; a row that cannot be used is rejected through
 * the sink and reading goes on; a row that is no oblast is skipped.
 */
#include "frontwatch/displacement.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontwatch/csv.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"
#include "frontwatch/text.h"
#include "text_int.h"

#if defined(__GNUC__)
#define FW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FW_PRINTF(f, a)
#endif

/* Values quoted in messages are cut to this many bytes, at a character
 * boundary: QUOTE(v) gives the "%.*s" arguments. */
#define QUOTE_MAX 64
#define QUOTE(v) (int)fw_text_clip_len((v), QUOTE_MAX), (v)

/* A figure of more digits than this is no count of people. */
#define MAX_FIGURE_DIGITS 12
#define MAX_ROUND 1000

/* Name keys (fw_text_key) are cut to this. */
#define KEY_BYTES 256

static const struct fw_sink EMPTY_SINK = {0};

/* ---- values ------------------------------------------------------------- */

/* s trimmed into out (cap bytes); 0 when it does not fit. */
static int copy_trimmed(const char *s, char *out, size_t cap)
{
    const char *b;
    size_t n;
    fw_text_trim(s, &b, &n);
    if (n >= cap) {
        return 0;
    }
    memcpy(out, b, n);
    out[n] = '\0';
    return 1;
}

/* "n/a", "N/A" or empty: no value. */
static int is_missing(const char *s, size_t n)
{
    return n == 0 || fw_text_equals_ci(s, n, "n/a");
}

/* A whole number of at most MAX_FIGURE_DIGITS digits, blanks around it
 * allowed: 1 and *v, or -1 for no value ("n/a", empty), or 0 for
 * anything else. */
static int parse_figure(const char *text, long long *v)
{
    const char *s;
    size_t n;
    fw_text_trim(text, &s, &n);
    if (is_missing(s, n)) {
        *v = -1;
        return -1;
    }
    if (n == 0 || n > MAX_FIGURE_DIGITS) {
        return 0;
    }
    long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

/* ---- a CSV table with named columns -------------------------------------- */

struct table {
    const struct fw_sink *sink;
    const char *const *columns; /* the names the header must hold */
    int *col;                   /* their indexes, as found */
    size_t n_columns;
    const char *expected;       /* for the header's message */
    size_t n_cols;              /* fields of the header */
    int has_header;
    int64_t latest_s; /* a date after this is in the future */
    fw_err (*row)(struct table *t, long line, char *const *fields,
                  struct fw_diag *d);
};

static void row_reject(struct table *t, long line, const char *fmt, ...)
    FW_PRINTF(3, 4);

static void row_reject(struct table *t, long line, const char *fmt, ...)
{
    if (t->sink->reject == NULL) {
        return;
    }
    char reason[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    t->sink->reject(t->sink->ctx, line, -1, reason);
}

static fw_err table_on_row(void *ctx, long line, size_t n_fields,
                           char *const *fields, struct fw_diag *d)
{
    struct table *t = ctx;
    if (!t->has_header) {
        for (size_t i = 0; i < t->n_columns; i++) {
            t->col[i] = fw_csv_column(n_fields, fields, t->columns[i]);
            if (t->col[i] < 0) {
                return fw_diag_set(d, FW_EPARSE, line, 0,
                                   "unknown header: no column %s (expected "
                                   "the columns %s)",
                                   t->columns[i], t->expected);
            }
        }
        t->n_cols = n_fields;
        t->has_header = 1;
        return FW_OK;
    }
    if (n_fields != t->n_cols) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "expected %zu fields as in the header, found %zu",
                           t->n_cols, n_fields);
    }
    return t->row(t, line, fields, d);
}

static fw_err table_read(struct table *t, const char *buf, size_t len,
                         struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    t->latest_s = (int64_t)time(NULL) + FW_DAY_S;
    fw_err e = fw_csv_parse(buf, len, table_on_row, t, d);
    if (e != FW_OK) {
        return e;
    }
    if (!t->has_header) {
        return fw_diag_set(d, FW_EPARSE, 1, 0,
                           "empty file, no header: expected the columns %s",
                           t->expected);
    }
    if (t->sink->progress != NULL) {
        t->sink->progress(t->sink->ctx, len, len);
    }
    return FW_OK;
}

static fw_err sink_refused(struct fw_diag *d, long line, fw_err err,
                           const char *what)
{
    return fw_diag_set(d, err, line, 0, "the sink refused the %s: %s", what,
                       fw_strerror(err));
}

/* ---- IOM DTM ------------------------------------------------------------- */

enum { I_ROUND, I_DATE, I_OBLAST, I_PCODE, I_IDPS, I_RETURNEES, I_N };

static const char *const IOM_COLUMNS[I_N] = {
    [I_ROUND] = "round",
    [I_DATE] = "reported_date",
    [I_OBLAST] = "oblast",
    [I_PCODE] = "oblast_pcode",
    [I_IDPS] = "idps_present_est",
    [I_RETURNEES] = "returnees_present_est",
};

/* The oblast IOM's name means: the adjective of the alert data
 * ("Kharkivska"), "Kyiv" for the city; IOM's footnote marks ("*", "**")
 * dropped. NULL when it names none. */
static const struct fw_oblast *iom_oblast_by_name(const char *name)
{
    char buf[128];
    if (!copy_trimmed(name, buf, sizeof buf)) {
        return NULL;
    }
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '*' || fw_text_is_blank(buf[n - 1]))) {
        buf[--n] = '\0';
    }
    if (n == 0) {
        return NULL;
    }
    if (fw_text_equals_ci(buf, n, "Kyiv")) {
        return fw_oblast_by_iso("UA-30"); /* IOM: the city; "Kyivska" */
    }
    return fw_oblast_by_name(buf);
}

static fw_err iom_row(struct table *t, long line, char *const *f,
                      struct fw_diag *d)
{
    const int *c = t->col;
    const char *s;
    size_t n;
    fw_text_trim(f[c[I_PCODE]], &s, &n);
    char pcode[16] = "";
    if (n < sizeof pcode) {
        memcpy(pcode, s, n);
        pcode[n] = '\0';
    }
    const struct fw_oblast *by_name = iom_oblast_by_name(f[c[I_OBLAST]]);
    const struct fw_oblast *by_code = fw_oblast_by_pcode(pcode);
    if (by_name == NULL && by_code == NULL) {
        if (n > 0 && fw_text_equals_ci(s, n, "n/a")) {
            return FW_OK; /* "Residence location unknown": no oblast */
        }
        row_reject(t, line, "oblast '%.*s' (P-code '%.*s') names no oblast",
                   QUOTE(f[c[I_OBLAST]]), QUOTE(f[c[I_PCODE]]));
        return FW_OK;
    }
    long long round = 0;
    if (parse_figure(f[c[I_ROUND]], &round) != 1 || round < 1 ||
        round > MAX_ROUND) {
        row_reject(t, line, "round '%.*s' is not a whole number from 1 to %d",
                   QUOTE(f[c[I_ROUND]]), MAX_ROUND);
        return FW_OK;
    }
    int64_t t_s = 0;
    char date[11] = "";
    fw_text_trim(f[c[I_DATE]], &s, &n);
    fw_err e = FW_EPARSE;
    if (n == 10) {
        memcpy(date, s, n);
        date[n] = '\0';
        e = fw_date_parse_day(date, &t_s);
    }
    if (e == FW_ERANGE) {
        row_reject(t, line, "reported_date '%.*s': no such day",
                   QUOTE(f[c[I_DATE]]));
        return FW_OK;
    }
    if (e != FW_OK) {
        row_reject(t, line,
                   "reported_date '%.*s' is not a date (expected YYYY-MM-DD)",
                   QUOTE(f[c[I_DATE]]));
        return FW_OK;
    }
    if (t_s > t->latest_s) {
        row_reject(t, line,
                   "reported in the future (%s is more than a day after the "
                   "time of reading)",
                   date);
        return FW_OK;
    }
    long long idps = -1, ret = -1;
    if (parse_figure(f[c[I_IDPS]], &idps) == 0) {
        row_reject(t, line,
                   "idps_present_est '%.*s' is not a whole number or n/a",
                   QUOTE(f[c[I_IDPS]]));
        return FW_OK;
    }
    if (parse_figure(f[c[I_RETURNEES]], &ret) == 0) {
        row_reject(t, line,
                   "returnees_present_est '%.*s' is not a whole number or n/a",
                   QUOTE(f[c[I_RETURNEES]]));
        return FW_OK;
    }
    const struct fw_oblast *ob = by_name != NULL ? by_name : by_code;
    if (by_name != NULL && by_code != NULL && by_name != by_code &&
        t->sink->repair != NULL) {
        char what[256];
        snprintf(what, sizeof what,
                 "P-code %s is %s, but the name '%.*s' is %s: the name "
                 "taken",
                 pcode, by_code->name_en, QUOTE(f[c[I_OBLAST]]),
                 by_name->name_en);
        t->sink->repair(t->sink->ctx, line, -1, what);
    }
    if (t->sink->displacement == NULL) {
        return FW_OK;
    }
    char row[32];
    snprintf(row, sizeof row, "line %ld", line);
    struct fw_displacement_rec r = {
        .round = (int)round,
        .reported_s = t_s,
        .oblast_iso = ob->iso,
        .idps = idps,
        .returnees = ret,
        .source_row = row,
    };
    fw_err err = t->sink->displacement(t->sink->ctx, &r);
    return err == FW_OK ? FW_OK : sink_refused(d, line, err, "estimate");
}

fw_err fw_displacement_read_iom(const char *buf, size_t len,
                                const struct fw_sink *sink, struct fw_diag *d)
{
    int col[I_N];
    struct table t = {
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .columns = IOM_COLUMNS,
        .col = col,
        .n_columns = I_N,
        .expected = "round, reported_date, oblast, oblast_pcode, "
                    "idps_present_est and returnees_present_est",
        .row = iom_row,
    };
    return table_read(&t, buf, len, d);
}

/* ---- SLAC ---------------------------------------------------------------- */

enum {
    S_START,
    S_OBLAST,
    S_RAION,
    S_HROMADA,
    S_SETTLEMENT,
    S_PRESENT,
    S_NUMBER,
    S_CHANGE,
    S_CHANGE_TYPE,
    S_MOVEMENT,
    S_DIRECTION,
    S_DISTANCE,
    S_N
};

static const char *const SLAC_COLUMNS[S_N] = {
    [S_START] = "start",
    [S_OBLAST] = "oblast",
    [S_RAION] = "rayon",
    [S_HROMADA] = "hromada",
    [S_SETTLEMENT] = "settlement",
    [S_PRESENT] = "civilians_present",
    [S_NUMBER] = "civilians_number",
    [S_CHANGE] = "civ_change",
    [S_CHANGE_TYPE] = "civ_change_type",
    [S_MOVEMENT] = "movement_now",
    [S_DIRECTION] = "movement_direction",
    [S_DISTANCE] = "frontline_distance",
};

/* The code book's answers of the columns that are checked; NULL ends. */
static const char *const YES_NO[] = {"yes", "no", NULL};
static const char *const YES_NO_NK[] = {"yes", "no", "not_known", NULL};
static const char *const DISTANCES[] = {"less_5km", "5_10km", "more_10km",
                                        NULL};

/* civilians_number: the code book's bands, and how the CSV writes the
 * four that the spreadsheet read as numbers. */
static const struct {
    const char *written, *band;
} BANDS[] = {
    {"0", "0"},
    {"less_50", "less_50"},
    {"50_200", "50_200"},
    {"50200", "50_200"},
    {"201_500", "201_500"},
    {"201500", "201_500"},
    {"501_1000", "501_1000"},
    {"5011000", "501_1000"},
    {"1001_2000", "1001_2000"},
    {"10012000", "1001_2000"},
    {"more_2000", "more_2000"},
};

/* An answer: *out the trimmed value (in buf), NULL for none. 0 when it is
 * longer than cap or, with allowed, not one of them (any case; *out is
 * then the code book's spelling). */
static int answer(const char *field, const char *const *allowed, char *buf,
                  size_t cap, const char **out)
{
    const char *s;
    size_t n;
    fw_text_trim(field, &s, &n);
    *out = NULL;
    if (is_missing(s, n)) {
        return 1;
    }
    if (allowed != NULL) {
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (fw_text_equals_ci(s, n, allowed[i])) {
                *out = allowed[i];
                return 1;
            }
        }
        return 0;
    }
    if (n >= cap) {
        return 0;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = buf;
    return 1;
}

static int band(const char *field, const char **out)
{
    const char *s;
    size_t n;
    fw_text_trim(field, &s, &n);
    *out = NULL;
    if (is_missing(s, n)) {
        return 1;
    }
    for (size_t i = 0; i < sizeof BANDS / sizeof BANDS[0]; i++) {
        if (fw_text_equals_ci(s, n, BANDS[i].written)) {
            *out = BANDS[i].band;
            return 1;
        }
    }
    return 0;
}

static fw_err slac_row(struct table *t, long line, char *const *f,
                       struct fw_diag *d)
{
    const int *c = t->col;
    int64_t t_s = 0;
    char start[40];
    fw_err e = FW_EPARSE;
    if (copy_trimmed(f[c[S_START]], start, sizeof start) && start[0] != '\0') {
        e = fw_date_parse_timestamp(start, &t_s);
    }
    if (e == FW_ERANGE) {
        row_reject(t, line, "start '%.*s': no such day", QUOTE(f[c[S_START]]));
        return FW_OK;
    }
    if (e != FW_OK) {
        row_reject(t, line,
                   "start '%.*s' is not a time (expected "
                   "YYYY-MM-DDTHH:MM:SS)",
                   QUOTE(f[c[S_START]]));
        return FW_OK;
    }
    if (t_s > t->latest_s) {
        row_reject(t, line,
                   "visit in the future (start %s is more than a day after "
                   "the time of reading)",
                   start);
        return FW_OK;
    }
    const struct fw_oblast *ob = fw_oblast_by_name(f[c[S_OBLAST]]);
    if (ob == NULL) {
        row_reject(t, line, "oblast '%.*s' is unknown",
                   QUOTE(f[c[S_OBLAST]]));
        return FW_OK;
    }
    char names[3][FW_DISPLACEMENT_MAX_NAME_BYTES + 1];
    const char *nm[3];
    static const int NAME_COLS[3] = {S_SETTLEMENT, S_RAION, S_HROMADA};
    for (int i = 0; i < 3; i++) {
        const char *field = f[c[NAME_COLS[i]]];
        if (!answer(field, NULL, names[i], sizeof names[i], &nm[i])) {
            row_reject(t, line, "%s '%.*s...' is longer than %d bytes",
                       SLAC_COLUMNS[NAME_COLS[i]], QUOTE(field),
                       FW_DISPLACEMENT_MAX_NAME_BYTES);
            return FW_OK;
        }
    }
    if (nm[0] == NULL) {
        row_reject(t, line, "no settlement");
        return FW_OK;
    }
    static const struct {
        int col;
        const char *const *allowed;
    } CHECKED[] = {
        {S_PRESENT, YES_NO},
        {S_CHANGE, YES_NO_NK},
        {S_MOVEMENT, YES_NO},
        {S_DISTANCE, DISTANCES},
    };
    const char *v[S_N] = {0};
    for (size_t i = 0; i < sizeof CHECKED / sizeof CHECKED[0]; i++) {
        int k = CHECKED[i].col;
        if (!answer(f[c[k]], CHECKED[i].allowed, NULL, 0, &v[k])) {
            row_reject(t, line, "%s '%.*s' is not in the code book",
                       SLAC_COLUMNS[k], QUOTE(f[c[k]]));
            return FW_OK;
        }
    }
    if (!band(f[c[S_NUMBER]], &v[S_NUMBER])) {
        row_reject(t, line, "civilians_number '%.*s' is not in the code book",
                   QUOTE(f[c[S_NUMBER]]));
        return FW_OK;
    }
    char change_type[32], direction[32];
    if (!answer(f[c[S_CHANGE_TYPE]], NULL, change_type, sizeof change_type,
                &v[S_CHANGE_TYPE]) ||
        !answer(f[c[S_DIRECTION]], NULL, direction, sizeof direction,
                &v[S_DIRECTION])) {
        row_reject(t, line,
                   "civ_change_type or movement_direction is longer than "
                   "%zu bytes",
                   sizeof direction - 1);
        return FW_OK;
    }
    if (t->sink->visit == NULL) {
        return FW_OK;
    }
    char row[32];
    snprintf(row, sizeof row, "line %ld", line);
    struct fw_settlement_visit_rec r = {
        .t_s = t_s,
        .oblast_iso = ob->iso,
        .settlement = nm[0],
        .raion = nm[1],
        .hromada = nm[2],
        .civilians_present = v[S_PRESENT],
        .civilians_number = v[S_NUMBER],
        .civ_change = v[S_CHANGE],
        .civ_change_type = v[S_CHANGE_TYPE],
        .movement_now = v[S_MOVEMENT],
        .movement_direction = v[S_DIRECTION],
        .frontline_distance = v[S_DISTANCE],
        .source_row = row,
    };
    fw_err err = t->sink->visit(t->sink->ctx, &r);
    return err == FW_OK ? FW_OK : sink_refused(d, line, err, "visit");
}

fw_err fw_displacement_read_slac(const char *buf, size_t len,
                                 const struct fw_sink *sink, struct fw_diag *d)
{
    int col[S_N];
    struct table t = {
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .columns = SLAC_COLUMNS,
        .col = col,
        .n_columns = S_N,
        .expected = "start, oblast, rayon, hromada, settlement, "
                    "civilians_present, civilians_number, civ_change, "
                    "civ_change_type, movement_now, movement_direction and "
                    "frontline_distance",
        .row = slac_row,
    };
    return table_read(&t, buf, len, d);
}

/* ---- the match of settlements to places ---------------------------------- */

/* Candidates kept per settlement; more is "ambiguous" anyway. */
#define MAX_CANDS 64

struct cand {
    int64_t id;      /* the place (a merged KSE centre's GeoNames place) */
    int raion_is;    /* 1 the place's raion is the settlement's, -1 it is
                        another, 0 unknown */
    int hromada_is;  /* likewise */
};

struct settlement_key {
    char oblast[8];
    char raion[KEY_BYTES];   /* skeletons of the keys, "" when not given */
    char hromada[KEY_BYTES];
};

static fw_err sql_fail(fw_store *st, struct fw_diag *d)
{
    return fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                       sqlite3_errmsg(fw_store_db(st)));
}

static void key_of(const char *name, char out[KEY_BYTES])
{
    if (name == NULL || fw_text_key(name, out, KEY_BYTES) != FW_OK) {
        out[0] = '\0';
    }
}

/* The skeleton of a name key, which the Latin spellings of one
 * Ukrainian name share: "y" and "j" read as "i", a doubled letter as one
 * ("Mykolayivka", "Mykolaivka" -> "mikolaivka"; "Riznyikivka",
 * "Riznykivka" -> "riznikivka"; "Kostyantynopil", "Kostiantynopil"). */
static void skeleton(const char *key, char out[KEY_BYTES])
{
    size_t n = 0;
    for (const char *p = key; *p != '\0' && n < KEY_BYTES - 1; p++) {
        char c = *p == 'y' || *p == 'j' ? 'i' : *p;
        if (n > 0 && out[n - 1] == c) {
            continue;
        }
        out[n++] = c;
    }
    out[n] = '\0';
}

/* Whether the place id's raion and hromada (of its own row and of the KSE
 * centres merged into it) are the settlement's. */
static fw_err place_admin(sqlite3_stmt *q, const struct settlement_key *k,
                          struct cand *c)
{
    sqlite3_bind_int64(q, 1, c->id);
    c->raion_is = 0;
    c->hromada_is = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        char r[KEY_BYTES], h[KEY_BYTES], key[KEY_BYTES];
        key_of((const char *)sqlite3_column_text(q, 0), key);
        skeleton(key, r);
        key_of((const char *)sqlite3_column_text(q, 1), key);
        skeleton(key, h);
        if (r[0] != '\0' && k->raion[0] != '\0') {
            int same = strcmp(r, k->raion) == 0;
            c->raion_is = same ? 1 : c->raion_is == 1 ? 1 : -1;
        }
        if (h[0] != '\0' && k->hromada[0] != '\0') {
            int same = strcmp(h, k->hromada) == 0;
            c->hromada_is = same ? 1 : c->hromada_is == 1 ? 1 : -1;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? FW_OK : FW_ESQL;
}

/* Keeps the candidates that best agree on the raion, then the hromada:
 * those placed in another raion or hromada are dropped (a hromada centre
 * of another hromada is another place of the same name), and with
 * need_raion those not known to lie in the settlement's raion; of the
 * rest, those placed in the settlement's raion are kept when there are
 * any (likewise the hromada). */
static size_t narrow(struct cand *c, size_t n, int need_raion)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].raion_is >= (need_raion ? 1 : 0) && c[i].hromada_is >= 0) {
            c[m++] = c[i];
        }
    }
    n = m;
    for (int level = 0; level < 2 && n > 1; level++) {
        size_t n_yes = 0;
        for (size_t i = 0; i < n; i++) {
            n_yes += (level == 0 ? c[i].raion_is : c[i].hromada_is) == 1;
        }
        if (n_yes == 0) {
            continue;
        }
        m = 0;
        for (size_t i = 0; i < n; i++) {
            if ((level == 0 ? c[i].raion_is : c[i].hromada_is) == 1) {
                c[m++] = c[i];
            }
        }
        n = m;
    }
    return n;
}

/* Adds id to c[*n] unless there; 0 when full. */
static int add_cand(struct cand *c, size_t *n, int64_t id)
{
    for (size_t i = 0; i < *n; i++) {
        if (c[i].id == id) {
            return 1;
        }
    }
    if (*n == MAX_CANDS) {
        return 0;
    }
    c[(*n)++] = (struct cand){.id = id};
    return 1;
}

/* The settlement's names: its own, and a former one in brackets
 * ("Zapovidne (formerly Nikonorivka)"); "" when none. */
static void settlement_names(const char *s, char main[KEY_BYTES],
                             char former[KEY_BYTES])
{
    char buf[KEY_BYTES];
    snprintf(buf, sizeof buf, "%s", s);
    former[0] = '\0';
    char *open = strchr(buf, '(');
    if (open != NULL) {
        char *inner = open + 1;
        char *close = strchr(inner, ')');
        if (close != NULL) {
            *close = '\0';
        }
        static const char *const LEADS[] = {"formerly known as ",
                                            "formerly ", "former "};
        for (size_t i = 0; i < 3; i++) {
            size_t n = strlen(LEADS[i]);
            if (strncmp(inner, LEADS[i], n) == 0) {
                key_of(inner + n, former);
                break;
            }
        }
        *open = '\0';
    }
    key_of(buf, main);
}

enum match_result { M_NONE, M_NAME, M_SPELLING, M_AMBIGUOUS };

struct matcher {
    fw_store *st;
    sqlite3_stmt *by_key;   /* ?1 key, ?2 oblast -> place ids */
    sqlite3_stmt *admin;    /* ?1 place id -> raion, hromada rows */
    sqlite3_stmt *in_oblast; /* ?1 oblast -> place id, key */
};

static fw_err exact(struct matcher *m, const struct settlement_key *k,
                    const char *key, struct cand *c, size_t *n, int *full)
{
    sqlite3_bind_text(m->by_key, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(m->by_key, 2, k->oblast, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(m->by_key)) == SQLITE_ROW) {
        if (!add_cand(c, n, sqlite3_column_int64(m->by_key, 0))) {
            *full = 1;
        }
    }
    sqlite3_reset(m->by_key);
    return rc == SQLITE_DONE ? FW_OK : FW_ESQL;
}

static fw_err near_spelling(struct matcher *m, const struct settlement_key *k,
                            const char *key, struct cand *c, size_t *n,
                            int *full)
{
    char want[KEY_BYTES], got[KEY_BYTES];
    skeleton(key, want);
    sqlite3_bind_text(m->in_oblast, 1, k->oblast, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(m->in_oblast)) == SQLITE_ROW) {
        const char *pk = (const char *)sqlite3_column_text(m->in_oblast, 1);
        if (pk == NULL) {
            continue;
        }
        skeleton(pk, got);
        if (strcmp(want, got) == 0 &&
            !add_cand(c, n, sqlite3_column_int64(m->in_oblast, 0))) {
            *full = 1;
        }
    }
    sqlite3_reset(m->in_oblast);
    return rc == SQLITE_DONE ? FW_OK : FW_ESQL;
}

/* The place of one settlement: *id and the result. */
static fw_err match_one(struct matcher *m, const struct settlement_key *k,
                        const char *settlement, int64_t *id,
                        enum match_result *res)
{
    char names[2][KEY_BYTES];
    settlement_names(settlement, names[0], names[1]);
    struct cand c[MAX_CANDS];
    *res = M_NONE;
    fw_err err = FW_OK;
    for (int pass = 0; pass < 2 && *res == M_NONE; pass++) {
        for (int i = 0; i < 2 && *res == M_NONE; i++) {
            if (names[i][0] == '\0') {
                continue;
            }
            size_t n = 0;
            int full = 0;
            err = pass == 0 ? exact(m, k, names[i], c, &n, &full)
                            : near_spelling(m, k, names[i], c, &n, &full);
            for (size_t j = 0; err == FW_OK && j < n; j++) {
                err = place_admin(m->admin, k, &c[j]);
            }
            if (err != FW_OK) {
                return err;
            }
            if (n == 0) {
                continue;
            }
            /* a near spelling is weaker evidence than the name: its place
             * must be known to lie in the settlement's raion */
            n = full ? n : narrow(c, n, pass == 1);
            if (n == 1 && !full) {
                *id = c[0].id;
                *res = pass == 0 ? M_NAME : M_SPELLING;
            } else if (n > 1 || full) {
                *res = M_AMBIGUOUS;
            }
        }
    }
    return FW_OK;
}

fw_err fw_displacement_match(fw_store *st, struct fw_diag *d)
{
    struct matcher m = {.st = st};
    sqlite3_stmt *list = NULL, *upd = NULL;
    fw_err err = fw_store_exec(
        st, "UPDATE settlement_visit SET place_id=NULL, match=NULL", d);
    if (err != FW_OK ||
        (err = fw_store_prepare(
             st,
             "SELECT DISTINCT oblast_iso, raion, hromada, settlement"
             " FROM settlement_visit",
             &list, d)) != FW_OK ||
        (err = fw_store_prepare(
             st,
             "SELECT DISTINCT coalesce(p.merged_into, p.id) FROM place_name n"
             " JOIN place p ON p.id = n.place_id"
             " WHERE n.key = ?1 AND p.oblast_iso = ?2",
             &m.by_key, d)) != FW_OK ||
        (err = fw_store_prepare(st,
                                "SELECT raion, hromada FROM place"
                                " WHERE id = ?1 OR merged_into = ?1",
                                &m.admin, d)) != FW_OK ||
        (err = fw_store_prepare(
             st,
             "SELECT coalesce(p.merged_into, p.id), n.key FROM place_name n"
             " JOIN place p ON p.id = n.place_id WHERE p.oblast_iso = ?1",
             &m.in_oblast, d)) != FW_OK ||
        (err = fw_store_prepare(
             st,
             "UPDATE settlement_visit SET place_id = ?5, match = ?6"
             " WHERE oblast_iso = ?1 AND raion IS ?2 AND hromada IS ?3"
             " AND settlement = ?4",
             &upd, d)) != FW_OK) {
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
        struct settlement_key k;
        const char *ob = (const char *)sqlite3_column_text(list, 0);
        snprintf(k.oblast, sizeof k.oblast, "%s", ob != NULL ? ob : "");
        char key[KEY_BYTES];
        key_of((const char *)sqlite3_column_text(list, 1), key);
        skeleton(key, k.raion);
        key_of((const char *)sqlite3_column_text(list, 2), key);
        skeleton(key, k.hromada);
        const char *name = (const char *)sqlite3_column_text(list, 3);
        int64_t id = 0;
        enum match_result res = M_NONE;
        if (name != NULL &&
            match_one(&m, &k, name, &id, &res) != FW_OK) {
            err = sql_fail(st, d);
            goto out;
        }
        for (int i = 0; i < 4; i++) {
            sqlite3_bind_value(upd, i + 1, sqlite3_column_value(list, i));
        }
        if (res == M_NAME || res == M_SPELLING) {
            sqlite3_bind_int64(upd, 5, id);
            sqlite3_bind_text(upd, 6, res == M_NAME ? "name" : "spelling", -1,
                              SQLITE_STATIC);
        } else {
            sqlite3_bind_null(upd, 5);
            sqlite3_bind_text(upd, 6, res == M_AMBIGUOUS ? "ambiguous" : NULL,
                              -1, SQLITE_STATIC);
        }
        int urc = sqlite3_step(upd);
        sqlite3_reset(upd);
        sqlite3_clear_bindings(upd);
        if (urc != SQLITE_DONE) {
            err = sql_fail(st, d);
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        err = sql_fail(st, d);
    }
out:
    sqlite3_finalize(list);
    sqlite3_finalize(upd);
    sqlite3_finalize(m.by_key);
    sqlite3_finalize(m.admin);
    sqlite3_finalize(m.in_oblast);
    return err;
}

fw_err fw_displacement_match_stats(fw_store *st,
                                   struct fw_displacement_match_stats *out,
                                   struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT count(*), count(place_id), coalesce(sum(match = 'spelling'),"
        " 0), coalesce(sum(match = 'ambiguous'), 0) FROM (SELECT DISTINCT"
        " oblast_iso, raion, hromada, settlement, place_id, match"
        " FROM settlement_visit)",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->n_settlements = (long)sqlite3_column_int64(s, 0);
        out->n_matched = (long)sqlite3_column_int64(s, 1);
        out->n_by_spelling = (long)sqlite3_column_int64(s, 2);
        out->n_ambiguous = (long)sqlite3_column_int64(s, 3);
    } else {
        err = sql_fail(st, d);
    }
    sqlite3_finalize(s);
    return err;
}

/* ---- what assess reads --------------------------------------------------- */

static double figure(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL
               ? NAN
               : (double)sqlite3_column_int64(s, i);
}

static void text_col(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    snprintf(out, cap, "%s", v != NULL ? v : "");
}

static fw_err oblast_at(fw_store *st, const char *iso, int64_t at_s,
                        struct fw_displacement *x, struct fw_diag *d)
{
    struct fw_displacement_oblast *o = &x->oblast;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT round, reported_s, idps, returnees FROM displacement"
        " WHERE oblast_iso = ?1 AND reported_s <= ?2"
        " ORDER BY reported_s DESC, round DESC LIMIT 2",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, iso, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, at_s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        o->has_round = 1;
        o->round = sqlite3_column_int(s, 0);
        o->reported_s = sqlite3_column_int64(s, 1);
        o->idps = figure(s, 2);
        o->returnees = figure(s, 3);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            o->prev_round = sqlite3_column_int(s, 0);
            o->idps_change_prev_round = o->idps - figure(s, 2);
            rc = SQLITE_DONE;
        }
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? FW_OK : sql_fail(st, d);
}

static fw_err settlement_at(fw_store *st, int64_t place_id, int64_t at_s,
                            struct fw_settlement_status *v, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT t_s, settlement, match, civilians_present, civilians_number,"
        " civ_change, civ_change_type, movement_now, movement_direction,"
        " frontline_distance,"
        " (SELECT count(*) FROM settlement_visit WHERE place_id = ?1"
        "  AND t_s <= ?2),"
        " (SELECT min(t_s) FROM settlement_visit WHERE place_id = ?1)"
        " FROM (SELECT 1) LEFT JOIN (SELECT * FROM settlement_visit"
        "  WHERE place_id = ?1 AND t_s <= ?2 ORDER BY t_s DESC, id DESC"
        "  LIMIT 1)",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, place_id);
    sqlite3_bind_int64(s, 2, at_s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(s, 11) != SQLITE_NULL) {
            v->is_monitored = 1;
            v->first_s = sqlite3_column_int64(s, 11);
        }
        v->n_visits = (long)sqlite3_column_int64(s, 10);
        if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
            v->has_visit = 1;
            v->visit_s = sqlite3_column_int64(s, 0);
            text_col(s, 1, v->settlement, sizeof v->settlement);
            text_col(s, 2, v->match, sizeof v->match);
            text_col(s, 3, v->civilians_present, sizeof v->civilians_present);
            text_col(s, 4, v->civilians_number, sizeof v->civilians_number);
            text_col(s, 5, v->civ_change, sizeof v->civ_change);
            text_col(s, 6, v->civ_change_type, sizeof v->civ_change_type);
            text_col(s, 7, v->movement_now, sizeof v->movement_now);
            text_col(s, 8, v->movement_direction,
                     sizeof v->movement_direction);
            text_col(s, 9, v->frontline_distance,
                     sizeof v->frontline_distance);
        }
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? FW_OK : sql_fail(st, d);
}

fw_err fw_displacement_at(fw_store *st, const struct fw_place *place,
                          int64_t at_s, struct fw_displacement *out,
                          struct fw_diag *d)
{
    if (st == NULL || place == NULL || out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    struct fw_displacement x;
    memset(&x, 0, sizeof x);
    x.oblast.idps = x.oblast.returnees = NAN;
    x.oblast.idps_change_prev_round = NAN;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT (SELECT max(reported_s) FROM displacement"
        "  WHERE reported_s <= ?1),"
        " (SELECT min(reported_s) FROM displacement),"
        " (SELECT max(t_s) FROM settlement_visit WHERE t_s <= ?1)",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, at_s);
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = sql_fail(st, d);
    } else {
        x.iom_newest_s = sqlite3_column_int64(s, 0);
        x.oblast.first_s = sqlite3_column_int64(s, 1);
        x.slac_newest_s = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    /* ages in whole days, as the other sources' */
    int64_t day_s = fw_date_floor_day(at_s);
    if (x.iom_newest_s > 0) {
        x.iom_is_stale = day_s -
                             fw_date_floor_day(x.iom_newest_s) >
                         FW_DISPLACEMENT_IOM_STALE_DAYS * (int64_t)FW_DAY_S;
    }
    if (x.slac_newest_s > 0) {
        x.slac_is_stale = day_s -
                              fw_date_floor_day(x.slac_newest_s) >
                          FW_DISPLACEMENT_SLAC_STALE_DAYS * (int64_t)FW_DAY_S;
    }
    if (err == FW_OK && place->oblast_iso[0] != '\0') {
        err = oblast_at(st, place->oblast_iso, at_s, &x, d);
        x.oblast.is_stale =
            x.oblast.has_round &&
            day_s - x.oblast.reported_s >
                FW_DISPLACEMENT_IOM_STALE_DAYS * (int64_t)FW_DAY_S;
    }
    if (err == FW_OK) {
        err = settlement_at(st, place->id, at_s, &x.settlement, d);
    }
    if (err == FW_OK) {
        *out = x;
    }
    return err;
}

const char *fw_displacement_answer_text(const char *answer, enum fw_lang lang)
{
    static const struct {
        const char *answer, *text[2];
    } T[] = {
        {"", {"not answered", "немає відповіді"}},
        {"yes", {"yes", "так"}},
        {"no", {"no", "ні"}},
        {"not_known", {"not known", "невідомо"}},
        {"decrease", {"decrease", "зменшення"}},
        {"increase", {"increase", "збільшення"}},
        {"decrease increase", {"decrease and increase", "зменшення і збільшення"}},
        {"evacuation", {"evacuation", "евакуація"}},
        {"0", {"none", "нікого"}},
        {"less_50", {"fewer than 50", "менше 50"}},
        {"50_200", {"50 to 200", "50–200"}},
        {"201_500", {"201 to 500", "201–500"}},
        {"501_1000", {"501 to 1,000", "501–1000"}},
        {"1001_2000", {"1,001 to 2,000", "1001–2000"}},
        {"more_2000", {"more than 2,000", "понад 2000"}},
        {"less_5km", {"less than 5 km", "менше 5 км"}},
        {"5_10km", {"5 to 10 km", "5–10 км"}},
        {"more_10km", {"more than 10 km", "понад 10 км"}},
    };
    int l = lang == FW_LANG_UK ? 1 : 0;
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        if (strcmp(T[i].answer, answer) == 0) {
            return T[i].text[l];
        }
    }
    return answer;
}
