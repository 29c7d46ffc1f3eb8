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
    FW_SOURCE_MISSILES /* missile_attacks_daily.csv (events.h) */
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
    char first_issue[256]; /* first reject or repair reason, "" if none */
};

/* Progress callback: bytes (or features) done of total for path. */
typedef void (*fw_progress_fn)(void *ctx, const char *path, size_t done,
                               size_t total);

/* Recognises the kind of source in path by its content, reading at most
 * the first 64 KiB (decompressed). FW_SOURCE_UNKNOWN when it is none of
 * ours. Errors: FW_EIO. */
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
 * per target of the row). */
fw_err fw_ingest_file(fw_store *st, const char *path, fw_progress_fn progress,
                      void *progress_ctx, struct fw_ingest_result *res,
                      struct fw_diag *d);

/* Recomputes what depends on several files: merges each KSE hromada centre
 * into the GeoNames place of the same name within 10 km, and marks
 * front-line snapshots whose occupied area jumps away from both neighbours
 * and back (glitches) as suspect. Idempotent; one transaction. */
fw_err fw_ingest_derive(fw_store *st, struct fw_diag *d);

#endif
