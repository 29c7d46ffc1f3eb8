/*
 * incidents.c - the geocoded incident tables (see incidents.h): the
 * readers of the Bellingcat civilian-harm export (JSON) and of the CIR
 * map events (CSV), a reader stage of the data flow (rows -> struct
 * fw_event_rec -> sink), and the count of strikes near a point that
 * assess reads back from the store.
 *
 * Like events.c and alerts_in_ua.c, a file that is not in the expected
 * shape fails as a whole with its position; a strike that cannot be
 * placed in time or space is rejected through the sink and reading goes
 * on; a row that is no strike is skipped.
 */
#include "frontwatch/incidents.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontwatch/csv.h"
#include "frontwatch/date.h"
#include "frontwatch/geo.h"
#include "frontwatch/json.h"
#include "frontwatch/oblast.h"
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

/* An incident's id is cut to this many bytes in source_row and reasons. */
#define ID_MAX 40
#define ID(v) (int)fw_text_clip_len((v), ID_MAX), (v)

/* sink->progress: once per this many Bellingcat elements / CIR rows. */
#define PROGRESS_EVERY_ITEMS 256
#define PROGRESS_EVERY_ROWS 4096

/* Degrees to radians (M_PI is not C11). */
#define RAD_PER_DEG (3.14159265358979323846 / 180.0)

/* A number longer than this is no coordinate. */
#define MAX_NUMBER_BYTES 40

/* Distinct weapon systems of one Bellingcat incident kept for its type
 * (the export has at most 2). */
#define MAX_WEAPONS 16

static const struct fw_sink EMPTY_SINK = {0};

static const char *const SOURCE_NAMES[FW_INCIDENTS_N_SOURCES] = {
    [FW_INCIDENTS_BELLINGCAT] = FW_INCIDENTS_SOURCE_BELLINGCAT,
    [FW_INCIDENTS_CIR] = FW_INCIDENTS_SOURCE_CIR,
};

const char *fw_incidents_source_name(enum fw_incident_source src)
{
    int i = (int)src;
    return i >= 0 && i < FW_INCIDENTS_N_SOURCES ? SOURCE_NAMES[i] : NULL;
}

/* ---- values ------------------------------------------------------------- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A decimal number: a sign, digits with at most one point, blanks around
 * it allowed. 0 when v is none (strtod alone would take "nan", "inf",
 * hexadecimal and exponents, which no coordinate of these tables is). */
static int parse_decimal(const char *v, double *out)
{
    const char *s;
    size_t n;
    fw_text_trim(v, &s, &n);
    if (n == 0 || n > MAX_NUMBER_BYTES) {
        return 0;
    }
    size_t i = s[0] == '+' || s[0] == '-';
    int n_digits = 0, n_points = 0;
    for (; i < n; i++) {
        if (is_digit(s[i])) {
            n_digits++;
        } else if (s[i] == '.' && n_points == 0) {
            n_points++;
        } else {
            return 0;
        }
    }
    if (n_digits == 0) {
        return 0;
    }
    char num[MAX_NUMBER_BYTES + 1];
    memcpy(num, s, n);
    num[n] = '\0';
    char *end = NULL;
    double x = strtod(num, &end);
    if (end != num + n || !isfinite(x)) {
        return 0;
    }
    *out = x;
    return 1;
}

static int in_area(double lat, double lon)
{
    return lat >= FW_INCIDENTS_MIN_LAT_DEG && lat <= FW_INCIDENTS_MAX_LAT_DEG &&
           lon >= FW_INCIDENTS_MIN_LON_DEG && lon <= FW_INCIDENTS_MAX_LON_DEG;
}

/* Copies s[0..n) (s is NUL-terminated at or after n) into buf (cap
 * bytes), cut at a character boundary of s: the cut is found in s, where
 * the rest of the character is still there to be seen. */
static void copy_clipped(char *buf, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        n = fw_text_clip_len(s, cap - 1);
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
}

/* ---- Bellingcat --------------------------------------------------------- */

/* Weapon systems of troops on the spot: an incident with only these is no
 * strike (incidents.h). */
static const char *const NOT_STRIKES[] = {
    "Small arms", "Vehicle mounted weapon", "Land mines", "None"};

struct bstate {
    const struct fw_sink *sink; /* never NULL (EMPTY_SINK) */
    struct fw_diag *d;          /* may be NULL */
    int64_t latest_s;           /* a day after the clock: later is future */
    long index;                 /* 0-based index of the element read */
    const char *id;             /* its id, once read */
};

/* Fails the file at the current element: d->feature is its index, d->msg
 * "member: ..." (member NULL: the message alone). */
static fw_err item_fail(const struct bstate *r, const char *member,
                        const char *fmt, ...) FW_PRINTF(3, 4);

static fw_err item_fail(const struct bstate *r, const char *member,
                        const char *fmt, ...)
{
    if (r->d == NULL) {
        return FW_EPARSE;
    }
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->d->feature = r->index;
    return fw_diag_set(r->d, FW_EPARSE, 0, 0, "%s%s%s",
                       member != NULL ? member : "", member != NULL ? ": " : "",
                       what);
}

