/*
 * frozen_front.c - how the candidate models rank places next to a front
 * that has not moved for months (docs/FORECAST.md, "A frozen front is not
 * a safe front"), and what became of those places.
 *
 * A back-test row (place, map series, weekly origin) is on a frozen front
 * when the place is within 2 km of the occupied area and the occupied area
 * within 10 km of it has not changed by 0.5 km2 or more at any weekly
 * origin of the 13 weeks (91 days) before, on the same series. For the
 * rolling back-test of 2022-06-01 .. 2025-08-31 (the shipped features),
 * it prints, per horizon, each model's mean forecast on those rows
 * against the observed rate, and the mean percentile of their forecasts
 * among every row of the same origin and series (100: ranked first);
 * then one line
 * per place and series: its first and last frozen origin, how many rows,
 * whether it came under occupation within the horizon of any of them,
 * and each model's mean forecast.
 *
 * Usage: bench_frozen_front STORE. About 4 minutes on 2 cores.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/backtest.h"
#include "frontwatch/date.h"

#define DAY ((int64_t)FW_DAY_S)
#define WEEK (7 * DAY)
#define FROZEN_WEEKS 13
#define NEAR_KM 2.0
#define MOVED_KM2 0.5

static const enum fw_model_kind SHOWN[] = {
    FW_MODEL_LOGIT_DIST, FW_MODEL_XGBOOST, FW_MODEL_BLEND, FW_MODEL_STACK};
#define N_SHOWN (sizeof SHOWN / sizeof *SHOWN)

static int64_t day(const char *s)
{
    int64_t t = 0;
    if (fw_date_parse_day(s, &t) != FW_OK) {
        abort();
    }
    return t;
}

struct grid {
    int64_t from_s;
    size_t n_weeks, n_places;
    int32_t *row; /* [series][week][place]: dataset row, -1 none */
};

static int32_t *cell(const struct grid *g, int series, size_t w, size_t p)
{
    return &g->row[((size_t)series * g->n_weeks + w) * g->n_places + p];
}

static double occ10(const struct fw_dataset *ds, int32_t i)
{
    return expm1((double)ds->x[(size_t)i * FW_N_FEATURES + FW_F_OCC_10KM]);
}

static int frozen(const struct fw_dataset *ds, const struct grid *g, size_t i)
{
    const struct fw_sample *s = &ds->s[i];
    if (!(s->distance_km <= NEAR_KM)) {
        return 0;
    }
    size_t w = (size_t)((s->origin_s - g->from_s) / WEEK);
    if (w < FROZEN_WEEKS) {
        return 0;
    }
    double now = occ10(ds, (int32_t)i);
    for (size_t k = 1; k <= FROZEN_WEEKS; k++) {
        int32_t j = *cell(g, s->series, w - k, (size_t)s->place);
        if (j < 0 || !(fabs(occ10(ds, j) - now) < MOVED_KM2)) {
            return 0;
        }
    }
    return 1;
}

struct agg {
    int place, series;
    int64_t first_s, last_s;
    size_t n, n_pos;
    double sum_p[N_SHOWN];
};

static int by_rows(const void *a, const void *b)
{
    const struct agg *x = a, *y = b;
    return (x->n < y->n) - (x->n > y->n);
}

/* Percentile (0..100, 100: ranked first) of row r's forecast among the
 * rows of the same origin and series: the back-test keeps the dataset's
 * order (series, origin, place), so they are the run around r. */
static double percentile(const struct fw_dataset *ds,
                         const struct fw_backtest_horizon *bh, int k, size_t r)
{
    const struct fw_sample *s = &ds->s[bh->row[r]];
    size_t lo = r, hi = r + 1;
    while (lo > 0 && ds->s[bh->row[lo - 1]].origin_s == s->origin_s &&
           ds->s[bh->row[lo - 1]].series == s->series) {
        lo--;
    }
    while (hi < bh->n_rows && ds->s[bh->row[hi]].origin_s == s->origin_s &&
           ds->s[bh->row[hi]].series == s->series) {
        hi++;
    }
    size_t below = 0;
    for (size_t j = lo; j < hi; j++) {
        below += bh->p[k][j] < bh->p[k][r];
    }
    return 100.0 * (double)below / (double)(hi - lo);
}

