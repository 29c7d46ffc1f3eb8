/*
 * test_report.c - the back-test report files, from a hand-made back-test.
 *
 * The struct fw_backtest below is hand-made, not the output of a run: two
 * horizons, two quarters each (2024Q1 not scored, 2024Q2 scored), and
 * metrics from fw_metrics_compute on four (final window) or three (all
 * rows) hand-made forecasts per model. The expected numbers are worked
 * out by hand next to the data.
 */
#include "fwtest.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/date.h"
#include "frontwatch/io.h"
#include "frontwatch/report.h"

static const char *const FILES[] = {
    "report.json",         "report.md",     "reliability_30d.svg",
    "reliability_90d.svg", "skill_30d.svg", "skill_90d.svg"};
#define N_FILES (sizeof FILES / sizeof FILES[0])

/* Outcomes of the four final-window rows (and the first three for "all"). */
static const unsigned char Y[4] = {0, 0, 1, 1};

/* Forecasts per model in kind order (climatology, logit_dist, logit_full,
 * xgboost). Brier scores on the four rows:
 *   climatology 0.5 everywhere:            0.25
 *   logit_dist  {0.1, 0.4, 0.35, 0.8}:     (0.01 + 0.16 + 0.4225 + 0.04) / 4
 *                                          = 0.158125; AP 5/6
 *   logit_full  {0.2, 0.2, 0.6, 0.6}:      (0.04 * 2 + 0.16 * 2) / 4 = 0.1
 *   xgboost, 30 days {0.1, 0.1, 0.9, 0.9}: 0.04 / 4 = 0.01; AP 1.
 *     Bins 1 and 9, n = 2 each: Binomial(2, 0.1) has q05 = 0, q95 = 1/2
 *     (CDF(0) = 0.81, CDF(1) = 0.99), the observed 0 is inside; by
 *     symmetry bin 9's [1/2, 1] holds 1. Calibrated, 2 of 2.
 *     BSS vs distance-only 1 - 0.01 / 0.158125 = 0.93675889...
 *   xgboost, 90 days {0.5, 0.99, 0.1, 0.5}:
 *     (0.25 + 0.9801 + 0.81 + 0.25) / 4 = 0.572525, worse than logit_dist.
 *     AP: thresholds 0.99 (neg): recall 0; 0.5 (one pos, one neg): recall
 *     1/2 at precision 1/3; 0.1 (pos): recall 1 at precision 1/2;
 *     AP = 1/6 + 1/4 = 5/12 < 5/6.
 *     Bin 9 (0.99, a negative, n = 1): Binomial(1, 0.99) has CDF(0) = 0.01
 *     < 0.05, so q05 = 1 and the observed 0 is outside; bins 1 and 5 are
 *     consistent: 2 of 3. */
static const double P30[FW_MODEL_N_KINDS][4] = {{0.5, 0.5, 0.5, 0.5},
                                                {0.1, 0.4, 0.35, 0.8},
                                                {0.2, 0.2, 0.6, 0.6},
                                                {0.1, 0.1, 0.9, 0.9}};
static const double P90[FW_MODEL_N_KINDS][4] = {{0.5, 0.5, 0.5, 0.5},
                                                {0.1, 0.4, 0.35, 0.8},
                                                {0.2, 0.2, 0.6, 0.6},
                                                {0.5, 0.99, 0.1, 0.5}};

/* Clusters of the four 30-day final-window rows: the two rows forecast
 * 0.9 by xgboost share one. Bin 9 then holds 2 rows, 1 cluster:
 * var_row = 2 * 0.9 * 0.1 = 0.18, var_cl = 1.8 * (2 - 1.8) = 0.36, deff 2,
 * n_eff 1; Binomial(1, 0.9): CDF(0) = 0.1 >= 0.05 -> [0, 1]. */
static const uint64_t CL30[4] = {1, 2, 3, 3};

