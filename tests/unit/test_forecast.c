/*
 * test_forecast.c - the forecasting protocol on hand-made series: which
 * rows a back-test may train on, metrics worked out by hand, calibration
 * against known probabilities, the model file.
 *
 * Every dataset here is hand-made (or drawn from a fixed pseudo-random
 * sequence) for these edge cases; the real history is tested in
 * test_forecast_facts.c.
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/backtest.h"
#include "frontwatch/date.h"
#include "frontwatch/forecast.h"
#include "frontwatch/model.h"

#define DAY ((int64_t)FW_DAY_S)

/*
 * Three places at 40 weekly origins, k = 0..39, from Monday 2022-01-03
 * (k = 39 is 2022-10-03): A and B 1 km from the occupied area and positive
 * at every origin, C 100 km away and never positive. Every feature but the
 * distance is missing.
 */
#define N_ORIGINS 40

static void three_places(struct fw_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    ds->n = ds->cap = 3 * N_ORIGINS;
    ds->s = calloc(ds->n, sizeof *ds->s);
    ds->x = malloc(ds->n * FW_N_FEATURES * sizeof *ds->x);
    assert_non_null(ds->s);
    assert_non_null(ds->x);
    int64_t t0 = fwt_day_s("2022-01-03");
    for (size_t k = 0; k < N_ORIGINS; k++) {
        for (int p = 0; p < 3; p++) {
            size_t i = k * 3 + (size_t)p;
            struct fw_sample *s = &ds->s[i];
            s->place = p;
            s->origin_s = t0 + (int64_t)k * 7 * DAY;
            s->map_s = s->origin_s;
            s->distance_km = p < 2 ? 1.0 : 100.0;
            s->y[0] = s->y[1] = p < 2;
            for (int f = 0; f < FW_N_FEATURES; f++) {
                ds->x[i * FW_N_FEATURES + f] = NAN;
            }
            ds->x[i * FW_N_FEATURES + FW_F_LOG_DIST] =
                (float)log1p(s->distance_km);
        }
    }
}

/*
 * Back-test of Q4 2022 ([2022-10-01, 2023-01-01)) by hand.
 *
 * 30 days. Test rows: origins in the quarter whose horizon ends by
 * 2023-01-01, i.e. origin <= 2022-12-02: only k = 39 (2022-10-03), so 3
 * rows (A = 1, B = 1, C = 0). Training rows: labels resolved by
 * 2022-10-01, origin + 30 + 14 days <= 2022-10-01, origin <= 2022-08-18:
 * k = 0..32 (2022-08-15), 33 origins x 3 = 99 rows, 66 positive.
 * Climatology = 66 / 99 = 2/3 for every row; its Brier on the test rows =
 * ((1/3)^2 + (1/3)^2 + (2/3)^2) / 3 = (1/9 + 1/9 + 4/9) / 3 = 2/9.
 * Holdout: origins after 2022-08-15 - 182 days = 2022-02-14 (k = 6), so
 * the models are fitted on k = 0..6: 21 rows, 14 positive (>= 10).
 * The distance-only model separates A, B from C: AUROC 1, AP 1.
 *
 * 90 days. Test rows: origin <= 2022-10-03: k = 39 again. Training:
 * origin + 104 days <= 2022-10-01, origin <= 2022-06-19: k = 0..23, last
 * 2022-06-13; holdout: origins after 2021-12-13, i.e. all of them. No
 * fitting row: the quarter is not scored.
 */
