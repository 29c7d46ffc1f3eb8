/*
 * update.c - fetch what is new from each source, check it, ingest it
 * (update.h). Each download lands in a private temporary folder under a
 * name the readers understand (the name carries a map's date), is checked
 * and then ingested by fw_ingest_file, one transaction per file; the
 * folder is removed at the end, whatever happened.
 */
/* flock(2) is BSD, not POSIX */
#define _DEFAULT_SOURCE
#include "frontwatch/update.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "frontwatch/date.h"
#include "frontwatch/ingest.h"
#include "frontwatch/io.h"
#include "frontwatch/json.h"

#define HOUR_S 3600

static const struct fw_update_source_info SOURCES[FW_UPDATE_N_SOURCES] = {
    [FW_UPDATE_DEEPSTATE] =
        {.name = "deepstate",
         .default_url = "https://deepstatemap.live",
         .what = "DeepStateMap full maps (occupied, pre-2022, contested)",
         .licence = "none stated (DeepState); for personal use",
         .store_source = "deepstate",
         .is_map = 1,
         .cadence_s = FW_DAY_S},
    [FW_UPDATE_DEEPSTATE_OCCUPIED] =
        {.name = "deepstate_occupied",
         .default_url = "https://raw.githubusercontent.com/cyterat/"
                        "deepstate-map-data/main",
         .what = "DeepStateMap occupied area, daily (cyterat)",
         .licence = "GPL-3.0",
         .store_source = "deepstate_occupied",
         .is_map = 1,
         .cadence_s = FW_DAY_S},
    [FW_UPDATE_ALERTS_OFFICIAL] =
        {.name = "alerts_official",
         .default_url = "https://raw.githubusercontent.com/Vadimkin/"
                        "ukrainian-air-raid-sirens-dataset/main/datasets/"
                        "official_data_en.csv",
         .what = "air-raid alerts, official channel (oblast, raion, hromada)",
         .licence = "MIT",
         .store_source = "official",
         .is_map = 0,
         .cadence_s = FW_DAY_S},
    [FW_UPDATE_ALERTS_VOLUNTEER] =
        {.name = "alerts_volunteer",
         .default_url = "https://raw.githubusercontent.com/Vadimkin/"
                        "ukrainian-air-raid-sirens-dataset/main/datasets/"
                        "volunteer_data_en.csv",
         .what = "air-raid alerts, volunteer (eTryvoga, oblast)",
         .licence = "MIT",
         .store_source = "volunteer",
         .is_map = 0,
         .cadence_s = FW_DAY_S},
    [FW_UPDATE_ALERTS_IN_UA] =
        {.name = "alerts_in_ua",
         .default_url = "https://api.alerts.in.ua",
         .what = "air-raid alerts of the last month (alerts.in.ua, token)",
         .licence = "alerts.in.ua terms of use (a token per user)",
         .store_source = "alerts_in_ua",
         .is_map = 0,
         .cadence_s = HOUR_S},
};

const struct fw_update_source_info *
fw_update_source_info(enum fw_update_source s)
{
    return &SOURCES[s < FW_UPDATE_N_SOURCES ? s : 0];
}

fw_err fw_update_source_by_name(const char *name, enum fw_update_source *out)
{
    for (int i = 0; i < FW_UPDATE_N_SOURCES; i++) {
        if (strcmp(SOURCES[i].name, name) == 0) {
            *out = (enum fw_update_source)i;
            return FW_OK;
        }
    }
    return FW_ENOTFOUND;
}

/* ---- one run ----------------------------------------------------------- */

struct run {
    fw_store *st;
    fw_fetch *f;
    enum fw_update_source src;
    const struct fw_update_source_info *info;
    const struct fw_update_opts *o;
    struct fw_update_report *rep;
    struct fw_diag *d;
    const char *url; /* the source's root or file */
    int64_t now_s;
    int64_t split_from_s; /* deepstate_occupied: days before are skipped */
    char dir[512];        /* the private temporary folder */
};

/* What a fetch came to, when it did not fail. */
enum got {
    GOT_NEW,          /* ingested */
    GOT_SAME,         /* already in the store (same content) */
    GOT_NOT_MODIFIED, /* 304 */
    GOT_NOTHING       /* 404 where that means "not yet" */
};

static const char *const TYPES_JSON[] = {
    "application/json", "application/geo+json", "text/json",
    "text/plain", /* raw.githubusercontent.com serves every text so */
    NULL};
static const char *const TYPES_CSV[] = {"text/csv", "text/plain",
                                        "application/csv",
                                        "application/octet-stream", NULL};
static const char *const TYPES_GZIP[] = {
    "application/gzip", "application/x-gzip", "application/octet-stream", NULL};

static fw_err sql_err(struct run *r)
{
    return fw_diag_set(r->d, FW_ESQL, 0, 0, "%s",
                       sqlite3_errmsg(fw_store_db(r->st)));
}

struct cache {
    char etag[256];
    char last_modified[64];
    char sha256[65];
    long long body_bytes; /* -1: unknown */
};