static void item_reject(const struct bstate *r, const char *fmt, ...)
    FW_PRINTF(2, 3);

/* Rejects the current element; the reason ends with its id, by which the
 * incident can be looked up. */
static void item_reject(const struct bstate *r, const char *fmt, ...)
{
    if (r->sink->reject == NULL) {
        return;
    }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char reason[320];
    snprintf(reason, sizeof reason, "%s (id '%.*s')", what, ID(r->id));
    r->sink->reject(r->sink->ctx, 0, r->index, reason);
}

/* The string member name of obj into *out (borrowed from the tree). */
static fw_err get_string(const struct bstate *r, const cJSON *obj,
                         const char *name, const char **out)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (m == NULL) {
        return item_fail(r, name, "missing (expected a string)");
    }
    if (!cJSON_IsString(m) || m->valuestring == NULL) {
        return item_fail(r, name, "expected a string");
    }
    *out = m->valuestring;
    return FW_OK;
}

/* A coordinate member: a string (*text set) or a number (*text NULL and
 * *num set). */
static fw_err get_coordinate(const struct bstate *r, const cJSON *obj,
                             const char *name, const char **text, double *num)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (m == NULL) {
        return item_fail(r, name, "missing (expected a string or a number)");
    }
    if (cJSON_IsString(m) && m->valuestring != NULL) {
        *text = m->valuestring;
        return FW_OK;
    }
    if (cJSON_IsNumber(m)) {
        *text = NULL;
        *num = m->valuedouble;
        return FW_OK;
    }
    return item_fail(r, name, "expected a string or a number");
}

/* The weapon systems of an incident, from its filters. */
struct weapons {
    size_t n;                   /* distinct non-empty values kept */
    const char *v[MAX_WEAPONS]; /* borrowed from the tree */
    int has_any;                /* some "Weapon System" filter */
    int is_strike;              /* none, or one of them is not in
                                   NOT_STRIKES (as "Unknown") */
};

static int not_a_strike(const char *v)
{
    for (size_t i = 0; i < sizeof NOT_STRIKES / sizeof NOT_STRIKES[0]; i++) {
        if (fw_text_equals_ci(v, strlen(v), NOT_STRIKES[i])) {
            return 1;
        }
    }
    return 0;
}

/* Checks the shape of "filters" (optional: an array of {key, value}
 * strings) and collects its weapon systems into *w. */
static fw_err read_filters(const struct bstate *r, const cJSON *obj,
                           struct weapons *w)
{
    memset(w, 0, sizeof *w);
    w->is_strike = 1; /* until a weapon filter says otherwise */
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(obj, "filters");
    if (fs == NULL) {
        return FW_OK;
    }
    if (!cJSON_IsArray(fs)) {
        return item_fail(r, "filters", "expected an array");
    }
    long k = 0;
    const cJSON *f;
    cJSON_ArrayForEach (f, fs) {
        char path[48];
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(f, "key");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(f, "value");
        if (!cJSON_IsObject(f)) {
            snprintf(path, sizeof path, "filters[%ld]", k);
            return item_fail(r, path, "expected an object");
        }
        if (!cJSON_IsString(key) || key->valuestring == NULL) {
            snprintf(path, sizeof path, "filters[%ld].key", k);
            return item_fail(r, path, "%s",
                             key == NULL ? "missing (expected a string)"
                                         : "expected a string");
        }
        if (!cJSON_IsString(val) || val->valuestring == NULL) {
            snprintf(path, sizeof path, "filters[%ld].value", k);
            return item_fail(r, path, "%s",
                             val == NULL ? "missing (expected a string)"
                                         : "expected a string");
        }
        k++;
        if (strcmp(key->valuestring, "Weapon System") != 0) {
            continue;
        }
        const char *v = val->valuestring;
        if (!w->has_any) {
            w->has_any = 1;
            w->is_strike = 0;
        }
        if (!not_a_strike(v)) {
            w->is_strike = 1;
        }
        int seen = v[0] == '\0';
        for (size_t i = 0; i < w->n && !seen; i++) {
            seen = strcmp(w->v[i], v) == 0;
        }
        if (!seen && w->n < MAX_WEAPONS) {
            w->v[w->n++] = v;
        }
    }
    return FW_OK;
}

/* "MM/DD/YYYY" -> its midnight UTC. FW_EPARSE for the shape, FW_ERANGE for
 * a day that does not exist. */
static fw_err parse_us_date(const char *s, int64_t *t_s)
{
    if (strlen(s) != 10 || s[2] != '/' || s[5] != '/') {
        return FW_EPARSE;
    }
    static const int DIGITS[] = {0, 1, 3, 4, 6, 7, 8, 9};
    for (size_t i = 0; i < sizeof DIGITS / sizeof DIGITS[0]; i++) {
        if (!is_digit(s[DIGITS[i]])) {
            return FW_EPARSE;
        }
    }
    char iso[11] = {s[6], s[7], s[8], s[9], '-', s[0],
                    s[1], '-',  s[3], s[4], '\0'};
    return fw_date_parse_day(iso, t_s);
}

