/*
 * history.c - a place's answer day by day (history.h).
 *
 * Each map is asked once for every place: the status and distance of all
 * places at a snapshot are kept in a small cache per source (a day's map
 * is usually the previous day's, and the map of 7 days before was the map
 * of a row a week ago).
 */
#include "frontwatch/history.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/assess.h"
#include "frontwatch/date.h"

#define DAY ((int64_t)FW_DAY_S)
#define CACHE_SLOTS 12

struct slot {
    int64_t snap_id;          /* 0: empty */
    unsigned used;            /* last use, for eviction */
    struct fw_control *c;     /* n_places */
};

struct ctx {
    fw_geo *g;
    fw_geo_points *pts;
    size_t n_places;
    unsigned clock;
    struct slot slots[FW_GEO_N_SOURCES][CACHE_SLOTS];
};

/* The status and distance of every place at snap of source k. */
static fw_err control_at(struct ctx *c, int k,
                         const struct fw_snapshot_info *snap,
                         const struct fw_control **out, struct fw_diag *d)
{
    struct slot *sl = c->slots[k], *pick = &sl[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (sl[i].snap_id == snap->id) {
            sl[i].used = ++c->clock;
            *out = sl[i].c;
            return FW_OK;
        }
        if (sl[i].used < pick->used) {
            pick = &sl[i];
        }
    }
    if (pick->c == NULL) {
        pick->c = malloc(c->n_places * sizeof *pick->c);
        if (pick->c == NULL) {
            return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        }
    }
    pick->snap_id = 0;
    fw_err err = fw_geo_control_points(c->g, c->pts, snap,
                                       FW_GEO_SKIP_CONTESTED, pick->c, d);
    if (err != FW_OK) {
        return err;
    }
    pick->snap_id = snap->id;
    pick->used = ++c->clock;
    *out = pick->c;
    return FW_OK;
}

static void ctx_reset(struct ctx *c)
{
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        for (int i = 0; i < CACHE_SLOTS; i++) {
            free(c->slots[k][i].c);
        }
    }
    fw_geo_points_free(c->pts);
    memset(c, 0, sizeof *c);
}

void fw_history_free(struct fw_history *h)
{
    if (h == NULL) {
        return;
    }
    free(h->days_s);
    free(h->rows);
    memset(h, 0, sizeof *h);
}

/* The alert intervals of one oblast over the span, and from when to when
 * its alert data covers a day. */
struct oblast_alerts {
    char iso[8];
    struct fw_interval *iv;
    size_t n;
    int64_t first_s;          /* its first alert; INT64_MAX when none */
};

static fw_err load_alerts(fw_store *st, const char *iso, int64_t lo_s,
                          int64_t hi_s, struct oblast_alerts *oa,
                          struct fw_diag *d)
{
    snprintf(oa->iso, sizeof oa->iso, "%s", iso);
    oa->first_s = INT64_MAX;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st, "SELECT min(start_s) FROM alert WHERE oblast_iso = ?1", &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, iso, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL) {
        oa->first_s = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return fw_assess_alert_intervals(st, iso, lo_s, hi_s, &oa->iv, &oa->n, d);
}

/* The newest alert start of each day with alerts (any oblast), by day:
 * the newest alert at or before the end of a day, as assess asks it, is
 * that of the last such day up to it. */
struct alert_days {
    int64_t *day;             /* days since 1970, ascending */
    int64_t *newest_s;
    size_t n;
};

static fw_err load_alert_days(fw_store *st, int64_t to_s,
                              struct alert_days *ad, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st,
                                  "SELECT start_s / 86400, max(start_s)"
                                  " FROM alert WHERE start_s < ?1"
                                  " GROUP BY 1 ORDER BY 1",
                                  &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, to_s);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (ad->n == cap) {
            cap = cap ? 2 * cap : 1024;
            int64_t *a = realloc(ad->day, cap * sizeof *a);
            if (a != NULL) {
                ad->day = a;
            }
            int64_t *b = a ? realloc(ad->newest_s, cap * sizeof *b) : NULL;
            if (b == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                break;
            }
            ad->newest_s = b;
        }
        ad->day[ad->n] = sqlite3_column_int64(s, 0);
        ad->newest_s[ad->n++] = sqlite3_column_int64(s, 1);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "reading the alert days: %s",
                          sqlite3_errstr(rc));
    }
    sqlite3_finalize(s);
    return err;
}

