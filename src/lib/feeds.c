/*
 * feeds.c - warning feeds (see feeds.h): a place's risk level week by
 * week, the weeks where it changes, and those changes as CAP 1.2 alerts
 * and an Atom 1.0 feed.
 *
 * At the end of the data flow, beside assess: the levels come from the
 * forecast (forecast.h) or, without a model, from the geo engine's status
 * and distance (geo.h); the writers only format. Numbers in the XML are
 * formatted by hand (fixed point from an integer), never with printf's
 * %f, so that a server running under a locale with a decimal comma still
 * writes "49.98".
 */
#include "frontwatch/feeds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/dataset.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"

#define DAY ((int64_t)FW_DAY_S)

/* ---- levels ---- */

static const char *const LEVEL_NAMES[FW_FEED_N_LEVELS] = {
    "unknown", "minimal", "low", "elevated", "high", "severe", "occupied"};
static const char *const LEVEL_EN[FW_FEED_N_LEVELS] = {
    "unknown", "minimal", "low", "elevated", "high", "severe", "occupied"};
/* masculine, agreeing with "ризик" in "ризик окупації підвищений";
 * "occupied" reads "під окупацією", which needs no gender */
static const char *const LEVEL_UK[FW_FEED_N_LEVELS] = {
    "невідомий", "мінімальний",  "низький",      "підвищений",
    "високий",   "дуже високий", "під окупацією"};

static int level_ok(enum fw_feed_level level)
{
    return (int)level >= 0 && (int)level < FW_FEED_N_LEVELS;
}

const char *fw_feed_level_name(enum fw_feed_level level)
{
    return level_ok(level) ? LEVEL_NAMES[level] : "unknown";
}

const char *fw_feed_level_label(enum fw_feed_level level, const char *lang)
{
    int uk = lang != NULL && strcmp(lang, "uk") == 0;
    if (!level_ok(level)) {
        level = FW_FEED_LEVEL_UNKNOWN;
    }
    return uk ? LEVEL_UK[level] : LEVEL_EN[level];
}

const char *fw_feed_basis_name(enum fw_feed_basis basis)
{
    return basis == FW_FEED_BASIS_MODEL ? "model" : "distance";
}

enum fw_feed_level fw_feeds_level_of_p(double p90)
{
    if (!(p90 >= 0.0 && p90 <= 1.0)) {
        return FW_FEED_LEVEL_UNKNOWN;
    }
    if (p90 >= FW_FEEDS_P90_SEVERE) {
        return FW_FEED_LEVEL_SEVERE;
    }
    if (p90 >= FW_FEEDS_P90_HIGH) {
        return FW_FEED_LEVEL_HIGH;
    }
    if (p90 >= FW_FEEDS_P90_ELEVATED) {
        return FW_FEED_LEVEL_ELEVATED;
    }
    if (p90 >= FW_FEEDS_P90_LOW) {
        return FW_FEED_LEVEL_LOW;
    }
    return FW_FEED_LEVEL_MINIMAL;
}

enum fw_feed_level fw_feeds_level_of_distance(double distance_km,
                                              enum fw_status status)
{
    if (status == FW_STATUS_OCCUPIED || status == FW_STATUS_OCCUPIED_PRE2022) {
        return FW_FEED_LEVEL_OCCUPIED;
    }
    if (status == FW_STATUS_CONTESTED) {
        return FW_FEED_LEVEL_SEVERE;
    }
    if (!(distance_km >= 0.0)) {
        return FW_FEED_LEVEL_UNKNOWN;
    }
    if (distance_km < FW_FEEDS_KM_SEVERE) {
        return FW_FEED_LEVEL_SEVERE;
    }
    if (distance_km < FW_FEEDS_KM_HIGH) {
        return FW_FEED_LEVEL_HIGH;
    }
    if (distance_km < FW_FEEDS_KM_ELEVATED) {
        return FW_FEED_LEVEL_ELEVATED;
    }
    if (distance_km < FW_FEEDS_KM_LOW) {
        return FW_FEED_LEVEL_LOW;
    }
    return FW_FEED_LEVEL_MINIMAL;
}

const char *fw_feeds_cap_severity(enum fw_feed_level level)
{
    switch (level) {
    case FW_FEED_LEVEL_OCCUPIED:
    case FW_FEED_LEVEL_SEVERE:
        return "Extreme";
    case FW_FEED_LEVEL_HIGH:
        return "Severe";
    case FW_FEED_LEVEL_ELEVATED:
        return "Moderate";
    case FW_FEED_LEVEL_LOW:
    case FW_FEED_LEVEL_MINIMAL:
        return "Minor";
    default:
        return "Unknown";
    }
}

const char *fw_feeds_cap_urgency(enum fw_feed_level level, double p30)
{
    if (level == FW_FEED_LEVEL_OCCUPIED) {
        return "Immediate";
    }
    if (level == FW_FEED_LEVEL_UNKNOWN || isnan(p30)) {
        return "Unknown";
    }
    return p30 >= FW_FEEDS_P30_EXPECTED ? "Expected" : "Future";
}

const char *fw_feeds_cap_certainty(enum fw_feed_level level, double p90)
{
    if (level == FW_FEED_LEVEL_OCCUPIED) {
        return "Observed";
    }
    if (level == FW_FEED_LEVEL_UNKNOWN || isnan(p90)) {
        return "Unknown";
    }
    if (p90 >= FW_FEEDS_P90_LIKELY) {
        return "Likely";
    }
    return p90 >= FW_FEEDS_P90_POSSIBLE ? "Possible" : "Unlikely";
}

