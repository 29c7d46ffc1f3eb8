/*
 * test_metrics.c - forecast scores against hand-computed values, brute
 * force and an independent tool.
 *
 * The hand computations are written out next to each case. The reference
 * numbers for the large binomials and the random vector come from
 * tests/unit/metrics_oracle.py (/usr/bin/python3 with numpy 1.24.2 and
 * scipy 1.10.1; scikit-learn is not installed, so AP is checked against a
 * transcription of sklearn's average_precision_score in that script); its
 * output is quoted where the numbers are used. The test itself needs only
 * the C toolchain.
 */
#include "fwtest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/metrics.h"

#define EPS 1e-12

/* Field by field: the structs have padding. NaN equals NaN here. */
static void same_table(const struct fw_reliability *a,
                       const struct fw_reliability *b)
{
    assert_int_equal(a->n_nonempty, b->n_nonempty);
    assert_int_equal(a->n_consistent, b->n_consistent);
    for (int k = 0; k < FW_METRICS_N_BINS; k++) {
        const struct fw_reliability_bin *x = &a->bins[k], *y = &b->bins[k];
        assert_int_equal(x->n, y->n);
        assert_int_equal(x->n_pos, y->n_pos);
        assert_int_equal(x->is_consistent, y->is_consistent);
        assert_int_equal(x->n_clusters, y->n_clusters);
        assert_int_equal(x->n_eff, y->n_eff);
        assert_int_equal(x->is_consistent_eff, y->is_consistent_eff);
        const double xs[] = {x->p_lo, x->p_hi,  x->mean_pred, x->obs_rate,
                             x->q05,  x->q95,   x->q05_eff,   x->q95_eff};
        const double ys[] = {y->p_lo, y->p_hi,  y->mean_pred, y->obs_rate,
                             y->q05,  y->q95,   y->q05_eff,   y->q95_eff};
        for (int i = 0; i < 8; i++) {
            assert_true(xs[i] == ys[i] || (isnan(xs[i]) && isnan(ys[i])));
        }
    }
}

static void test_hand_example(void **state)
{
    (void)state;
    const double p[] = {0.1, 0.4, 0.35, 0.8};
    const unsigned char y[] = {0, 0, 1, 1};
    struct fw_metrics m;
    assert_int_equal(fw_metrics_compute(p, y, 4, &m), FW_OK);
    assert_int_equal(m.n, 4);
    assert_int_equal(m.n_pos, 2);
    assert_near(m.base_rate, 0.5, EPS);
    /* Brier: (0.1^2 + 0.4^2 + 0.65^2 + 0.2^2) / 4
     *      = (0.01 + 0.16 + 0.4225 + 0.04) / 4 = 0.6325 / 4 = 0.158125.
     * Climatology 0.5 * 0.5 = 0.25; skill 1 - 0.158125 / 0.25 = 0.3675. */
    assert_near(m.brier, 0.158125, EPS);
    assert_near(m.brier_clim, 0.25, EPS);
    assert_near(fw_metrics_brier_skill(m.brier, m.brier_clim), 0.3675, EPS);
    /* AUROC: pairs (pos, neg): (0.35, 0.1) yes, (0.35, 0.4) no,
     * (0.8, 0.1) yes, (0.8, 0.4) yes: 3 / 4. */
    assert_near(m.auroc, 0.75, EPS);
    /* AP, thresholds high to low: 0.8 (pos) TP 1 FP 0: recall 1/2,
     * precision 1 -> 0.5 * 1; 0.4 (neg): recall unchanged; 0.35 (pos)
     * TP 2 FP 1: recall +1/2 at precision 2/3 -> 1/3. AP = 5/6. */
    assert_near(m.ap, 5.0 / 6.0, EPS);
    /* Reliability: one forecast in each of bins 1, 4, 3, 8. With n = 1,
     * Binomial(1, p) has CDF(0) = 1 - p: q05 = 0 (1 - p >= 0.05) and
     * q95 = 1 (1 - p < 0.95) for 0.05 < p <= 0.95, so every bin is
     * consistent. */
    assert_int_equal(m.rel.n_nonempty, 4);
    assert_int_equal(m.rel.n_consistent, 4);
    const struct fw_reliability_bin *b = m.rel.bins;
    assert_int_equal(b[0].n, 0);
    assert_true(isnan(b[0].mean_pred) && isnan(b[0].obs_rate));
    assert_true(isnan(b[0].q05) && isnan(b[0].q95));
    assert_int_equal(b[1].n, 1);
    assert_near(b[1].mean_pred, 0.1, EPS);
    assert_near(b[1].obs_rate, 0.0, EPS);
    assert_near(b[1].q05, 0.0, EPS);
    assert_near(b[1].q95, 1.0, EPS);
    assert_int_equal(b[3].n_pos, 1);
    assert_near(b[3].obs_rate, 1.0, EPS);
    assert_int_equal(b[4].n, 1);
    assert_int_equal(b[8].n, 1);
    assert_near(b[8].mean_pred, 0.8, EPS);
    assert_near(b[2].p_lo, 0.2, 0.0);
    assert_near(b[2].p_hi, 0.3, 0.0);

    /* The single-metric calls agree with the bundle. */
    double v;
    assert_int_equal(fw_metrics_brier(p, y, 4, &v), FW_OK);
    assert_near(v, m.brier, 0.0);
    assert_int_equal(fw_metrics_auroc(p, y, 4, &v), FW_OK);
    assert_near(v, m.auroc, 0.0);
    assert_int_equal(fw_metrics_ap(p, y, 4, &v), FW_OK);
    assert_near(v, m.ap, 0.0);
    struct fw_reliability rel;
    assert_int_equal(fw_metrics_reliability(p, y, 4, &rel), FW_OK);
    same_table(&rel, &m.rel);
}

