/*
 * ingest.h - from source files to the store: recognise a file's kind, run
 * its reader, write its records, all in one transaction per file.
 *
 * Guarantees: a file that fails leaves the store unchanged; a file already
 * ingested (same name and sha256) changes nothing and says so; rejected
 * rows and repairs are counted and kept in ingest_issue with their reasons.
 */
#ifndef FRONTWATCH_INGEST_H
#define FRONTWATCH_INGEST_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/store.h"

enum fw_source_kind {
    FW_SOURCE_UNKNOWN = 0,
    FW_SOURCE_GEONAMES,
    FW_SOURCE_KSE,
    FW_SOURCE_ALERTS,
    FW_SOURCE_ALERT_REGIONS,
    FW_SOURCE_FRONTLINE,
    FW_SOURCE_BOUNDARIES,
    FW_SOURCE_MISSILES, /* missile_attacks_daily.csv (events.h) */
    FW_SOURCE_ALERTS_IN_UA, /* an alerts.in.ua history answer (alerts.h) */
    FW_SOURCE_COUNTRY_OUTLINE, /* a shapefile of a country (shapefile.h) */
    FW_SOURCE_BELLINGCAT,   /* Bellingcat civilian-harm JSON (incidents.h) */
    FW_SOURCE_CIR,          /* CIR map events CSV (incidents.h) */
    FW_SOURCE_IOM,          /* IOM DTM oblast estimates (displacement.h) */
    FW_SOURCE_SLAC          /* SLAC settlement monitoring (displacement.h) */
};

/* Name of a kind, "geonames", "alerts", ... (static, never NULL). */
const char *fw_source_kind_name(enum fw_source_kind kind);

struct fw_ingest_result {
    enum fw_source_kind kind;
    char sha256[65];
    int is_duplicate;      /* already in the store: nothing was written */
    long rows_read;        /* rows or features the reader produced */
    long rows_accepted;
    long rows_rejected;    /* skipped, with a reason in ingest_issue */
    long rows_repaired;    /* fixed on the way in (also in ingest_issue) */
    long rows_known;       /* alerts stored already by an earlier file (a
                              newer version of a cumulative CSV, an
                              overlapping alerts.in.ua answer): neither
                              accepted nor rejected */
    char first_issue[256]; /* first reject or repair reason, "" if none */
};

/* Progress callback: bytes (or features) done of total for path. */
typedef void (*fw_progress_fn)(void *ctx, const char *path, size_t done,
                               size_t total);

/* Recognises the kind of source in path by its content, reading at most
 * the first 64 KiB (decompressed). FW_SOURCE_UNKNOWN when it is none of
 * ours. A shapefile is known by its .shp, which brings its .shx and .dbf
 * (shapefile.h): those two are FW_SOURCE_UNKNOWN, skipped in a folder.
 * Errors: FW_EIO. */
fw_err fw_ingest_sniff(const char *path, enum fw_source_kind *kind,
                       struct fw_diag *d);

/* Ingests one file (its kind sniffed). On error the store is unchanged and
 * d names the file, line or feature, and what was wrong; FW_EUSAGE when
 * the file is not a recognised source. res may be NULL.
 *
 * The missile table is cumulative (each version holds every earlier row,
 * newest first, so line numbers shift): a new version replaces the events
 * of the one ingested before it, in the same transaction. For it,
 * rows_read counts rows, rows_accepted rows that gave events (one event
 * per target of the row). So are the incident tables (incidents.h): a new
 * Bellingcat export or CIR table replaces the events of the one before
 * it; their rows that are not strikes are skipped, counted neither as
 * read nor as rejected.
 *
 * IOM DTM's estimates and SLAC's monitoring (displacement.h): a new file
 * replaces the rows of the older files of its kind that it covers again,
 * the rounds it holds (IOM) or the days from its first visit to its last
 * (SLAC); rounds or days it does not hold stay. rows_read counts the
 * oblast rows and visits (IOM's "Residence location unknown" row is
 * skipped, counted neither as read nor as rejected).
 *
 * A shapefile is ingested through its .shp (path), with its .shx and .dbf
 * found beside it (shapefile.h): one source, one transaction. Its sha256
 * is that of the three files together, so a change in any of them makes
 * it new; a missing or broken part fails the whole, d naming which part
 * and why. rows_read counts polygons. */
fw_err fw_ingest_file(fw_store *st, const char *path, fw_progress_fn progress,
                      void *progress_ctx, struct fw_ingest_result *res,
                      struct fw_diag *d);

/* fw_ingest_file for a file fetched from origin (a URL, borrowed): the
 * store's ingest_log records origin as the file's path, and d names
 * origin; the name that makes a file "already ingested" is still path's
 * base name. origin NULL is path. */
fw_err fw_ingest_file_as(fw_store *st, const char *path, const char *origin,
                         fw_progress_fn progress, void *progress_ctx,
                         struct fw_ingest_result *res, struct fw_diag *d);

/* Pipelined ingest of a list of files, in list order: worker threads
 * read, hash and parse the files ahead (up to a few files, so memory stays
 * bounded) while the caller's thread writes each file's records, one
 * transaction per file, exactly as fw_ingest_file does. The results,
 * errors and store contents are those of calling fw_ingest_file on each
 * file in turn (a file that fails in the worker or while being written is
 * rolled back and ingested again serially, which gives the same error).
 * threads <= 0: one per online CPU (at most 4). paths must outlive the
 * pipe. */
struct fw_ingest_pipe;

fw_err fw_ingest_pipe_open(fw_store *st, char *const *paths, size_t n,
                           int threads, struct fw_ingest_pipe **out,
                           struct fw_diag *d);

/* Ingests paths[i]; i must increase from call to call (files skipped by
 * the caller are simply never asked for). Same contract as
 * fw_ingest_file; progress is called on the caller's thread. */
fw_err fw_ingest_pipe_file(struct fw_ingest_pipe *p, size_t i,
                           fw_progress_fn progress, void *progress_ctx,
                           struct fw_ingest_result *res, struct fw_diag *d);

/* fw_ingest_sniff(paths[i]), answered by the worker when it can (waits
 * for it; the same rule as fw_ingest_pipe_file for i). */
fw_err fw_ingest_pipe_sniff(struct fw_ingest_pipe *p, size_t i,
                            enum fw_source_kind *kind, struct fw_diag *d);

/* Stops the workers (abandoning files not asked for) and frees p. */
void fw_ingest_pipe_close(struct fw_ingest_pipe *p);

/* Recomputes what depends on several files: merges each KSE hromada centre
 * into the GeoNames place of the same name within 10 km, marks front-line
 * snapshots whose occupied area jumps away from both neighbours and back
 * (glitches) as suspect, then holds the new isolated parts of each map as
 * unconfirmed (mapcheck.h; only the maps not yet checked, or whose
 * reference maps changed), then derives the state border from the newest
 * country outline and oblast outlines (border.h; only when those changed),
 * and last matches the monitored settlements to places
 * (fw_displacement_match). Idempotent; one transaction. */
fw_err fw_ingest_derive(fw_store *st, struct fw_diag *d);

#endif
