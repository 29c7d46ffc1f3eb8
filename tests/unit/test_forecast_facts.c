/*
 * test_forecast_facts.c - forecasting samples on the real history
 * (../shared/data; skipped with the reason printed when it is absent).
 *
 * - Labels of places whose fate is known (../shared/data/README.md's
 *   cross-checks): Bakhmut occupied 2023-04-09 on DeepState, Avdiivka
 *   2024-02-18, Kherson occupied until 2022-11-13, Kupiansk free from
 *   2022-09-11, Kharkiv never.
 * - The state border and the strikes near the place equal assess's figures
 *   for the same place and day (its own code path: SQL, not the in-memory
 *   count), and are missing where the incident tables do not reach.
 * - No look-ahead: the features at an origin are the same from a store
 *   holding only the maps published by then as from the full store (which
 *   has, among others, the following week that marks NZZ's 2023-12-11 map
 *   as a glitch).
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/assess.h"
#include "frontwatch/dataset.h"
#include "frontwatch/date.h"
#include "frontwatch/geo.h"
#include "frontwatch/ingest.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

#define DAY ((int64_t)FW_DAY_S)

static char g_dir[64];
static char g_full[128], g_past[128];
static struct fw_dataset g_ds; /* full store, every Monday, labels */

/* The cut of the look-ahead test: maps published by 2023-12-12. */
#define CUT_DAY 20231212L

static int make_store(const char *db, long max_day)
{
    static const char *other[] = {"gazetteer", "alerts", "boundaries",
                                  "events"};
    static const char *maps[] = {
        "frontline/deepstate_full_layers_2022-2025",
        "frontline/nzz_liveuamap_occupied_2022-2026",
        "frontline/deepstate_occupied_2024-2026"};
    fw_store *st = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_store_open(db, FW_STORE_WRITE, &st, &d) != FW_OK) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof other / sizeof *other; i++) {
        rc = fwt_ingest_dir(st, fwt_shared(other[i]), 0, 0);
    }
    for (size_t i = 0; rc == 0 && i < sizeof maps / sizeof *maps; i++) {
        rc = fwt_ingest_dir(st, fwt_shared(maps[i]), 0, max_day);
    }
    if (rc == 0 && fw_ingest_derive(st, &d) != FW_OK) {
        rc = -1;
    }
    fw_store_close(st);
    return rc;
}

static int build(const char *db, struct fw_dataset_opts *o,
                 struct fw_dataset *ds)
{
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    int rc = -1;
    if (fw_store_open(db, FW_STORE_READ, &st, &d) == FW_OK &&
        fw_geo_new(st, &g, &d) == FW_OK &&
        fw_dataset_build(st, g, o, ds, &d) == FW_OK) {
        rc = 0;
    } else {
        fprintf(stderr, "dataset: %s\n", d.msg);
    }
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    if (fwt_shared("frontline") == NULL) {
        return 0;
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/fwfcfacts.XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        return -1;
    }
    snprintf(g_full, sizeof g_full, "%s/full.db", g_dir);
    snprintf(g_past, sizeof g_past, "%s/past.db", g_dir);
    if (make_store(g_full, 0) != 0 || make_store(g_past, CUT_DAY) != 0) {
        return -1;
    }
    struct fw_dataset_opts o = {.from_s = fwt_day_s("2022-02-28"),
                                .to_s = fwt_day_s("2025-08-25"),
                                .step_s = 7 * DAY,
                                .with_labels = 1};
    return build(g_full, &o, &g_ds);
}

static int teardown(void **state)
{
    (void)state;
    fw_dataset_free(&g_ds);
    if (g_dir[0] != '\0') {
        fwt_remove_db(g_full);
        fwt_remove_db(g_past);
        rmdir(g_dir);
    }
    return 0;
}

