/*
 * bootstrap.c - cluster bootstrap of the difference between two
 * forecasters (see bootstrap.h).
 *
 * Each replicate is a weight per cluster (how many times it was drawn);
 * the Brier sums are kept per cluster, so the skill of a replicate costs
 * one pass over the clusters, and the average precision one pass over the
 * rows in the order of each forecaster's scores, sorted once, that stops
 * when the last positive is counted.
 */
#include "frontwatch/bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int fw_boot_diff_wins(const struct fw_boot_diff *bd)
{
    return bd->bss_lo > 0.0 && bd->dap_lo > 0.0;
}

/* splitmix64: small, fast, and the same numbers on every machine. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

struct scored {
    double p;
    uint32_t row;
};

static int cmp_desc(const void *a, const void *b)
{
    double x = ((const struct scored *)a)->p, y = ((const struct scored *)b)->p;
    return (x < y) - (x > y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Average precision of scores p over rows taken in order (p descending),
 * row i weighing w[cl[i]], with n_pos_w the weighted positives. */
static double weighted_ap(const uint32_t *order, size_t n, const double *p,
                          const unsigned char *y, const uint32_t *cl,
                          const uint32_t *w, double n_pos_w)
{
    if (n_pos_w <= 0) {
        return NAN;
    }
    double tp = 0, seen = 0, ap = 0;
    size_t i = 0;
    while (i < n && tp < n_pos_w) {
        double t = p[order[i]], tp_g = 0, n_g = 0;
        for (; i < n && p[order[i]] == t; i++) {
            uint32_t r = order[i];
            double wr = w[cl[r]];
            n_g += wr;
            tp_g += wr * y[r];
        }
        tp += tp_g;
        seen += n_g;
        if (tp_g > 0) {
            ap += tp_g / n_pos_w * (tp / seen);
        }
    }
    return ap;
}

/* The q-quantile (nearest rank) of the finite values of v[0..n), sorted
 * in place; NAN when none is finite. */
static double quantile(double *v, size_t n, double q)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(v[i])) {
            v[m++] = v[i];
        }
    }
    if (m == 0) {
        return NAN;
    }
    qsort(v, m, sizeof *v, cmp_double);
    return v[(size_t)floor(q * (double)(m - 1) + 0.5)];
}

struct work {
    uint32_t *cl;       /* dense cluster of each row */
    uint32_t *order[2]; /* rows by score, descending, per forecaster */
    double *se[2];      /* squared errors per cluster */
    uint32_t *pos;      /* positives per cluster */
    uint32_t *w;        /* weight per cluster */
    double *rep[2];     /* replicate skill and AP difference */
};

static void work_free(struct work *k)
{
    free(k->cl);
    for (int m = 0; m < 2; m++) {
        free(k->order[m]);
        free(k->se[m]);
        free(k->rep[m]);
    }
    free(k->pos);
    free(k->w);
}

/* Skill and AP difference for the weights k->w into *bss, *dap. */
static void one(const struct work *k, const double *const p[2],
                const unsigned char *y, size_t n, size_t n_cl, double *bss,
                double *dap)
{
    double se[2] = {0, 0}, n_pos = 0;
    for (size_t c = 0; c < n_cl; c++) {
        se[0] += k->w[c] * k->se[0][c];
        se[1] += k->w[c] * k->se[1][c];
        n_pos += (double)k->w[c] * k->pos[c];
    }
    *bss = se[1] > 0 ? 1.0 - se[0] / se[1] : NAN;
    *dap = weighted_ap(k->order[0], n, p[0], y, k->cl, k->w, n_pos) -
           weighted_ap(k->order[1], n, p[1], y, k->cl, k->w, n_pos);
}