static void test_backtest_by_hand(void **state)
{
    (void)state;
    struct fw_dataset ds;
    three_places(&ds);
    struct fw_backtest bt;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_backtest_run(&ds, fwt_day_s("2022-10-01"),
                                     fwt_day_s("2023-01-01"), fwt_day_s("2022-10-01"),
                                     NULL, NULL, &bt, &d),
                     FW_OK);
    const struct fw_backtest_horizon *h30 = &bt.h[0], *h90 = &bt.h[1];
    assert_int_equal(h30->n_periods, 1);
    assert_string_equal(h30->periods[0].label, "2022Q4");
    assert_true(h30->periods[0].scored);
    assert_int_equal(h30->periods[0].n, 3);
    assert_int_equal(h30->periods[0].n_pos, 2);
    const struct fw_metrics *clim = &h30->all[FW_MODEL_CLIMATOLOGY];
    assert_int_equal(clim->n, 3);
    assert_int_equal(clim->n_pos, 2);
    assert_near(clim->brier, 2.0 / 9.0, 1e-12);
    assert_near(h30->p[FW_MODEL_CLIMATOLOGY][0], 2.0 / 3.0, 1e-12);
    const struct fw_metrics *dist = &h30->all[FW_MODEL_LOGIT_DIST];
    assert_near(dist->auroc, 1.0, 0);
    assert_near(dist->ap, 1.0, 0);
    assert_true(dist->brier < clim->brier);
    /* the final window starts with the quarter: the same rows */
    assert_near(h30->final[FW_MODEL_CLIMATOLOGY].brier, 2.0 / 9.0, 1e-12);
    assert_int_equal(h90->n_periods, 1);
    assert_false(h90->periods[0].scored);
    assert_int_equal(h90->n_rows, 0);
    assert_int_equal(h90->all[FW_MODEL_XGBOOST].n, 0);
    fw_backtest_free(&bt);
    fw_dataset_free(&ds);
}

/* A label not yet resolved at the quarter's start (k = 33, 2022-08-22,
 * resolved 2022-10-05) must not change any forecast of the quarter: the
 * back-test cannot look ahead. */
static void test_backtest_no_look_ahead(void **state)
{
    (void)state;
    struct fw_dataset a, b;
    three_places(&a);
    three_places(&b);
    for (int p = 0; p < 3; p++) {
        b.s[33 * 3 + p].y[0] = b.s[33 * 3 + p].y[0] ? 0 : 1;
        b.s[33 * 3 + p].y[1] = b.s[33 * 3 + p].y[1] ? 0 : 1;
    }
    struct fw_backtest ba, bb;
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t from = fwt_day_s("2022-10-01"), to = fwt_day_s("2023-01-01");
    assert_int_equal(fw_backtest_run(&a, from, to, from, NULL, NULL, &ba, &d),
                     FW_OK);
    assert_int_equal(fw_backtest_run(&b, from, to, from, NULL, NULL, &bb, &d),
                     FW_OK);
    assert_int_equal(ba.h[0].n_rows, bb.h[0].n_rows);
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        for (size_t i = 0; i < ba.h[0].n_rows; i++) {
            assert_true(ba.h[0].p[k][i] == bb.h[0].p[k][i]);
        }
    }
    /* and labels that were resolved (k = 20..32) do change them */
    struct fw_dataset c;
    three_places(&c);
    for (size_t k = 20; k <= 32; k++) {
        c.s[k * 3 + 2].y[0] = 1; /* C positive too */
    }
    struct fw_backtest bc;
    assert_int_equal(fw_backtest_run(&c, from, to, from, NULL, NULL, &bc, &d),
                     FW_OK);
    assert_true(bc.h[0].p[FW_MODEL_CLIMATOLOGY][0] !=
                ba.h[0].p[FW_MODEL_CLIMATOLOGY][0]);
    fw_backtest_free(&ba);
    fw_backtest_free(&bb);
    fw_backtest_free(&bc);
    fw_dataset_free(&a);
    fw_dataset_free(&b);
    fw_dataset_free(&c);
}

