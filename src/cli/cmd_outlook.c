/*
 * cmd_outlook.c - `frontwatch outlook`: the chance of an air-raid alert in
 * the next 6 and 24 hours per region (outlook.h); and the alert target of
 * `train` and `backtest` (--target alerts), which make and test its model.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "frontwatch/alert_panel.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"
#include "frontwatch/outlook.h"
#include "frontwatch/outlook_backtest.h"

#define HOUR ((int64_t)3600)
#define DAY ((int64_t)FW_DAY_S)
#define DEFAULT_ALERT_MODEL "models/alerts.json"

const char *fw_cli_alert_model_path(const char *opt, int *is_default)
{
    const char *env = getenv("FRONTWATCH_ALERT_MODEL");
    *is_default = opt == NULL && !(env && *env);
    return opt ? opt : (env && *env) ? env : DEFAULT_ALERT_MODEL;
}

const char *fw_cli_alert_model_path_if(const char *opt)
{
    int is_default;
    const char *path = fw_cli_alert_model_path(opt, &is_default);
    return is_default && access(path, F_OK) != 0 ? NULL : path;
}

int fw_cli_load_alert_model(const char *opt, int required,
                            fw_outlook_model **out)
{
    *out = NULL;
    int is_default;
    const char *path = fw_cli_alert_model_path(opt, &is_default);
    if (!required && is_default && access(path, F_OK) != 0) {
        return 0; /* no alert model: no outlook */
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_outlook_model_load(path, out, &d);
    if (err != FW_OK && is_default && access(path, F_OK) != 0) {
        fw_cli_error("no alert model at %s: make one with `frontwatch train "
                     "--target alerts --until YYYY-MM-DD --out %s`, or name "
                     "one with --model",
                     path, path);
        return FW_EXIT_IO;
    }
    return err == FW_OK ? 0 : fw_cli_fail(err, &d);
}

/* The store's alerts, merged, and the panel of every hour from the first
 * alert to to_s (the targets of the last hours read the two days after). */
static int load_panel(fw_store *st, int64_t to_s,
                      const fw_panel_adjacency adj,
                      struct fw_alert_panel *p)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_alert_history *h = NULL;
    fw_err err = fw_alert_history_load(st, INT64_MIN, to_s + 2 * DAY, &h, &d);
    if (err == FW_OK) {
        int64_t from_s = fw_alert_history_start_s(h);
        if (from_s == INT64_MIN || to_s <= from_s) {
            fw_alert_history_free(h);
            fw_cli_error("the store has no air-raid alerts in that period: "
                         "ingest them (frontwatch ingest DATA) first");
            return FW_EXIT_DATA;
        }
        err = fw_alert_panel_build(h, adj, from_s, to_s, p, &d);
    }
    fw_alert_history_free(h);
    return err == FW_OK ? 0 : fw_cli_fail(err, &d);
}

/* The neighbours of the 24 regions from the store's boundaries. */
static int neighbours(fw_store *st, fw_panel_adjacency adj)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_geo *g = NULL;
    const char *iso[FW_PANEL_N_REGIONS];
    for (size_t i = 0; i < FW_PANEL_N_REGIONS; i++) {
        iso[i] = fw_panel_region_iso(i);
    }
    fw_err err = fw_geo_new(st, &g, &d);
    if (err == FW_OK) {
        err = fw_geo_oblast_neighbours(g, iso, FW_PANEL_N_REGIONS, adj, &d);
    }
    fw_geo_free(g);
    return err == FW_OK ? 0 : fw_cli_fail(err, &d);
}

static void fit_progress(void *arg, const char *set, const char *kind)
{
    if (*(int *)arg) {
        fprintf(stderr, "\rback-test: fitting %-12s for %-7s", kind, set);
    }
}

/* ---- train --target alerts ---- */

