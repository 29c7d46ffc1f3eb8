/*
 * cmd_train.c - `frontwatch train`: fit the occupation model on every
 * label resolved by a date and write the model file.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "frontwatch/backtest.h"
#include "frontwatch/date.h"
#include "frontwatch/forecast.h"

#define DAY ((int64_t)FW_DAY_S)

static void skill_of(const struct fw_backtest *bt, int h,
                     enum fw_model_kind kind, struct fw_forecast_skill *sk)
{
    const struct fw_metrics *m = bt->h[h].final;
    const struct fw_metrics *c = &m[kind];
    memset(sk, 0, sizeof *sk);
    if (c->n == 0) {
        return;
    }
    sk->has = 1;
    fw_date_format_day(bt->final_from_s, sk->window_from);
    fw_date_format_day(bt->to_s - DAY, sk->window_to);
    sk->n = c->n;
    sk->n_pos = c->n_pos;
    sk->brier = c->brier;
    sk->bss_climatology =
        fw_metrics_brier_skill(c->brier, m[FW_MODEL_CLIMATOLOGY].brier);
    sk->bss_distance =
        fw_metrics_brier_skill(c->brier, m[FW_MODEL_LOGIT_DIST].brier);
    sk->auroc = c->auroc;
    sk->ap = c->ap;
    sk->ap_distance = m[FW_MODEL_LOGIT_DIST].ap;
    sk->rel_consistent_eff = c->rel.n_consistent_eff;
    sk->rel_consistent = c->rel.n_consistent;
    sk->rel_nonempty = c->rel.n_nonempty;
}

static int exec_train(int argc, char **argv)
{
    int target = fw_cli_target(argc, argv);
    if (target != 0) {
        return target < 0 ? FW_EXIT_USAGE : fw_cli_train_alerts(argc, argv);
    }
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"until", required_argument, NULL, 'u'},
        {"out", required_argument, NULL, 'o'},
        {"no-backtest", no_argument, NULL, 'n'},
        {"backtest-from", required_argument, NULL, 'f'},
        {"kind", required_argument, NULL, 'k'},
        {"quiet", no_argument, NULL, 'q'},
        {"target", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *until = NULL, *out = NULL;
    const char *bt_from = "2022-06-01";
    int no_bt = 0, quiet = 0, c, kind = -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:u:o:nf:k:qT:", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': until = optarg; break;
        case 'o': out = optarg; break;
        case 'n': no_bt = 1; break;
        case 'f': bt_from = optarg; break;
        case 'k':
            if ((kind = fw_model_kind_parse(optarg)) < 0 ||
                kind == FW_MODEL_CLIMATOLOGY) {
                fw_cli_error("train: --kind %s: expected logit_dist, "
                             "logit_full, xgboost, blend or stack", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 'q': quiet = 1; break;
        case 'T': break; /* occupation (fw_cli_target) */
        default: return FW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fw_cli_error("train: unexpected argument '%s'", argv[optind]);
        return FW_EXIT_USAGE;
    }
    if (until == NULL || out == NULL) {
        fw_cli_error("train needs --until YYYY-MM-DD and --out FILE "
                     "(frontwatch help train)");
        return FW_EXIT_USAGE;
    }
    int64_t until_s = 0, from_s = 0;
    int rc = fw_cli_parse_date(until, &until_s);
    if (rc == 0) {
        rc = fw_cli_parse_date(bt_from, &from_s);
    }
    if (rc != 0) {
        return rc;
    }
    int64_t end_s = until_s + DAY; /* labels resolved by the end of the day */
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_dataset ds;
    memset(&ds, 0, sizeof ds);
    struct fw_backtest bt;
    memset(&bt, 0, sizeof bt);
    fw_model *models[FW_N_HORIZONS] = {NULL};
    struct fw_forecast_meta meta;
    memset(&meta, 0, sizeof meta);
    int64_t first = 0;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err == FW_OK) {
        err = fw_geo_new(st, &g, &d);
    }
    if (err != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    if ((rc = fw_cli_build_dataset(st, g, end_s, 1, quiet, &ds, &first)) !=
        0) {
        goto done;
    }
    int tty = !quiet && isatty(2);
    if (!no_bt && from_s < end_s) {
        err = fw_backtest_run(&ds, from_s, end_s, end_s - 365 * DAY,
                              fw_cli_backtest_progress, &tty, &bt, &d);
        if (tty) {
            fprintf(stderr, "\n");
        }
        if (err != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto done;
        }
    }
    /* the rule's choice (backtest.h), unless asked for a kind; without a
     * back-test there is nothing to choose by: the distance-only model */
    const char *why = "asked for with --kind";
    if (kind < 0) {
        kind = no_bt ? FW_BACKTEST_BASELINE : (int)bt.chosen;
        why = no_bt ? "no back-test to choose by: the distance-only model"
                    : bt.chosen_why;
    }
    snprintf(meta.selection, sizeof meta.selection, "%s", why);
    for (int h = 0; !no_bt && h < FW_N_HORIZONS; h++) {
        skill_of(&bt, h, (enum fw_model_kind)kind, &meta.skill[h]);
    }
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        err = fw_backtest_fit(&ds, h, end_s, (enum fw_model_kind)kind,
                              &models[h],
                              &meta.n_rows[h], &meta.n_pos[h], &d);
        if (err != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto done;
        }
    }
    fw_date_format_iso(time(NULL), meta.created);
    fw_date_format_day(until_s, meta.until);
    if ((err = fw_forecast_data_sha256(st, meta.data_sha256,
                                       &meta.data_files, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    fw_cli_command_line(argc, argv, meta.command, sizeof meta.command);
    if ((err = fw_forecast_save(out, models, &meta, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    printf("wrote %s: %s, labels resolved by %s, data %.12s... (%zu files)\n"
           "  chosen: %s\n",
           out, fw_model_kind_name((enum fw_model_kind)kind), meta.until,
           meta.data_sha256, meta.data_files, meta.selection);
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        const struct fw_forecast_skill *sk = &meta.skill[h];
        printf("  %2d days: trained on %zu rows, %zu positive", 
               FW_HORIZON_DAYS[h], meta.n_rows[h], meta.n_pos[h]);
        if (sk->has) {
            printf("; back-test %s..%s: Brier skill %+.3f vs distance-only, "
                   "%+.3f vs base rate, AP %.3f (distance-only %.3f), "
                   "reliability %d/%d bins within their 90 %% interval of "
                   "effective trials",
                   sk->window_from, sk->window_to, sk->bss_distance,
                   sk->bss_climatology, sk->ap, sk->ap_distance,
                   sk->rel_consistent_eff, sk->rel_nonempty);
        }
        printf("\n");
    }
done:
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        fw_model_free(models[h]);
    }
    fw_backtest_free(&bt);
    fw_dataset_free(&ds);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}

const struct fw_cmd fw_cmd_train = {
    .name = "train",
    .usage = "train --until YYYY-MM-DD --out FILE [--no-backtest] "
             "[--backtest-from D] [--kind K] [--target occupation|alerts] [--quiet] "
             "[--db STORE]",
    .summary = "fit the occupation model and write the model file",
    .help =
        "Builds the weekly samples of every place on both map series\n"
        "(DeepState, NZZ/liveuamap), runs the rolling back-test of every\n"
        "candidate model (as `frontwatch backtest`, from --backtest-from,\n"
        "default 2022-06-01), chooses the one to ship by the rule of\n"
        "docs/FORECAST.md (it must beat the distance-only model on Brier\n"
        "skill and on average precision, over all quarters and in the\n"
        "last 12 months, at 30 and 90 days, each 90 % interval of a\n"
        "bootstrap over places above 0; else the distance-only model is\n"
        "shipped), fits it for each horizon on every label resolved by\n"
        "the end of --until (its last 182 days of origins calibrate it),\n"
        "and writes the model file: the models, the rule's verdict, the\n"
        "back-test skill over the last 12 months (`assess` and `risk` show\n"
        "it), the feature list, the training period, the sha256 of the\n"
        "data in the store and this command. About 4 minutes on 2 cores;\n"
        "1 with --no-backtest, which ships the distance-only model (or\n"
        "--kind).\n"
        "\n"
        "Options:\n"
        "  --until D          labels resolved by the end of day D\n"
        "  --out FILE         the model file to write (replaced atomically)\n"
        "  --no-backtest      skip the back-test (the file says so)\n"
        "  --backtest-from D  first test origin of the back-test\n"
        "  --kind K           ship K instead of the rule's choice:\n"
        "                     logit_dist, logit_full, xgboost, blend, stack\n"
        "  --target T         occupation (the default, above) or alerts:\n"
        "                     the air-raid alert outlook's model, fitted\n"
        "                     on every hour of the store's alerts whose\n"
        "                     outcome is known by the end of --until\n"
        "                     (--kind prior, persistence, logit or\n"
        "                     xgboost; default logit, the back-test's\n"
        "                     choice: docs/ALERTS.md); about 10 s\n"
        "  --quiet            no progress on stderr\n"
        "  --db STORE         the store (default frontwatch.db or "
        "$FRONTWATCH_DB)\n"
        "\n"
        "Example:\n"
        "  frontwatch train --until 2025-08-31 --out models/occupation.json\n"
        "  frontwatch train --target alerts --until 2023-12-31 "
        "--out models/alerts.json\n",
    .exec = exec_train,
};
