/*
 * report.c - writes a finished back-test as report.json, report.md and
 * four SVG charts (see report.h). The last step of the back-test's data
 * flow: backtest -> metrics -> svg -> report.
 */
#include "frontwatch/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "frontwatch/date.h"
#include "frontwatch/svg.h"

#define PATH_CAP 4096
#define CLIM FW_MODEL_CLIMATOLOGY
#define DIST FW_MODEL_LOGIT_DIST

/* Names path in d->file. A path longer than d->file holds (write_atomic's
 * hold up to PATH_CAP bytes, the folder asked for any number) keeps its
 * end, which names the file, after "...": a path cut at its end would name
 * another file. */
static void set_diag_file(struct fw_diag *d, const char *path)
{
    size_t len = strlen(path);
    if (len < sizeof d->file) {
        memcpy(d->file, path, len + 1);
        return;
    }
    const char *tail = path + len - (sizeof d->file - 4);
    while (((unsigned char)*tail & 0xC0) == 0x80) {
        tail++; /* not inside a UTF-8 character */
    }
    memcpy(d->file, "...", 3);
    memcpy(d->file + 3, tail, strlen(tail) + 1);
}

/* Sets d to an I/O error on path; errno is read before anything can
 * change it. */
static fw_err io_error(struct fw_diag *d, const char *path, const char *what)
{
    const char *why = strerror(errno);
    if (d != NULL) {
        set_diag_file(d, path);
    }
    return fw_diag_set(d, FW_EIO, 0, 0, "cannot %s %s: %s", what, path, why);
}

/* Writes text[0..len) (and a newline when add_newline) to dir/name
 * through dir/name.tmp. On error the tmp file is removed and an existing
 * dir/name is unchanged. */
static fw_err write_atomic(const char *dir, const char *name, const char *text,
                           size_t len, int add_newline, struct fw_diag *d)
{
    char path[PATH_CAP], tmp[PATH_CAP];
    int n1 = snprintf(path, sizeof path, "%s/%s", dir, name);
    int n2 = snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return io_error(d, dir, "write into");
    }
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return io_error(d, tmp, "create");
    }
    if (fwrite(text, 1, len, f) != len ||
        (add_newline && fputc('\n', f) == EOF)) {
        fw_err e = io_error(d, tmp, "write");
        fclose(f);
        remove(tmp);
        return e;
    }
    if (fclose(f) != 0) {
        fw_err e = io_error(d, tmp, "write");
        remove(tmp);
        return e;
    }
    if (rename(tmp, path) != 0) {
        fw_err e = io_error(d, path, "rename into");
        remove(tmp);
        return e;
    }
    return FW_OK;
}

fw_err fw_report_write_file(const char *dir, const char *name,
                            const char *text, size_t len, struct fw_diag *d)
{
    return write_atomic(dir, name, text, len, 0, d);
}

static double skill(double brier, double brier_ref)
{
    return fw_metrics_brier_skill(brier, brier_ref);
}

/* ---- report.json ---- */

/* NaN and infinities are not JSON: written as null. */
static int add_num(cJSON *o, const char *key, double v)
{
    if (!isfinite(v)) {
        return cJSON_AddNullToObject(o, key) != NULL;
    }
    return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static int add_str(cJSON *o, const char *key, const char *s)
{
    if (s == NULL) {
        return cJSON_AddNullToObject(o, key) != NULL;
    }
    return cJSON_AddStringToObject(o, key, s) != NULL;
}

static int add_day(cJSON *o, const char *key, int64_t t_s)
{
    char buf[11];
    fw_date_format_day(t_s, buf);
    return cJSON_AddStringToObject(o, key, buf) != NULL;
}

static int add_bin(cJSON *arr, const struct fw_reliability_bin *b)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return 0;
    }
    return add_num(o, "p_lo", b->p_lo) && add_num(o, "p_hi", b->p_hi) &&
           add_num(o, "n", (double)b->n) &&
           add_num(o, "positives", (double)b->n_pos) &&
           add_num(o, "mean_pred", b->mean_pred) &&
           add_num(o, "obs_rate", b->obs_rate) && add_num(o, "q05", b->q05) &&
           add_num(o, "q95", b->q95) &&
           cJSON_AddBoolToObject(o, "consistent", b->is_consistent) != NULL &&
           add_num(o, "clusters", (double)b->n_clusters) &&
           add_num(o, "n_eff", (double)b->n_eff) &&
           add_num(o, "q05_eff", b->q05_eff) &&
           add_num(o, "q95_eff", b->q95_eff) &&
           cJSON_AddBoolToObject(o, "consistent_eff", b->is_consistent_eff) !=
               NULL;
}