static void test_ties(void **state)
{
    (void)state;
    /* Positives 0.9, 0.5, 0.5; negatives 0.5, 0.2. */
    const double p[] = {0.5, 0.9, 0.2, 0.5, 0.5};
    const unsigned char y[] = {1, 1, 0, 0, 1};
    double auroc, ap;
    /* Average ranks (ascending): 0.2 -> 1, the three 0.5 -> (2+3+4)/3 = 3,
     * 0.9 -> 5. Positives' rank sum 3 + 5 + 3 = 11, U = 11 - 3*4/2 = 5,
     * AUROC = U / (3 * 2) = 5/6. Pairs: 0.9 beats both (2), each 0.5
     * beats 0.2 (1) and ties 0.5 (1/2): 2 + 1.5 + 1.5 = 5. */
    assert_int_equal(fw_metrics_auroc(p, y, 5, &auroc), FW_OK);
    assert_near(auroc, 5.0 / 6.0, EPS);
    /* AP with 0.5 one threshold: 0.9: TP 1 FP 0, recall 1/3 at precision
     * 1 -> 1/3; 0.5: TP 3 FP 1, recall +2/3 at precision 3/4 -> 1/2;
     * 0.2 adds no recall. AP = 5/6. Breaking the tie instead gives
     * 1/3 + 1/3 * 2/2 + 1/3 * 3/4 = 11/12 (positives first) or
     * 1/3 + 1/3 * 2/3 + 1/3 * 3/4 = 29/36 (negative first). */
    assert_int_equal(fw_metrics_ap(p, y, 5, &ap), FW_OK);
    assert_near(ap, 5.0 / 6.0, EPS);

    /* All scores equal: AUROC 1/2, AP = the base rate 3/5 (one
     * threshold: recall 1 at precision 3/5). */
    const double flat[] = {0.3, 0.3, 0.3, 0.3, 0.3};
    assert_int_equal(fw_metrics_auroc(flat, y, 5, &auroc), FW_OK);
    assert_near(auroc, 0.5, EPS);
    assert_int_equal(fw_metrics_ap(flat, y, 5, &ap), FW_OK);
    assert_near(ap, 0.6, EPS);
}

static void test_one_class(void **state)
{
    (void)state;
    const double p[] = {0.2, 0.7, 0.7};
    const unsigned char none[] = {0, 0, 0};
    const unsigned char all[] = {1, 1, 1};
    struct fw_metrics m;
    assert_int_equal(fw_metrics_compute(p, none, 3, &m), FW_OK);
    assert_true(isnan(m.auroc));
    assert_true(isnan(m.ap));
    assert_int_equal(m.n_pos, 0);
    /* Brier (0.04 + 0.49 + 0.49) / 3 = 0.34; climatology 0, so no skill
     * can be measured against it. */
    assert_near(m.brier, 0.34, EPS);
    assert_near(m.brier_clim, 0.0, 0.0);
    assert_true(isnan(fw_metrics_brier_skill(m.brier, m.brier_clim)));
    assert_int_equal(fw_metrics_compute(p, all, 3, &m), FW_OK);
    assert_true(isnan(m.auroc));
    /* Every threshold has precision 1: AP 1. */
    assert_near(m.ap, 1.0, EPS);
}

