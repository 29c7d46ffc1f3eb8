/*
 * dataset.c - forecasting samples: features at an origin and labels from
 * the maps that followed (see dataset.h).
 *
 * Per series, the maps needed are measured for every place at once with
 * the whole-history kernel (fw_geo_control_points): status and distance per
 * (map, place). Areas within 10/25/50 km are computed only where the
 * distance is below the radius (else they are exactly 0) and remembered per
 * (map, place). Alert hours and strike counts are per oblast and origin.
 * The border distance is per place; strikes near the place per place and
 * origin, from the incident tables held in memory (incidents.h).
 */
#include "frontwatch/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/assess.h"
#include "frontwatch/border.h"
#include "frontwatch/date.h"
#include "frontwatch/events.h"
#include "frontwatch/incidents.h"
#include "frontwatch/oblast.h"

#define DAY ((int64_t)FW_DAY_S)
#define PI 3.14159265358979323846

const int FW_HORIZON_DAYS[FW_N_HORIZONS] = {30, 90};
const char *const FW_SERIES[FW_N_SERIES] = {"deepstate", "nzz"};

const char *const FW_FEATURE_NAMES[FW_N_FEATURES] = {
    [FW_F_LOG_DIST] = "log_dist",
    [FW_F_DIST_CHANGE_7D] = "dist_change_7d",
    [FW_F_DIST_CHANGE_28D] = "dist_change_28d",
    [FW_F_OCC_10KM] = "log_occupied_10km",
    [FW_F_OCC_25KM] = "log_occupied_25km",
    [FW_F_OCC_50KM] = "log_occupied_50km",
    [FW_F_OCC_50KM_CHANGE_28D] = "occupied_50km_change_28d",
    [FW_F_CONTESTED_25KM] = "log_contested_25km",
    [FW_F_ALERT_HOURS_7D] = "alert_hours_7d",
    [FW_F_ALERT_RATIO] = "alert_ratio",
    [FW_F_STRIKES_7D] = "strikes_7d",
    [FW_F_STRIKE_RATIO] = "strike_ratio",
    [FW_F_LOG_POP] = "log_population",
    [FW_F_SEASON_SIN] = "season_sin",
    [FW_F_SEASON_COS] = "season_cos",
    [FW_F_SOURCE_NZZ] = "source_nzz",
    [FW_F_DIST_CHANGE_90D] = "dist_change_90d",
    [FW_F_DIST_CHANGE_180D] = "dist_change_180d",
    [FW_F_STILL_10KM] = "still_days_10km",
    [FW_F_STILL_25KM] = "still_days_25km",
    [FW_F_BORDER_DIST] = "log_border_dist",
    [FW_F_STRIKES_25KM_30D] = "log_strikes_25km_30d",
    [FW_F_STRIKES_25KM_RATIO] = "strikes_25km_ratio",
};

/* The maps an origin's features read: the origin's own, then the ones in
 * force these many days before it. */
static const int LAG_DAYS[] = {0, 7, 28, 90, 180};
#define N_LAGS (sizeof LAG_DAYS / sizeof *LAG_DAYS)
/* A change of the occupied area within a radius smaller than this is a
 * redrawn edge, not a move (km2). */
#define MOVED_KM2 0.5

/* The baseline of alert and strike ratios: the 90 days before the week. */
#define BASELINE_DAYS 90

static const double RADII_KM[3] = {10.0, 25.0, 50.0};

int64_t fw_dataset_resolved_s(const struct fw_sample *s, int h)
{
    return s->origin_s + (FW_HORIZON_DAYS[h] + FW_DATASET_CONFIRM_DAYS) * DAY;
}

void fw_dataset_free(struct fw_dataset *ds)
{
    if (ds == NULL) {
        return;
    }
    free(ds->places);
    free(ds->s);
    free(ds->x);
    memset(ds, 0, sizeof *ds);
}

static fw_err sql_err(fw_store *st, struct fw_diag *d)
{
    return fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                       sqlite3_errmsg(fw_store_db(st)));
}

/* ---- places ---- */

/* Orders places by cells of about 100 km, then id. */
static long cell_of(const struct fw_place *p)
{
    return (long)floor(p->lat_deg / 0.9) * 1000 + (long)floor(p->lon_deg / 1.35);
}

static int by_cell(const void *a, const void *b)
{
    const struct fw_place *x = a, *y = b;
    long cx = cell_of(x), cy = cell_of(y);
    if (cx != cy) {
        return cx < cy ? -1 : 1;
    }
    return (x->id > y->id) - (x->id < y->id);
}