/* One window ("all" or "final"): every model by name. */
static int add_window(cJSON *parent, const char *key,
                      const struct fw_metrics ms[FW_MODEL_N_KINDS])
{
    cJSON *w = cJSON_AddObjectToObject(parent, key);
    if (w == NULL) {
        return 0;
    }
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        const struct fw_metrics *m = &ms[k];
        cJSON *o = cJSON_AddObjectToObject(w, fw_model_kind_name(k));
        int ok =
            o != NULL && add_num(o, "n", (double)m->n) &&
            add_num(o, "positives", (double)m->n_pos) &&
            add_num(o, "base_rate", m->base_rate) &&
            add_num(o, "brier", m->brier) &&
            add_num(o, "bss_climatology", skill(m->brier, ms[CLIM].brier)) &&
            add_num(o, "bss_distance", skill(m->brier, ms[DIST].brier)) &&
            add_num(o, "auroc", m->auroc) && add_num(o, "ap", m->ap) &&
            add_num(o, "bins_nonempty", m->rel.n_nonempty) &&
            add_num(o, "bins_consistent", m->rel.n_consistent) &&
            add_num(o, "bins_consistent_eff", m->rel.n_consistent_eff);
        cJSON *bins = ok ? cJSON_AddArrayToObject(o, "reliability") : NULL;
        if (bins == NULL) {
            return 0;
        }
        for (int b = 0; b < FW_METRICS_N_BINS; b++) {
            if (!add_bin(bins, &m->rel.bins[b])) {
                return 0;
            }
        }
    }
    return 1;
}

/* Each model against the distance-only baseline, per window:
 * "vs_distance": {"all": {<model>: {"bss", "bss_lo", "bss_hi", "dap",
 * "dap_lo", "dap_hi", "places", "wins"}}, "final": {...}}. */
static int add_versus(cJSON *parent, const struct fw_backtest_horizon *hz)
{
    static const char *const names[FW_BT_N_WINDOWS] = {"all", "final"};
    cJSON *vs = cJSON_AddObjectToObject(parent, "vs_distance");
    int ok = vs != NULL;
    for (int v = 0; ok && v < FW_BT_N_WINDOWS; v++) {
        cJSON *w = cJSON_AddObjectToObject(vs, names[v]);
        ok = w != NULL;
        for (int k = 0; ok && k < FW_MODEL_N_KINDS; k++) {
            const struct fw_boot_diff *bd = &hz->vs_base[v][k];
            if (bd->n == 0) {
                continue;
            }
            cJSON *o = cJSON_AddObjectToObject(w, fw_model_kind_name(k));
            ok = o != NULL && add_num(o, "bss", bd->bss) &&
                 add_num(o, "bss_lo", bd->bss_lo) &&
                 add_num(o, "bss_hi", bd->bss_hi) &&
                 add_num(o, "dap", bd->dap) &&
                 add_num(o, "dap_lo", bd->dap_lo) &&
                 add_num(o, "dap_hi", bd->dap_hi) &&
                 add_num(o, "places", (double)bd->n_clusters) &&
                 cJSON_AddBoolToObject(o, "wins", fw_boot_diff_wins(bd)) !=
                     NULL;
        }
    }
    return ok;
}

/* A quarter's Brier score of model k; NaN when the quarter was not
 * scored (its numbers are then whatever the back-test left there). */