static void make_backtest(struct fw_backtest *bt)
{
    memset(bt, 0, sizeof *bt);
    bt->from_s = fw_date_from_civil(2024, 1, 1, 0, 0, 0);
    bt->to_s = fw_date_from_civil(2024, 7, 1, 0, 0, 0);
    bt->final_from_s = fw_date_from_civil(2024, 4, 1, 0, 0, 0);
    bt->seconds = 1.25;
    bt->chosen = FW_MODEL_XGBOOST;
    snprintf(bt->chosen_why, sizeof bt->chosen_why,
             "xgboost wins everywhere");
    /* one comparison of the rule's table, written as given */
    bt->h[0].vs_base[FW_BT_ALL][FW_MODEL_XGBOOST] =
        (struct fw_boot_diff){.n = 3, .n_pos = 1, .n_clusters = 3,
                              .bss = 0.25, .bss_lo = 0.0625, .bss_hi = 0.5,
                              .dap = -0.125, .dap_lo = -0.5, .dap_hi = 0.25};
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        struct fw_backtest_horizon *hz = &bt->h[h];
        hz->days = FW_HORIZON_DAYS[h];
        for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
            const double *p = h == 0 ? P30[k] : P90[k];
            assert_int_equal(fw_metrics_compute_clustered(
                                 p, Y, h == 0 ? CL30 : NULL, 4, &hz->final[k]),
                             FW_OK);
            assert_int_equal(fw_metrics_compute(p, Y, 3, &hz->all[k]), FW_OK);
        }
        hz->n_periods = 2;
        struct fw_backtest_period *q1 = &hz->periods[0], *q2 = &hz->periods[1];
        snprintf(q1->label, sizeof q1->label, "2024Q1");
        q1->from_s = bt->from_s;
        q1->to_s = bt->final_from_s;
        q1->scored = 0;
        q1->n = 7;
        q1->n_pos = 0;
        snprintf(q2->label, sizeof q2->label, "2024Q2");
        q2->from_s = bt->final_from_s;
        q2->to_s = bt->to_s;
        q2->scored = 1;
        q2->n = 4;
        q2->n_pos = 2;
        for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
            q2->brier[k] = hz->final[k].brier;
        }
    }
}

static const struct fw_report_info INFO = {
    .command = "frontwatch backtest --out rep",
    .data_sha256 = "00ff",
    .data_files = 3,
    .dataset_rows = 11,
    .dataset_seconds = 2.5,
};

static char *path_in(const char *dir, const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (x == NULL) {
        print_error("missing member %s\n", key);
    }
    assert_non_null(x);
    return x;
}

static double get_num(const cJSON *o, const char *key)
{
    const cJSON *x = get(o, key);
    assert_true(cJSON_IsNumber(x));
    return x->valuedouble;
}

