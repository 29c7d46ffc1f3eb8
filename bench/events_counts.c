/*
 * events_counts.c - cost of the attack-wave lookups (events.h) on a full
 * store: fw_events_oblast_counts per call, against fw_events_counts_batch,
 * over every oblast and the weekly windows 2022-09-26 .. 2025-09-01 (157
 * weeks), as a back-test asks them. Checks that both give the same
 * numbers. Usage: bench_events_counts STORE [REPEATS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frontwatch/date.h"
#include "frontwatch/events.h"
#include "frontwatch/oblast.h"
#include "frontwatch/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s STORE [REPEATS]\n", argv[0]);
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 25;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    if (fw_store_open(argv[1], FW_STORE_READ, &st, &d) != FW_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return 3;
    }
    enum { N_W = 157 };
    int64_t t0[N_W], t1[N_W];
    int64_t start = fw_date_from_civil(2022, 9, 26, 0, 0, 0);
    for (int w = 0; w < N_W; w++) {
        t0[w] = start + (int64_t)w * 7 * FW_DAY_S;
        t1[w] = t0[w] + 7 * FW_DAY_S;
    }
    size_t n_ob = fw_oblast_count();
    struct fw_event_counts *b = calloc(N_W * n_ob, sizeof *b);
    double t = now_s();
    long long sum = 0;
    size_t n_calls = 0;
    for (int r = 0; r < repeats; r++) {
        for (int w = 0; w < N_W; w++) {
            for (size_t i = 0; i < n_ob; i++) {
                struct fw_event_counts c;
                if (fw_events_oblast_counts(st, fw_oblast_at(i)->iso, t0[w],
                                            t1[w], &c, &d) != FW_OK) {
                    fprintf(stderr, "%s\n", d.msg);
                    return 3;
                }
                sum += c.n_waves_oblast + c.n_waves_region;
                n_calls++;
                b[w * n_ob + i] = c;
            }
        }
    }
    double per_call_us = (now_s() - t) / (double)n_calls * 1e6;
    struct fw_event_counts *bb = calloc(N_W * n_ob, sizeof *bb);
    t = now_s();
    for (int r = 0; r < repeats; r++) {
        if (fw_events_counts_batch(st, t0, t1, N_W, bb, &d) != FW_OK) {
            fprintf(stderr, "%s\n", d.msg);
            return 3;
        }
    }
    double batch_ms = (now_s() - t) / repeats * 1e3;
    size_t n_diff = 0;
    for (size_t k = 0; k < N_W * n_ob; k++) {
        n_diff += b[k].n_waves_oblast != bb[k].n_waves_oblast ||
                  b[k].n_waves_region != bb[k].n_waves_region ||
                  b[k].n_waves_ukraine != bb[k].n_waves_ukraine ||
                  b[k].n_launched_oblast != bb[k].n_launched_oblast;
    }
    printf("per call: %zu calls, %.1f us each (%.2f s per 100,000)\n",
           n_calls, per_call_us, per_call_us / 10.0);
    printf("batch: %d weeks x %zu oblasts = %zu counts in %.2f ms\n", N_W,
           n_ob, (size_t)N_W * n_ob, batch_ms);
    printf("checksum %lld; batch differs from per call in %zu counts\n", sum,
           n_diff);
    free(b);
    free(bb);
    fw_store_close(st);
    return n_diff == 0 ? 0 : 1;
}