static double period_brier(const struct fw_backtest_period *p, int k)
{
    return p->scored ? p->brier[k] : NAN;
}

static int add_quarter(cJSON *arr, const struct fw_backtest_period *p)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return 0;
    }
    cJSON *br = NULL, *bss = NULL;
    int ok = add_str(o, "label", p->label) && add_day(o, "from", p->from_s) &&
             add_day(o, "to", p->to_s) &&
             cJSON_AddBoolToObject(o, "scored", p->scored) != NULL &&
             add_num(o, "n", (double)p->n) &&
             add_num(o, "positives", (double)p->n_pos) &&
             (br = cJSON_AddObjectToObject(o, "brier")) != NULL &&
             (bss = cJSON_AddObjectToObject(o, "bss_climatology")) != NULL;
    for (int k = 0; ok && k < FW_MODEL_N_KINDS; k++) {
        const char *name = fw_model_kind_name(k);
        ok = add_num(br, name, period_brier(p, k)) &&
             add_num(bss, name,
                     skill(period_brier(p, k), period_brier(p, CLIM)));
    }
    return ok;
}

static char *report_json(const struct fw_backtest *bt,
                         const struct fw_report_info *info)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *inf = NULL, *hs = NULL;
    int ok = root != NULL && add_day(root, "from", bt->from_s) &&
             add_day(root, "to", bt->to_s) &&
             add_day(root, "final_from", bt->final_from_s) &&
             add_str(root, "chosen_model", fw_model_kind_name(bt->chosen)) &&
             add_str(root, "chosen_why", bt->chosen_why) &&
             add_str(root, "distance_model", fw_model_kind_name(DIST)) &&
             add_str(root, "reference_model", fw_model_kind_name(CLIM)) &&
             (inf = cJSON_AddObjectToObject(root, "info")) != NULL;
    if (ok && info != NULL) {
        ok = add_str(inf, "command", info->command) &&
             add_str(inf, "data_sha256", info->data_sha256) &&
             add_num(inf, "data_files", (double)info->data_files) &&
             add_num(inf, "dataset_rows", (double)info->dataset_rows) &&
             add_num(inf, "dataset_seconds", info->dataset_seconds);
    }
    ok = ok && add_num(inf, "backtest_seconds", bt->seconds) &&
         (hs = cJSON_AddArrayToObject(root, "horizons")) != NULL;
    for (int h = 0; ok && h < FW_N_HORIZONS; h++) {
        const struct fw_backtest_horizon *hz = &bt->h[h];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(hs, o)) {
            cJSON_Delete(o);
            ok = 0;
            break;
        }
        cJSON *qs = NULL;
        ok = add_num(o, "days", hz->days) && add_window(o, "all", hz->all) &&
             add_window(o, "final", hz->final) &&
             add_versus(o, hz) &&
             (qs = cJSON_AddArrayToObject(o, "quarters")) != NULL;
        for (size_t i = 0; ok && i < hz->n_periods; i++) {
            ok = add_quarter(qs, &hz->periods[i]);
        }
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}

/* ---- report.md ---- */

/* Number formats of the Markdown report; every one writes NaN as "n/a". */
enum style {
    BRIER,  /* 6 significant digits */
    SKILL,  /* 3 decimals (BSS, AUROC) */
    SMALL,  /* 4 significant digits (rates, AP, bin numbers) */
    SECONDS /* 1 decimal */
};

/* A few formatted numbers for one line: each call takes the next slot. */
struct numbuf {
    char s[12][40];
    int next;
};

static const char *num(struct numbuf *nb, double v, enum style st)
{
    if (!isfinite(v)) {
        return "n/a";
    }
    char *b = nb->s[nb->next++ % 12];
    switch (st) {
    case BRIER:
        snprintf(b, sizeof nb->s[0], "%.6g", v);
        break;
    case SKILL:
        snprintf(b, sizeof nb->s[0], "%.3f", v);
        break;
    case SMALL:
        snprintf(b, sizeof nb->s[0], "%.4g", v);
        break;
    case SECONDS:
        snprintf(b, sizeof nb->s[0], "%.1f", v);
        break;
    }
    return b;
}