/* A fixed pseudo-random sequence (splitmix64), uniform in [0, 1). */
static double uniform(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* Rows whose true probability is known: p = sigmoid(1 - 2.5 x), x the
 * "log distance" uniform in [0, 4] (p from 0.73 down to 1e-4); a second
 * feature is noise. */
#define N_SYN 40000

static void synthetic(uint64_t seed, float *x, int8_t *y, double *p_true)
{
    for (size_t i = 0; i < N_SYN; i++) {
        float *r = x + i * FW_N_FEATURES;
        for (int f = 0; f < FW_N_FEATURES; f++) {
            r[f] = NAN;
        }
        r[FW_F_LOG_DIST] = (float)(4.0 * uniform(&seed));
        r[FW_F_LOG_POP] = (float)(10.0 * uniform(&seed));
        p_true[i] = sigmoid(1.0 - 2.5 * r[FW_F_LOG_DIST]);
        y[i] = uniform(&seed) < p_true[i];
    }
}

/* Calibrated forecasts match the true probabilities: each model, fitted on
 * one half and calibrated on the other (holdout), forecasts fresh rows
 * with a mean absolute error under 0.01 and its reliability bins are
 * consistent with the outcomes. */
static void test_calibration(void **state)
{
    (void)state;
    float *x = malloc(N_SYN * FW_N_FEATURES * sizeof *x);
    float *xt = malloc(N_SYN * FW_N_FEATURES * sizeof *xt);
    int8_t *y = malloc(N_SYN), *yt = malloc(N_SYN);
    double *pt = malloc(N_SYN * sizeof *pt), *ptt = malloc(N_SYN * sizeof *pt);
    double *p = malloc(N_SYN * sizeof *p);
    uint8_t *hold = malloc(N_SYN);
    unsigned char *yu = malloc(N_SYN);
    assert_true(x && xt && y && yt && pt && ptt && p && hold && yu);
    synthetic(1, x, y, pt);
    synthetic(2, xt, yt, ptt);
    for (size_t i = 0; i < N_SYN; i++) {
        hold[i] = i >= N_SYN / 2;
        yu[i] = (unsigned char)yt[i];
    }
    /* the trees know the risk falls with the distance, as in the
     * back-test */
    signed char mono[FW_N_FEATURES] = {[FW_F_LOG_DIST] = -1};
    const struct fw_model_spec spec = {.use = NULL, .monotone = mono};
    const enum fw_model_kind kinds[] = {FW_MODEL_LOGIT_DIST,
                                        FW_MODEL_LOGIT_FULL, FW_MODEL_XGBOOST};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        fw_model *m = NULL;
        struct fw_diag d;
        fw_diag_reset(&d);
        assert_int_equal(fw_model_fit(kinds[k], x, FW_N_FEATURES, &spec, y,
                                      hold, N_SYN, &m, &d),
                         FW_OK);
        assert_true(fw_model_is_calibrated(m));
        assert_int_equal(fw_model_predict(m, xt, N_SYN, p, &d), FW_OK);
        double mae = 0;
        for (size_t i = 0; i < N_SYN; i++) {
            mae += fabs(p[i] - ptt[i]);
        }
        mae /= N_SYN;
        print_message("%s: mean |p - true p| = %.4f\n",
                      fw_model_kind_name(kinds[k]), mae);
        assert_true(mae < 0.01);
        struct fw_metrics mt;
        assert_int_equal(fw_metrics_compute(p, yu, N_SYN, &mt), FW_OK);
        print_message("%s: %d of %d bins consistent\n",
                      fw_model_kind_name(kinds[k]), mt.rel.n_consistent,
                      mt.rel.n_nonempty);
        /* trees fit a smooth curve by steps: their bins with thousands of
         * rows see it; the logistic models match the truth's form */
        if (kinds[k] != FW_MODEL_XGBOOST) {
            assert_true(mt.rel.n_consistent >= mt.rel.n_nonempty - 1);
        }
        fw_model_free(m);
    }
    free(x);
    free(xt);
    free(y);
    free(yt);
    free(pt);
    free(ptt);
    free(p);
    free(hold);
    free(yu);
}

/* The calibration follows a change of base rate: models fitted on rows
 * with p = sigmoid(1 - 2.5 x) and calibrated on rows where the event is
 * rarer, p = sigmoid(-1 - 2.5 x), forecast the rarer rate on fresh rows
 * of the second kind (mean forecast within 10 % of the true mean), while
 * the same models fitted without calibration overshoot by over 50 %. */
