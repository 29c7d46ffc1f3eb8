/*
 * ingest.c - source file -> reader -> store, one transaction per file
 * (see ingest.h). This file implements the readers' sink (record.h) on
 * top of prepared statements; the readers never see SQL.
 */
#include "frontwatch/ingest.h"

#include <geodesic.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "frontwatch/alerts.h"
#include "frontwatch/events.h"
#include "frontwatch/frontline.h"
#include "frontwatch/gazetteer.h"
#include "frontwatch/io.h"
#include "frontwatch/record.h"
#include "frontwatch/text.h"
#include "text_int.h"

/* Issues kept per file; the rest are counted only. */
#define MAX_ISSUES_PER_FILE 1000

const char *fw_source_kind_name(enum fw_source_kind kind)
{
    switch (kind) {
    case FW_SOURCE_GEONAMES: return "geonames";
    case FW_SOURCE_KSE: return "kse-hromada-centres";
    case FW_SOURCE_ALERTS: return "alerts";
    case FW_SOURCE_ALERT_REGIONS: return "alert-regions";
    case FW_SOURCE_FRONTLINE: return "frontline";
    case FW_SOURCE_BOUNDARIES: return "boundaries";
    case FW_SOURCE_MISSILES: return "missile-attacks";
    case FW_SOURCE_UNKNOWN: break;
    }
    return "unknown";
}

/* ---- sniffing ---------------------------------------------------------- */

static int first_line_has(const char *buf, const char *needle)
{
    const char *nl = strchr(buf, '\n');
    const char *hit = strstr(buf, needle);
    return hit != NULL && (nl == NULL || hit < nl);
}

static enum fw_source_kind sniff_buf(const char *buf, int n);

fw_err fw_ingest_sniff(const char *path, enum fw_source_kind *kind,
                       struct fw_diag *d)
{
    char buf[65537];
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot open");
    }
    int n = gzread(gz, buf, sizeof buf - 1);
    gzclose(gz);
    if (n < 0) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot read");
    }
    buf[n] = '\0';
    *kind = sniff_buf(buf, n);
    return FW_OK;
}

/* The kind of a source whose first bytes (decompressed) are
 * buf[0..n) with buf[n] = '\0', n at most 64 KiB. */
static enum fw_source_kind sniff_buf(const char *buf, int n)
{
    enum fw_source_kind k;
    const char *p = buf;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }
    size_t tabs = 0;
    for (const char *q = p; *q && *q != '\n'; q++) {
        tabs += *q == '\t';
    }
    k = FW_SOURCE_UNKNOWN;
    if (tabs == 18) {
        k = FW_SOURCE_GEONAMES;
    } else if (strncmp(p, "oblast,raion,hromada,level,", 27) == 0 ||
               strncmp(p, "region,started_at,finished_at", 29) == 0) {
        k = FW_SOURCE_ALERTS;
    } else if (strncmp(p, "time_start,time_end,model,", 26) == 0) {
        k = FW_SOURCE_MISSILES;
    } else if (first_line_has(p, "hromada_center_code") &&
               first_line_has(p, "lat_center") &&
               first_line_has(p, "total_population_2022")) {
        k = FW_SOURCE_KSE;
    } else if (strstr(p, "\"stateId\"") != NULL) {
        k = FW_SOURCE_ALERT_REGIONS;
    } else {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            p++;
        }
        if (*p == '{') {
            /* a GeoJSON map or boundary file; the reader tells which */
            k = FW_SOURCE_FRONTLINE;
        }
    }
    return k;
}

/* ---- the sink ---------------------------------------------------------- */

enum {
    S_PLACE,
    S_PLACE_NAME,
    S_PLACE_RTREE,
    S_REGION,
    S_ALERT,
    S_SNAPSHOT,
    S_POLYGON,
    S_POLYGON_RTREE,
    S_BOUNDARY,
    S_ISSUE,
    S_EVENT,
    N_STMTS
};

static const char *const SQL[N_STMTS] = {
    [S_PLACE] =
        "INSERT INTO place(source, source_id, name, lat, lon, population,"
        " oblast_iso, raion, hromada, kind, log_id)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
        " ON CONFLICT(source, source_id) DO UPDATE SET name=?3, lat=?4,"
        " lon=?5, population=?6, oblast_iso=?7, raion=?8, hromada=?9,"
        " kind=?10, log_id=?11 WHERE place.log_id IS NOT ?11 RETURNING id",
    [S_PLACE_NAME] = "INSERT OR IGNORE INTO place_name(place_id, key, name)"
                     " VALUES(?1,?2,?3)",
    [S_PLACE_RTREE] = "INSERT OR REPLACE INTO place_rtree VALUES(?1,?2,?2,?3,?3)",
    [S_REGION] = "INSERT OR REPLACE INTO region(id, level, parent_id, name,"
                 " key, oblast_iso) VALUES(?1,?2,?3,?4,?5,?6)",
    [S_ALERT] = "INSERT OR IGNORE INTO alert(source, level, oblast_iso,"
                " raion, hromada, start_s, end_s, is_naive, log_id)"
                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [S_SNAPSHOT] = "INSERT INTO snapshot(source, published_s, as_of_s,"
                   " log_id) VALUES(?1,?2,?3,?4)",
    [S_POLYGON] = "INSERT INTO polygon(snapshot_id, cls, area_km2, wkb)"
                  " VALUES(?1,?2,?3,?4)",
    [S_POLYGON_RTREE] = "INSERT INTO polygon_rtree VALUES(?1,?2,?3,?4,?5)",
    [S_BOUNDARY] = "INSERT INTO boundary(oblast_iso, name, area_km2, wkb,"
                   " log_id) VALUES(?1,?2,?3,?4,?5)",
    [S_ISSUE] = "INSERT INTO ingest_issue(log_id, line, feature, is_repair,"
                " reason) VALUES(?1,?2,?3,?4,?5)",
    [S_EVENT] = "INSERT INTO event(source, t_s, lat, lon, oblast_iso, area,"
                " type, count, source_row, log_id)"
                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
};

struct ingest {
    fw_store *st;
    sqlite3 *db;
    sqlite3_stmt *stmt[N_STMTS];
    long long log_id;
    long long snapshot_id;     /* current map snapshot, 0 = none */
    char boundary_iso[16];     /* current boundary, "" = none */
    char boundary_name[256];
    char event_row[32];        /* source_row of the last event, "" = none */
    struct fw_ingest_result *res;
    long n_issues;
    struct fw_diag *d;
    const char *path;
    fw_progress_fn progress;
    void *progress_ctx;
};

