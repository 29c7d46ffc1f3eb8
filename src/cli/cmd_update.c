/*
 * cmd_update.c - `frontwatch update`: fetch what is new from each source,
 * check it and ingest it (update.h), one line per source.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "frontwatch/config.h"
#include "frontwatch/date.h"
#include "frontwatch/fetch.h"
#include "frontwatch/ingest.h"
#include "frontwatch/update.h"

/* Exit codes of update (docs/CLI.md), beside the common ones. */
enum { EXIT_SOME_FAILED = 5, EXIT_ALL_FAILED = 6, EXIT_LOCKED = 7 };

/* Set by SIGINT and SIGTERM: the transfer under way stops, the source
 * fails, files already ingested stay, the rest is skipped and the
 * temporary files are removed. */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

struct progress {
    int is_tty;
    const char *source;
    char what[64];
    size_t i, n;
    double last_s;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show(struct progress *p, long long done, long long total)
{
    double t = now_s();
    if (!p->is_tty || t - p->last_s < 0.1) {
        return;
    }
    p->last_s = t;
    fprintf(stderr, "\r\033[K%-19s %s", p->source, p->what);
    if (p->n > 0) {
        fprintf(stderr, " (%zu of %zu)", p->i, p->n);
    }
    if (done > 0) {
        fprintf(stderr, " %.1f MB", (double)done / 1e6);
        if (total > 0) {
            fprintf(stderr, " of %.1f", (double)total / 1e6);
        }
    }
}

static void on_step(void *ctx, const char *what, size_t i, size_t n)
{
    struct progress *p = ctx;
    snprintf(p->what, sizeof p->what, "%s", what);
    p->i = i;
    p->n = n;
    p->last_s = 0;
    show(p, 0, 0);
}

static void on_bytes(void *ctx, const char *url, long long done,
                     long long total)
{
    (void)url;
    show(ctx, done, total);
}

/* "--source a,b" into wanted[]. */
static int parse_sources(const char *arg, int wanted[])
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        enum fw_update_source s;
        if (fw_update_source_by_name(tok, &s) != FW_OK) {
            fw_cli_error("--source '%s': no such source (deepstate, "
                         "deepstate_occupied, alerts_official, "
                         "alerts_volunteer, alerts_in_ua)",
                         tok);
            return FW_EXIT_USAGE;
        }
        wanted[s] = 1;
    }
    return 0;
}

static void print_report(const struct fw_update_source_info *info,
                         const struct fw_update_report *rep, fw_err err,
                         const struct fw_diag *d)
{
    char newest[21] = "none";
    if (rep->newest_s > 0) {
        fw_date_format_iso(rep->newest_s, newest);
    }
    char traffic[96];
    snprintf(traffic, sizeof traffic, "%ld request%s, %.1f MB", rep->n_requests,
             rep->n_requests == 1 ? "" : "s", (double)rep->wire_bytes / 1e6);
    if (rep->is_skipped) {
        printf("%-19s %s\n", info->name, rep->note);
        return;
    }
    if (err != FW_OK) {
        char msg[1200];
        fw_diag_format(d, msg, sizeof msg);
        printf("%-19s FAILED: %s%s (%s); the store keeps what it had\n",
               info->name, msg, d->msg[0] ? "" : fw_strerror(err), traffic);
    } else if (rep->n_files_new == 0) {
        printf("%-19s nothing new%s; newest %s (%s)\n", info->name,
               rep->n_not_modified > 0 ? " (not modified)" : "", newest,
               traffic);
    } else {
        char n[32];
        fw_cli_thousands(rep->n_records_new, n, sizeof n);
        printf("%-19s %s new %s from %ld file%s; newest %s (%s)\n", info->name,
               n,
               info->is_map ? (rep->n_records_new == 1 ? "map" : "maps")
                            : (rep->n_records_new == 1 ? "alert" : "alerts"),
               rep->n_files_new, rep->n_files_new == 1 ? "" : "s", newest,
               traffic);
    }
    if (rep->note[0] != '\0') {
        printf("%-19s note: %s\n", "", rep->note);
    }
}

