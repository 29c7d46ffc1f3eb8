/*
 * cli.h - what the subcommands of the frontwatch program share: the
 * command table entry, exit codes, and resolving a place name.
 */
#ifndef FRONTWATCH_CLI_H
#define FRONTWATCH_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "frontwatch/dataset.h"
#include "frontwatch/err.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

/* Exit codes (docs/CLI.md). */
enum {
    FW_EXIT_OK = 0,
    FW_EXIT_DATA = 1,     /* bad input data; the store is unchanged */
    FW_EXIT_USAGE = 2,    /* bad command line */
    FW_EXIT_IO = 3,       /* file or store could not be read or written */
    FW_EXIT_PLACE = 4     /* place not found, or ambiguous */
};

struct fw_cmd {
    const char *name;
    const char *usage;    /* one line: "assess PLACE [--date D] [--json]" */
    const char *summary;  /* one line for the command list */
    const char *help;     /* the rest of `frontwatch help NAME` */
    int (*exec)(int argc, char **argv); /* argv[0] is the command name */
};

extern const struct fw_cmd fw_cmd_ingest;
extern const struct fw_cmd fw_cmd_assess;
extern const struct fw_cmd fw_cmd_places;
extern const struct fw_cmd fw_cmd_status;
extern const struct fw_cmd fw_cmd_backtest;
extern const struct fw_cmd fw_cmd_train;
extern const struct fw_cmd fw_cmd_risk;
extern const struct fw_cmd fw_cmd_update;
extern const struct fw_cmd fw_cmd_sources;
extern const struct fw_cmd fw_cmd_serve;
extern const struct fw_cmd fw_cmd_export;
extern const struct fw_cmd fw_cmd_outlook;

/* The store path: --db if given, else $FRONTWATCH_DB, else frontwatch.db. */
const char *fw_cli_db_path(const char *opt);

/* Prints "frontwatch: " and the message to stderr. */
void fw_cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Prints d (file:line: msg) as an error and returns the exit code for err. */
int fw_cli_fail(fw_err err, const struct fw_diag *d);

/* Exit code for a library error. */
int fw_cli_exit_code(fw_err err);

/* Parses --date: "YYYY-MM-DD" or "today". Returns 0 and sets *t_s (the
 * day's midnight UTC), or prints the error and returns FW_EXIT_USAGE. */
int fw_cli_parse_date(const char *s, int64_t *t_s);

/* Finds the one place meant by query (or by id when id > 0). Prints
 * candidates or suggestions and returns FW_EXIT_PLACE when the name is
 * unknown or ambiguous; 0 on success. */
int fw_cli_resolve_place(fw_store *st, const char *query, int64_t id,
                         struct fw_place *out);

/* The model file: --model if given, else $FRONTWATCH_MODEL, else
 * models/occupation.json. Loads it into *out. A default path that does not
 * exist is no error (*out = NULL: no probabilities); a named one is.
 * Returns 0 or the exit code after printing the error. */
int fw_cli_load_model(const char *opt, fw_forecast **out);

/* Builds the weekly samples (Mondays 00:00 UTC from the first map of a
 * series, DeepState or NZZ, up to to_s) with labels when with_labels, printing progress on
 * a terminal unless quiet. Returns 0 or the exit code after the error. */
int fw_cli_build_dataset(fw_store *st, fw_geo *g, int64_t to_s,
                         int with_labels, int quiet, struct fw_dataset *ds,
                         int64_t *first_origin_s);

/* The back-test's progress on stderr when *(int *)arg (a terminal). */
void fw_cli_backtest_progress(void *arg, int horizon_days, const char *period,
                              size_t done, size_t total);

/* "frontwatch " and argv[0 .. argc - 1] joined by spaces into buf (cut to
 * fit), as model files and reports record the command that made them. */
void fw_cli_command_line(int argc, char **argv, char *buf, size_t cap);

/* The model file's path for serve and export: --model, else
 * $FRONTWATCH_MODEL, else models/occupation.json when it exists; NULL:
 * none. */
const char *fw_cli_model_path(const char *opt);

/* The dashboard's folder: --web (an empty one: none), else
 * $FRONTWATCH_WEB, else the folder the build laid out (FW_WEB_DIR) when
 * it holds index.html; NULL: none. */
const char *fw_cli_web_dir(const char *opt);

typedef struct fw_outlook_model fw_outlook_model;

/* Which --target train and backtest were given: 1 for "alerts", 0 for
 * "occupation" or none; -1 after printing the error for anything else. */
int fw_cli_target(int argc, char **argv);

/* `train --target alerts` and `backtest --target alerts` (cmd_outlook.c):
 * argv as the command's. Return the exit code. */
int fw_cli_train_alerts(int argc, char **argv);
int fw_cli_backtest_alerts(int argc, char **argv);

/* The alert model's path: --model (opt), else $FRONTWATCH_ALERT_MODEL,
 * else models/alerts.json; *is_default says it was the last. */
const char *fw_cli_alert_model_path(const char *opt, int *is_default);

/* The same for serve: NULL when it is the default and does not exist. */
const char *fw_cli_alert_model_path_if(const char *opt);

/* Loads the alert model into *out. When not required, a default path that
 * does not exist is no error (*out = NULL: no outlook). Returns 0 or the
 * exit code after printing the error. */
int fw_cli_load_alert_model(const char *opt, int required,
                            fw_outlook_model **out);

struct fw_config;

/* Reads the config file: --config if given (it must exist), else the
 * default path (config.h; a missing one is no error) into *cfg, and warns
 * when it holds a token others may read. Returns 0 or the exit code after
 * printing the error. */
int fw_cli_load_config(const char *opt, struct fw_config *cfg);

/* Parses an "--url NAME=URL" argument into urls[NAME's source] (a
 * pointer into arg). Returns 0, or FW_EXIT_USAGE after the error. */
int fw_cli_parse_url_opt(const char *arg, const char *urls[]);

/* The store path as fw_cli_db_path, with the config file's db between
 * $FRONTWATCH_DB and the default. */
const char *fw_cli_db_path_config(const char *opt,
                                  const struct fw_config *cfg);

/* Prints a STALE line when the map published at map_s is older than
 * FW_ASSESS_MAP_STALE_DAYS at the end of the day date_s (places, risk). */
void fw_cli_map_age_note(int64_t date_s, int64_t map_s);

/* "1,430,885" into buf. */
void fw_cli_thousands(long v, char *buf, size_t buf_len);

#endif
