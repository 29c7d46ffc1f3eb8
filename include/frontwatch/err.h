/*
 * err.h - error codes and diagnostics shared by every frontwatch module.
 *
 * Every fallible call returns an fw_err. Readers also fill a struct fw_diag
 * naming the file, the line (or feature) and what was wrong, so that the CLI
 * can print "path:line: reason" without the library ever printing itself.
 */
#ifndef FRONTWATCH_ERR_H
#define FRONTWATCH_ERR_H

#include <stddef.h>

typedef enum fw_err {
    FW_OK = 0,
    FW_ENOMEM,    /* allocation failed */
    FW_EIO,       /* file could not be opened, read or written */
    FW_EPARSE,    /* input is not in the expected format */
    FW_ERANGE,    /* a value is out of its valid range (coordinates, dates) */
    FW_ESQL,      /* the SQLite store reported an error */
    FW_ENOTFOUND, /* a named thing (place, file) does not exist */
    FW_EAMBIGUOUS,/* a name matches several places */
    FW_EGEOS,     /* the geometry engine failed */
    FW_EPROJ,     /* the projection library failed */
    FW_EUSAGE,    /* the caller passed invalid arguments */
    FW_ELIMIT,    /* input exceeds a hard cap (size, depth) */
    FW_ENET,      /* a download failed: network, TLS, timeout, HTTP error */
    FW_EBUSY      /* another process holds the lock (update) */
} fw_err;

/* Where input went wrong. line and col are 1-based, 0 when unknown;
 * feature is the 0-based GeoJSON feature index, -1 when not applicable. */
struct fw_diag {
    char file[512];
    long line;
    long col;
    long feature;
    char msg[512];
};

/* A static, never-NULL description of err. */
const char *fw_strerror(fw_err err);

/* Clears d (file name kept empty, line/col 0, feature -1). d may be NULL. */
void fw_diag_reset(struct fw_diag *d);

/* Sets d's position and printf-style message; returns err so that readers
 * can write `return fw_diag_set(d, FW_EPARSE, line, 0, "...")`. d may be NULL.
 */
fw_err fw_diag_set(struct fw_diag *d, fw_err err, long line, long col,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Formats d as "file:line:col: msg" (or "file: feature N: msg") into buf. */
void fw_diag_format(const struct fw_diag *d, char *buf, size_t buf_len);

#endif