static fw_err cache_get(struct run *r, const char *url, struct cache *c)
{
    memset(c, 0, sizeof *c);
    c->body_bytes = -1;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(r->st,
                                  "SELECT etag, last_modified, sha256,"
                                  " body_bytes FROM http_cache WHERE url=?1",
                                  &s, r->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *v;
        if ((v = (const char *)sqlite3_column_text(s, 0)) != NULL) {
            snprintf(c->etag, sizeof c->etag, "%s", v);
        }
        if ((v = (const char *)sqlite3_column_text(s, 1)) != NULL) {
            snprintf(c->last_modified, sizeof c->last_modified, "%s", v);
        }
        if ((v = (const char *)sqlite3_column_text(s, 2)) != NULL) {
            snprintf(c->sha256, sizeof c->sha256, "%s", v);
        }
        c->body_bytes = sqlite3_column_int64(s, 3);
    } else if (rc != SQLITE_DONE) {
        err = sql_err(r);
    }
    sqlite3_finalize(s);
    return err;
}

static fw_err cache_put(struct run *r, const char *url,
                        const struct fw_fetch_resp *resp, const char *sha,
                        long long body_bytes)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        r->st,
        "INSERT INTO http_cache(url, etag, last_modified, sha256,"
        " body_bytes, fetched_s) VALUES(?1,?2,?3,?4,?5,?6)"
        " ON CONFLICT(url) DO UPDATE SET etag=?2, last_modified=?3,"
        " sha256=?4, body_bytes=?5, fetched_s=?6",
        &s, r->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    if (resp->etag[0] != '\0') {
        sqlite3_bind_text(s, 2, resp->etag, -1, SQLITE_STATIC);
    }
    if (resp->last_modified[0] != '\0') {
        sqlite3_bind_text(s, 3, resp->last_modified, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(s, 4, sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, body_bytes);
    sqlite3_bind_int64(s, 6, r->now_s);
    if (sqlite3_step(s) != SQLITE_DONE) {
        err = sql_err(r);
    }
    sqlite3_finalize(s);
    return err;
}

/* source_state: the try (is_done 0, before anything is fetched), then its
 * outcome (error NULL: success). */
static fw_err state_put(struct run *r, int is_done, const char *error)
{
    sqlite3_stmt *s = NULL;
    const char *sql =
        !is_done        ? "INSERT INTO source_state(name, url, last_try_s)"
                          " VALUES(?1,?2,?3) ON CONFLICT(name) DO UPDATE SET"
                          " url=?2, last_try_s=?3"
        : error == NULL ? "UPDATE source_state SET last_success_s=?2,"
                          " last_error=NULL WHERE name=?1"
                        : "UPDATE source_state SET last_error=?2"
                          " WHERE name=?1";
    fw_err err = fw_store_prepare(r->st, sql, &s, NULL);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, r->info->name, -1, SQLITE_STATIC);
    if (!is_done) {
        sqlite3_bind_text(s, 2, r->url, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, r->now_s);
    } else if (error == NULL) {
        sqlite3_bind_int64(s, 2, r->now_s);
    } else {
        sqlite3_bind_text(s, 2, error, -1, SQLITE_STATIC);
    }
    err = sqlite3_step(s) == SQLITE_DONE ? FW_OK : FW_ESQL;
    sqlite3_finalize(s);
    return err;
}

/* The source's newest data in the store (0: none). */
static fw_err newest_in_store(fw_store *st,
                              const struct fw_update_source_info *info,
                              int64_t *out, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        info->is_map ? "SELECT max(published_s) FROM snapshot"
                       " WHERE source=?1 AND suspect IS NULL"
                     : "SELECT max(start_s) FROM alert WHERE source=?1",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, info->store_source, -1, SQLITE_STATIC);
    *out = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
    } else {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
    }
    sqlite3_finalize(s);
    return err;
}

/* Whether the store has a snapshot of the source published at t. */
static fw_err has_snapshot(struct run *r, int64_t t, int *out)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(r->st,
                                  "SELECT EXISTS(SELECT 1 FROM snapshot"
                                  " WHERE source=?1 AND published_s=?2)",
                                  &s, r->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, r->info->store_source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, t);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
    } else {
        err = sql_err(r);
    }
    sqlite3_finalize(s);
    return err;
}

static void progress(struct run *r, const char *what, size_t i, size_t n)
{
    if (r->o->progress != NULL) {
        r->o->progress(r->o->progress_ctx, what, i, n);
    }
}

/* Ingests the checked file at path (named as its reader wants), counting
 * what it brought. On error the store is unchanged by it and the
 * diagnostic names origin (the URL) with the reader's position. */
static fw_err ingest(struct run *r, const char *path, const char *origin,
                     enum got *got)
{
    struct fw_ingest_result res;
    fw_err err = fw_ingest_file_as(r->st, path, origin, NULL, NULL, &res, r->d);
    if (err != FW_OK) {
        r->rep->n_refused++;
        return err;
    }
    if (res.is_duplicate) {
        r->rep->n_files_same++;
        *got = GOT_SAME;
        return FW_OK;
    }
    r->rep->n_files_new++;
    r->rep->n_records_new += r->info->is_map ? 1 : res.rows_accepted;
    *got = GOT_NEW;
    return FW_OK;
}

struct get {
    const char *url;
    const char *name; /* file name in the work folder */
    const char *const *types;
    long long max_bytes;
    int use_cache;          /* conditional request, sha check */
    int is_cumulative;      /* refuse a version that shrinks */
    int missing_is_nothing; /* 404: not yet, no error */
    int is_whole;           /* with use_cache: ask unconditionally and read
                               it even when unchanged (--since fills days
                               an earlier run left out) */
    const char *token;
    long host_delay_ms;
    /* Called instead of the ingest when set (the consolidated file is
     * split first); the file is removed afterwards either way. */
    fw_err (*consume)(struct run *r, const char *path, const char *url,
                      enum got *got);
};