static int exec_update(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"source", required_argument, NULL, 's'},
        {"since", required_argument, NULL, 'S'},
        {"url", required_argument, NULL, 'u'},
        {"config", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"retries", required_argument, NULL, 'r'},
        {"pause", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *config = NULL;
    const char *urls[FW_UPDATE_N_SOURCES] = {0};
    int wanted[FW_UPDATE_N_SOURCES] = {0}, any_wanted = 0, quiet = 0;
    int64_t since_s = 0;
    double timeout_s = 600, pause_s = 1;
    long retries = 3;
    int c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:s:S:u:c:t:r:p:q", opts, NULL)) !=
           -1) {
        char *end = NULL;
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 's':
            if ((rc = parse_sources(optarg, wanted)) != 0) {
                return rc;
            }
            any_wanted = 1;
            break;
        case 'S':
            if (fw_date_parse_day(optarg, &since_s) != FW_OK) {
                fw_cli_error("--since '%s': expected a day YYYY-MM-DD, "
                             "e.g. 2022-02-24",
                             optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 'u':
            if ((rc = fw_cli_parse_url_opt(optarg, urls)) != 0) {
                return rc;
            }
            break;
        case 't':
            timeout_s = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(timeout_s >= 1) ||
                timeout_s > 86400) {
                fw_cli_error("--timeout '%s': seconds, 1 to 86400", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 'r':
            retries = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || retries < 0 || retries > 10) {
                fw_cli_error("--retries '%s': 0 to 10", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 'p':
            pause_s = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(pause_s >= 0) ||
                pause_s > 3600) {
                fw_cli_error("--pause '%s': seconds, 0 to 3600", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        default:
            return FW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fw_cli_error("update takes no arguments ('%s'); sources are chosen "
                     "with --source",
                     argv[optind]);
        return FW_EXIT_USAGE;
    }
    struct fw_config cfg;
    if ((rc = fw_cli_load_config(config, &cfg)) != 0) {
        return rc;
    }
    const char *db_path = fw_cli_db_path_config(db, &cfg);
    const char *token = getenv("FRONTWATCH_ALERTS_IN_UA_TOKEN");
    if (token == NULL || token[0] == '\0') {
        token = cfg.in_ua_token[0] ? cfg.in_ua_token : NULL;
    }

    struct fw_diag d;
    fw_diag_reset(&d);
    int lock_fd = -1;
    fw_err err = fw_update_lock(db_path, &lock_fd, &d);
    if (err == FW_EBUSY) {
        fw_cli_error("%s; nothing done", d.msg);
        return EXIT_LOCKED;
    }
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    fw_store *st = NULL;
    fw_fetch *f = NULL;
    struct progress pg = {.is_tty = !quiet && isatty(2)};
    struct fw_fetch_opts fo = {
        .total_timeout_ms = (long)(timeout_s * 1000),
        .max_attempts = (int)retries + 1,
        /* 0 s is "no pause": the smallest the handle takes */
        .host_delay_ms = pause_s > 0 ? (long)(pause_s * 1000) : 1,
        .progress = on_bytes,
        .progress_ctx = &pg,
        .cancel = &g_stop,
    };
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if ((err = fw_store_open(db_path, FW_STORE_WRITE, &st, &d)) != FW_OK ||
        (err = fw_fetch_new(&fo, &f, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto out;
    }
    double t0 = now_s();
    int n_tried = 0, n_failed = 0, n_new = 0;
    for (int i = 0; i < FW_UPDATE_N_SOURCES && !g_stop; i++) {
        if (any_wanted && !wanted[i]) {
            continue;
        }
        const struct fw_update_source_info *info =
            fw_update_source_info((enum fw_update_source)i);
        struct fw_update_opts uo = {
            .url = urls[i]         ? urls[i]
                   : cfg.url[i][0] ? cfg.url[i]
                                   : NULL,
            .since_s = since_s,
            .token = token,
            .in_ua_regions = cfg.in_ua_regions[0] ? cfg.in_ua_regions : NULL,
            .interval_ms = cfg.in_ua_interval_ms,
            .progress = on_step,
            .progress_ctx = &pg,
        };
        pg.source = info->name;
        struct fw_update_report rep;
        err = fw_update_run(st, f, (enum fw_update_source)i, &uo, &rep, &d);
        if (pg.is_tty) {
            fprintf(stderr, "\r\033[K");
        }
        if (!rep.is_skipped) {
            n_tried++;
        }
        n_failed += err != FW_OK;
        n_new += rep.n_files_new > 0;
        if (!quiet || err != FW_OK) {
            print_report(info, &rep, err, &d);
        }
    }
    if (n_new > 0 && (err = fw_ingest_derive(st, &d)) != FW_OK) {
        rc = fw_cli_fail(err, &d);
        goto out;
    }
    long n_req = 0;
    long long bytes = 0;
    fw_fetch_totals(f, &n_req, &bytes);
    if (!quiet) {
        printf("%d of %d source%s updated in %.1f s, %ld request%s, %.1f MB; "
               "store %s\n",
               n_tried - n_failed, n_tried, n_tried == 1 ? "" : "s",
               now_s() - t0, n_req, n_req == 1 ? "" : "s", (double)bytes / 1e6,
               db_path);
    }
    rc = n_failed == 0        ? FW_EXIT_OK
         : n_failed < n_tried ? EXIT_SOME_FAILED
                              : EXIT_ALL_FAILED;
    if (g_stop) {
        fw_cli_error("interrupted: what was ingested stays, the rest was "
                     "not fetched");
        rc = EXIT_SOME_FAILED;
    }
out:
    fw_fetch_free(f);
    fw_store_close(st);
    fw_update_unlock(lock_fd);
    return rc;
}

const struct fw_cmd fw_cmd_update = {
    .name = "update",
    .usage = "update [--db STORE] [--source NAME[,NAME...]] [--since DAY] "
             "[--url NAME=URL]... [--config FILE] [--timeout S] "
             "[--retries N] [--pause S] [--quiet]",
    .summary = "fetch today's maps and alerts from the sources, ingest them",
    .help =
        "Fetches what is new from each source, checks it and ingests it,\n"
        "and prints a line per source: what came in and the newest data.\n"
        "A download goes to a temporary file and reaches the store only\n"
        "when it is complete, of the expected type and size, and parses;\n"
        "each file is one transaction. Sources (names for --source, --url):\n"
        "  deepstate           DeepStateMap full maps, a map per day\n"
        "  deepstate_occupied  DeepStateMap occupied area (cyterat), daily\n"
        "  alerts_official     air-raid alerts CSV, official channel\n"
        "  alerts_volunteer    air-raid alerts CSV, volunteer (eTryvoga)\n"
        "  alerts_in_ua        alerts.in.ua, last month; needs a token:\n"
        "                      FRONTWATCH_ALERTS_IN_UA_TOKEN or the config\n"
        "Requests are conditional (ETag, Last-Modified: a source with\n"
        "nothing new costs one small answer), retried with backoff on\n"
        "network errors, 5xx and 429 (honouring Retry-After), one at a time\n"
        "with a pause between two to the same host. One update runs at a\n"
        "time per store (a lock file beside it).\n"
        "\n"
        "Options:\n"
        "  --db STORE          the store (default $FRONTWATCH_DB, the\n"
        "                      config's db, else frontwatch.db)\n"
        "  --source NAME,...   only these sources (repeatable)\n"
        "  --since DAY         fetch history from DAY (YYYY-MM-DD) on; by\n"
        "                      default only what is newer than the store's\n"
        "                      newest data, or the last 30 days\n"
        "  --url NAME=URL      a source's address (https, http, file://)\n"
        "  --config FILE       config file (default\n"
        "                      $XDG_CONFIG_HOME/frontwatch/config)\n"
        "  --timeout S         longest one request may take (default 600)\n"
        "  --retries N         retries of a failed request (default 3)\n"
        "  --pause S           pause between requests to one host\n"
        "                      (default 1; alerts_in_ua: 31)\n"
        "  --quiet             print failures only\n"
        "\n"
        "Exit codes: 0 every source updated or had nothing new; 5 some\n"
        "sources failed (the others updated); 6 every source tried failed;\n"
        "7 another update of this store is running (nothing done); 2 bad\n"
        "command line; 3 store error. A source skipped (no token) is not a\n"
        "failure.\n"
        "\n"
        "Examples:\n"
        "  frontwatch update\n"
        "  frontwatch update --since 2022-02-24          # first run\n"
        "  frontwatch update --source deepstate\n"
        "  frontwatch update --url alerts_official=file:///srv/official.csv\n",
    .exec = exec_update,
};
