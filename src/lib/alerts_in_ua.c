/*
 * alerts_in_ua.c - reader of the alerts.in.ua history API answer (see
 * alerts.h).
 *
 * A reader stage of the data flow beside alerts.c: the JSON answer of
 * /v1/regions/{uid}/alerts/month_ago.json becomes struct fw_alert_rec
 * (source "alerts_in_ua"), each handed to a struct fw_sink (usually the
 * store's ingest). The document is parsed whole by fw_json_parse (json.h:
 * size and nesting caps, UTF-8 check, positions of bad JSON). Every
 * member the reader needs is checked before the alert is judged, so an
 * answer that is not in the expected shape fails as a whole, with the
 * alert's index in d->feature and the member's path in the message; an
 * alert that is well formed but does not count (not an air raid, deleted,
 * in an unknown oblast, a span that cannot be) is rejected through the
 * sink and reading goes on.
 */
#include "frontwatch/alerts.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "frontwatch/date.h"
#include "frontwatch/json.h"
#include "frontwatch/oblast.h"
#include "text_int.h"

#if defined(__GNUC__)
#define FW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FW_PRINTF(f, a)
#endif

/* sink->progress is called once per this many alerts (and at the end). */
#define PROGRESS_EVERY_ALERTS 50

/* Largest alert id accepted: a JSON number is a double, exact for whole
 * numbers up to 2^53 - 1 (the API's ids are about 2.2e5). */
#define MAX_ALERT_ID 9007199254740991.0

/* Values quoted in messages are cut to this many bytes, at a character
 * boundary: QUOTE(v) gives the "%.*s" arguments. */
#define QUOTE_MAX 64
#define QUOTE(v) (int)fw_text_clip_len((v), QUOTE_MAX), (v)

static const struct fw_sink EMPTY_SINK = {0};

/* location_type values and the level each stands for: a city is a
 * hromada of its own for the alert system (its hromada's centre). */
static const struct {
    const char *name;
    enum fw_alert_level level;
} LOCATION_TYPES[] = {
    {"oblast", FW_ALERT_OBLAST},
    {"raion", FW_ALERT_RAION},
    {"hromada", FW_ALERT_HROMADA},
    {"city", FW_ALERT_HROMADA},
};
#define N_LOCATION_TYPES (sizeof LOCATION_TYPES / sizeof LOCATION_TYPES[0])

struct reader {
    const struct fw_sink *sink; /* never NULL (EMPTY_SINK) */
    struct fw_diag *d;          /* may be NULL */
    int64_t now_s;              /* time the answer was read */
    int64_t latest_s;           /* now_s + a day: later is the future */
    long index;                 /* 0-based index of the alert being read */
    char path[40];              /* "alerts[12]" */
};

/* The members of one alert, as checked by read_members. Strings are
 * borrowed from the cJSON tree. */
struct in_ua_alert {
    long long id;
    const char *title;
    const char *location_type;
    const char *oblast;
    const char *alert_type;
    const char *started_at;
    const char *finished_at; /* NULL while the alert is active */
    const char *deleted_at;  /* NULL unless deleted */
    int64_t start_s;
    int64_t end_s; /* set only when finished_at is */
};

/* ---- failures and rejects ----------------------------------------------- */

/* Fails the file at the current alert: d->feature is its index, d->msg
 * "alerts[i].member: ..." (member NULL: "alerts[i]: ..."). */
static fw_err alert_fail(const struct reader *r, fw_err err, const char *member,
                         const char *fmt, ...) FW_PRINTF(4, 5);

static fw_err alert_fail(const struct reader *r, fw_err err, const char *member,
                         const char *fmt, ...)
{
    if (r->d == NULL) {
        return err;
    }
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->d->feature = r->index;
    return fw_diag_set(r->d, err, 0, 0, "%s%s%s: %s", r->path,
                       member != NULL ? "." : "", member != NULL ? member : "",
                       what);
}

static void reject(const struct reader *r, const struct in_ua_alert *a,
                   const char *fmt, ...) FW_PRINTF(3, 4);

/* Rejects the current alert; the reason ends with the API's id, by which
 * the alert can be looked up. */
static void reject(const struct reader *r, const struct in_ua_alert *a,
                   const char *fmt, ...)
{
    if (r->sink->reject == NULL) {
        return;
    }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char reason[300];
    snprintf(reason, sizeof reason, "%s (alert id %lld)", what, a->id);
    r->sink->reject(r->sink->ctx, 0, r->index, reason);
}

/* ---- members ------------------------------------------------------------ */

/* The string member name of obj into *out; with is_nullable, null is
 * allowed too (*out = NULL). A missing member fails unless is_optional
 * (then *out = NULL as for null). */