static fw_err load_places(fw_store *st, const struct fw_dataset_opts *o,
                          struct fw_dataset *ds, struct fw_diag *d)
{
    if (o->place_ids == NULL) {
        fw_err err = fw_place_all(st, &ds->places, &ds->n_places, d);
        if (err == FW_OK) { /* neighbours together: see geo.c's area_near
                               tiles */
            qsort(ds->places, ds->n_places, sizeof *ds->places, by_cell);
        }
        return err;
    }
    size_t n = o->n_place_ids;
    if (n > 0 && (ds->places = calloc(n, sizeof *ds->places)) == NULL) {
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        fw_err err = fw_place_get(st, o->place_ids[i], &ds->places[i], d);
        if (err != FW_OK) {
            return err;
        }
    }
    ds->n_places = n;
    return FW_OK;
}

/* ---- one series' maps ---- */

struct map {
    struct fw_snapshot_info info;
    int suspect;
    int64_t next_pub_s; /* publication of the next map, INT64_MAX if none */
    int needed;
    int measured;
    int64_t next_ok;    /* index of the next non-suspect map, -1 if none */
};

static fw_err load_maps(fw_store *st, const char *source, struct map **out,
                        size_t *n_out, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT id, published_s, as_of_s, suspect IS NOT NULL FROM snapshot"
        " WHERE source = ?1 AND n_polygons > 0 ORDER BY published_s",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    struct map *m = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            struct map *nm = realloc(m, cap * sizeof *nm);
            if (nm == NULL) {
                err = FW_ENOMEM;
                break;
            }
            m = nm;
        }
        struct map *x = &m[n++];
        memset(x, 0, sizeof *x);
        x->info.id = sqlite3_column_int64(s, 0);
        snprintf(x->info.source, sizeof x->info.source, "%s", source);
        x->info.published_s = sqlite3_column_int64(s, 1);
        x->info.as_of_s = sqlite3_column_int64(s, 2);
        x->info.has_contested = strcmp(source, "deepstate") == 0;
        x->suspect = sqlite3_column_int(s, 3);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_err(st, d);
    }
    sqlite3_finalize(s);
    if (err != FW_OK) {
        free(m);
        return err;
    }
    int64_t next_ok = -1;
    for (size_t i = n; i-- > 0;) {
        m[i].next_pub_s = i + 1 < n ? m[i + 1].info.published_s : INT64_MAX;
        m[i].next_ok = next_ok;
        if (!m[i].suspect) {
            next_ok = (int64_t)i;
        }
    }
    *out = m;
    *n_out = n;
    return FW_OK;
}

/* The map in force at time u as seen at time t >= u: the newest published
 * at or before u, passing over suspect maps whose suspicion was known at t
 * (the map after them was out). -1 when there is none. */
static long map_at(const struct map *m, size_t n, int64_t u, int64_t t)
{
    size_t lo = 0, hi = n; /* first index with published_s > u */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid].info.published_s <= u) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t i = lo; i-- > 0;) {
        if (!(m[i].suspect && m[i].next_pub_s <= t)) {
            return (long)i;
        }
    }
    return -1;
}

/* ---- oblast-wide alert hours ---- */

struct interval {
    int64_t a, b;
};

struct oblast_alerts {
    struct interval *iv; /* sorted, merged */
    size_t n;
};

struct alerts {
    struct oblast_alerts ob[32];
    int64_t first_s, last_s; /* of any alert; 0 when none */
};

static double covered_h(const struct oblast_alerts *o, int64_t lo, int64_t hi)
{
    /* first interval ending after lo */
    size_t l = 0, h = o->n;
    while (l < h) {
        size_t mid = l + (h - l) / 2;
        if (o->iv[mid].b <= lo) {
            l = mid + 1;
        } else {
            h = mid;
        }
    }
    double sum = 0;
    for (size_t i = l; i < o->n && o->iv[i].a < hi; i++) {
        int64_t a = o->iv[i].a > lo ? o->iv[i].a : lo;
        int64_t b = o->iv[i].b < hi ? o->iv[i].b : hi;
        if (b > a) {
            sum += (double)(b - a);
        }
    }
    return sum / 3600.0;
}

static int interval_cmp(const void *pa, const void *pb)
{
    const struct interval *a = pa, *b = pb;
    return (a->a > b->a) - (a->a < b->a);
}

/* Sorts o's intervals by start and merges the overlapping ones. */
static void merge_intervals(struct oblast_alerts *o)
{
    if (o->n == 0) {
        return;
    }
    qsort(o->iv, o->n, sizeof *o->iv, interval_cmp);
    size_t w = 0;
    for (size_t i = 1; i < o->n; i++) {
        if (o->iv[i].a <= o->iv[w].b) {
            if (o->iv[i].b > o->iv[w].b) {
                o->iv[w].b = o->iv[i].b;
            }
        } else {
            o->iv[++w] = o->iv[i];
        }
    }
    o->n = w + 1;
}

/* Reads the alerts that overlap [lo, hi) into al (and the first and last
 * start of all alerts), in the table's own order, a sequential scan, and
 * sorts them in memory: asking SQLite for every alert by oblast and start
 * walks the index and looks up each row apart, which took 75 ms of a
 * 100 ms forecast of one place. */