/* Fetches g->url into the work folder, checks it and ingests it (or hands
 * it to g->consume). */
static fw_err fetch_one(struct run *r, const struct get *g, enum got *got)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", r->dir, g->name);
    if (n < 0 || (size_t)n >= sizeof path) {
        return fw_diag_set(r->d, FW_EIO, 0, 0, "work path too long");
    }
    struct cache c;
    fw_err err = FW_OK;
    if (g->use_cache && (err = cache_get(r, g->url, &c)) != FW_OK) {
        return err;
    }
    struct fw_fetch_req req = {
        .url = g->url,
        .etag = g->use_cache && !g->is_whole ? c.etag : NULL,
        .last_modified = g->use_cache && !g->is_whole ? c.last_modified : NULL,
        .bearer_token = g->token,
        .content_types = g->types,
        .max_bytes = g->max_bytes,
        .host_delay_ms = g->host_delay_ms,
        .dest_path = path,
    };
    struct fw_fetch_resp resp;
    err = fw_fetch_get(r->f, &req, &resp, r->d);
    r->rep->n_requests += resp.n_attempts;
    r->rep->wire_bytes += resp.wire_bytes;
    if (err == FW_ENOTFOUND && g->missing_is_nothing) {
        fw_diag_reset(r->d);
        *got = GOT_NOTHING;
        return FW_OK;
    }
    if (err != FW_OK) {
        return err;
    }
    if (resp.is_not_modified) {
        r->rep->n_not_modified++;
        *got = GOT_NOT_MODIFIED;
        return FW_OK;
    }
    char sha[65];
    if (fw_io_sha256_file(path, sha) != FW_OK) {
        err = fw_diag_set(r->d, FW_EIO, 0, 0, "cannot read %s", path);
        goto out;
    }
    if (g->use_cache && !g->is_whole && strcmp(sha, c.sha256) == 0) {
        /* a server without conditional requests: same bytes as before */
        r->rep->n_files_same++;
        *got = GOT_SAME;
        err = cache_put(r, g->url, &resp, sha, resp.body_bytes);
        goto out;
    }
    if (g->is_cumulative && c.body_bytes > 0 &&
        resp.body_bytes < c.body_bytes - c.body_bytes / 10) {
        r->rep->n_refused++;
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                          "the answer has %lld bytes, the last one had "
                          "%lld: this file only grows, so it was cut short "
                          "or replaced; not ingested",
                          resp.body_bytes, c.body_bytes);
        goto out;
    }
    err = g->consume != NULL ? g->consume(r, path, g->url, got)
                             : ingest(r, path, g->url, got);
    if (err == FW_OK && g->use_cache) {
        err = cache_put(r, g->url, &resp, sha, resp.body_bytes);
    }
out:
    unlink(path);
    if (err != FW_OK && r->d != NULL && r->d->file[0] == '\0') {
        snprintf(r->d->file, sizeof r->d->file, "%.500s", g->url);
    }
    return err;
}

/* url + suffix into buf (a '/' between them exactly once). */
static fw_err join_url(struct run *r, const char *suffix, char *buf, size_t cap)
{
    size_t len = strlen(r->url);
    while (len > 0 && r->url[len - 1] == '/') {
        len--;
    }
    int n = snprintf(buf, cap, "%.*s/%s", (int)len, r->url, suffix);
    if (n < 0 || (size_t)n >= cap) {
        return fw_diag_set(r->d, FW_EUSAGE, 0, 0, "URL too long: %s", r->url);
    }
    return FW_OK;
}

/* Where history starts: --since, else after the newest stored, else the
 * default window before now. */
static int64_t history_from(struct run *r, int64_t newest_s)
{
    if (r->o->since_s > 0) {
        return r->o->since_s;
    }
    if (newest_s > 0) {
        return newest_s + 1;
    }
    return r->now_s - FW_UPDATE_DEFAULT_DAYS * (int64_t)FW_DAY_S;
}

/* ---- deepstate ----------------------------------------------------------- */

/* In a run of files (maps, days), a file its reader refuses is skipped, so
 * that one bad file upstream does not hold back every later one; the
 * source still fails, with the first such file's error. A network or
 * store error stops the run. */
struct skipped {
    fw_err err; /* FW_OK: none yet */
    struct fw_diag d;
};

/* After a file: keeps a content error in sk and returns FW_OK to go on;
 * returns any other error unchanged. */
static fw_err skip_bad_file(struct run *r, fw_err err, struct skipped *sk)
{
    int is_content = err == FW_EPARSE || err == FW_ERANGE || err == FW_ELIMIT ||
                     err == FW_EGEOS;
    if (!is_content) {
        return err;
    }
    if (sk->err == FW_OK) {
        sk->err = err;
        sk->d = *r->d;
    }
    return FW_OK;
}

/* At the end of the run: the first skipped file's error, if err is none. */
static fw_err skipped_result(struct run *r, fw_err err,
                             const struct skipped *sk)
{
    if (err == FW_OK && sk->err != FW_OK) {
        *r->d = sk->d;
        return sk->err;
    }
    return err;
}