static const char *yes_no(double skill_or_diff)
{
    return isnan(skill_or_diff) ? "n/a" : skill_or_diff > 0 ? "yes" : "no";
}

/* Whether the reliability table passes: no more bins outside their 90 %
 * interval of effective trials than a calibrated forecaster shows 9 times
 * in 10 (metrics.h: the 90 % point of Binomial(bins, 0.1); with 8-10
 * bins, 2). */
static int calibration_ok(const struct fw_reliability *r, int *allowed)
{
    uint64_t k = 0;
    if (r->n_nonempty == 0 ||
        fw_metrics_binom_quantile((uint64_t)r->n_nonempty, 0.1, 0.9, &k) !=
            FW_OK) {
        *allowed = 0;
        return 0;
    }
    *allowed = (int)k;
    return r->n_nonempty - r->n_consistent_eff <= (int)k;
}

static void md_verdict(FILE *f, const struct fw_backtest_horizon *hz,
                       enum fw_model_kind chosen_kind)
{
    const struct fw_metrics *c = &hz->final[chosen_kind], *b = &hz->final[DIST];
    const char *chosen = fw_model_kind_name(chosen_kind);
    struct numbuf nb = {.next = 0};
    if (c->n == 0) {
        fprintf(f, "- **%d days**: no rows scored in the final window.\n",
                hz->days);
        return;
    }
    double bss = skill(c->brier, b->brier);
    const struct fw_reliability *r = &c->rel;
    int allowed = 0;
    int cal = calibration_ok(r, &allowed);
    fprintf(f,
            "- **%d days** (%zu rows, %zu positives): %s beats the "
            "distance-only baseline on Brier skill: **%s** (BSS vs "
            "distance-only %s); on average precision: **%s** (%s vs %s); "
            "calibrated: **%s** (%d of %d non-empty reliability bins inside "
            "their 90%% interval of effective trials, at most %d outside "
            "allowed; %d of %d inside the interval that takes every weekly "
            "row as an independent trial).\n",
            hz->days, c->n, c->n_pos, chosen, yes_no(bss), num(&nb, bss, SKILL),
            yes_no(c->ap - b->ap), num(&nb, c->ap, SMALL),
            num(&nb, b->ap, SMALL),
            r->n_nonempty == 0 ? "n/a"
            : cal              ? "yes"
                               : "no",
            r->n_consistent_eff, r->n_nonempty, allowed, r->n_consistent,
            r->n_nonempty);
}

/* The rule's table: every candidate against the distance-only model. */
static void md_versus(FILE *f, const struct fw_backtest_horizon *hz)
{
    static const char *const names[FW_BT_N_WINDOWS] = {"all quarters",
                                                       "final window"};
    fprintf(f, "| model | window | places | Brier skill vs distance-only "
               "[90 %% interval] | AP minus distance-only's [90 %% "
               "interval] | wins |\n|---|---|---:|---|---|---|\n");
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        for (int v = 0; v < FW_BT_N_WINDOWS; v++) {
            const struct fw_boot_diff *bd = &hz->vs_base[v][k];
            struct numbuf nb = {.next = 0};
            if (bd->n == 0) {
                continue;
            }
            fprintf(f, "| %s | %s | %zu | %s [%s, %s] | %s [%s, %s] | %s |\n",
                    fw_model_kind_name(k), names[v], bd->n_clusters,
                    num(&nb, bd->bss, SKILL), num(&nb, bd->bss_lo, SKILL),
                    num(&nb, bd->bss_hi, SKILL), num(&nb, bd->dap, SKILL),
                    num(&nb, bd->dap_lo, SKILL), num(&nb, bd->dap_hi, SKILL),
                    fw_boot_diff_wins(bd) ? "yes" : "no");
        }
    }
    fputc('\n', f);
}

