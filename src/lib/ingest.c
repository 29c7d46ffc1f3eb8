/*
 * ingest.c - source file -> reader -> store, one transaction per file
 * (see ingest.h). This file recognises a file's kind, implements the
 * readers' sink (record.h) on top of prepared statements (the readers never
 * see SQL), ingests one file (fw_ingest_file) and recomputes what depends
 * on several files (fw_ingest_derive). The pipelined ingest, which parses
 * files ahead on worker threads and replays their records into this sink,
 * is ingest_pipe.c; ingest_int.h is what the two share.
 */
#include "frontwatch/ingest.h"

#include <geodesic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "frontwatch/alerts.h"
#include "frontwatch/border.h"
#include "frontwatch/displacement.h"
#include "frontwatch/events.h"
#include "frontwatch/frontline.h"
#include "frontwatch/gazetteer.h"
#include "frontwatch/incidents.h"
#include "frontwatch/io.h"
#include "frontwatch/mapcheck.h"
#include "frontwatch/record.h"
#include "frontwatch/shapefile.h"
#include "frontwatch/text.h"
#include "ingest_int.h"
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
    case FW_SOURCE_ALERTS_IN_UA: return "alerts-in-ua";
    case FW_SOURCE_COUNTRY_OUTLINE: return "country-outline";
    case FW_SOURCE_BELLINGCAT: return "bellingcat-incidents";
    case FW_SOURCE_CIR: return "cir-incidents";
    case FW_SOURCE_IOM: return "iom-displacement";
    case FW_SOURCE_SLAC: return "slac-monitoring";
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
    *kind = fw_ingest_sniff_buf(buf, n);
    return FW_OK;
}

enum fw_source_kind fw_ingest_sniff_buf(const char *buf, int n)
{
    enum fw_source_kind k;
    const char *p = buf;
    if (n > 0 && fw_shapefile_is_shp(buf, (size_t)n)) {
        return FW_SOURCE_COUNTRY_OUTLINE; /* binary: before the text rules */
    }
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
    } else if (first_line_has(p, "idps_present_est") &&
               first_line_has(p, "oblast_pcode")) {
        k = FW_SOURCE_IOM;
    } else if (first_line_has(p, "civilians_present") &&
               first_line_has(p, "frontline_distance") &&
               first_line_has(p, "settlement")) {
        k = FW_SOURCE_SLAC;
    } else if (first_line_has(p, "event_group") &&
               first_line_has(p, "country") && first_line_has(p, "lat")) {
        k = FW_SOURCE_CIR;
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
        if (*p == '{' && strstr(p, "\"alerts\"") != NULL &&
            (strstr(p, "\"alert_type\"") != NULL ||
             strstr(p, "\"last_updated_at\"") != NULL)) {
            /* alerts.in.ua: its first alert, or an empty answer's meta */
            k = FW_SOURCE_ALERTS_IN_UA;
        } else if (*p == '{') {
            /* a GeoJSON map or boundary file; the reader tells which */
            k = FW_SOURCE_FRONTLINE;
        } else if (*p == '[' && strstr(p, "\"latitude\"") != NULL &&
                   strstr(p, "\"filters\"") != NULL) {
            /* the Bellingcat export: an array of incidents */
            k = FW_SOURCE_BELLINGCAT;
        }
    }
    return k;
}

/* ---- the sink ---------------------------------------------------------- */

