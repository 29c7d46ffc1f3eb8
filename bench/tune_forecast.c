/*
 * tune_forecast.c - the sweep that chose the trees' settings and features
 * (docs/FORECAST.md, "How the settings were chosen"): builds the weekly
 * samples of a full store once, runs the rolling back-test of
 * 2022-06-01 .. 2025-08-31 for each setting, and prints Markdown table
 * rows per setting and candidate model (logit_full, xgboost, blend,
 * stack): its Brier skill against the distance-only baseline and its AP
 * minus the baseline's, each with the 90 % interval of a bootstrap over
 * places (bootstrap.h), over all quarters and over the final 12 months,
 * per horizon, and whether it wins everywhere (backtest.h's rule).
 *
 * Usage: bench_tune_forecast STORE [SETTING...]
 * A SETTING is "LABEL|XGB|FEATURES": XGB as struct fw_model_spec's xgb
 * ("max_depth=3 rounds=80"; empty: the shipped ones), FEATURES a
 * comma-separated list of changes to the shipped feature set
 * (FW_BACKTEST_FEATURES): "+name" adds, "-name" removes, "all" takes
 * every feature, "nomono" drops the monotone constraints. Without
 * SETTINGs, the tables of docs/FORECAST.md. About 3 minutes a setting
 * on 2 cores, after 40 s of samples.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/backtest.h"
#include "frontwatch/date.h"

/* The tables of docs/FORECAST.md, "Candidate features" (from the features
 * shipped before issue 11, without the still-days, each change asked
 * for) and "The field report's signals" (from those shipped before issue
 * 14, without the border distance). */
#define BEFORE14 "-log_border_dist"
#define BEFORE "-still_days_10km,-still_days_25km," BEFORE14
static const char *const DEFAULTS[] = {
    "features before issue 11||" BEFORE,
    "without monotone constraints||" BEFORE ",nomono",
    "without the 7/28-day changes||" BEFORE ",-dist_change_7d,"
    "-dist_change_28d,-occupied_50km_change_28d",
    "+ front speed over 90 and 180 days||" BEFORE
    ",+dist_change_90d,+dist_change_180d",
    "+ days the front stood still (shipped)||" BEFORE14,
    "+ both||" BEFORE14 ",+dist_change_90d,+dist_change_180d",
    "distance and the occupied area within 10/25/50 km||" BEFORE
    ",-dist_change_7d,-dist_change_28d,-occupied_50km_change_28d,"
    "-log_contested_25km,-source_nzz",
    "features before issue 14||" BEFORE14,
    "+ distance to the Russian border (kept)||",
    "+ strikes within 25 km in 30 days, and their ratio||" BEFORE14
    ",+log_strikes_25km_30d,+strikes_25km_ratio",
    "+ border and strikes||+log_strikes_25km_30d,+strikes_25km_ratio",
    "+ season||" BEFORE14 ",+season_sin,+season_cos",
};

static int64_t day(const char *s)
{
    int64_t t = 0;
    if (fw_date_parse_day(s, &t) != FW_OK) {
        abort();
    }
    return t;
}

static int feature(const char *name)
{
    for (int f = 0; f < FW_N_FEATURES; f++) {
        if (strcmp(FW_FEATURE_NAMES[f], name) == 0) {
            return f;
        }
    }
    return -1;
}

/* Parses FEATURES into use[] and *mono. Returns 0, or -1 on a bad name. */
static int features(const char *list, unsigned char *use, int *mono)
{
    memcpy(use, FW_BACKTEST_FEATURES, FW_N_FEATURES);
    *mono = 1;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "all") == 0) {
            memset(use, 1, FW_N_FEATURES);
        } else if (strcmp(t, "nomono") == 0) {
            *mono = 0;
        } else if ((t[0] == '+' || t[0] == '-') && feature(t + 1) >= 0) {
            use[feature(t + 1)] = t[0] == '+';
        } else {
            fprintf(stderr, "unknown feature change '%s'\n", t);
            return -1;
        }
    }
    return 0;
}