static void test_calibration_follows_drift(void **state)
{
    (void)state;
    size_t n = N_SYN;
    float *x = malloc(2 * n * FW_N_FEATURES * sizeof *x);
    float *xt = malloc(n * FW_N_FEATURES * sizeof *xt);
    int8_t *y = malloc(2 * n), *yt = malloc(n);
    double *pt = malloc(2 * n * sizeof *pt), *p = malloc(n * sizeof *p);
    uint8_t *hold = malloc(2 * n);
    assert_true(x && xt && y && yt && pt && p && hold);
    synthetic(5, x, y, pt); /* first half: fitting rows */
    uint64_t seed = 6;
    for (size_t i = 0; i < 2 * n; i++) {
        hold[i] = i >= n;
    }
    for (size_t i = n; i < 2 * n + n; i++) { /* holdout, then test rows */
        float *r = i < 2 * n ? x + i * FW_N_FEATURES
                             : xt + (i - 2 * n) * FW_N_FEATURES;
        for (int f = 0; f < FW_N_FEATURES; f++) {
            r[f] = NAN;
        }
        r[FW_F_LOG_DIST] = (float)(4.0 * uniform(&seed));
        double pi = sigmoid(-1.0 - 2.5 * r[FW_F_LOG_DIST]);
        int8_t yi = uniform(&seed) < pi;
        if (i < 2 * n) {
            pt[i] = pi;
            y[i] = yi;
        } else {
            p[i - 2 * n] = pi; /* the truth, for its mean */
            yt[i - 2 * n] = yi;
        }
    }
    double true_mean = 0;
    for (size_t i = 0; i < n; i++) {
        true_mean += p[i] / (double)n;
    }
    signed char mono[FW_N_FEATURES] = {[FW_F_LOG_DIST] = -1};
    const struct fw_model_spec spec = {.use = NULL, .monotone = mono};
    const enum fw_model_kind kinds[] = {FW_MODEL_LOGIT_FULL, FW_MODEL_XGBOOST};
    for (size_t k = 0; k < 2; k++) {
        struct fw_diag d;
        fw_diag_reset(&d);
        double mean[2];
        for (int cal = 0; cal < 2; cal++) {
            fw_model *m = NULL;
            /* without calibration: fitted on the first half alone */
            assert_int_equal(fw_model_fit(kinds[k], x, FW_N_FEATURES, &spec,
                                          y, cal ? hold : NULL,
                                          cal ? 2 * n : n, &m, &d),
                             FW_OK);
            assert_int_equal(fw_model_is_calibrated(m), cal);
            assert_int_equal(fw_model_predict(m, xt, n, p, &d), FW_OK);
            mean[cal] = 0;
            for (size_t i = 0; i < n; i++) {
                mean[cal] += p[i] / (double)n;
            }
            fw_model_free(m);
        }
        print_message("%s: true mean %.4f, uncalibrated %.4f, calibrated "
                      "%.4f\n",
                      fw_model_kind_name(kinds[k]), true_mean, mean[0],
                      mean[1]);
        assert_true(fabs(mean[1] - true_mean) < 0.1 * true_mean);
        assert_true(mean[0] > 1.5 * true_mean);
    }
    free(x);
    free(xt);
    free(y);
    free(yt);
    free(pt);
    free(p);
    free(hold);
}

/* Settings overrides for the trees: a bad one is a usage error naming it;
 * a good one changes the model. */