static void report(const struct fw_dataset *ds, const struct grid *g,
                   const struct fw_backtest_horizon *bh)
{
    struct agg *ag = calloc(ds->n_places * FW_N_SERIES, sizeof *ag);
    double sum_p[N_SHOWN] = {0}, sum_pct[N_SHOWN] = {0};
    size_t n = 0, n_pos = 0;
    if (ag == NULL) {
        return;
    }
    for (size_t r = 0; r < bh->n_rows; r++) {
        size_t i = bh->row[r];
        if (!frozen(ds, g, i)) {
            continue;
        }
        const struct fw_sample *s = &ds->s[i];
        int h = bh->days == FW_HORIZON_DAYS[0] ? 0 : 1;
        struct agg *a = &ag[(size_t)s->place * FW_N_SERIES + s->series];
        if (a->n == 0) {
            a->place = s->place;
            a->series = s->series;
            a->first_s = s->origin_s;
        }
        a->last_s = s->origin_s;
        a->n++;
        a->n_pos += s->y[h] == 1;
        n++;
        n_pos += s->y[h] == 1;
        for (size_t k = 0; k < N_SHOWN; k++) {
            double p = bh->p[SHOWN[k]][r];
            a->sum_p[k] += p;
            sum_p[k] += p;
            sum_pct[k] += percentile(ds, bh, SHOWN[k], r);
        }
    }
    printf("\n### %d days\n\n%zu rows on a frozen front, %zu came under "
           "occupation within %d days (observed rate %.3f).\n\n",
           bh->days, n, n_pos, bh->days, n ? (double)n_pos / (double)n : NAN);
    printf("| model | mean forecast | mean percentile among the rows of "
           "the origin and series |\n|---|---:|---:|\n");
    for (size_t k = 0; k < N_SHOWN; k++) {
        printf("| %s | %.3f | %.1f |\n", fw_model_kind_name(SHOWN[k]),
               n ? sum_p[k] / (double)n : NAN,
               n ? sum_pct[k] / (double)n : NAN);
    }
    size_t m = 0;
    for (size_t i = 0; i < ds->n_places * FW_N_SERIES; i++) {
        if (ag[i].n > 0) {
            ag[m++] = ag[i];
        }
    }
    qsort(ag, m, sizeof *ag, by_rows);
    printf("\n| place | oblast | series | frozen origins | rows | occupied "
           "within %d days of one | mean forecast:",
           bh->days);
    for (size_t k = 0; k < N_SHOWN; k++) {
        printf(" %s%s", fw_model_kind_name(SHOWN[k]),
               k + 1 < N_SHOWN ? " /" : " |\n");
    }
    printf("|---|---|---|---|---:|---|---|\n");
    for (size_t i = 0; i < m; i++) {
        const struct agg *a = &ag[i];
        const struct fw_place *p = &ds->places[a->place];
        char f[11], l[11];
        fw_date_format_day(a->first_s, f);
        fw_date_format_day(a->last_s, l);
        printf("| %s | %s | %s | %s .. %s | %zu | %s |", p->name, p->oblast_iso,
               FW_SERIES[a->series], f, l, a->n, a->n_pos ? "yes" : "no");
        for (size_t k = 0; k < N_SHOWN; k++) {
            printf(" %.3f%s", a->sum_p[k] / (double)a->n,
                   k + 1 < N_SHOWN ? " /" : " |\n");
        }
    }
    free(ag);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s STORE\n", argv[0]);
        return 2;
    }
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_store_open(argv[1], FW_STORE_READ, &st, &d) != FW_OK ||
        fw_geo_new(st, &g, &d) != FW_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], d.msg);
        return 3;
    }
    struct fw_dataset_opts o = {.from_s = day("2022-02-28"),
                                .to_s = day("2025-09-01"),
                                .step_s = WEEK,
                                .with_labels = 1};
    struct fw_dataset ds;
    struct fw_backtest bt;
    if (fw_dataset_build(st, g, &o, &ds, &d) != FW_OK ||
        fw_backtest_run(&ds, day("2022-06-01"), day("2025-09-01"),
                        day("2024-09-01"), NULL, NULL, &bt, &d) != FW_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return 1;
    }
    struct grid gr = {.from_s = o.from_s,
                      .n_weeks = (size_t)((o.to_s - o.from_s) / WEEK) + 1,
                      .n_places = ds.n_places};
    size_t cells = FW_N_SERIES * gr.n_weeks * gr.n_places;
    gr.row = malloc(cells * sizeof *gr.row);
    if (gr.row == NULL) {
        return 1;
    }
    memset(gr.row, 0xff, cells * sizeof *gr.row);
    for (size_t i = 0; i < ds.n; i++) {
        const struct fw_sample *s = &ds.s[i];
        *cell(&gr, s->series, (size_t)((s->origin_s - o.from_s) / WEEK),
              (size_t)s->place) = (int32_t)i;
    }
    printf("## Frozen fronts: within %.0f km of the occupied area, nothing "
           "within 10 km moved for %d weeks\n",
           NEAR_KM, FROZEN_WEEKS);
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        report(&ds, &gr, &bt.h[h]);
    }
    free(gr.row);
    fw_backtest_free(&bt);
    fw_dataset_free(&ds);
    fw_geo_free(g);
    fw_store_close(st);
    return 0;
}