/* ---- finding the changes ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_change(const void *a, const void *b)
{
    const struct fw_feed_change *x = a, *y = b;
    if (x->t_s != y->t_s) {
        return x->t_s < y->t_s ? -1 : 1;
    }
    return (x->place.id > y->place.id) - (x->place.id < y->place.id);
}

/* 0 for Monday .. 6 for Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t day_s)
{
    int64_t days = day_s / DAY;
    return (int)(((days + 3) % 7 + 7) % 7);
}

/* The evaluation dates (feeds.h) into *out (caller frees). */
static fw_err eval_dates(int64_t from_s, int64_t to_s, int64_t **out,
                         size_t *n_out, struct fw_diag *d)
{
    int64_t from = fw_date_floor_day(from_s), to = fw_date_floor_day(to_s);
    int64_t first = from + ((7 - weekday(from)) % 7) * DAY;
    size_t n = first <= to ? (size_t)((to - first) / (7 * DAY)) + 1 : 0;
    int with_to = weekday(to) != 0;
    if (n + (size_t)with_to > FW_FEEDS_MAX_WEEKS) {
        return fw_diag_set(d, FW_ELIMIT, 0, 0,
                           "%zu evaluation dates: at most %d (a window of "
                           "about %d years)",
                           n + (size_t)with_to, FW_FEEDS_MAX_WEEKS,
                           FW_FEEDS_MAX_WEEKS / 52);
    }
    int64_t *t = malloc((n + 1) * sizeof *t);
    if (t == NULL) {
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        t[i] = first + (int64_t)i * 7 * DAY;
    }
    if (with_to) {
        t[n++] = to;
    }
    *out = t;
    *n_out = n;
    return FW_OK;
}

/* One evaluation of one place. */
struct eval {
    enum fw_feed_level level;
    enum fw_status status;
    double distance_km, p30, p90;
    int64_t map_s;
    const char *source;
};

/* The snapshot the distance basis uses at at_s: the newest state among
 * the sources. *has 0 when no source has a map that is recent enough. */
static fw_err newest_snapshot(fw_geo *g, int64_t at_s,
                              struct fw_snapshot_info *out, int *has,
                              struct fw_diag *d)
{
    *has = 0;
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        struct fw_snapshot_info si;
        fw_err err = fw_geo_snapshot_at(g, FW_GEO_SOURCES[i], at_s, &si, d);
        if (err == FW_ENOTFOUND) {
            continue;
        }
        if (err != FW_OK) {
            return err;
        }
        if (at_s - si.published_s > FW_DATASET_MAX_MAP_AGE_DAYS * DAY) {
            continue;
        }
        if (!*has || si.as_of_s > out->as_of_s) {
            *out = si;
            *has = 1;
        }
    }
    return FW_OK;
}

/* Status and distance of every point at snap; *has 0 when the map has no
 * occupied area to measure from. */
static fw_err control_all(fw_geo *g, fw_geo_points *pts,
                          const struct fw_snapshot_info *snap,
                          struct fw_control *ctl, int *has, struct fw_diag *d)
{
    fw_err err =
        fw_geo_control_points(g, pts, snap, FW_GEO_SKIP_CONTESTED, ctl, d);
    *has = err == FW_OK;
    return err == FW_ENOTFOUND ? FW_OK : err;
}

/* The evaluations of the n places at the end of the day t_s into ev[]
 * (source names point into snap or pf, valid until the next call). */
static fw_err evaluate(const fw_forecast *fc, fw_store *st, fw_geo *g,
                       fw_geo_points *pts, const int64_t *ids, size_t n,
                       int64_t t_s, struct fw_snapshot_info *snap,
                       struct fw_control *ctl, struct fw_place_forecast **pf,
                       struct eval *ev, struct fw_diag *d)
{
    int64_t at_s = t_s + DAY - 1; /* the end of the day, as assess */
    int has = 0;
    fw_err err = FW_OK;
    for (size_t i = 0; i < n; i++) {
        ev[i] = (struct eval){.level = FW_FEED_LEVEL_UNKNOWN,
                              .status = FW_STATUS_FREE,
                              .distance_km = NAN,
                              .p30 = NAN,
                              .p90 = NAN};
    }
    if (fc == NULL) {
        err = newest_snapshot(g, at_s, snap, &has, d);
        if (err == FW_OK && has) {
            err = control_all(g, pts, snap, ctl, &has, d);
        }
        for (size_t i = 0; err == FW_OK && has && i < n; i++) {
            ev[i].status = ctl[i].status;
            ev[i].distance_km = ctl[i].distance_km;
            ev[i].level =
                fw_feeds_level_of_distance(ctl[i].distance_km, ctl[i].status);
            ev[i].map_s = snap->published_s;
            ev[i].source = snap->source;
        }
        return err;
    }
    free(*pf);
    *pf = NULL;
    size_t n_pf = 0;
    err = fw_forecast_places(fc, st, g, ids, n, at_s, 0, pf, &n_pf, d);
    if (err != FW_OK) {
        return err;
    }
    if (n_pf != n) {
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                           "the forecast has %zu of %zu places", n_pf, n);
    }
    /* the status (occupied before 2022, contested) from the series the
     * forecast used; its map is the newest of that series at at_s */
    if (n > 0 && (*pf)[0].state != FW_FORECAST_NO_MAP) {
        err = fw_geo_snapshot_at(g, (*pf)[0].series, at_s, snap, d);
        if (err == FW_OK) {
            err = control_all(g, pts, snap, ctl, &has, d);
        } else if (err == FW_ENOTFOUND) {
            err = FW_OK;
        }
    }
    for (size_t i = 0; err == FW_OK && i < n; i++) {
        const struct fw_place_forecast *f = &(*pf)[i];
        if (f->place_id != ids[i]) {
            return fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                               "the forecast's place %zu is %lld, not %lld", i,
                               (long long)f->place_id, (long long)ids[i]);
        }
        if (f->state == FW_FORECAST_NO_MAP) {
            continue;
        }
        ev[i].map_s = f->map_s;
        ev[i].source = f->series;
        ev[i].distance_km = f->distance_km;
        if (f->state == FW_FORECAST_OCCUPIED) {
            ev[i].level = FW_FEED_LEVEL_OCCUPIED;
            ev[i].distance_km = 0.0;
            ev[i].status = has && ctl[i].status == FW_STATUS_OCCUPIED_PRE2022
                               ? FW_STATUS_OCCUPIED_PRE2022
                               : FW_STATUS_OCCUPIED;
            continue;
        }
        ev[i].p30 = f->p[0];
        ev[i].p90 = f->p[FW_N_HORIZONS - 1];
        ev[i].level = fw_feeds_level_of_p(ev[i].p90);
        ev[i].status = has && ctl[i].status == FW_STATUS_CONTESTED
                           ? FW_STATUS_CONTESTED
                           : FW_STATUS_FREE;
    }
    return err;
}