/* The newest alert start at or before at_s, INT64_MIN when none. */
static int64_t newest_alert_at(const struct alert_days *ad, int64_t at_s)
{
    int64_t day = at_s / DAY;
    size_t lo = 0, hi = ad->n; /* the first entry after day */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ad->day[mid] <= day) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo == 0 ? INT64_MIN : ad->newest_s[lo - 1];
}

static int is_monday(int64_t day_s)
{
    int64_t days = day_s / DAY; /* 1970-01-01 was a Thursday */
    return (days + 3) % 7 == 0;
}

static void empty_row(struct fw_history_row *r)
{
    memset(r, 0, sizeof *r);
    r->source = -1;
    r->distance_km = NAN;
    r->distance_change_7d_km = NAN;
    r->alert_hours_7d = NAN;
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        r->p[h] = NAN;
    }
}

/* The row of place p on day_s from assess itself. */
static fw_err assess_row(fw_store *st, fw_geo *g, const struct fw_place *p,
                         int64_t day_s, struct fw_history_row *r,
                         struct fw_diag *d)
{
    struct fw_assessment a;
    fw_err err = fw_assess(st, g, p, day_s, &a, d);
    if (err != FW_OK) {
        return err;
    }
    r->has_status = a.has_status;
    r->status = a.status;
    r->source = -1;
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        if (strcmp(a.status_source, FW_GEO_SOURCES[k]) == 0) {
            r->source = k;
        }
    }
    r->distance_km = a.distance_km;
    r->distance_change_7d_km = a.distance_change_7d_km;
    return FW_OK;
}

/* The map rows of day j for every place. */
static fw_err map_rows(struct ctx *c, fw_store *st,
                       const struct fw_place *places, int64_t at,
                       struct fw_history_row *rows, size_t n_days, size_t j,
                       struct fw_diag *d)
{
    struct fw_snapshot_info snap;
    int best = -1;
    fw_err err = fw_geo_newest_snapshot(c->g, at, &snap, &best, d);
    if (err == FW_ENOTFOUND) {
        return FW_OK; /* no map yet: the rows stay empty */
    }
    if (err != FW_OK) {
        return err;
    }
    const struct fw_control *now = NULL, *before = NULL;
    struct fw_snapshot_info s7;
    err = control_at(c, best, &snap, &now, d);
    if (err != FW_OK) {
        return err;
    }
    err = fw_geo_snapshot_seen(c->g, FW_GEO_SOURCES[best], at - 7 * DAY, at,
                               &s7, d);
    if (err == FW_OK) {
        err = control_at(c, best, &s7, &before, d);
    } else if (err == FW_ENOTFOUND) {
        err = FW_OK;
    }
    if (err != FW_OK) {
        return err;
    }
    for (size_t i = 0; i < c->n_places; i++) {
        struct fw_history_row *r = &rows[i * n_days + j];
        r->has_status = 1;
        r->status = now[i].status;
        r->source = best;
        r->distance_km = now[i].distance_km;
        if (before != NULL) {
            r->distance_change_7d_km = now[i].distance_km -
                                       before[i].distance_km;
        }
    }
    /* assess passes over a source whose held-back parts a later map
     * draws, or whose week-on-week change is a data warning (assess.h);
     * the rows where that can be, few in the whole war, come from assess
     * itself, so that the history and the answer agree */
    size_t n_held = 0;
    err = fw_geo_set_aside(c->g, &snap, places[0].lat_deg,
                           places[0].lon_deg, NULL, 0, &n_held, NULL, d);
    for (size_t i = 0; err == FW_OK && i < c->n_places; i++) {
        struct fw_history_row *r = &rows[i * n_days + j];
        if (n_held > 0 ||
            fabs(r->distance_change_7d_km) >= FW_ASSESS_JUMP_KM) {
            err = assess_row(st, c->g, &places[i], at - (DAY - 1), r, d);
        }
    }
    return err;
}

struct id_index {
    int64_t id;
    size_t i;
};

