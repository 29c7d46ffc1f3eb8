/*
 * api_frontline.c - /api/frontline?date=&source=&simplify=: the occupied,
 * pre-2022 and contested areas in force at the date as GeoJSON, and
 * /api/oblasts: the oblast boundaries, the dashboard's base map.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "frontwatch/date.h"
#include "frontwatch/geojson.h"

/* The map of the source that shows the newest state at the end of the
 * day (fw_geo_newest_snapshot: assess's headline rule), or of the source
 * asked for. Returns 0, or -1 after writing the answer. */
static int pick_map(struct api_req *rq, struct api_resp *rs, int64_t day_s,
                    const char *source, struct fw_snapshot_info *out)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t at = day_s + FW_DAY_S - 1;
    fw_err err = source != NULL
                     ? fw_geo_snapshot_seen(rq->ctx->g, source, at, at, out,
                                            &d)
                     : fw_geo_newest_snapshot(rq->ctx->g, at, out, NULL, &d);
    if (err == FW_ENOTFOUND) {
        char day[11];
        fw_date_format_day(day_s, day);
        api_error(rs, 404, "no_map", "no %s map at or before %s",
                  source ? source : "front-line", day);
        return -1;
    }
    if (err != FW_OK) {
        api_fail(rs, err, &d);
        return -1;
    }
    return 0;
}

void api_frontline(struct api_req *rq, struct api_resp *rs)
{
    int64_t day_s;
    if (api_param_day(rq, rs, "date", rq->today_s, &day_s) != 0) {
        return;
    }
    const char *source = api_param(rq, "source");
    if (source != NULL) {
        int ok = 0;
        for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
            ok |= strcmp(source, FW_GEO_SOURCES[k]) == 0;
        }
        if (!ok) {
            api_error(rs, 400, "bad_parameter",
                      "source: deepstate, deepstate_occupied or nzz");
            return;
        }
    }
    double simplify = 0;
    const char *sv = api_param(rq, "simplify");
    if (sv != NULL) {
        char *end = NULL;
        simplify = strtod(sv, &end);
        if (*sv == '\0' || *end != '\0' || !(simplify >= 0) ||
            simplify > 0.1) {
            api_error(rs, 400, "bad_parameter",
                      "simplify: a tolerance in degrees from 0 to 0.1 "
                      "(0.001 is about 100 m)");
            return;
        }
    }
    struct fw_snapshot_info snap;
    if (pick_map(rq, rs, day_s, source, &snap) != 0) {
        return;
    }
    char members[256], day[11], map[11], shows[11];
    fw_date_format_day(day_s, day);
    fw_date_format_day(snap.published_s, map);
    fw_date_format_day(snap.as_of_s, shows);
    snprintf(members, sizeof members,
             "\"date\":\"%s\",\"source\":\"%s\",\"map\":\"%s\","
             "\"shows\":\"%s\",\"has_contested\":%s",
             day, snap.source, map, shows,
             snap.has_contested ? "true" : "false");
    struct fw_diag d;
    fw_diag_reset(&d);
    api_ok(rs, "application/geo+json");
    fw_err err = fw_geojson_write_snapshot(rq->ctx->g, &snap, members,
                                           simplify, rs->f, &d);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
    }
}

void api_oblasts(struct api_req *rq, struct api_resp *rs)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    api_ok(rs, "application/geo+json");
    /* 0.001 degrees (about 100 m) is finer than any screen shows a whole
     * oblast, and cuts the Minregion outlines to a fifth */
    fw_err err = fw_geojson_write_oblasts(rq->ctx->st, 0.001, rs->f, &d);
    if (err != FW_OK) {
        api_fail(rs, err, &d);
    }
}