fw_err fw_feeds_changes(const fw_forecast *fc, fw_store *st, fw_geo *g,
                        const int64_t *place_ids, size_t n_places,
                        int64_t from_s, int64_t to_s,
                        struct fw_feed_change **out, size_t *n_out,
                        struct fw_diag *d)
{
    if (place_ids == NULL || n_places == 0 || from_s > to_s) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "feeds: no places, or the window ends before it "
                           "begins");
    }
    fw_err err = FW_OK;
    int64_t *ids = NULL, *dates = NULL;
    size_t n = 0, n_dates = 0, n_ch = 0, cap_ch = 0;
    struct fw_place *pl = NULL;
    double *lat = NULL, *lon = NULL;
    fw_geo_points *pts = NULL;
    struct fw_control *ctl = NULL;
    struct fw_place_forecast *pf = NULL;
    struct eval *ev = NULL;
    enum fw_feed_level *last = NULL;
    struct fw_feed_change *ch = NULL;

    if ((err = eval_dates(from_s, to_s, &dates, &n_dates, d)) != FW_OK) {
        goto exit;
    }
    /* the places by id, each once */
    ids = malloc(n_places * sizeof *ids);
    if (ids == NULL) {
        err = FW_ENOMEM;
        goto exit;
    }
    memcpy(ids, place_ids, n_places * sizeof *ids);
    qsort(ids, n_places, sizeof *ids, cmp_i64);
    for (size_t i = 0; i < n_places; i++) {
        if (n == 0 || ids[i] != ids[n - 1]) {
            ids[n++] = ids[i];
        }
    }
    pl = calloc(n, sizeof *pl);
    lat = malloc(n * sizeof *lat);
    lon = malloc(n * sizeof *lon);
    ctl = calloc(n, sizeof *ctl);
    ev = calloc(n, sizeof *ev);
    last = calloc(n, sizeof *last);
    if (pl == NULL || lat == NULL || lon == NULL || ctl == NULL || ev == NULL ||
        last == NULL) {
        err = FW_ENOMEM;
        goto exit;
    }
    for (size_t i = 0; i < n; i++) {
        if ((err = fw_place_get(st, ids[i], &pl[i], d)) != FW_OK) {
            if (err == FW_ENOTFOUND) {
                fw_diag_set(d, err, 0, 0, "no place with id %lld",
                            (long long)ids[i]);
            }
            goto exit;
        }
        lat[i] = pl[i].lat_deg;
        lon[i] = pl[i].lon_deg;
        last[i] = FW_FEED_LEVEL_UNKNOWN;
    }
    if ((err = fw_geo_points_new(g, lat, lon, n, &pts, d)) != FW_OK) {
        goto exit;
    }
    for (size_t k = 0; k < n_dates; k++) {
        struct fw_snapshot_info snap;
        err =
            evaluate(fc, st, g, pts, ids, n, dates[k], &snap, ctl, &pf, ev, d);
        if (err != FW_OK) {
            goto exit;
        }
        for (size_t i = 0; i < n; i++) {
            if (ev[i].level == FW_FEED_LEVEL_UNKNOWN ||
                ev[i].level == last[i]) {
                continue;
            }
            if (n_ch == FW_FEEDS_MAX_CHANGES) {
                err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                                  "more than %d changes of level: ask for "
                                  "fewer places or a shorter window",
                                  FW_FEEDS_MAX_CHANGES);
                goto exit;
            }
            if (n_ch == cap_ch) {
                size_t nc = cap_ch ? 2 * cap_ch : 64;
                nc = nc < FW_FEEDS_MAX_CHANGES ? nc : FW_FEEDS_MAX_CHANGES;
                struct fw_feed_change *g2 = realloc(ch, nc * sizeof *ch);
                if (g2 == NULL) {
                    err = FW_ENOMEM;
                    goto exit;
                }
                ch = g2;
                cap_ch = nc;
            }
            struct fw_feed_change *c = &ch[n_ch++];
            memset(c, 0, sizeof *c);
            c->place = pl[i];
            c->t_s = dates[k];
            c->level = ev[i].level;
            c->prev_level = last[i];
            c->is_initial = last[i] == FW_FEED_LEVEL_UNKNOWN;
            c->basis = fc ? FW_FEED_BASIS_MODEL : FW_FEED_BASIS_DISTANCE;
            c->p30 = ev[i].p30;
            c->p90 = ev[i].p90;
            c->distance_km = ev[i].distance_km;
            c->status = ev[i].status;
            c->map_s = ev[i].map_s;
            snprintf(c->source, sizeof c->source, "%s",
                     ev[i].source ? ev[i].source : "");
            last[i] = ev[i].level;
        }
    }
    /* dates ascend, so only the places within a date need ordering */
    if (n_ch > 0) {
        qsort(ch, n_ch, sizeof *ch, cmp_change);
    }
    *out = ch;
    *n_out = n_ch;
    ch = NULL;