static fw_err sql_fail(struct ingest *in)
{
    return fw_diag_set(in->d, FW_ESQL, 0, 0, "store: %s",
                       sqlite3_errmsg(in->db));
}

/* Steps a statement expecting SQLITE_DONE and resets it. */
static fw_err step_done(struct ingest *in, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? FW_OK : sql_fail(in);
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v != NULL && v[0] != '\0') {
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(s, i);
    }
}

static void note_issue(struct ingest *in, long line, long feature,
                       int is_repair, const char *reason)
{
    if (is_repair) {
        in->res->rows_repaired++;
    } else {
        in->res->rows_rejected++;
        in->res->rows_read++;
    }
    if (in->res->first_issue[0] == '\0') {
        snprintf(in->res->first_issue, sizeof in->res->first_issue, "%s%s",
                 is_repair ? "repaired: " : "rejected: ", reason);
    }
    if (in->n_issues++ >= MAX_ISSUES_PER_FILE) {
        return;
    }
    sqlite3_stmt *s = in->stmt[S_ISSUE];
    sqlite3_bind_int64(s, 1, in->log_id);
    if (line > 0) {
        sqlite3_bind_int64(s, 2, line);
    }
    if (feature >= 0) {
        sqlite3_bind_int64(s, 3, feature);
    }
    sqlite3_bind_int(s, 4, is_repair);
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_TRANSIENT);
    /* An issue that cannot be stored is still counted; the transaction's
     * commit reports a broken store. */
    (void)step_done(in, s);
}

static void on_reject(void *ctx, long line, long feature, const char *reason)
{
    note_issue(ctx, line, feature, 0, reason);
}

static void on_repair(void *ctx, long line, long feature, const char *what)
{
    note_issue(ctx, line, feature, 1, what);
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct ingest *in = ctx;
    if (in->progress != NULL) {
        in->progress(in->progress_ctx, in->path, done, total);
    }
}

static fw_err add_name(struct ingest *in, long long id, const char *name)
{
    char key[256];
    if (name == NULL || fw_text_key(name, key, sizeof key) != FW_OK ||
        key[0] == '\0') {
        return FW_OK; /* a name in a script we do not search is skipped */
    }
    sqlite3_stmt *s = in->stmt[S_PLACE_NAME];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
    return step_done(in, s);
}

static fw_err on_place(void *ctx, const struct fw_place_rec *p)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[S_PLACE];
    sqlite3_bind_text(s, 1, p->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, p->source_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, p->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 4, p->lat_deg);
    sqlite3_bind_double(s, 5, p->lon_deg);
    if (p->population >= 0) {
        sqlite3_bind_int64(s, 6, p->population);
    }
    bind_text_or_null(s, 7, p->oblast_iso);
    bind_text_or_null(s, 8, p->raion);
    bind_text_or_null(s, 9, p->hromada);
    bind_text_or_null(s, 10, p->kind);
    sqlite3_bind_int64(s, 11, in->log_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        /* The conflict's WHERE kept the row: this file already wrote that
         * place (a newer file updates it). The first row stands. */
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        char why[160];
        snprintf(why, sizeof why,
                 "duplicate of %s place %.*s earlier in this file",
                 p->source, (int)fw_text_clip_len(p->source_id, 40),
                 p->source_id);
        note_issue(in, 0, -1, 0, why);
        return FW_OK;
    }
    if (rc != SQLITE_ROW) {
        fw_err err = sql_fail(in);
        sqlite3_reset(s);
        return err;
    }
    long long id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);

    fw_err err = add_name(in, id, p->name);
    for (size_t i = 0; err == FW_OK && i < p->n_alt_names; i++) {
        err = add_name(in, id, p->alt_names[i]);
    }
    if (err != FW_OK) {
        return err;
    }
    s = in->stmt[S_PLACE_RTREE];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, p->lon_deg);
    sqlite3_bind_double(s, 3, p->lat_deg);
    if ((err = step_done(in, s)) != FW_OK) {
        return err;
    }
    in->res->rows_read++;
    in->res->rows_accepted++;
    return FW_OK;
}

static fw_err on_region(void *ctx, const struct fw_region_rec *r)
{
    struct ingest *in = ctx;
    char key[512];
    if (fw_text_key(r->name, key, sizeof key) != FW_OK) {
        key[0] = '\0';
    }
    sqlite3_stmt *s = in->stmt[S_REGION];
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int(s, 2, (int)r->level);
    sqlite3_bind_int64(s, 3, r->parent_id);
    sqlite3_bind_text(s, 4, r->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, key, -1, SQLITE_TRANSIENT);
    bind_text_or_null(s, 6, r->oblast_iso);
    fw_err err = step_done(in, s);
    if (err == FW_OK) {
        in->res->rows_read++;
        in->res->rows_accepted++;
    }
    return err;
}

static fw_err on_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[S_ALERT];
    sqlite3_bind_text(s, 1, a->source, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, (int)a->level);
    sqlite3_bind_text(s, 3, a->oblast_iso, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, a->raion ? a->raion : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, a->hromada ? a->hromada : "", -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, a->start_s);
    sqlite3_bind_int64(s, 7, a->end_s);
    sqlite3_bind_int(s, 8, a->is_naive);
    sqlite3_bind_int64(s, 9, in->log_id);
    fw_err err = step_done(in, s);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_changes(in->db) == 0) {
        note_issue(in, 0, -1, 0, "duplicate of an alert already stored");
        return FW_OK;
    }
    in->res->rows_read++;
    in->res->rows_accepted++;
    return FW_OK;
}

static fw_err on_snapshot(void *ctx, const struct fw_snapshot_rec *r)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[S_SNAPSHOT];
    sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, r->published_s);
    sqlite3_bind_int64(s, 3, r->as_of_s);
    sqlite3_bind_int64(s, 4, in->log_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        return fw_diag_set(in->d, FW_EPARSE, 0, 0,
                           "the store already holds a %s snapshot published "
                           "at this time, from another file",
                           r->source);
    }
    if (rc != SQLITE_DONE) {
        return sql_fail(in);
    }
    in->snapshot_id = sqlite3_last_insert_rowid(in->db);
    in->res->kind = FW_SOURCE_FRONTLINE;
    return FW_OK;
}

static fw_err on_boundary(void *ctx, const struct fw_boundary_rec *b)
{
    struct ingest *in = ctx;
    snprintf(in->boundary_iso, sizeof in->boundary_iso, "%s", b->oblast_iso);
    snprintf(in->boundary_name, sizeof in->boundary_name, "%s", b->name);
    in->res->kind = FW_SOURCE_BOUNDARIES;
    return FW_OK;
}

