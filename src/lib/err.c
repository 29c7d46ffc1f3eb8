/*
 * err.c - error strings and diagnostics (see err.h).
 */
#include "frontwatch/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *fw_strerror(fw_err err)
{
    switch (err) {
    case FW_OK: return "success";
    case FW_ENOMEM: return "out of memory";
    case FW_EIO: return "input/output error";
    case FW_EPARSE: return "malformed input";
    case FW_ERANGE: return "value out of range";
    case FW_ESQL: return "store (SQLite) error";
    case FW_ENOTFOUND: return "not found";
    case FW_EAMBIGUOUS: return "ambiguous name";
    case FW_EGEOS: return "geometry engine error";
    case FW_EPROJ: return "projection error";
    case FW_EUSAGE: return "invalid arguments";
    case FW_ELIMIT: return "input exceeds a limit";
    case FW_ENET: return "download failed";
    case FW_EBUSY: return "busy: another process holds the lock";
    }
    return "unknown error";
}

void fw_diag_reset(struct fw_diag *d)
{
    if (d == NULL) {
        return;
    }
    d->file[0] = '\0';
    d->line = 0;
    d->col = 0;
    d->feature = -1;
    d->msg[0] = '\0';
}

fw_err fw_diag_set(struct fw_diag *d, fw_err err, long line, long col,
                   const char *fmt, ...)
{
    if (d == NULL) {
        return err;
    }
    d->line = line;
    d->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return err;
}

void fw_diag_format(const struct fw_diag *d, char *buf, size_t buf_len)
{
    const char *file = d->file[0] ? d->file : "<input>";
    if (d->line > 0 && d->col > 0) {
        snprintf(buf, buf_len, "%s:%ld:%ld: %s", file, d->line, d->col,
                 d->msg);
    } else if (d->line > 0) {
        snprintf(buf, buf_len, "%s:%ld: %s", file, d->line, d->msg);
    } else if (d->feature >= 0) {
        snprintf(buf, buf_len, "%s: feature %ld: %s", file, d->feature,
                 d->msg);
    } else {
        snprintf(buf, buf_len, "%s: %s", file, d->msg);
    }
}