exit:
    free(ch);
    free(last);
    free(ev);
    free(pf);
    free(ctl);
    fw_geo_points_free(pts);
    free(lon);
    free(lat);
    free(pl);
    free(ids);
    free(dates);
    return err;
}

fw_err fw_feeds_oblast_places(fw_store *st, const char *iso,
                              long min_population, int64_t **ids, size_t *n,
                              struct fw_diag *d)
{
    if (iso == NULL || fw_oblast_by_iso(iso) == NULL) {
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0, "no oblast '%s'",
                           iso ? iso : "(null)");
    }
    struct fw_place *all = NULL;
    size_t n_all = 0;
    fw_err err = fw_place_all(st, &all, &n_all, d);
    if (err != FW_OK) {
        return err;
    }
    int64_t *v = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n_all; i++) {
        k += strcmp(all[i].oblast_iso, iso) == 0 && all[i].population >= 0 &&
             all[i].population >= min_population;
    }
    if (k > 0 && (v = malloc(k * sizeof *v)) == NULL) {
        err = FW_ENOMEM;
        goto exit;
    }
    k = 0;
    for (size_t i = 0; v != NULL && i < n_all; i++) {
        if (strcmp(all[i].oblast_iso, iso) == 0 && all[i].population >= 0 &&
            all[i].population >= min_population) {
            v[k++] = all[i].id;
        }
    }
    if (k > 0) {
        qsort(v, k, sizeof *v, cmp_i64);
    }
    *ids = v;
    *n = k;
exit:
    free(all);
    return err;
}

fw_err fw_feeds_oblast_boundary(fw_store *st, const char *iso, void **wkb,
                                size_t *wkb_len, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    /* the oblast's own polygon is its largest; among files holding it,
     * the one ingested last */
    fw_err err = fw_store_prepare(st,
                                  "SELECT wkb FROM boundary WHERE oblast_iso "
                                  "= ?1 ORDER BY area_km2 DESC, log_id DESC "
                                  "LIMIT 1",
                                  &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_bind_text(s, 1, iso ? iso : "", -1, SQLITE_TRANSIENT) !=
        SQLITE_OK) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
        goto exit;
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        err = fw_diag_set(d, FW_ENOTFOUND, 0, 0, "no boundary of %s stored",
                          iso ? iso : "(null)");
        goto exit;
    }
    if (rc != SQLITE_ROW) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
        goto exit;
    }
    int len = sqlite3_column_bytes(s, 0);
    const void *blob = sqlite3_column_blob(s, 0);
    void *copy = malloc(len > 0 ? (size_t)len : 1);
    if (copy == NULL) {
        err = FW_ENOMEM;
        goto exit;
    }
    if (len > 0) {
        memcpy(copy, blob, (size_t)len);
    }
    *wkb = copy;
    *wkb_len = (size_t)len;
exit:
    sqlite3_finalize(s);
    return err;
}

/* ---- formatting ---- */

/* v with k decimals (0..6) and the decimal mark dot into buf, from an
 * integer: no locale can change it. "nan" for NaN. */
static const char *fixed(double v, int k, char dot, char *buf, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "nan");
        return buf;
    }
    long long scale = 1;
    for (int i = 0; i < k; i++) {
        scale *= 10;
    }
    long long m = llround(fabs(v) * (double)scale);
    const char *sign = v < 0 && m != 0 ? "-" : "";
    if (k == 0) {
        snprintf(buf, cap, "%s%lld", sign, m);
    } else {
        snprintf(buf, cap, "%s%lld%c%0*lld", sign, m / scale, dot, k,
                 m % scale);
    }
    return buf;
}

/* A probability in percent for people: "0.4 %", "12 %". */
static const char *percent(double p, char dot, char *buf, size_t cap)
{
    char num[32];
    double pct = p * 100.0;
    fixed(pct, pct < 9.95 ? 1 : 0, dot, num, sizeof num);
    snprintf(buf, cap, "%s %%", num);
    return buf;
}

/* A distance for people: "4.2 km", "23 km" (unit given). */
static const char *km_text(double km, char dot, const char *unit, char *buf,
                           size_t cap)
{
    char num[32];
    fixed(km, km < 9.95 ? 1 : 0, dot, num, sizeof num);
    snprintf(buf, cap, "%s %s", num, unit);
    return buf;
}