const char *const FW_INGEST_SQL[FW_INGEST_N_STMTS] = {
    [FW_INGEST_S_PLACE] =
        "INSERT INTO place(source, source_id, name, lat, lon, population,"
        " oblast_iso, raion, hromada, kind, log_id)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
        " ON CONFLICT(source, source_id) DO UPDATE SET name=?3, lat=?4,"
        " lon=?5, population=?6, oblast_iso=?7, raion=?8, hromada=?9,"
        " kind=?10, log_id=?11 WHERE place.log_id IS NOT ?11 RETURNING id",
    [FW_INGEST_S_PLACE_NAME] =
        "INSERT OR IGNORE INTO place_name(place_id, key, name)"
        " VALUES(?1,?2,?3)",
    [FW_INGEST_S_PLACE_RTREE] =
        "INSERT OR REPLACE INTO place_rtree VALUES(?1,?2,?2,?3,?3)",
    [FW_INGEST_S_REGION] =
        "INSERT OR REPLACE INTO region(id, level, parent_id, name,"
        " key, oblast_iso) VALUES(?1,?2,?3,?4,?5,?6)",
    [FW_INGEST_S_ALERT] =
        /* an alert read while running is closed (or extended) by a later
         * answer; a finished alert is never changed */
        "INSERT INTO alert(source, level, oblast_iso,"
        " raion, hromada, start_s, end_s, is_naive, log_id, is_open)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
        " ON CONFLICT(source, level, oblast_iso, raion, hromada, start_s)"
        " DO UPDATE SET end_s=excluded.end_s, is_open=excluded.is_open,"
        " log_id=excluded.log_id WHERE alert.is_open AND"
        " (excluded.end_s > alert.end_s OR NOT excluded.is_open)",
    /* which file stored an alert that an insert left as it was */
    [FW_INGEST_S_ALERT_OWNER] =
        "SELECT log_id FROM alert WHERE source=?1 AND level=?2 AND"
        " oblast_iso=?3 AND raion=?4 AND hromada=?5 AND start_s=?6",
    [FW_INGEST_S_SNAPSHOT] =
        "INSERT INTO snapshot(source, published_s, as_of_s,"
        " log_id) VALUES(?1,?2,?3,?4)",
    [FW_INGEST_S_POLYGON] =
        "INSERT INTO polygon(snapshot_id, cls, area_km2, wkb)"
        " VALUES(?1,?2,?3,?4)",
    [FW_INGEST_S_POLYGON_RTREE] =
        "INSERT INTO polygon_rtree VALUES(?1,?2,?3,?4,?5)",
    [FW_INGEST_S_BOUNDARY] =
        "INSERT INTO boundary(oblast_iso, name, area_km2, wkb,"
        " log_id) VALUES(?1,?2,?3,?4,?5)",
    [FW_INGEST_S_ISSUE] =
        "INSERT INTO ingest_issue(log_id, line, feature, is_repair,"
        " reason) VALUES(?1,?2,?3,?4,?5)",
    [FW_INGEST_S_COUNTRY] =
        "INSERT INTO country_outline(country, name, area_km2, wkb, log_id)"
        " VALUES(?1,?2,?3,?4,?5)",
    [FW_INGEST_S_EVENT] =
        "INSERT INTO event(source, t_s, lat, lon, oblast_iso, area,"
        " type, count, source_row, log_id)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    /* a second row of one oblast and round in a file is a duplicate */
    [FW_INGEST_S_DISPLACEMENT] =
        "INSERT INTO displacement(round, reported_s, oblast_iso, idps,"
        " returnees, source_row, log_id) VALUES(?1,?2,?3,?4,?5,?6,?7)"
        " ON CONFLICT(oblast_iso, round, log_id) DO NOTHING",
    [FW_INGEST_S_VISIT] =
        "INSERT INTO settlement_visit(t_s, oblast_iso, raion, hromada,"
        " settlement, civilians_present, civilians_number, civ_change,"
        " civ_change_type, movement_now, movement_direction,"
        " frontline_distance, source_row, log_id)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
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
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_ISSUE];
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
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_PLACE_NAME];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
    return step_done(in, s);
}

static fw_err on_place(void *ctx, const struct fw_place_rec *p)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_PLACE];
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
    s = in->stmt[FW_INGEST_S_PLACE_RTREE];
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
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_REGION];
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

/* The ingest_log id of the file that stored the alert a, which the store
 * holds. */
static fw_err alert_owner(struct ingest *in, const struct fw_alert_rec *a,
                          long long *log_id)
{
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_ALERT_OWNER];
    sqlite3_bind_text(s, 1, a->source, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, (int)a->level);
    sqlite3_bind_text(s, 3, a->oblast_iso, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, a->raion ? a->raion : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, a->hromada ? a->hromada : "", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, a->start_s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *log_id = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? FW_OK : sql_fail(in);
}

static fw_err on_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_ALERT];
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
    sqlite3_bind_int(s, 10, a->is_open);
    fw_err err = step_done(in, s);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_changes(in->db) == 0) {
        /* Stored by an earlier file: a newer version of a cumulative CSV,
         * or an alerts.in.ua answer overlapping the last one, repeats
         * what is stored by design, which is no fault of the file. The
         * same alert twice in this file is one. */
        long long owner = 0;
        if ((err = alert_owner(in, a, &owner)) != FW_OK) {
            return err;
        }
        if (owner != in->log_id) {
            in->res->rows_read++;
            in->res->rows_known++;
            return FW_OK;
        }
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
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_SNAPSHOT];
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