static fw_err get_string(const struct reader *r, const cJSON *obj,
                         const char *name, int is_nullable, int is_optional,
                         const char **out)
{
    const char *expected = is_nullable ? "a string or null" : "a string";
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (m == NULL && is_optional) {
        *out = NULL;
        return FW_OK;
    }
    if (m == NULL) {
        return alert_fail(r, FW_EPARSE, name, "missing (expected %s)",
                          expected);
    }
    if (is_nullable && cJSON_IsNull(m)) {
        *out = NULL;
        return FW_OK;
    }
    if (!cJSON_IsString(m) || m->valuestring == NULL) {
        return alert_fail(r, FW_EPARSE, name, "expected %s", expected);
    }
    *out = m->valuestring;
    return FW_OK;
}

static fw_err get_id(const struct reader *r, const cJSON *obj, long long *id)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (m == NULL) {
        return alert_fail(r, FW_EPARSE, "id", "missing (expected a number)");
    }
    double v = cJSON_IsNumber(m) ? m->valuedouble : NAN;
    if (!(v >= 0.0 && v <= MAX_ALERT_ID) || floor(v) != v) {
        return alert_fail(r, FW_EPARSE, "id",
                          "expected a whole number from 0 to %.0f",
                          MAX_ALERT_ID);
    }
    *id = (long long)v;
    return FW_OK;
}

/* A time of the API: "2026-06-21T09:19:29.000Z". fw_date_parse_timestamp
 * does the work, but also takes a bare date, a space for the T and no
 * zone at all (read as UTC); the API always writes all three, so a value
 * without them is damage rather than a time and fails here. */
static fw_err parse_time(const struct reader *r, const char *name,
                         const char *s, int64_t *t)
{
    size_t n = strlen(s);
    const char *zone = n >= 19 ? s + 19 : s + n;
    if (*zone == '.') {
        do {
            zone++;
        } while (*zone >= '0' && *zone <= '9');
    }
    int is_shaped = n >= 20 && s[10] == 'T' && s[16] == ':' &&
                    (*zone == 'Z' || *zone == '+' || *zone == '-');
    fw_err e = is_shaped ? fw_date_parse_timestamp(s, t) : FW_EPARSE;
    if (e == FW_ERANGE) {
        return alert_fail(r, FW_ERANGE, name,
                          "'%.*s' is not a valid date and time (no such day, "
                          "hour or offset)",
                          QUOTE(s));
    }
    if (e != FW_OK) {
        return alert_fail(r, FW_EPARSE, name,
                          "expected an ISO-8601 UTC time such as "
                          "2026-06-21T09:19:29.000Z, found '%.*s'",
                          QUOTE(s));
    }
    return FW_OK;
}

/* Checks and reads every member the reader uses, so that a malformed
 * alert fails the file whatever it would have been judged. */
static fw_err read_members(const struct reader *r, const cJSON *obj,
                           struct in_ua_alert *a)
{
    if (!cJSON_IsObject(obj)) {
        return alert_fail(r, FW_EPARSE, NULL, "expected an object");
    }
    fw_err e = get_id(r, obj, &a->id);
    if (e == FW_OK) {
        e = get_string(r, obj, "location_title", 0, 0, &a->title);
    }
    if (e == FW_OK) {
        e = get_string(r, obj, "location_type", 0, 0, &a->location_type);
    }
    if (e == FW_OK) {
        e = get_string(r, obj, "location_oblast", 0, 0, &a->oblast);
    }
    if (e == FW_OK) {
        e = get_string(r, obj, "alert_type", 0, 0, &a->alert_type);
    }
    if (e == FW_OK) {
        e = get_string(r, obj, "started_at", 0, 0, &a->started_at);
    }
    if (e == FW_OK) {
        e = get_string(r, obj, "finished_at", 1, 0, &a->finished_at);
    }
    if (e == FW_OK) {
        e = get_string(r, obj, "deleted_at", 1, 1, &a->deleted_at);
    }
    if (e == FW_OK) {
        e = parse_time(r, "started_at", a->started_at, &a->start_s);
    }
    if (e == FW_OK && a->finished_at != NULL) {
        e = parse_time(r, "finished_at", a->finished_at, &a->end_s);
    }
    return e;
}

/* ---- judging and emitting ----------------------------------------------- */

/* 1 when the alert counts, with its level and oblast; 0 when it was
 * rejected. The first reason found is the one given. */