static void test_xgb_settings(void **state)
{
    (void)state;
    float *x = malloc(N_SYN * FW_N_FEATURES * sizeof *x);
    int8_t *y = malloc(N_SYN);
    double *pt = malloc(N_SYN * sizeof *pt), p1[10], p2[10];
    assert_true(x && y && pt);
    synthetic(7, x, y, pt);
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_model *m = NULL;
    struct fw_model_spec bad = {.xgb = "max_depth"};
    assert_int_equal(fw_model_fit(FW_MODEL_XGBOOST, x, FW_N_FEATURES, &bad, y,
                                  NULL, N_SYN, &m, &d),
                     FW_EUSAGE);
    assert_non_null(strstr(d.msg, "'max_depth': expected name=value"));
    assert_null(m);
    bad.xgb = "rounds=0";
    assert_int_equal(fw_model_fit(FW_MODEL_XGBOOST, x, FW_N_FEATURES, &bad, y,
                                  NULL, N_SYN, &m, &d),
                     FW_EUSAGE);
    struct fw_model_spec a = {.xgb = NULL}, b = {.xgb = "max_depth=4 rounds=20"};
    fw_model *ma = NULL, *mb = NULL;
    assert_int_equal(fw_model_fit(FW_MODEL_XGBOOST, x, FW_N_FEATURES, &a, y,
                                  NULL, N_SYN, &ma, &d),
                     FW_OK);
    assert_int_equal(fw_model_fit(FW_MODEL_XGBOOST, x, FW_N_FEATURES, &b, y,
                                  NULL, N_SYN, &mb, &d),
                     FW_OK);
    assert_int_equal(fw_model_predict(ma, x, 10, p1, &d), FW_OK);
    assert_int_equal(fw_model_predict(mb, x, 10, p2, &d), FW_OK);
    int differ = 0;
    for (int i = 0; i < 10; i++) {
        differ |= p1[i] != p2[i];
    }
    assert_true(differ);
    fw_model_free(ma);
    fw_model_free(mb);
    free(x);
    free(y);
    free(pt);
}

/* A model written to JSON and read back forecasts the same numbers; the
 * model file keeps its metadata and refuses other features. */
static void test_model_file(void **state)
{
    (void)state;
    float *x = malloc(N_SYN * FW_N_FEATURES * sizeof *x);
    int8_t *y = malloc(N_SYN);
    double *pt = malloc(N_SYN * sizeof *pt), *p1 = malloc(100 * sizeof *p1),
           *p2 = malloc(100 * sizeof *p2);
    uint8_t *hold = malloc(N_SYN);
    assert_true(x && y && pt && p1 && p2 && hold);
    synthetic(3, x, y, pt);
    for (size_t i = 0; i < N_SYN; i++) {
        hold[i] = i >= 3 * N_SYN / 4;
    }
    unsigned char use[FW_N_FEATURES];
    memset(use, 1, sizeof use);
    use[FW_F_LOG_POP] = 0; /* a model that leaves a feature out */
    const struct fw_model_spec spec = {.use = use, .monotone = NULL};
    char dir[] = "/tmp/fwtest_model_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/m.json", dir);
    struct fw_diag d;
    fw_diag_reset(&d);
    for (int k = 0; k < FW_MODEL_N_KINDS; k++) {
        fw_model *m[FW_N_HORIZONS] = {NULL};
        for (int h = 0; h < FW_N_HORIZONS; h++) {
            assert_int_equal(fw_model_fit((enum fw_model_kind)k, x,
                                          FW_N_FEATURES, &spec, y, hold, N_SYN,
                                          &m[h], &d),
                             FW_OK);
        }
        struct fw_forecast_meta meta;
        memset(&meta, 0, sizeof meta);
        snprintf(meta.until, sizeof meta.until, "2025-08-31");
        snprintf(meta.command, sizeof meta.command, "frontwatch train x");
        meta.skill[1].has = 1;
        meta.skill[1].bss_distance = 0.25;
        meta.n_rows[0] = 7;
        assert_int_equal(fw_forecast_save(path, m, &meta, &d), FW_OK);
        fw_forecast *fc = NULL;
        assert_int_equal(fw_forecast_load(path, &fc, &d), FW_OK);
        const struct fw_forecast_meta *got = fw_forecast_meta_of(fc);
        assert_string_equal(got->until, "2025-08-31");
        assert_string_equal(got->command, "frontwatch train x");
        assert_int_equal(got->n_rows[0], 7);
        assert_false(got->skill[0].has);
        assert_true(got->skill[1].has);
        assert_near(got->skill[1].bss_distance, 0.25, 0);
        /* same forecasts from the file as from the fitted model */
        assert_int_equal(fw_model_predict(m[1], x, 100, p1, &d), FW_OK);
        cJSON *j = fw_model_to_json(m[1], &d);
        assert_non_null(j);
        char *txt = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        cJSON *j2 = cJSON_Parse(txt);
        free(txt);
        fw_model *back = NULL;
        assert_int_equal(fw_model_from_json(j2, &back, &d), FW_OK);
        cJSON_Delete(j2);
        assert_int_equal(fw_model_predict(back, x, 100, p2, &d), FW_OK);
        for (size_t i = 0; i < 100; i++) {
            assert_near(p2[i], p1[i], 1e-6 * p1[i] + 1e-12);
        }
        fw_model_free(back);
        fw_forecast_free(fc);
        for (int h = 0; h < FW_N_HORIZONS; h++) {
            fw_model_free(m[h]);
        }
    }
    /* a file made for other features is refused, naming the file */
    FILE *f = fopen(path, "r+");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    char *at = strstr(buf, "\"log_dist\"");
    assert_non_null(at);
    memcpy(at, "\"log_Dist\"", 10);
    f = fopen(path, "w");
    fwrite(buf, 1, (size_t)len, f);
    fclose(f);
    fw_forecast *fc = NULL;
    assert_int_equal(fw_forecast_load(path, &fc, &d), FW_EPARSE);
    assert_null(fc);
    assert_non_null(strstr(d.msg, "other features"));
    assert_non_null(strstr(d.msg, path));
    /* and a truncated file is not JSON */
    f = fopen(path, "w");
    fwrite(buf, 1, (size_t)len / 2, f);
    fclose(f);
    assert_int_equal(fw_forecast_load(path, &fc, &d), FW_EPARSE);
    free(buf);
    unlink(path);
    rmdir(dir);
    free(x);
    free(y);
    free(pt);
    free(p1);
    free(p2);
    free(hold);
}

