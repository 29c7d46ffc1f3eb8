/*
 * alert_panel.c - the hourly panel of air-raid alerts per region
 * (alert_panel.h): the store's alerts merged per region, then features
 * and targets at every hour start.
 */
#include "frontwatch/alert_panel.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/date.h"
#include "frontwatch/oblast.h"

#define HOUR ((int64_t)3600)
#define DAY ((int64_t)FW_DAY_S)
#define LOOKBACK_S (FW_PANEL_LOOKBACK_H * HOUR)
/* An alert still running when read lasts at most this long past it, as in
 * assess (FW_ASSESS_ALERT_STALE_DAYS). */
#define OPEN_MAX_S (7 * DAY)
#define R FW_PANEL_N_REGIONS
#define TWO_PI 6.283185307179586

const int FW_PANEL_HORIZON_H[FW_PANEL_N_HORIZONS] = {6, 24};

static const char *const FEATURE_NAMES[FW_PF_N] = {
    "h_since_end",       "h_since_start",      "last_duration_h",
    "starts_1h",         "starts_3h",          "starts_6h",
    "starts_12h",        "starts_24h",         "starts_72h",
    "starts_168h",       "alert_h_24h",        "alert_h_7d",
    "alert_h_30d",       "regions_now",        "regions_started_1h",
    "regions_started_3h", "neighbours_now",    "neighbours_starts_3h",
    "neighbours_starts_24h", "hour_local",     "hour_sin",
    "hour_cos",          "dow_local",
};

const char *fw_panel_feature_name(int f)
{
    return f >= 0 && f < FW_PF_N ? FEATURE_NAMES[f] : "?";
}

/* The oblasts but Luhansk, Crimea and Sevastopol, in oblast.h's order. */
static const char *region_iso[R];
static size_t n_region_iso;

static void regions_init(void)
{
    if (n_region_iso != 0) {
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < fw_oblast_count() && n < R; i++) {
        const char *iso = fw_oblast_at(i)->iso;
        if (strcmp(iso, "UA-09") != 0 && strcmp(iso, "UA-43") != 0 &&
            strcmp(iso, "UA-40") != 0) {
            region_iso[n++] = iso;
        }
    }
    n_region_iso = n;
}

const char *fw_panel_region_iso(size_t i)
{
    regions_init();
    return i < n_region_iso ? region_iso[i] : NULL;
}

