/*
 * metrics.c - scores of probability forecasts (see metrics.h).
 *
 * Sits after the back-test: it gets the forecasts and outcomes of one model
 * as two arrays and returns numbers. AUROC and average precision both come
 * from one sort: the positives' scores and the negatives' scores, each
 * sorted ascending in one scratch array, are walked together, so the
 * pair counts behind AUROC are exact integers and tied scores fall into
 * one step of the precision-recall curve without a separate grouping
 * pass. The binomial quantiles of the reliability table are summed from
 * the mode outward (no lgamma, which is not thread-safe in POSIX: it sets
 * signgam).
 */
#include "frontwatch/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Binomial terms below this fraction of the term at the mode are left out
 * of the sums: 10.7 standard deviations from the mean, beyond which the
 * whole tail is below 1e-24 of the total. */
#define BINOM_NEGLIGIBLE 1e-25

/* 2^53: above it, n - k is no longer exact in a double. */
#define BINOM_MAX_N ((uint64_t)1 << 53)

/* FW_OK when every p[i] is in [0, 1] and every y[i] is 0 or 1; counts the
 * positives. */
static fw_err validate(const double *p, const unsigned char *y, size_t n,
                       size_t *n_pos)
{
    if (p == NULL || y == NULL || n == 0) {
        return FW_EUSAGE;
    }
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        /* Written so that NaN fails too. */
        if (!(p[i] >= 0.0 && p[i] <= 1.0) || y[i] > 1) {
            return FW_ERANGE;
        }
        pos += y[i];
    }
    *n_pos = pos;
    return FW_OK;
}

/* Neumaier's compensated sum: a running sum plus the low-order bits each
 * addition lost. Plain summation of two million terms can be off by
 * n * 2^-53 relative (1e6 forecasts of 1e-4 average to 1.00000000002e-4);
 * this is exact to about 2^-53 whatever n. */
struct ksum {
    double sum, lost;
};

static void ksum_add(struct ksum *k, double x)
{
    double t = k->sum + x;
    if (fabs(k->sum) >= fabs(x)) {
        k->lost += (k->sum - t) + x;
    } else {
        k->lost += (x - t) + k->sum;
    }
    k->sum = t;
}

static double ksum_value(const struct ksum *k)
{
    return k->sum + k->lost;
}

static double brier_of(const double *p, const unsigned char *y, size_t n)
{
    struct ksum sum = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        double d = p[i] - (double)y[i];
        ksum_add(&sum, d * d);
    }
    return ksum_value(&sum) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A new array (caller frees) with the positives' scores, ascending, in
 * [0, n_pos) and the negatives' scores, ascending, in [n_pos, n). */
static fw_err split_sorted(const double *p, const unsigned char *y, size_t n,
                           size_t n_pos, double **out)
{
    if (n > SIZE_MAX / sizeof(double)) {
        return FW_ENOMEM;
    }
    double *s = malloc(n * sizeof *s);
    if (s == NULL) {
        return FW_ENOMEM;
    }
    size_t i_pos = 0, i_neg = n_pos;
    for (size_t i = 0; i < n; i++) {
        if (y[i]) {
            s[i_pos++] = p[i];
        } else {
            s[i_neg++] = p[i];
        }
    }
    qsort(s, n_pos, sizeof *s, cmp_double);
    qsort(s + n_pos, n - n_pos, sizeof *s, cmp_double);
    *out = s;
    return FW_OK;
}

/* Mann-Whitney: for each positive (ascending), the negatives below it count
 * 1 and those equal to it 1/2; counted doubled so the sum stays integral.
 * Two pointers over the negatives move forward only: O(P + Q). */
static double auroc_sorted(const double *pos, size_t n_pos, const double *neg,
                           size_t n_neg)
{
    if (n_pos == 0 || n_neg == 0) {
        return NAN;
    }
    size_t lt = 0, le = 0; /* negatives < and <= the current positive */
    double twice_u = 0.0;  /* exact while below 2^53 */
    for (size_t i = 0; i < n_pos; i++) {
        while (lt < n_neg && neg[lt] < pos[i]) {
            lt++;
        }
        if (le < lt) {
            le = lt;
        }
        while (le < n_neg && neg[le] <= pos[i]) {
            le++;
        }
        twice_u += (double)(2 * (uint64_t)lt + (uint64_t)(le - lt));
    }
    return twice_u / (2.0 * (double)n_pos * (double)n_neg);
}