/* A composite model file whose part is not the kind it must be is
 * refused before the part is read: parts within parts would recurse as
 * deep as the file nests. */
static void test_model_file_parts(void **state)
{
    (void)state;
    char uses[4 * FW_N_FEATURES + 1] = "";
    for (int f = 0; f < FW_N_FEATURES; f++) {
        strcat(uses, f ? ",1" : "1");
    }
    char text[1024];
    snprintf(text, sizeof text,
             "{\"kind\": \"blend\", \"n_features\": %d, \"uses\": [%s],"
             " \"platt\": null, \"combine\": [0, 0.5, 0.5], \"parts\": ["
             "{\"kind\": \"blend\"}, {\"kind\": \"logit_dist\"}]}",
             FW_N_FEATURES, uses);
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    fw_model *m = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_model_from_json(j, &m, &d), FW_EPARSE);
    assert_null(m);
    assert_non_null(strstr(d.msg, "parts"));
    cJSON_Delete(j);
}

/* The shipping rule: a candidate wins only where every one of its four
 * comparisons (two horizons, all quarters and the final window) has both
 * intervals above 0; a single interval that straddles 0 is a tie and
 * ships the distance-only model. */
static void set_diff(struct fw_backtest *bt, enum fw_model_kind k, double bss,
                     double lo, double dap_lo)
{
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        for (int v = 0; v < FW_BT_N_WINDOWS; v++) {
            struct fw_boot_diff *bd = &bt->h[h].vs_base[v][k];
            bd->n = 100;
            bd->bss = bss;
            bd->bss_lo = lo;
            bd->bss_hi = bss + 0.1;
            bd->dap = 0.05;
            bd->dap_lo = dap_lo;
            bd->dap_hi = 0.1;
        }
    }
}