/* The dataset's index of the largest place named name in oblast iso. */
static int32_t place_index(const char *name, const char *iso)
{
    int32_t best = -1;
    for (size_t p = 0; p < g_ds.n_places; p++) {
        const struct fw_place *pl = &g_ds.places[p];
        if (strcmp(pl->name, name) == 0 && strcmp(pl->oblast_iso, iso) == 0 &&
            (best < 0 || pl->population > g_ds.places[best].population)) {
            best = (int32_t)p;
        }
    }
    if (best < 0) {
        fail_msg("no place %s in %s", name, iso);
    }
    return best;
}

/* The sample of place p on series s at origin day; NULL when there is none
 * (the place was occupied on the origin's map). */
static const struct fw_sample *sample(int32_t p, int s, const char *origin)
{
    int64_t t = fwt_day_s(origin);
    for (size_t i = 0; i < g_ds.n; i++) {
        const struct fw_sample *x = &g_ds.s[i];
        if (x->place == p && x->series == s && x->origin_s == t) {
            return x;
        }
    }
    return NULL;
}

#define DS 0  /* FW_SERIES[0], "deepstate" */
#define NZZ 1

static void test_labels(void **state)
{
    (void)state;
    if (fwt_shared_or_skip("frontline") == NULL) {
        return;
    }
    assert_string_equal(FW_SERIES[DS], "deepstate");
    /* Bakhmut, occupied on DeepState's map of 2023-04-09 */
    int32_t bakhmut = place_index("Bakhmut", "UA-14");
    const struct fw_sample *s = sample(bakhmut, DS, "2023-03-06");
    assert_non_null(s);
    assert_int_equal(s->y[0], 0); /* not by 2023-04-05 */
    assert_int_equal(s->y[1], 1); /* by 2023-06-04 */
    s = sample(bakhmut, DS, "2023-03-13");
    assert_non_null(s);
    assert_int_equal(s->y[0], 1); /* by 2023-04-12 */
    assert_null(sample(bakhmut, DS, "2023-05-01"));
    /* Avdiivka, 2024-02-18 */
    int32_t avdiivka = place_index("Avdiivka", "UA-14");
    s = sample(avdiivka, DS, "2023-12-04");
    assert_non_null(s);
    assert_int_equal(s->y[0], 0);
    assert_int_equal(s->y[1], 1);
    s = sample(avdiivka, DS, "2024-02-05");
    assert_non_null(s);
    assert_int_equal(s->y[0], 1);
    /* Kherson: occupied (no sample) until its liberation, then free */
    int32_t kherson = place_index("Kherson", "UA-65");
    assert_null(sample(kherson, DS, "2022-11-07"));
    s = sample(kherson, DS, "2022-11-21");
    assert_non_null(s);
    assert_int_equal(s->y[0], 0);
    assert_int_equal(s->y[1], 0);
    /* Kupiansk: occupied 2022-08-15, free from 2022-09-11 */
    int32_t kupiansk = place_index("Kupiansk", "UA-63");
    assert_null(sample(kupiansk, DS, "2022-08-15"));
    assert_null(sample(kupiansk, NZZ, "2022-08-15"));
    assert_non_null(sample(kupiansk, DS, "2022-09-19"));
    /* Kharkiv: a sample on every Monday a map covers, never positive */
    int32_t kharkiv = place_index("Kharkiv", "UA-63");
    size_t n = 0;
    for (size_t i = 0; i < g_ds.n; i++) {
        if (g_ds.s[i].place == kharkiv) {
            n++;
            assert_true(g_ds.s[i].y[0] <= 0);
            assert_true(g_ds.s[i].y[1] <= 0);
        }
    }
    assert_true(n > 300);
    /* the data ends 2025-08-25: a 90-day label from 2025-06-02 is unknown */
    s = sample(kharkiv, NZZ, "2025-06-02");
    assert_non_null(s);
    assert_int_equal(s->y[0], 0);
    assert_int_equal(s->y[1], -1);
}

/* The features of place p at origin, from DeepState's series or else
 * NZZ's (one must have a sample: the strike and border features are the
 * same on both). */
