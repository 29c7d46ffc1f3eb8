/*
 * cmd_serve.c - `frontwatch serve`: the JSON API, the dashboard and the
 * feeds over HTTP (server.h), until SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "frontwatch/server.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static int exec_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'},
        {"model", required_argument, NULL, 'm'},
        {"alert-model", required_argument, NULL, 'M'},
        {"web", required_argument, NULL, 'w'},
        {"threads", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *bind = "127.0.0.1", *model = NULL, *web = NULL;
    const char *alert_model = NULL;
    long port = 8080, threads = 8;
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:b:p:m:M:w:t:q", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'd': db = optarg; break;
        case 'b': bind = optarg; break;
        case 'm': model = optarg; break;
        case 'M': alert_model = optarg; break;
        case 'w': web = optarg; break;
        case 'q': quiet = 1; break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || port < 0 || port > 65535) {
                fw_cli_error("--port '%s': a port from 0 (any free one) to "
                             "65535",
                             optarg);
                return FW_EXIT_USAGE;
            }
            break;
        case 't':
            threads = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || threads < 1 ||
                threads > 256) {
                fw_cli_error("--threads '%s': 1 to 256", optarg);
                return FW_EXIT_USAGE;
            }
            break;
        default: return FW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fw_cli_error("serve: unexpected argument '%s'", argv[optind]);
        return FW_EXIT_USAGE;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct fw_api_config ac = {
        .db_path = fw_cli_db_path(db),
        .model_path = fw_cli_model_path(model),
        .alert_model_path = fw_cli_alert_model_path_if(alert_model),
        .web_dir = fw_cli_web_dir(web),
        .n_contexts = (size_t)threads,
    };
    fw_api *api = NULL;
    fw_server *srv = NULL;
    fw_err err = fw_api_new(&ac, &api, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    struct fw_server_config sc = {
        .bind = bind,
        .port = (int)port,
        .n_threads = (int)threads,
        .api = api,
        .access_log = quiet ? NULL : stderr,
    };
    if ((err = fw_server_start(&sc, &srv, &d)) != FW_OK) {
        fw_api_free(api);
        return fw_cli_fail(err, &d);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* the line a script waits for: the port, even when 0 was asked */
    printf("frontwatch serve: listening on http://%s%s%s:%d/ (store %s, "
           "%s, %s)\n",
           strchr(bind, ':') ? "[" : "", bind, strchr(bind, ':') ? "]" : "",
           fw_server_port(srv), ac.db_path,
           ac.model_path ? ac.model_path : "no model",
           ac.web_dir ? ac.web_dir : "no dashboard");
    fflush(stdout);
    while (!g_stop) {
        pause();
    }
    fprintf(stderr, "frontwatch serve: stopping\n");
    fw_server_stop(srv);
    fw_api_free(api);
    return FW_EXIT_OK;
}

const struct fw_cmd fw_cmd_serve = {
    .name = "serve",
    .usage = "serve [--bind ADDR] [--port N] [--db STORE] [--model F] "
             "[--alert-model F] [--web DIR] [--threads N] [--quiet]",
    .summary = "the JSON API, the dashboard and the warning feeds over HTTP",
    .help =
        "Answers over HTTP from the store, read-only, until Ctrl-C or\n"
        "SIGTERM (requests in flight finish first). The API is in\n"
        "docs/API.md: /api/assess/PLACE?date=D gives what `assess --json`\n"
        "prints, /api/risk what `risk --json` prints, and more; the\n"
        "dashboard is at / and a place's page at /place/ID. One line per\n"
        "request goes to stderr (the access log).\n"
        "\n"
        "Options:\n"
        "  --bind ADDR   the address to listen on (default 127.0.0.1: this\n"
        "                machine only; 0.0.0.0 for every interface, behind a\n"
        "                proxy that limits the request rate)\n"
        "  --port N      the port (default 8080; 0: any free port, printed)\n"
        "  --db STORE    the store (default frontwatch.db or $FRONTWATCH_DB)\n"
        "  --model F     the model file (default $FRONTWATCH_MODEL, else\n"
        "                models/occupation.json when it exists)\n"
        "  --alert-model F  the alert model for /api/outlook and the outlook\n"
        "                in /api/assess (default $FRONTWATCH_ALERT_MODEL, else\n"
        "                models/alerts.json when it exists; without one,\n"
        "                /api/outlook answers 404)\n"
        "  --web DIR     the dashboard's files (default $FRONTWATCH_WEB, else\n"
        "                the build's web folder); --web '' serves the API only\n"
        "  --threads N   requests answered at once (default 8)\n"
        "  --quiet       no access log\n"
        "\n"
        "Examples:\n"
        "  frontwatch serve --port 8080\n"
        "  curl 'http://127.0.0.1:8080/api/assess/Kharkiv?date=2024-05-15'\n",
    .exec = exec_serve,
};
