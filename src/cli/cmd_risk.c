/*
 * cmd_risk.c - `frontwatch risk`: the places most at risk of occupation
 * on a date, ranked by probability.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frontwatch/date.h"
#include "frontwatch/forecast.h"
#include "frontwatch/oblast.h"
#include "frontwatch/risk.h"

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
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_risk r;
    memset(&r, 0, sizeof r);
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err == FW_OK) {
        err = fw_geo_new(st, &g, &d);
    }
    if (err == FW_OK) {
        err = fw_risk_rank(fc, st, g, date_s, (int)horizon, (size_t)top, &r,
                           &d);
    }
    if (err != FW_OK) {
        /* no place with a forecast is a fact of the data, not of I/O */
        rc = err == FW_ENOTFOUND ? (fw_cli_error("%s", d.msg), FW_EXIT_DATA)
                                 : fw_cli_fail(err, &d);
        goto done;
    }
    if (json) {
        fw_risk_write_json(&r, stdout);
        goto done;
    }
    char day[11], map[11];
    fw_date_format_day(date_s, day);
    fw_date_format_day(r.map_s, map);
    printf("Places most at risk of occupation within %ld days, as of %s\n"
           "(%s map of %s; model trained on labels to %s; %zu places "
           "scored)\n\n",
           horizon, day, r.series, map, r.model_until, r.n_scored);
    fw_cli_map_age_note(date_s, r.map_s);
    printf("%4s  %-28s %-16s %7s %7s %8s  %s\n", "rank", "place", "oblast",
           "30 d", "90 d", "km", "main reason");
    int h = horizon == 30 ? 0 : 1;
    for (size_t i = 0; i < r.n; i++) {
        const struct fw_place_forecast *f = r.entries[i].forecast;
        const struct fw_place *pl = &r.entries[i].place;
        const struct fw_oblast *ob = fw_oblast_by_iso(pl->oblast_iso);
        printf("%4zu  %-28.28s %-16.16s %6.1f%% %6.1f%% %8.1f  %s\n", i + 1,
               pl->name, ob ? ob->name_en : "?", 100 * f->p[0], 100 * f->p[1],
               f->distance_km,
               f->n_reasons[h] ? f->reasons[h][0].text : "");
    }
done:
    fw_risk_free(&r);
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