static void check_json(const char *dir)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(fw_io_read_file(path_in(dir, "report.json"), 1 << 24,
                                     &text, &len, NULL),
                     FW_OK);
    /* NaN is written as null, never as "nan" (not JSON). */
    assert_non_null(strstr(text, "null"));
    assert_null(strstr(text, "nan"));
    cJSON *root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);

    assert_string_equal(get(root, "from")->valuestring, "2024-01-01");
    assert_string_equal(get(root, "to")->valuestring, "2024-07-01");
    assert_string_equal(get(root, "final_from")->valuestring, "2024-04-01");
    const cJSON *info = get(root, "info");
    assert_string_equal(get(info, "command")->valuestring, INFO.command);
    assert_string_equal(get(info, "data_sha256")->valuestring, "00ff");
    assert_near(get_num(info, "data_files"), 3, 0);
    assert_near(get_num(info, "dataset_rows"), 11, 0);
    assert_near(get_num(info, "backtest_seconds"), 1.25, 0);

    const cJSON *hs = get(root, "horizons");
    assert_int_equal(cJSON_GetArraySize(hs), 2);
    const cJSON *h30 = cJSON_GetArrayItem(hs, 0);
    const cJSON *h90 = cJSON_GetArrayItem(hs, 1);
    assert_near(get_num(h30, "days"), 30, 0);
    assert_near(get_num(h90, "days"), 90, 0);

    const cJSON *x = get(get(h30, "final"), "xgboost");
    assert_near(get_num(x, "n"), 4, 0);
    assert_near(get_num(x, "positives"), 2, 0);
    assert_near(get_num(x, "base_rate"), 0.5, 1e-12);
    assert_near(get_num(x, "brier"), 0.01, 1e-12);
    assert_near(get_num(x, "bss_climatology"), 1 - 0.01 / 0.25, 1e-12);
    assert_near(get_num(x, "bss_distance"), 1 - 0.01 / 0.158125, 1e-12);
    assert_near(get_num(x, "bss_distance"), 0.9367588932806324, 1e-12);
    assert_near(get_num(x, "ap"), 1, 1e-12);
    assert_near(get_num(x, "bins_consistent"), 2, 0);
    const cJSON *bins = get(x, "reliability");
    assert_int_equal(cJSON_GetArraySize(bins), FW_METRICS_N_BINS);
    const cJSON *b1 = cJSON_GetArrayItem(bins, 1);
    assert_near(get_num(b1, "n"), 2, 0);
    assert_near(get_num(b1, "mean_pred"), 0.1, 1e-12);
    assert_near(get_num(b1, "obs_rate"), 0, 0);
    assert_near(get_num(b1, "q05"), 0, 0);
    assert_near(get_num(b1, "q95"), 0.5, 0);
    assert_true(cJSON_IsTrue(get(b1, "consistent")));
    assert_near(get_num(b1, "clusters"), 2, 0);
    assert_near(get_num(b1, "n_eff"), 2, 0);
    assert_near(get_num(x, "bins_consistent_eff"), 2, 0);
    const cJSON *b9 = cJSON_GetArrayItem(bins, 9);
    assert_near(get_num(b9, "clusters"), 1, 0);
    assert_near(get_num(b9, "n_eff"), 1, 0);
    assert_near(get_num(b9, "q05_eff"), 0, 0);
    assert_near(get_num(b9, "q95_eff"), 1, 0);
    assert_near(get_num(b9, "q05"), 0.5, 0);
    assert_true(cJSON_IsTrue(get(b9, "consistent_eff")));
    /* An empty bin: NaN rates written as null. */
    const cJSON *b0 = cJSON_GetArrayItem(bins, 0);
    assert_near(get_num(b0, "n"), 0, 0);
    assert_true(cJSON_IsNull(get(b0, "mean_pred")));
    assert_true(cJSON_IsNull(get(b0, "q95")));
    assert_true(cJSON_IsFalse(get(b0, "consistent")));

    /* The distance-only model against itself: skill 0. */
    const cJSON *dist = get(get(h30, "final"), "logit_dist");
    assert_near(get_num(dist, "bss_distance"), 0, 0);
    assert_near(get_num(dist, "ap"), 5.0 / 6.0, 1e-12);

    /* "all" holds the first three rows only. */
    assert_near(get_num(get(get(h30, "all"), "xgboost"), "n"), 3, 0);
    const cJSON *vs = get(get(get(h30, "vs_distance"), "all"), "xgboost");
    assert_near(get_num(vs, "bss_lo"), 0.0625, 0);
    assert_near(get_num(vs, "dap_hi"), 0.25, 0);
    assert_true(cJSON_IsFalse(get(vs, "wins")));
    assert_null(cJSON_GetObjectItemCaseSensitive(
        get(get(h30, "vs_distance"), "all"), "logit_dist"));

    const cJSON *x90 = get(get(h90, "final"), "xgboost");
    assert_near(get_num(x90, "brier"), 0.572525, 1e-12);
    assert_near(get_num(x90, "bss_distance"), 1 - 0.572525 / 0.158125, 1e-12);
    assert_near(get_num(x90, "ap"), 5.0 / 12.0, 1e-12);
    assert_near(get_num(x90, "bins_nonempty"), 3, 0);
    assert_near(get_num(x90, "bins_consistent"), 2, 0);

    const cJSON *qs = get(h30, "quarters");
    assert_int_equal(cJSON_GetArraySize(qs), 2);
    const cJSON *q1 = cJSON_GetArrayItem(qs, 0);
    const cJSON *q2 = cJSON_GetArrayItem(qs, 1);
    assert_string_equal(get(q1, "label")->valuestring, "2024Q1");
    assert_string_equal(get(q1, "to")->valuestring, "2024-04-01");
    assert_true(cJSON_IsFalse(get(q1, "scored")));
    assert_near(get_num(q1, "n"), 7, 0);
    assert_true(cJSON_IsNull(get(get(q1, "brier"), "xgboost")));
    assert_true(cJSON_IsNull(get(get(q1, "bss_climatology"), "xgboost")));
    assert_true(cJSON_IsTrue(get(q2, "scored")));
    assert_near(get_num(get(q2, "brier"), "logit_full"), 0.1, 1e-12);
    assert_near(get_num(get(q2, "bss_climatology"), "xgboost"), 0.96, 1e-12);
    assert_near(get_num(get(q2, "bss_climatology"), "climatology"), 0, 0);
    cJSON_Delete(root);
}

