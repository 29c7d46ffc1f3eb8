/*
 * alerts.c - readers of the air-raid alert data (see alerts.h).
 *
 * First reader stage of the data flow: the official and volunteer alert
 * CSVs become struct fw_alert_rec, and states.json (the hierarchy of alert
 * regions) becomes struct fw_region_rec, each handed to a struct fw_sink
 * (usually the store's ingest). A file that is not in the expected format
 * fails as a whole with its position in d; a single row that cannot be
 * placed (unknown oblast, no end, ends before it starts) is rejected through
 * the sink and reading goes on.
 */
#include "frontwatch/alerts.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "frontwatch/csv.h"
#include "frontwatch/date.h"
#include "frontwatch/json.h"
#include "frontwatch/oblast.h"
#include "frontwatch/text.h"
#include "text_int.h"

#if defined(__GNUC__)
#define FW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FW_PRINTF(f, a)
#endif

/* sink->progress is called once per this many data rows. */
#define PROGRESS_EVERY_ROWS 4096

/* Largest id accepted in states.json (ids are small positive integers). */
#define MAX_REGION_ID 2147483647.0

/* Field values quoted in messages are cut to this many bytes, at a
 * character boundary: QUOTE(v) gives the "%.*s" arguments. */
#define QUOTE_MAX 64
#define QUOTE(v) (int)fw_text_clip_len((v), QUOTE_MAX), (v)

static const struct fw_sink EMPTY_SINK = {0};

static const char *const OFFICIAL_COLS[] = {
    "oblast",     "raion",       "hromada", "level",
    "started_at", "finished_at", "source",
};
#define N_OFFICIAL_COLS (sizeof OFFICIAL_COLS / sizeof OFFICIAL_COLS[0])

static const char *const VOLUNTEER_COLS[] = {
    "region",
    "started_at",
    "finished_at",
    "naive",
};
#define N_VOLUNTEER_COLS (sizeof VOLUNTEER_COLS / sizeof VOLUNTEER_COLS[0])

#define EXPECTED_HEADERS                                                       \
    "expected 'oblast,raion,hromada,level,started_at,finished_at,source' "     \
    "(official) or 'region,started_at,finished_at,naive' (volunteer)"

enum csv_kind { KIND_NONE, KIND_OFFICIAL, KIND_VOLUNTEER };

struct csv_state {
    const char *buf;
    size_t len;
    const struct fw_sink *sink;
    enum csv_kind kind;
    size_t n_cols; /* fields in the header; every row must have as many */
    /* column indices, from the header (-1 when not in this kind) */
    int c_oblast, c_raion, c_hromada, c_level, c_start, c_end, c_naive;
    struct fw_csv_pos pos; /* positions of fields, for messages */
    size_t n_rows;
    int64_t latest_s; /* alerts starting or ending later are rejected */
};

/* ---- positions ---------------------------------------------------------- */

/* Byte offset of the start of line `line` (1-based). */
/* ---- rows --------------------------------------------------------------- */

static void reject(const struct csv_state *st, long line, const char *fmt, ...)
    FW_PRINTF(3, 4);

static void reject(const struct csv_state *st, long line, const char *fmt, ...)
{
    if (st->sink->reject == NULL) {
        return;
    }
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    st->sink->reject(st->sink->ctx, line, -1, reason);
}

/* 1 when every name is a column of the header; fills idx[]. */
static int find_columns(size_t n_fields, char *const *fields,
                        const char *const *names, size_t n_names, int *idx)
{
    for (size_t i = 0; i < n_names; i++) {
        idx[i] = fw_csv_column(n_fields, fields, names[i]);
        if (idx[i] < 0) {
            return 0;
        }
    }
    return 1;
}

static fw_err read_header(struct csv_state *st, long line, size_t n_fields,
                          char *const *fields, struct fw_diag *d)
{
    int idx[N_OFFICIAL_COLS];
    st->c_oblast = st->c_raion = st->c_hromada = st->c_level = -1;
    st->c_start = st->c_end = st->c_naive = -1;
    if (find_columns(n_fields, fields, OFFICIAL_COLS, N_OFFICIAL_COLS, idx)) {
        st->kind = KIND_OFFICIAL;
        st->c_oblast = idx[0];
        st->c_raion = idx[1];
        st->c_hromada = idx[2];
        st->c_level = idx[3];
        st->c_start = idx[4];
        st->c_end = idx[5];
    } else if (find_columns(n_fields, fields, VOLUNTEER_COLS, N_VOLUNTEER_COLS,
                            idx)) {
        st->kind = KIND_VOLUNTEER;
        st->c_oblast = idx[0];
        st->c_start = idx[1];
        st->c_end = idx[2];
        st->c_naive = idx[3];
    } else {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "unknown header: " EXPECTED_HEADERS);
    }
    st->n_cols = n_fields;
    return FW_OK;
}

