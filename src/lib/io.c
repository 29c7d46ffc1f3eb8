/*
 * io.c - whole-file reads with transparent gzip and a size cap (see io.h).
 * The first step of every ingest: the readers get the whole decompressed
 * file as one buffer.
 */
#include "frontwatch/io.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* zlib's message for a failed read, without the "path: " it prefixes. */
static const char *gz_message(gzFile gz, const char *path, int *zerr)
{
    const char *msg = gzerror(gz, zerr);
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0) {
        msg += n + 2;
    }
    return msg;
}

/* Reads from gz into buf[0..limit] (or, when buf is NULL, into a scratch
 * block, only counting) until the end of the data or until more than
 * limit bytes have come. *n_out is the count read. A read error is
 * FW_EIO; data zlib cannot inflate (truncated, corrupt) is FW_EPARSE. */
static fw_err gz_drain(gzFile gz, const char *path, char *buf, size_t limit,
                       size_t *n_out, struct fw_diag *d)
{
    char block[1 << 16];
    size_t n = 0;
    for (;;) {
        char *dst = buf != NULL ? buf + n : block;
        size_t room = buf != NULL ? limit + 1 - n : sizeof block;
        if (room == 0) {
            break; /* buf is full: one byte more than limit was read */
        }
        unsigned want = room > (1u << 30) ? 1u << 30 : (unsigned)room;
        int got = gzread(gz, dst, want);
        int zerr = Z_OK;
        const char *msg = got <= 0 ? gz_message(gz, path, &zerr) : "";
        /* At a cut, zlib returns the bytes it has, then 0 or -1 with the
         * error set. */
        if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
            if (zerr == Z_ERRNO) {
                return fw_diag_set(d, FW_EIO, 0, 0, "read failed: %s",
                                   strerror(errno));
            }
            return fw_diag_set(d, FW_EPARSE, 0, 0,
                               "truncated or corrupt gzip data (%s)", msg);
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
        if (n > limit) {
            break;
        }
    }
    *n_out = n;
    return FW_OK;
}

fw_err fw_io_read_file(const char *path, size_t max_bytes, char **out,
                       size_t *out_len, struct fw_diag *d)
{
    fw_err err = FW_OK;
    char *buf = NULL;
    size_t len = 0, len2 = 0;
    gzFile gz = NULL;

    /* Two passes: the first only counts the decompressed bytes, so that a
     * file over the cap (a gzip bomb) fails having used no more memory
     * than a 64 KiB block; the second reads into a buffer of exactly that
     * size. gzopen reads plain files unchanged, so one path serves both. */
    for (int pass = 0; pass < 2; pass++) {
        gz = gzopen(path, "rb");
        if (gz == NULL) {
            err = fw_diag_set(d, FW_EIO, 0, 0, "cannot open: %s",
                              strerror(errno));
            goto out;
        }
        gzbuffer(gz, 1 << 17);
        if (pass == 0) {
            err = gz_drain(gz, path, NULL, max_bytes, &len, d);
            if (err == FW_OK && len > max_bytes) {
                int is_mib = max_bytes % ((size_t)1 << 20) == 0;
                err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                                  "more than %zu %s after decompression "
                                  "(the cap on one source file)",
                                  is_mib ? max_bytes >> 20 : max_bytes,
                                  is_mib ? "MiB" : "bytes");
            }
        } else {
            buf = malloc(len + 1);
            if (buf == NULL) {
                err = FW_ENOMEM;
                goto out;
            }
            err = gz_drain(gz, path, buf, len, &len2, d);
            if (err == FW_OK && len2 != len) {
                err = fw_diag_set(d, FW_EIO, 0, 0,
                                  "the file changed while it was read");
            }
        }
        /* A gzip stream cut short may only be reported at close. */
        int zrc = gzclose(gz);
        gz = NULL;
        if (err == FW_OK && zrc != Z_OK) {
            err = zrc == Z_ERRNO
                      ? fw_diag_set(d, FW_EIO, 0, 0, "read failed: %s",
                                    strerror(errno))
                      : fw_diag_set(d, FW_EPARSE, 0, 0,
                                    "truncated or corrupt gzip data");
        }
        if (err != FW_OK) {
            goto out;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    if (gz != NULL) {
        gzclose(gz);
    }
    free(buf);
    return err;
}

fw_err fw_io_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return FW_EIO;
    }
    fw_err err = FW_OK;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char chunk[1 << 16];
    unsigned char md[32];
    unsigned int md_len = 0;
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        err = FW_ENOMEM;
        goto out;
    }
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        EVP_DigestUpdate(ctx, chunk, n);
    }
    if (ferror(f)) {
        err = FW_EIO;
        goto out;
    }
    EVP_DigestFinal_ex(ctx, md, &md_len);
    for (unsigned i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
out:
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return err;
}