/* scikit-learn's average_precision_score: thresholds are the distinct
 * scores, highest first; each adds (recall gained) * (precision there).
 * Once every positive is counted, recall gains nothing more. */
static double ap_sorted(const double *pos, size_t n_pos, const double *neg,
                        size_t n_neg)
{
    if (n_pos == 0) {
        return NAN;
    }
    size_t i = n_pos, j = n_neg; /* unconsumed: pos[0..i), neg[0..j) */
    size_t tp = 0, fp = 0;
    double ap = 0.0;
    while (i > 0) {
        double t = pos[i - 1];
        if (j > 0 && neg[j - 1] > t) {
            t = neg[j - 1];
        }
        size_t tp_before = tp;
        while (i > 0 && pos[i - 1] == t) {
            i--;
            tp++;
        }
        while (j > 0 && neg[j - 1] == t) {
            j--;
            fp++;
        }
        if (tp > tp_before) {
            double recall_gain = (double)(tp - tp_before) / (double)n_pos;
            ap += recall_gain * ((double)tp / (double)(tp + fp));
        }
    }
    return ap;
}

/* Bin k holds [k/10, (k+1)/10) with edges the doubles nearest k/10. p * 10
 * is rounded, so p * 10 can land one bin off near an edge; the edge
 * comparisons put it back. */
static int bin_of(double p)
{
    int k = (int)(p * FW_METRICS_N_BINS);
    if (k > FW_METRICS_N_BINS - 1) {
        k = FW_METRICS_N_BINS - 1;
    }
    if (k > 0 && p < (double)k / FW_METRICS_N_BINS) {
        k--;
    } else if (k < FW_METRICS_N_BINS - 1 &&
               p >= (double)(k + 1) / FW_METRICS_N_BINS) {
        k++;
    }
    return k;
}

/* The binomial quantile on valid arguments. Terms are kept relative to the
 * term at the mode m = floor((n + 1) prob), the largest, which is 1 here:
 * w(k - 1) = w(k) k / (n - k + 1) (1 - prob) / prob going down and
 * w(k + 1) = w(k) (n - k) / (k + 1) prob / (1 - prob) going up. The sums
 * are divided by the total, so no term needs its absolute size. */
static uint64_t binom_quantile(uint64_t n, double prob, double q)
{
    if (q <= 0.0 || prob <= 0.0) {
        return 0;
    }
    if (q >= 1.0 || prob >= 1.0) {
        /* The smallest k with CDF(k) >= 1 is n for any prob > 0. */
        return n;
    }
    double nd = (double)n;
    double down = (1.0 - prob) / prob; /* prob > 0: finite */
    double up = prob / (1.0 - prob);   /* prob < 1: finite */
    double mode_d = floor((nd + 1.0) * prob);
    uint64_t m = mode_d >= nd ? n : (uint64_t)mode_d;

    /* Mass below the mode and above it, relative to w(m) = 1. */
    double below = 0.0, above = 0.0, w = 1.0;
    for (uint64_t k = m; k > 0; k--) {
        w *= (double)k / (nd - (double)k + 1.0) * down;
        if (w < BINOM_NEGLIGIBLE) {
            break;
        }
        below += w;
    }
    w = 1.0;
    for (uint64_t k = m; k < n; k++) {
        w *= (nd - (double)k) / (double)(k + 1) * up;
        if (w < BINOM_NEGLIGIBLE) {
            break;
        }
        above += w;
    }
    double total = below + 1.0 + above;
    double cdf = (below + 1.0) / total; /* CDF(m) */

    uint64_t k = m;
    w = 1.0;
    if (cdf >= q) {
        /* Step down while CDF(k - 1) = CDF(k) - w(k) / total still
         * reaches q. */
        while (k > 0 && w >= BINOM_NEGLIGIBLE && cdf - w / total >= q) {
            cdf -= w / total;
            w *= (double)k / (nd - (double)k + 1.0) * down;
            k--;
        }
    } else {
        /* Step up until CDF(k) reaches q; past the negligible terms the
         * CDF cannot grow any more, so stop there. */
        while (k < n && cdf < q) {
            w *= (nd - (double)k) / (double)(k + 1) * up;
            k++;
            if (w < BINOM_NEGLIGIBLE) {
                break;
            }
            cdf += w / total;
        }
    }
    return k;
}