/* A coordinate as read: *out, or 0 when it is not a finite number. */
static int coordinate_value(const char *text, double num, double *out)
{
    if (text != NULL) {
        return parse_decimal(text, out);
    }
    if (!isfinite(num)) {
        return 0;
    }
    *out = num;
    return 1;
}

static fw_err emit_bellingcat(const struct bstate *r, int64_t t_s, double lat,
                              double lon, const struct weapons *w)
{
    if (r->sink->event == NULL) {
        return FW_OK;
    }
    char joined[FW_INCIDENTS_MAX_TYPE_BYTES * 2];
    size_t used = 0;
    joined[0] = '\0';
    for (size_t i = 0; i < w->n && used < sizeof joined - 1; i++) {
        int k = snprintf(joined + used, sizeof joined - used, "%s%s",
                         i > 0 ? ", " : "", w->v[i]);
        used = k < 0 ? used : used + (size_t)k;
    }
    char type[FW_INCIDENTS_MAX_TYPE_BYTES + 1];
    if (joined[0] == '\0') {
        snprintf(type, sizeof type, "Unknown");
    } else {
        copy_clipped(type, sizeof type, joined, strlen(joined));
    }
    char row[ID_MAX + 40];
    snprintf(row, sizeof row, "%.*s (item %ld)", ID(r->id), r->index);
    struct fw_event_rec e = {
        .source = FW_INCIDENTS_SOURCE_BELLINGCAT,
        .t_s = t_s,
        .has_position = 1,
        .lat_deg = lat,
        .lon_deg = lon,
        .type = type,
        .count = -1,
        .source_row = row,
    };
    fw_err err = r->sink->event(r->sink->ctx, &e);
    if (err != FW_OK && r->d != NULL) {
        r->d->feature = r->index;
        fw_diag_set(r->d, err, 0, 0, "the sink refused the event: %s",
                    fw_strerror(err));
    }
    return err;
}

/* One element: its shape checked first (a fault fails the file), then
 * judged (no strike: skipped; a bad date or position: rejected). */
static fw_err read_incident(struct bstate *r, const cJSON *it)
{
    if (!cJSON_IsObject(it)) {
        return item_fail(r, NULL, "expected an object (an incident)");
    }
    const char *id = NULL, *date = NULL, *lat_text = NULL, *lon_text = NULL;
    double lat_num = 0, lon_num = 0;
    struct weapons w;
    fw_err err;
    if ((err = get_string(r, it, "id", &id)) != FW_OK ||
        (err = get_string(r, it, "date", &date)) != FW_OK ||
        (err = get_coordinate(r, it, "latitude", &lat_text, &lat_num)) !=
            FW_OK ||
        (err = get_coordinate(r, it, "longitude", &lon_text, &lon_num)) !=
            FW_OK ||
        (err = read_filters(r, it, &w)) != FW_OK) {
        return err;
    }
    r->id = id;
    if (!w.is_strike) {
        return FW_OK;
    }
    int64_t t_s = 0;
    fw_err e = parse_us_date(date, &t_s);
    if (e == FW_ERANGE) {
        item_reject(r, "date '%.*s': no such day", QUOTE(date));
        return FW_OK;
    }
    if (e != FW_OK) {
        item_reject(r, "date '%.*s' is not a date (expected MM/DD/YYYY)",
                    QUOTE(date));
        return FW_OK;
    }
    double lat = 0, lon = 0;
    if (!coordinate_value(lat_text, lat_num, &lat)) {
        const char *shown = lat_text != NULL ? lat_text : "(a number)";
        item_reject(r, "latitude '%.*s' is not a finite decimal number",
                    QUOTE(shown));
        return FW_OK;
    }
    if (!coordinate_value(lon_text, lon_num, &lon)) {
        const char *shown = lon_text != NULL ? lon_text : "(a number)";
        item_reject(r, "longitude '%.*s' is not a finite decimal number",
                    QUOTE(shown));
        return FW_OK;
    }
    if (!in_area(lat, lon)) {
        item_reject(
            r, "position %.6f N %.6f E outside %.0f-%.0f N, %.0f-%.0f E", lat,
            lon, FW_INCIDENTS_MIN_LAT_DEG, FW_INCIDENTS_MAX_LAT_DEG,
            FW_INCIDENTS_MIN_LON_DEG, FW_INCIDENTS_MAX_LON_DEG);
        return FW_OK;
    }
    if (t_s > r->latest_s) {
        item_reject(r,
                    "incident in the future (date %.*s is more than a day "
                    "after the time of reading)",
                    QUOTE(date));
        return FW_OK;
    }
    return emit_bellingcat(r, t_s, lat, lon, &w);
}

/* The 1-based line and column of the first byte of buf that is not JSON
 * whitespace (where the document starts). */
