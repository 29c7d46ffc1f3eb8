/*
 * metrics.h - scores for probability forecasts of a binary event: Brier
 * score and skill, AUROC, average precision and a reliability table whose
 * bins carry a 90% consistency interval.
 *
 * Data flow: model -> backtest -> metrics -> outputs (svg.h draws the
 * reliability table and skill per period). The module is pure: it reads
 * the caller's arrays, writes the caller's structs and keeps no state, so
 * every function is thread-safe. Only fw_metrics_compute and
 * fw_metrics_auroc / fw_metrics_ap allocate, one scratch array of n doubles
 * freed before they return.
 *
 * Input everywhere: p[i] the forecast probability of event i, a finite
 * number in [0, 1]; y[i] its outcome, 0 or 1. Both arrays are borrowed and
 * have n elements. Errors shared by every function taking (p, y, n):
 *  - FW_EUSAGE: p or y (or an out-pointer) is NULL, or n == 0;
 *  - FW_ERANGE: some p[i] is NaN or outside [0, 1], or some y[i] is not 0
 *    or 1 (the first such i is not reported; the caller validates first
 *    when it needs to know);
 *  - FW_ENOMEM: the scratch array could not be allocated (functions that
 *    sort only).
 * On error the out-parameters are untouched.
 *
 * Definitions (N = n, P = number of y[i] == 1, Q = N - P):
 *  - Brier score: (1/N) sum_i (p[i] - y[i])^2. 0 is perfect; always
 *    forecasting the base rate P/N scores (P/N)(1 - P/N).
 *  - Brier skill score against a reference forecast: 1 - BS / BS_ref.
 *    1 is perfect, 0 is no better than the reference, negative is worse.
 *  - AUROC: the probability that a random positive scores above a random
 *    negative, ties counted one half: (1/(P Q)) sum over positive/negative
 *    pairs of [p_pos > p_neg] + 0.5 [p_pos == p_neg]. This equals the
 *    Mann-Whitney U statistic of the positives with average ranks for tied
 *    scores, divided by P Q, and scikit-learn's roc_auc_score. NaN when P
 *    or Q is 0.
 *  - Average precision: exactly scikit-learn's average_precision_score
 *    (sklearn.metrics, since 0.19; see its user guide, "Precision, recall
 *    and F-measures"): AP = sum_k (R_k - R_{k-1}) P_k over the distinct
 *    score values t_1 > t_2 > ... taken as thresholds (ties in score are
 *    one threshold), where P_k and R_k are precision and recall of "event
 *    when p >= t_k" and R_0 = 0. No interpolation: a step function, not
 *    the trapezoidal area. NaN when P is 0 (scikit-learn warns and returns
 *    0 there, having set recall to 1; with nothing to find there is no
 *    precision to average, and 0 would read as a score).
 *  - Reliability table: FW_METRICS_N_BINS equal-width bins of p, bin k
 *    holding k/10 <= p < (k+1)/10 (the edges are the doubles nearest to
 *    k/10, so p == 0.3 is in bin 3), p == 1.0 in the last bin. Per bin: n,
 *    positives, mean of p, observed rate positives/n, and the consistency
 *    interval [q05, q95]: the 5% and 95% quantiles of Binomial(n, mean of
 *    p) divided by n (quantile as in scipy.stats.binom.ppf: the smallest k
 *    with CDF(k) >= q). A calibrated forecast puts the observed rate inside
 *    the interval in about 90% of bins (at least 90%, as the true
 *    distribution, a Poisson binomial, is narrower than that binomial).
 *  - That interval assumes independent rows. Forecasts of the same place
 *    from weekly origins are not: the outcomes of origins t and t + 7
 *    days share all but a week of their horizon. With cluster ids (rows
 *    of one cluster share one outcome, say one place within one horizon
 *    window), each bin also gets the interval of its effective number of
 *    trials (Kish's design effect): a cluster c of m_c rows whose
 *    forecasts sum to S_c adds m_c^2 pbar_c (1 - pbar_c) = S_c (m_c - S_c)
 *    to the variance of the bin's positives if its rows share one
 *    outcome, against sum p (1 - p) if they were independent; the ratio is
 *    the design effect deff >= 1, and n_eff = n / deff rounded to the
 *    nearest integer in [1, n]. The interval is then the 5% and 95%
 *    quantiles of Binomial(n_eff, mean of p) / n_eff. One row per cluster
 *    gives deff = 1 and the interval above. A calibrated forecaster of
 *    weekly 30-day outcomes (tests/unit/test_metrics.c) lands inside the
 *    row interval in about 70% of bins and inside this one in over 90%.
 */