fw_err fw_metrics_binom_quantile(uint64_t n, double prob, double q,
                                 uint64_t *k_out)
{
    if (k_out == NULL) {
        return FW_EUSAGE;
    }
    if (!(prob >= 0.0 && prob <= 1.0) || !(q >= 0.0 && q <= 1.0) ||
        n > BINOM_MAX_N) {
        return FW_ERANGE;
    }
    *k_out = binom_quantile(n, prob, q);
    return FW_OK;
}

/* A row for the clustered sums: its bin, its cluster and its forecast. */
struct crow {
    uint64_t cluster;
    int bin;
    double p;
};

static int cmp_crow(const void *a, const void *b)
{
    const struct crow *x = a, *y = b;
    if (x->bin != y->bin) {
        return x->bin < y->bin ? -1 : 1;
    }
    return (x->cluster > y->cluster) - (x->cluster < y->cluster);
}

/* Per bin: the clusters and sum over clusters of S_c (m_c - S_c) (metrics.h)
 * into n_cl[] and var_cl[] (zeroed by the caller). FW_ENOMEM when the
 * scratch array cannot be had. */
static fw_err cluster_sums(const double *p, const uint64_t *cluster, size_t n,
                           size_t *n_cl, struct ksum *var_cl)
{
    struct crow *r = malloc(n * sizeof *r);
    if (r == NULL) {
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        r[i] = (struct crow){cluster[i], bin_of(p[i]), p[i]};
    }
    qsort(r, n, sizeof *r, cmp_crow);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        struct ksum s = {0.0, 0.0};
        while (j < n && r[j].bin == r[i].bin && r[j].cluster == r[i].cluster) {
            ksum_add(&s, r[j].p);
            j++;
        }
        double sum = ksum_value(&s);
        n_cl[r[i].bin]++;
        ksum_add(&var_cl[r[i].bin], sum * ((double)(j - i) - sum));
        i = j;
    }
    free(r);
    return FW_OK;
}

static fw_err reliability_of(const double *p, const unsigned char *y,
                             const uint64_t *cluster, size_t n,
                             struct fw_reliability *out)
{
    struct ksum sum_p[FW_METRICS_N_BINS] = {{0.0, 0.0}};
    struct ksum var_row[FW_METRICS_N_BINS] = {{0.0, 0.0}};
    struct ksum var_cl[FW_METRICS_N_BINS] = {{0.0, 0.0}};
    size_t cnt[FW_METRICS_N_BINS] = {0}, pos[FW_METRICS_N_BINS] = {0};
    size_t n_cl[FW_METRICS_N_BINS] = {0};
    for (size_t i = 0; i < n; i++) {
        int k = bin_of(p[i]);
        ksum_add(&sum_p[k], p[i]);
        ksum_add(&var_row[k], p[i] * (1.0 - p[i]));
        cnt[k]++;
        pos[k] += y[i];
    }
    if (cluster == NULL) {
        /* every row its own cluster: S (m - S) = p (1 - p) */
        memcpy(n_cl, cnt, sizeof n_cl);
        memcpy(var_cl, var_row, sizeof var_cl);
    } else {
        fw_err err = cluster_sums(p, cluster, n, n_cl, var_cl);
        if (err != FW_OK) {
            return err;
        }
    }
    out->n_nonempty = 0;
    out->n_consistent = 0;
    out->n_consistent_eff = 0;
    for (int k = 0; k < FW_METRICS_N_BINS; k++) {
        struct fw_reliability_bin *b = &out->bins[k];
        b->p_lo = (double)k / FW_METRICS_N_BINS;
        b->p_hi = (double)(k + 1) / FW_METRICS_N_BINS;
        b->n = cnt[k];
        b->n_pos = pos[k];
        b->n_clusters = n_cl[k];
        if (cnt[k] == 0) {
            b->mean_pred = b->obs_rate = b->q05 = b->q95 = NAN;
            b->q05_eff = b->q95_eff = NAN;
            b->n_eff = 0;
            b->is_consistent = b->is_consistent_eff = 0;
            continue;
        }
        double nd = (double)cnt[k];
        double mean = ksum_value(&sum_p[k]) / nd;
        /* A rounded mean can stray past an edge, never past [0, 1]. */
        mean = mean < 0.0 ? 0.0 : mean > 1.0 ? 1.0 : mean;
        b->mean_pred = mean;
        b->obs_rate = (double)pos[k] / nd;
        b->q05 = (double)binom_quantile(cnt[k], mean, 0.05) / nd;
        b->q95 = (double)binom_quantile(cnt[k], mean, 0.95) / nd;
        b->is_consistent = b->q05 <= b->obs_rate && b->obs_rate <= b->q95;
        /* n / deff = n * var_row / var_cl; with no variance at all (every
         * p 0 or 1) there is nothing to shrink */
        double vr = ksum_value(&var_row[k]), vc = ksum_value(&var_cl[k]);
        double ne = vc > 0.0 && vr > 0.0 ? nd * vr / vc : nd;
        ne = round(ne);
        b->n_eff = ne < 1.0 ? 1 : ne > nd ? cnt[k] : (size_t)ne;
        double ned = (double)b->n_eff;
        b->q05_eff = (double)binom_quantile(b->n_eff, mean, 0.05) / ned;
        b->q95_eff = (double)binom_quantile(b->n_eff, mean, 0.95) / ned;
        b->is_consistent_eff =
            b->q05_eff <= b->obs_rate && b->obs_rate <= b->q95_eff;
        out->n_nonempty++;
        out->n_consistent += b->is_consistent;
        out->n_consistent_eff += b->is_consistent_eff;
    }
    return FW_OK;
}