/* Parses the timestamp in column col; a bad one fails the file. */
static fw_err parse_time(struct csv_state *st, long line, char *const *fields,
                         int col, int64_t *t, struct fw_diag *d)
{
    const char *name = col == st->c_start ? "started_at" : "finished_at";
    const char *v = fields[col];
    fw_err e = fw_date_parse_timestamp(v, t);
    if (e == FW_OK) {
        return FW_OK;
    }
    long l, c;
    fw_csv_field_position(&st->pos, line, col, &l, &c);
    if (e == FW_ERANGE) {
        return fw_diag_set(d, FW_ERANGE, l, c,
                           "%s: '%.*s' is not a valid date and time "
                           "(no such day, hour or offset)",
                           name, QUOTE(v));
    }
    return fw_diag_set(d, FW_EPARSE, l, c,
                       "%s: '%.*s' is not a timestamp "
                       "(expected YYYY-MM-DD HH:MM:SS+00:00)",
                       name, QUOTE(v));
}

static fw_err parse_level(struct csv_state *st, long line, char *const *fields,
                          enum fw_alert_level *level, struct fw_diag *d)
{
    const char *v = fields[st->c_level];
    if (strcmp(v, "oblast") == 0) {
        *level = FW_ALERT_OBLAST;
    } else if (strcmp(v, "raion") == 0) {
        *level = FW_ALERT_RAION;
    } else if (strcmp(v, "hromada") == 0) {
        *level = FW_ALERT_HROMADA;
    } else {
        long l, c;
        fw_csv_field_position(&st->pos, line, st->c_level, &l, &c);
        return fw_diag_set(d, FW_EPARSE, l, c,
                           "level: '%.*s' is not one of oblast, raion, "
                           "hromada",
                           QUOTE(v));
    }
    return FW_OK;
}

static fw_err parse_naive(struct csv_state *st, long line, char *const *fields,
                          int *is_naive, struct fw_diag *d)
{
    const char *v = fields[st->c_naive];
    if (strcmp(v, "True") == 0) {
        *is_naive = 1;
    } else if (strcmp(v, "False") == 0) {
        *is_naive = 0;
    } else {
        long l, c;
        fw_csv_field_position(&st->pos, line, st->c_naive, &l, &c);
        return fw_diag_set(d, FW_EPARSE, l, c,
                           "naive: '%.*s' is neither True nor False", QUOTE(v));
    }
    return FW_OK;
}

/* Reads both times; *has_end is 0 (and *end untouched) when finished_at is
 * empty, which rejects the row rather than failing the file. */
static fw_err parse_times(struct csv_state *st, long line, char *const *fields,
                          int64_t *start, int64_t *end, int *has_end,
                          struct fw_diag *d)
{
    fw_err e = parse_time(st, line, fields, st->c_start, start, d);
    if (e != FW_OK) {
        return e;
    }
    *has_end = fields[st->c_end][0] != '\0';
    if (*has_end) {
        e = parse_time(st, line, fields, st->c_end, end, d);
    }
    return e;
}

/* Rejects (and returns 0 for) rows without a usable time span: no end,
 * an end before the start, or a time more than a day after now (no source
 * can hold alerts that have not happened; a wrong year or clock can). */
static int check_span(const struct csv_state *st, long line,
                      char *const *fields, int has_end, int64_t start,
                      int64_t end)
{
    if (!has_end) {
        reject(st, line, "alert has no end (finished_at is empty)");
        return 0;
    }
    if (end < start) {
        reject(st, line,
               "alert ends before it starts (finished_at %.*s < "
               "started_at %.*s)",
               QUOTE(fields[st->c_end]), QUOTE(fields[st->c_start]));
        return 0;
    }
    if (end > st->latest_s) {
        int col = start > st->latest_s ? st->c_start : st->c_end;
        reject(st, line,
               "alert in the future (%s %.*s is more than a day after "
               "the time of reading)",
               col == st->c_start ? "started_at" : "finished_at",
               QUOTE(fields[col]));
        return 0;
    }
    return 1;
}

