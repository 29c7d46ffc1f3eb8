/*
 * ingest_int.h - what the two halves of the ingest share, private to the
 * library: ingest.c (sniffing, the store's sink, one file, what depends on
 * several files) defines these, and ingest_pipe.c (the pipelined ingest,
 * whose workers parse files ahead and whose caller's thread replays their
 * records into the sink) uses them. Included by those two files only.
 */
#ifndef FRONTWATCH_INGEST_INT_H
#define FRONTWATCH_INGEST_INT_H

#include <sqlite3.h>

#include "frontwatch/err.h"
#include "frontwatch/ingest.h"
#include "frontwatch/record.h"
#include "frontwatch/store.h"

/* The sink's prepared statements: indexes into FW_INGEST_SQL and
 * struct ingest's stmt. */
enum fw_ingest_stmt {
    FW_INGEST_S_PLACE,
    FW_INGEST_S_PLACE_NAME,
    FW_INGEST_S_PLACE_RTREE,
    FW_INGEST_S_REGION,
    FW_INGEST_S_ALERT,
    FW_INGEST_S_ALERT_OWNER,
    FW_INGEST_S_SNAPSHOT,
    FW_INGEST_S_POLYGON,
    FW_INGEST_S_POLYGON_RTREE,
    FW_INGEST_S_BOUNDARY,
    FW_INGEST_S_ISSUE,
    FW_INGEST_S_EVENT,
    FW_INGEST_S_COUNTRY,
    FW_INGEST_S_DISPLACEMENT,
    FW_INGEST_S_VISIT,
    FW_INGEST_N_STMTS
};

/* The SQL of each statement (static strings). */
extern const char *const FW_INGEST_SQL[FW_INGEST_N_STMTS];

/* One file being written into the store: the state of the store's sink.
 * The caller fills st, db, stmt (prepared from FW_INGEST_SQL), res, d,
 * path and the progress callback, and zeroes the rest; all pointers are
 * borrowed. */
struct ingest {
    fw_store *st;
    sqlite3 *db;
    sqlite3_stmt *stmt[FW_INGEST_N_STMTS];
    long long log_id;
    long long snapshot_id; /* current map snapshot, 0 = none */
    char boundary_iso[16]; /* current boundary, "" = none */
    char country[3];       /* current country outline, "" = none */
    char boundary_name[256]; /* of the boundary or country outline */
    char event_row[32]; /* source_row of the last event, "" = none */
    struct fw_ingest_result *res;
    long n_issues;
    struct fw_diag *d;
    const char *path;
    fw_progress_fn progress;
    void *progress_ctx;
};

/* The kind of a source whose first bytes (decompressed) are buf[0 .. n)
 * with buf[n] = '\0', n at most 64 KiB; FW_SOURCE_UNKNOWN when it is none
 * of ours. buf is borrowed. What fw_ingest_sniff answers for those bytes. */
enum fw_source_kind fw_ingest_sniff_buf(const char *buf, int n);

/* Fills *sink (caller's) with the store's sink for in (borrowed; must
 * outlive the sink's use): each record is written through in's prepared
 * statements inside the file's transaction, which the caller opened, and
 * counted in in->res; rejects and repairs go to ingest_issue. A record
 * callback returns FW_ESQL (in->d says why) or FW_EPARSE (a snapshot
 * already stored from another file, a polygon before its snapshot); the
 * caller then rolls the transaction back. */
void fw_ingest_sink(struct ingest *in, struct fw_sink *sink);

/* The file name in path: the part after its last '/' (a pointer into
 * path). */
const char *fw_ingest_base_name(const char *path);

/* Whether ingest_log has a file with this sha256 (hex, borrowed) and name
 * (borrowed): *dup 1 or 0. Errors: FW_ESQL (in->d says why); *dup is then
 * untouched. */
fw_err fw_ingest_is_duplicate(struct ingest *in, const char *sha,
                              const char *name, int *dup);

/* The sha256 that identifies the source path of kind in ingest_log: of
 * its bytes on disk, or for a shapefile of its three files
 * (fw_shapefile_sha256). hex is set on success only. Errors: FW_EIO, and
 * for a shapefile FW_EPARSE (a part missing), with d saying why. */
fw_err fw_ingest_sha256(enum fw_source_kind kind, const char *path,
                        char hex[65], struct fw_diag *d);

/* Inserts the ingest_log row of path (origin as its path, path's base
 * name, sha256 sha, kind in->res->kind, the time now, counts 0) and sets
 * in->log_id to it. Inside the file's transaction. Errors: FW_ESQL (in->d
 * says why). */
fw_err fw_ingest_insert_log(struct ingest *in, const char *origin,
                            const char *path, const char *sha);

/* Runs the reader of kind on buf[0..len) (path: the file, for its date
 * and mtime) into sink. *not_ours is set when the file turned out to be
 * valid JSON of no shape we read (the error is then FW_EUSAGE). Errors:
 * the reader's. */
fw_err fw_ingest_read(enum fw_source_kind kind, const char *path,
                      const char *buf, size_t len,
                      const struct fw_sink *sink, int *not_ours,
                      struct fw_diag *d);

/* Writes in->res's kind and counts into the file's ingest_log row and, for
 * a map, its snapshot's polygon count and area totals. Inside the file's
 * transaction. Errors: FW_ESQL (in->d says why). */
fw_err fw_ingest_finish_log(struct ingest *in);

/* For a cumulative event source (in->res->kind: the missile table, the
 * incident tables; see ingest.h), deletes the events the older versions
 * of the same source wrote: a new version replaces them. Nothing for
 * other kinds. Inside the file's transaction, so if the file fails the
 * old events stay. Errors: FW_ESQL (in->d says why). */
fw_err fw_ingest_replace_older_events(struct ingest *in);

/* For IOM's estimates and SLAC's visits (ingest.h), after the file's
 * rows are written: deletes the rows of older files of the same kind that
 * this one covers again (the same rounds; the days from its first visit
 * to its last). Nothing for other kinds. Inside the file's transaction.
 * Errors: FW_ESQL (in->d says why). */
fw_err fw_ingest_replace_older_rows(struct ingest *in);

#endif