static void document_start(const char *buf, size_t len, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < len && fw_text_is_blank(buf[i]); i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

fw_err fw_incidents_read_bellingcat(const char *buf, size_t len,
                                    const struct fw_sink *sink,
                                    struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    cJSON *root = NULL;
    fw_err err = fw_json_parse(buf, len, &root, d);
    if (err != FW_OK) {
        return err;
    }
    struct bstate r = {
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .d = d,
        /* a day of slack for clocks and time zones */
        .latest_s = (int64_t)time(NULL) + FW_DAY_S,
        .id = "",
    };
    if (!cJSON_IsArray(root)) {
        long line, col;
        document_start(buf, len, &line, &col);
        err = fw_diag_set(d, FW_EPARSE, line, col,
                          "expected a JSON array of incidents (the "
                          "Bellingcat civilian-harm export)");
        goto out;
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    const cJSON *it;
    cJSON_ArrayForEach (it, root) {
        r.id = "";
        if ((err = read_incident(&r, it)) != FW_OK) {
            goto out;
        }
        r.index++;
        if (r.index % PROGRESS_EVERY_ITEMS == 0 && r.sink->progress != NULL) {
            r.sink->progress(r.sink->ctx, (size_t)r.index, n);
        }
    }
    if (r.sink->progress != NULL) {
        r.sink->progress(r.sink->ctx, n, n);
    }
out:
    cJSON_Delete(root);
    return err;
}

/* ---- CIR ---------------------------------------------------------------- */

/* The event groups that are strikes (incidents.h), as prefixes: the table
 * adds a month or a span ("Bombing or Explosion Feb - June"). The prefix
 * is the event's type. */
static const char *const STRIKE_GROUPS[] = {
    "Bombing or Explosion",
    "Civilian Casualty",
    "Civilian Infrastructure Damage",
    "Military Infrastructure Damage",
};
#define N_STRIKE_GROUPS (sizeof STRIKE_GROUPS / sizeof STRIKE_GROUPS[0])

struct cstate {
    const char *buf;
    size_t len;
    const struct fw_sink *sink;
    int has_header;
    size_t n_cols;
    int c_entry, c_date, c_group, c_lat, c_lon, c_country;
    int c_province; /* -1 when absent */
    struct fw_csv_pos pos;
    size_t n_rows;
    int64_t latest_s;
};

static void row_reject(const struct cstate *st, long line, const char *entry,
                       const char *fmt, ...) FW_PRINTF(4, 5);

/* Rejects the row starting on line; the reason starts with its entry. */
static void row_reject(const struct cstate *st, long line, const char *entry,
                       const char *fmt, ...)
{
    if (st->sink->reject == NULL) {
        return;
    }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char reason[320];
    snprintf(reason, sizeof reason, "entry '%.*s': %s", ID(entry), what);
    st->sink->reject(st->sink->ctx, line, -1, reason);
}

static fw_err cir_header(struct cstate *st, long line, size_t n_fields,
                         char *const *fields, struct fw_diag *d)
{
    st->c_entry = fw_csv_column(n_fields, fields, "entry");
    st->c_date = fw_csv_column(n_fields, fields, "date");
    st->c_group = fw_csv_column(n_fields, fields, "event_group");
    st->c_lat = fw_csv_column(n_fields, fields, "lat");
    st->c_lon = fw_csv_column(n_fields, fields, "lon");
    st->c_country = fw_csv_column(n_fields, fields, "country");
    st->c_province = fw_csv_column(n_fields, fields, "province");
    if (st->c_entry < 0 || st->c_date < 0 || st->c_group < 0 || st->c_lat < 0 ||
        st->c_lon < 0 || st->c_country < 0) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "unknown header: expected the columns entry, "
                           "date, event_group, lat, lon and country");
    }
    st->n_cols = n_fields;
    st->has_header = 1;
    return FW_OK;
}

/* The strike group of an event group, or NULL when it is no strike. */
static const char *strike_group(const char *group)
{
    const char *s;
    size_t n;
    fw_text_trim(group, &s, &n);
    for (size_t i = 0; i < N_STRIKE_GROUPS; i++) {
        if (fw_text_starts_with_ci(s, n, STRIKE_GROUPS[i])) {
            return STRIKE_GROUPS[i];
        }
    }
    return NULL;
}

static fw_err cir_row(struct cstate *st, long line, char *const *fields,
                      struct fw_diag *d)
{
    const char *s;
    size_t n;
    fw_text_trim(fields[st->c_country], &s, &n);
    if (!fw_text_equals_ci(s, n, "Ukraine")) {
        return FW_OK; /* another country: not ours */
    }
    const char *type = strike_group(fields[st->c_group]);
    if (type == NULL) {
        return FW_OK; /* not a strike */
    }
    char entry[ID_MAX + 1];
    fw_text_trim(fields[st->c_entry], &s, &n);
    copy_clipped(entry, sizeof entry, s, n);