static int by_id(const void *a, const void *b)
{
    const struct id_index *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Above this many places, every place of the store is forecast (the
 * dataset's fast path: one query for all places, neighbours together)
 * and the rows picked by id; below, only the places asked for. */
#define ALL_PLACES_FROM 64

static fw_err forecast_rows(const fw_forecast *fc, fw_store *st, fw_geo *g,
                            const int64_t *ids, const struct id_index *index,
                            size_t n_places, int64_t at,
                            struct fw_history_row *rows, size_t n_days,
                            size_t j, struct fw_diag *d)
{
    struct fw_place_forecast *pf = NULL;
    size_t n = 0;
    int all = n_places >= ALL_PLACES_FROM;
    fw_err err = fw_forecast_places(fc, st, g, all ? NULL : ids,
                                    all ? 0 : n_places, at, 0, &pf, &n, d);
    if (err != FW_OK) {
        return err;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = k;
        if (all) {
            struct id_index key = {pf[k].place_id, 0};
            const struct id_index *hit =
                bsearch(&key, index, n_places, sizeof *index, by_id);
            if (hit == NULL) {
                continue; /* a place not asked for */
            }
            i = hit->i;
        } else if (i >= n_places) {
            break;
        }
        if (pf[k].state == FW_FORECAST_OK) {
            for (int h = 0; h < FW_N_HORIZONS; h++) {
                rows[i * n_days + j].p[h] = pf[k].p[h];
            }
        }
    }
    free(pf);
    return FW_OK;
}

fw_err fw_history_build(fw_store *st, fw_geo *g, const fw_forecast *fc,
                        const struct fw_place *places, size_t n_places,
                        int64_t from_s, int64_t to_s, int step_days,
                        struct fw_history *out, struct fw_diag *d)
{
    from_s = fw_date_floor_day(from_s);
    to_s = fw_date_floor_day(to_s);
    if (n_places == 0 || step_days < 1 || step_days > 31 || to_s < from_s) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "a history needs places, a step of 1 to 31 days "
                           "and a span that ends after it starts");
    }
    int64_t step = step_days * DAY;
    size_t n_days = (size_t)((to_s - from_s) / step) + 1;
    if (from_s + (int64_t)(n_days - 1) * step != to_s) {
        n_days++; /* the last day always */
    }
    if (n_days > FW_HISTORY_MAX_DAYS) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "%zu days asked, at most %d: a shorter span or a "
                           "longer step",
                           n_days, FW_HISTORY_MAX_DAYS);
    }
    struct fw_history h;
    memset(&h, 0, sizeof h);
    struct ctx c;
    memset(&c, 0, sizeof c);
    double *lat = NULL, *lon = NULL;
    int64_t *ids = NULL;
    struct id_index *index = NULL;
    struct oblast_alerts *ob = NULL;
    size_t n_ob = 0, *ob_of = NULL;
    struct alert_days ad = {0};
    fw_err err = FW_OK;
    h.n_places = n_places;
    h.n_days = n_days;
    h.days_s = malloc(n_days * sizeof *h.days_s);
    h.rows = malloc(n_places * n_days * sizeof *h.rows);
    lat = malloc(n_places * sizeof *lat);
    lon = malloc(n_places * sizeof *lon);
    ids = malloc(n_places * sizeof *ids);
    ob = calloc(n_places, sizeof *ob);
    ob_of = malloc(n_places * sizeof *ob_of);
    index = malloc(n_places * sizeof *index);
    if (h.days_s == NULL || h.rows == NULL || lat == NULL || lon == NULL ||
        ids == NULL || ob == NULL || ob_of == NULL || index == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < n_days; j++) {
        int64_t t = from_s + (int64_t)j * step;
        h.days_s[j] = t < to_s ? t : to_s;
    }
    for (size_t i = 0; i < n_places * n_days; i++) {
        empty_row(&h.rows[i]);
    }
    for (size_t i = 0; i < n_places; i++) {
        lat[i] = places[i].lat_deg;
        lon[i] = places[i].lon_deg;
        ids[i] = places[i].id;
        index[i].id = places[i].id;
        index[i].i = i;
    }
    qsort(index, n_places, sizeof *index, by_id);
    /* the alert intervals of each oblast once */
    for (size_t i = 0; i < n_places && err == FW_OK; i++) {
        size_t k = 0;
        while (k < n_ob && strcmp(ob[k].iso, places[i].oblast_iso) != 0) {
            k++;
        }
        if (k == n_ob) {
            err = load_alerts(st, places[i].oblast_iso, from_s - 7 * DAY,
                              to_s + DAY, &ob[n_ob++], d);
        }
        ob_of[i] = k;
    }
    if (err != FW_OK ||
        (err = load_alert_days(st, to_s + DAY, &ad, d)) != FW_OK ||
        (err = fw_geo_points_new(g, lat, lon, n_places, &c.pts, d)) !=
            FW_OK) {
        goto out;
    }
    c.g = g;
    c.n_places = n_places;
    for (size_t j = 0; j < n_days && err == FW_OK; j++) {
        int64_t at = h.days_s[j] + DAY - 1; /* the end of the day, as assess */
        err = map_rows(&c, st, places, at, h.rows, n_days, j, d);
        for (size_t i = 0; err == FW_OK && i < n_places; i++) {
            const struct oblast_alerts *oa = &ob[ob_of[i]];
            /* as assess: no hours from data that does not reach the day
             * (the newest alert anywhere more than 2 days before it) */
            int64_t newest = newest_alert_at(&ad, at);
            if (oa->first_s <= at && newest != INT64_MIN &&
                at - newest <= FW_ASSESS_ALERT_STALE_DAYS * DAY) {
                h.rows[i * n_days + j].alert_hours_7d =
                    fw_assess_covered_s(oa->iv, oa->n, at - 7 * DAY, at) /
                    3600.0;
            }
        }
        if (err == FW_OK && fc != NULL &&
            (step_days >= 7 || is_monday(h.days_s[j]) || j == n_days - 1)) {
            err = forecast_rows(fc, st, g, ids, index, n_places, at, h.rows,
                                n_days, j, d);
        }
    }
