/*
 * events.c - the missile and drone attack table (see events.h): its reader
 * (a reader stage of the data flow, rows -> struct fw_event_rec -> sink),
 * the table of macro-regions, and the per-oblast counts of attack waves
 * that the indicators read back from the store.
 *
 * Like alerts.c, a file that is not in the expected shape fails as a whole
 * with its position; a row that cannot be placed (no target in Ukraine, no
 * model, a count that is not a number) is rejected through the sink and
 * reading goes on.
 */
#include "frontwatch/events.h"

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

/* sink->progress is called once per this many data rows. */
#define PROGRESS_EVERY_ROWS 4096

/* Field values quoted in messages are cut to this many bytes, at a
 * character boundary: QUOTE(v) gives the "%.*s" arguments. */
#define QUOTE_MAX 64
#define QUOTE(v) (int)fw_text_clip_len((v), QUOTE_MAX), (v)

/* Most distinct targets kept from one row (27 oblasts + 6 areas). */
#define MAX_TARGETS 40

/* launched: at most this many digits before the ".0" */
#define MAX_COUNT_DIGITS 12

static const struct fw_sink EMPTY_SINK = {0};

/* ---- macro-regions ------------------------------------------------------ */

/*
 * The region words of the table are the Air Force's: its posts report by
 * air command ("Pivden" = south, HQ Odesa; "Skhid" = east, HQ Dnipro;
 * "Tsentr" = center, HQ Vasylkiv; "Zakhid" = west, HQ Lviv) and, since
 * 2023, by direction ("north": Sumy and Chernihiv, the Shahed route from
 * Kursk and Bryansk oblasts). The air zones are set by the presidential
 * decree on the military-administrative division (No. 12/2017 gave the
 * Donetsk and Luhansk air zone to Skhid); no official list per oblast is
 * published, so the table below is the commands' areas as they report
 * them, checked against the table itself (python over
 * ../shared/data/events/missile_attacks_daily.csv, 2022-09-28..2025-08-31):
 *  - targets posted by the south command (source "PvKPivden/...", 966
 *    rows): south 626, Kherson 130, Odesa 115, Mykolaiv 88; outside the
 *    south only Dnipropetrovsk (Kryvyi Rih) 4, Kirovohrad 1, Kharkiv 1,
 *    Kursk 1 (waves crossing the south on their way);
 *  - by the east command ("pvkshid/...", 169 rows): Dnipropetrovsk 81,
 *    Kharkiv 36, east 24, Zaporizhzhia 17, Poltava 3, Donetsk 1, Kherson 1.
 *    Zaporizhzhia and Poltava are therefore east, not south or center;
 *  - "north and center" (line 1181) lists in destroyed_details Kirovohrad,
 *    Poltava, Kyiv, Zhytomyr, Sumy, Cherkasy, Vinnytsia (and Mykolaiv):
 *    Sumy north, the rest center, except Poltava, which the east command
 *    posts (above) and is kept east;
 *  - "Kyiv oblast and north" and "Odesa oblast and north" name the oblast
 *    beside the word: Kyiv oblast is not north.
 * Each oblast is in exactly one region. Crimea and Sevastopol are south
 * (the south command's zone before 2014).
 */
static const struct {
    const char *iso;
    const char *region;
} REGIONS[] = {
    {"UA-74", "north"}, /* Chernihiv */
    {"UA-59", "north"}, /* Sumy */
    {"UA-63", "east"},  /* Kharkiv */
    {"UA-14", "east"},  /* Donetsk */
    {"UA-09", "east"},  /* Luhansk */
    {"UA-12", "east"},  /* Dnipropetrovsk */
    {"UA-23", "east"},  /* Zaporizhzhia */
    {"UA-53", "east"},  /* Poltava */
    {"UA-51", "south"}, /* Odesa */
    {"UA-48", "south"}, /* Mykolaiv */
    {"UA-65", "south"}, /* Kherson */
    {"UA-43", "south"}, /* Crimea */
    {"UA-40", "south"}, /* Sevastopol */
    {"UA-30", "center"}, /* Kyiv City */
    {"UA-32", "center"}, /* Kyiv */
    {"UA-18", "center"}, /* Zhytomyr */
    {"UA-05", "center"}, /* Vinnytsia */
    {"UA-71", "center"}, /* Cherkasy */
    {"UA-35", "center"}, /* Kirovohrad */
    {"UA-07", "west"},  /* Volyn */
    {"UA-56", "west"},  /* Rivne */
    {"UA-46", "west"},  /* Lviv */
    {"UA-61", "west"},  /* Ternopil */
    {"UA-68", "west"},  /* Khmelnytskyi */
    {"UA-26", "west"},  /* Ivano-Frankivsk */
    {"UA-21", "west"},  /* Zakarpattia */
    {"UA-77", "west"},  /* Chernivtsi */
};
#define N_REGIONS (sizeof REGIONS / sizeof REGIONS[0])