    fw_text_trim(fields[st->c_date], &s, &n);
    char date[16];
    int64_t t_s = 0;
    fw_err e = FW_EPARSE;
    if (n == 10) {
        memcpy(date, s, n);
        date[n] = '\0';
        e = fw_date_parse_day(date, &t_s);
    }
    if (e == FW_ERANGE) {
        row_reject(st, line, entry, "date '%.*s': no such day",
                   QUOTE(fields[st->c_date]));
        return FW_OK;
    }
    if (e != FW_OK) {
        row_reject(st, line, entry,
                   "date '%.*s' is not a date (expected YYYY-MM-DD)",
                   QUOTE(fields[st->c_date]));
        return FW_OK;
    }
    double lat = 0, lon = 0;
    if (!parse_decimal(fields[st->c_lat], &lat)) {
        row_reject(st, line, entry, "lat '%.*s' is not a decimal number",
                   QUOTE(fields[st->c_lat]));
        return FW_OK;
    }
    if (!parse_decimal(fields[st->c_lon], &lon)) {
        row_reject(st, line, entry, "lon '%.*s' is not a decimal number",
                   QUOTE(fields[st->c_lon]));
        return FW_OK;
    }
    if (!in_area(lat, lon)) {
        row_reject(st, line, entry,
                   "position %.6f N %.6f E outside %.0f-%.0f N, %.0f-%.0f E",
                   lat, lon, FW_INCIDENTS_MIN_LAT_DEG, FW_INCIDENTS_MAX_LAT_DEG,
                   FW_INCIDENTS_MIN_LON_DEG, FW_INCIDENTS_MAX_LON_DEG);
        return FW_OK;
    }
    if (t_s > st->latest_s) {
        row_reject(st, line, entry,
                   "incident in the future (date %.*s is more than a day "
                   "after the time of reading)",
                   QUOTE(date));
        return FW_OK;
    }
    const char *iso = NULL;
    if (st->c_province >= 0) {
        fw_text_trim(fields[st->c_province], &s, &n);
        const struct fw_oblast *ob =
            n > 0 ? fw_oblast_by_name(fields[st->c_province]) : NULL;
        iso = ob != NULL ? ob->iso : NULL;
    }
    if (st->sink->event == NULL) {
        return FW_OK;
    }
    char row[ID_MAX + 40];
    snprintf(row, sizeof row, "%s (line %ld)", entry, line);
    struct fw_event_rec ev = {
        .source = FW_INCIDENTS_SOURCE_CIR,
        .t_s = t_s,
        .has_position = 1,
        .lat_deg = lat,
        .lon_deg = lon,
        .oblast_iso = iso,
        .type = type,
        .count = -1,
        .source_row = row,
    };
    fw_err err = st->sink->event(st->sink->ctx, &ev);
    if (err != FW_OK) {
        return fw_diag_set(d, err, line, 0, "the sink refused the event: %s",
                           fw_strerror(err));
    }
    return FW_OK;
}

static fw_err cir_on_row(void *ctx, long line, size_t n_fields,
                         char *const *fields, struct fw_diag *d)
{
    struct cstate *st = ctx;
    if (!st->has_header) {
        return cir_header(st, line, n_fields, fields, d);
    }
    st->n_rows++;
    if (st->n_rows % PROGRESS_EVERY_ROWS == 0 && st->sink->progress != NULL) {
        st->sink->progress(st->sink->ctx, fw_csv_line_offset(&st->pos, line),
                           st->len);
    }
    if (n_fields != st->n_cols) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "expected %zu fields as in the header, found %zu",
                           st->n_cols, n_fields);
    }
    return cir_row(st, line, fields, d);
}

fw_err fw_incidents_read_cir(const char *buf, size_t len,
                             const struct fw_sink *sink, struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    struct cstate st = {
        .buf = buf,
        .len = len,
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .pos = fw_csv_pos_init(buf, len),
        .latest_s = (int64_t)time(NULL) + FW_DAY_S,
    };
    fw_err e = fw_csv_parse(buf, len, cir_on_row, &st, d);
    if (e != FW_OK) {
        return e;
    }
    if (!st.has_header) {
        return fw_diag_set(d, FW_EPARSE, 1, 0,
                           "empty file, no header: expected the columns "
                           "entry, date, event_group, lat, lon and country");
    }
    if (st.sink->progress != NULL) {
        st.sink->progress(st.sink->ctx, len, len);
    }
    return FW_OK;
}

/* ---- the store ---------------------------------------------------------- */

/*
 * The incidents' events have no area (record.h), so every query of them
 * says "area IS NULL" and walks the index event_area (area, t_s) of schema
 * 2 from the window's start (or, for a span, from either end until the
 * first event of the source), instead of scanning the whole event table.
 */
static const char SPAN_INCIDENTS_SQL[] =
    "SELECT (SELECT t_s FROM event WHERE area IS NULL AND source = ?1"
    "  ORDER BY t_s LIMIT 1),"
    " (SELECT t_s FROM event WHERE area IS NULL AND source = ?1"
    "  AND t_s < ?2 ORDER BY t_s DESC LIMIT 1)";

/* Any source: one scan of the table. */
static const char SPAN_ANY_SQL[] =
    "SELECT min(t_s), max(CASE WHEN t_s < ?2 THEN t_s END) FROM event"
    " WHERE source = ?1";