static void test_skill(void **state)
{
    (void)state;
    assert_near(fw_metrics_brier_skill(0.1, 0.2), 0.5, EPS);
    assert_near(fw_metrics_brier_skill(0.3, 0.2), -0.5, EPS);
    assert_near(fw_metrics_brier_skill(0.0, 0.2), 1.0, EPS);
    assert_true(isnan(fw_metrics_brier_skill(NAN, 0.2)));
    assert_true(isnan(fw_metrics_brier_skill(0.1, NAN)));
    assert_true(isnan(fw_metrics_brier_skill(0.1, 0.0)));
    assert_true(isnan(fw_metrics_brier_skill(-0.1, 0.2)));
}

static void test_bad_input(void **state)
{
    (void)state;
    const double p[] = {0.2, 0.7};
    const unsigned char y[] = {0, 1};
    double v = 42.0;
    struct fw_metrics m;
    memset(&m, 0x5a, sizeof m);
    struct fw_metrics before;
    memcpy(&before, &m, sizeof m);
    assert_int_equal(fw_metrics_brier(NULL, y, 2, &v), FW_EUSAGE);
    assert_int_equal(fw_metrics_auroc(p, NULL, 2, &v), FW_EUSAGE);
    assert_int_equal(fw_metrics_ap(p, y, 0, &v), FW_EUSAGE);
    assert_int_equal(fw_metrics_ap(p, y, 2, NULL), FW_EUSAGE);
    assert_int_equal(fw_metrics_compute(p, y, 0, &m), FW_EUSAGE);
    assert_int_equal(fw_metrics_reliability(p, y, 2, NULL), FW_EUSAGE);
    const double nan_p[] = {0.2, NAN};
    const double big_p[] = {0.2, 1.0000001};
    const double neg_p[] = {-1e-300, 0.5};
    const unsigned char bad_y[] = {0, 2};
    assert_int_equal(fw_metrics_compute(nan_p, y, 2, &m), FW_ERANGE);
    assert_int_equal(fw_metrics_compute(big_p, y, 2, &m), FW_ERANGE);
    assert_int_equal(fw_metrics_brier(neg_p, y, 2, &v), FW_ERANGE);
    assert_int_equal(fw_metrics_auroc(p, bad_y, 2, &v), FW_ERANGE);
    /* Out-parameters untouched on error. */
    assert_near(v, 42.0, 0.0);
    assert_memory_equal(&m, &before, sizeof m);
    uint64_t k = 7;
    assert_int_equal(fw_metrics_binom_quantile(10, 0.3, 0.05, NULL), FW_EUSAGE);
    assert_int_equal(fw_metrics_binom_quantile(10, NAN, 0.05, &k), FW_ERANGE);
    assert_int_equal(fw_metrics_binom_quantile(10, 0.3, 1.5, &k), FW_ERANGE);
    assert_int_equal(
        fw_metrics_binom_quantile(((uint64_t)1 << 53) + 1, 0.3, 0.5, &k),
        FW_ERANGE);
    assert_int_equal(k, 7);
}

static uint64_t quantile(uint64_t n, double prob, double q)
{
    uint64_t k = UINT64_MAX;
    assert_int_equal(fw_metrics_binom_quantile(n, prob, q, &k), FW_OK);
    return k;
}