static void md_models(FILE *f, const struct fw_metrics ms[FW_MODEL_N_KINDS])
{
    fprintf(f, "| model | n | positives | base rate | Brier | "
               "BSS vs climatology | BSS vs distance-only | AUROC | AP | "
               "bins consistent (effective trials) | bins consistent "
               "(rows) |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        const struct fw_metrics *m = &ms[k];
        struct numbuf nb = {.next = 0};
        fprintf(f,
                "| %s | %zu | %zu | %s | %s | %s | %s | %s | %s | %d/%d | "
                "%d/%d |\n",
                fw_model_kind_name(k), m->n, m->n_pos,
                num(&nb, m->base_rate, SMALL), num(&nb, m->brier, BRIER),
                num(&nb, skill(m->brier, ms[CLIM].brier), SKILL),
                num(&nb, skill(m->brier, ms[DIST].brier), SKILL),
                num(&nb, m->auroc, SKILL), num(&nb, m->ap, SMALL),
                m->rel.n_consistent_eff, m->rel.n_nonempty,
                m->rel.n_consistent, m->rel.n_nonempty);
    }
    fputc('\n', f);
}

static void md_reliability(FILE *f, const struct fw_reliability *rel)
{
    fprintf(f, "| bin | n | places x windows | effective trials | mean "
               "predicted | observed | 90%% interval (effective trials) | ok "
               "| 90%% interval (rows) | ok |\n"
               "|---|---:|---:|---:|---:|---:|---|---|---|---|\n");
    for (int k = 0; k < FW_METRICS_N_BINS; k++) {
        const struct fw_reliability_bin *b = &rel->bins[k];
        if (b->n == 0) {
            continue;
        }
        struct numbuf nb = {.next = 0};
        fprintf(f,
                "| %.1f-%.1f | %zu | %zu | %zu | %s | %s | [%s, %s] | %s | "
                "[%s, %s] | %s |\n",
                b->p_lo, b->p_hi, b->n, b->n_clusters, b->n_eff,
                num(&nb, b->mean_pred, SMALL), num(&nb, b->obs_rate, SMALL),
                num(&nb, b->q05_eff, SMALL), num(&nb, b->q95_eff, SMALL),
                b->is_consistent_eff ? "yes" : "no", num(&nb, b->q05, SMALL),
                num(&nb, b->q95, SMALL), b->is_consistent ? "yes" : "no");
    }
    fprintf(f, "\nEmpty bins are left out.\n\n");
}