static fw_err on_polygon(void *ctx, const struct fw_polygon_rec *p)
{
    struct ingest *in = ctx;
    fw_err err;
    sqlite3_stmt *s;
    if (in->boundary_iso[0] != '\0') {
        s = in->stmt[S_BOUNDARY];
        sqlite3_bind_text(s, 1, in->boundary_iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, in->boundary_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 3, p->area_km2);
        /* static: step_done clears the binding before p->wkb goes */
        sqlite3_bind_blob(s, 4, p->wkb, (int)p->wkb_len, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, in->log_id);
        if ((err = step_done(in, s)) != FW_OK) {
            return err;
        }
    } else if (in->snapshot_id != 0) {
        s = in->stmt[S_POLYGON];
        sqlite3_bind_int64(s, 1, in->snapshot_id);
        sqlite3_bind_int(s, 2, (int)p->cls);
        sqlite3_bind_double(s, 3, p->area_km2);
        sqlite3_bind_blob(s, 4, p->wkb, (int)p->wkb_len, SQLITE_STATIC);
        if ((err = step_done(in, s)) != FW_OK) {
            return err;
        }
        s = in->stmt[S_POLYGON_RTREE];
        sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(in->db));
        sqlite3_bind_double(s, 2, p->min_lon);
        sqlite3_bind_double(s, 3, p->max_lon);
        sqlite3_bind_double(s, 4, p->min_lat);
        sqlite3_bind_double(s, 5, p->max_lat);
        if ((err = step_done(in, s)) != FW_OK) {
            return err;
        }
    } else {
        return fw_diag_set(in->d, FW_EPARSE, 0, 0,
                           "polygon before its snapshot or boundary");
    }
    in->res->rows_read++;
    in->res->rows_accepted++;
    return FW_OK;
}

/* One record per (row, target): rows are counted once, at their first
 * record (a row's records arrive together). */
static fw_err on_event(void *ctx, const struct fw_event_rec *e)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[S_EVENT];
    sqlite3_bind_text(s, 1, e->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, e->t_s);
    if (e->has_position) {
        sqlite3_bind_double(s, 3, e->lat_deg);
        sqlite3_bind_double(s, 4, e->lon_deg);
    }
    bind_text_or_null(s, 5, e->oblast_iso);
    bind_text_or_null(s, 6, e->area);
    sqlite3_bind_text(s, 7, e->type, -1, SQLITE_TRANSIENT);
    if (e->count >= 0) {
        sqlite3_bind_int64(s, 8, e->count);
    }
    bind_text_or_null(s, 9, e->source_row);
    sqlite3_bind_int64(s, 10, in->log_id);
    fw_err err = step_done(in, s);
    if (err != FW_OK) {
        return err;
    }
    const char *row = e->source_row != NULL ? e->source_row : "";
    if (row[0] == '\0' || strcmp(row, in->event_row) != 0) {
        snprintf(in->event_row, sizeof in->event_row, "%s", row);
        in->res->rows_read++;
        in->res->rows_accepted++;
    }
    return FW_OK;
}

/* A new version of the missile table replaces the events of the older one
 * (the table is cumulative; see ingest.h). Inside the file's transaction:
 * if the file fails, the old events stay. */
static fw_err replace_missile_events(struct ingest *in)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        in->st, "DELETE FROM event WHERE source=?1 AND log_id<>?2", &s, in->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, FW_EVENTS_SOURCE_MISSILES, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, in->log_id);
    err = step_done(in, s);
    sqlite3_finalize(s);
    return err;
}

/* ---- one file ---------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static fw_err is_duplicate(struct ingest *in, const char *sha,
                           const char *name, int *dup)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        in->st, "SELECT 1 FROM ingest_log WHERE sha256=?1 AND name=?2", &s,
        in->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *dup = 1;
    } else if (rc == SQLITE_DONE) {
        *dup = 0;
    } else {
        err = sql_fail(in);
    }
    sqlite3_finalize(s);
    return err;
}

static fw_err insert_log(struct ingest *in, const char *path, const char *sha)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        in->st,
        "INSERT INTO ingest_log(path, name, sha256, kind, ingested_at,"
        " rows_read, rows_accepted, rows_rejected, rows_repaired)"
        " VALUES(?1,?2,?3,?4,?5,0,0,0,0)",
        &s, in->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, base_name(path), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, fw_source_kind_name(in->res->kind), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
    err = step_done(in, s);
    sqlite3_finalize(s);
    in->log_id = sqlite3_last_insert_rowid(in->db);
    return err;
}

/* Writes the final counts and the per-snapshot area totals. */
static fw_err finish_log(struct ingest *in)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        in->st,
        "UPDATE ingest_log SET kind=?2, rows_read=?3, rows_accepted=?4,"
        " rows_rejected=?5, rows_repaired=?6 WHERE id=?1",
        &s, in->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, in->log_id);
    sqlite3_bind_text(s, 2, fw_source_kind_name(in->res->kind), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, in->res->rows_read);
    sqlite3_bind_int64(s, 4, in->res->rows_accepted);
    sqlite3_bind_int64(s, 5, in->res->rows_rejected);
    sqlite3_bind_int64(s, 6, in->res->rows_repaired);
    err = step_done(in, s);
    sqlite3_finalize(s);
    if (err != FW_OK || in->snapshot_id == 0) {
        return err;
    }
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE snapshot SET"
             " n_polygons=(SELECT count(*) FROM polygon WHERE snapshot_id=%lld),"
             " occupied_km2=(SELECT coalesce(sum(area_km2),0) FROM polygon"
             "   WHERE snapshot_id=%lld AND cls IN (1,2)),"
             " contested_km2=(SELECT coalesce(sum(area_km2),0) FROM polygon"
             "   WHERE snapshot_id=%lld AND cls=3)"
             " WHERE id=%lld",
             in->snapshot_id, in->snapshot_id, in->snapshot_id,
             in->snapshot_id);
    return fw_store_exec(in->st, sql, in->d);
}

