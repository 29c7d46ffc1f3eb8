/*
 * cli.c - helpers shared by the subcommands (see cli.h).
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "frontwatch/assess.h"
#include "frontwatch/config.h"
#include "frontwatch/date.h"
#include "frontwatch/oblast.h"
#include "frontwatch/update.h"

const char *fw_cli_db_path(const char *opt)
{
    if (opt != NULL) {
        return opt;
    }
    const char *env = getenv("FRONTWATCH_DB");
    return env != NULL && env[0] != '\0' ? env : "frontwatch.db";
}

void fw_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("frontwatch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int fw_cli_exit_code(fw_err err)
{
    switch (err) {
    case FW_OK: return FW_EXIT_OK;
    case FW_EPARSE:
    case FW_ERANGE:
    case FW_ELIMIT:
    case FW_EGEOS: return FW_EXIT_DATA;
    case FW_EUSAGE: return FW_EXIT_USAGE;
    case FW_ENOTFOUND:
    case FW_EAMBIGUOUS: return FW_EXIT_PLACE;
    case FW_ENOMEM:
    case FW_ENET:
    case FW_EBUSY:
    case FW_EIO:
    case FW_ESQL:
    case FW_EPROJ: return FW_EXIT_IO;
    }
    return FW_EXIT_IO;
}

int fw_cli_fail(fw_err err, const struct fw_diag *d)
{
    char msg[1200];
    if (d != NULL && (d->msg[0] != '\0' || d->file[0] != '\0')) {
        fw_diag_format(d, msg, sizeof msg);
        if (d->msg[0] == '\0') {
            fw_cli_error("%s%s", msg, fw_strerror(err));
        } else {
            fw_cli_error("%s", msg);
        }
    } else {
        fw_cli_error("%s", fw_strerror(err));
    }
    return fw_cli_exit_code(err);
}

int fw_cli_parse_date(const char *s, int64_t *t_s)
{
    if (strcmp(s, "today") == 0) {
        *t_s = fw_date_kyiv_day((int64_t)time(NULL));
        return 0;
    }
    fw_err err = fw_date_parse_day(s, t_s);
    if (err != FW_OK) {
        fw_cli_error("--date '%s': %s (expected YYYY-MM-DD, e.g. "
                     "2024-03-01, or 'today')",
                     s, err == FW_ERANGE ? "no such day" : "not a date");
        return FW_EXIT_USAGE;
    }
    return 0;
}

void fw_cli_thousands(long v, char *buf, size_t buf_len)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%ld", v < 0 ? -v : v);
    size_t n = strlen(digits), o = 0;
    char out[48];
    if (v < 0) {
        out[o++] = '-';
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            out[o++] = ',';
        }
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, buf_len, "%s", out);
}

static void print_candidate(const struct fw_place *p)
{
    const struct fw_oblast *o = fw_oblast_by_iso(p->oblast_iso);
    char pop[32] = "unknown";
    if (p->population >= 0) {
        fw_cli_thousands(p->population, pop, sizeof pop);
    }
    fprintf(stderr, "  %-24s %-16s population %-10s  %.4f N %.4f E  --id %lld\n",
            p->name, o != NULL ? o->name_en : "?", pop, p->lat_deg,
            p->lon_deg, (long long)p->id);
}

int fw_cli_resolve_place(fw_store *st, const char *query, int64_t id,
                         struct fw_place *out)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    if (id > 0) {
        fw_err err = fw_place_get(st, id, out, &d);
        return err == FW_OK ? 0 : fw_cli_fail(err, &d);
    }
    struct fw_place *v = NULL;
    size_t n = 0, n_others = 0;
    fw_err err = fw_place_resolve(st, query, out, &n_others, &v, &n, &d);
    int rc = 0;
    if (err == FW_ENOTFOUND) {
        /* no such name, or an unknown oblast after the comma */
        fw_cli_error("%s", d.msg);
        if (n > 0) {
            fprintf(stderr, "Did you mean:\n");
            for (size_t i = 0; i < n; i++) {
                print_candidate(&v[i]);
            }
        }
        rc = FW_EXIT_PLACE;
    } else if (err == FW_EAMBIGUOUS) {
        fw_cli_error("'%s' names %zu places; say which with 'NAME, OBLAST' "
                     "or --id:",
                     query, n);
        for (size_t i = 0; i < n && i < 20; i++) {
            print_candidate(&v[i]);
        }
        rc = FW_EXIT_PLACE;
    } else if (err != FW_OK) {
        rc = fw_cli_fail(err, &d);
    } else if (n_others > 0) {
        fprintf(stderr,
                "note: '%s' also names %zu smaller place%s; this is the "
                "largest (name others with 'NAME, OBLAST' or --id)\n",
                query, n_others, n_others > 1 ? "s" : "");
    }
    free(v);
    return rc;
}