static void md_quarters(FILE *f, const struct fw_backtest_horizon *hz)
{
    fprintf(f, "| quarter | n | positives |");
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        if (k != CLIM) {
            fprintf(f, " BSS vs climatology: %s |", fw_model_kind_name(k));
        }
    }
    fprintf(f, "\n|---|---:|---:|");
    for (int k = 1; k < FW_MODEL_N_KINDS; k++) {
        fprintf(f, "---:|");
    }
    fputc('\n', f);
    for (size_t i = 0; i < hz->n_periods; i++) {
        const struct fw_backtest_period *p = &hz->periods[i];
        fprintf(f, "| %s%s | %zu | %zu |", p->label,
                p->scored ? "" : " (not scored)", p->n, p->n_pos);
        for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
            struct numbuf nb = {.next = 0};
            if (k != CLIM) {
                fprintf(f, " %s |",
                        num(&nb,
                            skill(period_brier(p, k), period_brier(p, CLIM)),
                            SKILL));
            }
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void md_body(FILE *f, const struct fw_backtest *bt,
                    const struct fw_report_info *info)
{
    char from[11], to[11], final_from[11];
    fw_date_format_day(bt->from_s, from);
    fw_date_format_day(bt->to_s, to);
    fw_date_format_day(bt->final_from_s, final_from);
    const char *chosen = fw_model_kind_name(bt->chosen);
    struct numbuf nb = {.next = 0};

    fprintf(f, "# frontwatch back-test report\n\n");
    fprintf(f, "Command:\n\n```\n%s\n```\n\n",
            info && info->command ? info->command : "n/a");
    fprintf(f, "- Test origins: %s to %s; final window: origins from %s.\n",
            from, to, final_from);
    if (info != NULL) {
        fprintf(f, "- Data: %zu files, SHA-256 `%s`.\n", info->data_files,
                info->data_sha256 ? info->data_sha256 : "n/a");
        fprintf(f, "- Dataset: %zu rows, built in %s s.\n", info->dataset_rows,
                num(&nb, info->dataset_seconds, SECONDS));
    }
    fprintf(f, "- Back-test run time: %s s.\n", num(&nb, bt->seconds, SECONDS));
    fprintf(f,
            "- Chosen model: %s, by the rule: a candidate is shipped only "
            "if it beats the distance-only model on Brier skill and on "
            "average precision over all quarters and in the final window, "
            "at both horizons, each difference's 90 %% interval (a bootstrap "
            "over places) above 0; else the distance-only model is. "
            "Verdict: %s. References: climatology (the base rate of "
            "the training rows) and logit_dist (logistic regression on "
            "distance to the occupied area alone, the distance-only "
            "baseline).\n\n",
            chosen, bt->chosen_why);

    fprintf(f, "## Verdict\n\nFinal window (origins from %s):\n\n", final_from);
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        md_verdict(f, &bt->h[h], bt->chosen);
    }
    fputc('\n', f);
    fprintf(f, "## Every candidate against the distance-only model\n\n");
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        fprintf(f, "### %d days\n\n", bt->h[h].days);
        md_versus(f, &bt->h[h]);
    }

    for (int h = 0; h < FW_N_HORIZONS; h++) {
        const struct fw_backtest_horizon *hz = &bt->h[h];
        fprintf(f, "## %d-day horizon\n\n", hz->days);
        fprintf(f, "### All scored rows\n\n");
        md_models(f, hz->all);
        fprintf(f, "### Final window (origins from %s)\n\n", final_from);
        md_models(f, hz->final);
        fprintf(f, "### Reliability of %s, final window\n\n", chosen);
        md_reliability(f, &hz->final[bt->chosen].rel);
        fprintf(f,
                "![Reliability of every model, %d days, final "
                "window](reliability_%dd.svg)\n\n",
                hz->days, hz->days);
        fprintf(f, "### Skill by quarter\n\n");
        md_quarters(f, hz);
        fprintf(f,
                "![Brier skill against climatology by quarter, %d "
                "days](skill_%dd.svg)\n\n",
                hz->days, hz->days);
    }

    fprintf(
        f,
        "## How to read this\n\n"
        "Brier score: the mean squared difference between the forecast "
        "probability and the outcome (1 occupied within the horizon, 0 not); "
        "lower is better. Brier skill score (BSS): 1 - Brier / "
        "Brier_reference, computed on the same rows; above 0 beats the "
        "reference (climatology or the distance-only baseline), 0 is no "
        "better, below 0 is worse. AUROC: the chance that an occupied place "
        "was given a higher probability than a place that was not; 0.5 is "
        "random. AP (average precision): the area under the "
        "precision-recall curve; a random forecast scores the base rate, so "
        "compare it with that. Reliability: rows grouped by predicted "
        "probability (bins of 0.1); in each bin the observed rate should "
        "lie inside the 90%% interval of a calibrated forecast, which it "
        "misses by chance in about 1 bin in 10. The rows of one place are "
        "not independent trials: forecasts made a week apart share all but "
        "a week of their horizon, and both map series forecast the same "
        "event. So each bin's interval is that of its effective number of "
        "trials (Kish's design effect), counting the rows of one place "
        "within one horizon-long window (places x windows) as one outcome; "
        "the interval that takes every row as an independent trial is "
        "shown beside it, and is too narrow: a calibrated forecaster of "
        "such weekly rows misses it in about 3 bins in 10. n/a: not defined "
        "(no rows, no events, or a quarter that was not scored).\n");
}

/* report.md into a new string (*out, free()); FW_ENOMEM on failure. */
static fw_err report_md(const struct fw_backtest *bt,
                        const struct fw_report_info *info, char **out,
                        size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return FW_ENOMEM;
    }
    md_body(f, bt, info);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        free(buf);
        return FW_ENOMEM;
    }
    *out = buf;
    *out_len = len;
    return FW_OK;
}