static fw_err load_alerts(fw_store *st, int64_t lo, int64_t hi,
                          struct alerts *al, struct fw_diag *d)
{
    memset(al, 0, sizeof *al);
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st, "SELECT min(start_s), max(start_s) FROM alert", &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        al->first_s = sqlite3_column_int64(s, 0);
        al->last_s = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    err = fw_store_prepare(
        st,
        /* every level: a raion's alert is its oblast's (assess.c); a
         * sequential scan: through alert_start (schema 5) the window of a
         * recent date is nearly every row, each looked up by rowid, 3
         * times slower (bench/serve_load.sh's profile) */
        "SELECT oblast_iso, start_s, end_s FROM alert NOT INDEXED"
        " WHERE end_s >= ?1 AND start_s < ?2",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, lo);
    sqlite3_bind_int64(s, 2, hi);
    int rc;
    size_t cap[32] = {0};
    char last_iso[8] = ""; /* rows come in runs of one oblast */
    size_t last_k = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *iso = (const char *)sqlite3_column_text(s, 0);
        if (iso == NULL) {
            continue;
        }
        size_t k;
        if (last_iso[0] != '\0' && strcmp(iso, last_iso) == 0) {
            k = last_k;
        } else {
            const struct fw_oblast *ob = fw_oblast_by_iso(iso);
            if (ob == NULL) {
                continue;
            }
            for (k = 0; fw_oblast_at(k) != ob; k++) {
            }
            snprintf(last_iso, sizeof last_iso, "%s", iso);
            last_k = k;
        }
        int64_t a = sqlite3_column_int64(s, 1), b = sqlite3_column_int64(s, 2);
        struct oblast_alerts *o = &al->ob[k];
        if (o->n == cap[k]) {
            cap[k] = cap[k] ? cap[k] * 2 : 512;
            struct interval *niv = realloc(o->iv, cap[k] * sizeof *niv);
            if (niv == NULL) {
                err = FW_ENOMEM;
                break;
            }
            o->iv = niv;
        }
        o->iv[o->n].a = a;
        o->iv[o->n].b = b;
        o->n++;
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_err(st, d);
    }
    sqlite3_finalize(s);
    for (size_t k = 0; err == FW_OK && k < 32; k++) {
        merge_intervals(&al->ob[k]);
    }
    return err;
}

static void free_alerts(struct alerts *al)
{
    for (size_t k = 0; k < 32; k++) {
        free(al->ob[k].iv);
    }
}

/* ---- strikes (events.h) ---- */

struct event_span {
    int64_t first_s, last_s; /* of the missile table; 0 when empty */
};

static fw_err events_span(fw_store *st, struct event_span *sp,
                          struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT min(t_s), max(t_s) FROM event"
        " WHERE source = 'missile_attacks_daily'",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    memset(sp, 0, sizeof *sp);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        sp->first_s = sqlite3_column_int64(s, 0);
        sp->last_s = sqlite3_column_int64(s, 1);
    } else if (rc != SQLITE_ROW) {
        err = sql_err(st, d);
    }
    sqlite3_finalize(s);
    return err;
}

/* ---- per-oblast, per-origin region features ---- */

struct region_feat {
    float alert_h7, alert_ratio, strikes7, strike_ratio;
};

static float log_ratio(double week, double baseline_total)
{
    double per_week = baseline_total * 7.0 / BASELINE_DAYS;
    return (float)log((1.0 + week) / (1.0 + per_week));
}

/* Features of oblast k_ob at t; c7 and cb are its strike counts in the
 * week before t and in the BASELINE_DAYS before that. */
static void region_features(const struct alerts *al,
                            const struct event_span *ev, size_t k_ob,
                            int64_t t, const struct fw_event_counts *c7,
                            const struct fw_event_counts *cb,
                            struct region_feat *rf)
{
    rf->alert_h7 = rf->alert_ratio = rf->strikes7 = rf->strike_ratio = NAN;
    /* alerts: known while the data runs (a quiet oblast is not missing
     * data); the ratio needs the whole baseline */
    if (al->last_s > 0 && t >= al->first_s + 7 * DAY &&
        t - al->last_s <= 2 * DAY) {
        const struct oblast_alerts *o = &al->ob[k_ob];
        double h7 = covered_h(o, t - 7 * DAY, t);
        rf->alert_h7 = (float)h7;
        if (t >= al->first_s + (7 + BASELINE_DAYS) * DAY) {
            double base = covered_h(o, t - (7 + BASELINE_DAYS) * DAY,
                                    t - 7 * DAY);
            rf->alert_ratio = log_ratio(h7, base);
        }
    }
    if (ev->last_s > 0 && t >= ev->first_s + 7 * DAY &&
        t - ev->last_s <= 2 * DAY) {
        double s7 = (double)(c7->n_waves_oblast + c7->n_waves_region);
        rf->strikes7 = (float)s7;
        if (t >= ev->first_s + (7 + BASELINE_DAYS) * DAY) {
            rf->strike_ratio = log_ratio(
                s7, (double)(cb->n_waves_oblast + cb->n_waves_region));
        }
    }
}

