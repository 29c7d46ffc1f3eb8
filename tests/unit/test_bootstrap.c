/*
 * test_bootstrap.c - the cluster bootstrap of a difference between two
 * forecasters: its point estimates equal metrics.c's, it resamples
 * clusters and not rows, and it calls a tie a tie.
 *
 * The forecasts are pseudo-random vectors made here (no data file): the
 * properties checked hold for any input.
 */
#include "fwtest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/bootstrap.h"
#include "frontwatch/metrics.h"

static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* n events with base rate ~ 0.1; forecaster a sees the truth through
 * noise sd_a, b through sd_b (scores squashed to (0, 1)). */
static void make(size_t n, double sd_a, double sd_b, double *pa, double *pb,
                 unsigned char *y)
{
    uint64_t s = 42;
    for (size_t i = 0; i < n; i++) {
        y[i] = uniform(&s) < 0.1;
        double za = (y[i] ? 1.0 : -1.0) + sd_a * (uniform(&s) - 0.5) * 3.5;
        double zb = (y[i] ? 1.0 : -1.0) + sd_b * (uniform(&s) - 0.5) * 3.5;
        pa[i] = 1.0 / (1.0 + exp(-2.0 * za - 1.5));
        pb[i] = 1.0 / (1.0 + exp(-2.0 * zb - 1.5));
        /* ties: round b to two decimals */
        pb[i] = floor(pb[i] * 100.0 + 0.5) / 100.0;
    }
}

/* The point estimates are metrics.c's skill and AP difference, exactly. */
static void test_point_estimates(void **state)
{
    (void)state;
    enum { N = 2000 };
    static double pa[N], pb[N];
    static unsigned char y[N];
    static uint64_t cl[N];
    make(N, 0.5, 1.5, pa, pb, y);
    for (size_t i = 0; i < N; i++) {
        cl[i] = i / 4; /* 500 clusters of 4 */
    }
    struct fw_boot_diff bd;
    assert_int_equal(fw_bootstrap_diff(pa, pb, y, cl, N, 200, 7, &bd), FW_OK);
    struct fw_metrics ma, mb;
    assert_int_equal(fw_metrics_compute(pa, y, N, &ma), FW_OK);
    assert_int_equal(fw_metrics_compute(pb, y, N, &mb), FW_OK);
    assert_near(bd.bss, fw_metrics_brier_skill(ma.brier, mb.brier), 1e-12);
    assert_near(bd.dap, ma.ap - mb.ap, 1e-12);
    assert_int_equal(bd.n, N);
    assert_int_equal(bd.n_pos, ma.n_pos);
    assert_int_equal(bd.n_clusters, N / 4);
    /* a is the sharper forecaster by construction, and by enough */
    assert_true(bd.bss_lo > 0 && bd.dap_lo > 0);
    assert_true(bd.bss_lo <= bd.bss && bd.bss <= bd.bss_hi);
    assert_true(bd.dap_lo <= bd.dap && bd.dap <= bd.dap_hi);
    assert_true(fw_boot_diff_wins(&bd));
    /* the same forecaster against itself: zero, a tie, not a win */
    assert_int_equal(fw_bootstrap_diff(pb, pb, y, cl, N, 200, 7, &bd), FW_OK);
    assert_near(bd.bss, 0, 0);
    assert_near(bd.bss_lo, 0, 0);
    assert_near(bd.dap_hi, 0, 0);
    assert_false(fw_boot_diff_wins(&bd));
}

/* Rows repeated within their cluster add no information: ten copies of
 * each row in one cluster give exactly the intervals of the rows alone,
 * while ten copies counted as ten clusters give narrower ones (what a
 * row bootstrap of weekly forecasts of one place would claim). */
static void test_clusters_not_rows(void **state)
{
    (void)state;
    enum { N = 600, K = 10 };
    static double pa[N], pb[N], pa10[N * K], pb10[N * K];
    static unsigned char y[N], y10[N * K];
    static uint64_t cl[N], cl10[N * K], rows10[N * K];
    make(N, 1.0, 1.3, pa, pb, y);
    for (size_t i = 0; i < N; i++) {
        cl[i] = i;
        for (size_t j = 0; j < K; j++) {
            pa10[i * K + j] = pa[i];
            pb10[i * K + j] = pb[i];
            y10[i * K + j] = y[i];
            cl10[i * K + j] = i;
            rows10[i * K + j] = i * K + j;
        }
    }
    struct fw_boot_diff one, dup, rows;
    assert_int_equal(fw_bootstrap_diff(pa, pb, y, cl, N, 300, 1, &one), FW_OK);
    assert_int_equal(
        fw_bootstrap_diff(pa10, pb10, y10, cl10, N * K, 300, 1, &dup), FW_OK);
    assert_int_equal(
        fw_bootstrap_diff(pa10, pb10, y10, rows10, N * K, 300, 1, &rows),
        FW_OK);
    assert_near(dup.bss, one.bss, 1e-12);
    assert_near(dup.bss_lo, one.bss_lo, 1e-12);
    assert_near(dup.bss_hi, one.bss_hi, 1e-12);
    assert_near(dup.dap_lo, one.dap_lo, 1e-12);
    assert_near(dup.dap_hi, one.dap_hi, 1e-12);
    assert_true(rows.bss_hi - rows.bss_lo < 0.5 * (dup.bss_hi - dup.bss_lo));
    assert_true(rows.dap_hi - rows.dap_lo < 0.5 * (dup.dap_hi - dup.dap_lo));
}

static void test_bad_input(void **state)
{
    (void)state;
    double p[2] = {0.2, 1.5}, q[2] = {0.1, 0.2};
    unsigned char y[2] = {0, 1};
    uint64_t cl[2] = {0, 1};
    struct fw_boot_diff bd;
    assert_int_equal(fw_bootstrap_diff(p, q, y, cl, 2, 10, 1, &bd), FW_ERANGE);
    assert_int_equal(fw_bootstrap_diff(q, q, y, cl, 0, 10, 1, &bd), FW_EUSAGE);
    assert_int_equal(fw_bootstrap_diff(q, q, y, NULL, 2, 10, 1, &bd),
                     FW_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_estimates),
        cmocka_unit_test(test_clusters_not_rows),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