_Static_assert(N_REGIONS == 27, "every oblast of oblast.c has a region");

const char *fw_events_region_of(const char *oblast_iso)
{
    if (oblast_iso == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < N_REGIONS; i++) {
        if (strcmp(REGIONS[i].iso, oblast_iso) == 0) {
            return REGIONS[i].region;
        }
    }
    return NULL;
}

/* The area values (event.area); index 0 is the whole country. */
static const char *const AREAS[] = {"ukraine", "north", "south",
                                    "east",    "center", "west"};
#define N_AREAS (sizeof AREAS / sizeof AREAS[0])

/* Cities the table names as targets, by the oblast they are in (each
 * looked up; oblast centres named like their oblast, "Odesa", are found
 * by fw_oblast_by_name instead). Kyiv is the city, not the oblast. */
static const struct {
    const char *name;
    const char *iso;
} CITIES[] = {
    {"Kyiv", "UA-30"},
    {"Dnipro", "UA-12"},
    {"Kryvyi Rih", "UA-12"},
    {"Kramatorsk", "UA-14"},
    {"Kremenchuk", "UA-53"},
    {"Starokostiantyniv", "UA-68"}, /* the air base */
    {"Kolomyia", "UA-26"},
    {"Ochakiv", "UA-48"},
    {"Snake Island", "UA-51"}, /* Zmiinyi, Izmail raion */
    {"Lutsk", "UA-07"},
};

/* ---- reader state ------------------------------------------------------- */

struct mstate {
    const char *buf;
    size_t len;
    const struct fw_sink *sink;
    int has_header;
    size_t n_cols;
    int c_start, c_end, c_model, c_target, c_launched;
    struct fw_csv_pos pos; /* positions of fields, for messages */
    size_t n_rows;
    int64_t latest_s;
};

static void reject(const struct mstate *st, long line, const char *fmt, ...)
    FW_PRINTF(3, 4);

static void reject(const struct mstate *st, long line, const char *fmt, ...)
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