fw_err fw_bootstrap_diff(const double *p_a, const double *p_b,
                         const unsigned char *y, const uint64_t *cluster,
                         size_t n, size_t replicates, uint64_t seed,
                         struct fw_boot_diff *out)
{
    if (p_a == NULL || p_b == NULL || y == NULL || cluster == NULL ||
        out == NULL || n == 0 || n > UINT32_MAX) {
        return FW_EUSAGE;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(p_a[i] >= 0 && p_a[i] <= 1 && p_b[i] >= 0 && p_b[i] <= 1) ||
            y[i] > 1) {
            return FW_ERANGE;
        }
    }
    if (replicates == 0) {
        replicates = FW_BOOTSTRAP_REPLICATES;
    }
    const double *const p[2] = {p_a, p_b};
    struct work k;
    memset(&k, 0, sizeof k);
    uint64_t *ids = malloc(n * sizeof *ids);
    k.cl = malloc(n * sizeof *k.cl);
    fw_err err = ids && k.cl ? FW_OK : FW_ENOMEM;
    size_t n_cl = 0;
    if (err == FW_OK) {
        memcpy(ids, cluster, n * sizeof *ids);
        qsort(ids, n, sizeof *ids, cmp_u64);
        for (size_t i = 0; i < n; i++) {
            if (n_cl == 0 || ids[n_cl - 1] != ids[i]) {
                ids[n_cl++] = ids[i];
            }
        }
        for (size_t i = 0; i < n; i++) {
            const uint64_t *f =
                bsearch(&cluster[i], ids, n_cl, sizeof *ids, cmp_u64);
            k.cl[i] = (uint32_t)(f - ids);
        }
        k.pos = calloc(n_cl, sizeof *k.pos);
        k.w = malloc(n_cl * sizeof *k.w);
        if (k.pos == NULL || k.w == NULL) {
            err = FW_ENOMEM;
        }
    }
    struct scored *sc = err == FW_OK ? malloc(n * sizeof *sc) : NULL;
    if (err == FW_OK && sc == NULL) {
        err = FW_ENOMEM;
    }
    for (int m = 0; err == FW_OK && m < 2; m++) {
        k.se[m] = calloc(n_cl, sizeof *k.se[m]);
        k.order[m] = malloc(n * sizeof *k.order[m]);
        k.rep[m] = malloc(replicates * sizeof *k.rep[m]);
        if (k.se[m] == NULL || k.order[m] == NULL || k.rep[m] == NULL) {
            err = FW_ENOMEM;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            double e = p[m][i] - y[i];
            k.se[m][k.cl[i]] += e * e;
            sc[i].p = p[m][i];
            sc[i].row = (uint32_t)i;
        }
        qsort(sc, n, sizeof *sc, cmp_desc);
        for (size_t i = 0; i < n; i++) {
            k.order[m][i] = sc[i].row;
        }
    }
    free(sc);
    if (err == FW_OK) {
        memset(out, 0, sizeof *out);
        out->n = n;
        out->n_clusters = n_cl;
        for (size_t i = 0; i < n; i++) {
            k.pos[k.cl[i]] += y[i];
            out->n_pos += y[i];
        }
        for (size_t c = 0; c < n_cl; c++) {
            k.w[c] = 1;
        }
        one(&k, p, y, n, n_cl, &out->bss, &out->dap);
        uint64_t s = seed;
        for (size_t r = 0; r < replicates; r++) {
            memset(k.w, 0, n_cl * sizeof *k.w);
            for (size_t c = 0; c < n_cl; c++) {
                k.w[next_u64(&s) % n_cl]++;
            }
            one(&k, p, y, n, n_cl, &k.rep[0][r], &k.rep[1][r]);
        }
        out->bss_lo = quantile(k.rep[0], replicates, 0.05);
        out->bss_hi = quantile(k.rep[0], replicates, 0.95);
        out->dap_lo = quantile(k.rep[1], replicates, 0.05);
        out->dap_hi = quantile(k.rep[1], replicates, 0.95);
    }
    free(ids);
    work_free(&k);
    return err;
}