static int is_incident_source(const char *source)
{
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        if (strcmp(source, SOURCE_NAMES[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

fw_err fw_incidents_span(fw_store *st, const char *source, int64_t before_s,
                         struct fw_event_span *out, struct fw_diag *d)
{
    if (st == NULL || source == NULL || out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st, is_incident_source(source) ? SPAN_INCIDENTS_SQL : SPAN_ANY_SQL, &s,
        d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, before_s);
    struct fw_event_span sp = {0};
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
            sp.has_data = 1;
            sp.oldest_s = sqlite3_column_int64(s, 0);
            sp.newest_s = sqlite3_column_int64(s, 1);
        }
    } else {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
    }
    sqlite3_finalize(s);
    if (err == FW_OK) {
        *out = sp;
    }
    return err;
}

/* A strike within the radius, as the count keeps it. */
struct near {
    int64_t t_s;
    double lat, lon;
};

struct nears {
    struct near *v;
    size_t n, cap;
};

static fw_err nears_push(struct nears *a, struct near x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        if (cap > SIZE_MAX / sizeof *a->v) {
            return FW_ENOMEM;
        }
        struct near *v = realloc(a->v, cap * sizeof *v);
        if (v == NULL) {
            return FW_ENOMEM;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return FW_OK;
}

/*
 * A latitude/longitude box that holds every point within radius_km of
 * (lat, lon), for the SQL prefilter. A degree of latitude is at least
 * 110.57 km on WGS84 (at the equator), one of longitude at least 111.32
 * cos(phi) km (the parallel's radius N cos(phi) with N >= a); the box uses
 * 110 and 111 km and the cosine of its most poleward latitude, so it is a
 * little larger than needed, never smaller. Near a pole or across the
 * antimeridian it takes every longitude.
 */
static void circle_box(double lat, double lon, double radius_km, double *lat_lo,
                       double *lat_hi, double *lon_lo, double *lon_hi)
{
    double dlat = radius_km / 110.0;
    *lat_lo = lat - dlat;
    *lat_hi = lat + dlat;
    double phi = fmax(fabs(*lat_lo), fabs(*lat_hi));
    *lon_lo = -180.0;
    *lon_hi = 180.0;
    if (phi < 89.0) {
        double dlon = radius_km / (111.0 * cos(phi * RAD_PER_DEG));
        if (lon - dlon >= -180.0 && lon + dlon <= 180.0) {
            *lon_lo = lon - dlon;
            *lon_hi = lon + dlon;
        }
    }
}

/* Whether the Bellingcat strike x has a CIR strike of the same day within
 * FW_INCIDENTS_SAME_KM among c[*j..n) (sorted by t_s); *j advances past
 * the CIR strikes of earlier days, so a walk of ascending x is linear. */
static int has_twin(const struct near *x, const struct near *c, size_t n,
                    size_t *j)
{
    while (*j < n && c[*j].t_s < x->t_s) {
        (*j)++;
    }
    for (size_t k = *j; k < n && c[k].t_s == x->t_s; k++) {
        /* 0.01 degree is over 0.5 km in either direction in the
         * incidents' area (40-60 N) */
        if (fabs(x->lat - c[k].lat) < 0.01 && fabs(x->lon - c[k].lon) < 0.01 &&
            fw_geo_distance_km(x->lat, x->lon, c[k].lat, c[k].lon) <=
                FW_INCIDENTS_SAME_KM) {
            return 1;
        }
    }
    return 0;
}

/* Bellingcat strikes of near_b with a CIR strike of the same day within
 * FW_INCIDENTS_SAME_KM in near_c (both sorted by t_s). */
static long count_same(const struct nears *b, const struct nears *c)
{
    long n_same = 0;
    size_t j = 0;
    for (size_t i = 0; i < b->n; i++) {
        n_same += has_twin(&b->v[i], c->v, c->n, &j);
    }
    return n_same;
}

/* The checks of fw_incidents_count_near's point and radius. */
static fw_err check_circle(double lat_deg, double lon_deg, double radius_km,
                           struct fw_diag *d)
{
    if (!(lat_deg >= -90.0 && lat_deg <= 90.0) ||
        !(lon_deg >= -180.0 && lon_deg <= 180.0)) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "no such point: latitude %g, longitude %g", lat_deg,
                           lon_deg);
    }
    if (!(radius_km > 0.0 && radius_km <= FW_INCIDENTS_MAX_RADIUS_KM)) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "radius %g km not in (0, %.0f]",
                           radius_km, FW_INCIDENTS_MAX_RADIUS_KM);
    }
    return FW_OK;
}

