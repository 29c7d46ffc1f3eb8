/*
 * store.c - opening the SQLite store and migrating its schema (store.h).
 *
 * Each migration runs in its own transaction and bumps user_version, so a
 * store is always at a whole version, whatever interrupted a migration.
 */
#include "frontwatch/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fw_store {
    sqlite3 *db;
};

/* Migration N (1-based) brings the schema from version N-1 to N. */
static const char *const MIGRATIONS[] = {
    /* 1: the first schema */
    "CREATE TABLE ingest_log("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL,"          /* as given on the command line */
    "  name TEXT NOT NULL,"          /* base name */
    "  sha256 TEXT NOT NULL,"        /* of the bytes on disk */
    "  kind TEXT NOT NULL,"
    "  ingested_at INTEGER NOT NULL,"
    "  rows_read INTEGER NOT NULL,"
    "  rows_accepted INTEGER NOT NULL,"
    "  rows_rejected INTEGER NOT NULL,"
    "  rows_repaired INTEGER NOT NULL,"
    "  UNIQUE(sha256, name));"
    "CREATE TABLE ingest_issue("
    "  log_id INTEGER NOT NULL REFERENCES ingest_log(id),"
    "  line INTEGER, feature INTEGER,"
    "  is_repair INTEGER NOT NULL,"
    "  reason TEXT NOT NULL);"
    "CREATE INDEX ingest_issue_log ON ingest_issue(log_id);"
    "CREATE TABLE place("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL, source_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  lat REAL NOT NULL, lon REAL NOT NULL,"
    "  population INTEGER,"          /* NULL: unknown */
    "  oblast_iso TEXT, raion TEXT, hromada TEXT, kind TEXT,"
    "  merged_into INTEGER REFERENCES place(id),"
    "  log_id INTEGER NOT NULL,"
    "  UNIQUE(source, source_id));"
    "CREATE TABLE place_name("
    "  place_id INTEGER NOT NULL REFERENCES place(id),"
    "  key TEXT NOT NULL,"           /* fw_text_key of name */
    "  name TEXT NOT NULL,"
    "  PRIMARY KEY(place_id, key)) WITHOUT ROWID;"
    "CREATE INDEX place_name_key ON place_name(key);"
    "CREATE VIRTUAL TABLE place_rtree USING rtree(id, min_lon, max_lon,"
    "  min_lat, max_lat);"
    "CREATE TABLE region("           /* alert regions (states.json) */
    "  id INTEGER NOT NULL, level INTEGER NOT NULL,"
    "  parent_id INTEGER NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,"
    "  oblast_iso TEXT,"
    "  PRIMARY KEY(level, id));"
    "CREATE INDEX region_key ON region(key);"
    "CREATE TABLE alert("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL, level INTEGER NOT NULL,"
    "  oblast_iso TEXT NOT NULL, raion TEXT NOT NULL, hromada TEXT NOT NULL,"
    "  start_s INTEGER NOT NULL, end_s INTEGER NOT NULL,"
    "  is_naive INTEGER NOT NULL,"
    "  log_id INTEGER NOT NULL,"
    "  UNIQUE(source, level, oblast_iso, raion, hromada, start_s));"
    "CREATE INDEX alert_oblast ON alert(oblast_iso, level, start_s);"
    "CREATE TABLE snapshot("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  published_s INTEGER NOT NULL, as_of_s INTEGER NOT NULL,"
    "  n_polygons INTEGER NOT NULL DEFAULT 0,"
    "  occupied_km2 REAL NOT NULL DEFAULT 0,"
    "  contested_km2 REAL NOT NULL DEFAULT 0,"
    "  suspect TEXT,"                /* why it is not used, NULL if fine */
    "  log_id INTEGER NOT NULL,"
    "  UNIQUE(source, published_s));"
    "CREATE INDEX snapshot_time ON snapshot(source, published_s);"
    "CREATE TABLE polygon("
    "  id INTEGER PRIMARY KEY,"
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),"
    "  cls INTEGER NOT NULL, area_km2 REAL NOT NULL, wkb BLOB NOT NULL);"
    "CREATE INDEX polygon_snapshot ON polygon(snapshot_id, cls);"
    "CREATE VIRTUAL TABLE polygon_rtree USING rtree(id, min_lon, max_lon,"
    "  min_lat, max_lat);"
    "CREATE TABLE boundary("
    "  id INTEGER PRIMARY KEY,"
    "  oblast_iso TEXT NOT NULL, name TEXT NOT NULL,"
    "  area_km2 REAL NOT NULL, wkb BLOB NOT NULL,"
    "  log_id INTEGER NOT NULL);"
    "CREATE INDEX boundary_oblast ON boundary(oblast_iso);"
    "CREATE TABLE event("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL, t_s INTEGER NOT NULL,"
    "  lat REAL, lon REAL, oblast_iso TEXT,"
    "  type TEXT NOT NULL, count INTEGER,"
    "  source_row TEXT,"
    "  log_id INTEGER NOT NULL);"
    "CREATE INDEX event_time ON event(oblast_iso, t_s);",
    /* 2: events aimed at an area rather than an oblast (the missile
     * table's "south", "Ukraine", ...: events.h), and its index */
    "ALTER TABLE event ADD COLUMN area TEXT;"
    "CREATE INDEX event_area ON event(area, t_s);",
    /* 3: live updates (update.h): conditional-request state per URL, each
     * source's last try, and alerts still running when they were read
     * (their end_s is when; hours extend them to the time asked) */
    "CREATE TABLE http_cache("
    "  url TEXT PRIMARY KEY,"
    "  etag TEXT, last_modified TEXT,"
    "  sha256 TEXT NOT NULL,"        /* of the last body ingested */
    "  body_bytes INTEGER NOT NULL,"
    "  fetched_s INTEGER NOT NULL);"
    "CREATE TABLE source_state("
    "  name TEXT PRIMARY KEY,"       /* update.h source name */
    "  url TEXT NOT NULL,"           /* of the last try */
    "  last_try_s INTEGER NOT NULL,"
    "  last_success_s INTEGER,"
    "  last_error TEXT);"            /* NULL: the last try succeeded */
    "ALTER TABLE alert ADD COLUMN is_open INTEGER NOT NULL DEFAULT 0;",
    /* 4: map checks (mapcheck.h): per occupied polygon, its distance from
     * its source's previous map and from the other source's map, and
     * whether it is held as unconfirmed; per snapshot, the two maps it was
     * checked against (NULL: not checked yet), so that a later run checks
     * again only the snapshots whose reference maps changed */
    "ALTER TABLE polygon ADD COLUMN gap_km REAL;"
    "ALTER TABLE polygon ADD COLUMN other_km REAL;"
    "ALTER TABLE polygon ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE snapshot ADD COLUMN check_prev_id INTEGER;"
    "ALTER TABLE snapshot ADD COLUMN check_other_id INTEGER;",
    /* 5: alerts by time, for the server's answers: the newest alert at a
     * time (alert_start: a seek where the oblast index was read whole, 3
     * ms an assessment) and an oblast's alerts that end after a time
     * (alert_oblast_end: the rows of a window, not of the whole war) */
    "CREATE INDEX alert_start ON alert(start_s);"
    "CREATE INDEX alert_oblast_end ON alert(oblast_iso, end_s);",
    /* 6: the state border (border.h): countries' outlines as read from
     * their files (shapefile.h), one row per polygon, and the border line
     * derived from the newest outline of each country and the oblast
     * outlines (fw_border_derive), with the two files it came from, so
     * that it is derived again only when one of them changes */
    "CREATE TABLE country_outline("
    "  id INTEGER PRIMARY KEY,"
    "  country TEXT NOT NULL,"       /* ISO 3166-1 alpha-2: "RU" */
    "  name TEXT NOT NULL,"
    "  area_km2 REAL NOT NULL, wkb BLOB NOT NULL,"
    "  log_id INTEGER NOT NULL);"
    "CREATE INDEX country_outline_country ON country_outline(country,"
    "  log_id);"
    "CREATE TABLE state_border("
    "  id INTEGER PRIMARY KEY,"
    "  country TEXT NOT NULL UNIQUE,"
    "  wkb BLOB NOT NULL,"           /* MultiLineString, lon/lat */
    "  length_km REAL NOT NULL,"     /* geodesic */
    "  log_id INTEGER NOT NULL,"     /* the country outline's file */
    "  boundary_log_id INTEGER NOT NULL);", /* the oblast outlines' file */
    /* 7: people leaving (displacement.h): IOM DTM's estimates per oblast
     * and round (NULL: IOM gives none), and SLAC's front-line settlement
     * monitoring, a row per visit, with the gazetteer place each
     * settlement was matched to after the ingest (fw_displacement_match:
     * place_id NULL when none; match "name", "spelling" or "ambiguous") */
    "CREATE TABLE displacement("
    "  id INTEGER PRIMARY KEY,"
    "  round INTEGER NOT NULL,"
    "  reported_s INTEGER NOT NULL,"  /* midnight UTC of the reported day */
    "  oblast_iso TEXT NOT NULL,"
    "  idps INTEGER, returnees INTEGER,"
    "  source_row TEXT,"
    "  log_id INTEGER NOT NULL,"
    "  UNIQUE(oblast_iso, round, log_id));"
    "CREATE INDEX displacement_oblast ON displacement(oblast_iso,"
    "  reported_s);"
    "CREATE TABLE settlement_visit("
    "  id INTEGER PRIMARY KEY,"
    "  t_s INTEGER NOT NULL,"         /* the visit's start */
    "  oblast_iso TEXT NOT NULL,"
    "  raion TEXT, hromada TEXT, settlement TEXT NOT NULL,"
    "  civilians_present TEXT, civilians_number TEXT,"
    "  civ_change TEXT, civ_change_type TEXT,"
    "  movement_now TEXT, movement_direction TEXT,"
    "  frontline_distance TEXT,"
    "  source_row TEXT,"
    "  place_id INTEGER, match TEXT,"
    "  log_id INTEGER NOT NULL);"
    "CREATE INDEX settlement_visit_place ON settlement_visit(place_id, t_s);"
    "CREATE INDEX settlement_visit_time ON settlement_visit(t_s);",
};