static int judge(const struct reader *r, const struct in_ua_alert *a,
                 enum fw_alert_level *level, const struct fw_oblast **ob)
{
    if (strcmp(a->alert_type, "air_raid") != 0) {
        /* shelling, street fighting, chemical or nuclear threats are
         * announced separately; only air raids count as alert hours */
        reject(r, a, "not an air raid: %.*s", QUOTE(a->alert_type));
        return 0;
    }
    if (a->deleted_at != NULL) {
        reject(r, a, "deleted (deleted_at %.*s)", QUOTE(a->deleted_at));
        return 0;
    }
    size_t k = 0;
    while (k < N_LOCATION_TYPES &&
           strcmp(a->location_type, LOCATION_TYPES[k].name) != 0) {
        k++;
    }
    if (k == N_LOCATION_TYPES) {
        reject(r, a,
               "unknown location_type '%.*s' (expected oblast, raion, "
               "hromada or city)",
               QUOTE(a->location_type));
        return 0;
    }
    *level = LOCATION_TYPES[k].level;
    if (*level != FW_ALERT_OBLAST && a->title[0] == '\0') {
        reject(r, a, "%s-level alert with an empty location_title",
               LOCATION_TYPES[k].name);
        return 0;
    }
    /* location_oblast_uid is not used: in the Kyiv oblast answer it is
     * each raion's own uid (73..79), not the oblast's (14) */
    *ob = fw_oblast_by_name(a->oblast);
    if (*ob == NULL) {
        reject(r, a, "unknown oblast '%.*s'", QUOTE(a->oblast));
        return 0;
    }
    if (a->finished_at != NULL && a->end_s < a->start_s) {
        reject(r, a,
               "alert ends before it starts (finished_at %.*s < started_at "
               "%.*s)",
               QUOTE(a->finished_at), QUOTE(a->started_at));
        return 0;
    }
    /* no answer holds alerts that have not happened; a wrong clock can */
    int is_late_start = a->start_s > r->latest_s;
    if (is_late_start || (a->finished_at != NULL && a->end_s > r->latest_s)) {
        reject(r, a,
               "alert in the future (%s %.*s is more than a day after the "
               "time of reading)",
               is_late_start ? "started_at" : "finished_at",
               QUOTE(is_late_start ? a->started_at : a->finished_at));
        return 0;
    }
    return 1;
}

static fw_err read_alert(const struct reader *r, const cJSON *obj)
{
    struct in_ua_alert a = {0};
    fw_err e = read_members(r, obj, &a);
    if (e != FW_OK) {
        return e;
    }
    enum fw_alert_level level = FW_ALERT_OBLAST;
    const struct fw_oblast *ob = NULL;
    if (!judge(r, &a, &level, &ob) || r->sink->alert == NULL) {
        return FW_OK;
    }
    int is_open = a.finished_at == NULL;
    int64_t end_s = a.end_s;
    if (is_open) {
        /* an active alert may have started a little after now_s (clocks);
         * it has lasted 0 s so far */
        end_s = r->now_s > a.start_s ? r->now_s : a.start_s;
    }
    struct fw_alert_rec rec = {
        .source = "alerts_in_ua",
        .level = level,
        .oblast_iso = ob->iso,
        .raion = level == FW_ALERT_RAION ? a.title : NULL,
        .hromada = level == FW_ALERT_HROMADA ? a.title : NULL,
        .start_s = a.start_s,
        .end_s = end_s,
        .is_naive = 0,
        .is_open = is_open,
    };
    e = r->sink->alert(r->sink->ctx, &rec);
    if (e != FW_OK) {
        alert_fail(r, e, NULL, "the sink refused the alert: %s",
                   fw_strerror(e));
    }
    return e;
}

fw_err fw_alerts_read_in_ua(const char *buf, size_t len, int64_t now_s,
                            const struct fw_sink *sink, struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    if (d != NULL) {
        d->feature = -1;
    }
    struct reader r = {
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .d = d,
        .now_s = now_s,
        /* a day of slack for clocks and time zones */
        .latest_s =
            now_s <= INT64_MAX - FW_DAY_S ? now_s + FW_DAY_S : INT64_MAX,
        .index = -1,
    };
    cJSON *root = NULL;
    fw_err e = fw_json_parse(buf, len, &root, d);
    if (e != FW_OK) {
        return e;
    }
    if (!cJSON_IsObject(root)) {
        e = fw_diag_set(d, FW_EPARSE, 0, 0,
                        "expected an object with an 'alerts' array");
        goto out;
    }
    const cJSON *alerts = cJSON_GetObjectItemCaseSensitive(root, "alerts");
    if (alerts == NULL) {
        e = fw_diag_set(d, FW_EPARSE, 0, 0,
                        "alerts: missing (expected an array)");
        goto out;
    }
    if (!cJSON_IsArray(alerts)) {
        e = fw_diag_set(d, FW_EPARSE, 0, 0, "alerts: expected an array");
        goto out;
    }
    size_t total = (size_t)cJSON_GetArraySize(alerts), done = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach (item, alerts) {
        r.index = (long)done;
        snprintf(r.path, sizeof r.path, "alerts[%zu]", done);
        e = read_alert(&r, item);
        if (e != FW_OK) {
            goto out;
        }
        done++;
        if (done % PROGRESS_EVERY_ALERTS == 0 && done < total &&
            r.sink->progress != NULL) {
            r.sink->progress(r.sink->ctx, done, total);
        }
    }
    if (r.sink->progress != NULL) {
        r.sink->progress(r.sink->ctx, done, done);
    }
out:
    cJSON_Delete(root);
    return e;
}