static void test_binom_quantile(void **state)
{
    (void)state;
    /* Binomial(10, 0.3), by hand: pmf(k) = C(10,k) 0.3^k 0.7^(10-k)
     *   k   pmf            CDF
     *   0   0.0282475249   0.0282475249
     *   1   0.1210608210   0.1493083459   <- first >= 0.05: q05 = 1
     *   2   0.2334744405   0.3827827864
     *   3   0.2668279320   0.6496107184
     *   4   0.2001209490   0.8497316674
     *   5   0.1029193452   0.9526510126   <- first >= 0.95: q95 = 5
     *   6   0.0367569090   0.9894079216
     * (scipy.stats.binom.cdf agrees to 10 digits.) */
    assert_int_equal(quantile(10, 0.3, 0.05), 1);
    assert_int_equal(quantile(10, 0.3, 0.95), 5);
    assert_int_equal(quantile(10, 0.3, 0.5), 3);
    assert_int_equal(quantile(10, 0.3, 0.0282475248), 0);
    assert_int_equal(quantile(10, 0.3, 0.0282475250), 1);
    /* Binomial(10, 0.75): CDF(4) = 0.0197277069, CDF(5) = 0.0781269073,
     * CDF(9) = 1 - 0.75^10 = 0.9436864853: q05 = 5, q95 = 10. */
    assert_int_equal(quantile(10, 0.75, 0.05), 5);
    assert_int_equal(quantile(10, 0.75, 0.95), 10);
    /* Edges. */
    assert_int_equal(quantile(10, 0.0, 0.95), 0);
    assert_int_equal(quantile(10, 1.0, 0.05), 10);
    assert_int_equal(quantile(10, 0.3, 0.0), 0);
    assert_int_equal(quantile(10, 0.3, 1.0), 10);
    assert_int_equal(quantile(0, 0.3, 0.95), 0);
    /* Large n, small p; metrics_oracle.py, lgamma summation from k = 0 and
     * scipy.stats.binom.ppf agree:
     *   1000000 0.0001 lgamma: 84 117 (CDF there 0.0575361568
     *     0.9571630922) scipy: 84 117
     *   2000000 1e-06 lgamma: 0 5 (CDF there 0.1353351479 0.9834364460)
     *     scipy: 0 5
     *   2000000 0.5 lgamma: 998837 1001163 (CDF there 0.0500856861
     *     0.9500601971) scipy: 998837 1001163 */
    assert_int_equal(quantile(1000000, 1e-4, 0.05), 84);
    assert_int_equal(quantile(1000000, 1e-4, 0.95), 117);
    assert_int_equal(quantile(2000000, 1e-6, 0.05), 0);
    assert_int_equal(quantile(2000000, 1e-6, 0.95), 5);
    assert_int_equal(quantile(2000000, 0.5, 0.05), 998837);
    assert_int_equal(quantile(2000000, 0.5, 0.95), 1001163);
    /* Mirror image: X ~ Bin(n, 1 - p) is n - Bin(n, p). */
    assert_int_equal(quantile(1000000, 1.0 - 1e-4, 0.95), 1000000 - 84);
    /* Extremes that would under- or overflow a direct pmf. */
    assert_int_equal(quantile((uint64_t)1 << 53, 1e-300, 0.95), 0);
    assert_int_equal(quantile(2000000, 1e-300, 0.95), 0);
    assert_int_equal(quantile(2000000, 0.999999, 0.05), 1999995);
}