/* ---- per-place features: the state border, strikes near the place ---- */

struct place_feat {
    float *border;       /* n_places */
    float *strikes30;    /* n_origins * n_places, origin-major */
    float *strike_ratio; /* likewise */
};

static void free_place_feat(struct place_feat *pf)
{
    free(pf->border);
    free(pf->strikes30);
    free(pf->strike_ratio);
}

/* The incident tables that cover a window from t0 to at as assess counts
 * them for a date (assess.h): records back to t0, the newest at most
 * FW_ASSESS_STRIKE_STALE_DAYS before the date: a source mask. */
static unsigned strike_cover(const fw_strike_set *set, int64_t date_s,
                             int64_t at, int64_t t0)
{
    unsigned m = 0;
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        struct fw_event_span sp;
        fw_strike_set_span(set, (enum fw_incident_source)i, at, &sp);
        if (sp.has_data && sp.oldest_s <= t0 &&
            date_s - fw_date_floor_day(sp.newest_s) <=
                FW_ASSESS_STRIKE_STALE_DAYS * DAY) {
            m |= 1u << i;
        }
    }
    return m;
}

/* The strikes of an origin t are assess's for the day before it, whose
 * last second is t - 1: the same windows and the same coverage, so that a
 * model's feature is the figure assess shows. */
static fw_err place_features(fw_store *st, fw_geo *g, const int64_t *origins,
                             size_t n_origins, const unsigned char *need,
                             const struct fw_dataset *ds,
                             struct place_feat *pf, struct fw_diag *d)
{
    size_t np = ds->n_places, no = n_origins;
    int border = need == NULL || need[FW_F_BORDER_DIST];
    int strikes = need == NULL || need[FW_F_STRIKES_25KM_30D] ||
                  need[FW_F_STRIKES_25KM_RATIO];
    memset(pf, 0, sizeof *pf);
    size_t cells = np * no > 0 ? np * no : 1;
    pf->border = malloc((np > 0 ? np : 1) * sizeof *pf->border);
    pf->strikes30 = malloc(cells * sizeof *pf->strikes30);
    pf->strike_ratio = malloc(cells * sizeof *pf->strike_ratio);
    unsigned *m30 = malloc((no ? no : 1) * sizeof *m30);
    unsigned *m120 = malloc((no ? no : 1) * sizeof *m120);
    fw_strike_set *set = NULL;
    fw_err err = pf->border && pf->strikes30 && pf->strike_ratio && m30 && m120
                     ? FW_OK
                     : fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    if (err == FW_OK && strikes) {
        err = fw_strike_set_load(st, &set, d);
    }
    unsigned any = 0; /* a table covers some origin's window */
    for (size_t j = 0; err == FW_OK && j < no; j++) {
        int64_t at = origins[j] - 1, date_s = fw_date_floor_day(at);
        m30[j] = strikes ? strike_cover(set, date_s, at, at - 30 * DAY) : 0;
        m120[j] = strikes ? strike_cover(set, date_s, at, at - 120 * DAY) : 0;
        any |= m30[j] | m120[j];
    }
    for (size_t i = 0; err == FW_OK && i < np * no; i++) {
        pf->strikes30[i] = pf->strike_ratio[i] = NAN;
    }
    for (size_t p = 0; err == FW_OK && p < np; p++) {
        const struct fw_place *pl = &ds->places[p];
        pf->border[p] = NAN;
        struct fw_border_distance b;
        if (border) {
            err = fw_border_distance(g, pl->lat_deg, pl->lon_deg, &b, d);
            pf->border[p] = err == FW_OK ? (float)log1p(b.distance_km) : NAN;
            if (err == FW_ENOTFOUND) {
                err = FW_OK;
            }
        }
        struct fw_strike_near nr;
        memset(&nr, 0, sizeof nr);
        if (err == FW_OK && any &&
            (err = fw_strike_set_near(set, pl->lat_deg, pl->lon_deg,
                                      FW_ASSESS_STRIKE_RADIUS_KM, &nr, d)) ==
                FW_OK) {
            for (size_t j = 0; j < no; j++) {
                int64_t t = origins[j] - 1;
                size_t i = j * np + p;
                if (m30[j]) {
                    pf->strikes30[i] = (float)log1p(
                        (double)fw_strike_near_count(&nr, t - 30 * DAY, t,
                                                     m30[j]));
                }
                if (m120[j]) {
                    double n30 = (double)fw_strike_near_count(
                        &nr, t - 30 * DAY, t, m120[j]);
                    double base = (double)fw_strike_near_count(
                        &nr, t - 120 * DAY, t - 30 * DAY, m120[j]);
                    pf->strike_ratio[i] =
                        (float)log((1.0 + n30) / (1.0 + base / 3.0));
                }
            }
        }
        fw_strike_near_free(&nr);
    }
    fw_strike_set_free(set);
    free(m30);
    free(m120);
    return err;
}

