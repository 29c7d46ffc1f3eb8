/*
 * cmd_risk.c - `frontwatch risk`: the places most at risk of occupation
 * on a date, ranked by probability.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frontwatch/date.h"
#include "frontwatch/forecast.h"
#include "frontwatch/oblast.h"

#define DAY ((int64_t)FW_DAY_S)

struct ranked {
    struct fw_place_forecast *f;
    double p;
};

static int by_p_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p != y->p) {
        return x->p > y->p ? -1 : 1;
    }
    return (x->f->place_id > y->f->place_id) - (x->f->place_id < y->f->place_id);
}

static int exec_risk(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"date", required_argument, NULL, 't'},
        {"top", required_argument, NULL, 'n'},
        {"horizon", required_argument, NULL, 'h'},
        {"model", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *date = "today", *model = NULL;
    long top = 20, horizon = 90;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:n:h:m:j", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'd': db = optarg; break;
        case 't': date = optarg; break;
        case 'm': model = optarg; break;
        case 'j': json = 1; break;
        case 'n':
            top = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || top < 1 || top > 100000) {
                fw_cli_error("--top '%s': expected a number from 1", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 'h':
            horizon = strtol(optarg, &end, 10);
            if (*end != '\0' || (horizon != 30 && horizon != 90)) {
                fw_cli_error("--horizon '%s': 30 or 90", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        default: return FW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fw_cli_error("risk: unexpected argument '%s'", argv[optind]);
        return FW_EXIT_USAGE;
    }
    int64_t date_s = 0;
    int rc = fw_cli_parse_date(date, &date_s);
    if (rc != 0) {
        return rc;
    }
    fw_forecast *fc = NULL;
    if ((rc = fw_cli_load_model(model, &fc)) != 0) {
        return rc;
    }
    if (fc == NULL) {
        fw_cli_error("no model file (models/occupation.json): make one with "
                     "`frontwatch train --until D --out "
                     "models/occupation.json`, or give --model FILE");
        return FW_EXIT_IO;
    }
    int h = horizon == 30 ? 0 : 1;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_place_forecast *pf = NULL;
    size_t n = 0;
    struct ranked *r = NULL;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err == FW_OK) {
        err = fw_geo_new(st, &g, &d);
    }
    if (err == FW_OK) {
        /* reasons only for the places shown, below: the trees' SHAP
         * values of every place took half of a `risk` */
        err = fw_forecast_places(fc, st, g, NULL, 0, date_s + DAY, 0, &pf, &n,
                                 &d);
    }
    if (err != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto done;
    }
    size_t n_ok = 0;
    r = malloc((n ? n : 1) * sizeof *r);
    if (r == NULL) {
        rc = fw_cli_fail(FW_ENOMEM, &d);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (pf[i].state == FW_FORECAST_OK) {
            r[n_ok].f = &pf[i];
            r[n_ok++].p = pf[i].p[h];
        }
    }
    if (n_ok == 0) {
        fw_cli_error("no place has a forecast on %s: no front-line map "
                     "within %d days",
                     date, FW_DATASET_MAX_MAP_AGE_DAYS);
        rc = FW_EXIT_DATA;
        goto done;
    }
    qsort(r, n_ok, sizeof *r, by_p_desc);
    size_t shown = (size_t)top < n_ok ? (size_t)top : n_ok;
    for (size_t i = 0; i < shown; i++) {
        if ((err = fw_forecast_reasons(fc, r[i].f, &d)) != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto done;
        }
    }
    char day[11], map[11];
    fw_date_format_day(date_s, day);
    fw_date_format_day(r[0].f->map_s, map);
    if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "date", day);
        cJSON_AddNumberToObject(root, "horizon_days", (double)horizon);
        cJSON_AddStringToObject(root, "series", r[0].f->series);
        cJSON_AddStringToObject(root, "map", map);
        cJSON_AddNumberToObject(root, "map_age_days",
                                (double)((date_s + DAY - 1 - r[0].f->map_s) /
                                         DAY));
        cJSON_AddStringToObject(root, "model_trained_until",
                                fw_forecast_meta_of(fc)->until);
        cJSON *arr = cJSON_AddArrayToObject(root, "places");
        for (size_t i = 0; i < shown; i++) {
            const struct fw_place_forecast *f = r[i].f;
            struct fw_place pl;
            if (fw_place_get(st, f->place_id, &pl, &d) != FW_OK) {
                continue;
            }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "rank", (double)(i + 1));
            cJSON_AddNumberToObject(o, "id", (double)pl.id);
            cJSON_AddStringToObject(o, "name", pl.name);
            cJSON_AddStringToObject(o, "oblast_iso", pl.oblast_iso);
            cJSON_AddNumberToObject(o, "p_occupied_30d", f->p[0]);
            cJSON_AddNumberToObject(o, "p_occupied_90d", f->p[1]);
            cJSON_AddNumberToObject(o, "distance_km", f->distance_km);
            cJSON *rs = cJSON_AddArrayToObject(o, "reasons");
            for (size_t k = 0; k < f->n_reasons[h]; k++) {
                cJSON_AddItemToArray(rs,
                                     cJSON_CreateString(f->reasons[h][k].text));
            }
            cJSON_AddItemToArray(arr, o);
        }
        char *txt = cJSON_PrintUnformatted(root);
        if (txt != NULL) {
            printf("%s\n", txt);
        }
        cJSON_free(txt);
        cJSON_Delete(root);
        goto done;
    }
    printf("Places most at risk of occupation within %ld days, as of %s\n"
           "(%s map of %s; model trained on labels to %s; %zu places "
           "scored)\n\n",
           horizon, day, r[0].f->series, map, fw_forecast_meta_of(fc)->until,
           n_ok);
    fw_cli_map_age_note(date_s, r[0].f->map_s);
    printf("%4s  %-28s %-16s %7s %7s %8s  %s\n", "rank", "place", "oblast",
           "30 d", "90 d", "km", "main reason");
    for (size_t i = 0; i < shown; i++) {
        const struct fw_place_forecast *f = r[i].f;
        struct fw_place pl;
        if ((err = fw_place_get(st, f->place_id, &pl, &d)) != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto done;
        }
        const struct fw_oblast *ob = fw_oblast_by_iso(pl.oblast_iso);
        printf("%4zu  %-28.28s %-16.16s %6.1f%% %6.1f%% %8.1f  %s\n", i + 1,
               pl.name, ob ? ob->name_en : "?", 100 * f->p[0], 100 * f->p[1],
               f->distance_km,
               f->n_reasons[h] ? f->reasons[h][0].text : "");
    }