fw_err fw_incidents_count_near(fw_store *st, double lat_deg, double lon_deg,
                               double radius_km, int64_t t0_s, int64_t t1_s,
                               unsigned source_mask,
                               struct fw_strike_count *out, struct fw_diag *d)
{
    if (st == NULL || out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    fw_err err = check_circle(lat_deg, lon_deg, radius_km, d);
    if (err != FW_OK) {
        return err;
    }
    if (t1_s < t0_s) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "window ends before it starts");
    }
    if ((source_mask & ~FW_INCIDENTS_ALL_SOURCES) != 0) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "source mask %#x names no source", source_mask);
    }
    struct fw_strike_count c;
    memset(&c, 0, sizeof c);
    struct nears near[FW_INCIDENTS_N_SOURCES];
    memset(near, 0, sizeof near);
    sqlite3_stmt *s = NULL;
    err = fw_store_prepare(st,
                         "SELECT source, t_s, lat, lon FROM event"
                         " WHERE area IS NULL AND t_s >= ?3 AND t_s < ?4"
                         " AND source IN (?1, ?2)"
                         " AND lat BETWEEN ?5 AND ?6 AND lon BETWEEN ?7 AND ?8"
                         " ORDER BY t_s",
                         &s, d);
    if (err != FW_OK) {
        return err;
    }
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        if (source_mask & (1u << i)) {
            sqlite3_bind_text(s, i + 1, SOURCE_NAMES[i], -1, SQLITE_STATIC);
        } /* else NULL, which no source equals */
    }
    double lat_lo, lat_hi, lon_lo, lon_hi;
    circle_box(lat_deg, lon_deg, radius_km, &lat_lo, &lat_hi, &lon_lo, &lon_hi);
    sqlite3_bind_int64(s, 3, t0_s);
    sqlite3_bind_int64(s, 4, t1_s);
    sqlite3_bind_double(s, 5, lat_lo);
    sqlite3_bind_double(s, 6, lat_hi);
    sqlite3_bind_double(s, 7, lon_lo);
    sqlite3_bind_double(s, 8, lon_hi);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(s, 0);
        int i = 0;
        while (i < FW_INCIDENTS_N_SOURCES &&
               (src == NULL || strcmp(src, SOURCE_NAMES[i]) != 0)) {
            i++;
        }
        if (i == FW_INCIDENTS_N_SOURCES) {
            continue; /* NEVER: the query names the sources */
        }
        struct near x = {.t_s = sqlite3_column_int64(s, 1),
                         .lat = sqlite3_column_double(s, 2),
                         .lon = sqlite3_column_double(s, 3)};
        if (fw_geo_distance_km(lat_deg, lon_deg, x.lat, x.lon) > radius_km) {
            continue;
        }
        if ((err = nears_push(&near[i], x)) != FW_OK) {
            fw_diag_set(d, err, 0, 0, "out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
        goto out;
    }
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        c.n_by_source[i] = (long)near[i].n;
        c.n_strikes += (long)near[i].n;
    }
    c.n_same =
        count_same(&near[FW_INCIDENTS_BELLINGCAT], &near[FW_INCIDENTS_CIR]);
    c.n_strikes -= c.n_same;
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES && err == FW_OK; i++) {
        err = fw_incidents_span(st, SOURCE_NAMES[i], t1_s, &c.span[i], d);
    }
out:
    sqlite3_finalize(s);
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        free(near[i].v);
    }
    if (err == FW_OK) {
        *out = c;
    }
    return err;
}

/* ---- many points: the strikes in memory -------------------------------- */

struct fw_strike_set {
    struct nears src[FW_INCIDENTS_N_SOURCES]; /* each sorted by t_s */
    /* every strike, by latitude: source in the low bit of idx */
    struct by_lat {
        double lat;
        uint32_t idx; /* index << 1 | source */
    } *lat;
    size_t n_lat;
};

void fw_strike_set_free(fw_strike_set *set)
{
    if (set == NULL) {
        return;
    }
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        free(set->src[i].v);
    }
    free(set->lat);
    free(set);
}

static int cmp_by_lat(const void *a, const void *b)
{
    const struct by_lat *x = a, *y = b;
    if (x->lat != y->lat) {
        return x->lat < y->lat ? -1 : 1;
    }
    return (x->idx > y->idx) - (x->idx < y->idx);
}

_Static_assert(FW_INCIDENTS_N_SOURCES == 2,
               "fw_strike_set keeps the source in one bit");

fw_err fw_strike_set_load(fw_store *st, fw_strike_set **out, struct fw_diag *d)
{
    if (st == NULL || out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    *out = NULL;
    fw_strike_set *set = calloc(1, sizeof *set);
    if (set == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st,
                                  "SELECT t_s, lat, lon FROM event"
                                  " WHERE area IS NULL AND source = ?1"
                                  " ORDER BY t_s",
                                  &s, d);
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES && err == FW_OK; i++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, SOURCE_NAMES[i], -1, SQLITE_STATIC);
        int rc;
        while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            struct near x = {.t_s = sqlite3_column_int64(s, 0),
                             .lat = sqlite3_column_double(s, 1),
                             .lon = sqlite3_column_double(s, 2)};
            if (set->src[i].n >= UINT32_MAX >> 1) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "too many strikes");
            } else if (nears_push(&set->src[i], x) != FW_OK) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
            }
        }
        if (err == FW_OK && rc != SQLITE_DONE) {
            err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                              sqlite3_errmsg(fw_store_db(st)));
        }
    }
    sqlite3_finalize(s);
    size_t n = 0;
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        n += set->src[i].n;
    }
    if (err == FW_OK && n > 0 && (set->lat = malloc(n * sizeof *set->lat)) == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES && err == FW_OK; i++) {
        for (size_t k = 0; k < set->src[i].n; k++) {
            set->lat[set->n_lat++] = (struct by_lat){
                .lat = set->src[i].v[k].lat, .idx = (uint32_t)(k << 1 | (size_t)i)};
        }
    }
    if (err != FW_OK) {
        fw_strike_set_free(set);
        return err;
    }
    if (set->n_lat > 0) {
        qsort(set->lat, set->n_lat, sizeof *set->lat, cmp_by_lat);
    }
    *out = set;
    return FW_OK;
}