/* ---- fields ------------------------------------------------------------- */

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* s without leading and trailing blanks, as [*b, *b + *n). */
static void trim(const char *s, size_t n, const char **b, size_t *out_n)
{
    while (n > 0 && is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_space(s[n - 1])) {
        n--;
    }
    *b = s;
    *out_n = n;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Weekday of a day count since 1970-01-01 (a Thursday): 0 = Sunday. */
static int weekday(int64_t days)
{
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* 01:00 UTC of the last Sunday of month m (March or October) of year y:
 * when Europe/Kyiv changes clocks. */
static int64_t last_sunday_0100(int y, int m)
{
    int64_t first_next = m == 12 ? fw_date_from_civil(y + 1, 1, 1, 0, 0, 0)
                                 : fw_date_from_civil(y, m + 1, 1, 0, 0, 0);
    int64_t last_day = first_next / FW_DAY_S - 1;
    int64_t sunday = last_day - weekday(last_day);
    return sunday * FW_DAY_S + 3600;
}

/* UTC of a Europe/Kyiv wall time (given as if it were UTC). */
static int64_t kyiv_to_utc(int y, int64_t wall_s)
{
    int64_t summer = wall_s - 3 * 3600;
    if (summer >= last_sunday_0100(y, 3) && summer < last_sunday_0100(y, 10)) {
        return summer;
    }
    return wall_s - 2 * 3600;
}

/* A time of the table: "YYYY-MM-DD" or "YYYY-MM-DD H:MM" / "HH:MM", blanks
 * around it allowed. *has_time says which; *t_s is UTC (see events.h) and
 * *day_s the midnight UTC of the written date. FW_EPARSE for the shape,
 * FW_ERANGE for a day, hour or minute that does not exist. */
static fw_err parse_when(const char *v, int64_t *t_s, int64_t *day_s,
                         int *has_time)
{
    const char *s;
    size_t n;
    trim(v, strlen(v), &s, &n);
    if (n < 10) {
        return FW_EPARSE;
    }
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int64_t day = 0;
    fw_err e = fw_date_parse_day(date, &day);
    if (e != FW_OK) {
        return e;
    }
    if (n == 10) {
        *t_s = day;
        *day_s = day;
        *has_time = 0;
        return FW_OK;
    }
    /* " H:MM" or " HH:MM" after the date */
    const char *p = s + 10;
    size_t rest = n - 10;
    if (!(*p == ' ' || *p == 'T') || rest < 5 || rest > 6) {
        return FW_EPARSE;
    }
    p++;
    rest--;
    int hour = 0;
    size_t hd = rest - 3; /* 1 or 2 hour digits */
    for (size_t i = 0; i < hd; i++) {
        if (!is_digit(p[i])) {
            return FW_EPARSE;
        }
        hour = hour * 10 + (p[i] - '0');
    }
    if (p[hd] != ':' || !is_digit(p[hd + 1]) || !is_digit(p[hd + 2])) {
        return FW_EPARSE;
    }
    int minute = (p[hd + 1] - '0') * 10 + (p[hd + 2] - '0');
    if (hour > 23 || minute > 59) {
        return FW_ERANGE;
    }
    int y = atoi(date); /* the four digits fw_date_parse_day checked */
    *t_s = kyiv_to_utc(y, day + hour * 3600 + minute * 60);
    *day_s = day;
    *has_time = 1;
    return FW_OK;
}

/* launched: "" (unknown, -1), "86", "86.0". 0 when it is none of these. */
static int parse_count(const char *v, long long *count)
{
    const char *s;
    size_t n;
    trim(v, strlen(v), &s, &n);
    if (n == 0) {
        *count = -1;
        return 1;
    }
    size_t i = 0;
    long long c = 0;
    while (i < n && is_digit(s[i])) {
        if (i >= MAX_COUNT_DIGITS) {
            return 0;
        }
        c = c * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0) {
        return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] == '0') {
            i++;
        }
    }
    if (i != n) {
        return 0;
    }
    *count = c;
    return 1;
}

/* ---- targets ------------------------------------------------------------ */

struct targets {
    size_t n;
    const char *iso[MAX_TARGETS];  /* NULL for an area */
    const char *area[MAX_TARGETS]; /* NULL for an oblast */
    char dropped[256];             /* " and " parts naming nothing */
};

static void add_target(struct targets *t, const char *iso, const char *area)
{
    for (size_t i = 0; i < t->n; i++) {
        if ((iso != NULL && t->iso[i] == iso) ||
            (area != NULL && t->area[i] == area)) {
            return;
        }
    }
    if (t->n < MAX_TARGETS) {
        t->iso[t->n] = iso;
        t->area[t->n] = area;
        t->n++;
    }
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 1 when s[0..n) ends with suffix, ASCII letters in any case. */
static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (n < k) {
        return 0;
    }
    for (size_t i = 0; i < k; i++) {
        if (lower(s[n - k + i]) != lower(suffix[i])) {
            return 0;
        }
    }
    return 1;
}

static int equals_ci(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && ends_with_ci(s, n, word);
}

/* The area of a region word, or NULL. */
static const char *area_word(const char *s, size_t n)
{
    for (size_t i = 0; i < N_AREAS; i++) {
        if (equals_ci(s, n, AREAS[i])) {
            return AREAS[i];
        }
    }
    if (equals_ci(s, n, "centre")) {
        return AREAS[4];
    }
    return NULL;
}

/* Reads one part (NUL-terminated, blanks trimmed) into t; 0 when it names
 * nothing we know. */