static void test_shipping_rule(void **state)
{
    (void)state;
    struct fw_backtest bt;
    memset(&bt, 0, sizeof bt);
    set_diff(&bt, FW_MODEL_XGBOOST, 0.10, 0.02, 0.01);
    set_diff(&bt, FW_MODEL_BLEND, 0.12, 0.03, 0.01);
    fw_backtest_choose(&bt);
    assert_int_equal(bt.chosen, FW_MODEL_BLEND); /* higher mean skill */
    assert_non_null(strstr(bt.chosen_why, "blend wins everywhere"));
    /* the blend ties at 90 days over all quarters: the trees are left */
    bt.h[1].vs_base[FW_BT_ALL][FW_MODEL_BLEND].bss_lo = -0.001;
    fw_backtest_choose(&bt);
    assert_int_equal(bt.chosen, FW_MODEL_XGBOOST);
    /* a tie on average precision alone is a tie too */
    bt.h[0].vs_base[FW_BT_FINAL][FW_MODEL_XGBOOST].dap_lo = -0.01;
    fw_backtest_choose(&bt);
    assert_int_equal(bt.chosen, FW_MODEL_LOGIT_DIST);
    assert_non_null(strstr(bt.chosen_why, "xgboost does not"));
    /* no comparison at all (nothing scored): nothing wins */
    memset(&bt, 0, sizeof bt);
    fw_backtest_choose(&bt);
    assert_int_equal(bt.chosen, FW_MODEL_LOGIT_DIST);
}

/* Every reason reads as English, a missing value included: "no a map of
 * contested areas for this date" was printed for every NZZ forecast whose
 * trees leaned on the contested area. */
static void test_reason_text(void **state)
{
    (void)state;
    float x[FW_N_FEATURES];
    char buf[200];
    for (int f = 0; f < FW_N_FEATURES; f++) {
        x[f] = NAN;
    }
    fw_forecast_reason_text(FW_F_CONTESTED_25KM, x, buf, sizeof buf);
    assert_string_equal(buf, "no map of contested areas for this date");
    fw_forecast_reason_text(FW_F_ALERT_RATIO, x, buf, sizeof buf);
    assert_string_equal(buf, "no air-raid alert data for this date");
    fw_forecast_reason_text(FW_F_STRIKES_7D, x, buf, sizeof buf);
    assert_string_equal(buf, "no attack-wave data for this date");
    fw_forecast_reason_text(FW_F_STRIKES_25KM_RATIO, x, buf, sizeof buf);
    assert_string_equal(buf, "no incident data for this date");
    fw_forecast_reason_text(FW_F_BORDER_DIST, x, buf, sizeof buf);
    assert_string_equal(buf, "no state border for this date");
    x[FW_F_BORDER_DIST] = (float)log1p(34.8);
    fw_forecast_reason_text(FW_F_BORDER_DIST, x, buf, sizeof buf);
    assert_string_equal(buf, "the Russian border is 34.8 km away");
    x[FW_F_STRIKES_25KM_30D] = (float)log1p(29.0);
    fw_forecast_reason_text(FW_F_STRIKES_25KM_30D, x, buf, sizeof buf);
    assert_string_equal(buf, "29 strikes within 25 km in 30 days");
    x[FW_F_SOURCE_NZZ] = 1.0f;
    fw_forecast_reason_text(FW_F_SOURCE_NZZ, x, buf, sizeof buf);
    assert_string_equal(buf, "the map source (NZZ / liveuamap)");
    x[FW_F_DIST_CHANGE_28D] = -6.04f;
    fw_forecast_reason_text(FW_F_DIST_CHANGE_28D, x, buf, sizeof buf);
    assert_string_equal(buf, "the occupied area moved 6.0 km closer in 28 days");
    x[FW_F_LOG_DIST] = (float)log1p(12.5);
    fw_forecast_reason_text(FW_F_LOG_DIST, x, buf, sizeof buf);
    assert_string_equal(buf, "the occupied area is 12.5 km away");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backtest_by_hand),
        cmocka_unit_test(test_backtest_no_look_ahead),
        cmocka_unit_test(test_calibration),
        cmocka_unit_test(test_calibration_follows_drift),
        cmocka_unit_test(test_xgb_settings),
        cmocka_unit_test(test_model_file),
        cmocka_unit_test(test_reason_text),
        cmocka_unit_test(test_shipping_rule),
        cmocka_unit_test(test_model_file_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