static fw_err emit(const struct csv_state *st, long line,
                   const struct fw_alert_rec *a, struct fw_diag *d)
{
    if (st->sink->alert == NULL) {
        return FW_OK;
    }
    fw_err e = st->sink->alert(st->sink->ctx, a);
    if (e != FW_OK) {
        fw_diag_set(d, e, line, 0, "the sink refused the alert: %s",
                    fw_strerror(e));
    }
    return e;
}

static fw_err official_row(struct csv_state *st, long line, char *const *fields,
                           struct fw_diag *d)
{
    enum fw_alert_level level = FW_ALERT_OBLAST;
    int64_t start = 0, end = 0;
    int has_end = 0;
    fw_err e = parse_level(st, line, fields, &level, d);
    if (e == FW_OK) {
        e = parse_times(st, line, fields, &start, &end, &has_end, d);
    }
    if (e != FW_OK) {
        return e;
    }

    const char *oblast = fields[st->c_oblast];
    const char *raion = fields[st->c_raion];
    const char *hromada = fields[st->c_hromada];
    const struct fw_oblast *ob = fw_oblast_by_alert_name(oblast);
    int is_swapped = 0;
    if (ob == NULL && raion[0] != '\0') {
        ob = fw_oblast_by_alert_name(raion);
        if (ob != NULL) {
            /* The source's line 18: "Lubenskyi raion,Poltavska oblast" */
            is_swapped = 1;
            raion = oblast;
        }
    }
    if (ob == NULL) {
        reject(st, line, "unknown oblast '%.*s'", QUOTE(oblast));
        return FW_OK;
    }
    if (level >= FW_ALERT_RAION && raion[0] == '\0') {
        reject(st, line, "%s-level alert with an empty raion column",
               fields[st->c_level]);
        return FW_OK;
    }
    if (level == FW_ALERT_HROMADA && hromada[0] == '\0') {
        reject(st, line, "hromada-level alert with an empty hromada column");
        return FW_OK;
    }
    if (!check_span(st, line, fields, has_end, start, end)) {
        return FW_OK;
    }
    if (is_swapped && st->sink->repair != NULL) {
        st->sink->repair(st->sink->ctx, line, -1,
                         "oblast and raion columns swapped");
    }
    struct fw_alert_rec a = {
        .source = "official",
        .level = level,
        .oblast_iso = ob->iso,
        .raion = raion[0] != '\0' ? raion : NULL,
        .hromada = hromada[0] != '\0' ? hromada : NULL,
        .start_s = start,
        .end_s = end,
        .is_naive = 0,
        .is_open = 0,
    };
    return emit(st, line, &a, d);
}

static fw_err volunteer_row(struct csv_state *st, long line,
                            char *const *fields, struct fw_diag *d)
{
    int is_naive = 0;
    int64_t start = 0, end = 0;
    int has_end = 0;
    fw_err e = parse_times(st, line, fields, &start, &end, &has_end, d);
    if (e == FW_OK) {
        e = parse_naive(st, line, fields, &is_naive, d);
    }
    if (e != FW_OK) {
        return e;
    }
    const char *region = fields[st->c_oblast];
    const struct fw_oblast *ob = fw_oblast_by_alert_name(region);
    if (ob == NULL) {
        reject(st, line, "unknown oblast '%.*s'", QUOTE(region));
        return FW_OK;
    }
    if (!check_span(st, line, fields, has_end, start, end)) {
        return FW_OK;
    }
    struct fw_alert_rec a = {
        .source = "volunteer",
        .level = FW_ALERT_OBLAST,
        .oblast_iso = ob->iso,
        .raion = NULL,
        .hromada = NULL,
        .start_s = start,
        .end_s = end,
        .is_naive = is_naive,
        .is_open = 0,
    };
    return emit(st, line, &a, d);
}