static int read_part(char *part, struct targets *t)
{
    size_t n = strlen(part);
    /* "Kyiv oblast (south)": the bracket narrows, the oblast stays */
    if (n > 0 && part[n - 1] == ')') {
        char *open = strrchr(part, '(');
        if (open != NULL) {
            n = (size_t)(open - part);
            while (n > 0 && is_space(part[n - 1])) {
                n--;
            }
            part[n] = '\0';
        }
    }
    if (n == 0) {
        return 0;
    }
    if (ends_with_ci(part, n, " oblast")) {
        const struct fw_oblast *ob = fw_oblast_by_name(part);
        if (ob == NULL) {
            return 0;
        }
        add_target(t, ob->iso, NULL);
        return 1;
    }
    const char *a = area_word(part, n);
    if (a != NULL) {
        add_target(t, NULL, a);
        return 1;
    }
    /* "south-east": both words */
    const char *dash = memchr(part, '-', n);
    if (dash != NULL) {
        const char *a1 = area_word(part, (size_t)(dash - part));
        const char *a2 = area_word(dash + 1, n - (size_t)(dash - part) - 1);
        if (a1 != NULL && a2 != NULL && a1 != AREAS[0] && a2 != AREAS[0]) {
            add_target(t, NULL, a1);
            add_target(t, NULL, a2);
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof CITIES / sizeof CITIES[0]; i++) {
        if (equals_ci(part, n, CITIES[i].name)) {
            add_target(t, fw_oblast_by_iso(CITIES[i].iso)->iso, NULL);
            return 1;
        }
    }
    const struct fw_oblast *ob = fw_oblast_by_name(part);
    if (ob != NULL) {
        add_target(t, ob->iso, NULL);
        return 1;
    }
    return 0;
}

static void note_dropped(struct targets *t, const char *group)
{
    size_t used = strlen(t->dropped);
    if (used + 8 >= sizeof t->dropped) {
        return;
    }
    snprintf(t->dropped + used, sizeof t->dropped - used, "%s'%.*s'",
             used > 0 ? ", " : "", QUOTE(group));
}

/* Splits one " and " group at commas. A group with a part we know keeps
 * its known parts (the others qualify them: "X oblast, Y Raion"); a group
 * with none is dropped and noted. */
static void read_group(char *group, struct targets *t)
{
    char copy[FW_EVENTS_MAX_TARGET_BYTES + 1];
    snprintf(copy, sizeof copy, "%s", group);
    int n_known = 0;
    char *p = group;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        const char *s;
        size_t n;
        trim(p, strlen(p), &s, &n);
        char part[FW_EVENTS_MAX_TARGET_BYTES + 1];
        memcpy(part, s, n);
        part[n] = '\0';
        n_known += read_part(part, t);
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    if (n_known == 0) {
        const char *s;
        size_t n;
        trim(copy, strlen(copy), &s, &n);
        char shown[FW_EVENTS_MAX_TARGET_BYTES + 1];
        memcpy(shown, s, n);
        shown[n] = '\0';
        note_dropped(t, shown);
    }
}

/* Reads a whole target (at most FW_EVENTS_MAX_TARGET_BYTES). */
static void read_targets(const char *target, struct targets *t)
{
    char buf[FW_EVENTS_MAX_TARGET_BYTES + 1];
    snprintf(buf, sizeof buf, "%s", target);
    memset(t, 0, sizeof *t);
    char *p = buf;
    for (;;) {
        char *and = strstr(p, " and ");
        if (and != NULL) {
            *and = '\0';
        }
        read_group(p, t);
        if (and == NULL) {
            break;
        }
        p = and + 5;
    }
}

/* ---- rows --------------------------------------------------------------- */

static fw_err read_header(struct mstate *st, long line, size_t n_fields,
                          char *const *fields, struct fw_diag *d)
{
    st->c_start = fw_csv_column(n_fields, fields, "time_start");
    st->c_end = fw_csv_column(n_fields, fields, "time_end");
    st->c_model = fw_csv_column(n_fields, fields, "model");
    st->c_target = fw_csv_column(n_fields, fields, "target");
    st->c_launched = fw_csv_column(n_fields, fields, "launched");
    if (st->c_start < 0 || st->c_end < 0 || st->c_model < 0 ||
        st->c_target < 0 || st->c_launched < 0) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "unknown header: expected the columns time_start,"
                           " time_end, model, target and launched");
    }
    st->n_cols = n_fields;
    st->has_header = 1;
    return FW_OK;
}

