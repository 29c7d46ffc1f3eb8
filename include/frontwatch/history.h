/*
 * history.h - a place's answer day by day over a span: status and
 * distance to the occupied area, its change over 7 days, the hours under
 * air-raid alert in its oblast over the last 7 days, and the probabilities
 * of coming under occupation. The server's /api/history and the static
 * export's per-place series; built for many places at once (the export
 * asks for all of them), so the geometry runs once per map for every
 * place (fw_geo_control_points), not once per place and day.
 *
 * The headline of a day is the map, of any source, that shows the newest
 * state of the front seen by the end of that day: assess's rule. assess
 * also passes over a source whose week-on-week change is a data warning or
 * whose held-back parts a later map draws (assess.h); a row where that
 * can be (the map holds parts back, or the distance moved 30 km or more
 * in a week: a few days in the whole war) is made by assess itself, so
 * every row equals assess's answer.
 *
 * Data flow: store + geo + forecast -> history -> server / export.
 */
#ifndef FRONTWATCH_HISTORY_H
#define FRONTWATCH_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frontwatch/dataset.h"
#include "frontwatch/err.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

/* At most this many days in one history (a whole war and more). */
#define FW_HISTORY_MAX_DAYS 4000

struct fw_history_row {
    int has_status;          /* some map covers the day */
    enum fw_status status;
    int source;              /* index into FW_GEO_SOURCES, -1 none */
    double distance_km;      /* NAN without a map */
    double distance_change_7d_km; /* same source, map of 7 days before as
                                     seen on the day; NAN when none */
    double alert_hours_7d;   /* [day end - 7 d, day end); NAN when the
                                alert data does not cover the day */
    double p[FW_N_HORIZONS]; /* NAN when not computed (no model, not a
                                forecast day, occupied, no recent map) */
};

struct fw_history {
    size_t n_places;
    size_t n_days;
    int64_t *days_s;                /* n_days, midnight UTC */
    struct fw_history_row *rows;    /* rows[i * n_days + j]: place i, day j */
};

/* The history of places[0 .. n_places - 1] (borrowed) from the day from_s
 * to the day to_s (midnight UTC, inclusive) every step_days (1 to 31;
 * to_s is always included). Probabilities (fc, borrowed, may be NULL) on
 * Mondays, the model's sampling day, and on to_s; every row when
 * step_days is 7 or more. Into *out, freed by fw_history_free. Errors:
 * FW_EUSAGE (span, step, more than FW_HISTORY_MAX_DAYS rows, no places),
 * FW_ESQL, FW_EGEOS, FW_EPROJ, FW_ENOMEM, FW_EIO (xgboost). */
fw_err fw_history_build(fw_store *st, fw_geo *g, const fw_forecast *fc,
                        const struct fw_place *places, size_t n_places,
                        int64_t from_s, int64_t to_s, int step_days,
                        struct fw_history *out, struct fw_diag *d);

/* Frees what fw_history_build allocated; accepts a zeroed struct. */
void fw_history_free(struct fw_history *h);

/* One JSON object for place index i: {"place": {id, name, name_local,
 * oblast_iso, lat, lon}, "from", "to", "step_days", "days": [{date,
 * status, source, distance_km, distance_change_7d_km, alert_hours_7d,
 * p_occupied_30d, p_occupied_90d}]} (docs/API.md), newline-terminated. */
void fw_history_write_json(const struct fw_history *h,
                           const struct fw_place *place, size_t i,
                           int step_days, FILE *f);

#endif
