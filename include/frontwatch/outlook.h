/*
 * outlook.h - the air-raid alert outlook: the chance that a region is
 * under alert now or an alert starts within the next 6 and 24 hours,
 * from the models fitted on the hourly alert panel (alert_panel.h), and
 * the model file that carries them (docs/ALERTS.md is the model card).
 *
 * Kinds (docs/ALERTS.md):
 *   prior        the training rows' rate of the target, for every row;
 *   persistence  1 when the region is under alert at T (the target then
 *                holds by definition), else the rate among the training
 *                rows that were not: "calibrated persistence";
 *   logit        1 when under alert, else logistic regression on every
 *                feature (liblinear via model.h, standardised, Platt
 *                calibrated on the last 30 days of training);
 *   xgboost      1 when under alert, else boosted trees (xgboost C API via
 *                model.h), calibrated the same way.
 * Under-alert rows are never fitted: the models learn the chance that an
 * alert starts in a quiet region, the one part of the target in doubt.
 */
#ifndef FRONTWATCH_OUTLOOK_H
#define FRONTWATCH_OUTLOOK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "frontwatch/alert_panel.h"
#include "frontwatch/err.h"
#include "frontwatch/store.h"

enum fw_outlook_kind {
    FW_OUTLOOK_PRIOR,
    FW_OUTLOOK_PERSISTENCE,
    FW_OUTLOOK_LOGIT,
    FW_OUTLOOK_XGBOOST,
    FW_OUTLOOK_N_KINDS
};

/* "prior", "persistence", "logit", "xgboost" (static); "?" otherwise. */
const char *fw_outlook_kind_name(int kind);

/* -1 when name is no kind. */
int fw_outlook_kind_parse(const char *name);

/* The holdout that calibrates logit and xgboost: the training rows of the
 * last 30 days before the cut-off. */
#define FW_OUTLOOK_HOLDOUT_DAYS 30

typedef struct fw_outlook_model fw_outlook_model;

/* Fits a model of kind on the rows of p (borrowed) whose hour is live and
 * whose target for the horizon is known by until_s (T + H <= until_s),
 * for both horizons, with the neighbours adj (borrowed, copied into the
 * model; NULL: none). Also fills the table of the usual rate per region
 * and local hour (fw_outlook_usual). *out freed by fw_outlook_model_free.
 * Errors: FW_EUSAGE (no row with both outcomes before until_s; d says
 * which horizon), FW_ENOMEM, FW_EIO (xgboost). */
fw_err fw_outlook_fit(const struct fw_alert_panel *p, int kind,
                      int64_t until_s, const fw_panel_adjacency adj,
                      fw_outlook_model **out, struct fw_diag *d);

/* Probabilities of rows row0 .. row0 + n - 1 of p for horizon h into
 * prob[0 .. n) (NAN for rows of an hour that is not live). Errors:
 * FW_EUSAGE (rows out of range), FW_ENOMEM, FW_EIO (xgboost). */
fw_err fw_outlook_predict(const fw_outlook_model *m,
                          const struct fw_alert_panel *p, int h, size_t row0,
                          size_t n, double *prob, struct fw_diag *d);

/* The usual rate of the target for horizon h in region r at local hour
 * hour_local (0..23) in the training rows; NAN when none. */
double fw_outlook_usual(const fw_outlook_model *m, int h, size_t r,
                        int hour_local);

/* The neighbours the model was fitted with (borrowed from m). */
const uint8_t *fw_outlook_model_adjacency(const fw_outlook_model *m);

/* Training rows and their positives for horizon h. */
size_t fw_outlook_model_n_rows(const fw_outlook_model *m, int h);
size_t fw_outlook_model_n_pos(const fw_outlook_model *m, int h);

/* The cut-off, "YYYY-MM-DD" of the last day trained on (borrowed from m,
 * "" when unknown). */
const char *fw_outlook_model_until(const fw_outlook_model *m);

/* Sets the command line recorded in the file (copied; cut at 1 KiB). */
void fw_outlook_model_set_command(fw_outlook_model *m, const char *command);

/* Writes the model file (JSON; written to path.tmp, then renamed, so a
 * failed write leaves the old file). Errors: FW_EIO (d names the file),
 * FW_ENOMEM. */
fw_err fw_outlook_model_save(const fw_outlook_model *m, const char *path,
                             struct fw_diag *d);

/* Reads a model file. Errors: FW_EIO (cannot read), FW_EPARSE (not JSON,
 * not an alert model, another version, other features or regions than
 * this program's, a member missing or wrong: d names the file and the
 * member), FW_ENOMEM, FW_EIO (xgboost). */
fw_err fw_outlook_model_load(const char *path, fw_outlook_model **out,
                             struct fw_diag *d);

void fw_outlook_model_free(fw_outlook_model *m);

/* The outlook of one region at one hour. */
struct fw_outlook {
    char oblast_iso[8];
    int64_t at_s;          /* the hour start T the outlook is for */
    int has_outlook;       /* 0: withheld, why says why */
    char why[160];         /* "the newest alert data (...) is more than 24
                              hours older than the time asked" */
    int is_now;            /* under alert at T */
    double p[FW_PANEL_N_HORIZONS];     /* NAN when withheld */
    double usual[FW_PANEL_N_HORIZONS]; /* fw_outlook_usual at T's hour */
    int64_t newest_alert_s; /* newest alert start before T, any region;
                               INT64_MIN when none */
    double h_since_end, alert_h_24h, starts_24h; /* evidence */
    const char *kind;      /* the model's kind (static) */
};

/* The outlook of region oblast_iso at the hour start T = at_s rounded
 * down to the hour, from the store's alerts that started before T and
 * model m (borrowed). Withheld (has_outlook 0, why set, not an error)
 * when the oblast is not one of the regions (Luhansk, Crimea: permanent
 * sirens), or when no alert of any region started in the 24 hours before
 * T (the data has stopped). Errors: FW_ESQL, FW_ENOMEM, FW_EIO
 * (xgboost). */
fw_err fw_outlook_at(fw_store *st, const fw_outlook_model *m,
                     const char *oblast_iso, int64_t at_s,
                     struct fw_outlook *out, struct fw_diag *d);

/* The outlook o of model m (read from model_file, borrowed; NULL: the
 * JSON says null)
 * as one JSON object and a newline (docs/CLI.md, "outlook"):
 * probabilities to 0.0001, hours to 0.1. */
void fw_outlook_write_json(const struct fw_outlook *o,
                           const fw_outlook_model *m, const char *model_file,
                           FILE *f);

#endif
