/*
 * cmd_sources.c - `frontwatch sources`: each source of `update`, where it
 * is fetched from, when it was last tried and last succeeded, and how old
 * its newest data in the store is.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "frontwatch/config.h"
#include "frontwatch/date.h"
#include "frontwatch/update.h"

static void when(int64_t t, char *buf, size_t cap)
{
    if (t <= 0) {
        snprintf(buf, cap, "never");
        return;
    }
    char iso[21];
    fw_date_format_iso(t, iso);
    snprintf(buf, cap, "%.10s %.5s UTC", iso, iso + 11);
}

static double age_days(int64_t now, int64_t t)
{
    return (double)(now - t) / FW_DAY_S;
}

static const char *cadence_words(const struct fw_update_source_info *info)
{
    return info->cadence_s <= 3600 ? "hourly" : "daily";
}

static void write_text(const struct fw_update_source_info *info,
                       const char *url, const struct fw_update_status *s,
                       int64_t now)
{
    char t1[32], t2[32];
    when(s->last_try_s, t1, sizeof t1);
    when(s->last_success_s, t2, sizeof t2);
    printf("%s: %s\n", info->name, info->what);
    printf("  url           %s\n", url);
    if (s->last_url[0] != '\0' && strcmp(s->last_url, url) != 0) {
        printf("  last tried at %s\n", s->last_url);
    }
    printf("  last try      %s%s\n", t1,
           s->last_try_s <= 0         ? ""
           : s->last_error[0] != '\0' ? "  FAILED"
                                      : "  ok");
    if (s->last_error[0] != '\0') {
        printf("  last error    %s\n", s->last_error);
    }
    printf("  last success  %s\n", t2);
    if (s->newest_s > 0) {
        char day[21];
        fw_date_format_iso(s->newest_s, day);
        printf("  newest data   %.10s %.5s UTC, %.1f days old%s\n", day,
               day + 11, age_days(now, s->newest_s),
               fw_update_is_stale(info, now, s->newest_s) ? "  STALE" : "");
    } else {
        printf("  newest data   none in the store\n");
    }
    printf("  usually       new data %s\n", cadence_words(info));
    printf("  licence       %s\n", info->licence);
}

static cJSON *json_source(const struct fw_update_source_info *info,
                          const char *url, const struct fw_update_status *s,
                          int64_t now)
{
    cJSON *o = cJSON_CreateObject();
    char iso[21];
    if (o == NULL) {
        return NULL;
    }
    cJSON_AddStringToObject(o, "name", info->name);
    cJSON_AddStringToObject(o, "what", info->what);
    cJSON_AddStringToObject(o, "url", url);
    if (s->last_url[0] != '\0') {
        cJSON_AddStringToObject(o, "last_url", s->last_url);
    } else {
        cJSON_AddNullToObject(o, "last_url");
    }
#define ADD_TIME(key, t)                                                       \
    do {                                                                       \
        if ((t) > 0) {                                                         \
            fw_date_format_iso((t), iso);                                      \
            cJSON_AddStringToObject(o, key, iso);                              \
        } else {                                                               \
            cJSON_AddNullToObject(o, key);                                     \
        }                                                                      \
    } while (0)
    ADD_TIME("last_try", s->last_try_s);
    ADD_TIME("last_success", s->last_success_s);
    if (s->last_error[0] != '\0') {
        cJSON_AddStringToObject(o, "last_error", s->last_error);
    } else {
        cJSON_AddNullToObject(o, "last_error");
    }
    ADD_TIME("newest_data", s->newest_s);
#undef ADD_TIME
    if (s->newest_s > 0) {
        cJSON_AddNumberToObject(
            o, "age_days",
            (double)(int64_t)(age_days(now, s->newest_s) * 10) / 10);
    } else {
        cJSON_AddNullToObject(o, "age_days");
    }
    cJSON_AddBoolToObject(o, "stale", fw_update_is_stale(info, now, s->newest_s));
    cJSON_AddNumberToObject(o, "cadence_hours", info->cadence_s / 3600);
    cJSON_AddStringToObject(o, "licence", info->licence);
    return o;
}

static int exec_sources(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},
        {"url", required_argument, NULL, 'u'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *config = NULL;
    const char *urls[FW_UPDATE_N_SOURCES] = {0};
    int json = 0, c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:c:u:j", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'u':
            if ((rc = fw_cli_parse_url_opt(optarg, urls)) != 0) {
                return rc;
            }
            break;
        default:
            return FW_EXIT_USAGE;
        }
    }
    struct fw_config cfg;
    if ((rc = fw_cli_load_config(config, &cfg)) != 0) {
        return rc;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_err err =
        fw_store_open(fw_cli_db_path_config(db, &cfg), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    int64_t now = (int64_t)time(NULL);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    rc = json && arr == NULL ? FW_EXIT_IO : 0;
    for (int i = 0; i < FW_UPDATE_N_SOURCES && rc == 0; i++) {
        const struct fw_update_source_info *info =
            fw_update_source_info((enum fw_update_source)i);
        struct fw_update_status s;
        if ((err = fw_update_status(st, (enum fw_update_source)i, &s, &d)) !=
            FW_OK) {
            rc = fw_cli_fail(err, &d);
            break;
        }
        /* the address a run would use now; the last one tried if that
         * differs is in last_url */
        const char *url = urls[i]         ? urls[i]
                          : cfg.url[i][0] ? cfg.url[i]
                                          : info->default_url;
        if (json) {
            cJSON *o = json_source(info, url, &s, now);
            if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
                cJSON_Delete(o);
                rc = FW_EXIT_IO;
            }
        } else {
            write_text(info, url, &s, now);
        }
    }
    if (json && rc == 0) {
        char *text = cJSON_PrintUnformatted(arr);
        if (text == NULL) {
            rc = FW_EXIT_IO;
        } else {
            printf("%s\n", text);
            free(text);
        }
    }
    cJSON_Delete(arr);
    fw_store_close(st);
    return rc;
}

const struct fw_cmd fw_cmd_sources = {
    .name = "sources",
    .usage = "sources [--db STORE] [--config FILE] [--url NAME=URL]... "
             "[--json]",
    .summary = "each source: address, last try and success, data age",
    .help =
        "For each source that `frontwatch update` fetches: its address,\n"
        "when it was last tried and last succeeded (and the last error),\n"
        "its newest data in the store with its age (STALE when older than\n"
        "twice the source's usual cadence, at least 2 days), and its\n"
        "licence.\n"
        "\n"
        "Options:\n"
        "  --db STORE       the store (default $FRONTWATCH_DB, the config's\n"
        "                   db, else frontwatch.db)\n"
        "  --config FILE    config file (default\n"
        "                   $XDG_CONFIG_HOME/frontwatch/config)\n"
        "  --url NAME=URL   show this address for a source\n"
        "  --json           one JSON array, an object per source\n"
        "\n"
        "Examples:\n"
        "  frontwatch sources\n"
        "  frontwatch sources --json\n",
    .exec = exec_sources,
};