done:
    free(r);
    free(pf);
    fw_forecast_free(fc);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}

const struct fw_cmd fw_cmd_risk = {
    .name = "risk",
    .usage = "risk [--date YYYY-MM-DD] [--top N] [--horizon 30|90] "
             "[--model F] [--json] [--db STORE]",
    .summary = "the places most at risk of occupation, ranked",
    .help =
        "Computes the probability of coming under occupation within 30\n"
        "and 90 days for every place not occupied on the freshest map at\n"
        "the date, and lists the --top N (default 20) by the --horizon\n"
        "(default 90) probability, with the distance to the occupied area\n"
        "and the feature that raised or lowered the number most.\n"
        "Needs a model file (frontwatch train).\n"
        "\n"
        "Options:\n"
        "  --date D      as of day D (default today in Kyiv): data published by\n"
        "                the end of that day\n"
        "  --top N       how many places (default 20)\n"
        "  --horizon H   rank by 30 or 90 days (default 90)\n"
        "  --model F     the model file (default $FRONTWATCH_MODEL, else\n"
        "                models/occupation.json)\n"
        "  --json        one JSON object (docs/CLI.md)\n"
        "  --db STORE    the store (default frontwatch.db or $FRONTWATCH_DB)\n"
        "\n"
        "Example:\n"
        "  frontwatch risk --date 2025-06-01 --top 20\n",
    .exec = exec_risk,
};