/* "YYYY-MM-DDTHH:MM:SS+00:00": CAP's dateTime, which forbids "Z". */
static void cap_time(int64_t t_s, char buf[26])
{
    char iso[21];
    fw_date_format_iso(t_s, iso);
    snprintf(buf, 26, "%.19s+00:00", iso);
}

/* Writes s with &, <, >, " and ' escaped; control characters, which XML
 * 1.0 does not allow, become spaces. */
static void xml_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        case '\t':
        case '\n':
            fputc(*p, f);
            break;
        default:
            fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
            break;
        }
    }
}

/* <tag>escaped text</tag> with indent. */
static void elem(FILE *f, int indent, const char *tag, const char *text)
{
    fprintf(f, "%*s<%s>", indent, "", tag);
    xml_text(f, text);
    fprintf(f, "</%s>\n", tag);
}

static const char *or_default(const char *s, const char *def)
{
    return s != NULL ? s : def;
}

/* The place's name in a language: the Ukrainian name when known. */
static const char *place_name(const struct fw_place *p, int uk)
{
    return uk && p->name_local[0] != '\0' ? p->name_local : p->name;
}

/* The map source for people. */
static const char *source_text(const char *source)
{
    if (strcmp(source, "deepstate") == 0) {
        return "DeepState";
    }
    if (strcmp(source, "deepstate_occupied") == 0) {
        return "DeepState (occupied area)";
    }
    if (strcmp(source, "nzz") == 0) {
        return "NZZ / liveuamap";
    }
    return source;
}

void fw_feeds_cap_identifier(const struct fw_feed_change *c, char *buf,
                             size_t cap)
{
    char day[11];
    fw_date_format_day(c->t_s, day);
    snprintf(buf, cap, "frontwatch-%lld-%.4s%.2s%.2s-%s",
             (long long)c->place.id, day, day + 5, day + 8,
             fw_feed_basis_name(c->basis));
}

/* The headline of c in one language into buf. */
static void headline(const struct fw_feed_change *c, int uk, char *buf,
                     size_t cap)
{
    const char *name = place_name(&c->place, uk);
    char dot = uk ? ',' : '.';
    char num[48], day[11];
    if (c->level == FW_FEED_LEVEL_OCCUPIED) {
        fw_date_format_day(c->map_s, day);
        if (c->status == FW_STATUS_OCCUPIED_PRE2022) {
            snprintf(buf, cap,
                     uk ? "%s: під окупацією з часу до 2022 року"
                        : "%s: occupied since before 2022",
                     name);
        } else {
            snprintf(buf, cap,
                     uk ? "%s: під окупацією (мапа %s від %s)"
                        : "%s: occupied (%s map of %s)",
                     name, source_text(c->source), day);
        }
        return;
    }
    const char *was_occupied =
        c->prev_level == FW_FEED_LEVEL_OCCUPIED
            ? (uk ? "більше не під окупацією; " : "no longer occupied; ")
            : "";
    const char *label = fw_feed_level_label(c->level, uk ? "uk" : "en");
    if (c->basis == FW_FEED_BASIS_MODEL) {
        percent(c->p90, dot, num, sizeof num);
        snprintf(buf, cap,
                 uk ? "%s: %sризик окупації %s (%s протягом 90 днів)"
                    : "%s: %srisk of occupation %s (%s within 90 days)",
                 name, was_occupied, label, num);
    } else if (c->status == FW_STATUS_CONTESTED) {
        snprintf(buf, cap,
                 uk ? "%s: %sризик окупації %s (у зоні боїв)"
                    : "%s: %srisk of occupation %s (in a contested area)",
                 name, was_occupied, label);
    } else {
        km_text(c->distance_km, dot, uk ? "км" : "km", num, sizeof num);
        snprintf(buf, cap,
                 uk ? "%s: %sризик окупації %s (%s до окупованої території)"
                    : "%s: %srisk of occupation %s (occupied area %s away)",
                 name, was_occupied, label, num);
    }
}