int fw_panel_region_index(const char *iso)
{
    regions_init();
    for (size_t i = 0; iso != NULL && i < n_region_iso; i++) {
        if (strcmp(region_iso[i], iso) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* One region's intervals: raw while loading, sorted and merged by
 * merge(); cum[i] = seconds covered by intervals before i. */
struct series {
    int64_t *s, *e;
    double *cum;
    size_t n, cap;
    int is_merged;
};

struct fw_alert_history {
    struct series r[R];
    int64_t start_s, end_s;
    /* every alert's start, all regions: whether the record is live */
    int64_t *all_s;
    size_t n_all, cap_all;
    int is_sorted;
};

fw_alert_history *fw_alert_history_new(void)
{
    regions_init();
    fw_alert_history *h = calloc(1, sizeof *h);
    if (h != NULL) {
        h->start_s = INT64_MIN;
        h->end_s = INT64_MIN;
    }
    return h;
}

void fw_alert_history_free(fw_alert_history *h)
{
    if (h == NULL) {
        return;
    }
    for (size_t i = 0; i < R; i++) {
        free(h->r[i].s);
        free(h->r[i].e);
        free(h->r[i].cum);
    }
    free(h->all_s);
    free(h);
}

int64_t fw_alert_history_end_s(const fw_alert_history *h)
{
    return h->end_s;
}

int64_t fw_alert_history_start_s(const fw_alert_history *h)
{
    return h->start_s;
}

fw_err fw_alert_history_add(fw_alert_history *h, size_t r, int64_t start_s,
                            int64_t end_s)
{
    if (r >= R || end_s < start_s) {
        return FW_EUSAGE;
    }
    struct series *se = &h->r[r];
    if (se->n == se->cap) {
        size_t cap = se->cap ? se->cap * 2 : 1024;
        int64_t *ns = realloc(se->s, cap * sizeof *ns);
        if (ns == NULL) {
            return FW_ENOMEM;
        }
        se->s = ns;
        int64_t *ne = realloc(se->e, cap * sizeof *ne);
        if (ne == NULL) {
            return FW_ENOMEM;
        }
        se->e = ne;
        se->cap = cap;
    }
    if (h->n_all == h->cap_all) {
        size_t cap = h->cap_all ? h->cap_all * 2 : 4096;
        int64_t *na = realloc(h->all_s, cap * sizeof *na);
        if (na == NULL) {
            return FW_ENOMEM;
        }
        h->all_s = na;
        h->cap_all = cap;
    }
    h->all_s[h->n_all++] = start_s;
    h->is_sorted = 0;
    se->s[se->n] = start_s;
    se->e[se->n] = end_s;
    se->n++;
    se->is_merged = 0;
    if (h->end_s == INT64_MIN || start_s > h->end_s) {
        h->end_s = start_s;
    }
    if (h->start_s == INT64_MIN || start_s < h->start_s) {
        h->start_s = start_s;
    }
    return FW_OK;
}

static int by_time(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

struct pair {
    int64_t s, e;
};

static int by_start(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->s != y->s) {
        return x->s < y->s ? -1 : 1;
    }
    return (x->e > y->e) - (x->e < y->e);
}

/* Sorts and merges one region's intervals (strict overlap, header). */
static fw_err merge(struct series *se)
{
    if (se->is_merged) {
        return FW_OK;
    }
    struct pair *p = malloc((se->n ? se->n : 1) * sizeof *p);
    double *cum = malloc((se->n + 1) * sizeof *cum);
    if (p == NULL || cum == NULL) {
        free(p);
        free(cum);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < se->n; i++) {
        p[i].s = se->s[i];
        p[i].e = se->e[i];
    }
    qsort(p, se->n, sizeof *p, by_start);
    size_t m = 0;
    for (size_t i = 0; i < se->n; i++) {
        if (m > 0 && p[i].s < se->e[m - 1]) {
            if (p[i].e > se->e[m - 1]) {
                se->e[m - 1] = p[i].e;
            }
            continue;
        }
        se->s[m] = p[i].s;
        se->e[m] = p[i].e;
        m++;
    }
    free(p);
    cum[0] = 0;
    for (size_t i = 0; i < m; i++) {
        cum[i + 1] = cum[i] + (double)(se->e[i] - se->s[i]);
    }
    free(se->cum);
    se->cum = cum;
    se->n = m;
    se->is_merged = 1;
    return FW_OK;
}

/* An alert still running when read: region r's interval i. */
struct open_ref {
    size_t r, i;
};

fw_err fw_alert_history_load(fw_store *st, int64_t lo_s, int64_t hi_s,
                             fw_alert_history **out, struct fw_diag *d)
{
    fw_alert_history *h = fw_alert_history_new();
    if (h == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    int64_t lo = lo_s == INT64_MIN ? INT64_MIN : lo_s - LOOKBACK_S;
    struct open_ref *open = NULL; /* alerts running when read */
    size_t n_open = 0;
    /* The regions' alerts that may reach past lo: a seek per region in
     * alert_oblast_end for a window, the whole table for all of it. An
     * open alert's end_s is when it was read; it may run OPEN_MAX_S past
     * that. */
    char sql[512];
    int len = snprintf(sql, sizeof sql,
                       "SELECT oblast_iso, start_s, end_s, is_open FROM alert"
                       " WHERE start_s < ?1 AND end_s > ?2 AND oblast_iso IN"
                       " (");
    for (int r = 0; r < R; r++) {
        len += snprintf(sql + len, sizeof sql - (size_t)len, "%s?%d",
                        r ? "," : "", r + 3);
    }
    snprintf(sql + len, sizeof sql - (size_t)len, ")");
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st, sql, &s, d);
    if (err != FW_OK) {
        goto fail;
    }
    sqlite3_bind_int64(s, 1, hi_s);
    sqlite3_bind_int64(s, 2, lo == INT64_MIN ? INT64_MIN : lo - OPEN_MAX_S);
    for (int r = 0; r < R; r++) {
        sqlite3_bind_text(s, r + 3, region_iso[r], -1, SQLITE_STATIC);
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int r = fw_panel_region_index(
            (const char *)sqlite3_column_text(s, 0));
        int64_t a = sqlite3_column_int64(s, 1);
        int64_t b = sqlite3_column_int64(s, 2);
        int is_open = sqlite3_column_int(s, 3);
        if (r < 0 || (!is_open && b <= lo)) {
            continue;
        }
        if (b < a) {
            b = a;
        }
        if (fw_alert_history_add(h, (size_t)r, a, b) != FW_OK) {
            err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
            goto fail;
        }
        if (is_open) {
            /* its end is mended below, once the newest time is known */
            struct open_ref *no = realloc(open, (n_open + 1) * sizeof *no);
            if (no == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                goto fail;
            }
            open = no;
            open[n_open].r = (size_t)r;
            open[n_open++].i = h->r[r].n - 1;
        }
    }
    if (rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "reading alerts: %s",
                          sqlite3_errmsg(fw_store_db(st)));
        goto fail;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (n_open > 0) {
        /* the newest time the store has seen: open alerts run to it */
        err = fw_store_prepare(
            st,
            "SELECT max((SELECT max(start_s) FROM alert WHERE start_s < ?1),"
            " (SELECT max(end_s) FROM alert WHERE start_s < ?1))",
            &s, d);
        if (err != FW_OK) {
            goto fail;
        }
        sqlite3_bind_int64(s, 1, hi_s);
        int64_t seen = INT64_MIN;
        if (sqlite3_step(s) == SQLITE_ROW &&
            sqlite3_column_type(s, 0) != SQLITE_NULL) {
            seen = sqlite3_column_int64(s, 0);
        }
        sqlite3_finalize(s);
        s = NULL;
        for (size_t k = 0; k < n_open; k++) {
            int64_t *e = &h->r[open[k].r].e[open[k].i];
            if (seen > *e) {
                *e = seen < *e + OPEN_MAX_S ? seen : *e + OPEN_MAX_S;
            }
        }
    }
    free(open);
    open = NULL;
    /* The data's end is the newest start anywhere, whether or not it fell
     * in the window read. */
    err = fw_store_prepare(st,
                           "SELECT max(start_s), min(start_s) FROM alert"
                           " WHERE start_s < ?1",
                           &s, d);
    if (err != FW_OK) {
        goto fail;
    }
    sqlite3_bind_int64(s, 1, hi_s);
    if (sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL) {
        h->end_s = sqlite3_column_int64(s, 0);
        h->start_s = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    *out = h;
    return FW_OK;
fail:
    free(open);
    sqlite3_finalize(s);
    fw_alert_history_free(h);
    return err;
}

void fw_alert_panel_reset(struct fw_alert_panel *p)
{
    if (p == NULL) {
        return;
    }
    free(p->x);
    for (int k = 0; k < FW_PANEL_N_HORIZONS; k++) {
        free(p->y[k]);
    }
    free(p->is_now);
    free(p->is_fresh);
    memset(p, 0, sizeof *p);
}

int64_t fw_alert_panel_t(const struct fw_alert_panel *p, size_t row)
{
    return p->t0_s + (int64_t)(row / R) * HOUR;
}

size_t fw_alert_panel_region(size_t row)
{
    return row % R;
}

/* Intervals with start < t (their count). */
static size_t n_before(const struct series *se, int64_t t)
{
    size_t lo = 0, hi = se->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (se->s[mid] < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Seconds of [a, b) under alert, from intervals that started before b.
 * Intervals are disjoint and sorted, so their ends are sorted too. */
static double covered(const struct series *se, int64_t a, int64_t b)
{
    size_t k = n_before(se, b); /* intervals that start before b */
    /* first interval ending after a */
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (se->e[mid] <= a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo >= k) {
        return 0;
    }
    double c = se->cum[k] - se->cum[lo];
    if (se->s[lo] < a) {
        c -= (double)(a - se->s[lo]);
    }
    if (se->e[k - 1] > b) {
        c -= (double)(se->e[k - 1] - b);
    }
    return c;
}

static double cap_h(int64_t dt_s)
{
    double h = (double)dt_s / 3600.0;
    return h > FW_PANEL_LOOKBACK_H ? FW_PANEL_LOOKBACK_H : h;
}

/* Per region at one hour: what the cross-region features need. */
struct at_hour {
    int is_now;
    int started_1h, started_3h;
    size_t starts_3h, starts_24h;
};

static const int64_t STARTS_W_H[] = {1, 3, 6, 12, 24, 72, 168};

/* The region's own features at t into x, and its part of the shared ones
 * into ah. */
static void own_features(const struct series *se, int64_t t, float *x,
                         struct at_hour *ah)
{
    size_t k = n_before(se, t);
    int is_now = k > 0 && se->e[k - 1] > t;
    ah->is_now = is_now;
    x[FW_PF_H_SINCE_START] =
        (float)(k > 0 ? cap_h(t - se->s[k - 1]) : FW_PANEL_LOOKBACK_H);
    /* the last interval that had ended by t */
    size_t last = is_now ? k - 1 : k;
    if (last > 0 && se->e[last - 1] > t - LOOKBACK_S) {
        x[FW_PF_H_SINCE_END] = (float)cap_h(t - se->e[last - 1]);
        x[FW_PF_LAST_DURATION_H] =
            (float)((double)(se->e[last - 1] - se->s[last - 1]) / 3600.0);
    } else {
        x[FW_PF_H_SINCE_END] = FW_PANEL_LOOKBACK_H;
        x[FW_PF_LAST_DURATION_H] = NAN;
    }
    for (size_t w = 0; w < sizeof STARTS_W_H / sizeof *STARTS_W_H; w++) {
        size_t n = k - n_before(se, t - STARTS_W_H[w] * HOUR);
        x[FW_PF_STARTS_1H + w] = (float)n;
        if (STARTS_W_H[w] == 1) {
            ah->started_1h = n > 0;
        } else if (STARTS_W_H[w] == 3) {
            ah->started_3h = n > 0;
            ah->starts_3h = n;
        } else if (STARTS_W_H[w] == 24) {
            ah->starts_24h = n;
        }
    }
    x[FW_PF_ALERT_H_24H] = (float)(covered(se, t - DAY, t) / 3600.0);
    x[FW_PF_ALERT_H_7D] = (float)(covered(se, t - 7 * DAY, t) / 3600.0);
    x[FW_PF_ALERT_H_30D] = (float)(covered(se, t - 30 * DAY, t) / 3600.0);
}

/* Whether the record was live at t: some alert started in the day before
 * (FW_PANEL_FRESH_H). */
static int is_live(const struct series *nat, int64_t t)
{
    return n_before(nat, t) > n_before(nat, t - FW_PANEL_FRESH_H * HOUR);
}

/* Whether the record covers [a, b]: live at a, no day without a start
 * anywhere in between, and live again at b. */
static int is_covered(const struct series *nat, int64_t a, int64_t b)
{
    size_t i = n_before(nat, a);
    if (i == 0 || a - nat->s[i - 1] > FW_PANEL_FRESH_H * HOUR) {
        return 0;
    }
    for (i = i - 1; i + 1 < nat->n && nat->s[i + 1] <= b; i++) {
        if (nat->s[i + 1] - nat->s[i] > FW_PANEL_FRESH_H * HOUR) {
            return 0;
        }
    }
    /* i is the last start by b: the record must go on past b */
    return i + 1 < nat->n &&
           nat->s[i + 1] - nat->s[i] <= FW_PANEL_FRESH_H * HOUR;
}

/* Whether region's intervals meet [a, b). */
static int meets(const struct series *se, int64_t a, int64_t b)
{
    size_t k = n_before(se, b);
    return k > 0 && se->e[k - 1] > a;
}

fw_err fw_alert_panel_build(fw_alert_history *h,
                            const fw_panel_adjacency adj, int64_t from_s,
                            int64_t to_s, struct fw_alert_panel *out,
                            struct fw_diag *d)
{
    memset(out, 0, sizeof *out);
    int64_t t0 = from_s - ((from_s % HOUR) + HOUR) % HOUR;
    if (t0 < from_s) {
        t0 += HOUR;
    }
    if (to_s <= t0 || (to_s - t0) / HOUR > 10 * 366 * 24) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0,
                           "alert panel: no whole hour in the period, or"
                           " more than 10 years");
    }
    for (size_t r = 0; r < R; r++) {
        if (merge(&h->r[r]) != FW_OK) {
            return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
        }
    }
    if (!h->is_sorted && h->n_all > 0) { /* all_s is NULL without alerts */
        qsort(h->all_s, h->n_all, sizeof *h->all_s, by_time);
    }
    h->is_sorted = 1;
    struct series nat = {.s = h->all_s, .n = h->n_all};
    size_t n_hours = (size_t)((to_s - t0 + HOUR - 1) / HOUR);
    out->t0_s = t0;
    out->n_hours = n_hours;
    out->n_rows = n_hours * R;
    out->data_end_s = h->end_s;
    out->x = malloc(out->n_rows * FW_PF_N * sizeof *out->x);
    out->is_now = malloc(out->n_rows);
    out->is_fresh = malloc(n_hours);
    for (int k = 0; k < FW_PANEL_N_HORIZONS; k++) {
        out->y[k] = malloc(out->n_rows);
    }
    if (out->x == NULL || out->is_now == NULL || out->is_fresh == NULL ||
        out->y[0] == NULL ||
        out->y[1] == NULL) {
        fw_alert_panel_reset(out);
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    struct at_hour ah[R];
    for (size_t k = 0; k < n_hours; k++) {
        int64_t t = t0 + (int64_t)k * HOUR;
        float *xk = out->x + k * R * FW_PF_N;
        int n_now = 0, n_1h = 0, n_3h = 0;
        for (size_t r = 0; r < R; r++) {
            own_features(&h->r[r], t, xk + r * FW_PF_N, &ah[r]);
            n_now += ah[r].is_now;
            n_1h += ah[r].started_1h;
            n_3h += ah[r].started_3h;
        }
        out->is_fresh[k] = (uint8_t)is_live(&nat, t);
        int known[FW_PANEL_N_HORIZONS];
        for (int hz = 0; hz < FW_PANEL_N_HORIZONS; hz++) {
            known[hz] =
                is_covered(&nat, t, t + FW_PANEL_HORIZON_H[hz] * HOUR);
        }
        int64_t local = t + fw_date_kyiv_offset_s(t);
        int64_t sec_of_day = ((local % DAY) + DAY) % DAY;
        int hour = (int)(sec_of_day / HOUR);
        /* 1970-01-01 was a Thursday (3 with Monday 0) */
        int dow = (int)(((((local - sec_of_day) / DAY) % 7) + 7 + 3) % 7);
        for (size_t r = 0; r < R; r++) {
            float *x = xk + r * FW_PF_N;
            size_t row = k * R + r;
            x[FW_PF_REGIONS_NOW] = (float)(n_now - ah[r].is_now);
            x[FW_PF_REGIONS_STARTED_1H] = (float)(n_1h - ah[r].started_1h);
            x[FW_PF_REGIONS_STARTED_3H] = (float)(n_3h - ah[r].started_3h);
            int n_nb = 0, nb_now = 0;
            size_t nb_3h = 0, nb_24h = 0;
            for (size_t j = 0; adj != NULL && j < R; j++) {
                if (j != r && adj[r * R + j]) {
                    n_nb++;
                    nb_now += ah[j].is_now;
                    nb_3h += ah[j].starts_3h;
                    nb_24h += ah[j].starts_24h;
                }
            }
            x[FW_PF_NEIGHBOURS_NOW] =
                n_nb ? (float)nb_now / (float)n_nb : NAN;
            x[FW_PF_NEIGHBOURS_STARTS_3H] = n_nb ? (float)nb_3h : NAN;
            x[FW_PF_NEIGHBOURS_STARTS_24H] = n_nb ? (float)nb_24h : NAN;
            x[FW_PF_HOUR_LOCAL] = (float)hour;
            x[FW_PF_HOUR_SIN] = (float)sin(TWO_PI * hour / 24.0);
            x[FW_PF_HOUR_COS] = (float)cos(TWO_PI * hour / 24.0);
            x[FW_PF_DOW_LOCAL] = (float)dow;
            out->is_now[row] = (uint8_t)ah[r].is_now;
            for (int hz = 0; hz < FW_PANEL_N_HORIZONS; hz++) {
                int64_t end = t + FW_PANEL_HORIZON_H[hz] * HOUR;
                out->y[hz][row] =
                    (int8_t)(known[hz] ? meets(&h->r[r], t, end) : -1);
            }
        }
    }
    return FW_OK;
}