static fw_err run_reader(struct ingest *in, const char *path,
                         const char *buf, size_t len)
{
    struct fw_sink sink = {
        .ctx = in,
        .place = on_place,
        .alert = on_alert,
        .region = on_region,
        .snapshot = on_snapshot,
        .boundary = on_boundary,
        .polygon = on_polygon,
        .event = on_event,
        .reject = on_reject,
        .repair = on_repair,
        .progress = on_progress,
    };
    switch (in->res->kind) {
    case FW_SOURCE_GEONAMES:
        return fw_gazetteer_read_geonames(buf, len, &sink, in->d);
    case FW_SOURCE_KSE:
        return fw_gazetteer_read_kse(buf, len, &sink, in->d);
    case FW_SOURCE_ALERTS:
        return fw_alerts_read_csv(buf, len, &sink, in->d);
    case FW_SOURCE_ALERT_REGIONS:
        return fw_alerts_read_regions(buf, len, &sink, in->d);
    case FW_SOURCE_MISSILES: {
        fw_err err = replace_missile_events(in);
        return err != FW_OK ? err
                            : fw_events_read_missiles(buf, len, &sink, in->d);
    }
    case FW_SOURCE_FRONTLINE:
    case FW_SOURCE_BOUNDARIES: {
        enum fw_geojson_kind gk = FW_GEOJSON_UNKNOWN;
        fw_err err = fw_frontline_read(path, buf, len, &sink, &gk, in->d);
        /* valid JSON of no shape we know: not ours. Invalid JSON always
         * has a line, and is an error of a file that looked like ours. */
        if (err != FW_OK && gk == FW_GEOJSON_UNKNOWN &&
            (in->d == NULL || in->d->line == 0)) {
            in->res->kind = FW_SOURCE_UNKNOWN;
            return FW_EUSAGE;
        }
        return err;
    }
    case FW_SOURCE_UNKNOWN:
        break;
    }
    return FW_EUSAGE;
}

fw_err fw_ingest_file(fw_store *st, const char *path, fw_progress_fn progress,
                      void *progress_ctx, struct fw_ingest_result *res,
                      struct fw_diag *d)
{
    struct fw_ingest_result local;
    struct ingest in = {.st = st,
                        .db = fw_store_db(st),
                        .res = res != NULL ? res : &local,
                        .d = d,
                        .path = path,
                        .progress = progress,
                        .progress_ctx = progress_ctx};
    memset(in.res, 0, sizeof *in.res);
    fw_diag_reset(d);
    if (d != NULL) {
        snprintf(d->file, sizeof d->file, "%s", path);
    }
    char *buf = NULL;
    size_t len = 0;
    int in_tx = 0;
    fw_err err = fw_ingest_sniff(path, &in.res->kind, d);
    if (err != FW_OK) {
        return err;
    }
    if (in.res->kind == FW_SOURCE_UNKNOWN) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "not a recognised source");
    }
    if (fw_io_sha256_file(path, in.res->sha256) != FW_OK) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot read");
    }
    int dup = 0;
    if ((err = is_duplicate(&in, in.res->sha256, base_name(path), &dup)) !=
        FW_OK) {
        return err;
    }
    if (dup) {
        in.res->is_duplicate = 1;
        return FW_OK;
    }
    if ((err = fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len, d)) !=
        FW_OK) {
        goto out;
    }
    for (int i = 0; i < N_STMTS; i++) {
        if ((err = fw_store_prepare(st, SQL[i], &in.stmt[i], d)) != FW_OK) {
            goto out;
        }
    }
    if ((err = fw_store_exec(st, "BEGIN IMMEDIATE", d)) != FW_OK) {
        goto out;
    }
    in_tx = 1;
    if ((err = insert_log(&in, path, in.res->sha256)) != FW_OK ||
        (err = run_reader(&in, path, buf, len)) != FW_OK ||
        (err = finish_log(&in)) != FW_OK) {
        if (err == FW_EUSAGE && in.res->kind == FW_SOURCE_UNKNOWN) {
            fw_diag_set(d, FW_EUSAGE, 0, 0, "not a recognised source");
        }
        goto out;
    }
    err = fw_store_exec(st, "COMMIT", d);
    in_tx = err != FW_OK;
out:
    if (in_tx) {
        /* the file failed: nothing of it stays */
        sqlite3_exec(in.db, "ROLLBACK", NULL, NULL, NULL);
    }
    for (int i = 0; i < N_STMTS; i++) {
        sqlite3_finalize(in.stmt[i]);
    }
    free(buf);
    return err;
}

/* ---- pipelined ingest ------------------------------------------------ */

/* A worker parses a file into a batch: a copy of every record its reader
 * produced (records borrow their pointers for the callback only, record.h),
 * in order, in a chunked arena so that pointers into it stay valid. The
 * caller's thread replays the batch into the store sink above. */

enum rec_tag {
    R_PLACE,
    R_ALERT,
    R_REGION,
    R_SNAPSHOT,
    R_BOUNDARY,
    R_POLYGON,
    R_EVENT,
    R_REJECT,
    R_REPAIR,
    R_PROGRESS
};

struct rec {
    struct rec *next;
    enum rec_tag tag;
    union {
        struct fw_place_rec place;
        struct fw_alert_rec alert;
        struct fw_region_rec region;
        struct fw_snapshot_rec snapshot;
        struct fw_boundary_rec boundary;
        struct fw_polygon_rec polygon;
        struct fw_event_rec event;
        struct {
            long line, feature;
            const char *text;
        } issue;
        struct {
            size_t done, total;
        } progress;
    } u;
};

struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

#define CHUNK_BYTES ((size_t)1 << 20)

struct batch {
    struct chunk *chunks;
    struct rec *head, **tail;
    int last_pct;
    const atomic_int *cancel;
    int lost; /* a reject or repair could not be kept */
    int oom;  /* an allocation failed: the batch is not complete */
};

static void batch_init(struct batch *b, const atomic_int *cancel)
{
    memset(b, 0, sizeof *b);
    b->tail = &b->head;
    b->last_pct = -1;
    b->cancel = cancel;
}

static void batch_free(struct batch *b)
{
    struct chunk *c = b->chunks;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    batch_init(b, b->cancel);
}