static fw_err time_field(struct mstate *st, long line, char *const *fields,
                         int col, int64_t *t_s, int64_t *day_s,
                         int *has_time, struct fw_diag *d)
{
    const char *name = col == st->c_start ? "time_start" : "time_end";
    const char *v = fields[col];
    fw_err e = parse_when(v, t_s, day_s, has_time);
    if (e == FW_OK) {
        return FW_OK;
    }
    long l, c;
    fw_csv_field_position(&st->pos, line, col, &l, &c);
    if (e == FW_ERANGE) {
        return fw_diag_set(d, FW_ERANGE, l, c,
                           "%s: '%.*s' is not a valid date and time "
                           "(no such day, hour or minute)",
                           name, QUOTE(v));
    }
    return fw_diag_set(d, FW_EPARSE, l, c,
                       "%s: '%.*s' is not a time (expected YYYY-MM-DD or "
                       "YYYY-MM-DD HH:MM)",
                       name, QUOTE(v));
}

static fw_err emit(const struct mstate *st, long line, const char *row_text,
                   const struct targets *t, int64_t t_s, const char *model,
                   long long count, struct fw_diag *d)
{
    if (t->dropped[0] != '\0' && st->sink->repair != NULL) {
        char what[400]; /* dropped is at most 256 bytes: nothing is cut */
        snprintf(what, sizeof what,
                 "target part %.256s names no oblast of Ukraine or region: "
                 "dropped, the rest kept",
                 t->dropped);
        st->sink->repair(st->sink->ctx, line, -1, what);
    }
    if (st->sink->event == NULL) {
        return FW_OK;
    }
    for (size_t i = 0; i < t->n; i++) {
        struct fw_event_rec e = {
            .source = FW_EVENTS_SOURCE_MISSILES,
            .t_s = t_s,
            .has_position = 0,
            .oblast_iso = t->iso[i],
            .area = t->area[i],
            .type = model,
            .count = count,
            .source_row = row_text,
        };
        fw_err err = st->sink->event(st->sink->ctx, &e);
        if (err != FW_OK) {
            return fw_diag_set(d, err, line, 0,
                               "the sink refused the event: %s",
                               fw_strerror(err));
        }
    }
    return FW_OK;
}

static fw_err data_row(struct mstate *st, long line, char *const *fields,
                       struct fw_diag *d)
{
    int64_t start = 0, start_day = 0, end = 0, end_day = 0;
    int start_has_time = 0, end_has_time = 0;
    fw_err e = time_field(st, line, fields, st->c_start, &start, &start_day,
                          &start_has_time, d);
    if (e != FW_OK) {
        return e;
    }
    const char *ts;
    size_t tn;
    trim(fields[st->c_end], strlen(fields[st->c_end]), &ts, &tn);
    int has_end = tn > 0;
    if (has_end && (e = time_field(st, line, fields, st->c_end, &end, &end_day,
                                   &end_has_time, d)) != FW_OK) {
        return e;
    }

    const char *target = fields[st->c_target];
    const char *model;
    size_t model_n;
    trim(fields[st->c_model], strlen(fields[st->c_model]), &model, &model_n);
    long long count = -1;
    if (model_n == 0) {
        reject(st, line, "model is empty");
        return FW_OK;
    }
    if (!parse_count(fields[st->c_launched], &count)) {
        reject(st, line, "launched '%.*s' is not a whole number",
               QUOTE(fields[st->c_launched]));
        return FW_OK;
    }
    if (has_end && ((start_has_time && end_has_time && end < start) ||
                    end_day < start_day)) {
        reject(st, line,
               "attack ends before it starts (time_end %.*s < time_start "
               "%.*s)",
               QUOTE(fields[st->c_end]), QUOTE(fields[st->c_start]));
        return FW_OK;
    }
    if (start > st->latest_s) {
        reject(st, line,
               "attack in the future (time_start %.*s is more than a day "
               "after the time of reading)",
               QUOTE(fields[st->c_start]));
        return FW_OK;
    }
    if (strlen(target) > FW_EVENTS_MAX_TARGET_BYTES) {
        reject(st, line, "target longer than %d bytes",
               FW_EVENTS_MAX_TARGET_BYTES);
        return FW_OK;
    }
    struct targets t;
    read_targets(target, &t);
    if (t.n == 0) {
        const char *s;
        size_t n;
        trim(target, strlen(target), &s, &n);
        if (n == 0) {
            reject(st, line, "target is empty");
        } else {
            reject(st, line,
                   "target '%.*s' names no oblast of Ukraine, region or "
                   "'Ukraine'",
                   QUOTE(target));
        }
        return FW_OK;
    }
    /* model is trimmed in place: fields are ours until we return */
    char *m = fields[st->c_model] + (model - fields[st->c_model]);
    m[model_n] = '\0';
    char row_text[24];
    snprintf(row_text, sizeof row_text, "%ld", line);
    return emit(st, line, row_text, &t, start, m, count, d);
}