static void test_reliability_hand(void **state)
{
    (void)state;
    /* Bin 3: ten forecasts of 0.3 (0.3 is bin 3's lower edge), three
     * events: observed 0.3 in [q05, q95] = [1/10, 5/10] of Binomial(10,
     * 0.3) (table above): consistent.
     * Bin 7: ten forecasts of 0.75, four events: observed 0.4 below
     * q05 = 5/10 of Binomial(10, 0.75): not consistent.
     * Bin 9: p = 1.0 (last bin) and p = 0.9, both events: mean 0.95;
     * Binomial(2, 0.95): CDF(0) = 0.0025, CDF(1) = 1 - 0.9025 = 0.0975:
     * q05 = 1/2, q95 = 2/2 (CDF(1) < 0.95); observed 1: consistent.
     * Bin 0: p = 0.0, no event: Binomial(1, 0) is 0: [0, 0], consistent. */
    double p[23];
    unsigned char y[23];
    for (int i = 0; i < 10; i++) {
        p[i] = 0.3;
        y[i] = i < 3;
        p[10 + i] = 0.75;
        y[10 + i] = i < 4;
    }
    p[20] = 1.0;
    y[20] = 1;
    p[21] = 0.9;
    y[21] = 1;
    p[22] = 0.0;
    y[22] = 0;
    struct fw_reliability rel;
    assert_int_equal(fw_metrics_reliability(p, y, 23, &rel), FW_OK);
    const struct fw_reliability_bin *b = rel.bins;
    assert_int_equal(b[3].n, 10);
    assert_int_equal(b[2].n, 0);
    assert_near(b[3].mean_pred, 0.3, EPS);
    assert_near(b[3].obs_rate, 0.3, EPS);
    assert_near(b[3].q05, 0.1, EPS);
    assert_near(b[3].q95, 0.5, EPS);
    assert_true(b[3].is_consistent);
    assert_int_equal(b[7].n, 10);
    assert_near(b[7].obs_rate, 0.4, EPS);
    assert_near(b[7].q05, 0.5, EPS);
    assert_near(b[7].q95, 1.0, EPS);
    assert_false(b[7].is_consistent);
    assert_int_equal(b[9].n, 2);
    assert_near(b[9].mean_pred, 0.95, EPS);
    assert_near(b[9].q05, 0.5, EPS);
    assert_near(b[9].q95, 1.0, EPS);
    assert_true(b[9].is_consistent);
    assert_int_equal(b[0].n, 1);
    assert_near(b[0].q05, 0.0, 0.0);
    assert_near(b[0].q95, 0.0, 0.0);
    assert_true(b[0].is_consistent);
    assert_int_equal(rel.n_nonempty, 4);
    assert_int_equal(rel.n_consistent, 3);

    /* Edges: the doubles nearest k/10 open bin k, whatever p * 10 rounds
     * to (0.7 * 10 is 7.000000000000001, 0.3 * 3 is 0.8999999999999999). */
    const double edges[] = {0.1,
                            0.2,
                            0.3,
                            0.4,
                            0.5,
                            0.6,
                            0.7,
                            0.8,
                            0.9,
                            0.3 * 3,
                            nextafter(0.1, 0.0)};
    unsigned char zero[11] = {0};
    assert_int_equal(fw_metrics_reliability(edges, zero, 11, &rel), FW_OK);
    assert_int_equal(rel.bins[0].n, 1); /* just below 0.1 */
    for (int k = 1; k < 8; k++) {
        assert_int_equal(rel.bins[k].n, 1);
    }
    assert_int_equal(rel.bins[8].n, 2); /* 0.8 and 0.8999999999999999 */
    assert_int_equal(rel.bins[9].n, 1);
}

static void test_reliability_large(void **state)
{
    (void)state;
    /* One million forecasts of 1e-4 (bin 0): Binomial(10^6, 1e-4) has
     * q05 = 84 and q95 = 117 (metrics_oracle.py, above). 100 events are
     * inside; 118 are above, 84 is on the edge (inclusive), 83 below. */
    size_t n = 1000000;
    double *p = malloc(n * sizeof *p);
    unsigned char *y = calloc(n, 1);
    assert_non_null(p);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++) {
        p[i] = 1e-4;
    }
    const struct {
        size_t events;
        int consistent;
    } cases[] = {{100, 1}, {118, 0}, {117, 1}, {84, 1}, {83, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memset(y, 0, n);
        for (size_t i = 0; i < cases[c].events; i++) {
            y[i * 7919] = 1;
        }
        struct fw_reliability rel;
        assert_int_equal(fw_metrics_reliability(p, y, n, &rel), FW_OK);
        const struct fw_reliability_bin *b = &rel.bins[0];
        assert_int_equal(b->n, n);
        assert_int_equal(b->n_pos, cases[c].events);
        assert_near(b->mean_pred, 1e-4, 1e-15);
        assert_near(b->q05, 84e-6, 1e-15);
        assert_near(b->q95, 117e-6, 1e-15);
        assert_int_equal(b->is_consistent, cases[c].consistent);
        assert_int_equal(rel.n_nonempty, 1);
    }
    /* The whole bundle on it: all scores tie, so AUROC 1/2 and AP is the
     * base rate 83e-6; Brier (83 * (1 - 1e-4)^2 + 999917 * 1e-8) / 10^6. */
    struct fw_metrics m;
    assert_int_equal(fw_metrics_compute(p, y, n, &m), FW_OK);
    assert_near(m.auroc, 0.5, EPS);
    assert_near(m.ap, 83e-6, EPS);
    assert_near(m.brier, (83 * 0.9999 * 0.9999 + 999917 * 1e-8) / 1e6, 1e-15);
    free(p);
    free(y);
}