fw_err fw_metrics_brier(const double *p, const unsigned char *y, size_t n,
                        double *out)
{
    size_t n_pos;
    fw_err err = validate(p, y, n, &n_pos);
    if (err != FW_OK) {
        return err;
    }
    if (out == NULL) {
        return FW_EUSAGE;
    }
    *out = brier_of(p, y, n);
    return FW_OK;
}

double fw_metrics_brier_skill(double brier, double brier_ref)
{
    /* Written so that NaN fails too. */
    if (!(brier >= 0.0) || !(brier_ref > 0.0)) {
        return NAN;
    }
    return 1.0 - brier / brier_ref;
}

/* Sorts and returns AUROC (want_auroc) or AP. */
static fw_err ranked(const double *p, const unsigned char *y, size_t n,
                     int want_auroc, double *out)
{
    size_t n_pos;
    fw_err err = validate(p, y, n, &n_pos);
    if (err != FW_OK) {
        return err;
    }
    if (out == NULL) {
        return FW_EUSAGE;
    }
    double *s;
    err = split_sorted(p, y, n, n_pos, &s);
    if (err != FW_OK) {
        return err;
    }
    *out = want_auroc ? auroc_sorted(s, n_pos, s + n_pos, n - n_pos)
                      : ap_sorted(s, n_pos, s + n_pos, n - n_pos);
    free(s);
    return FW_OK;
}

fw_err fw_metrics_auroc(const double *p, const unsigned char *y, size_t n,
                        double *out)
{
    return ranked(p, y, n, 1, out);
}

fw_err fw_metrics_ap(const double *p, const unsigned char *y, size_t n,
                     double *out)
{
    return ranked(p, y, n, 0, out);
}

fw_err fw_metrics_reliability(const double *p, const unsigned char *y, size_t n,
                              struct fw_reliability *out)
{
    size_t n_pos;
    fw_err err = validate(p, y, n, &n_pos);
    if (err != FW_OK) {
        return err;
    }
    if (out == NULL) {
        return FW_EUSAGE;
    }
    return reliability_of(p, y, NULL, n, out);
}

fw_err fw_metrics_compute(const double *p, const unsigned char *y, size_t n,
                          struct fw_metrics *out)
{
    return fw_metrics_compute_clustered(p, y, NULL, n, out);
}

fw_err fw_metrics_compute_clustered(const double *p, const unsigned char *y,
                                    const uint64_t *cluster, size_t n,
                                    struct fw_metrics *out)
{
    size_t n_pos;
    fw_err err = validate(p, y, n, &n_pos);
    if (err != FW_OK) {
        return err;
    }
    if (out == NULL) {
        return FW_EUSAGE;
    }
    double *s;
    err = split_sorted(p, y, n, n_pos, &s);
    if (err != FW_OK) {
        return err;
    }
    /* Filled in a local so that *out is untouched on error. */
    struct fw_metrics m;
    m.n = n;
    m.n_pos = n_pos;
    m.base_rate = (double)n_pos / (double)n;
    m.brier = brier_of(p, y, n);
    m.brier_clim = m.base_rate * (1.0 - m.base_rate);
    m.auroc = auroc_sorted(s, n_pos, s + n_pos, n - n_pos);
    m.ap = ap_sorted(s, n_pos, s + n_pos, n - n_pos);
    free(s);
    err = reliability_of(p, y, cluster, n, &m.rel);
    if (err == FW_OK) {
        *out = m;
    }
    return err;
}
