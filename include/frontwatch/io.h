/*
 * io.h - reading source files: plain or gzip, whole into memory, with a cap.
 *
 * Every reader starts here. gzip is detected by its magic bytes, so a file's
 * name does not matter. The cap bounds the decompressed size, so a gzip bomb
 * fails with FW_ELIMIT instead of exhausting memory.
 */
#ifndef FRONTWATCH_IO_H
#define FRONTWATCH_IO_H

#include <stddef.h>

#include "frontwatch/err.h"

/* Default cap on a decompressed source file: 512 MiB. */
#define FW_IO_MAX_BYTES ((size_t)512 << 20)

/* Reads path (gunzipping it when it starts with the gzip magic) into a new
 * NUL-terminated buffer. *out (caller-owned, free with free()) and *out_len
 * are set on success only. Errors: FW_EIO (open/read/corrupt gzip, message in
 * d), FW_ELIMIT (more than max_bytes after decompression), FW_ENOMEM. */
fw_err fw_io_read_file(const char *path, size_t max_bytes, char **out,
                       size_t *out_len, struct fw_diag *d);

/* SHA-256 of the raw bytes of path (as stored on disk, not decompressed),
 * as 64 lowercase hex digits plus NUL into hex[65]. Errors: FW_EIO. */
fw_err fw_io_sha256_file(const char *path, char hex[65]);

#endif