#define DEFAULT_MODEL "models/occupation.json"

const char *fw_cli_model_path(const char *opt)
{
    const char *env = getenv("FRONTWATCH_MODEL");
    if (opt != NULL) {
        return opt;
    }
    if (env != NULL && *env) {
        return env;
    }
    struct stat sb;
    return stat(DEFAULT_MODEL, &sb) == 0 ? DEFAULT_MODEL : NULL;
}

const char *fw_cli_web_dir(const char *opt)
{
    const char *env = getenv("FRONTWATCH_WEB");
    if (opt != NULL) {
        return *opt ? opt : NULL;
    }
    if (env != NULL && *env) {
        return env;
    }
#ifdef FW_WEB_DIR
    struct stat sb;
    if (stat(FW_WEB_DIR "/index.html", &sb) == 0) {
        return FW_WEB_DIR;
    }
#endif
    return NULL;
}

int fw_cli_target(int argc, char **argv)
{
    const char *t = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            break;
        }
        if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
            t = argv[++i];
        } else if (strncmp(argv[i], "--target=", 9) == 0) {
            t = argv[i] + 9;
        }
    }
    if (t == NULL || strcmp(t, "occupation") == 0) {
        return 0;
    }
    if (strcmp(t, "alerts") == 0) {
        return 1;
    }
    fw_cli_error("%s: --target %s: expected occupation or alerts", argv[0], t);
    return -1;
}

int fw_cli_load_model(const char *opt, fw_forecast **out)
{
    *out = NULL;
    const char *env = getenv("FRONTWATCH_MODEL");
    const char *path = opt ? opt : (env && *env) ? env : DEFAULT_MODEL;
    if (opt == NULL && !(env && *env) && access(path, F_OK) != 0) {
        return 0; /* no model yet: indicators only */
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_forecast_load(path, out, &d);
    return err == FW_OK ? 0 : fw_cli_fail(err, &d);
}

struct progress {
    int on;
    const char *last;
};

static void dataset_progress(void *arg, const char *stage, size_t done,
                             size_t total)
{
    struct progress *p = arg;
    if (!p->on) {
        return;
    }
    fprintf(stderr, "\rmeasuring every place on the %s maps: %zu/%zu", stage,
            done, total);
    if (done == total) {
        fprintf(stderr, "\n");
    }
}

int fw_cli_build_dataset(fw_store *st, fw_geo *g, int64_t to_s,
                         int with_labels, int quiet, struct fw_dataset *ds,
                         int64_t *first_origin_s)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT min(published_s) FROM snapshot WHERE n_polygons > 0"
        " AND source IN ('deepstate', 'nzz')",
        &s, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    int64_t first = 0;
    int have = sqlite3_step(s) == SQLITE_ROW &&
               sqlite3_column_type(s, 0) != SQLITE_NULL;
    if (have) {
        first = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (!have) {
        fw_cli_error("the store holds no weekly map history of DeepState "
                     "(full layers) or NZZ/liveuamap, which the model learns "
                     "from: ingest it first (not in the bundled sample: not "
                     "openly licensed; README.md, data sources)");
        return FW_EXIT_DATA;
    }
    /* the first Monday 00:00 UTC after the first map (1970-01-05 was a
     * Monday) */
    int64_t week = 7 * (int64_t)FW_DAY_S, monday0 = 4 * (int64_t)FW_DAY_S;
    int64_t from = monday0 + ((first - monday0) / week + 1) * week;
    if (to_s < from) {
        fw_cli_error("no weekly origin before the end date: the first map is "
                     "from after it");
        return FW_EXIT_USAGE;
    }
    struct progress pr = {.on = !quiet && isatty(2)};
    struct fw_dataset_opts o = {.from_s = from,
                                .to_s = to_s,
                                .step_s = week,
                                .with_labels = with_labels,
                                .progress = dataset_progress,
                                .progress_arg = &pr};
    err = fw_dataset_build(st, g, &o, ds, &d);
    if (err != FW_OK) {
        fw_dataset_free(ds);
        return fw_cli_fail(err, &d);
    }
    *first_origin_s = from;
    return 0;
}

void fw_cli_backtest_progress(void *arg, int horizon_days, const char *period,
                              size_t done, size_t total)
{
    if (*(int *)arg) {
        fprintf(stderr, "\rback-test, %d days: %s (%zu/%zu)   ", horizon_days,
                period, done + 1, total);
    }
}

void fw_cli_command_line(int argc, char **argv, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && len + 2 < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s",
                         i ? " " : "frontwatch ", argv[i]);
        if (w < 0) {
            break;
        }
        len += (size_t)w;
    }
}

