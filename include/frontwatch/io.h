/*
 * io.h - reading source files: plain or gzip, whole into memory, with a cap.
 *
 * Every reader starts here. gzip is detected by its magic bytes, so a file's
 * name does not matter. The cap bounds the decompressed size, so a gzip bomb
 * fails with FW_ELIMIT instead of exhausting memory. A file is inflated once
 * into a buffer that doubles as the data comes, as long as it holds at most
 * FW_IO_ONE_PASS_BYTES; a larger one is counted on to its end in a 64 KiB
 * block (a bomb costs time, about a second per 512 MiB, but no more memory
 * than FW_IO_ONE_PASS_BYTES) and, when within the cap, inflated once more
 * into a buffer of exactly its size. The largest real source file is 3.4 MB
 * decompressed (the official alerts CSV), so the cap leaves ample room for
 * longer versions; JSON documents have a lower cap of their own (json.h), since
 * their parsed tree takes many times their size.
 */
#ifndef FRONTWATCH_IO_H
#define FRONTWATCH_IO_H

#include <stddef.h>

#include "frontwatch/err.h"

/* Default cap on a decompressed source file: 512 MiB. */
#define FW_IO_MAX_BYTES ((size_t)512 << 20)

/* Largest file read in one pass: 32 MiB (ten times the largest real
 * source file). Larger files are read twice, so a bomb is never held. */
#define FW_IO_ONE_PASS_BYTES ((size_t)32 << 20)

/* Reads path (gunzipping it when it starts with the gzip magic; several
 * gzip members are read one after the other) into a new NUL-terminated
 * buffer. *out (caller-owned, free with free()) and *out_len are set on
 * success only. Peak memory is up to twice the decompressed size while the
 * buffer grows (the slack is given back before return) plus about 200 KiB;
 * for a file over FW_IO_ONE_PASS_BYTES, its size plus 200 KiB.
 * Errors, with the message in d (line and col 0): FW_EIO (cannot open or
 * read, or a file over FW_IO_ONE_PASS_BYTES changed between its two
 * passes), FW_EPARSE ("truncated or corrupt gzip data (<zlib's reason>)":
 * a download cut short, a damaged file), FW_ELIMIT (more than max_bytes after
 * decompression; no buffer was allocated beyond FW_IO_ONE_PASS_BYTES, and none
 * is left), FW_ENOMEM. */
fw_err fw_io_read_file(const char *path, size_t max_bytes, char **out,
                       size_t *out_len, struct fw_diag *d);

/* SHA-256 of the raw bytes of path (as stored on disk, not decompressed),
 * as 64 lowercase hex digits plus NUL into hex[65]. Errors: FW_EIO. */
fw_err fw_io_sha256_file(const char *path, char hex[65]);

/* Writes text (NUL-terminated, borrowed) and a newline to path through
 * path.tmp, renamed over path when whole: on error path is as it was and
 * path.tmp is removed. Errors: FW_EIO (d names the file and why). */
fw_err fw_io_write_text_atomic(const char *path, const char *text,
                               struct fw_diag *d);

/* SHA-256 of the raw bytes of paths[0 .. n_paths - 1] one after the
 * other (a source made of several files, such as a shapefile's .shp, .shx
 * and .dbf), as fw_io_sha256_file writes it; one path gives that file's
 * sha256. hex is set on success only. Errors: FW_EIO (a file cannot be
 * opened or read), FW_ENOMEM. */
fw_err fw_io_sha256_files(const char *const *paths, size_t n_paths,
                          char hex[65]);

#endif