static fw_err on_row(void *ctx, long line, size_t n_fields, char *const *fields,
                     struct fw_diag *d)
{
    struct mstate *st = ctx;
    if (!st->has_header) {
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
    return data_row(st, line, fields, d);
}

fw_err fw_events_read_missiles(const char *buf, size_t len,
                               const struct fw_sink *sink, struct fw_diag *d)
{
    if (buf == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
    }
    struct mstate st = {
        .buf = buf,
        .len = len,
        .sink = sink != NULL ? sink : &EMPTY_SINK,
        .pos = fw_csv_pos_init(buf, len),
        /* a day of slack for clocks and time zones */
        .latest_s = (int64_t)time(NULL) + FW_DAY_S,
    };
    fw_err e = fw_csv_parse(buf, len, on_row, &st, d);
    if (e != FW_OK) {
        return e;
    }
    if (!st.has_header) {
        return fw_diag_set(d, FW_EPARSE, 1, 0,
                           "empty file, no header: expected the columns "
                           "time_start, time_end, model, target and "
                           "launched");
    }
    if (st.sink->progress != NULL) {
        st.sink->progress(st.sink->ctx, len, len);
    }
    return FW_OK;
}

/* ---- counts from the store ---------------------------------------------- */

/* Each (row, oblast) and (row, area) is one record (the reader dedupes),
 * so count(DISTINCT source_row) equals count(*); DISTINCT keeps the
 * definition ("waves") true whatever wrote the rows. */
static const char COUNTS_SQL[] =
    "SELECT"
    " (SELECT count(DISTINCT source_row) FROM event WHERE oblast_iso=?1"
    "   AND t_s>=?2 AND t_s<?3 AND source=?5),"
    " (SELECT coalesce(sum(count),0) FROM event WHERE oblast_iso=?1"
    "   AND t_s>=?2 AND t_s<?3 AND source=?5),"
    " (SELECT count(DISTINCT source_row) FROM event WHERE area=?4"
    "   AND t_s>=?2 AND t_s<?3 AND source=?5),"
    " (SELECT count(DISTINCT source_row) FROM event WHERE area='ukraine'"
    "   AND t_s>=?2 AND t_s<?3 AND source=?5)";

fw_err fw_events_oblast_counts(fw_store *st, const char *oblast_iso,
                               int64_t t0_s, int64_t t1_s,
                               struct fw_event_counts *out, struct fw_diag *d)
{
    if (st == NULL || oblast_iso == NULL || out == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    const char *region = fw_events_region_of(oblast_iso);
    if (region == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "'%.*s' is not an oblast of Ukraine (ISO code)",
                           QUOTE(oblast_iso));
    }
    if (t1_s < t0_s) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "window ends before it starts");
    }
    sqlite3 *db = fw_store_db(st);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, COUNTS_SQL, (int)sizeof COUNTS_SQL - 1, &s,
                           NULL) != SQLITE_OK) {
        return fw_diag_set(d, FW_ESQL, 0, 0, "%s", sqlite3_errmsg(db));
    }
    sqlite3_bind_text(s, 1, oblast_iso, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, t0_s);
    sqlite3_bind_int64(s, 3, t1_s);
    sqlite3_bind_text(s, 4, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, FW_EVENTS_SOURCE_MISSILES, -1, SQLITE_STATIC);
    fw_err err = FW_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->n_waves_oblast = (long)sqlite3_column_int64(s, 0);
        out->n_launched_oblast = sqlite3_column_int64(s, 1);
        out->n_waves_region = (long)sqlite3_column_int64(s, 2);
        out->n_waves_ukraine = (long)sqlite3_column_int64(s, 3);
    } else {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    return err;
}

/* One event as the batch keeps it. */
struct bevent {
    int64_t t_s;
    int oblast; /* index of fw_oblast_at, -1 for an area */
    int area;   /* index of AREAS, -1 for an oblast */
    long long count;
};

static int cmp_bevent(const void *a, const void *b)
{
    const struct bevent *x = a, *y = b;
    return (x->t_s > y->t_s) - (x->t_s < y->t_s);
}