/* The name the frontline reader dates a DeepState history map by. */
static void deepstate_name(int64_t id, char *buf, size_t cap)
{
    char iso[21];
    fw_date_format_iso(id, iso); /* 2024-01-05T12:00:00Z */
    snprintf(buf, cap, "deepstate_%.4s%.2s%.2sT%.2s%.2s%.2sZ_%lld.geojson", iso,
             iso + 5, iso + 8, iso + 11, iso + 14, iso + 17, (long long)id);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A map id: a JSON number or a string of digits, a plausible Unix time. */
static int map_id(const cJSON *v, int64_t *out)
{
    double x;
    if (cJSON_IsNumber(v)) {
        x = v->valuedouble;
    } else if (cJSON_IsString(v) && v->valuestring[0] != '\0' &&
               strspn(v->valuestring, "0123456789") == strlen(v->valuestring) &&
               strlen(v->valuestring) <= 12) {
        x = strtod(v->valuestring, NULL);
    } else {
        return 0;
    }
    /* 2014-01-01 .. 2100-01-01 */
    if (!(x >= 1388534400.0 && x < 4102444800.0) || x != (double)(int64_t)x) {
        return 0;
    }
    *out = (int64_t)x;
    return 1;
}

/* Reads the history list (a JSON array of objects with "id") into a
 * sorted array of ids (caller frees). */
static fw_err read_list(struct run *r, const char *path, int64_t **ids_out,
                        size_t *n_out)
{
    char *buf = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    fw_err err = fw_io_read_file(path, (size_t)64 << 20, &buf, &len, r->d);
    if (err != FW_OK || (err = fw_json_parse(buf, len, &root, r->d)) != FW_OK) {
        goto out;
    }
    if (!cJSON_IsArray(root)) {
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                          "the map list is not a JSON array");
        goto out;
    }
    int count = cJSON_GetArraySize(root);
    ids = malloc(((size_t)count + 1) * sizeof *ids);
    if (ids == NULL) {
        err = FW_ENOMEM;
        goto out;
    }
    const cJSON *item;
    int i = 0;
    cJSON_ArrayForEach (item, root) {
        int64_t id;
        if (!map_id(cJSON_GetObjectItemCaseSensitive(item, "id"), &id)) {
            err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                              "map list item %d: no \"id\" that is a Unix "
                              "time",
                              i);
            goto out;
        }
        ids[n++] = id;
        i++;
    }
    qsort(ids, n, sizeof *ids, cmp_i64);
    *ids_out = ids;
    *n_out = n;
    ids = NULL;
out:
    cJSON_Delete(root);
    free(buf);
    free(ids);
    return err;
}

/* /api/history/last: {"id": T, "map": FeatureCollection}; some clients
 * have met it as a JSON string holding that object, so a string is
 * parsed once more. Writes the map under its history name. */
static fw_err consume_last(struct run *r, const char *path, const char *url,
                           enum got *got)
{
    char *buf = NULL;
    size_t len = 0;
    cJSON *root = NULL, *inner = NULL;
    char *text = NULL;
    fw_err err = fw_io_read_file(path, (size_t)64 << 20, &buf, &len, r->d);
    if (err != FW_OK || (err = fw_json_parse(buf, len, &root, r->d)) != FW_OK) {
        goto out;
    }
    const cJSON *obj = root;
    if (cJSON_IsString(root)) {
        const char *s = root->valuestring;
        if ((err = fw_json_parse(s, strlen(s), &inner, r->d)) != FW_OK) {
            goto out;
        }
        obj = inner;
    }
    int64_t id;
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, "map");
    if (!map_id(cJSON_GetObjectItemCaseSensitive(obj, "id"), &id) ||
        !cJSON_IsObject(map)) {
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                          "expected {\"id\": <Unix time>, \"map\": "
                          "<FeatureCollection>}");
        goto out;
    }
    int have = 0;
    if ((err = has_snapshot(r, id, &have)) != FW_OK) {
        goto out;
    }
    if (have) {
        r->rep->n_files_same++;
        *got = GOT_SAME;
        goto out;
    }
    if ((text = cJSON_PrintUnformatted(map)) == NULL) {
        err = FW_ENOMEM;
        goto out;
    }
    char name[96], map_path[1024];
    deepstate_name(id, name, sizeof name);
    snprintf(map_path, sizeof map_path, "%s/%s", r->dir, name);
    FILE *fp = fopen(map_path, "wb");
    if (fp == NULL) {
        err = fw_diag_set(r->d, FW_EIO, 0, 0, "cannot write %s", map_path);
        goto out;
    }
    size_t tl = strlen(text);
    int ok = fwrite(text, 1, tl, fp) == tl;
    ok = fclose(fp) == 0 && ok;
    if (!ok) {
        err = fw_diag_set(r->d, FW_EIO, 0, 0, "cannot write %s", map_path);
    } else {
        err = ingest(r, map_path, url, got);
    }
    unlink(map_path);
out:
    free(text);
    cJSON_Delete(inner);
    cJSON_Delete(root);
    free(buf);
    return err;
}