/* ---- building ---- */

static fw_err push(struct fw_dataset *ds, const struct fw_sample *s,
                   const float *x)
{
    if (ds->n == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 4096;
        struct fw_sample *ns = realloc(ds->s, cap * sizeof *ns);
        if (ns == NULL) {
            return FW_ENOMEM;
        }
        ds->s = ns;
        float *nx = realloc(ds->x, cap * FW_N_FEATURES * sizeof *nx);
        if (nx == NULL) {
            return FW_ENOMEM;
        }
        ds->x = nx;
        ds->cap = cap;
    }
    ds->s[ds->n] = *s;
    memcpy(ds->x + ds->n * FW_N_FEATURES, x, FW_N_FEATURES * sizeof *x);
    ds->n++;
    return FW_OK;
}

struct series_ctx {
    fw_store *st;
    fw_geo *g;
    const struct fw_dataset_opts *o;
    struct fw_dataset *ds;
    const int64_t *origins;
    size_t n_origins;
    struct region_feat *rf; /* n_origins x 27 oblasts, filled per series */
    const struct place_feat *pf;
    int series;
    struct map *m;
    size_t n_maps;
    /* per (map, place): index k * n_places + p */
    unsigned char *occupied;
    float *dist;
    float *area;     /* x3 radii, NAN = not computed */
    float *contested;
    int64_t *next_conf_s; /* first confirmed occupation at or after map k */
};

static size_t oblast_index(const char *iso)
{
    const struct fw_oblast *ob = iso[0] ? fw_oblast_by_iso(iso) : NULL;
    if (ob == NULL) {
        return (size_t)-1;
    }
    size_t k = 0;
    while (fw_oblast_at(k) != ob) {
        k++;
    }
    return k;
}

static fw_err measure_maps(struct series_ctx *c, struct fw_diag *d)
{
    size_t np = c->ds->n_places;
    double *lat = malloc(np * sizeof *lat), *lon = malloc(np * sizeof *lon);
    struct fw_control *out = malloc(np * sizeof *out);
    fw_geo_points *pts = NULL;
    fw_err err = (lat && lon && out) ? FW_OK : FW_ENOMEM;
    for (size_t p = 0; err == FW_OK && p < np; p++) {
        lat[p] = c->ds->places[p].lat_deg;
        lon[p] = c->ds->places[p].lon_deg;
    }
    if (err == FW_OK) {
        err = fw_geo_points_new(c->g, lat, lon, np, &pts, d);
    }
    size_t n_needed = 0, done = 0;
    for (size_t k = 0; k < c->n_maps; k++) {
        n_needed += c->m[k].needed != 0;
    }
    for (size_t k = 0; err == FW_OK && k < c->n_maps; k++) {
        if (!c->m[k].needed) {
            continue;
        }
        err = fw_geo_control_points(c->g, pts, &c->m[k].info,
                                    FW_GEO_SKIP_CONTESTED, out, d);
        if (err == FW_ENOTFOUND) { /* a map without occupied area */
            err = FW_OK;
            continue;
        }
        for (size_t p = 0; err == FW_OK && p < np; p++) {
            size_t i = k * np + p;
            c->occupied[i] = out[p].status == FW_STATUS_OCCUPIED ||
                             out[p].status == FW_STATUS_OCCUPIED_PRE2022;
            c->dist[i] = (float)out[p].distance_km;
        }
        c->m[k].measured = 1;
        if (c->o->progress != NULL) {
            c->o->progress(c->o->progress_arg, FW_SERIES[c->series], ++done,
                           n_needed);
        }
    }
    fw_geo_points_free(pts);
    free(lat);
    free(lon);
    free(out);
    return err;
}

/* Occupied km2 within the three radii at map k for place p (memoised). */
static fw_err areas(struct series_ctx *c, size_t k, size_t p, float a[3],
                    struct fw_diag *d)
{
    size_t np = c->ds->n_places, i = (k * np + p) * 3;
    if (isnan(c->area[i])) {
        double dist = c->dist[k * np + p], km2[3] = {0, 0, 0};
        size_t first = 0; /* radii below the distance hold nothing */
        while (first < 3 && RADII_KM[first] <= dist) {
            first++;
        }
        if (first < 3) {
            const struct fw_place *pl = &c->ds->places[p];
            fw_err err = fw_geo_area_near(c->g, &c->m[k].info,
                                          FW_GEO_AREA_OCCUPIED, pl->lat_deg,
                                          pl->lon_deg, RADII_KM + first,
                                          3 - first, km2 + first, d);
            if (err != FW_OK) {
                return err;
            }
        }
        for (size_t r = 0; r < 3; r++) {
            c->area[i + r] = (float)km2[r];
        }
    }
    memcpy(a, c->area + i, 3 * sizeof *a);
    return FW_OK;
}