static void *b_alloc(struct batch *b, size_t n)
{
    n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    struct chunk *c = b->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        struct chunk *nc = malloc(sizeof *nc + cap);
        if (nc == NULL) {
            b->oom = 1;
            return NULL;
        }
        nc->used = 0;
        nc->cap = cap;
        if (c != NULL && n > CHUNK_BYTES) {
            /* a big item: keep filling the current chunk afterwards */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            b->chunks = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* Copies s into the batch; NULL stays NULL. *ok is cleared on failure. */
static const char *b_str(struct batch *b, const char *s, int *ok)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *c = b_alloc(b, n);
    if (c == NULL) {
        *ok = 0;
        return NULL;
    }
    memcpy(c, s, n);
    return c;
}

static struct rec *b_rec(struct batch *b, enum rec_tag tag)
{
    if (atomic_load(b->cancel)) {
        return NULL;
    }
    struct rec *r = b_alloc(b, sizeof *r);
    if (r != NULL) {
        r->next = NULL;
        r->tag = tag;
        *b->tail = r;
        b->tail = &r->next;
    }
    return r;
}

/* Abandoned (the run stopped) or out of memory: either way the worker's
 * result is not used; the file is ingested serially if it is asked for. */
static fw_err rec_fail(struct batch *b)
{
    return atomic_load(b->cancel) ? FW_EUSAGE : FW_ENOMEM;
}

static fw_err rec_place(void *ctx, const struct fw_place_rec *p)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_PLACE);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    struct fw_place_rec *q = &r->u.place;
    *q = *p;
    q->source = b_str(b, p->source, &ok);
    q->source_id = b_str(b, p->source_id, &ok);
    q->name = b_str(b, p->name, &ok);
    q->oblast_iso = b_str(b, p->oblast_iso, &ok);
    q->raion = b_str(b, p->raion, &ok);
    q->hromada = b_str(b, p->hromada, &ok);
    q->kind = b_str(b, p->kind, &ok);
    q->alt_names = NULL;
    if (p->alt_names != NULL && p->n_alt_names > 0) {
        const char **alt = b_alloc(b, p->n_alt_names * sizeof *alt);
        if (alt == NULL) {
            return FW_ENOMEM;
        }
        for (size_t i = 0; i < p->n_alt_names; i++) {
            alt[i] = b_str(b, p->alt_names[i], &ok);
        }
        q->alt_names = alt;
    }
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_ALERT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.alert = *a;
    r->u.alert.source = b_str(b, a->source, &ok);
    r->u.alert.oblast_iso = b_str(b, a->oblast_iso, &ok);
    r->u.alert.raion = b_str(b, a->raion, &ok);
    r->u.alert.hromada = b_str(b, a->hromada, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_region(void *ctx, const struct fw_region_rec *g)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_REGION);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.region = *g;
    r->u.region.name = b_str(b, g->name, &ok);
    r->u.region.oblast_iso = b_str(b, g->oblast_iso, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_snapshot(void *ctx, const struct fw_snapshot_rec *s)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_SNAPSHOT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.snapshot = *s;
    r->u.snapshot.source = b_str(b, s->source, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_boundary(void *ctx, const struct fw_boundary_rec *x)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_BOUNDARY);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.boundary.oblast_iso = b_str(b, x->oblast_iso, &ok);
    r->u.boundary.name = b_str(b, x->name, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_polygon(void *ctx, const struct fw_polygon_rec *p)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_POLYGON);
    if (r == NULL) {
        return rec_fail(b);
    }
    r->u.polygon = *p;
    unsigned char *w = b_alloc(b, p->wkb_len > 0 ? p->wkb_len : 1);
    if (w == NULL) {
        return FW_ENOMEM;
    }
    if (p->wkb_len > 0) {
        memcpy(w, p->wkb, p->wkb_len);
    }
    r->u.polygon.wkb = w;
    return FW_OK;
}