static fw_err update_deepstate(struct run *r)
{
    int64_t newest = 0;
    fw_err err = newest_in_store(r->st, r->info, &newest, r->d);
    if (err != FW_OK) {
        return err;
    }
    int64_t from = history_from(r, newest);
    char url[1200];
    if ((err = join_url(r, "api/history/public", url, sizeof url)) != FW_OK) {
        return err;
    }
    char list_path[1024];
    snprintf(list_path, sizeof list_path, "%s/history_public.json", r->dir);
    struct fw_fetch_req req = {.url = url,
                               .content_types = TYPES_JSON,
                               .max_bytes = (long long)16 << 20,
                               .dest_path = list_path};
    struct fw_fetch_resp resp;
    progress(r, "map list", 0, 0);
    err = fw_fetch_get(r->f, &req, &resp, r->d);
    r->rep->n_requests += resp.n_attempts;
    r->rep->wire_bytes += resp.wire_bytes;
    if (err == FW_ENOTFOUND ||
        (err == FW_ENET && (resp.status == 401 || resp.status == 403))) {
        snprintf(r->rep->note, sizeof r->rep->note,
                 "the map list (%.300s) refused this client (HTTP %ld): "
                 "only the newest map was fetched, from api/history/last",
                 url, resp.status);
        fw_diag_reset(r->d);
        if ((err = join_url(r, "api/history/last", url, sizeof url)) != FW_OK) {
            return err;
        }
        struct get g = {.url = url,
                        .name = "history_last.json",
                        .types = TYPES_JSON,
                        .max_bytes = (long long)64 << 20,
                        .consume = consume_last};
        enum got got;
        progress(r, "newest map", 1, 1);
        return fetch_one(r, &g, &got);
    }
    if (err != FW_OK) {
        return err;
    }
    int64_t *ids = NULL;
    size_t n = 0;
    err = read_list(r, list_path, &ids, &n);
    unlink(list_path);
    if (err != FW_OK) {
        snprintf(r->d->file, sizeof r->d->file, "%.500s", url);
        return err;
    }
    /* the newest map of each UTC day from `from` on, not stored yet */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < from) {
            continue;
        }
        if (i + 1 < n &&
            fw_date_floor_day(ids[i + 1]) == fw_date_floor_day(ids[i])) {
            continue;
        }
        ids[k++] = ids[i];
    }
    struct skipped sk = {FW_OK};
    for (size_t i = 0; i < k && err == FW_OK; i++) {
        int have = 0;
        if ((err = has_snapshot(r, ids[i], &have)) != FW_OK || have) {
            continue;
        }
        char suffix[64], name[96], day[11], what[64];
        snprintf(suffix, sizeof suffix, "api/history/%lld/geojson",
                 (long long)ids[i]);
        if ((err = join_url(r, suffix, url, sizeof url)) != FW_OK) {
            break;
        }
        deepstate_name(ids[i], name, sizeof name);
        fw_date_format_day(ids[i], day);
        snprintf(what, sizeof what, "map of %s", day);
        progress(r, what, i + 1, k);
        struct get g = {.url = url,
                        .name = name,
                        .types = TYPES_JSON,
                        .max_bytes = (long long)128 << 20};
        enum got got;
        err = skip_bad_file(r, fetch_one(r, &g, &got), &sk);
    }
    free(ids);
    return skipped_result(r, err, &sk);
}

/* ---- deepstate_occupied -------------------------------------------------- */

/* The consolidated file is one FeatureCollection of a feature per day,
 * larger than a JSON document may be (json.h caps at 64 MiB), so it is
 * cut into its features by a scanner that follows strings and brackets
 * only; each feature is then parsed as a document of its own and written
 * as that day's occupied-union file. */
struct splitter {
    int depth;
    int in_string, escaped;
    int in_features; /* inside the top-level "features" array */
    char key[16];    /* the last string at depth 1 (a member name) */
    size_t key_len;
    int key_overflow;
    char *feat; /* the feature being collected */
    size_t feat_len, feat_cap;
    int collecting;
};

#define MAX_FEATURE_BYTES ((size_t)64 << 20)

static fw_err feat_put(struct splitter *sp, char c)
{
    if (sp->feat_len == sp->feat_cap) {
        size_t cap = sp->feat_cap ? sp->feat_cap * 2 : (size_t)1 << 20;
        if (cap > MAX_FEATURE_BYTES) {
            return FW_ELIMIT;
        }
        char *p = realloc(sp->feat, cap);
        if (p == NULL) {
            return FW_ENOMEM;
        }
        sp->feat = p;
        sp->feat_cap = cap;
    }
    sp->feat[sp->feat_len++] = c;
    return FW_OK;
}

/* One day: parse the feature, write its file, ingest it when the store
 * lacks the day and it is wanted. */
