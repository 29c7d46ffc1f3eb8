/*
 * config.h - the config file of `frontwatch update` and `sources`: where
 * the store is, each source's address, the alerts.in.ua token.
 *
 * Format: one `key = value` per line; blank lines and lines starting with
 * '#' are ignored; spaces around key and value are dropped; no quoting (a
 * value runs to the end of the line). Keys:
 *   db = PATH                     the store (like --db)
 *   NAME.url = URL                a source's address (like --url NAME=URL;
 *                                 NAME as in update.h: deepstate, ...)
 *   alerts_in_ua.token = TOKEN    the alerts.in.ua API token
 *   alerts_in_ua.regions = 14,31  region ids to ask for (update.h)
 *   alerts_in_ua.interval_s = 31  pause between its requests, seconds
 * The default file is $XDG_CONFIG_HOME/frontwatch/config, else
 * $HOME/.config/frontwatch/config (the XDG base directory rules).
 */
#ifndef FRONTWATCH_CONFIG_H
#define FRONTWATCH_CONFIG_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/update.h"

struct fw_config {
    char db[1024];                       /* "" when not set */
    char url[FW_UPDATE_N_SOURCES][1024]; /* "" when not set */
    char in_ua_token[512];               /* "" when not set */
    char in_ua_regions[256];             /* "" when not set */
    long in_ua_interval_ms;              /* 0 when not set */
    int is_token_readable_by_others;     /* the file holds a token and
                                            its mode lets group or others
                                            read it */
};

/* Clears c (nothing set). */
void fw_config_init(struct fw_config *c);

/* The default config path into buf. Errors: FW_ENOTFOUND (neither
 * XDG_CONFIG_HOME nor HOME is set), FW_ELIMIT (too long). */
fw_err fw_config_default_path(char *buf, size_t cap);

/* Reads path into c (keys set in the file overwrite c's). On error c may
 * hold the keys before the bad line; d names the file, the line and what
 * was wrong. Errors: FW_ENOTFOUND (no such file), FW_EIO, FW_EPARSE (a
 * line that is not `key = value`, an unknown key or source name, a bad
 * interval, a value longer than its field), FW_ELIMIT (a file over
 * 64 KiB). */
fw_err fw_config_read(const char *path, struct fw_config *c, struct fw_diag *d);

#endif