static fw_err rec_event(void *ctx, const struct fw_event_rec *e)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_EVENT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.event = *e;
    r->u.event.source = b_str(b, e->source, &ok);
    r->u.event.oblast_iso = b_str(b, e->oblast_iso, &ok);
    r->u.event.area = b_str(b, e->area, &ok);
    r->u.event.type = b_str(b, e->type, &ok);
    r->u.event.source_row = b_str(b, e->source_row, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

/* reject/repair cannot fail: a record that cannot be kept marks the batch
 * unusable through a NULL text (see replay). */
static void rec_issue(struct batch *b, enum rec_tag tag, long line,
                      long feature, const char *text)
{
    struct rec *r = b_rec(b, tag);
    if (r == NULL) {
        b->lost = 1; /* cancelled (then unused) or out of memory */
        return;
    }
    int ok = 1;
    r->u.issue.line = line;
    r->u.issue.feature = feature;
    r->u.issue.text = b_str(b, text != NULL ? text : "", &ok);
    b->lost |= !ok;
}

static void rec_reject(void *ctx, long line, long feature, const char *why)
{
    rec_issue(ctx, R_REJECT, line, feature, why);
}

static void rec_repair(void *ctx, long line, long feature, const char *what)
{
    rec_issue(ctx, R_REPAIR, line, feature, what);
}

static void rec_progress(void *ctx, size_t done, size_t total)
{
    struct batch *b = ctx;
    int pct = total > 0 ? (int)(100.0 * (double)done / (double)total) : 0;
    if (pct == b->last_pct) {
        return;
    }
    b->last_pct = pct;
    struct rec *r = b_rec(b, R_PROGRESS);
    if (r != NULL) {
        r->u.progress.done = done;
        r->u.progress.total = total;
    }
}

enum slot_state { SLOT_WAITING, SLOT_BUSY, SLOT_DONE };

enum slot_result {
    SLOT_SERIAL,  /* ingest it serially (error, unknown, cancelled) */
    SLOT_STORED,  /* already in the store when the run began */
    SLOT_PARSED,  /* batch holds every record */
    SLOT_FAILED   /* err and diag say why; batch holds the records read
                     before the error (read_failed: none, no read) */
};

struct slot {
    enum slot_state state;
    enum slot_result result;
    int sniffed; /* kind is fw_ingest_sniff's answer */
    int read_failed;
    int not_ours; /* valid JSON of no shape we know */
    fw_err err;
    struct fw_diag diag;
    enum fw_source_kind kind;
    char sha256[65];
    struct batch batch;
};

struct fw_ingest_pipe {
    fw_store *st;
    char *const *paths;
    size_t n;
    struct slot *slots;
    char **stored; /* "sha256 name" of ingest_log at open, sorted */
    size_t n_stored;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next_job;  /* next file a worker takes */
    size_t consumed;  /* files before this one are written or skipped */
    size_t window;    /* files parsed ahead of consumed, at most */
    atomic_int cancel;
    int n_threads;
    pthread_t threads[4];
    sqlite3_stmt *stmt[N_STMTS]; /* the sink's, prepared once for all files */
};

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int was_stored(const struct fw_ingest_pipe *p, const char *sha,
                      const char *name)
{
    size_t len = strlen(sha) + strlen(name) + 2;
    char *key = malloc(len);
    if (key == NULL) {
        return 0;
    }
    snprintf(key, len, "%s %s", sha, name);
    int hit = p->n_stored > 0 &&
              bsearch(&key, p->stored, p->n_stored, sizeof *p->stored,
                      cmp_strp) != NULL;
    free(key);
    return hit;
}

/* Everything fw_ingest_file does before the store is written. */
static void parse_slot(struct fw_ingest_pipe *p, size_t i)
{
    struct slot *s = &p->slots[i];
    const char *path = p->paths[i];
    struct fw_diag d;
    fw_diag_reset(&d);
    snprintf(d.file, sizeof d.file, "%s", path); /* as fw_ingest_file */
    s->result = SLOT_SERIAL;
    batch_init(&s->batch, &p->cancel);
    char *buf = NULL;
    size_t len = 0;
    size_t plen = strlen(path);
    if (plen > 3 && strcmp(path + plen - 3, ".gz") == 0) {
        /* gzipped: hash, then decompress once, and sniff the buffer
         * instead of decompressing its start twice */
        if (fw_io_sha256_file(path, s->sha256) != FW_OK) {
            s->sniffed = fw_ingest_sniff(path, &s->kind, &d) == FW_OK;
            return;
        }
        if (was_stored(p, s->sha256, base_name(path))) {
            s->sniffed = fw_ingest_sniff(path, &s->kind, &d) == FW_OK;
            s->result = SLOT_STORED;
            return;
        }
        if ((s->err = fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len,
                                      &d)) != FW_OK) {
            s->diag = d;
            s->read_failed = 1;
            s->sniffed = fw_ingest_sniff(path, &s->kind, &d) == FW_OK;
            s->result = s->sniffed ? SLOT_FAILED : SLOT_SERIAL;
            return;
        }
        char head[65537];
        int n = len < sizeof head - 1 ? (int)len : (int)sizeof head - 1;
        memcpy(head, buf, (size_t)n);
        head[n] = '\0';
        s->kind = sniff_buf(head, n);
        s->sniffed = 1;
        if (s->kind == FW_SOURCE_UNKNOWN) {
            free(buf);
            return;
        }
    } else {
        if (fw_ingest_sniff(path, &s->kind, &d) != FW_OK) {
            return;
        }
        s->sniffed = 1;
        if (s->kind == FW_SOURCE_UNKNOWN ||
            fw_io_sha256_file(path, s->sha256) != FW_OK) {
            return;
        }
        if (was_stored(p, s->sha256, base_name(path))) {
            s->result = SLOT_STORED;
            return;
        }
        if ((s->err = fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len,
                                      &d)) != FW_OK) {
            s->diag = d;
            s->read_failed = 1;
            s->result = SLOT_FAILED;
            return;
        }
    }
    struct fw_sink sink = {
        .ctx = &s->batch,
        .place = rec_place,
        .alert = rec_alert,
        .region = rec_region,
        .snapshot = rec_snapshot,
        .boundary = rec_boundary,
        .polygon = rec_polygon,
        .event = rec_event,
        .reject = rec_reject,
        .repair = rec_repair,
        .progress = rec_progress,
    };
    fw_err err = FW_EUSAGE;
    switch (s->kind) {
    case FW_SOURCE_GEONAMES:
        err = fw_gazetteer_read_geonames(buf, len, &sink, &d);
        break;
    case FW_SOURCE_KSE:
        err = fw_gazetteer_read_kse(buf, len, &sink, &d);
        break;
    case FW_SOURCE_ALERTS:
        err = fw_alerts_read_csv(buf, len, &sink, &d);
        break;
    case FW_SOURCE_ALERT_REGIONS:
        err = fw_alerts_read_regions(buf, len, &sink, &d);
        break;
    case FW_SOURCE_MISSILES:
        err = fw_events_read_missiles(buf, len, &sink, &d);
        break;
    case FW_SOURCE_FRONTLINE:
    case FW_SOURCE_BOUNDARIES: {
        enum fw_geojson_kind gk = FW_GEOJSON_UNKNOWN;
        err = fw_frontline_read(path, buf, len, &sink, &gk, &d);
        /* as run_reader: valid JSON of no shape we know is not ours */
        if (err != FW_OK && gk == FW_GEOJSON_UNKNOWN && d.line == 0) {
            s->not_ours = 1; /* kind stays the sniffed one */
            err = FW_EUSAGE;
        }
        break;
    }
    case FW_SOURCE_UNKNOWN:
        break;
    }
    free(buf);
    /* a record or issue lost to a failed allocation, or an abandoned run:
     * the batch is not the file's, which then goes the serial way */
    if (!atomic_load(&p->cancel) && !s->batch.lost && !s->batch.oom) {
        s->result = err == FW_OK ? SLOT_PARSED : SLOT_FAILED;
        s->err = err;
        s->diag = d;
    }
    if (s->result != SLOT_PARSED) {
        batch_free(&s->batch);
    }
}

static void *worker(void *arg)
{
    struct fw_ingest_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!atomic_load(&p->cancel) && p->next_job < p->n &&
               p->next_job >= p->consumed + p->window) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        if (atomic_load(&p->cancel) || p->next_job >= p->n) {
            break;
        }
        size_t i = p->next_job++;
        p->slots[i].state = SLOT_BUSY;
        pthread_mutex_unlock(&p->mu);
        parse_slot(p, i);
        pthread_mutex_lock(&p->mu);
        p->slots[i].state = SLOT_DONE;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static fw_err load_stored(struct fw_ingest_pipe *p, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        p->st, "SELECT sha256 || ' ' || name FROM ingest_log", &s, d);
    size_t cap = 0;
    int rc;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        if (k == NULL) {
            continue;
        }
        if (p->n_stored == cap) {
            cap = cap ? cap * 2 : 256;
            char **ns = realloc(p->stored, cap * sizeof *ns);
            if (ns == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                break;
            }
            p->stored = ns;
        }
        if ((p->stored[p->n_stored] = strdup(k)) == NULL) {
            err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
            break;
        }
        p->n_stored++;
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "store: %s",
                          sqlite3_errmsg(fw_store_db(p->st)));
    }
    sqlite3_finalize(s);
    if (err == FW_OK && p->n_stored > 1) {
        qsort(p->stored, p->n_stored, sizeof *p->stored, cmp_strp);
    }
    return err;
}