out:
    for (size_t k = 0; k < n_ob; k++) {
        free(ob[k].iv);
    }
    free(ob);
    free(ob_of);
    free(ad.day);
    free(ad.newest_s);
    free(lat);
    free(lon);
    free(ids);
    free(index);
    ctx_reset(&c);
    if (err != FW_OK) {
        fw_history_free(&h);
        return err;
    }
    *out = h;
    return FW_OK;
}

/* A number with digits decimals, or null. */
static void num(FILE *f, const char *key, double v, int digits)
{
    if (isnan(v) || isinf(v)) {
        fprintf(f, ",\"%s\":null", key);
    } else {
        fprintf(f, ",\"%s\":%.*f", key, digits, v);
    }
}

void fw_history_write_json(const struct fw_history *h,
                           const struct fw_place *place, size_t i,
                           int step_days, FILE *f)
{
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddNumberToObject(pl, "id", (double)place->id);
    cJSON_AddStringToObject(pl, "name", place->name);
    if (place->name_local[0] != '\0') {
        cJSON_AddStringToObject(pl, "name_local", place->name_local);
    }
    cJSON_AddStringToObject(pl, "oblast_iso", place->oblast_iso);
    cJSON_AddNumberToObject(pl, "lat", place->lat_deg);
    cJSON_AddNumberToObject(pl, "lon", place->lon_deg);
    char *txt = cJSON_PrintUnformatted(pl);
    char from[11], to[11], day[11];
    fw_date_format_day(h->days_s[0], from);
    fw_date_format_day(h->days_s[h->n_days - 1], to);
    fprintf(f, "{\"place\":%s,\"from\":\"%s\",\"to\":\"%s\",\"step_days\":%d,"
               "\"days\":[",
            txt ? txt : "null", from, to, step_days);
    cJSON_free(txt);
    cJSON_Delete(pl);
    for (size_t j = 0; j < h->n_days; j++) {
        const struct fw_history_row *r = &h->rows[i * h->n_days + j];
        fw_date_format_day(h->days_s[j], day);
        fprintf(f, "%s{\"date\":\"%s\"", j ? "," : "", day);
        if (r->has_status) {
            fprintf(f, ",\"status\":\"%s\",\"source\":\"%s\"",
                    fw_status_name(r->status), FW_GEO_SOURCES[r->source]);
        } else {
            fprintf(f, ",\"status\":null,\"source\":null");
        }
        num(f, "distance_km", r->distance_km, 3);
        num(f, "distance_change_7d_km", r->distance_change_7d_km, 3);
        num(f, "alert_hours_7d", r->alert_hours_7d, 2);
        num(f, "p_occupied_30d", r->p[0], 5);
        num(f, "p_occupied_90d", r->p[1], 5);
        fputc('}', f);
    }
    fputs("]}\n", f);
}