static fw_err on_country(void *ctx, const struct fw_country_rec *c)
{
    struct ingest *in = ctx;
    snprintf(in->country, sizeof in->country, "%s", c->country);
    snprintf(in->boundary_name, sizeof in->boundary_name, "%s", c->name);
    in->res->kind = FW_SOURCE_COUNTRY_OUTLINE;
    return FW_OK;
}

static fw_err on_polygon(void *ctx, const struct fw_polygon_rec *p)
{
    struct ingest *in = ctx;
    fw_err err;
    sqlite3_stmt *s;
    if (in->country[0] != '\0' || in->boundary_iso[0] != '\0') {
        /* a country's or an oblast's outline: the same five columns */
        int is_country = in->country[0] != '\0';
        s = in->stmt[is_country ? FW_INGEST_S_COUNTRY : FW_INGEST_S_BOUNDARY];
        sqlite3_bind_text(s, 1, is_country ? in->country : in->boundary_iso,
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, in->boundary_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 3, p->area_km2);
        /* static: step_done clears the binding before p->wkb goes */
        sqlite3_bind_blob(s, 4, p->wkb, (int)p->wkb_len, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, in->log_id);
        if ((err = step_done(in, s)) != FW_OK) {
            return err;
        }
    } else if (in->snapshot_id != 0) {
        s = in->stmt[FW_INGEST_S_POLYGON];
        sqlite3_bind_int64(s, 1, in->snapshot_id);
        sqlite3_bind_int(s, 2, (int)p->cls);
        sqlite3_bind_double(s, 3, p->area_km2);
        sqlite3_bind_blob(s, 4, p->wkb, (int)p->wkb_len, SQLITE_STATIC);
        if ((err = step_done(in, s)) != FW_OK) {
            return err;
        }
        s = in->stmt[FW_INGEST_S_POLYGON_RTREE];
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
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_EVENT];
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

static fw_err on_displacement(void *ctx, const struct fw_displacement_rec *r)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_DISPLACEMENT];
    sqlite3_bind_int(s, 1, r->round);
    sqlite3_bind_int64(s, 2, r->reported_s);
    sqlite3_bind_text(s, 3, r->oblast_iso, -1, SQLITE_TRANSIENT);
    if (r->idps >= 0) {
        sqlite3_bind_int64(s, 4, r->idps);
    }
    if (r->returnees >= 0) {
        sqlite3_bind_int64(s, 5, r->returnees);
    }
    bind_text_or_null(s, 6, r->source_row);
    sqlite3_bind_int64(s, 7, in->log_id);
    fw_err err = step_done(in, s);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_changes(in->db) == 0) {
        char why[160];
        snprintf(why, sizeof why,
                 "%s: a second row of %s in round %d in this file",
                 r->source_row != NULL ? r->source_row : "", r->oblast_iso,
                 r->round);
        note_issue(in, 0, -1, 0, why);
        return FW_OK;
    }
    in->res->rows_read++;
    in->res->rows_accepted++;
    return FW_OK;
}

static fw_err on_visit(void *ctx, const struct fw_settlement_visit_rec *v)
{
    struct ingest *in = ctx;
    sqlite3_stmt *s = in->stmt[FW_INGEST_S_VISIT];
    sqlite3_bind_int64(s, 1, v->t_s);
    sqlite3_bind_text(s, 2, v->oblast_iso, -1, SQLITE_TRANSIENT);
    bind_text_or_null(s, 3, v->raion);
    bind_text_or_null(s, 4, v->hromada);
    sqlite3_bind_text(s, 5, v->settlement, -1, SQLITE_TRANSIENT);
    const char *answers[] = {v->civilians_present, v->civilians_number,
                             v->civ_change,        v->civ_change_type,
                             v->movement_now,      v->movement_direction,
                             v->frontline_distance, v->source_row};
    for (int i = 0; i < 8; i++) {
        bind_text_or_null(s, 6 + i, answers[i]);
    }
    sqlite3_bind_int64(s, 14, in->log_id);
    fw_err err = step_done(in, s);
    if (err == FW_OK) {
        in->res->rows_read++;
        in->res->rows_accepted++;
    }
    return err;
}

