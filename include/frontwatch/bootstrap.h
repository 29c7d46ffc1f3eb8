/*
 * bootstrap.h - how sure a difference between two forecasters is: the
 * Brier skill of one against the other and the difference of their
 * average precisions, each with a 90 % interval from a bootstrap that
 * resamples clusters (places), not rows.
 *
 * Why clusters: a place is forecast every week, by two map series, and
 * its weekly outcomes overlap; resampling rows would treat its hundred
 * rows as a hundred independent facts and give intervals far too narrow.
 * Each replicate draws as many clusters as there are, with replacement,
 * and every row of a drawn cluster comes with it (as many times as the
 * cluster was drawn). The interval is the 5th and 95th percentiles of the
 * replicates (the percentile bootstrap); with a fixed seed the result is
 * reproducible.
 *
 * Definitions are metrics.h's: Brier skill 1 - BS_a / BS_b; average
 * precision as scikit-learn's (ties one threshold), with a row drawn k
 * times weighing k.
 */
#ifndef FRONTWATCH_BOOTSTRAP_H
#define FRONTWATCH_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"

/* Replicates the back-test draws: enough for the 5 % and 95 % points. */
#define FW_BOOTSTRAP_REPLICATES 1000

struct fw_boot_diff {
    size_t n, n_pos, n_clusters;
    double bss, bss_lo, bss_hi; /* Brier skill of a against b */
    double dap, dap_lo, dap_hi; /* AP of a minus AP of b */
};

/* Whether the difference favours a for sure: both lower bounds above 0.
 * An interval that straddles 0 is a tie, not a win. */
int fw_boot_diff_wins(const struct fw_boot_diff *bd);

/* Forecasts p_a and p_b of the same n events y (0/1), row i in cluster
 * cluster[i], into *out; replicates draws (0: FW_BOOTSTRAP_REPLICATES)
 * from the generator seeded with seed. Errors: FW_EUSAGE (NULL arrays,
 * n == 0), FW_ERANGE (a probability outside [0, 1] or a label not 0/1),
 * FW_ENOMEM. O(replicates x n) after two sorts. */
fw_err fw_bootstrap_diff(const double *p_a, const double *p_b,
                         const unsigned char *y, const uint64_t *cluster,
                         size_t n, size_t replicates, uint64_t seed,
                         struct fw_boot_diff *out);

#endif