fw_err fw_ingest_pipe_open(fw_store *st, char *const *paths, size_t n,
                           int threads, struct fw_ingest_pipe **out,
                           struct fw_diag *d)
{
    *out = NULL;
    struct fw_ingest_pipe *p = calloc(1, sizeof *p);
    if (p == NULL || (n > 0 && (p->slots = calloc(n, sizeof *p->slots)) ==
                                   NULL)) {
        free(p);
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    p->st = st;
    p->paths = paths;
    p->n = n;
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
    }
    if (threads > 4) {
        threads = 4;
    }
    /* Files parsed and waiting, or being parsed: bounds the memory. Three
     * per worker let the workers run ahead of a file slow to write (the
     * real data on 2 cores: 2.6 s with 6, 2.8 s with 3). */
    p->window = 3 * (size_t)threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    fw_err err = load_stored(p, d);
    for (int t = 0; err == FW_OK && t < threads; t++) {
        if (pthread_create(&p->threads[t], NULL, worker, p) != 0) {
            break; /* fewer workers; the serial path covers the rest */
        }
        p->n_threads++;
    }
    if (err != FW_OK) {
        fw_ingest_pipe_close(p);
        return err;
    }
    *out = p;
    return FW_OK;
}

void fw_ingest_pipe_close(struct fw_ingest_pipe *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->cancel, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int t = 0; t < p->n_threads; t++) {
        pthread_join(p->threads[t], NULL);
    }
    for (size_t i = 0; i < p->n; i++) {
        batch_free(&p->slots[i].batch);
    }
    for (int k = 0; k < N_STMTS; k++) {
        sqlite3_finalize(p->stmt[k]);
    }
    for (size_t i = 0; i < p->n_stored; i++) {
        free(p->stored[i]);
    }
    free(p->stored);
    free(p->slots);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static fw_err replay(struct ingest *in, const struct batch *b)
{
    fw_err err = FW_OK;
    for (const struct rec *r = b->head; r != NULL && err == FW_OK;
         r = r->next) {
        switch (r->tag) {
        case R_PLACE: err = on_place(in, &r->u.place); break;
        case R_ALERT: err = on_alert(in, &r->u.alert); break;
        case R_REGION: err = on_region(in, &r->u.region); break;
        case R_SNAPSHOT: err = on_snapshot(in, &r->u.snapshot); break;
        case R_BOUNDARY: err = on_boundary(in, &r->u.boundary); break;
        case R_POLYGON: err = on_polygon(in, &r->u.polygon); break;
        case R_EVENT: err = on_event(in, &r->u.event); break;
        case R_REJECT:
            on_reject(in, r->u.issue.line, r->u.issue.feature,
                      r->u.issue.text);
            break;
        case R_REPAIR:
            on_repair(in, r->u.issue.line, r->u.issue.feature,
                      r->u.issue.text);
            break;
        case R_PROGRESS:
            on_progress(in, r->u.progress.done, r->u.progress.total);
            break;
        }
    }
    return err;
}

/* Writes a parsed slot: fw_ingest_file after its parse. Returns FW_OK with
 * *done = 0 when the file must go the serial way instead (the store is
 * then unchanged). */
static fw_err write_slot(struct fw_ingest_pipe *p, size_t i,
                         fw_progress_fn progress, void *progress_ctx,
                         struct fw_ingest_result *res, struct fw_diag *d,
                         int *done)
{
    struct slot *s = &p->slots[i];
    const char *path = p->paths[i];
    struct ingest in = {.st = p->st,
                        .db = fw_store_db(p->st),
                        .res = res,
                        .d = d,
                        .path = path,
                        .progress = progress,
                        .progress_ctx = progress_ctx};
    fw_err ret = FW_OK;
    *done = 0;
    memset(res, 0, sizeof *res);
    fw_diag_reset(d);
    if (d != NULL) {
        snprintf(d->file, sizeof d->file, "%s", path);
    }
    res->kind = s->kind;
    memcpy(res->sha256, s->sha256, sizeof res->sha256);
    int dup = 0;
    fw_err err = is_duplicate(&in, res->sha256, base_name(path), &dup);
    if (err != FW_OK) {
        return FW_OK; /* serially: it will say the same */
    }
    if (dup) {
        res->is_duplicate = 1;
        *done = 1;
        return FW_OK;
    }
    if (s->result == SLOT_FAILED && s->read_failed) {
        /* the file could not be read: nothing was written yet */
        if (d != NULL) {
            *d = s->diag;
        }
        *done = 1;
        return s->err;
    }
    if (s->result != SLOT_PARSED && s->result != SLOT_FAILED) {
        return FW_OK;
    }
    int in_tx = 0;
    for (int k = 0; k < N_STMTS; k++) {
        if (p->stmt[k] == NULL &&
            (err = fw_store_prepare(p->st, SQL[k], &p->stmt[k], d)) !=
                FW_OK) {
            goto out;
        }
        in.stmt[k] = p->stmt[k];
    }
    if ((err = fw_store_exec(p->st, "BEGIN IMMEDIATE", d)) != FW_OK) {
        goto out;
    }
    in_tx = 1;
    if ((err = insert_log(&in, path, res->sha256)) != FW_OK ||
        (s->kind == FW_SOURCE_MISSILES &&
         (err = replace_missile_events(&in)) != FW_OK) ||
        (err = replay(&in, &s->batch)) != FW_OK) {
        goto out;
    }
    if (s->result == SLOT_FAILED) {
        /* the records before the reader's error were written without an
         * error of their own: the reader's error is the file's, as in
         * fw_ingest_file, and the transaction is rolled back */
        if (d != NULL) {
            *d = s->diag;
        }
        if (s->not_ours) {
            res->kind = FW_SOURCE_UNKNOWN;
            fw_diag_set(d, FW_EUSAGE, 0, 0, "not a recognised source");
        }
        ret = s->err;
        *done = 1;
        goto out;
    }
    if ((err = finish_log(&in)) != FW_OK) {
        goto out;
    }
    err = fw_store_exec(p->st, "COMMIT", d);
    in_tx = err != FW_OK;
    *done = err == FW_OK;
out:
    if (in_tx) {
        sqlite3_exec(in.db, "ROLLBACK", NULL, NULL, NULL);
    }
    for (int k = 0; k < N_STMTS; k++) {
        if (p->stmt[k] != NULL) {
            sqlite3_reset(p->stmt[k]);
            sqlite3_clear_bindings(p->stmt[k]);
        }
    }
    return ret;
}

/* Waits until a worker is done with file i (dropping the batches of the
 * files before it, which the caller skipped); 0 when it never will be. */
