/*
 * cmd_status.c - `frontwatch status`: what the store holds, and with
 * --check whether it is whole.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "frontwatch/date.h"

static long long scalar(fw_store *st, const char *sql, int *ok)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (fw_store_prepare(st, sql, &s, NULL) != FW_OK) {
        *ok = 0;
        return v;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        v = sqlite3_column_int64(s, 0);
    } else {
        *ok = 0;
    }
    sqlite3_finalize(s);
    return v;
}

/* Invariants that hold after every committed ingest. A reader that saw
 * half a file would see one of them broken. */
static const struct {
    const char *what;
    const char *sql; /* returns the number of violations */
} CHECKS[] = {
    {"snapshot polygon counts match their polygons",
     "SELECT count(*) FROM snapshot s WHERE s.n_polygons <>"
     " (SELECT count(*) FROM polygon p WHERE p.snapshot_id = s.id)"},
    {"every polygon has its bbox in the R*Tree",
     "SELECT (SELECT count(*) FROM polygon) -"
     " (SELECT count(*) FROM polygon_rtree)"},
    {"every place has its point in the R*Tree",
     "SELECT (SELECT count(*) FROM place) - (SELECT count(*) FROM place_rtree)"},
    {"every place has a searchable name",
     "SELECT count(*) FROM place p WHERE NOT EXISTS"
     " (SELECT 1 FROM place_name n WHERE n.place_id = p.id)"},
    {"each file's logged count covers the alerts it wrote",
     "SELECT count(*) FROM ingest_log l WHERE l.rows_accepted <"
     " (SELECT count(*) FROM alert a WHERE a.log_id = l.id)"},
    {"each file's logged count covers the attack waves it wrote",
     "SELECT count(*) FROM ingest_log l WHERE l.rows_accepted <"
     " (SELECT count(DISTINCT source_row) FROM event e"
     "  WHERE e.log_id = l.id)"},
    {"every attack-wave event names one oblast or one area",
     "SELECT count(*) FROM event WHERE source = 'missile_attacks_daily'"
     " AND (oblast_iso IS NULL) = (area IS NULL)"},
    {"no file ingested twice",
     "SELECT count(*) - count(DISTINCT sha256 || name) FROM ingest_log"},
    {"the state border comes from the newest country outline",
     "SELECT count(*) FROM state_border b WHERE b.log_id <>"
     " (SELECT max(log_id) FROM country_outline c"
     "  WHERE c.country = b.country)"},
};

static int integrity_ok(fw_store *st)
{
    sqlite3_stmt *s = NULL;
    int ok = 1;
    if (fw_store_prepare(st, "PRAGMA integrity_check", &s, NULL) != FW_OK) {
        return 0;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (r == NULL || strcmp(r, "ok") != 0) {
            fprintf(stderr, "integrity_check: %s\n", r ? r : "?");
            ok = 0;
        }
    }
    sqlite3_finalize(s);
    return ok;
}

static int exec_status(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"check", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    int check = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:c", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c': check = 1; break;
        default: return FW_EXIT_USAGE;
        }
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_READ, &st, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    /* one read transaction: every number below is of the same state */
    fw_store_exec(st, "BEGIN", NULL);
    int ok = 1;
    static const struct {
        const char *label;
        const char *sql;
    } COUNTS[] = {
        {"files ingested", "SELECT count(*) FROM ingest_log"},
        {"places", "SELECT count(*) FROM place WHERE merged_into IS NULL"},
        {"place names", "SELECT count(*) FROM place_name"},
        {"alert regions", "SELECT count(*) FROM region"},
        {"alerts", "SELECT count(*) FROM alert"},
        {"attack waves", "SELECT count(DISTINCT log_id || ':' || source_row)"
                         " FROM event WHERE source='missile_attacks_daily'"},
        {"  events (per target)",
         "SELECT count(*) FROM event WHERE source='missile_attacks_daily'"},
        {"map snapshots", "SELECT count(*) FROM snapshot"},
        {"  suspect (not used)",
         "SELECT count(*) FROM snapshot WHERE suspect IS NOT NULL"},
        {"  not yet checked",
         "SELECT count(*) FROM snapshot WHERE check_prev_id IS NULL"},
        {"map polygons", "SELECT count(*) FROM polygon"},
        {"  held back (isolated)",
         "SELECT count(*) FROM polygon WHERE unconfirmed <> 0"},
        {"boundary polygons", "SELECT count(*) FROM boundary"},
        {"country outlines",
         "SELECT count(DISTINCT country) FROM country_outline"},
        {"  state border km",
         "SELECT coalesce(round(sum(length_km)), 0) FROM state_border"},
        {"rows rejected", "SELECT coalesce(sum(rows_rejected),0) FROM ingest_log"},
        {"rows repaired", "SELECT coalesce(sum(rows_repaired),0) FROM ingest_log"},
    };
    printf("store %s (schema %d)\n", fw_cli_db_path(db),
           FW_STORE_SCHEMA_VERSION);
    for (size_t i = 0; i < sizeof COUNTS / sizeof COUNTS[0]; i++) {
        printf("  %-22s %lld\n", COUNTS[i].label,
               scalar(st, COUNTS[i].sql, &ok));
    }
    sqlite3_stmt *s = NULL;
    if (fw_store_prepare(st,
                         "SELECT source, count(*), min(published_s),"
                         " max(published_s) FROM snapshot GROUP BY source",
                         &s, &d) == FW_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            char a[11], b[11];
            fw_date_format_day(sqlite3_column_int64(s, 2), a);
            fw_date_format_day(sqlite3_column_int64(s, 3), b);
            printf("  maps %-18s %d, %s .. %s\n",
                   (const char *)sqlite3_column_text(s, 0),
                   sqlite3_column_int(s, 1), a, b);
        }
        sqlite3_finalize(s);
    }
    int rc = ok ? FW_EXIT_OK : FW_EXIT_IO;
    if (check) {
        int whole = integrity_ok(st);
        printf("check: integrity_check %s\n", whole ? "ok" : "FAILED");
        for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0]; i++) {
            long long bad = scalar(st, CHECKS[i].sql, &ok);
            printf("check: %s: %s\n", CHECKS[i].what,
                   bad == 0 ? "ok" : "FAILED");
            whole = whole && bad == 0;
        }
        if (!whole || !ok) {
            rc = FW_EXIT_IO;
        }
    }
    fw_store_exec(st, "COMMIT", NULL);
    fw_store_close(st);
    return rc;
}

const struct fw_cmd fw_cmd_status = {
    .name = "status",
    .usage = "status [--check] [--db STORE]",
    .summary = "what the store holds; with --check, whether it is whole",
    .help =
        "Prints the number of files, places, alerts, attack waves (and\n"
        "their events, one per target), map snapshots (per source, with\n"
        "their date range; the suspect ones, and those not yet checked\n"
        "for new isolated parts) and polygons (and those held back as\n"
        "new isolated parts no second map has confirmed) in the store.\n"
        "\n"
        "Options:\n"
        "  --check     also run SQLite's integrity_check and frontwatch's\n"
        "              own invariants (every snapshot complete, indexes\n"
        "              in step with their tables, no file twice); exit\n"
        "              code 3 when one fails\n"
        "  --db STORE  the store (default frontwatch.db or $FRONTWATCH_DB)\n"
        "\n"
        "Example:\n"
        "  frontwatch status --check\n",
    .exec = exec_status,
};