/* "+0.060 [+0.010, +0.101] / +0.077 [+0.020, +0.130]": Brier skill and
 * AP difference against the distance-only model with their intervals. */
static void cell(const struct fw_boot_diff *bd)
{
    printf(" %+.3f [%+.3f, %+.3f] / %+.3f [%+.3f, %+.3f] |", bd->bss,
           bd->bss_lo, bd->bss_hi, bd->dap, bd->dap_lo, bd->dap_hi);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s STORE [LABEL|XGB|FEATURES ...]\n", argv[0]);
        return 2;
    }
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_store_open(argv[1], FW_STORE_READ, &st, &d) != FW_OK ||
        fw_geo_new(st, &g, &d) != FW_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], d.msg);
        return 3;
    }
    struct fw_dataset_opts o = {.from_s = day("2022-02-28"),
                                .to_s = day("2025-09-01"),
                                .step_s = 7 * (int64_t)FW_DAY_S,
                                .with_labels = 1};
    struct fw_dataset ds;
    if (fw_dataset_build(st, g, &o, &ds, &d) != FW_OK) {
        fprintf(stderr, "samples: %s\n", d.msg);
        return 1;
    }
    const char *const *settings = argc > 2 ? (const char *const *)argv + 2
                                           : DEFAULTS;
    size_t n = argc > 2 ? (size_t)(argc - 2)
                        : sizeof DEFAULTS / sizeof *DEFAULTS;
    printf("| setting | model | 30 d all quarters: Brier skill vs "
           "distance-only / AP difference [90 %% intervals] | 90 d all "
           "quarters | 30 d final 12 months | 90 d final 12 months | wins "
           "everywhere |\n|---|---|---|---|---|---|---|\n");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", settings[i]);
        char *xgb = strchr(buf, '|');
        char *feats = xgb ? strchr(xgb + 1, '|') : NULL;
        if (feats == NULL) {
            fprintf(stderr, "setting '%s': expected LABEL|XGB|FEATURES\n",
                    settings[i]);
            rc = 2;
            break;
        }
        *xgb++ = '\0';
        *feats++ = '\0';
        unsigned char use[FW_N_FEATURES];
        int mono;
        if (features(feats, use, &mono) != 0) {
            rc = 2;
            break;
        }
        struct fw_model_spec spec = {
            .use = use,
            .monotone = mono ? FW_BACKTEST_SPEC.monotone : NULL,
            .xgb = *xgb ? xgb : NULL};
        struct fw_backtest bt;
        if (fw_backtest_run_spec(&ds, &spec, day("2022-06-01"),
                                 day("2025-09-01"), day("2024-09-01"), NULL,
                                 NULL, &bt, &d) != FW_OK) {
            fprintf(stderr, "%s: %s\n", buf, d.msg);
            rc = 1;
            break;
        }
        static const enum fw_model_kind shown[] = {
            FW_MODEL_LOGIT_FULL, FW_MODEL_XGBOOST, FW_MODEL_BLEND,
            FW_MODEL_STACK};
        for (size_t k = 0; k < sizeof shown / sizeof *shown; k++) {
            int wins = 1;
            printf("| %s | %s |", buf, fw_model_kind_name(shown[k]));
            for (int v = 0; v < FW_BT_N_WINDOWS; v++) {
                for (int h = 0; h < FW_N_HORIZONS; h++) {
                    const struct fw_boot_diff *bd = &bt.h[h].vs_base[v][shown[k]];
                    cell(bd);
                    wins &= fw_boot_diff_wins(bd);
                }
            }
            printf(" %s |\n", wins ? "yes" : "no");
        }
        fflush(stdout);
        fw_backtest_free(&bt);
    }
    fw_dataset_free(&ds);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}