int fw_cli_load_config(const char *opt, struct fw_config *cfg)
{
    fw_config_init(cfg);
    char path[1024];
    const char *p = opt;
    if (p == NULL) {
        if (fw_config_default_path(path, sizeof path) != FW_OK) {
            return 0;
        }
        p = path;
    }
    struct fw_diag d;
    fw_err err = fw_config_read(p, cfg, &d);
    if (err == FW_ENOTFOUND && opt == NULL) {
        return 0; /* no default config file: nothing to set */
    }
    if (err != FW_OK) {
        fw_cli_fail(err, &d);
        /* a named file that is not there is a file error, not a place */
        return err == FW_ENOTFOUND ? FW_EXIT_IO : fw_cli_exit_code(err);
    }
    if (cfg->is_token_readable_by_others) {
        fw_cli_error("warning: %s holds a token and others may read it "
                     "(chmod 600 %s)",
                     p, p);
    }
    return 0;
}

void fw_cli_map_age_note(int64_t date_s, int64_t map_s)
{
    int64_t days = (date_s + FW_DAY_S - 1 - map_s) / FW_DAY_S;
    if (days <= FW_ASSESS_MAP_STALE_DAYS) {
        return;
    }
    char day[11];
    fw_date_format_day(date_s, day);
    printf("STALE: the newest map is %lld days old on %s (maps usually "
           "come every day or week; 'frontwatch update' fetches the "
           "newest)\n\n",
           (long long)days, day);
}

int fw_cli_parse_url_opt(const char *arg, const char *urls[])
{
    const char *eq = strchr(arg, '=');
    char name[64];
    enum fw_update_source s;
    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof name ||
        eq[1] == '\0') {
        fw_cli_error("--url '%s': expected NAME=URL, e.g. "
                     "deepstate=https://deepstatemap.live",
                     arg);
        return FW_EXIT_USAGE;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    if (fw_update_source_by_name(name, &s) != FW_OK) {
        fw_cli_error("--url: no source '%s' (deepstate, deepstate_occupied, "
                     "alerts_official, alerts_volunteer, alerts_in_ua)",
                     name);
        return FW_EXIT_USAGE;
    }
    urls[s] = eq + 1;
    return 0;
}

const char *fw_cli_db_path_config(const char *opt,
                                  const struct fw_config *cfg)
{
    if (opt == NULL && getenv("FRONTWATCH_DB") == NULL &&
        cfg->db[0] != '\0') {
        return cfg->db;
    }
    return fw_cli_db_path(opt);
}