/* ---- charts ---- */

static fw_err svg_error(fw_err e, struct fw_diag *d, const char *chart)
{
    return fw_diag_set(d, e, 0, 0, "cannot draw %s: %s", chart, fw_strerror(e));
}

static fw_err write_charts(const struct fw_backtest_horizon *hz,
                           const char *dir, struct fw_diag *d)
{
    char name[64], title[128];
    char *svg = NULL;
    size_t len = 0;

    struct fw_svg_rel_model rm[FW_MODEL_N_KINDS];
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        rm[k].name = fw_model_kind_name(k);
        rm[k].rel = &hz->final[k].rel;
    }
    snprintf(name, sizeof name, "reliability_%dd.svg", hz->days);
    snprintf(title, sizeof title, "Reliability, %d-day horizon, final window",
             hz->days);
    fw_err e = fw_svg_reliability(rm, FW_MODEL_N_KINDS, title, 0, &svg, &len);
    if (e != FW_OK) {
        return svg_error(e, d, name);
    }
    e = write_atomic(dir, name, svg, len, 0, d);
    free(svg);
    svg = NULL;
    if (e != FW_OK) {
        return e;
    }

    const char *labels[FW_BACKTEST_MAX_PERIODS];
    double bss[FW_MODEL_N_KINDS - 1][FW_BACKTEST_MAX_PERIODS];
    struct fw_svg_skill_series ss[FW_MODEL_N_KINDS - 1];
    for (size_t i = 0; i < hz->n_periods; i++) {
        labels[i] = hz->periods[i].label;
    }
    size_t n_series = 0;
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        if (k == CLIM) {
            continue;
        }
        for (size_t i = 0; i < hz->n_periods; i++) {
            const struct fw_backtest_period *p = &hz->periods[i];
            double v = skill(period_brier(p, k), period_brier(p, CLIM));
            bss[n_series][i] = isfinite(v) ? v : NAN;
        }
        ss[n_series].name = fw_model_kind_name(k);
        ss[n_series].bss = bss[n_series];
        n_series++;
    }
    snprintf(name, sizeof name, "skill_%dd.svg", hz->days);
    snprintf(title, sizeof title,
             "Brier skill against climatology by quarter, %d-day horizon",
             hz->days);
    e = fw_svg_skill_by_period(labels, hz->n_periods, ss, n_series, title, -1.0,
                               &svg, &len);
    if (e != FW_OK) {
        return svg_error(e, d, name);
    }
    e = write_atomic(dir, name, svg, len, 0, d);
    free(svg);
    return e;
}

fw_err fw_report_write(const struct fw_backtest *bt, const char *dir,
                       const struct fw_report_info *info, struct fw_diag *d)
{
    if (bt == NULL || dir == NULL || dir[0] == '\0') {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no back-test or folder");
    }
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        size_t n = bt->h[h].n_periods;
        if (n == 0 || n > FW_BACKTEST_MAX_PERIODS) {
            return fw_diag_set(d, FW_EUSAGE, 0, 0,
                               "horizon %d days: %zu quarters", bt->h[h].days,
                               n);
        }
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        return io_error(d, dir, "create folder");
    }

    char *text = report_json(bt, info);
    if (text == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory (report.json)");
    }
    fw_err e = write_atomic(dir, "report.json", text, strlen(text), 1, d);
    free(text);
    text = NULL;
    if (e != FW_OK) {
        return e;
    }

    size_t len = 0;
    e = report_md(bt, info, &text, &len);
    if (e != FW_OK) {
        return fw_diag_set(d, e, 0, 0, "out of memory (report.md)");
    }
    e = write_atomic(dir, "report.md", text, len, 0, d);
    free(text);

    for (int h = 0; e == FW_OK && h < FW_N_HORIZONS; h++) {
        e = write_charts(&bt->h[h], dir, d);
    }
    return e;
}