#ifndef FRONTWATCH_METRICS_H
#define FRONTWATCH_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"

#define FW_METRICS_N_BINS 10

/* One bin of the reliability table. For an empty bin (n == 0) every double
 * but p_lo and p_hi is NAN, the counts are 0 and both is_consistent flags
 * are 0. */
struct fw_reliability_bin {
    double p_lo, p_hi; /* bin edges: k/10 and (k+1)/10 */
    size_t n;          /* forecasts in the bin */
    size_t n_pos;      /* of which y == 1 */
    double mean_pred;  /* mean of their p */
    double obs_rate;   /* n_pos / n */
    double q05, q95;   /* 90% consistency interval of obs_rate: quantiles
                          of Binomial(n, mean_pred) / n */
    int is_consistent; /* q05 <= obs_rate <= q95 */
    size_t n_clusters; /* distinct clusters among the rows (n without ids) */
    size_t n_eff;      /* effective number of trials, 1 <= n_eff <= n */
    double q05_eff, q95_eff; /* 90% interval from n_eff trials */
    int is_consistent_eff;   /* q05_eff <= obs_rate <= q95_eff */
};

struct fw_reliability {
    struct fw_reliability_bin bins[FW_METRICS_N_BINS];
    int n_nonempty;   /* bins with n > 0 */
    int n_consistent; /* of which is_consistent */
    int n_consistent_eff; /* of which is_consistent_eff */
};

/* All scores of one set of forecasts. A plain value struct in the caller's
 * storage; it holds no pointers. */
struct fw_metrics {
    size_t n;          /* forecasts */
    size_t n_pos;      /* outcomes y == 1 */
    double base_rate;  /* n_pos / n */
    double brier;      /* Brier score */
    double brier_clim; /* Brier score of always forecasting base_rate:
                          base_rate (1 - base_rate), the in-sample
                          climatology reference for fw_metrics_brier_skill */
    double auroc;      /* NAN when one class is absent */
    double ap;         /* average precision; NAN when n_pos == 0 */
    struct fw_reliability rel;
};

/* Brier score of (p, y, n) into *out. Errors as above (no allocation). */
fw_err fw_metrics_brier(const double *p, const unsigned char *y, size_t n,
                        double *out);

/* Brier skill score 1 - brier / brier_ref. NAN when either is NaN or
 * negative, or when brier_ref is 0 (a perfect reference leaves no skill
 * to measure). */
double fw_metrics_brier_skill(double brier, double brier_ref);

/* AUROC of (p, y, n) into *out (NAN when P or Q is 0). O(n log n): sorts a
 * scratch copy of p. Errors as above. */
fw_err fw_metrics_auroc(const double *p, const unsigned char *y, size_t n,
                        double *out);

/* Average precision of (p, y, n) into *out (NAN when P is 0). O(n log n).
 * Errors as above. */
fw_err fw_metrics_ap(const double *p, const unsigned char *y, size_t n,
                     double *out);

/* Reliability table of (p, y, n) into *out. O(n), no allocation. Errors as
 * above. */
fw_err fw_metrics_reliability(const double *p, const unsigned char *y, size_t n,
                              struct fw_reliability *out);

/* The q-quantile of Binomial(n, prob): the smallest k in 0..n with
 * P(X <= k) >= q, into *k_out. The CDF is summed from the mode outward by
 * the ratio of consecutive probabilities and normalised by the sum, so it
 * neither overflows nor underflows (n up to 2^53, prob down to the
 * smallest double) and costs O(sqrt(n prob (1 - prob)) + 1) steps.
 * prob == 0 gives 0, prob == 1 gives n, q == 0 gives 0.
 * Errors: FW_EUSAGE (k_out NULL), FW_ERANGE (prob or q NaN or outside
 * [0, 1], or n > 2^53). */
fw_err fw_metrics_binom_quantile(uint64_t n, double prob, double q,
                                 uint64_t *k_out);

/* Every score of (p, y, n) into *out, with one sort. Errors as above. */
fw_err fw_metrics_compute(const double *p, const unsigned char *y, size_t n,
                          struct fw_metrics *out);

/* The same with cluster[i] the cluster of row i (NULL: every row its own)
 * for the reliability table's effective-trials interval. One more scratch
 * array of n entries. Errors as above. */
fw_err fw_metrics_compute_clustered(const double *p, const unsigned char *y,
                                    const uint64_t *cluster, size_t n,
                                    struct fw_metrics *out);

#endif