static const float *features(int32_t p, const char *origin)
{
    const struct fw_sample *x = sample(p, DS, origin);
    if (x == NULL) {
        x = sample(p, NZZ, origin);
    }
    if (x == NULL) {
        fail_msg("no sample of place %d on %s", (int)p, origin);
    }
    return g_ds.x + (size_t)(x - g_ds.s) * FW_N_FEATURES;
}

/* The border and strike features equal assess's figures of the day before
 * the origin (assess counts up to the end of its date: the origin's
 * midnight). */
static void test_border_and_strikes(void **state)
{
    (void)state;
    if (fwt_shared_or_skip("frontline") == NULL) {
        return;
    }
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_full, FW_STORE_READ, &st, &d), FW_OK);
    assert_int_equal(fw_geo_new(st, &g, &d), FW_OK);
    static const struct {
        const char *name, *iso, *origin;
        int strikes_known; /* 0: no incident table covers the 30 days */
    } cases[] = {
        {"Kharkiv", "UA-63", "2022-03-07", 0}, /* tables start 2022-02-24 */
        {"Kharkiv", "UA-63", "2022-04-04", 1},
        {"Kherson", "UA-65", "2022-12-05", 1},
        {"Bakhmut", "UA-14", "2023-01-09", 1}, /* Bellingcat alone */
        {"Vovchansk", "UA-63", "2024-05-06", 1},
        {"Kharkiv", "UA-63", "2024-08-05", 0}, /* they end 2024-05-29 */
    };
    size_t n_ratio = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int32_t p = place_index(cases[i].name, cases[i].iso);
        const float *x = features(p, cases[i].origin);
        struct fw_assessment a;
        assert_int_equal(fw_assess(st, g, &g_ds.places[p],
                                   fwt_day_s(cases[i].origin) - DAY, &a, &d),
                         FW_OK);
        assert_float_equal(x[FW_F_BORDER_DIST],
                           (float)log1p(a.distance_to_border_km), 1e-6);
        if (!cases[i].strikes_known) {
            assert_true(isnan(x[FW_F_STRIKES_25KM_30D]));
            assert_true(isnan(x[FW_F_STRIKES_25KM_RATIO]));
            assert_true(isnan(a.strikes.n_30d));
            continue;
        }
        assert_false(isnan(a.strikes.n_30d));
        assert_float_equal(x[FW_F_STRIKES_25KM_30D],
                           (float)log1p(a.strikes.n_30d), 1e-6);
        if (!isnan(a.strikes.ratio)) {
            /* assess's ratio is n30 / (prev90 / 3); the feature's the log
             * of the same with one added to each */
            double n30 = a.strikes.ratio * a.strikes.n_prev90d / 3.0;
            assert_float_equal(
                x[FW_F_STRIKES_25KM_RATIO],
                (float)log((1.0 + n30) / (1.0 + a.strikes.n_prev90d / 3.0)),
                1e-5);
            n_ratio++;
        }
        print_message("%s %s: border %.1f km, %g strikes in 30 days\n",
                      cases[i].name, cases[i].origin, a.distance_to_border_km,
                      a.strikes.n_30d);
    }
    assert_true(n_ratio >= 2);
    fw_geo_free(g);
    fw_store_close(st);

    /* asked for the distance alone (a model that reads nothing else), the
     * place's features are left out and the rest is the same */
    unsigned char need[FW_N_FEATURES] = {[FW_F_LOG_DIST] = 1};
    struct fw_dataset_opts o = {.from_s = fwt_day_s("2022-04-04"),
                                .to_s = fwt_day_s("2022-04-04")};
    struct fw_dataset all, some;
    assert_int_equal(build(g_full, &o, &all), 0);
    o.need = need;
    assert_int_equal(build(g_full, &o, &some), 0);
    assert_int_equal(all.n, some.n);
    size_t n_border = 0;
    for (size_t i = 0; i < all.n; i++) {
        const float *xa = all.x + i * FW_N_FEATURES;
        const float *xs = some.x + i * FW_N_FEATURES;
        assert_true(isnan(xs[FW_F_BORDER_DIST]) &&
                    isnan(xs[FW_F_STRIKES_25KM_30D]) &&
                    isnan(xs[FW_F_STRIKES_25KM_RATIO]));
        n_border += !isnan(xa[FW_F_BORDER_DIST]);
        assert_memory_equal(xa, xs, FW_F_BORDER_DIST * sizeof(float));
    }
    assert_true(n_border == all.n);
    fw_dataset_free(&all);
    fw_dataset_free(&some);
}

