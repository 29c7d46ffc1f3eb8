/*
 * config.c - the `key = value` config file (config.h).
 */
#include "frontwatch/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_CONFIG_BYTES (64 * 1024)

void fw_config_init(struct fw_config *c)
{
    memset(c, 0, sizeof *c);
}

fw_err fw_config_default_path(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;
    /* XDG: a relative XDG_CONFIG_HOME is invalid and ignored */
    if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(buf, cap, "%s/frontwatch/config", xdg);
    } else if (home != NULL && home[0] != '\0') {
        n = snprintf(buf, cap, "%s/.config/frontwatch/config", home);
    } else {
        return FW_ENOTFOUND;
    }
    return n < 0 || (size_t)n >= cap ? FW_ELIMIT : FW_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n')) {
        s[--n] = '\0';
    }
    return s;
}

static fw_err set(char *dst, size_t cap, const char *v, long line,
                  const char *key, struct fw_diag *d)
{
    if (strlen(v) >= cap) {
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "%s: value longer than %zu bytes", key, cap - 1);
    }
    memcpy(dst, v, strlen(v) + 1);
    return FW_OK;
}

static fw_err apply(struct fw_config *c, const char *key, const char *v,
                    long line, int *has_token, struct fw_diag *d)
{
    if (strcmp(key, "db") == 0) {
        return set(c->db, sizeof c->db, v, line, key, d);
    }
    if (strcmp(key, "alerts_in_ua.token") == 0) {
        *has_token = 1;
        return set(c->in_ua_token, sizeof c->in_ua_token, v, line, key, d);
    }
    if (strcmp(key, "alerts_in_ua.regions") == 0) {
        return set(c->in_ua_regions, sizeof c->in_ua_regions, v, line, key, d);
    }
    if (strcmp(key, "alerts_in_ua.interval_s") == 0) {
        char *end = NULL;
        errno = 0;
        double s = strtod(v, &end);
        if (end == v || *end != '\0' || errno != 0 || !(s >= 0) || s > 3600) {
            return fw_diag_set(d, FW_EPARSE, line, 0,
                               "%s: '%s' is not a number of seconds in "
                               "[0, 3600]",
                               key, v);
        }
        /* 0 s still pauses a millisecond: 0 would mean "the default" */
        c->in_ua_interval_ms = s > 0 ? (long)(s * 1000) : 1;
        return FW_OK;
    }
    const char *dot = strrchr(key, '.');
    if (dot != NULL && strcmp(dot, ".url") == 0) {
        char name[64];
        size_t len = (size_t)(dot - key);
        enum fw_update_source s;
        if (len < sizeof name) {
            memcpy(name, key, len);
            name[len] = '\0';
            if (fw_update_source_by_name(name, &s) == FW_OK) {
                return set(c->url[s], sizeof c->url[s], v, line, key, d);
            }
        }
        return fw_diag_set(d, FW_EPARSE, line, 0,
                           "%s: no source '%.*s' (deepstate, "
                           "deepstate_occupied, alerts_official, "
                           "alerts_volunteer, alerts_in_ua)",
                           key, (int)len, key);
    }
    return fw_diag_set(d, FW_EPARSE, line, 0,
                       "unknown key '%s' (db, NAME.url, alerts_in_ua.token, "
                       "alerts_in_ua.regions, alerts_in_ua.interval_s)",
                       key);
}

fw_err fw_config_read(const char *path, struct fw_config *c, struct fw_diag *d)
{
    fw_diag_reset(d);
    if (d != NULL) {
        snprintf(d->file, sizeof d->file, "%s", path);
    }
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        return fw_diag_set(d, errno == ENOENT ? FW_ENOTFOUND : FW_EIO, 0, 0,
                           "cannot open config file: %s", strerror(errno));
    }
    struct stat sb;
    fw_err err = FW_OK;
    if (fstat(fileno(fp), &sb) != 0) {
        err = fw_diag_set(d, FW_EIO, 0, 0, "cannot read: %s", strerror(errno));
        goto out;
    }
    if (sb.st_size > MAX_CONFIG_BYTES) {
        err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                          "config file larger than %d bytes", MAX_CONFIG_BYTES);
        goto out;
    }
    char buf[4096];
    long line = 0;
    int has_token = 0;
    while (fgets(buf, sizeof buf, fp) != NULL) {
        line++;
        size_t len = strlen(buf);
        if (len == sizeof buf - 1 && buf[len - 1] != '\n' && !feof(fp)) {
            err = fw_diag_set(d, FW_EPARSE, line, 0,
                              "line longer than %zu bytes", sizeof buf - 2);
            goto out;
        }
        char *s = trim(buf);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            err = fw_diag_set(d, FW_EPARSE, line, 0,
                              "expected 'key = value', got '%.60s'", s);
            goto out;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (*key == '\0') {
            err = fw_diag_set(d, FW_EPARSE, line, 1, "no key before '='");
            goto out;
        }
        if ((err = apply(c, key, value, line, &has_token, d)) != FW_OK) {
            goto out;
        }
    }
    if (ferror(fp)) {
        err = fw_diag_set(d, FW_EIO, line, 0, "cannot read");
        goto out;
    }
    c->is_token_readable_by_others =
        has_token && (sb.st_mode & (S_IRGRP | S_IROTH)) != 0;
out:
    fclose(fp);
    return err;
}
