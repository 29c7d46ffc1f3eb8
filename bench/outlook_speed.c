/*
 * outlook_speed.c - what an alert outlook costs (issue 13: one place in
 * under 50 ms; the back-test in under 60 s is timed by the command
 * itself): fw_outlook_at for every region at N hours spread over the
 * data, on one store and model, with the time of each call in ms; and
 * the batch form (fw_alert_panel_build + fw_outlook_predict) for every
 * region and hour of the period.
 *
 * Usage: bench_outlook_speed STORE MODEL [FROM TO [N]]
 *        (default 2023-01-01 2023-12-31, 50 hours)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frontwatch/date.h"
#include "frontwatch/outlook.h"

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
        fprintf(stderr, "usage: %s STORE MODEL [FROM TO [N]]\n", argv[0]);
        return 2;
    }
    int64_t from = 0, to = 0;
    int n = argc > 5 ? atoi(argv[5]) : 50;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_outlook_model *m = NULL;
    double t0 = now_ms();
    if (n < 1 ||
        fw_date_parse_day(argc > 3 ? argv[3] : "2023-01-01", &from) != FW_OK ||
        fw_date_parse_day(argc > 4 ? argv[4] : "2023-12-31", &to) != FW_OK ||
        fw_outlook_model_load(argv[2], &m, &d) != FW_OK ||
        fw_store_open(argv[1], FW_STORE_READ, &st, &d) != FW_OK) {
        fprintf(stderr, "bench_outlook_speed: %s\n", d.msg);
        return 1;
    }
    to += 86400;
    double t_open = now_ms() - t0;
    size_t n_calls = (size_t)n * FW_PANEL_N_REGIONS;
    double *ms = malloc(n_calls * sizeof *ms);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        int64_t at = from + (to - from) / n * i + 1800;
        for (size_t r = 0; r < FW_PANEL_N_REGIONS; r++) {
            struct fw_outlook o;
            double a = now_ms();
            if (fw_outlook_at(st, m, fw_panel_region_iso(r), at, &o, &d) !=
                FW_OK) {
                fprintf(stderr, "bench_outlook_speed: %s\n", d.msg);
                return 1;
            }
            ms[k++] = now_ms() - a;
        }
    }
    qsort(ms, k, sizeof *ms, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        sum += ms[i];
    }
    printf("open store and model: %.1f ms\n", t_open);
    printf("fw_outlook_at, %zu calls: mean %.2f ms, median %.2f, p99 %.2f, "
           "max %.2f\n",
           k, sum / (double)k, ms[k / 2], ms[k * 99 / 100], ms[k - 1]);
    double a = now_ms();
    fw_alert_history *h = NULL;
    struct fw_alert_panel p;
    if (fw_alert_history_load(st, from, to, &h, &d) != FW_OK ||
        fw_alert_panel_build(h, fw_outlook_model_adjacency(m), from, to, &p,
                             &d) != FW_OK) {
        fprintf(stderr, "bench_outlook_speed: %s\n", d.msg);
        return 1;
    }
    double *pr = malloc(p.n_rows * sizeof *pr);
    for (int hz = 0; hz < FW_PANEL_N_HORIZONS; hz++) {
        if (fw_outlook_predict(m, &p, hz, 0, p.n_rows, pr, &d) != FW_OK) {
            fprintf(stderr, "bench_outlook_speed: %s\n", d.msg);
            return 1;
        }
    }
    printf("batch: %zu region-hours, both horizons, in %.0f ms\n", p.n_rows,
           now_ms() - a);
    free(pr);
    free(ms);
    fw_alert_panel_reset(&p);
    fw_alert_history_free(h);
    fw_outlook_model_free(m);
    fw_store_close(st);
    return 0;
}