static fw_err contested(struct series_ctx *c, size_t k, size_t p, float *out,
                        struct fw_diag *d)
{
    size_t i = k * c->ds->n_places + p;
    if (isnan(c->contested[i])) {
        double km2 = 0, r = 25.0;
        const struct fw_place *pl = &c->ds->places[p];
        fw_err err = fw_geo_area_near(c->g, &c->m[k].info,
                                      FW_GEO_AREA_CONTESTED, pl->lat_deg,
                                      pl->lon_deg, &r, 1, &km2, d);
        if (err != FW_OK) {
            return err;
        }
        c->contested[i] = (float)km2;
    }
    *out = c->contested[i];
    return FW_OK;
}

/* The still_days features of place p at an origin whose maps (LAG_DAYS)
 * are kk, the origin's areas within 10/25/50 km being ar: the longest lag
 * of 28, 90, 180 days at whose map both areas are within MOVED_KM2 of
 * today's, and every shorter lag's too (0 when the 28-day one moved);
 * missing from the first lag without a map. */
static fw_err still_days(struct series_ctx *c, const long *kk, size_t p,
                         const float ar[3], float *x, struct fw_diag *d)
{
    static const int feat[2] = {FW_F_STILL_10KM, FW_F_STILL_25KM};
    int still[2] = {1, 1};
    x[feat[0]] = x[feat[1]] = 0;
    for (size_t q = 2; q < N_LAGS; q++) {
        if (kk[q] < 0 || !c->m[kk[q]].measured) {
            for (int r = 0; r < 2; r++) {
                if (still[r]) {
                    x[feat[r]] = NAN;
                }
            }
            return FW_OK;
        }
        float then[3];
        fw_err err = areas(c, (size_t)kk[q], p, then, d);
        if (err != FW_OK) {
            return err;
        }
        for (int r = 0; r < 2; r++) {
            still[r] = still[r] && fabsf(then[r] - ar[r]) < MOVED_KM2;
            if (still[r]) {
                x[feat[r]] = (float)LAG_DAYS[q];
            }
        }
    }
    return FW_OK;
}

/* next_conf_s[k][p]: publication time of the first non-suspect map at or
 * after k showing p occupied whose next non-suspect map (if any) does too. */
static void confirmations(struct series_ctx *c)
{
    size_t np = c->ds->n_places;
    for (size_t p = 0; p < np; p++) {
        int64_t next = INT64_MAX;
        for (size_t k = c->n_maps; k-- > 0;) {
            const struct map *m = &c->m[k];
            if (!m->suspect && m->measured && c->occupied[k * np + p]) {
                int64_t j = m->next_ok;
                if (j < 0 || !c->m[j].measured ||
                    c->occupied[(size_t)j * np + p]) {
                    next = m->info.published_s;
                }
            }
            c->next_conf_s[k * np + p] = next;
        }
    }
}