static int wait_slot(struct fw_ingest_pipe *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    for (size_t k = p->consumed; k < i && k < p->n; k++) {
        while (k < p->next_job && p->slots[k].state != SLOT_DONE) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        batch_free(&p->slots[k].batch);
    }
    if (i > p->consumed) {
        p->consumed = i;
        pthread_cond_broadcast(&p->cv);
    }
    int parsed = 0;
    if (i < p->n && p->n_threads > 0) {
        /* a worker takes i once i is within the window, which it now is */
        while (!(i < p->next_job && p->slots[i].state == SLOT_DONE) &&
               !atomic_load(&p->cancel)) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        parsed = i < p->next_job && p->slots[i].state == SLOT_DONE;
    }
    pthread_mutex_unlock(&p->mu);
    return parsed;
}

fw_err fw_ingest_pipe_sniff(struct fw_ingest_pipe *p, size_t i,
                            enum fw_source_kind *kind, struct fw_diag *d)
{
    if (wait_slot(p, i) && p->slots[i].sniffed) {
        *kind = p->slots[i].kind;
        return FW_OK;
    }
    return fw_ingest_sniff(p->paths[i], kind, d);
}

fw_err fw_ingest_pipe_file(struct fw_ingest_pipe *p, size_t i,
                           fw_progress_fn progress, void *progress_ctx,
                           struct fw_ingest_result *res, struct fw_diag *d)
{
    struct fw_ingest_result local;
    if (res == NULL) {
        res = &local;
    }
    int parsed = wait_slot(p, i);

    int done = 0;
    fw_err err = FW_OK;
    if (parsed) {
        err = write_slot(p, i, progress, progress_ctx, res, d, &done);
    }
    if (!done) {
        /* not parsed ahead, or failed: the serial way gives the exact
         * result or error, and a failed file leaves the store unchanged */
        err = fw_ingest_file(p->st, p->paths[i], progress, progress_ctx, res,
                             d);
    }
    pthread_mutex_lock(&p->mu);
    if (i < p->n) {
        if (parsed) {
            batch_free(&p->slots[i].batch);
        }
        p->consumed = i + 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return err;
}

/* ---- what depends on several files ------------------------------------ */

/* KSE centre -> GeoNames place of the same name key within this distance. */
#define MERGE_MAX_KM 10.0

static fw_err merge_places(fw_store *st, struct fw_diag *d)
{
    fw_err err = fw_store_exec(
        st, "UPDATE place SET merged_into=NULL WHERE source='kse'", d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_stmt *q = NULL, *u = NULL;
    /* candidates: same key, within ~0.15 degrees; nearest wins below */
    err = fw_store_prepare(
        st,
        "SELECT DISTINCT k.id, g.id, k.lat, k.lon, g.lat, g.lon"
        " FROM place k JOIN place_name kn ON kn.place_id = k.id"
        " JOIN place_name gn ON gn.key = kn.key"
        " JOIN place g ON g.id = gn.place_id AND g.source = 'geonames'"
        " WHERE k.source = 'kse' AND abs(g.lat - k.lat) < 0.15"
        " AND abs(g.lon - k.lon) < 0.25 ORDER BY k.id",
        &q, d);
    if (err == FW_OK) {
        err = fw_store_prepare(
            st, "UPDATE place SET merged_into=?2 WHERE id=?1", &u, d);
    }
    struct geod_geodesic geod;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    long long cur = 0, best = 0;
    double best_km = MERGE_MAX_KM;
    int rc = SQLITE_DONE;
    while (err == FW_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        long long k = sqlite3_column_int64(q, 0);
        if (k != cur) {
            if (best != 0) {
                sqlite3_bind_int64(u, 1, cur);
                sqlite3_bind_int64(u, 2, best);
                rc = sqlite3_step(u);
                sqlite3_reset(u);
                if (rc != SQLITE_DONE) {
                    break;
                }
            }
            cur = k;
            best = 0;
            best_km = MERGE_MAX_KM;
        }
        double s12 = 0;
        geod_inverse(&geod, sqlite3_column_double(q, 2),
                     sqlite3_column_double(q, 3),
                     sqlite3_column_double(q, 4),
                     sqlite3_column_double(q, 5), &s12, NULL, NULL);
        if (s12 / 1000.0 < best_km) {
            best_km = s12 / 1000.0;
            best = sqlite3_column_int64(q, 1);
        }
    }
    if (err == FW_OK && rc == SQLITE_DONE && best != 0) {
        sqlite3_bind_int64(u, 1, cur);
        sqlite3_bind_int64(u, 2, best);
        rc = sqlite3_step(u);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "merging places: %s",
                          sqlite3_errmsg(fw_store_db(st)));
    }
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    return err;
}

/* A snapshot whose occupied area differs from both neighbours by more than
 * this while they agree with each other is a one-week glitch (NZZ
 * 2023-12-11 drops about 64,000 km2). */
#define GLITCH_KM2 5000.0

static fw_err flag_suspects(fw_store *st, struct fw_diag *d)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "UPDATE snapshot SET suspect=NULL;"
             "UPDATE snapshot SET suspect='no occupied polygons'"
             " WHERE occupied_km2 <= 0;"
             "WITH s AS (SELECT id, occupied_km2 AS a,"
             "  lag(occupied_km2) OVER w AS prev,"
             "  lead(occupied_km2) OVER w AS next"
             "  FROM snapshot WHERE occupied_km2 > 0"
             "  WINDOW w AS (PARTITION BY source ORDER BY published_s))"
             " UPDATE snapshot SET suspect = printf("
             "  'occupied area %%.0f km2 against %%.0f and %%.0f km2 the"
             " weeks around it', s.a, s.prev, s.next)"
             " FROM s WHERE snapshot.id = s.id"
             " AND abs(s.a - s.prev) > %f AND abs(s.a - s.next) > %f"
             " AND abs(s.prev - s.next) < %f;",
             GLITCH_KM2, GLITCH_KM2, GLITCH_KM2 / 2);
    return fw_store_exec(st, sql, d);
}

fw_err fw_ingest_derive(fw_store *st, struct fw_diag *d)
{
    fw_err err = fw_store_exec(st, "BEGIN IMMEDIATE", d);
    if (err != FW_OK) {
        return err;
    }
    if ((err = merge_places(st, d)) != FW_OK ||
        (err = flag_suspects(st, d)) != FW_OK ||
        (err = fw_store_exec(st, "COMMIT", d)) != FW_OK) {
        sqlite3_exec(fw_store_db(st), "ROLLBACK", NULL, NULL, NULL);
    }
    return err;
}