static fw_err split_day(struct run *r, const char *url, const char *text,
                        size_t len, long index, int64_t from, enum got *got)
{
    cJSON *feat = NULL;
    char *geom = NULL;
    fw_err err = fw_json_parse(text, len, &feat, r->d);
    if (err != FW_OK) {
        r->d->feature = index;
        return err;
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(feat, "properties");
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(props, "date");
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(feat, "geometry");
    int64_t day = 0;
    if (!cJSON_IsString(date) ||
        fw_date_parse_day(date->valuestring, &day) != FW_OK) {
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                          "properties.date: expected YYYY-MM-DD");
        r->d->feature = index;
        goto out;
    }
    if (!cJSON_IsObject(g)) {
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0, "no geometry");
        r->d->feature = index;
        goto out;
    }
    int have = 0;
    if (day < fw_date_floor_day(from) ||
        (err = has_snapshot(r, day, &have)) != FW_OK || have) {
        goto out;
    }
    if ((geom = cJSON_PrintUnformatted(g)) == NULL) {
        err = FW_ENOMEM;
        goto out;
    }
    char name[64], path[1024], what[48];
    snprintf(name, sizeof name, "deepstatemap_data_%.4s%.2s%.2s",
             date->valuestring, date->valuestring + 5, date->valuestring + 8);
    snprintf(path, sizeof path, "%s/%s.geojson", r->dir, name);
    snprintf(what, sizeof what, "occupied area of %s", date->valuestring);
    progress(r, what, 0, 0);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL) {
        err = fw_diag_set(r->d, FW_EIO, 0, 0, "cannot write %s", path);
        goto out;
    }
    int ok = fprintf(fp,
                     "{\"type\":\"FeatureCollection\",\"name\":\"%s\","
                     "\"features\":[{\"type\":\"Feature\",\"properties\":{},"
                     "\"geometry\":%s}]}\n",
                     name, geom) > 0;
    ok = fclose(fp) == 0 && ok;
    if (!ok) {
        err = fw_diag_set(r->d, FW_EIO, 0, 0, "cannot write %s", path);
    } else {
        char origin[1200];
        snprintf(origin, sizeof origin, "%s#%s", url, date->valuestring);
        enum got one;
        err = ingest(r, path, origin, &one);
        if (err == FW_OK && one == GOT_NEW) {
            *got = GOT_NEW;
        }
    }
    unlink(path);
out:
    free(geom);
    cJSON_Delete(feat);
    return err;
}

static fw_err consume_split(struct run *r, const char *path, const char *url,
                            enum got *got)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        return fw_diag_set(r->d, FW_EIO, 0, 0, "cannot open %s", path);
    }
    struct splitter sp = {0};
    char buf[1 << 16];
    int n;
    long index = 0;
    fw_err err = FW_OK;
    *got = GOT_SAME;
    while (err == FW_OK && (n = gzread(gz, buf, sizeof buf)) > 0) {
        for (int i = 0; i < n && err == FW_OK; i++) {
            char c = buf[i];
            if (sp.collecting && (err = feat_put(&sp, c)) != FW_OK) {
                break;
            }
            if (sp.in_string) {
                if (sp.escaped) {
                    sp.escaped = 0;
                } else if (c == '\\') {
                    sp.escaped = 1;
                } else if (c == '"') {
                    sp.in_string = 0;
                } else if (sp.depth == 1) {
                    if (sp.key_len + 1 < sizeof sp.key) {
                        sp.key[sp.key_len++] = c;
                    } else {
                        sp.key_overflow = 1;
                    }
                }
                continue;
            }
            switch (c) {
            case '"':
                sp.in_string = 1;
                if (sp.depth == 1) {
                    sp.key_len = 0;
                    sp.key_overflow = 0;
                }
                break;
            case '{':
            case '[':
                if (c == '[' && sp.depth == 1 && !sp.key_overflow &&
                    sp.key_len == 8 && memcmp(sp.key, "features", 8) == 0) {
                    sp.in_features = 1;
                } else if (c == '{' && sp.depth == 2 && sp.in_features) {
                    sp.collecting = 1;
                    sp.feat_len = 0;
                    err = feat_put(&sp, c);
                }
                if (++sp.depth > FW_JSON_MAX_DEPTH) {
                    err = fw_diag_set(r->d, FW_ELIMIT, 0, 0,
                                      "JSON nested deeper than %d levels",
                                      FW_JSON_MAX_DEPTH);
                }
                break;
            case '}':
            case ']':
                sp.depth--;
                if (sp.depth == 1 && c == ']') {
                    sp.in_features = 0;
                } else if (sp.depth == 2 && c == '}' && sp.collecting) {
                    sp.collecting = 0;
                    err = split_day(r, url, sp.feat, sp.feat_len, index++,
                                    r->split_from_s, got);
                }
                break;
            default:
                break;
            }
        }
    }
    if (err == FW_ELIMIT && r->d->msg[0] == '\0') {
        fw_diag_set(r->d, FW_ELIMIT, 0, 0, "feature %ld is larger than 64 MiB",
                    index);
    }
    int zerr = 0;
    if (err == FW_OK && (n < 0 || gzerror(gz, &zerr) == NULL || zerr < 0)) {
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                          "truncated or corrupt gzip data");
    }
    if (err == FW_OK && (sp.depth != 0 || sp.in_string)) {
        err = fw_diag_set(r->d, FW_EPARSE, 0, 0,
                          "unexpected end of input (truncated file?)");
    }
    gzclose(gz);
    free(sp.feat);
    return err;
}