/* The description of c in one language. */
static void description(const struct fw_feed_change *c, int uk, FILE *f)
{
    const char *lang = uk ? "uk" : "en";
    char dot = uk ? ',' : '.';
    char a[48], b[48], day[11], map_day[11];
    fw_date_format_day(c->t_s, day);
    fw_date_format_day(c->map_s, map_day);
    fprintf(f, uk ? "Рівень ризику: %s" : "Risk level: %s",
            fw_feed_level_label(c->level, lang));
    if (c->is_initial) {
        fputs(uk ? " (початковий стан цієї стрічки)"
                 : " (the initial state of this feed)",
              f);
    } else {
        fprintf(f, uk ? " (був: %s)" : " (before: %s)",
                fw_feed_level_label(c->prev_level, lang));
    }
    fprintf(f, uk ? ", на %s.\n" : ", on %s.\n", day);
    if (c->level == FW_FEED_LEVEL_OCCUPIED) {
        fprintf(f,
                uk ? "Населений пункт лежить в окупованій території на мапі "
                     "%s, опублікованій %s%s.\n"
                   : "The place lies inside the occupied area on the %s map "
                     "published %s%s.\n",
                source_text(c->source), map_day,
                c->status == FW_STATUS_OCCUPIED_PRE2022
                    ? (uk ? " (окуповано ще до 2022 року)"
                          : " (occupied before 2022)")
                    : "");
    } else {
        if (c->basis == FW_FEED_BASIS_MODEL) {
            fprintf(f,
                    uk ? "Імовірність окупації за моделлю frontwatch: %s "
                         "протягом 30 днів, %s протягом 90 днів.\n"
                       : "Probability of coming under occupation (frontwatch "
                         "model): %s within 30 days, %s within 90 days.\n",
                    percent(c->p30, dot, a, sizeof a),
                    percent(c->p90, dot, b, sizeof b));
        }
        if (c->status == FW_STATUS_CONTESTED) {
            fprintf(f,
                    uk ? "Населений пункт лежить у зоні боїв на мапі %s, "
                         "опублікованій %s.\n"
                       : "The place lies in a contested area on the %s map "
                         "published %s.\n",
                    source_text(c->source), map_day);
        } else {
            fprintf(f,
                    uk ? "Окупована територія за %s на мапі %s, "
                         "опублікованій %s.\n"
                       : "The occupied area is %s away on the %s map "
                         "published %s.\n",
                    km_text(c->distance_km, dot, uk ? "км" : "km", a, sizeof a),
                    source_text(c->source), map_day);
        }
    }
    if (c->basis == FW_FEED_BASIS_DISTANCE) {
        fputs(uk ? "Підстава: лише відстань до окупованої території (моделі "
                   "прогнозу немає): менше 5 км або зона боїв - дуже "
                   "високий, 5-20 км - високий, 20-50 км - підвищений, "
                   "50-100 км - низький, від 100 км - мінімальний."
                 : "Basis: the distance to the occupied area alone (no "
                   "forecast model): under 5 km or contested severe, 5-20 km "
                   "high, 20-50 km elevated, 50-100 km low, 100 km or more "
                   "minimal.",
              f);
    } else {
        fputs(uk ? "Підстава: 90-денна імовірність моделі frontwatch: від "
                   "60 % - дуже високий, 30-60 % - високий, 10-30 % - "
                   "підвищений, 2-10 % - низький, менше 2 % - мінімальний."
                 : "Basis: the frontwatch model's 90-day probability: 60 % "
                   "or more severe, 30-60 % high, 10-30 % elevated, 2-10 % "
                   "low, under 2 % minimal.",
              f);
    }
}

/* A string written to a memory buffer, for escaping it as one element. */
static void desc_elem(FILE *f, int indent, const struct fw_feed_change *c,
                      int uk)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&txt, &len);
    if (m == NULL) {
        return;
    }
    description(c, uk, m);
    if (fclose(m) == 0) {
        elem(f, indent, "description", txt);
    }
    free(txt);
}

/* ---- WKB: the exterior ring of an oblast boundary ---- */

struct wkb_reader {
    const unsigned char *p;
    size_t len, off;
    int little;
    int bad;
};