/* The first of v[0..n) with t_s >= t (n if none). */
static size_t first_at(const int64_t *v, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

void fw_strike_set_span(const fw_strike_set *set, enum fw_incident_source src,
                        int64_t before_s, struct fw_event_span *out)
{
    memset(out, 0, sizeof *out);
    const struct nears *a = &set->src[src];
    /* the newest strike before before_s: the last of those with t_s less */
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->v[mid].t_s < before_s) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0) {
        out->has_data = 1;
        out->oldest_s = a->v[0].t_s;
        out->newest_s = a->v[lo - 1].t_s;
    }
}

void fw_strike_near_free(struct fw_strike_near *nr)
{
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        free(nr->t_s[i]);
    }
    free(nr->same_t_s);
    memset(nr, 0, sizeof *nr);
}

static int cmp_near_t(const void *a, const void *b)
{
    const struct near *x = a, *y = b;
    return (x->t_s > y->t_s) - (x->t_s < y->t_s);
}

fw_err fw_strike_set_near(const fw_strike_set *set, double lat_deg,
                          double lon_deg, double radius_km,
                          struct fw_strike_near *out, struct fw_diag *d)
{
    if (out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (set == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    fw_err err = check_circle(lat_deg, lon_deg, radius_km, d);
    if (err != FW_OK) {
        return err;
    }
    double lat_lo, lat_hi, lon_lo, lon_hi;
    circle_box(lat_deg, lon_deg, radius_km, &lat_lo, &lat_hi, &lon_lo, &lon_hi);
    size_t lo = 0, hi = set->n_lat;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->lat[mid].lat < lat_lo) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    struct nears near[FW_INCIDENTS_N_SOURCES];
    memset(near, 0, sizeof near);
    for (size_t k = lo; k < set->n_lat && set->lat[k].lat <= lat_hi && err == FW_OK;
         k++) {
        int i = (int)(set->lat[k].idx & 1u);
        const struct near *x = &set->src[i].v[set->lat[k].idx >> 1];
        if (x->lon < lon_lo || x->lon > lon_hi ||
            fw_geo_distance_km(lat_deg, lon_deg, x->lat, x->lon) > radius_km) {
            continue;
        }
        err = nears_push(&near[i], *x);
    }
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES && err == FW_OK; i++) {
        if (near[i].n > 0) {
            qsort(near[i].v, near[i].n, sizeof *near[i].v, cmp_near_t);
            out->t_s[i] = malloc(near[i].n * sizeof *out->t_s[i]);
            if (out->t_s[i] == NULL) {
                err = FW_ENOMEM;
                break;
            }
        }
        for (size_t k = 0; k < near[i].n; k++) {
            out->t_s[i][k] = near[i].v[k].t_s;
        }
        out->n[i] = near[i].n;
    }
    const struct nears *b = &near[FW_INCIDENTS_BELLINGCAT];
    const struct nears *c = &near[FW_INCIDENTS_CIR];
    if (err == FW_OK && b->n > 0 && c->n > 0 &&
        (out->same_t_s = malloc(b->n * sizeof *out->same_t_s)) == NULL) {
        err = FW_ENOMEM;
    }
    size_t j = 0;
    for (size_t k = 0; err == FW_OK && c->n > 0 && k < b->n; k++) {
        if (has_twin(&b->v[k], c->v, c->n, &j)) {
            out->same_t_s[out->n_same++] = b->v[k].t_s;
        }
    }
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        free(near[i].v);
    }
    if (err != FW_OK) {
        fw_strike_near_free(out);
        return fw_diag_set(d, err, 0, 0, "out of memory");
    }
    return FW_OK;
}

long fw_strike_near_count(const struct fw_strike_near *nr, int64_t t0_s,
                          int64_t t1_s, unsigned source_mask)
{
    if (t1_s <= t0_s) {
        return 0;
    }
    long n = 0;
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        if (source_mask & (1u << i)) {
            n += (long)(first_at(nr->t_s[i], nr->n[i], t1_s) -
                        first_at(nr->t_s[i], nr->n[i], t0_s));
        }
    }
    if ((source_mask & FW_INCIDENTS_ALL_SOURCES) == FW_INCIDENTS_ALL_SOURCES) {
        n -= (long)(first_at(nr->same_t_s, nr->n_same, t1_s) -
                    first_at(nr->same_t_s, nr->n_same, t0_s));
    }
    return n;
}