#define N_MIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

sqlite3 *fw_store_db(fw_store *st) { return st->db; }

fw_err fw_store_exec(fw_store *st, const char *sql, struct fw_diag *d)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                    msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return FW_ESQL;
    }
    return FW_OK;
}

fw_err fw_store_prepare(fw_store *st, const char *sql, sqlite3_stmt **out,
                        struct fw_diag *d)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
        return fw_diag_set(d, FW_ESQL, 0, 0, "%s", sqlite3_errmsg(st->db));
    }
    return FW_OK;
}

static fw_err user_version(fw_store *st, int *v, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(st, "PRAGMA user_version", &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s", sqlite3_errmsg(st->db));
    } else {
        *v = sqlite3_column_int(s, 0);
    }
    sqlite3_finalize(s);
    return err;
}

static fw_err migrate(fw_store *st, struct fw_diag *d)
{
    int v = 0;
    fw_err err = user_version(st, &v, d);
    if (err != FW_OK) {
        return err;
    }
    if (v > N_MIGRATIONS) {
        return fw_diag_set(d, FW_ESQL, 0, 0,
                           "store has schema version %d; this frontwatch "
                           "knows up to %d (upgrade frontwatch)",
                           v, N_MIGRATIONS);
    }
    for (; v < N_MIGRATIONS; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", v + 1);
        if ((err = fw_store_exec(st, "BEGIN IMMEDIATE", d)) != FW_OK) {
            return err;
        }
        if ((err = fw_store_exec(st, MIGRATIONS[v], d)) != FW_OK ||
            (err = fw_store_exec(st, bump, d)) != FW_OK ||
            (err = fw_store_exec(st, "COMMIT", d)) != FW_OK) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return err;
        }
    }
    return FW_OK;
}