static fw_err on_row(void *ctx, long line, size_t n_fields, char *const *fields,
                     struct fw_diag *d)
{
    struct csv_state *st = ctx;
    if (st->kind == KIND_NONE) {
        return read_header(st, line, n_fields, fields, d);
    }
    st->n_rows++;
    if (st->n_rows % PROGRESS_EVERY_ROWS == 0 && st->sink->progress != NULL) {
        st->sink->progress(st->sink->ctx, fw_csv_line_offset(&st->pos, line), st->len);
    }
    if (n_fields != st->n_cols) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "expected %zu fields as in the header, found %zu",
                           st->n_cols, n_fields);
    }
    if (st->kind == KIND_OFFICIAL) {
        return official_row(st, line, fields, d);
    }
    return volunteer_row(st, line, fields, d);
}

fw_err fw_alerts_read_csv(const char *buf, size_t len,
                          const struct fw_sink *sink, struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    struct csv_state st = {
        .buf = buf,
        .len = len,
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .kind = KIND_NONE,
        .pos = fw_csv_pos_init(buf, len),
        /* a day of slack for clocks and time zones */
        .latest_s = (int64_t)time(NULL) + FW_DAY_S,
    };
    fw_err e = fw_csv_parse(buf, len, on_row, &st, d);
    if (e != FW_OK) {
        return e;
    }
    if (st.kind == KIND_NONE) {
        return fw_diag_set(d, FW_EPARSE, 1, 0,
                           "empty file, no header: " EXPECTED_HEADERS);
    }
    if (st.sink->progress != NULL) {
        st.sink->progress(st.sink->ctx, len, len);
    }
    return FW_OK;
}

/* ---- states.json -------------------------------------------------------- */

/* Member name of obj, checked to be of the wanted kind. */
enum member_kind { MEMBER_STRING, MEMBER_NUMBER, MEMBER_ARRAY };

static fw_err get_member(const cJSON *obj, const char *path, const char *name,
                         enum member_kind kind, const cJSON **out,
                         struct fw_diag *d)
{
    static const char *const expected[] = {"a string", "a number", "an array"};
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    const char *sep = path[0] != '\0' ? "." : "";
    if (m == NULL) {
        return fw_diag_set(d, FW_EPARSE, 0, 0, "%s%s%s: missing (expected %s)",
                           path, sep, name, expected[kind]);
    }
    int ok = (kind == MEMBER_STRING && cJSON_IsString(m)) ||
             (kind == MEMBER_NUMBER && cJSON_IsNumber(m)) ||
             (kind == MEMBER_ARRAY && cJSON_IsArray(m));
    if (!ok) {
        return fw_diag_set(d, FW_EPARSE, 0, 0, "%s%s%s: expected %s", path, sep,
                           name, expected[kind]);
    }
    *out = m;
    return FW_OK;
}

static fw_err get_id(const cJSON *obj, const char *path, const char *name,
                     long *id, struct fw_diag *d)
{
    const cJSON *m = NULL;
    fw_err e = get_member(obj, path, name, MEMBER_NUMBER, &m, d);
    if (e != FW_OK) {
        return e;
    }
    double v = m->valuedouble;
    if (!(v >= 0.0 && v <= MAX_REGION_ID) || floor(v) != v) {
        return fw_diag_set(d, FW_EPARSE, 0, 0,
                           "%s.%s: expected a whole number from 0 to %.0f",
                           path, name, MAX_REGION_ID);
    }
    *id = (long)v;
    return FW_OK;
}

static fw_err get_name(const cJSON *obj, const char *path, const char *name,
                       const char **s, struct fw_diag *d)
{
    const cJSON *m = NULL;
    fw_err e = get_member(obj, path, name, MEMBER_STRING, &m, d);
    if (e == FW_OK) {
        *s = m->valuestring;
    }
    return e;
}

static fw_err check_object(const cJSON *item, const char *path,
                           struct fw_diag *d)
{
    if (!cJSON_IsObject(item)) {
        return fw_diag_set(d, FW_EPARSE, 0, 0, "%s: expected an object", path);
    }
    return FW_OK;
}

/* Reads one region object at path: its name and id members, and, when
 * children_key is not NULL, the array of its children. */