static fw_err update_occupied(struct run *r)
{
    int64_t newest = 0;
    fw_err err = newest_in_store(r->st, r->info, &newest, r->d);
    if (err != FW_OK) {
        return err;
    }
    int64_t from = history_from(r, newest);
    int64_t today = fw_date_floor_day(r->now_s);
    int64_t probe_from = today - (FW_UPDATE_PROBE_DAYS - 1) * FW_DAY_S;
    char url[1200];
    enum got got;
    if (from < probe_from) {
        if ((err = join_url(r, "deepstate-map-data.geojson.gz", url,
                            sizeof url)) != FW_OK) {
            return err;
        }
        r->split_from_s = from;
        struct get g = {.url = url,
                        .name = "deepstate-map-data.geojson.gz",
                        .types = TYPES_GZIP,
                        .max_bytes = FW_FETCH_MAX_BYTES,
                        .use_cache = 1,
                        .is_cumulative = 1,
                        .is_whole = r->o->since_s > 0,
                        .consume = consume_split};
        progress(r, "consolidated file", 0, 0);
        if ((err = fetch_one(r, &g, &got)) != FW_OK) {
            return err;
        }
        if ((err = newest_in_store(r->st, r->info, &newest, r->d)) != FW_OK) {
            return err;
        }
    }
    int64_t day = fw_date_floor_day(newest) + FW_DAY_S;
    if (day < probe_from) {
        day = probe_from;
    }
    if (day < fw_date_floor_day(from)) {
        day = fw_date_floor_day(from);
    }
    size_t n_days = day <= today ? (size_t)((today - day) / FW_DAY_S) + 1 : 0;
    struct skipped sk = {FW_OK};
    for (size_t i = 0; day <= today && err == FW_OK; day += FW_DAY_S, i++) {
        char ymd[11], suffix[80], name[64], what[48];
        fw_date_format_day(day, ymd);
        snprintf(name, sizeof name, "deepstatemap_data_%.4s%.2s%.2s.geojson",
                 ymd, ymd + 5, ymd + 8);
        snprintf(suffix, sizeof suffix, "data/%s", name);
        if ((err = join_url(r, suffix, url, sizeof url)) != FW_OK) {
            break;
        }
        int have = 0;
        if ((err = has_snapshot(r, day, &have)) != FW_OK || have) {
            continue;
        }
        snprintf(what, sizeof what, "occupied area of %s", ymd);
        progress(r, what, i + 1, n_days);
        struct get g = {.url = url,
                        .name = name,
                        .types = TYPES_JSON,
                        .max_bytes = (long long)64 << 20,
                        .use_cache = 1,
                        .missing_is_nothing = 1};
        err = skip_bad_file(r, fetch_one(r, &g, &got), &sk);
    }
    return skipped_result(r, err, &sk);
}

/* ---- alerts -------------------------------------------------------------- */

static fw_err update_alerts_csv(struct run *r)
{
    struct get g = {.url = r->url,
                    .name = r->src == FW_UPDATE_ALERTS_OFFICIAL
                                ? "official_data_en.csv"
                                : "volunteer_data_en.csv",
                    .types = TYPES_CSV,
                    .max_bytes = (long long)FW_IO_MAX_BYTES,
                    .use_cache = 1,
                    .is_cumulative = 1};
    enum got got;
    progress(r, g.name, 1, 1);
    return fetch_one(r, &g, &got);
}

/* An alerts.in.ua answer: ingested unless it holds no alert at all (a
 * quiet region; its meta time changes with every request, so each such
 * answer would otherwise be logged as a new file, every hour). A document
 * that is not an object with an "alerts" array goes to the ingest, whose
 * reader says what is wrong with it. */
static fw_err consume_in_ua(struct run *r, const char *path, const char *url,
                            enum got *got)
{
    char *buf = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    fw_err err = fw_io_read_file(path, (size_t)64 << 20, &buf, &len, NULL);
    int is_empty = 0;
    if (err == FW_OK && fw_json_parse(buf, len, &root, NULL) == FW_OK) {
        const cJSON *alerts = cJSON_GetObjectItemCaseSensitive(root, "alerts");
        is_empty = cJSON_IsArray(alerts) && cJSON_GetArraySize(alerts) == 0;
    }
    cJSON_Delete(root);
    free(buf);
    if (is_empty) {
        r->rep->n_files_same++;
        *got = GOT_SAME;
        return FW_OK;
    }
    return ingest(r, path, url, got);
}

