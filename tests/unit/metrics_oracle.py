#!/usr/bin/env python3
"""metrics_oracle.py - independent reference values for test_metrics.c.

Run with the Debian python3 (numpy and scipy installed, scikit-learn not):
    /usr/bin/python3 tests/unit/metrics_oracle.py
Prints the numbers that test_metrics.c compares against. Nothing here
shares code with metrics.c:
  - binomial quantiles: a summation of exp(log pmf) with math.lgamma from
    k = 0 (the definition), and scipy.stats.binom.ppf;
  - AUROC: scipy.stats.mannwhitneyu (U of the positives) / (P Q);
  - AP: a transcription of scikit-learn's average_precision_score
    (sklearn/metrics/_ranking.py: _binary_clf_curve, precision_recall_curve,
    then -sum(diff(recall) * precision[:-1])), in numpy.
The random vector is splitmix64, replayed bit for bit in the C test.
"""
import math

import numpy as np
from scipy import stats


def lgamma_ppf(n, p, q):
    """Smallest k with CDF(k) >= q, CDF summed from 0 with lgamma."""
    lc = math.lgamma(n + 1)
    lp, lq = math.log(p), math.log1p(-p)
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.exp(lc - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                        + k * lp + (n - k) * lq)
        if cdf >= q:
            return k, cdf
    return n, cdf


def sklearn_ap(score, y):
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], y[order]
    distinct = np.where(np.diff(s))[0]
    idx = np.r_[distinct, t.size - 1]
    tps = np.cumsum(t)[idx]
    fps = 1 + idx - tps
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    precision = np.r_[precision[::-1], 1]
    recall = np.r_[recall[::-1], 0]
    return -np.sum(np.diff(recall) * np.array(precision)[:-1])


M64 = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def random_case(n, seed):
    """Scores k/1000 (many ties), outcomes more likely at high scores."""
    st = seed
    p, y = [], []
    for _ in range(n):
        st, a = splitmix64(st)
        st, b = splitmix64(st)
        k = a % 1001
        p.append(k / 1000.0)
        y.append(1 if b % 1000 < k * 6 // 10 + 100 else 0)
    return np.array(p), np.array(y)


print("# binomial quantiles: (n, p) q05 q95 [lgamma sum] / [scipy]")
for n, p in [(10, 0.3), (10, 0.75), (1000000, 1e-4), (2000000, 1e-6),
             (2000000, 0.5)]:
    lo = lgamma_ppf(n, p, 0.05)
    hi = lgamma_ppf(n, p, 0.95)
    print(n, p, "lgamma:", lo[0], hi[0], "(CDF there %.10f %.10f)"
          % (lo[1], hi[1]),
          "scipy:", int(stats.binom.ppf(0.05, n, p)),
          int(stats.binom.ppf(0.95, n, p)))
print("# CDF of Binomial(10, 0.3), k = 0..6")
print(["%.10f" % stats.binom.cdf(k, 10, 0.3) for k in range(7)])
print("# CDF of Binomial(10, 0.75), k = 4..10")
print(["%.10f" % stats.binom.cdf(k, 10, 0.75) for k in range(4, 11)])

p, y = random_case(5000, 20240601)
P, Q = int(y.sum()), int(y.size - y.sum())
u = stats.mannwhitneyu(p[y == 1], p[y == 0]).statistic
print("# random case n=5000 seed=20240601: P, brier, auroc, ap")
print(P, "%.15f" % np.mean((p - y) ** 2), "%.15f" % (u / (P * Q)),
      "%.15f" % sklearn_ap(p, y))
print("# its reliability bins: k n n_pos mean q05*n q95*n (scipy ppf)")
for k in range(10):
    sel = [i for i in range(p.size)
           if (k / 10 <= p[i] < (k + 1) / 10) or (k == 9 and p[i] == 1.0)]
    s = 0.0
    for i in sel:
        s += p[i]
    n = len(sel)
    mean = s / n
    print(k, n, int(y[sel].sum()), "%.17g" % mean,
          int(stats.binom.ppf(0.05, n, mean)),
          int(stats.binom.ppf(0.95, n, mean)))