static void check_md(const char *dir)
{
    char *md = NULL;
    size_t len = 0;
    assert_int_equal(
        fw_io_read_file(path_in(dir, "report.md"), 1 << 24, &md, &len, NULL),
        FW_OK);
    const char *want[] = {
        "# frontwatch back-test report",
        "frontwatch backtest --out rep",
        "SHA-256 `00ff`",
        "## Verdict",
        "- **30 days** (4 rows, 2 positives): xgboost beats the "
        "distance-only baseline on Brier skill: **yes** (BSS vs "
        "distance-only 0.937); on average precision: **yes** (1 vs "
        "0.8333); calibrated: **yes** (2 of 2 non-empty reliability bins "
        "inside their 90% interval of effective trials, at most 1 outside "
        "allowed; 2 of 2 inside the interval that takes every weekly row as "
        "an independent trial).",
        "- **90 days** (4 rows, 2 positives): xgboost beats the "
        "distance-only baseline on Brier skill: **no** (BSS vs "
        "distance-only -2.621); on average precision: **no** (0.4167 vs "
        /* Binomial(3, 0.1): CDF(0) = 0.729, CDF(1) = 0.972, so a
         * calibrated forecaster has 1 of 3 bins outside 9 times in 10 */
        "0.8333); calibrated: **yes** (2 of 3 non-empty reliability bins "
        "inside their 90% interval of effective trials, at most 1 outside "
        "allowed; 2 of 3 inside the interval that takes every weekly row as "
        "an independent trial).",
        "Verdict: xgboost wins everywhere.",
        "| xgboost | all quarters | 3 | 0.250 [0.062, 0.500] | -0.125 "
        "[-0.500, 0.250] | no |",
        /* 30-day final-window table row of xgboost: Brier 6 significant
         * digits, skills 3 decimals. */
        "| xgboost | 4 | 2 | 0.5 | 0.01 | 0.960 | 0.937 | 1.000 | 1 | 2/2 | "
        "2/2 |",
        /* the 30-day bin of the two rows of one cluster */
        "| 0.9-1.0 | 2 | 1 | 1 | 0.9 | 1 | [0, 1] | yes | [0.5, 1] | yes |",
        "| logit_dist | 4 | 2 | 0.5 | 0.158125 | 0.367 | 0.000 | 0.750 | "
        "0.8333 | ",
        /* the 90-day reliability table's inconsistent bin */
        "| 0.9-1.0 | 1 | 1 | 1 | 0.99 | 0 | [1, 1] | no | [1, 1] | no |",
        "| 2024Q1 (not scored) | 7 | 0 | n/a | n/a | n/a |",
        "| 2024Q2 | 4 | 2 | 0.367 | 0.600 | 0.960 |",
        "![Reliability of every model, 30 days, final "
        "window](reliability_30d.svg)",
        "(skill_90d.svg)",
        "## How to read this",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (strstr(md, want[i]) == NULL) {
            print_error("report.md lacks: %s\n---\n%s\n", want[i], md);
            fail();
        }
    }
    assert_null(strstr(md, "nan"));
    free(md);
}

static void remove_all(const char *dir)
{
    for (size_t i = 0; i < N_FILES; i++) {
        remove(path_in(dir, FILES[i]));
    }
    assert_int_equal(rmdir(dir), 0);
}

static void test_write(void **state)
{
    (void)state;
    static struct fw_backtest bt;
    make_backtest(&bt);
    char tmpl[] = "/tmp/fw_report_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    /* dir does not exist yet: fw_report_write creates it */
    char dir[64];
    snprintf(dir, sizeof dir, "%s/out", tmpl);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_report_write(&bt, dir, &INFO, &d), FW_OK);
    /* and writes again over an existing folder and files */
    assert_int_equal(fw_report_write(&bt, dir, &INFO, &d), FW_OK);

    for (size_t i = 0; i < N_FILES; i++) {
        assert_int_equal(access(path_in(dir, FILES[i]), R_OK), 0);
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s.tmp", FILES[i]);
        assert_int_not_equal(access(path_in(dir, tmp), F_OK), 0);
    }
    check_json(dir);
    check_md(dir);

    char *svg = NULL;
    size_t len = 0;
    assert_int_equal(fw_io_read_file(path_in(dir, "skill_30d.svg"), 1 << 24,
                                     &svg, &len, NULL),
                     FW_OK);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "2024Q2"));
    free(svg);

    remove_all(dir);
    assert_int_equal(rmdir(tmpl), 0);
}

static void test_unwritable(void **state)
{
    (void)state;
    static struct fw_backtest bt;
    make_backtest(&bt);
    char tmpl[] = "/tmp/fw_report_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char file[64], dir[96];
    snprintf(file, sizeof file, "%s/plain", tmpl);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    /* a folder under a regular file cannot be created */
    snprintf(dir, sizeof dir, "%s/out", file);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_report_write(&bt, dir, &INFO, &d), FW_EIO);
    assert_string_equal(d.file, dir);
    assert_non_null(strstr(d.msg, dir));
    /* the regular file itself as the folder: mkdir says EEXIST, the
     * first file cannot be created under it */
    fw_diag_reset(&d);
    assert_int_equal(fw_report_write(&bt, file, NULL, &d), FW_EIO);
    assert_non_null(strstr(d.file, file));
    assert_non_null(strstr(d.msg, "report.json.tmp"));

    assert_int_equal(fw_report_write(NULL, dir, NULL, &d), FW_EUSAGE);
    assert_int_equal(remove(file), 0);
    assert_int_equal(rmdir(tmpl), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