static fw_err build_series(struct series_ctx *c, struct fw_diag *d)
{
    fw_err err = load_maps(c->st, FW_SERIES[c->series], &c->m, &c->n_maps, d);
    if (err != FW_OK || c->n_maps == 0) {
        return err;
    }
    size_t np = c->ds->n_places, nk = c->n_maps;
    long *k0 = malloc(c->n_origins * N_LAGS * sizeof *k0);
    c->occupied = calloc(nk * np, 1);
    c->dist = malloc(nk * np * sizeof *c->dist);
    c->area = malloc(nk * np * 3 * sizeof *c->area);
    c->contested = malloc(nk * np * sizeof *c->contested);
    c->next_conf_s = malloc(nk * np * sizeof *c->next_conf_s);
    if (!k0 || !c->occupied || !c->dist || !c->area || !c->contested ||
        !c->next_conf_s) {
        free(k0);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < nk * np; i++) {
        c->dist[i] = NAN;
        c->contested[i] = NAN;
    }
    for (size_t i = 0; i < nk * np * 3; i++) {
        c->area[i] = NAN;
    }
    /* which maps: the origin's and those of LAG_DAYS before; for labels
     * every usable map */
    int64_t last_ok_s = 0;
    for (size_t k = 0; k < nk; k++) {
        if (!c->m[k].suspect) {
            last_ok_s = c->m[k].info.published_s;
            c->m[k].needed = c->o->with_labels;
        }
    }
    for (size_t j = 0; j < c->n_origins; j++) {
        int64_t t = c->origins[j];
        long *kk = k0 + N_LAGS * j;
        kk[0] = map_at(c->m, nk, t, t);
        if (kk[0] >= 0 && t - c->m[kk[0]].info.published_s >
                              FW_DATASET_MAX_MAP_AGE_DAYS * DAY) {
            kk[0] = -1;
        }
        for (size_t q = 1; q < N_LAGS; q++) {
            kk[q] = kk[0] < 0 ? -1 : map_at(c->m, nk, t - LAG_DAYS[q] * DAY, t);
        }
        for (size_t q = 0; q < N_LAGS; q++) {
            if (kk[q] >= 0) {
                c->m[kk[q]].needed = 1;
            }
        }
    }
    err = measure_maps(c, d);
    if (err == FW_OK && c->o->with_labels) {
        confirmations(c);
    }
    for (size_t j = 0; err == FW_OK && j < c->n_origins; j++) {
        int64_t t = c->origins[j];
        const long *kk = k0 + N_LAGS * j;
        if (kk[0] < 0 || !c->m[kk[0]].measured) {
            continue;
        }
        size_t a = (size_t)kk[0];
        /* the truth at t, for labels: the newest map published by t that
         * is not a glitch (known as one or not yet) */
        long kt = -1;
        for (long k = kk[0]; c->o->with_labels && k >= 0; k--) {
            if (!c->m[k].suspect) {
                kt = c->m[k].measured ? k : -1;
                break;
            }
        }
        /* first map published after t, for labels */
        size_t after = a + 1;
        while (after < nk && c->m[after].info.published_s <= t) {
            after++;
        }
        double doy;
        {
            char day[11];
            fw_date_format_day(t, day);
            int64_t jan1 = fw_date_from_civil(atoi(day), 1, 1, 0, 0, 0);
            doy = (double)(t - jan1) / (double)DAY;
        }
        for (size_t p = 0; err == FW_OK && p < np; p++) {
            size_t i0 = a * np + p;
            if (c->occupied[i0] ||
                (kt >= 0 && c->occupied[(size_t)kt * np + p])) {
                continue;
            }
            const struct fw_place *pl = &c->ds->places[p];
            float x[FW_N_FEATURES];
            for (int f = 0; f < FW_N_FEATURES; f++) {
                x[f] = NAN;
            }
            double dist = c->dist[i0];
            x[FW_F_LOG_DIST] = (float)log1p(dist);
            static const int change_f[N_LAGS] = {
                -1, FW_F_DIST_CHANGE_7D, FW_F_DIST_CHANGE_28D,
                FW_F_DIST_CHANGE_90D, FW_F_DIST_CHANGE_180D};
            for (size_t q = 1; q < N_LAGS; q++) {
                if (kk[q] >= 0 && c->m[kk[q]].measured) {
                    double then = c->dist[(size_t)kk[q] * np + p];
                    x[change_f[q]] = (float)(dist - then);
                }
            }
            float ar[3];
            if ((err = areas(c, a, p, ar, d)) != FW_OK ||
                (err = still_days(c, kk, p, ar, x, d)) != FW_OK) {
                break;
            }
            x[FW_F_OCC_10KM] = (float)log1p(ar[0]);
            x[FW_F_OCC_25KM] = (float)log1p(ar[1]);
            x[FW_F_OCC_50KM] = (float)log1p(ar[2]);
            if (kk[2] >= 0 && c->m[kk[2]].measured) {
                float ar28[3];
                if ((err = areas(c, (size_t)kk[2], p, ar28, d)) != FW_OK) {
                    break;
                }
                x[FW_F_OCC_50KM_CHANGE_28D] = ar[2] - ar28[2];
            }
            if (c->m[a].info.has_contested) {
                float km2;
                if ((err = contested(c, a, p, &km2, d)) != FW_OK) {
                    break;
                }
                x[FW_F_CONTESTED_25KM] = (float)log1p(km2);
            }
            size_t ob = oblast_index(pl->oblast_iso);
            if (ob != (size_t)-1) {
                const struct region_feat *rf = &c->rf[j * 32 + ob];
                x[FW_F_ALERT_HOURS_7D] = rf->alert_h7;
                x[FW_F_ALERT_RATIO] = rf->alert_ratio;
                x[FW_F_STRIKES_7D] = rf->strikes7;
                x[FW_F_STRIKE_RATIO] = rf->strike_ratio;
            }
            if (pl->population > 0) {
                x[FW_F_LOG_POP] = (float)log1p((double)pl->population);
            }
            x[FW_F_SEASON_SIN] = (float)sin(2 * PI * doy / 365.25);
            x[FW_F_SEASON_COS] = (float)cos(2 * PI * doy / 365.25);
            x[FW_F_SOURCE_NZZ] = (float)(strcmp(FW_SERIES[c->series], "nzz") == 0);
            x[FW_F_BORDER_DIST] = c->pf->border[p];
            x[FW_F_STRIKES_25KM_30D] = c->pf->strikes30[j * np + p];
            x[FW_F_STRIKES_25KM_RATIO] = c->pf->strike_ratio[j * np + p];

            struct fw_sample s = {.place = (int32_t)p,
                                  .series = (uint8_t)c->series,
                                  .origin_s = t,
                                  .map_s = c->m[a].info.published_s,
                                  .distance_km = dist};
            for (int h = 0; h < FW_N_HORIZONS; h++) {
                int64_t end = t + FW_HORIZON_DAYS[h] * DAY;
                s.y[h] = -1;
                if (c->o->with_labels && last_ok_s >= end) {
                    int64_t conf = after < nk ? c->next_conf_s[after * np + p]
                                              : INT64_MAX;
                    s.y[h] = conf <= end;
                }
            }
            err = push(c->ds, &s, x);
        }
    }
    free(k0);
    return err;
}

