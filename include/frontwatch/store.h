/*
 * store.h - the frontwatch store: one SQLite file holding places, alert
 * regions, alerts, control snapshots (polygons with an R*Tree bbox index),
 * events, boundaries, country outlines and the state border derived from
 * them, IOM's displacement estimates and the front-line settlement
 * monitoring's visits, and the ingest log.
 *
 * The schema carries a version (PRAGMA user_version) and is brought up to
 * date by fw_store_open through numbered migrations, each in its own
 * transaction. The store runs in WAL mode, so readers (assess) never see a
 * half-written ingest.
 */
#ifndef FRONTWATCH_STORE_H
#define FRONTWATCH_STORE_H

#include <sqlite3.h>

#include "frontwatch/err.h"

typedef struct fw_store fw_store;

/* The schema version this build writes. */
#define FW_STORE_SCHEMA_VERSION 7

enum fw_store_mode {
    FW_STORE_READ = 0,  /* the file must exist; never written */
    FW_STORE_WRITE = 1  /* created and migrated when needed */
};

/* Opens (and in write mode creates/migrates) the store at path. *out is
 * caller-owned, freed by fw_store_close. Errors: FW_EIO (read mode, no
 * such file), FW_ESQL (not a frontwatch store, newer schema, SQLite
 * error; message in d), FW_ENOMEM. */
fw_err fw_store_open(const char *path, enum fw_store_mode mode,
                     fw_store **out, struct fw_diag *d);

/* Closes the store; accepts NULL. */
void fw_store_close(fw_store *st);

/* The underlying connection, borrowed (for the ingest, geo and assess
 * modules, which own their SQL). */
sqlite3 *fw_store_db(fw_store *st);

/* Runs a statement list with no parameters (schema, BEGIN/COMMIT).
 * Errors: FW_ESQL with SQLite's message in d. */
fw_err fw_store_exec(fw_store *st, const char *sql, struct fw_diag *d);

/* Prepares sql; on failure FW_ESQL with SQLite's message in d. */
fw_err fw_store_prepare(fw_store *st, const char *sql, sqlite3_stmt **out,
                        struct fw_diag *d);

#endif