/* splitmix64, as in metrics_oracle.py. */
static uint64_t splitmix64(uint64_t *st)
{
    uint64_t z = (*st += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Scores k/1000 (many ties), outcomes likelier at high scores. */
static void random_case(size_t n, uint64_t seed, double *p, unsigned char *y)
{
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = splitmix64(&st), b = splitmix64(&st);
        uint64_t k = a % 1001;
        p[i] = (double)k / 1000.0;
        y[i] = b % 1000 < k * 6 / 10 + 100;
    }
}

static void test_against_scipy(void **state)
{
    (void)state;
    /* metrics_oracle.py, random case n=5000 seed=20240601:
     *   P 2058, brier 0.230537138800000, auroc 0.715499577513826
     *   (scipy.stats.mannwhitneyu U / (P Q)), ap 0.600088530961066
     *   (sklearn's formula in numpy);
     * reliability bins: k n n_pos mean q05*n q95*n (scipy binom.ppf):
     *   0 511  50 0.050902152641878647  18  34
     *   1 488  97 0.14984221311475424   60  86
     *   2 471 123 0.25147346072186849  103 134
     *   3 462 143 0.34943506493506488  145 178
     *   4 480 196 0.44821666666666665  197 233
     *   5 531 235 0.55006779661016891  273 311
     *   6 481 234 0.65030769230769214  296 330
     *   7 547 315 0.74892870201096806  393 426
     *   8 507 306 0.84996844181459597  418 444
     *   9 522 359 0.95003639846743337  487 504 */
    static const struct {
        size_t n, n_pos;
        double mean;
        int q05, q95;
    } want[FW_METRICS_N_BINS] = {
        {511, 50, 0.050902152641878647, 18, 34},
        {488, 97, 0.14984221311475424, 60, 86},
        {471, 123, 0.25147346072186849, 103, 134},
        {462, 143, 0.34943506493506488, 145, 178},
        {480, 196, 0.44821666666666665, 197, 233},
        {531, 235, 0.55006779661016891, 273, 311},
        {481, 234, 0.65030769230769214, 296, 330},
        {547, 315, 0.74892870201096806, 393, 426},
        {507, 306, 0.84996844181459597, 418, 444},
        {522, 359, 0.95003639846743337, 487, 504},
    };
    size_t n = 5000;
    double *p = malloc(n * sizeof *p);
    unsigned char *y = malloc(n);
    assert_non_null(p);
    assert_non_null(y);
    random_case(n, 20240601, p, y);
    struct fw_metrics m;
    assert_int_equal(fw_metrics_compute(p, y, n, &m), FW_OK);
    assert_int_equal(m.n_pos, 2058);
    assert_near(m.brier, 0.230537138800000, 1e-13);
    assert_near(m.auroc, 0.715499577513826, 1e-13);
    assert_near(m.ap, 0.600088530961066, 1e-13);
    int consistent = 0;
    for (int k = 0; k < FW_METRICS_N_BINS; k++) {
        const struct fw_reliability_bin *b = &m.rel.bins[k];
        assert_int_equal(b->n, want[k].n);
        assert_int_equal(b->n_pos, want[k].n_pos);
        assert_near(b->mean_pred, want[k].mean, 1e-15);
        assert_near(b->q05 * (double)b->n, want[k].q05, 1e-9);
        assert_near(b->q95 * (double)b->n, want[k].q95, 1e-9);
        int inside = want[k].q05 <= (int)want[k].n_pos &&
                     (int)want[k].n_pos <= want[k].q95;
        assert_int_equal(b->is_consistent, inside);
        consistent += inside;
    }
    /* The outcomes happen at rate 0.1 + 0.6 p, which equals p only at
     * p = 0.25: bin 2 is the one consistent bin (123 in [103, 134]); the
     * bins below it have too many events, those above too few. */
    assert_int_equal(consistent, 1);
    assert_true(m.rel.bins[2].is_consistent);
    assert_int_equal(m.rel.n_consistent, 1);
    free(p);
    free(y);
}

/* AUROC and AP by their definitions, O(n^2), on random vectors of
 * several sizes and tie densities. */
static void test_against_brute_force(void **state)
{
    (void)state;
    size_t n = 1500;
    double *p = malloc(n * sizeof *p);
    unsigned char *y = malloc(n);
    assert_non_null(p);
    assert_non_null(y);
    uint64_t st = 7;
    for (int round = 0; round < 6; round++) {
        uint64_t levels = round % 2 ? 20 : 1000000;
        for (size_t i = 0; i < n; i++) {
            p[i] = (double)(splitmix64(&st) % levels) / (double)levels;
            y[i] = splitmix64(&st) % 100 < 30 + (uint64_t)(40 * p[i]);
        }
        double pairs = 0.0, n_pos = 0.0, n_neg = 0.0;
        for (size_t i = 0; i < n; i++) {
            n_pos += y[i];
            n_neg += !y[i];
            for (size_t j = 0; j < n; j++) {
                if (y[i] && !y[j]) {
                    pairs += p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0;
                }
            }
        }
        /* AP: for each distinct score t of a positive, precision of
         * "p >= t" times the share of positives scoring exactly t. */
        double ap = 0.0;
        for (size_t i = 0; i < n; i++) {
            int first = 1; /* i is the first positive with its score */
            for (size_t j = 0; j < i; j++) {
                if (y[j] && p[j] == p[i]) {
                    first = 0;
                }
            }
            if (!y[i] || !first) {
                continue;
            }
            double tp = 0.0, fp = 0.0, at = 0.0;
            for (size_t j = 0; j < n; j++) {
                if (p[j] >= p[i]) {
                    tp += y[j];
                    fp += !y[j];
                }
                at += y[j] && p[j] == p[i];
            }
            ap += at / n_pos * tp / (tp + fp);
        }
        struct fw_metrics m;
        assert_int_equal(fw_metrics_compute(p, y, n, &m), FW_OK);
        assert_near(m.auroc, pairs / (n_pos * n_neg), 1e-12);
        assert_near(m.ap, ap, 1e-12);
    }
    free(p);
    free(y);
}

/* The effective-trials interval, by hand. Bin 0.3-0.4 holds four rows
 * forecast 0.3, all events: three of cluster 7, one of cluster 9.
 *   rows independent: sum p (1 - p) = 4 * 0.21 = 0.84;
 *   clusters: S (m - S) = 0.9 * 2.1 + 0.3 * 0.7 = 2.1;
 *   deff = 2.1 / 0.84 = 2.5, n_eff = 4 / 2.5 = 1.6 -> 2.
 * Binomial(4, 0.3): CDF 0.2401, 0.6517, 0.9163, 0.9919 -> q05 = 0,
 * q95 = 3: [0, 0.75], and the observed 1 is outside. Binomial(2, 0.3): CDF
 * 0.49, 0.91, 1 -> [0, 1], inside. Bin 0.0-0.1 holds two rows of 0.05
 * from different clusters, no event: deff = 1, both intervals
 * Binomial(2, 0.05): CDF(0) = 0.9025 < 0.95 -> [0, 0.5]. */
static void test_effective_trials_hand(void **state)
{
    (void)state;
    const double p[] = {0.3, 0.3, 0.3, 0.3, 0.05, 0.05};
    const unsigned char y[] = {1, 1, 1, 1, 0, 0};
    const uint64_t cl[] = {7, 7, 9, 7, 7, 9};
    struct fw_metrics m;
    assert_int_equal(fw_metrics_compute_clustered(p, y, cl, 6, &m), FW_OK);
    const struct fw_reliability_bin *b = &m.rel.bins[3];
    assert_int_equal(b->n, 4);
    assert_int_equal(b->n_clusters, 2);
    assert_int_equal(b->n_eff, 2);
    assert_near(b->q05, 0.0, EPS);
    assert_near(b->q95, 0.75, EPS);
    assert_false(b->is_consistent);
    assert_near(b->q05_eff, 0.0, EPS);
    assert_near(b->q95_eff, 1.0, EPS);
    assert_true(b->is_consistent_eff);
    const struct fw_reliability_bin *b0 = &m.rel.bins[0];
    assert_int_equal(b0->n_clusters, 2);
    assert_int_equal(b0->n_eff, 2);
    assert_near(b0->q95_eff, 0.5, EPS);
    assert_near(b0->q95, 0.5, EPS);
    assert_true(b0->is_consistent_eff);
    assert_int_equal(m.rel.n_nonempty, 2);
    assert_int_equal(m.rel.n_consistent, 1);
    assert_int_equal(m.rel.n_consistent_eff, 2);
    assert_true(isnan(m.rel.bins[5].q05_eff));
    assert_int_equal(m.rel.bins[5].n_eff, 0);

    /* Without clusters, or with one cluster a row, the two intervals are
     * the same and the rest of the table too. */
    const uint64_t own[] = {1, 2, 3, 4, 5, 6};
    struct fw_metrics a, c;
    assert_int_equal(fw_metrics_compute(p, y, 6, &a), FW_OK);
    assert_int_equal(fw_metrics_compute_clustered(p, y, own, 6, &c), FW_OK);
    same_table(&a.rel, &c.rel);
    assert_int_equal(a.rel.bins[3].n_eff, 4);
    assert_int_equal(a.rel.n_consistent_eff, a.rel.n_consistent);
}

/* Why the effective trials: a forecaster that knows the truth, scored the
 * way the back-test scores it. Each of 30 places has a constant daily
 * hazard giving a 30-day probability pH drawn from 0.05, 0.15, ..., 0.95;
 * its event day is drawn once; it is forecast pH every week from day 0
 * until the event (52 weeks at most), and a row is an event when the
 * event falls within 30 days of its origin: the rows of a place are
 * dependent exactly as the back-test's are. Over 200 such samples the
 * row interval holds the observed rate in about 70% of bins, far from its
 * 90%; the interval of effective trials (clusters: place and 30-day
 * window) in over 90%. It also prints how often all of a sample's ~10 bins
 * are inside: 1 and 89 samples of 200 when written (FORECAST.md). */
static void test_effective_trials_coverage(void **state)
{
    (void)state;
    enum { PLACES = 30, WEEKS = 52, REPS = 200, H = 30 };
    double *p = malloc(PLACES * WEEKS * sizeof *p);
    unsigned char *y = malloc(PLACES * WEEKS);
    uint64_t *cl = malloc(PLACES * WEEKS * sizeof *cl);
    assert_non_null(p);
    assert_non_null(y);
    assert_non_null(cl);
    uint64_t st = 20261206;
    int bins = 0, in_row = 0, in_eff = 0, all_row = 0, all_eff = 0;
    for (int rep = 0; rep < REPS; rep++) {
        size_t n = 0;
        for (int pl = 0; pl < PLACES; pl++) {
            double ph = 0.05 + 0.1 * (double)(splitmix64(&st) % 10);
            double hazard = -log(1.0 - ph) / H;
            double u = ((double)(splitmix64(&st) >> 11) + 0.5) * 0x1.0p-53;
            double event = -log(u) / hazard;
            for (int w = 0; w < WEEKS && event > 7.0 * w; w++) {
                p[n] = ph;
                y[n] = event <= 7.0 * w + H;
                cl[n] = (uint64_t)pl << 32 | (uint64_t)(7 * w / H);
                n++;
            }
        }
        struct fw_metrics m;
        assert_int_equal(fw_metrics_compute_clustered(p, y, cl, n, &m), FW_OK);
        bins += m.rel.n_nonempty;
        in_row += m.rel.n_consistent;
        in_eff += m.rel.n_consistent_eff;
        all_row += m.rel.n_consistent == m.rel.n_nonempty;
        all_eff += m.rel.n_consistent_eff == m.rel.n_nonempty;
    }
    double row = (double)in_row / bins, eff = (double)in_eff / bins;
    print_message("bins %d: row interval holds %.3f, effective %.3f; every "
                  "bin inside in %d of %d samples by rows, %d by effective "
                  "trials\n",
                  bins, row, eff, all_row, REPS, all_eff);
    assert_true(eff >= 0.88);
    assert_true(row <= 0.80);
    free(p);
    free(y);
    free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_example),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_one_class),
        cmocka_unit_test(test_skill),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_binom_quantile),
        cmocka_unit_test(test_reliability_hand),
        cmocka_unit_test(test_reliability_large),
        cmocka_unit_test(test_against_scipy),
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_effective_trials_hand),
        cmocka_unit_test(test_effective_trials_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