static uint32_t rd_u32(struct wkb_reader *r)
{
    if (r->bad || r->len - r->off < 4) {
        r->bad = 1;
        return 0;
    }
    const unsigned char *b = r->p + r->off;
    r->off += 4;
    return r->little ? (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                           (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
                     : (uint32_t)b[3] | (uint32_t)b[2] << 8 |
                           (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}

static double rd_f64(struct wkb_reader *r)
{
    if (r->bad || r->len - r->off < 8) {
        r->bad = 1;
        return NAN;
    }
    unsigned char b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = r->p[r->off + (r->little ? (size_t)i : (size_t)(7 - i))];
    }
    r->off += 8;
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) {
        u = u << 8 | b[i];
    }
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* A polygon's header and rings at r; the exterior ring's points (lon,
 * lat) start at *ring_off, *n_ring of them. Returns 0 on bad input. */
static int wkb_polygon(struct wkb_reader *r, size_t *ring_off, size_t *n_ring,
                       int *little)
{
    if (r->len - r->off < 1) {
        return 0;
    }
    r->little = r->p[r->off++] == 1;
    if (rd_u32(r) != 3) {
        return 0;
    }
    uint32_t n_rings = rd_u32(r);
    for (uint32_t k = 0; !r->bad && k < n_rings; k++) {
        uint32_t np = rd_u32(r);
        if (r->bad || np > (r->len - r->off) / 16) {
            return 0;
        }
        if (k == 0) {
            *ring_off = r->off;
            *n_ring = np;
            *little = r->little;
        }
        r->off += (size_t)np * 16;
    }
    return !r->bad && n_rings > 0;
}

/* Writes the <polygon> of the largest exterior ring of wkb (Polygon or
 * MultiPolygon), at most FW_FEEDS_MAX_POLYGON_POINTS points (every k-th
 * point kept when longer), "lat,lon" pairs, the first repeated last.
 * Returns 0 (nothing written) when the WKB is not such a polygon. */
static int write_polygon(FILE *f, const void *wkb, size_t len)
{
    struct wkb_reader r = {.p = wkb, .len = len};
    size_t best_off = 0, best_n = 0;
    int best_little = 1;
    if (len < 5) {
        return 0;
    }
    r.little = r.p[0] == 1;
    r.off = 1;
    uint32_t type = rd_u32(&r);
    if (type == 3) {
        r.off = 0;
        if (!wkb_polygon(&r, &best_off, &best_n, &best_little)) {
            return 0;
        }
    } else if (type == 6) {
        uint32_t n_poly = rd_u32(&r);
        for (uint32_t i = 0; !r.bad && i < n_poly; i++) {
            size_t off = 0, n = 0;
            int little = 1;
            if (!wkb_polygon(&r, &off, &n, &little)) {
                return 0;
            }
            if (n > best_n) {
                best_off = off;
                best_n = n;
                best_little = little;
            }
        }
    } else {
        return 0;
    }
    /* a ring closes on itself: drop the repeated last point, write it
     * again at the end */
    if (r.bad || best_n < 4) {
        return 0;
    }
    size_t n = best_n - 1;
    size_t step = 1;
    while (n / step + 1 > FW_FEEDS_MAX_POLYGON_POINTS - 1) {
        step++;
    }
    if (n / step < 3) {
        return 0;
    }
    struct wkb_reader pr = {.p = wkb, .len = len, .little = best_little};
    fputs("      <polygon>", f);
    double lat0 = 0, lon0 = 0;
    char a[32], b[32];
    for (size_t i = 0; i < n; i += step) {
        pr.off = best_off + i * 16;
        double lon = rd_f64(&pr), lat = rd_f64(&pr);
        if (i == 0) {
            lat0 = lat;
            lon0 = lon;
        }
        fprintf(f, "%s%s,%s", i ? " " : "", fixed(lat, 4, '.', a, sizeof a),
                fixed(lon, 4, '.', b, sizeof b));
    }
    fprintf(f, " %s,%s</polygon>\n", fixed(lat0, 4, '.', a, sizeof a),
            fixed(lon0, 4, '.', b, sizeof b));
    return 1;
}

/* ---- CAP ---- */

static void param(FILE *f, const char *name, const char *value)
{
    fprintf(f, "    <parameter>\n");
    elem(f, 6, "valueName", name);
    elem(f, 6, "value", value);
    fprintf(f, "    </parameter>\n");
}

static void cap_info(FILE *f, const struct fw_feed_change *c,
                     const struct fw_feeds_meta *meta, int uk)
{
    const char *base = or_default(meta->base_url, "http://127.0.0.1:8080");
    char buf[512], num[32], day[11];
    fw_date_format_day(c->t_s, day);
    fprintf(f, "  <info>\n");
    elem(f, 4, "language", uk ? "uk-UA" : "en-US");
    elem(f, 4, "category", "Security");
    elem(f, 4, "event", uk ? "Ризик окупації" : "Risk of occupation");
    elem(f, 4, "urgency", fw_feeds_cap_urgency(c->level, c->p30));
    elem(f, 4, "severity", fw_feeds_cap_severity(c->level));
    elem(f, 4, "certainty", fw_feeds_cap_certainty(c->level, c->p90));
    elem(f, 4, "senderName", "frontwatch");
    headline(c, uk, buf, sizeof buf);
    elem(f, 4, "headline", buf);
    desc_elem(f, 4, c, uk);
    const struct fw_oblast *ob = fw_oblast_by_iso(c->place.oblast_iso);
    if (uk) {
        elem(f, 4, "instruction",
             "Це оцінка за відкритими мапами, а не наказ. Дійте за "
             "офіційними оголошеннями обласної військової адміністрації, "
             "зокрема щодо евакуації.");
    } else {
        snprintf(buf, sizeof buf,
                 "This is an estimate from public maps, not an order. Follow "
                 "the official announcements of the %s%s military "
                 "administration, including those on evacuation.",
                 ob ? ob->name_en : "oblast", ob ? " oblast" : "");
        elem(f, 4, "instruction", buf);
    }
    snprintf(buf, sizeof buf, "%s/place/%lld?date=%s", base,
             (long long)c->place.id, day);
    elem(f, 4, "web", buf);
    param(f, "level", fw_feed_level_name(c->level));
    param(f, "basis", fw_feed_basis_name(c->basis));
    if (!isnan(c->p30)) {
        param(f, "p_occupied_30d", fixed(c->p30, 4, '.', num, sizeof num));
    }
    if (!isnan(c->p90)) {
        param(f, "p_occupied_90d", fixed(c->p90, 4, '.', num, sizeof num));
    }
    if (!isnan(c->distance_km)) {
        param(f, "distance_km", fixed(c->distance_km, 1, '.', num, sizeof num));
    }
    param(f, "status", fw_status_name(c->status));
    param(f, "map_source", c->source);
    fw_date_format_day(c->map_s, day);
    param(f, "map_published", day);

    fprintf(f, "    <area>\n");
    if (meta->area_wkb != NULL && ob != NULL) {
        snprintf(buf, sizeof buf, uk ? "%s область" : "%s oblast",
                 uk ? ob->name_uk : ob->name_en);
        elem(f, 6, "areaDesc", buf);
    } else if (ob != NULL) {
        snprintf(buf, sizeof buf, uk ? "%s, %s область" : "%s, %s oblast",
                 place_name(&c->place, uk), uk ? ob->name_uk : ob->name_en);
        elem(f, 6, "areaDesc", buf);
    } else {
        elem(f, 6, "areaDesc", place_name(&c->place, uk));
    }
    if (meta->area_wkb == NULL ||
        !write_polygon(f, meta->area_wkb, meta->area_wkb_len)) {
        char a[32], b[32], r[32];
        fprintf(f, "      <circle>%s,%s %s</circle>\n",
                fixed(c->place.lat_deg, 5, '.', a, sizeof a),
                fixed(c->place.lon_deg, 5, '.', b, sizeof b),
                fixed(FW_FEEDS_CIRCLE_KM, 1, '.', r, sizeof r));
    }
    if (ob != NULL) {
        fprintf(f, "      <geocode>\n");
        elem(f, 8, "valueName", "ISO3166-2");
        elem(f, 8, "value", ob->iso);
        fprintf(f, "      </geocode>\n");
    }
    fprintf(f, "    </area>\n");
    fprintf(f, "  </info>\n");
}

void fw_feeds_write_cap(const struct fw_feed_change *c, size_t n,
                        const struct fw_feeds_meta *meta, FILE *f)
{
    if (n == 0) {
        return;
    }
    const struct fw_feed_change *cur = &c[n - 1];
    const struct fw_feed_change *prev = NULL;
    for (size_t i = n - 1; i-- > 0;) {
        if (c[i].place.id == cur->place.id) {
            prev = &c[i];
            break;
        }
    }
    const char *sender = or_default(meta->sender, "frontwatch@localhost");
    char id[96], sent[26];
    fw_feeds_cap_identifier(cur, id, sizeof id);
    cap_time(cur->t_s, sent);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    elem(f, 2, "identifier", id);
    elem(f, 2, "sender", sender);
    elem(f, 2, "sent", sent);
    elem(f, 2, "status", "Actual");
    elem(f, 2, "msgType", prev ? "Update" : "Alert");
    elem(f, 2, "scope", "Public");
    if (prev != NULL) {
        char pid[96], psent[26];
        fw_feeds_cap_identifier(prev, pid, sizeof pid);
        cap_time(prev->t_s, psent);
        fprintf(f, "  <references>");
        xml_text(f, sender);
        fprintf(f, ",%s,%s</references>\n", pid, psent);
    }
    cap_info(f, cur, meta, 1);
    cap_info(f, cur, meta, 0);
    fprintf(f, "</alert>\n");
}

/* ---- Atom ---- */

void fw_feeds_write_atom(const struct fw_feed_change *c, size_t n,
                         const struct fw_feeds_meta *meta, FILE *f)
{
    const char *sender = or_default(meta->sender, "frontwatch@localhost");
    const char *base = or_default(meta->base_url, "http://127.0.0.1:8080");
    const char *self = or_default(meta->self_path, "/feeds");
    const char *title = or_default(meta->title, "");
    char buf[512], when[21], id[96], day[11];
    /* the newest change is the feed's last change; without any, the
     * feed's own time */
    fw_date_format_iso(n > 0 ? c[n - 1].t_s : meta->generated_s, when);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
               "xml:lang=\"en\">\n");
    fprintf(f, "  <id>tag:");
    xml_text(f, sender);
    fprintf(f, ",2022:");
    xml_text(f, self);
    fprintf(f, "</id>\n");
    snprintf(buf, sizeof buf, "frontwatch: risk of occupation%s%s",
             title[0] ? ", " : "", title);
    elem(f, 2, "title", buf);
    elem(f, 2, "subtitle",
         "Changes of the risk level, evaluated weekly (Mondays) from public "
         "front-line maps; each entry links to its CAP 1.2 alert.");
    elem(f, 2, "updated", when);
    fprintf(f, "  <author>\n    <name>frontwatch</name>\n  </author>\n");
    elem(f, 2, "generator", "frontwatch");
    fprintf(f, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"");
    xml_text(f, base);
    xml_text(f, self);
    fprintf(f, "\"/>\n");
    for (size_t k = n; k-- > 0;) {
        const struct fw_feed_change *e = &c[k];
        fw_feeds_cap_identifier(e, id, sizeof id);
        fw_date_format_iso(e->t_s, when);
        fw_date_format_day(e->t_s, day);
        fprintf(f, "  <entry>\n    <id>tag:");
        xml_text(f, sender);
        fprintf(f, ",2022:%s</id>\n", id);
        headline(e, 0, buf, sizeof buf);
        elem(f, 4, "title", buf);
        elem(f, 4, "updated", when);
        fprintf(f, "    <category term=\"%s\" label=\"%s\"/>\n",
                fw_feed_level_name(e->level),
                fw_feed_level_label(e->level, "en"));
        fprintf(f, "    <link rel=\"alternate\" type=\"text/html\" href=\"");
        xml_text(f, base);
        fprintf(f, "/place/%lld?date=%s\"/>\n", (long long)e->place.id, day);
        fprintf(f, "    <link rel=\"alternate\" "
                   "type=\"application/cap+xml\" href=\"");
        xml_text(f, base);
        const char *q = or_default(meta->feed_query, "");
        fprintf(f, "/feeds/cap.xml?");
        xml_text(f, q);
        fprintf(f, "%salert=%s\"/>\n", *q ? "&amp;" : "", id);
        elem(f, 4, "summary", buf);
        /* the text in both languages, English first */
        char *txt = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&txt, &len);
        if (m != NULL) {
            char uk[512];
            description(e, 0, m);
            headline(e, 1, uk, sizeof uk);
            fprintf(m, "\n\n%s\n", uk);
            description(e, 1, m);
            if (fclose(m) == 0) {
                fprintf(f, "    <content type=\"text\">");
                xml_text(f, txt);
                fprintf(f, "</content>\n");
            }
            free(txt);
        }
        fprintf(f, "  </entry>\n");
    }
    fprintf(f, "</feed>\n");
}