void fw_ingest_sink(struct ingest *in, struct fw_sink *sink)
{
    *sink = (struct fw_sink){
        .ctx = in,
        .place = on_place,
        .alert = on_alert,
        .region = on_region,
        .snapshot = on_snapshot,
        .boundary = on_boundary,
        .country = on_country,
        .polygon = on_polygon,
        .event = on_event,
        .displacement = on_displacement,
        .visit = on_visit,
        .reject = on_reject,
        .repair = on_repair,
        .progress = on_progress,
    };
}

fw_err fw_ingest_replace_older_events(struct ingest *in)
{
    const char *source = NULL;
    switch (in->res->kind) {
    case FW_SOURCE_MISSILES: source = FW_EVENTS_SOURCE_MISSILES; break;
    case FW_SOURCE_BELLINGCAT: source = FW_INCIDENTS_SOURCE_BELLINGCAT; break;
    case FW_SOURCE_CIR: source = FW_INCIDENTS_SOURCE_CIR; break;
    default: return FW_OK; /* not a cumulative event source */
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        in->st, "DELETE FROM event WHERE source=?1 AND log_id<>?2", &s, in->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, in->log_id);
    err = step_done(in, s);
    sqlite3_finalize(s);
    return err;
}

fw_err fw_ingest_replace_older_rows(struct ingest *in)
{
    const char *sql = NULL;
    switch (in->res->kind) {
    case FW_SOURCE_IOM:
        sql = "DELETE FROM displacement WHERE log_id <> ?1 AND round IN"
              " (SELECT round FROM displacement WHERE log_id = ?1)";
        break;
    case FW_SOURCE_SLAC:
        /* the days from the file's first visit to its last */
        sql = "DELETE FROM settlement_visit WHERE log_id <> ?1 AND"
              " t_s >= (SELECT min(t_s) FROM settlement_visit"
              "  WHERE log_id = ?1) / 86400 * 86400 AND"
              " t_s < (SELECT max(t_s) FROM settlement_visit"
              "  WHERE log_id = ?1) / 86400 * 86400 + 86400";
        break;
    default: return FW_OK;
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(in->st, sql, &s, in->d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, in->log_id);
    err = step_done(in, s);
    sqlite3_finalize(s);
    return err;
}

/* ---- one file ---------------------------------------------------------- */

const char *fw_ingest_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

fw_err fw_ingest_is_duplicate(struct ingest *in, const char *sha,
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

fw_err fw_ingest_insert_log(struct ingest *in, const char *origin,
                            const char *path, const char *sha)
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
    sqlite3_bind_text(s, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, fw_ingest_base_name(path), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, fw_source_kind_name(in->res->kind), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
    err = step_done(in, s);
    sqlite3_finalize(s);
    in->log_id = sqlite3_last_insert_rowid(in->db);
    return err;
}

fw_err fw_ingest_finish_log(struct ingest *in)
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

fw_err fw_ingest_read(enum fw_source_kind kind, const char *path,
                      const char *buf, size_t len,
                      const struct fw_sink *sink, int *not_ours,
                      struct fw_diag *d)
{
    *not_ours = 0;
    switch (kind) {
    case FW_SOURCE_GEONAMES:
        return fw_gazetteer_read_geonames(buf, len, sink, d);
    case FW_SOURCE_KSE: return fw_gazetteer_read_kse(buf, len, sink, d);
    case FW_SOURCE_ALERTS: return fw_alerts_read_csv(buf, len, sink, d);
    case FW_SOURCE_ALERT_REGIONS:
        return fw_alerts_read_regions(buf, len, sink, d);
    case FW_SOURCE_MISSILES:
        return fw_events_read_missiles(buf, len, sink, d);
    case FW_SOURCE_BELLINGCAT:
        return fw_incidents_read_bellingcat(buf, len, sink, d);
    case FW_SOURCE_CIR: return fw_incidents_read_cir(buf, len, sink, d);
    case FW_SOURCE_IOM: return fw_displacement_read_iom(buf, len, sink, d);
    case FW_SOURCE_SLAC:
        return fw_displacement_read_slac(buf, len, sink, d);
    case FW_SOURCE_ALERTS_IN_UA: {
        /* an answer is as of when it was saved: running alerts end there */
        struct stat sb;
        int64_t read_s = stat(path, &sb) == 0 ? (int64_t)sb.st_mtime
                                               : (int64_t)time(NULL);
        return fw_alerts_read_in_ua(buf, len, read_s, sink, d);
    }
    case FW_SOURCE_FRONTLINE:
    case FW_SOURCE_BOUNDARIES: {
        enum fw_geojson_kind gk = FW_GEOJSON_UNKNOWN;
        fw_err err = fw_frontline_read(path, buf, len, sink, &gk, d);
        /* valid JSON of no shape we know: not ours. Invalid JSON always
         * has a line, and is an error of a file that looked like ours. */
        if (err != FW_OK && gk == FW_GEOJSON_UNKNOWN &&
            (d == NULL || d->line == 0)) {
            *not_ours = 1;
            return FW_EUSAGE;
        }
        return err;
    }
    case FW_SOURCE_COUNTRY_OUTLINE:
        return fw_shapefile_read_path(path, buf, len, sink, d);
    case FW_SOURCE_UNKNOWN:
        break;
    }
    return FW_EUSAGE;
}

fw_err fw_ingest_sha256(enum fw_source_kind kind, const char *path,
                        char hex[65], struct fw_diag *d)
{
    if (kind == FW_SOURCE_COUNTRY_OUTLINE) {
        return fw_shapefile_sha256(path, hex, d);
    }
    if (fw_io_sha256_file(path, hex) != FW_OK) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot read");
    }
    return FW_OK;
}

static fw_err run_reader(struct ingest *in, const char *path,
                         const char *buf, size_t len)
{
    struct fw_sink sink;
    fw_ingest_sink(in, &sink);
    fw_err err = fw_ingest_replace_older_events(in);
    if (err != FW_OK) {
        return err;
    }
    int not_ours = 0;
    err = fw_ingest_read(in->res->kind, path, buf, len, &sink, &not_ours,
                         in->d);
    if (not_ours) {
        in->res->kind = FW_SOURCE_UNKNOWN;
    }
    if (err == FW_OK) {
        err = fw_ingest_replace_older_rows(in);
    }
    return err;
}

fw_err fw_ingest_file(fw_store *st, const char *path, fw_progress_fn progress,
                      void *progress_ctx, struct fw_ingest_result *res,
                      struct fw_diag *d)
{
    return fw_ingest_file_as(st, path, NULL, progress, progress_ctx, res, d);
}

fw_err fw_ingest_file_as(fw_store *st, const char *path, const char *origin,
                         fw_progress_fn progress, void *progress_ctx,
                         struct fw_ingest_result *res, struct fw_diag *d)
{
    if (origin == NULL) {
        origin = path;
    }
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
        snprintf(d->file, sizeof d->file, "%s", origin);
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
    if ((err = fw_ingest_sha256(in.res->kind, path, in.res->sha256, d)) !=
        FW_OK) {
        return err;
    }
    int dup = 0;
    if ((err = fw_ingest_is_duplicate(
             &in, in.res->sha256, fw_ingest_base_name(path), &dup)) != FW_OK) {
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
    for (int i = 0; i < FW_INGEST_N_STMTS; i++) {
        if ((err = fw_store_prepare(st, FW_INGEST_SQL[i], &in.stmt[i], d)) !=
            FW_OK) {
            goto out;
        }
    }
    if ((err = fw_store_exec(st, "BEGIN IMMEDIATE", d)) != FW_OK) {
        goto out;
    }
    in_tx = 1;
    if ((err = fw_ingest_insert_log(&in, origin, path, in.res->sha256)) != FW_OK ||
        (err = run_reader(&in, path, buf, len)) != FW_OK ||
        (err = fw_ingest_finish_log(&in)) != FW_OK) {
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
    for (int i = 0; i < FW_INGEST_N_STMTS; i++) {
        sqlite3_finalize(in.stmt[i]);
    }
    free(buf);
    if (err != FW_OK && d != NULL && origin != path) {
        /* readers name the file they were given: name where it came from */
        snprintf(d->file, sizeof d->file, "%.*s", (int)sizeof d->file - 1,
                 origin);
    }
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
    /* the map check reads the glitch flags, so it runs after them */
    if ((err = merge_places(st, d)) != FW_OK ||
        (err = flag_suspects(st, d)) != FW_OK ||
        (err = fw_mapcheck_run(st, NULL, NULL, d)) != FW_OK ||
        (err = fw_border_derive(st, d)) != FW_OK ||
        (err = fw_displacement_match(st, d)) != FW_OK ||
        (err = fw_store_exec(st, "COMMIT", d)) != FW_OK) {
        sqlite3_exec(fw_store_db(st), "ROLLBACK", NULL, NULL, NULL);
    }
    return err;
}