/* Features at 2023-12-12 from the maps published by then, and from every
 * map: the same samples, bit for bit. */
static void test_no_look_ahead(void **state)
{
    (void)state;
    if (fwt_shared_or_skip("frontline") == NULL) {
        return;
    }
    struct fw_dataset_opts o = {.from_s = fwt_day_s("2023-12-12"),
                                .to_s = fwt_day_s("2023-12-12")};
    struct fw_dataset past, full;
    assert_int_equal(build(g_past, &o, &past), 0);
    assert_int_equal(build(g_full, &o, &full), 0);
    assert_int_equal(past.n, full.n);
    assert_true(past.n > 5000); /* both series, most places */
    assert_int_equal(past.n_places, full.n_places);
    for (size_t i = 0; i < past.n; i++) {
        assert_int_equal(past.s[i].place, full.s[i].place);
        assert_int_equal(past.s[i].series, full.s[i].series);
        assert_int_equal(past.s[i].map_s, full.s[i].map_s);
        assert_memory_equal(past.x + i * FW_N_FEATURES,
                            full.x + i * FW_N_FEATURES,
                            FW_N_FEATURES * sizeof(float));
    }
    /* the NZZ map in force is the glitch of 2023-12-11, not yet known as
     * one */
    int64_t nzz_map = 0;
    for (size_t i = 0; i < full.n; i++) {
        if (full.s[i].series == NZZ) {
            nzz_map = full.s[i].map_s;
            break;
        }
    }
    assert_true(nzz_map == fwt_day_s("2023-12-11"));
    fw_dataset_free(&past);
    fw_dataset_free(&full);
    /* once the next map is out (2023-12-18), the glitch is passed over:
     * the 7-day change at 2023-12-18 compares with the map of 2023-12-04,
     * not with the glitch of 2023-12-11 (which moved hundreds of places) */
    const struct fw_sample *at[3][4096];
    memset(at, 0, sizeof at);
    const char *days[3] = {"2023-12-04", "2023-12-11", "2023-12-18"};
    const float *x18[4096];
    assert_true(g_ds.n_places <= 4096);
    for (size_t i = 0; i < g_ds.n; i++) {
        for (int k = 0; k < 3; k++) {
            if (g_ds.s[i].series == NZZ &&
                g_ds.s[i].origin_s == fwt_day_s(days[k])) {
                at[k][g_ds.s[i].place] = &g_ds.s[i];
                if (k == 2) {
                    x18[g_ds.s[i].place] = g_ds.x + i * FW_N_FEATURES;
                }
            }
        }
    }
    size_t compared = 0, glitch_moved = 0;
    for (size_t p = 0; p < g_ds.n_places; p++) {
        if (at[0][p] == NULL || at[2][p] == NULL) {
            continue;
        }
        float want = (float)(at[2][p]->distance_km - at[0][p]->distance_km);
        assert_true(fabsf(x18[p][FW_F_DIST_CHANGE_7D] - want) < 1e-3f);
        compared++;
        glitch_moved += at[1][p] != NULL &&
                        fabs(at[1][p]->distance_km - at[0][p]->distance_km) > 1;
    }
    print_message("%zu places compared, %zu moved by the glitch\n", compared,
                  glitch_moved);
    assert_true(compared > 2000);
    assert_true(glitch_moved > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_border_and_strikes),
        cmocka_unit_test(test_no_look_ahead),
    };
    if (fwt_shared("frontline") == NULL) {
        printf("test_forecast_facts: skipped: the real data (../shared/data) "
               "is not here\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
