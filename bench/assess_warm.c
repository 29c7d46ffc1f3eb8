/*
 * assess_warm.c - what one answer costs a process that stays up (the
 * server of issue 12): `assess` with a model file for the N most populous
 * places in turn, on one store, geo engine and model, and the time of
 * each in ms (the first pays for loading the maps). A new `frontwatch
 * assess` process pays besides for loading its libraries (about 30 ms,
 * mostly the relocations of GEOS, PROJ and xgboost) and every map anew:
 * bench/forecast_speed.sh measures that.
 *
 * Usage: bench_assess_warm STORE MODEL [DATE [N]]   (default 2025-08-25, 20)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/forecast.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s STORE MODEL [DATE [N]]\n", argv[0]);
        return 2;
    }
    const char *date = argc > 3 ? argv[3] : "2025-08-25";
    int n_max = argc > 4 ? atoi(argv[4]) : 20;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_forecast *fc = NULL;
    fw_store *st = NULL;
    fw_geo *g = NULL;
    int64_t day = 0;
    sqlite3_stmt *s = NULL;
    if (n_max < 1 || fw_date_parse_day(date, &day) != FW_OK ||
        fw_forecast_load(argv[2], &fc, &d) != FW_OK ||
        fw_store_open(argv[1], FW_STORE_READ, &st, &d) != FW_OK ||
        fw_geo_new(st, &g, &d) != FW_OK ||
        fw_store_prepare(st,
                         "SELECT id FROM place WHERE merged_into IS NULL"
                         " ORDER BY coalesce(population, -1) DESC LIMIT ?1",
                         &s, &d) != FW_OK) {
        fprintf(stderr, "bench_assess_warm: %s\n", d.msg);
        return 1;
    }
    sqlite3_bind_int(s, 1, n_max);
    double *ms = malloc((size_t)n_max * sizeof *ms);
    int n = 0;
    while (ms != NULL && sqlite3_step(s) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        double t0 = now_ms();
        struct fw_place p;
        struct fw_assessment a;
        struct fw_place_forecast *pf = NULL;
        size_t n_pf = 0;
        if (fw_place_get(st, id, &p, &d) != FW_OK ||
            fw_assess(st, g, &p, day + FW_DAY_S - 1, &a, &d) != FW_OK ||
            fw_forecast_places(fc, st, g, &id, 1, a.at_s, 1, &pf, &n_pf, &d) !=
                FW_OK) {
            fprintf(stderr, "place %lld: %s\n", (long long)id, d.msg);
            return 1;
        }
        free(pf);
        ms[n++] = now_ms() - t0;
    }
    sqlite3_finalize(s);
    printf("%d places:", n);
    for (int i = 0; i < n; i++) {
        printf(" %.1f", ms[i]);
    }
    qsort(ms + 1, (size_t)(n - 1), sizeof *ms, cmp_double);
    printf("\nfirst %.1f ms; the others: median %.1f ms, max %.1f ms\n", ms[0],
           n > 1 ? ms[1 + (n - 2) / 2] : 0.0, n > 1 ? ms[n - 1] : 0.0);
    free(ms);
    fw_geo_free(g);
    fw_store_close(st);
    fw_forecast_free(fc);
    return 0;
}