/* A store that is not empty must have our tables: refuse someone else's
 * database rather than adding tables to it. */
static fw_err check_ours(fw_store *st, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT (SELECT count(*) FROM sqlite_schema),"
        " (SELECT count(*) FROM sqlite_schema WHERE name='ingest_log')",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "%s", sqlite3_errmsg(st->db));
    } else if (sqlite3_column_int(s, 0) > 0 &&
               sqlite3_column_int(s, 1) == 0) {
        err = fw_diag_set(d, FW_ESQL, 0, 0,
                          "not a frontwatch store (no ingest_log table)");
    }
    sqlite3_finalize(s);
    return err;
}

fw_err fw_store_open(const char *path, enum fw_store_mode mode,
                     fw_store **out, struct fw_diag *d)
{
    fw_err err = FW_OK;
    struct stat sb;
    if (mode == FW_STORE_READ && stat(path, &sb) != 0) {
        return fw_diag_set(d, FW_EIO, 0, 0,
                           "no store at %s (run 'frontwatch ingest' first)",
                           path);
    }
    fw_store *st = calloc(1, sizeof *st);
    if (st == NULL) {
        return FW_ENOMEM;
    }
    int flags = mode == FW_STORE_WRITE
                    ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                    : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "cannot open store %s: %s", path,
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 10000);
    sqlite3_extended_result_codes(st->db, 1);
    if ((err = check_ours(st, d)) != FW_OK) {
        goto fail;
    }
    if (mode == FW_STORE_WRITE) {
        if ((err = fw_store_exec(st,
                                 "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=NORMAL;"
                                 "PRAGMA foreign_keys=ON;",
                                 d)) != FW_OK ||
            (err = migrate(st, d)) != FW_OK) {
            goto fail;
        }
    } else {
        int v = 0;
        if ((err = user_version(st, &v, d)) != FW_OK) {
            goto fail;
        }
        if (v != N_MIGRATIONS) {
            err = fw_diag_set(d, FW_ESQL, 0, 0,
                              "store %s has schema version %d, expected %d "
                              "(run 'frontwatch ingest' to migrate it)",
                              path, v, N_MIGRATIONS);
            goto fail;
        }
    }
    *out = st;
    return FW_OK;
fail:
    fw_store_close(st);
    return err;
}

void fw_store_close(fw_store *st)
{
    if (st == NULL) {
        return;
    }
    sqlite3_close(st->db);
    free(st);
}

_Static_assert(N_MIGRATIONS == FW_STORE_SCHEMA_VERSION,
               "FW_STORE_SCHEMA_VERSION must equal the number of migrations");