static fw_err update_alerts_in_ua(struct run *r)
{
    if (r->o->token == NULL || r->o->token[0] == '\0') {
        r->rep->is_skipped = 1;
        snprintf(r->rep->note, sizeof r->rep->note,
                 "skipped: no token (set FRONTWATCH_ALERTS_IN_UA_TOKEN or "
                 "alerts_in_ua.token in the config file)");
        return FW_OK;
    }
    const char *list = r->o->in_ua_regions ? r->o->in_ua_regions
                                           : FW_UPDATE_IN_UA_DEFAULT_REGIONS;
    long uids[64];
    size_t n = 0;
    for (const char *p = list; *p != '\0';) {
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || v > 999 || n == 64 ||
            (*end != ',' && *end != '\0')) {
            return fw_diag_set(r->d, FW_EUSAGE, 0, 0,
                               "alerts_in_ua regions '%s': expected region "
                               "ids separated by commas",
                               list);
        }
        uids[n++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    long interval =
        r->o->interval_ms > 0 ? r->o->interval_ms : FW_UPDATE_IN_UA_INTERVAL_MS;
    fw_err err = FW_OK;
    for (size_t i = 0; i < n && err == FW_OK; i++) {
        char suffix[64], url[1200], name[64], what[48];
        snprintf(suffix, sizeof suffix, "v1/regions/%ld/alerts/month_ago.json",
                 uids[i]);
        if ((err = join_url(r, suffix, url, sizeof url)) != FW_OK) {
            break;
        }
        snprintf(name, sizeof name, "alerts_in_ua_region_%ld.json", uids[i]);
        snprintf(what, sizeof what, "region %ld", uids[i]);
        progress(r, what, i + 1, n);
        struct get g = {.url = url,
                        .name = name,
                        .types = TYPES_JSON,
                        .max_bytes = (long long)64 << 20,
                        .use_cache = 1,
                        .token = r->o->token,
                        .host_delay_ms = interval,
                        .consume = consume_in_ua};
        enum got got;
        err = fetch_one(r, &g, &got);
    }
    return err;
}

/* ---- the run ------------------------------------------------------------- */

static void remove_dir(const char *dir)
{
    /* every file is unlinked where it was made; only the folder is left */
    rmdir(dir);
}

fw_err fw_update_run(fw_store *st, fw_fetch *f, enum fw_update_source s,
                     const struct fw_update_opts *o,
                     struct fw_update_report *rep, struct fw_diag *d)
{
    memset(rep, 0, sizeof *rep);
    fw_diag_reset(d);
    if (s >= FW_UPDATE_N_SOURCES || o == NULL) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no such source");
    }
    struct fw_diag local;
    struct run r = {.st = st,
                    .f = f,
                    .src = s,
                    .info = &SOURCES[s],
                    .o = o,
                    .rep = rep,
                    .d = d != NULL ? d : &local,
                    .url = o->url != NULL ? o->url : SOURCES[s].default_url,
                    .now_s = o->now_s > 0 ? o->now_s : (int64_t)time(NULL)};
    fw_diag_reset(r.d);
    const char *base = o->work_dir;
    if (base == NULL) {
        base = getenv("TMPDIR");
    }
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    int n = snprintf(r.dir, sizeof r.dir, "%s/frontwatch-update-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof r.dir || mkdtemp(r.dir) == NULL) {
        return fw_diag_set(r.d, FW_EIO, 0, 0,
                           "cannot make a temporary folder in %s: %s", base,
                           strerror(errno));
    }
    fw_err err = state_put(&r, 0, NULL);
    if (err != FW_OK) {
        remove_dir(r.dir);
        return fw_diag_set(r.d, err, 0, 0, "%s",
                           sqlite3_errmsg(fw_store_db(st)));
    }
    switch (s) {
    case FW_UPDATE_DEEPSTATE:
        err = update_deepstate(&r);
        break;
    case FW_UPDATE_DEEPSTATE_OCCUPIED:
        err = update_occupied(&r);
        break;
    case FW_UPDATE_ALERTS_OFFICIAL:
    case FW_UPDATE_ALERTS_VOLUNTEER:
        err = update_alerts_csv(&r);
        break;
    case FW_UPDATE_ALERTS_IN_UA:
        err = update_alerts_in_ua(&r);
        break;
    case FW_UPDATE_N_SOURCES:
        break;
    }
    remove_dir(r.dir);
    if (err == FW_OK) {
        if (!rep->is_skipped) {
            state_put(&r, 1, NULL);
        }
    } else {
        char msg[1200];
        fw_diag_format(r.d, msg, sizeof msg);
        state_put(&r, 1, msg);
    }
    fw_err e2 = newest_in_store(st, r.info, &rep->newest_s, NULL);
    return err != FW_OK ? err : e2;
}

fw_err fw_update_status(fw_store *st, enum fw_update_source s,
                        struct fw_update_status *out, struct fw_diag *d)
{
    memset(out, 0, sizeof *out);
    if (s >= FW_UPDATE_N_SOURCES) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no such source");
    }
    sqlite3_stmt *q = NULL;
    fw_err err = fw_store_prepare(st,
                                  "SELECT last_try_s, last_success_s,"
                                  " last_error, url FROM source_state"
                                  " WHERE name=?1",
                                  &q, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(q, 1, SOURCES[s].name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->last_try_s = sqlite3_column_int64(q, 0);
        out->last_success_s = sqlite3_column_int64(q, 1);
        const char *v = (const char *)sqlite3_column_text(q, 2);
        snprintf(out->last_error, sizeof out->last_error, "%s", v ? v : "");
        v = (const char *)sqlite3_column_text(q, 3);
        snprintf(out->last_url, sizeof out->last_url, "%s", v ? v : "");
    } else if (rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                          sqlite3_errmsg(fw_store_db(st)));
    }
    sqlite3_finalize(q);
    if (err != FW_OK) {
        return err;
    }
    return newest_in_store(st, &SOURCES[s], &out->newest_s, d);
}

fw_err fw_update_lock(const char *store_path, int *fd_out, struct fw_diag *d)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s.update-lock", store_path);
    if (n < 0 || (size_t)n >= sizeof path) {
        return fw_diag_set(d, FW_EIO, 0, 0, "store path too long");
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot open lock file %s: %s",
                           path, strerror(errno));
    }
    /* flock, not fcntl: its lock belongs to the open file, so a second
     * update in the same process is refused too */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t got = pread(fd, pid, sizeof pid - 1, 0);
        pid[got > 0 ? got : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        if (e == EWOULDBLOCK) {
            return fw_diag_set(d, FW_EBUSY, 0, 0,
                               "another update of this store is running "
                               "(process %s holds %s)",
                               pid[0] ? pid : "?", path);
        }
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot lock %s: %s", path,
                           strerror(e));
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        /* the pid is for messages only: the lock holds without it */
    }
    *fd_out = fd;
    return FW_OK;
}

void fw_update_unlock(int fd)
{
    if (fd >= 0) {
        close(fd); /* releases the lock */
    }
}

int fw_update_is_stale(const struct fw_update_source_info *info,
                       int64_t now_s, int64_t newest_s)
{
    int64_t limit = 2 * (int64_t)info->cadence_s;
    if (limit < 2 * FW_DAY_S) {
        limit = 2 * FW_DAY_S;
    }
    return newest_s <= 0 || now_s - newest_s > limit;
}
