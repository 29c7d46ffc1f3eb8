/*
 * cmd_places.c - `frontwatch places --near PLACE`: places around one, with
 * their control status and distance to the occupied area.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frontwatch/date.h"
#include "frontwatch/geo.h"
#include "frontwatch/oblast.h"

/* The map that shows the newest state at the date, of any source. */
static fw_err newest_snapshot(fw_geo *g, int64_t at_s,
                              struct fw_snapshot_info *best,
                              struct fw_diag *d)
{
    int found = 0;
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        struct fw_snapshot_info s;
        fw_err err = fw_geo_snapshot_at(g, FW_GEO_SOURCES[i], at_s, &s, d);
        if (err == FW_ENOTFOUND) {
            continue;
        }
        if (err != FW_OK) {
            return err;
        }
        if (!found || s.as_of_s > best->as_of_s) {
            *best = s;
            found = 1;
        }
    }
    return found ? FW_OK : FW_ENOTFOUND;
}

static int exec_places(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"date", required_argument, NULL, 't'},
        {"near", required_argument, NULL, 'n'},
        {"km", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *date = "today", *near = NULL;
    double km = 50;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:n:k:j", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 't': date = optarg; break;
        case 'n': near = optarg; break;
        case 'j': json = 1; break;
        case 'k': {
            char *end = NULL;
            km = strtod(optarg, &end);
            if (*end != '\0' || !(km > 0 && km <= 500)) {
                fw_cli_error("--km '%s': expected a radius in km, "
                             "above 0 and at most 500",
                             optarg);
                return FW_EXIT_USAGE;
            }
            break;
        }
        default: return FW_EXIT_USAGE;
        }
    }
    if (near == NULL) {
        fw_cli_error("places needs --near PLACE (frontwatch help places)");
        return FW_EXIT_USAGE;
    }
    int64_t date_s = 0;
    int rc = fw_cli_parse_date(date, &date_s);
    if (rc != 0) {
        return rc;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    struct fw_place centre, *v = NULL;
    double *dist = NULL;
    size_t n = 0;
    cJSON *arr = NULL;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    if ((rc = fw_cli_resolve_place(st, near, 0, &centre)) != 0) {
        goto out;
    }
    struct fw_snapshot_info snap;
    int64_t at_s = date_s + FW_DAY_S - 1;
    if ((err = fw_geo_new(st, &g, &d)) != FW_OK ||
        (err = fw_place_near(st, centre.lat_deg, centre.lon_deg, km, &v,
                             &dist, &n, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto out;
    }
    err = newest_snapshot(g, at_s, &snap, &d);
    if (err == FW_ENOTFOUND) {
        fw_cli_error("no front-line map in the store at or before %s", date);
        rc = FW_EXIT_DATA;
        goto out;
    }
    if (err != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto out;
    }
    char day[11], shows[11];
    fw_date_format_day(snap.published_s, day);
    fw_date_format_day(snap.as_of_s, shows);
    if (json) {
        arr = cJSON_CreateArray();
    } else {
        char on[11];
        fw_date_format_day(date_s, on);
        printf("%zu place%s within %.0f km of %s on %s (%s map of %s, "
               "shows %s)\n\n",
               n, n == 1 ? "" : "s", km, centre.name, on, snap.source, day,
               shows);
        fw_cli_map_age_note(date_s, snap.published_s);
        printf("%-28s %-16s %10s %8s  %-21s %12s\n", "place", "oblast",
               "population", "km away", "status", "km to occ.");
    }
    for (size_t i = 0; i < n; i++) {
        struct fw_control ctl;
        err = fw_geo_control(g, &snap, v[i].lat_deg, v[i].lon_deg, &ctl, &d);
        if (err != FW_OK) {
            rc = fw_cli_fail(err, &d);
            goto out;
        }
        const struct fw_oblast *o = fw_oblast_by_iso(v[i].oblast_iso);
        if (json) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "id", (double)v[i].id);
            cJSON_AddStringToObject(e, "name", v[i].name);
            cJSON_AddStringToObject(e, "oblast", o ? o->name_en : "");
            if (v[i].population >= 0) {
                cJSON_AddNumberToObject(e, "population",
                                        (double)v[i].population);
            } else {
                cJSON_AddNullToObject(e, "population");
            }
            cJSON_AddNumberToObject(e, "lat", v[i].lat_deg);
            cJSON_AddNumberToObject(e, "lon", v[i].lon_deg);
            cJSON_AddNumberToObject(e, "km_from_centre",
                                    round(dist[i] * 1000) / 1000);
            cJSON_AddStringToObject(e, "status", fw_status_name(ctl.status));
            cJSON_AddNumberToObject(e, "distance_km",
                                    round(ctl.distance_km * 1000) / 1000);
            cJSON_AddStringToObject(e, "source", snap.source);
            cJSON_AddItemToArray(arr, e);
        } else {
            char pop[32] = "?";
            if (v[i].population >= 0) {
                fw_cli_thousands(v[i].population, pop, sizeof pop);
            }
            printf("%-28.28s %-16s %10s %8.1f  %-21s %12.1f\n", v[i].name,
                   o ? o->name_en : "?", pop, dist[i],
                   fw_status_name(ctl.status), ctl.distance_km);
        }
    }
    if (json) {
        char *txt = cJSON_PrintUnformatted(arr);
        if (txt != NULL) {
            printf("%s\n", txt);
        }
        cJSON_free(txt);
    }
out:
    cJSON_Delete(arr);
    free(v);
    free(dist);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}

const struct fw_cmd fw_cmd_places = {
    .name = "places",
    .usage = "places --near PLACE [--km R] [--date YYYY-MM-DD] [--json] "
             "[--db STORE]",
    .summary = "places around PLACE with their status and distance to the "
               "occupied area",
    .help =
        "Lists every place of the gazetteer within R km (geodesic; default\n"
        "50) of PLACE, nearest first, with its control status and the\n"
        "geodesic distance to the occupied area, on the map that shows the\n"
        "newest state at the date (any source).\n"
        "\n"
        "Options:\n"
        "  --near PLACE  the centre (names as for assess; 'NAME, OBLAST')\n"
        "  --km R        radius in km, up to 500 (default 50)\n"
        "  --date D      YYYY-MM-DD or today (default; the day in Kyiv)\n"
        "  --json        a JSON array of {id, name, oblast, population,\n"
        "                lat, lon, km_from_centre, status, distance_km,\n"
        "                source}\n"
        "  --db STORE    the store (default frontwatch.db or $FRONTWATCH_DB)\n"
        "\n"
        "Example:\n"
        "  frontwatch places --near Kharkiv --km 50 --date 2024-06-01\n",
    .exec = exec_places,
};