static fw_err read_node(const cJSON *obj, const char *path,
                        const char *name_key, const char *id_key,
                        const char *children_key, const char **name, long *id,
                        const cJSON **children, struct fw_diag *d)
{
    fw_err e = check_object(obj, path, d);
    if (e == FW_OK) {
        e = get_name(obj, path, name_key, name, d);
    }
    if (e == FW_OK) {
        e = get_id(obj, path, id_key, id, d);
    }
    if (e == FW_OK && children_key != NULL) {
        e = get_member(obj, path, children_key, MEMBER_ARRAY, children, d);
    }
    return e;
}

/* The oblast of a stateName. The two cities with oblast status are written
 * "м. Київ" / "м. Севастополь", which the oblast table does not know. */
static const char *state_iso(const char *state_name)
{
    const struct fw_oblast *ob = fw_oblast_by_name(state_name);
    return ob != NULL ? ob->iso : NULL;
}

static fw_err emit_region(const struct fw_sink *sink, long id,
                          enum fw_alert_level level, long parent_id,
                          const char *name, const char *iso, const char *path,
                          struct fw_diag *d)
{
    if (sink->region == NULL) {
        return FW_OK;
    }
    struct fw_region_rec r = {
        .id = id,
        .level = level,
        .parent_id = parent_id,
        .name = name,
        .oblast_iso = iso,
    };
    fw_err e = sink->region(sink->ctx, &r);
    if (e != FW_OK) {
        fw_diag_set(d, e, 0, 0, "%s: the sink refused the region: %s", path,
                    fw_strerror(e));
    }
    return e;
}

static fw_err read_district(const struct fw_sink *sink, const cJSON *district,
                            const char *path, long state_id, const char *iso,
                            struct fw_diag *d)
{
    const cJSON *communities = NULL;
    const char *name = NULL;
    long id = 0;
    fw_err e = read_node(district, path, "districtName", "districtId",
                         "communities", &name, &id, &communities, d);
    if (e == FW_OK) {
        e = emit_region(sink, id, FW_ALERT_RAION, state_id, name, iso, path, d);
    }
    int i = 0;
    const cJSON *c = NULL;
    cJSON_ArrayForEach (c, communities) {
        if (e != FW_OK) {
            break;
        }
        char cpath[160];
        snprintf(cpath, sizeof cpath, "%s.communities[%d]", path, i++);
        const char *cname = NULL;
        long cid = 0;
        e = read_node(c, cpath, "communityName", "communityId", NULL, &cname,
                      &cid, NULL, d);
        if (e == FW_OK) {
            e = emit_region(sink, cid, FW_ALERT_HROMADA, id, cname, iso, cpath,
                            d);
        }
    }
    return e;
}

static fw_err read_state(const struct fw_sink *sink, const cJSON *state,
                         const char *path, struct fw_diag *d)
{
    const cJSON *districts = NULL;
    const char *name = NULL;
    long id = 0;
    fw_err e = read_node(state, path, "stateName", "stateId", "districts",
                         &name, &id, &districts, d);
    if (e != FW_OK) {
        return e;
    }
    const char *iso = state_iso(name);
    e = emit_region(sink, id, FW_ALERT_OBLAST, 0, name, iso, path, d);
    int i = 0;
    const cJSON *district = NULL;
    cJSON_ArrayForEach (district, districts) {
        if (e != FW_OK) {
            break;
        }
        char dpath[96];
        snprintf(dpath, sizeof dpath, "%s.districts[%d]", path, i++);
        e = read_district(sink, district, dpath, id, iso, d);
    }
    return e;
}

fw_err fw_alerts_read_regions(const char *buf, size_t len,
                              const struct fw_sink *sink, struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    if (sink == NULL) {
        sink = &EMPTY_SINK;
    }
    cJSON *root = NULL;
    fw_err e = fw_json_parse(buf, len, &root, d);
    if (e != FW_OK) {
        return e;
    }
    const cJSON *states = NULL;
    const cJSON *state = NULL;
    int i = 0;
    if (!cJSON_IsObject(root)) {
        e = fw_diag_set(d, FW_EPARSE, 0, 0,
                        "expected an object with a 'states' array");
        goto out;
    }
    e = get_member(root, "", "states", MEMBER_ARRAY, &states, d);
    cJSON_ArrayForEach (state, states) {
        if (e != FW_OK) {
            break;
        }
        char path[32];
        snprintf(path, sizeof path, "states[%d]", i++);
        e = read_state(sink, state, path, d);
    }
out:
    cJSON_Delete(root);
    return e;
}
