/*
 * cmd_assess.c - `frontwatch assess PLACE`: the answer for one place.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "frontwatch/assess.h"
#include "frontwatch/date.h"

static int exec_assess(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"date", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"id", required_argument, NULL, 'i'},
        {"model", required_argument, NULL, 'm'},
        {"alert-model", required_argument, NULL, 'M'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *date = "today", *model = NULL, *alert_model = NULL;
    int json = 0;
    long long id = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:ji:m:M:", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 't': date = optarg; break;
        case 'j': json = 1; break;
        case 'm': model = optarg; break;
        case 'M': alert_model = optarg; break;
        case 'i': {
            char *end = NULL;
            id = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || id <= 0) {
                fw_cli_error("--id '%s': expected a place id (a positive "
                             "number)",
                             optarg);
                return FW_EXIT_USAGE;
            }
            break;
        }
        default: return FW_EXIT_USAGE;
        }
    }
    /* the place name may be several words: "Velyka Novosilka" */
    char query[256] = "";
    for (int i = optind; i < argc; i++) {
        size_t len = strlen(query);
        snprintf(query + len, sizeof query - len, "%s%s", len ? " " : "",
                 argv[i]);
    }
    if (query[0] == '\0' && id == 0) {
        fw_cli_error("assess needs a place name (frontwatch help assess)");
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
    fw_outlook_model *om = NULL;
    if ((rc = fw_cli_load_alert_model(alert_model, 0, &om)) != 0) {
        fw_forecast_free(fc);
        return rc;
    }
    struct fw_outlook outlook;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_place_forecast *pf = NULL;
    size_t n_pf = 0;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        fw_forecast_free(fc);
        return fw_cli_fail(err, &d);
    }
    struct fw_place place;
    struct fw_assessment a;
    rc = fw_cli_resolve_place(st, query, id, &place);
    if (rc != 0) {
        goto out;
    }
    if ((err = fw_geo_new(st, &g, &d)) != FW_OK ||
        (err = fw_assess(st, g, &place, date_s, &a, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto out;
    }
    if (fc != NULL) {
        err = fw_forecast_places(fc, st, g, &place.id, 1, a.at_s, 1, &pf,
                                 &n_pf, &d);
        if (err != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto out;
        }
        a.model = fw_forecast_meta_of(fc);
        a.forecast = n_pf == 1 ? pf : NULL;
    }
    if (om != NULL) {
        /* the end of the day asked, or now when that is still to come */
        int64_t now = time(NULL);
        err = fw_outlook_at(st, om, place.oblast_iso,
                            a.at_s < now ? a.at_s : now, &outlook, &d);
        if (err != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto out;
        }
        a.outlook = &outlook;
    }
    if (json) {
        fw_assess_write_json(&a, stdout);
    } else {
        fw_assess_write_text(&a, stdout);
    }
out:
    fw_outlook_model_free(om);
    free(pf);
    fw_forecast_free(fc);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}

const struct fw_cmd fw_cmd_assess = {
    .name = "assess",
    .usage = "assess PLACE [--date YYYY-MM-DD] [--json] [--id N] [--model F] "
             "[--alert-model F] [--db STORE]",
    .summary = "is PLACE occupied, how close is the front, how heavy are "
               "the alerts",
    .help =
        "Prints the answer in plain words first, then the indicators:\n"
        "  - control status on each source's newest map at or before the\n"
        "    date (free, contested, occupied, occupied_before_2022); the\n"
        "    headline status is the map that shows the newest state;\n"
        "  - geodesic distance in km to the nearest occupied area and its\n"
        "    change over 7 and 28 days (negative: the front came closer);\n"
        "  - contested area within 25 km (DeepState maps only);\n"
        "  - a DATA WARNING when a source's distance moved 30 km or more\n"
        "    in a week and the other source does not show it (the\n"
        "    headline then comes from the other source), and the parts of\n"
        "    a map set aside: new isolated occupied parts that no second\n"
        "    map has confirmed yet, which no figure uses;\n"
        "  - the distance to the Russian border (the data holds no\n"
        "    outline of Belarus: its border is said to be not measured);\n"
        "  - hours under air-raid alert in the place's oblast over the\n"
        "    last 7 and 30 days, against the previous 90 days;\n"
        "  - strikes within 25 km over 7 and 30 days against the 90\n"
        "    before (Bellingcat and CIR incident tables) and the attack\n"
        "    waves aimed at the oblast (missile table), each 'unknown'\n"
        "    where the data does not reach, never 0;\n"
        "  - people leaving: IOM DTM's displaced people in the oblast\n"
        "    and the front-line monitors' newest visit of the place;\n"
        "  - the newest data of each source, flagged STALE when old;\n"
        "  - with a model file (frontwatch train): the probability of\n"
        "    coming under occupation within 30 and 90 days, the model's\n"
        "    back-test skill, and the features that moved each number\n"
        "    most against the average place, in words;\n"
        "  - with an alert model (see frontwatch help outlook): the\n"
        "    chance of an air-raid alert in the oblast within 6 and 24\n"
        "    hours from the end of the day (or now), beside the usual\n"
        "    rate for that hour; withheld, with the reason, when the alert\n"
        "    data ends more than 24 hours before (frontwatch help outlook);\n"
        "  - the fighting-season phase of the date (a calendar rule), and\n"
        "    one line on what no public data shows: troop numbers and\n"
        "    massing.\n"
        "\n"
        "PLACE is any of its names, in Latin or Cyrillic, any case, with\n"
        "or without apostrophes (Kharkiv, Харків, Kharkov). A name that\n"
        "several places share lists them: pick one with 'NAME, OBLAST'\n"
        "or --id. An unknown name suggests near matches (exit code 4).\n"
        "\n"
        "Options:\n"
        "  --date D    assess as of day D (YYYY-MM-DD; default today in\n"
        "              Kyiv),\n"
        "              using only data published by the end of that day\n"
        "  --json      one JSON object (fields in docs/CLI.md)\n"
        "  --id N      the place with id N (from a candidate list)\n"
        "  --model F   the model file (default $FRONTWATCH_MODEL, else\n"
        "              models/occupation.json when it exists)\n"
        "  --alert-model F  the alert model (default\n"
        "              $FRONTWATCH_ALERT_MODEL, else models/alerts.json\n"
        "              when it exists)\n"
        "  --db STORE  the store (default frontwatch.db or $FRONTWATCH_DB)\n"
        "\n"
        "Examples:\n"
        "  frontwatch assess Kharkiv --date 2024-03-01\n"
        "  frontwatch assess Kupiansk --date 2022-09-01 --json\n"
        "  frontwatch assess 'Avdiivka, Donetsk' --date 2024-01-15\n",
    .exec = exec_assess,
};
