/*
 * forecast.h - the model file, and probabilities of occupation within 30
 * and 90 days for places at a date, with the reasons behind each number.
 *
 * The model file (JSON, written by `frontwatch train`) holds one fitted
 * model per horizon (model.h), the feature list it expects, its training
 * period, the sha256 of the data it was fitted on (of the store's ingest
 * log: every file's name and sha256), the command that made it, and the
 * back-test skill of the same model kind (backtest.h) when the training
 * ran one. A file whose feature list differs from this program's is
 * refused: its numbers would mean something else.
 *
 * For a place, the forecast uses the map series whose newest map at the
 * date is the most recent (DeepState on a tie), with the features of that
 * series (dataset.h); a place occupied on that map gets no probability.
 * The 90-day probability is never below the 30-day one (the two models
 * are fitted apart; where the longer one falls short it is raised to the
 * shorter: a step the back-test, which scores each horizon alone, does
 * not include).
 */
#ifndef FRONTWATCH_FORECAST_H
#define FRONTWATCH_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/backtest.h"
#include "frontwatch/dataset.h"
#include "frontwatch/err.h"
#include "frontwatch/geo.h"
#include "frontwatch/model.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

/* Back-test figures of the model over its final window (the last 12
 * months of the back-test, say). */
struct fw_forecast_skill {
    int has;                 /* 0: the model was not back-tested */
    char window_from[11], window_to[11];
    size_t n, n_pos;
    double brier, bss_climatology, bss_distance, auroc, ap;
    double ap_distance;      /* the distance-only baseline's */
    /* reliability bins inside their 90% interval of effective trials
     * (metrics.h; -1 in a file made before it was recorded), inside the
     * interval of independent rows, and non-empty */
    int rel_consistent_eff, rel_consistent, rel_nonempty;
};

struct fw_forecast_meta {
    char created[21];        /* ISO 8601 UTC */
    char until[11];          /* labels resolved by this day */
    char data_sha256[65];
    size_t data_files;
    char command[1024];
    char selection[512];     /* why this kind was shipped (backtest.h's
                                rule); "" in files made before the rule */
    size_t n_rows[FW_N_HORIZONS], n_pos[FW_N_HORIZONS];
    struct fw_forecast_skill skill[FW_N_HORIZONS];
};

typedef struct fw_forecast fw_forecast;

/* Loads the model file at path. Errors: FW_EIO (cannot read), FW_EPARSE
 * (not a model file, or one for other features; d says which member),
 * FW_ENOMEM. */
fw_err fw_forecast_load(const char *path, fw_forecast **out,
                        struct fw_diag *d);

/* Writes a model file with models[h] for each horizon h (borrowed) and
 * meta, atomically (a temporary file renamed over path). Errors: FW_EIO,
 * FW_ENOMEM. */
fw_err fw_forecast_save(const char *path, fw_model *const *models,
                        const struct fw_forecast_meta *meta,
                        struct fw_diag *d);

const struct fw_forecast_meta *fw_forecast_meta_of(const fw_forecast *fc);
void fw_forecast_free(fw_forecast *fc);

/* The sha256 of the data in st (its ingest log, name and sha256 of every
 * file, sorted) and the number of files. Errors: FW_ESQL, FW_ENOMEM. */
fw_err fw_forecast_data_sha256(fw_store *st, char hex[65], size_t *n_files,
                               struct fw_diag *d);

#define FW_FORECAST_N_REASONS 3

struct fw_reason {
    int feature;             /* enum fw_feature */
    double contribution;     /* log-odds, > 0 raises the probability */
    char text[200];          /* "the occupied area came 6 km closer in 28
                                days" */
};

/* The reason in words for feature f of the row x (FW_N_FEATURES values,
 * NAN missing) into buf: "the occupied area came 6.0 km closer in 28
 * days", "no map of contested areas for this date". */
void fw_forecast_reason_text(int f, const float *x, char *buf, size_t cap);

struct fw_place_forecast {
    int64_t place_id;
    int state;               /* FW_FORECAST_OK / _OCCUPIED / _NO_MAP */
    char series[24];
    int64_t map_s;           /* publication of the newest map used */
    double distance_km;
    double p[FW_N_HORIZONS];
    struct fw_reason reasons[FW_N_HORIZONS][FW_FORECAST_N_REASONS];
    size_t n_reasons[FW_N_HORIZONS];
    float x[FW_N_FEATURES];
};

enum {
    FW_FORECAST_OK = 0,
    FW_FORECAST_OCCUPIED = 1, /* occupied on the newest map */
    FW_FORECAST_NO_MAP = 2    /* no map of the date (older than 14 days) */
};

/* Forecasts for n places (ids borrowed; NULL: every place, n ignored) at
 * at_s into *out (n_out entries, freed by the caller with free()), in the
 * order of ids (or of the store's places). with_reasons = 0 skips the
 * reasons (faster for rankings). Errors: as fw_dataset_build, FW_EIO
 * (xgboost). */
fw_err fw_forecast_places(const fw_forecast *fc, fw_store *st, fw_geo *g,
                          const int64_t *ids, size_t n, int64_t at_s,
                          int with_reasons, struct fw_place_forecast **out,
                          size_t *n_out, struct fw_diag *d);

/* The reasons of a forecast that fw_forecast_places made without them
 * (from its features, pf->x), for the few places a ranking shows. A
 * forecast that is not FW_FORECAST_OK is left as it is. Errors: FW_EIO
 * (xgboost). */
fw_err fw_forecast_reasons(const fw_forecast *fc, struct fw_place_forecast *pf,
                           struct fw_diag *d);

#endif
