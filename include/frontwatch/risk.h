/*
 * risk.h - the places most at risk of occupation on a date, ranked by the
 * probability of one horizon: what `frontwatch risk` prints and the
 * server's /api/risk answers, from one function so that both give the same
 * list (the CLI prints the table for people).
 *
 * Data flow: store + geo + forecast -> risk -> outputs (text, JSON).
 */
#ifndef FRONTWATCH_RISK_H
#define FRONTWATCH_RISK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frontwatch/err.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

struct fw_risk_entry {
    struct fw_place place;
    const struct fw_place_forecast *forecast; /* into the ranking's array */
};

struct fw_risk {
    int64_t date_s;          /* the day asked (midnight UTC) */
    int horizon_days;        /* 30 or 90: the ranking's horizon */
    size_t n_scored;         /* places with a forecast (not occupied, with
                                a map of the date) */
    char series[24];         /* the map series of the forecasts */
    int64_t map_s;           /* publication of the newest map used */
    char model_until[11];    /* the model's labels end here */
    size_t n;                /* entries shown: min(top, n_scored) */
    struct fw_risk_entry *entries; /* n, highest probability first (ties
                                      by place id), with their reasons */
    struct fw_place_forecast *all_; /* private: every forecast */
};

/* Ranks every place with a forecast at the end of the day date_s by its
 * probability of coming under occupation within horizon_days (30 or 90)
 * and keeps the top (>= 1) with their reasons, into *out (freed by
 * fw_risk_free). Errors: FW_EUSAGE (horizon, top), FW_ENOTFOUND (no place
 * has a forecast: no map within FW_DATASET_MAX_MAP_AGE_DAYS), those of
 * fw_forecast_places and fw_place_get. *out is set on success only. */
fw_err fw_risk_rank(const fw_forecast *fc, fw_store *st, fw_geo *g,
                    int64_t date_s, int horizon_days, size_t top,
                    struct fw_risk *out, struct fw_diag *d);

/* Frees what fw_risk_rank allocated; accepts a zeroed struct. */
void fw_risk_free(struct fw_risk *r);

/* One JSON object (docs/CLI.md, `risk --json`), newline-terminated. */
void fw_risk_write_json(const struct fw_risk *r, FILE *f);

#endif