int fw_cli_train_alerts(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"until", required_argument, NULL, 'u'},
        {"out", required_argument, NULL, 'o'},
        {"kind", required_argument, NULL, 'k'},
        {"target", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *until = NULL, *out = NULL;
    /* the back-test's choice (docs/ALERTS.md) */
    int kind = FW_OUTLOOK_LOGIT, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:u:o:k:T:q", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': until = optarg; break;
        case 'o': out = optarg; break;
        case 'k':
            if ((kind = fw_outlook_kind_parse(optarg)) < 0) {
                fw_cli_error("train --target alerts: --kind %s: expected "
                             "prior, persistence, logit or xgboost",
                             optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 'T': break; /* "alerts": how we got here */
        case 'q': break;
        default: return FW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fw_cli_error("train: unexpected argument '%s'", argv[optind]);
        return FW_EXIT_USAGE;
    }
    if (until == NULL || out == NULL) {
        fw_cli_error("train --target alerts needs --until YYYY-MM-DD and "
                     "--out FILE (frontwatch help train)");
        return FW_EXIT_USAGE;
    }
    int64_t until_s;
    int rc = fw_cli_parse_date(until, &until_s);
    if (rc != 0) {
        return rc;
    }
    until_s += DAY; /* outcomes resolved by the end of the day */
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    struct fw_alert_panel p;
    memset(&p, 0, sizeof p);
    fw_outlook_model *m = NULL;
    fw_panel_adjacency adj;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    if ((rc = neighbours(st, adj)) != 0 ||
        (rc = load_panel(st, until_s, adj, &p)) != 0) {
        goto done;
    }
    if ((err = fw_outlook_fit(&p, kind, until_s, adj, &m, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    char cmd[1024];
    fw_cli_command_line(argc, argv, cmd, sizeof cmd);
    fw_outlook_model_set_command(m, cmd);
    if ((err = fw_outlook_model_save(m, out, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    printf("wrote %s: %s alert outlook, outcomes resolved by %s\n", out,
           fw_outlook_kind_name(kind), fw_outlook_model_until(m));
    for (int h = 0; h < FW_PANEL_N_HORIZONS; h++) {
        size_t n = fw_outlook_model_n_rows(m, h);
        printf("  %2d hours: trained on %zu region-hours, %.1f %% with an "
               "alert\n",
               FW_PANEL_HORIZON_H[h], n,
               n ? 100.0 * (double)fw_outlook_model_n_pos(m, h) / (double)n
                 : 0.0);
    }
done:
    fw_outlook_model_free(m);
    fw_alert_panel_reset(&p);
    fw_store_close(st);
    return rc;
}

/* ---- backtest --target alerts ---- */

int fw_cli_backtest_alerts(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},
        {"target", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *from = NULL, *to = NULL, *out = NULL;
    int quiet = 0, c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:f:t:o:T:q", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'o': out = optarg; break;
        case 'T': break;
        case 'q': quiet = 1; break;
        default: return FW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fw_cli_error("backtest: unexpected argument '%s'", argv[optind]);
        return FW_EXIT_USAGE;
    }
    if (to == NULL || out == NULL) {
        fw_cli_error("backtest --target alerts needs --to YYYY-MM-DD and "
                     "--out DIR (frontwatch help backtest)");
        return FW_EXIT_USAGE;
    }
    int64_t from_s, to_s;
    if ((rc = fw_cli_parse_date(to, &to_s)) != 0) {
        return rc;
    }
    to_s += DAY;
    if (from == NULL) {
        from_s = to_s - 365 * DAY;
    } else if ((rc = fw_cli_parse_date(from, &from_s)) != 0) {
        return rc;
    }
    if (to_s <= from_s) {
        fw_cli_error("--from %s is not before --to %s", from, to);
        return FW_EXIT_USAGE;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    struct fw_alert_panel p;
    memset(&p, 0, sizeof p);
    fw_panel_adjacency adj;
    struct fw_outlook_backtest *bt = calloc(1, sizeof *bt);
    if (bt == NULL) {
        fw_cli_error("out of memory");
        return FW_EXIT_IO;
    }
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        free(bt);
        return fw_cli_fail(err, &d);
    }
    if ((rc = neighbours(st, adj)) != 0 ||
        (rc = load_panel(st, to_s, adj, &p)) != 0) {
        goto done;
    }
    int tty = !quiet && isatty(2);
    err = fw_outlook_backtest_run(&p, adj, from_s, to_s, fit_progress, &tty,
                                  bt, &d);
    if (tty) {
        fprintf(stderr, "\n");
    }
    char cmd[1024];
    fw_cli_command_line(argc, argv, cmd, sizeof cmd);
    if (err == FW_OK) {
        err = fw_outlook_backtest_write(bt, out, cmd, &d);
    }
    if (err != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    const struct fw_obt_set *pl = &bt->set[FW_OBT_POOLED];
    const struct fw_obt_set *sp = &bt->set[FW_OBT_SPLIT];
    printf("wrote %s/report.md (%.1f s)\n", out, bt->seconds);
    for (int h = 0; h < FW_PANEL_N_HORIZONS; h++) {
        printf("  %2d hours, ROC-AUC on the last three 30-day folds: "
               "xgboost %.4f, logit %.4f, persistence %.4f, prior %.4f; "
               "on the split: xgboost %.4f, persistence %.4f\n",
               FW_PANEL_HORIZON_H[h],
               pl->c[h][FW_OUTLOOK_XGBOOST].m.auroc,
               pl->c[h][FW_OUTLOOK_LOGIT].m.auroc,
               pl->c[h][FW_OUTLOOK_PERSISTENCE].m.auroc,
               pl->c[h][FW_OUTLOOK_PRIOR].m.auroc,
               sp->c[h][FW_OUTLOOK_XGBOOST].m.auroc,
               sp->c[h][FW_OUTLOOK_PERSISTENCE].m.auroc);
    }
    printf("  lift of xgboost over persistence at 6 hours: %.4f (the "
           "published peer: %.4f)\n",
           pl->c[0][FW_OUTLOOK_XGBOOST].m.auroc -
               pl->c[0][FW_OUTLOOK_PERSISTENCE].m.auroc,
           FW_OBT_PEER_AUC_XGBOOST - FW_OBT_PEER_AUC_PERSISTENCE);
done:
    free(bt);
    fw_alert_panel_reset(&p);
    fw_store_close(st);
    return rc;
}

/* ---- outlook ---- */

/* "64 %" into buf; "-" for NaN. */
static const char *pct(double p, char *buf, size_t cap)
{
    if (isnan(p)) {
        snprintf(buf, cap, "-");
    } else {
        snprintf(buf, cap, "%.0f %%", 100 * p);
    }
    return buf;
}

static void outlook_text(const struct fw_outlook *o, const char *model_path,
                         const fw_outlook_model *m, FILE *f)
{
    const struct fw_oblast *ob = fw_oblast_by_iso(o->oblast_iso);
    char at[21], b1[16], b2[16];
    fw_date_format_iso(o->at_s, at);
    int64_t local = o->at_s + fw_date_kyiv_offset_s(o->at_s);
    fprintf(f, "%s%s (%s), the hour from %.10s %.5s UTC (%02d:00 Kyiv "
               "time)\n",
            ob ? ob->name_en : o->oblast_iso,
            fw_oblast_is_oblast(ob) ? " oblast" : "",
            o->oblast_iso, at, at + 11,
            (int)((local % DAY + DAY) % DAY / HOUR));
    if (!o->has_outlook) {
        fprintf(f, "  no outlook: %s\n", o->why);
        return;
    }
    for (int h = 0; h < FW_PANEL_N_HORIZONS; h++) {
        fprintf(f,
                "  chance of an air-raid alert in the next %d hours: %s "
                "(usual for this hour: %s)\n",
                FW_PANEL_HORIZON_H[h], pct(o->p[h], b1, sizeof b1),
                pct(o->usual[h], b2, sizeof b2));
    }
    if (o->is_now) {
        fputs("  under alert now", f);
    } else if (o->h_since_end >= FW_PANEL_LOOKBACK_H) {
        fprintf(f, "  no alert in the last %d days", FW_PANEL_LOOKBACK_H / 24);
    } else {
        fprintf(f, "  not under alert; the last alert ended %.1f h before",
                o->h_since_end);
    }
    fprintf(f, "; %.0f alerts started in the last 24 h, %.1f h under alert\n",
            o->starts_24h, o->alert_h_24h);
    char newest[21];
    fw_date_format_iso(o->newest_alert_s, newest);
    fprintf(f, "  model: %s, trained to %s (%s); newest alert data %s\n",
            o->kind, fw_outlook_model_until(m), model_path, newest);
}

static int outlook_all(fw_store *st, const fw_outlook_model *m,
                       const char *from, const char *to)
{
    int64_t from_s, to_s;
    int rc;
    if (from == NULL || to == NULL) {
        fw_cli_error("outlook --all needs --from D and --to D");
        return FW_EXIT_USAGE;
    }
    if ((rc = fw_cli_parse_date(from, &from_s)) != 0 ||
        (rc = fw_cli_parse_date(to, &to_s)) != 0) {
        return rc;
    }
    to_s += DAY;
    if (to_s <= from_s) {
        fw_cli_error("--from %s is not before --to %s", from, to);
        return FW_EXIT_USAGE;
    }
    struct fw_alert_panel p;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_alert_history *h = NULL;
    /* alerts that start before the last hour asked: no outcome is read */
    fw_err err = fw_alert_history_load(st, from_s, to_s, &h, &d);
    if (err == FW_OK) {
        err = fw_alert_panel_build(h, fw_outlook_model_adjacency(m), from_s,
                                   to_s, &p, &d);
    }
    fw_alert_history_free(h);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    double *pr[FW_PANEL_N_HORIZONS] = {NULL, NULL};
    for (int k = 0; k < FW_PANEL_N_HORIZONS && err == FW_OK; k++) {
        pr[k] = malloc((p.n_rows ? p.n_rows : 1) * sizeof *pr[k]);
        err = pr[k] ? fw_outlook_predict(m, &p, k, 0, p.n_rows, pr[k], &d)
                    : fw_diag_set(&d, FW_ENOMEM, 0, 0, "out of memory");
    }
    if (err == FW_OK) {
        puts("time_utc,oblast_iso,p_alert_6h,p_alert_24h");
        for (size_t i = 0; i < p.n_rows; i++) {
            char t[21];
            fw_date_format_iso(fw_alert_panel_t(&p, i), t);
            printf("%s,%s,", t, fw_panel_region_iso(fw_alert_panel_region(i)));
            for (int k = 0; k < FW_PANEL_N_HORIZONS; k++) {
                if (!isnan(pr[k][i])) {
                    printf("%.4f", pr[k][i]);
                }
                putchar(k + 1 < FW_PANEL_N_HORIZONS ? ',' : '\n');
            }
        }
        rc = fflush(stdout) == 0 ? 0 : FW_EXIT_IO;
    } else {
        rc = fw_cli_fail(err, &d);
    }
    free(pr[0]);
    free(pr[1]);
    fw_alert_panel_reset(&p);
    return rc;
}

/* The oblast meant by query: a place's ("Kyiv" is the city, whose
 * alerts are Kyiv City's), else an oblast's name or code ("Kyivska
 * oblast", "UA-32"); else the place lookup's candidates or suggestions. */
static int region_of(fw_store *st, const char *query, char iso[8])
{
    struct fw_place pl;
    struct fw_place *cands = NULL;
    size_t n_cands = 0, n_others = 0;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err =
        fw_place_resolve(st, query, &pl, &n_others, &cands, &n_cands, &d);
    free(cands);
    const struct fw_oblast *ob = fw_oblast_by_name(query);
    if (err == FW_OK) {
        snprintf(iso, 8, "%s", pl.oblast_iso);
        return 0;
    }
    if (ob != NULL) {
        snprintf(iso, 8, "%s", ob->iso);
        return 0;
    }
    int rc = fw_cli_resolve_place(st, query, 0, &pl);
    if (rc == 0) {
        snprintf(iso, 8, "%s", pl.oblast_iso);
    }
    return rc;
}

static int exec_outlook(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"at", required_argument, NULL, 'a'},
        {"model", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"all", no_argument, NULL, 'A'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"csv", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *at = NULL, *model = NULL, *from = NULL,
               *to = NULL;
    int json = 0, all = 0, c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:a:m:jAf:t:c", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'a': at = optarg; break;
        case 'm': model = optarg; break;
        case 'j': json = 1; break;
        case 'A': all = 1; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'c': break; /* CSV is --all's only form */
        default: return FW_EXIT_USAGE;
        }
    }
    if (all ? optind != argc : optind != argc - 1) {
        fw_cli_error(all ? "outlook --all takes no place"
                         : "outlook needs one place or oblast "
                           "(frontwatch help outlook)");
        return FW_EXIT_USAGE;
    }
    int64_t at_s = time(NULL);
    if (at != NULL && fw_date_parse_timestamp(at, &at_s) != FW_OK) {
        fw_cli_error("--at %s: expected YYYY-MM-DDTHH:MMZ (UTC) or a time "
                     "with its offset",
                     at);
        return FW_EXIT_USAGE;
    }
    fw_outlook_model *m = NULL;
    if ((rc = fw_cli_load_alert_model(model, 1, &m)) != 0) {
        return rc;
    }
    int is_default;
    const char *model_path = fw_cli_alert_model_path(model, &is_default);
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        fw_outlook_model_free(m);
        return fw_cli_fail(err, &d);
    }
    if (all) {
        rc = outlook_all(st, m, from, to);
    } else {
        char iso[8];
        struct fw_outlook o;
        if ((rc = region_of(st, argv[optind], iso)) == 0) {
            err = fw_outlook_at(st, m, iso, at_s, &o, &d);
            if (err != FW_OK) {
                rc = fw_cli_fail(err, &d);
            } else if (json) {
                fw_outlook_write_json(&o, m, model_path, stdout);
            } else {
                outlook_text(&o, model_path, m, stdout);
            }
        }
    }
    fw_store_close(st);
    fw_outlook_model_free(m);
    return rc;
}

const struct fw_cmd fw_cmd_outlook = {
    .name = "outlook",
    .usage = "outlook PLACE|OBLAST [--at TIME] [--json] [--model FILE] "
             "[--db STORE] | outlook --all --from D --to D [--csv]",
    .summary = "the chance of an air-raid alert in the next 6 and 24 hours",
    .help =
        "The chance that the place's oblast is under an air-raid alert, or\n"
        "that one starts, within the next 6 and 24 hours from the hour\n"
        "start at or before --at (default: now), beside the usual rate for\n"
        "that hour of the day in the oblast. It uses only the alerts in\n"
        "the store that started before that hour, and the alert model\n"
        "(--model, else $FRONTWATCH_ALERT_MODEL, else models/alerts.json;\n"
        "make one with `frontwatch train --target alerts`). With no alert\n"
        "of any region in the 24 hours before, the data has stopped: the\n"
        "outlook is withheld and the reason given. Luhansk oblast and\n"
        "Crimea have permanent sirens and no outlook. Model card, protocol\n"
        "and back-test: docs/ALERTS.md.\n"
        "\n"
        "--all writes the outlook of every region for every hour from\n"
        "--from to the end of --to as CSV (time_utc,oblast_iso,p_alert_6h,\n"
        "p_alert_24h; empty values for hours when the data had stopped),\n"
        "each hour from the alerts that started before it: the batch form\n"
        "of the single outlook, with the same numbers.\n"
        "\n"
        "Options:\n"
        "  --at TIME      2023-12-01T18:00Z, or with an offset (+02:00)\n"
        "  --json         one JSON object (docs/CLI.md)\n"
        "  --model FILE   the alert model file\n"
        "  --all          every region and hour, CSV (needs --from, --to)\n"
        "  --db STORE     the store (default frontwatch.db or "
        "$FRONTWATCH_DB)\n"
        "\n"
        "Examples:\n"
        "  frontwatch outlook Kharkiv --at 2023-12-01T18:00Z\n"
        "  frontwatch outlook --all --from 2023-11-01 --to 2023-12-31 "
        "--csv\n",
    .exec = exec_outlook,
};