/* Index of the first event with t_s >= t. */
static size_t lower_bound(const struct bevent *ev, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].t_s < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int area_index(const char *a)
{
    for (size_t i = 0; i < N_AREAS; i++) {
        if (strcmp(a, AREAS[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Loads the missile events, one per (row, target) as the reader wrote
 * them, sorted by time. *ev is caller-owned (free). */
static fw_err load_events(fw_store *st, struct bevent **out_ev, size_t *out_n,
                          struct fw_diag *d)
{
    sqlite3 *db = fw_store_db(st);
    sqlite3_stmt *s = NULL;
    struct bevent *ev = NULL;
    size_t n = 0, cap = 0;
    fw_err err = fw_store_prepare(
        st,
        "SELECT DISTINCT t_s, oblast_iso, area, count, source_row, log_id"
        " FROM event WHERE source=?1",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, FW_EVENTS_SOURCE_MISSILES, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct bevent e = {.t_s = sqlite3_column_int64(s, 0),
                           .oblast = -1,
                           .area = -1,
                           .count = sqlite3_column_type(s, 3) == SQLITE_NULL
                                        ? 0
                                        : sqlite3_column_int64(s, 3)};
        const char *iso = (const char *)sqlite3_column_text(s, 1);
        const char *area = (const char *)sqlite3_column_text(s, 2);
        if (iso != NULL) {
            for (size_t i = 0; i < fw_oblast_count(); i++) {
                if (strcmp(fw_oblast_at(i)->iso, iso) == 0) {
                    e.oblast = (int)i;
                }
            }
        } else if (area != NULL) {
            e.area = area_index(area);
        }
        if (e.oblast < 0 && e.area < 0) {
            continue; /* nothing the counts look at */
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            struct bevent *p = realloc(ev, ncap * sizeof *p);
            if (p == NULL) {
                err = FW_ENOMEM;
                goto out;
            }
            ev = p;
            cap = ncap;
        }
        ev[n++] = e;
    }
    if (rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s", sqlite3_errmsg(db));
        goto out;
    }
    if (n > 0) {
        qsort(ev, n, sizeof *ev, cmp_bevent);
    }
out:
    sqlite3_finalize(s);
    if (err != FW_OK) {
        free(ev);
        return err;
    }
    *out_ev = ev;
    *out_n = n;
    return FW_OK;
}

fw_err fw_events_counts_batch(fw_store *st, const int64_t *t0_s,
                              const int64_t *t1_s, size_t n_windows,
                              struct fw_event_counts *out, struct fw_diag *d)
{
    if (st == NULL ||
        (n_windows > 0 && (t0_s == NULL || t1_s == NULL || out == NULL))) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "NULL argument");
    }
    for (size_t w = 0; w < n_windows; w++) {
        if (t1_s[w] < t0_s[w]) {
            return fw_diag_set(d, FW_EUSAGE, 0, 0,
                               "window %zu ends before it starts", w);
        }
    }
    size_t n_ob = fw_oblast_count();
    /* region index (into AREAS) of each oblast */
    int region_of[64];
    if (n_ob > sizeof region_of / sizeof region_of[0]) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "too many oblasts");
    }
    for (size_t i = 0; i < n_ob; i++) {
        const char *r = fw_events_region_of(fw_oblast_at(i)->iso);
        region_of[i] = r != NULL ? area_index(r) : -1;
    }
    struct bevent *ev = NULL;
    size_t n_ev = 0;
    fw_err err = load_events(st, &ev, &n_ev, d);
    if (err != FW_OK) {
        return err;
    }
    for (size_t w = 0; w < n_windows; w++) {
        struct fw_event_counts *o = out + w * n_ob;
        memset(o, 0, n_ob * sizeof *o);
        long by_area[N_AREAS] = {0};
        for (size_t k = lower_bound(ev, n_ev, t0_s[w]);
             k < n_ev && ev[k].t_s < t1_s[w]; k++) {
            if (ev[k].oblast >= 0) {
                o[ev[k].oblast].n_waves_oblast++;
                o[ev[k].oblast].n_launched_oblast += ev[k].count;
            } else {
                by_area[ev[k].area]++;
            }
        }
        for (size_t i = 0; i < n_ob; i++) {
            o[i].n_waves_ukraine = by_area[0];
            o[i].n_waves_region = region_of[i] >= 0 ? by_area[region_of[i]] : 0;
        }
    }
    free(ev);
    return FW_OK;
}
