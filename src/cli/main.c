/*
 * main.c - the frontwatch program: dispatches to one subcommand per file
 * (cmd_*.c), each an entry of the table below.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef FW_VERSION
#define FW_VERSION "0.1.0"
#endif

static const struct fw_cmd *const COMMANDS[] = {
    &fw_cmd_ingest,
    &fw_cmd_assess,
    &fw_cmd_places,
    &fw_cmd_status,
    &fw_cmd_backtest,
    &fw_cmd_train,
    &fw_cmd_risk,
    &fw_cmd_update,
    &fw_cmd_sources,
    &fw_cmd_serve,
    &fw_cmd_export,
    &fw_cmd_outlook,
};

#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f)
{
    fprintf(f,
            "frontwatch %s - is a Ukrainian place in danger of occupation?\n"
            "\n"
            "Answers from public data, offline: front-line maps (DeepState,\n"
            "NZZ/liveuamap), air-raid alerts and gazetteers, kept in one\n"
            "SQLite file (the store); `update` fetches the newest.\n"
            "\n"
            "Usage: frontwatch COMMAND [OPTIONS]\n"
            "\n"
            "Commands:\n",
            FW_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "  %-8s %s\n", COMMANDS[i]->name, COMMANDS[i]->summary);
    }
    fprintf(f,
            "  help     show the help of a command: frontwatch help assess\n"
            "\n"
            "Examples:\n"
            "  frontwatch ingest ../shared/data          # build the store\n"
            "  frontwatch update                         # today's data\n"
            "  frontwatch assess Kharkiv --date 2024-03-01\n"
            "  frontwatch assess Kupiansk --date 2022-09-01 --json\n"
            "  frontwatch places --near Kharkiv --km 50 --date 2024-06-01\n"
            "\n"
            "The store is frontwatch.db in the current folder unless --db\n"
            "PATH or $FRONTWATCH_DB says otherwise.\n"
            "Exit codes: 0 ok, 1 bad input data (store unchanged), 2 bad\n"
            "command line, 3 file or store error, 4 place unknown or\n"
            "ambiguous; update: 5 some sources failed, 6 all failed, 7\n"
            "another update running. Full reference: docs/CLI.md\n");
}

static const struct fw_cmd *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(COMMANDS[i]->name, name) == 0) {
            return COMMANDS[i];
        }
    }
    return NULL;
}

static int help(const char *name)
{
    const struct fw_cmd *c = find(name);
    if (c == NULL) {
        fw_cli_error("no command '%s' (see frontwatch --help)", name);
        return FW_EXIT_USAGE;
    }
    printf("Usage: frontwatch %s\n\n%s\n\n%s", c->usage, c->summary,
           c->help);
    return FW_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return FW_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return FW_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("frontwatch %s\n", FW_VERSION);
        return FW_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return FW_EXIT_OK;
        }
        return help(argv[2]);
    }
    const struct fw_cmd *c = find(name);
    if (c == NULL) {
        fw_cli_error("unknown command '%s' (see frontwatch --help)", name);
        return FW_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return help(name);
        }
    }
    return c->exec(argc - 1, argv + 1);
}