static void free_series(struct series_ctx *c)
{
    free(c->m);
    free(c->occupied);
    free(c->dist);
    free(c->area);
    free(c->contested);
    free(c->next_conf_s);
    c->m = NULL;
    c->occupied = NULL;
    c->dist = NULL;
    c->area = NULL;
    c->contested = NULL;
    c->next_conf_s = NULL;
}

fw_err fw_dataset_build(fw_store *st, fw_geo *g,
                        const struct fw_dataset_opts *o,
                        struct fw_dataset *out, struct fw_diag *d)
{
    memset(out, 0, sizeof *out);
    if (st == NULL || g == NULL || o == NULL || o->to_s < o->from_s ||
        o->step_s < 0 || (o->step_s == 0 && o->to_s != o->from_s)) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "bad dataset options");
    }
    size_t n_origins =
        o->step_s == 0 ? 1 : (size_t)((o->to_s - o->from_s) / o->step_s) + 1;
    int64_t *origins = malloc(n_origins * sizeof *origins);
    struct region_feat *rf = malloc(n_origins * 32 * sizeof *rf);
    struct alerts al;
    memset(&al, 0, sizeof al);
    struct event_span ev = {0};
    int64_t *win = malloc(n_origins * 4 * sizeof *win);
    struct fw_event_counts *cnt =
        malloc(n_origins * 2 * fw_oblast_count() * sizeof *cnt);
    fw_err err = origins && rf && win && cnt ? FW_OK : FW_ENOMEM;
    for (size_t j = 0; err == FW_OK && j < n_origins; j++) {
        origins[j] = o->from_s + (int64_t)j * o->step_s;
    }
    if (err == FW_OK) {
        err = load_places(st, o, out, d);
    }
    if (err == FW_OK) {
        err = load_alerts(st, o->from_s - (7 + BASELINE_DAYS) * DAY,
                          o->to_s + 1, &al, d);
    }
    if (err == FW_OK) {
        err = events_span(st, &ev, d);
    }
    /* strike counts: window 2j the week before origin j, 2j + 1 the
     * baseline before that */
    for (size_t j = 0; err == FW_OK && j < n_origins; j++) {
        int64_t t = origins[j];
        win[2 * j] = t - 7 * DAY;                         /* t0 */
        win[2 * j + 1] = t - (7 + BASELINE_DAYS) * DAY;
        win[2 * n_origins + 2 * j] = t;                   /* t1 */
        win[2 * n_origins + 2 * j + 1] = t - 7 * DAY;
    }
    if (err == FW_OK) {
        err = fw_events_counts_batch(st, win, win + 2 * n_origins,
                                     2 * n_origins, cnt, d);
    }
    /* region features per origin and oblast: the same for every series */
    size_t n_ob = fw_oblast_count();
    for (size_t j = 0; err == FW_OK && j < n_origins; j++) {
        for (size_t k = 0; k < n_ob; k++) {
            region_features(&al, &ev, k, origins[j],
                            &cnt[(2 * j) * n_ob + k],
                            &cnt[(2 * j + 1) * n_ob + k], &rf[j * 32 + k]);
        }
    }
    struct place_feat pf = {0};
    if (err == FW_OK) {
        err = place_features(st, g, origins, n_origins, o->need, out, &pf, d);
    }
    for (int sr = 0; err == FW_OK && sr < FW_N_SERIES; sr++) {
        struct series_ctx c = {.st = st,
                               .g = g,
                               .o = o,
                               .ds = out,
                               .origins = origins,
                               .n_origins = n_origins,
                               .rf = rf,
                               .pf = &pf,
                               .series = sr};
        err = build_series(&c, d);
        free_series(&c);
    }
    free_place_feat(&pf);
    free(origins);
    free(rf);
    free(win);
    free(cnt);
    free_alerts(&al);
    return err;
}
