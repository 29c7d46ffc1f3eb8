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

/* The first buffer of a read; doubled as the data comes. */
#define FIRST_BUFFER_BYTES ((size_t)256 << 10)

/* Closes gz; a gzip stream cut short may only be reported here. err is
 * the error so far: a close error replaces only FW_OK. */
static fw_err gz_finish(gzFile gz, fw_err err, struct fw_diag *d)
{
    int zrc = gzclose(gz);
    if (err == FW_OK && zrc != Z_OK) {
        err = zrc == Z_ERRNO ? fw_diag_set(d, FW_EIO, 0, 0, "read failed: %s",
                                           strerror(errno))
                             : fw_diag_set(d, FW_EPARSE, 0, 0,
                                           "truncated or corrupt gzip data");
    }
    return err;
}

static gzFile gz_open(const char *path, fw_err *err, struct fw_diag *d)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        *err = fw_diag_set(d, FW_EIO, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    gzbuffer(gz, 1 << 17);
    return gz;
}

static fw_err over_cap(size_t max_bytes, struct fw_diag *d)
{
    int is_mib = max_bytes % ((size_t)1 << 20) == 0;
    return fw_diag_set(d, FW_ELIMIT, 0, 0,
                       "more than %zu %s after decompression "
                       "(the cap on one source file)",
                       is_mib ? max_bytes >> 20 : max_bytes,
                       is_mib ? "MiB" : "bytes");
}

/* Reads gz from its start into a buffer that doubles as the data comes,
 * holding at most hold_max bytes. *buf_out (caller-owned) and *len_out
 * are set when the data ended within hold_max bytes; *buf_out is NULL and
 * *len_out hold_max + 1 when there is more. */
static fw_err read_growing(gzFile gz, const char *path, size_t hold_max,
                           char **buf_out, size_t *len_out, struct fw_diag *d)
{
    size_t cap =
        hold_max < FIRST_BUFFER_BYTES ? hold_max + 1 : FIRST_BUFFER_BYTES;
    size_t n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        return FW_ENOMEM;
    }
    for (;;) {
        size_t got = 0;
        fw_err err = gz_drain(gz, path, buf + n, cap - n - 1, &got, d);
        if (err != FW_OK) {
            free(buf);
            return err;
        }
        n += got;
        if (n < cap) {
            break; /* the end of the data, with room for the NUL */
        }
        if (cap > hold_max) {
            free(buf); /* more than hold_max bytes */
            *buf_out = NULL;
            *len_out = n;
            return FW_OK;
        }
        size_t grown = cap > hold_max / 2 ? hold_max + 1 : 2 * cap;
        char *p = realloc(buf, grown);
        if (p == NULL) {
            free(buf);
            return FW_ENOMEM;
        }
        buf = p;
        cap = grown;
    }
    /* Give back most of the doubling's slack (realloc shrinks in place). */
    if (cap - n > cap / 8) {
        char *p = realloc(buf, n + 1);
        buf = p != NULL ? p : buf;
    }
    *buf_out = buf;
    *len_out = n;
    return FW_OK;
}

fw_err fw_io_read_file(const char *path, size_t max_bytes, char **out,
                       size_t *out_len, struct fw_diag *d)
{
    fw_err err = FW_OK;
    char *buf = NULL;
    size_t len = 0, len2 = 0;
    size_t hold_max =
        max_bytes < FW_IO_ONE_PASS_BYTES ? max_bytes : FW_IO_ONE_PASS_BYTES;

    /* One pass into a growing buffer for files up to FW_IO_ONE_PASS_BYTES
     * (every real source file). gzopen reads plain files unchanged, so
     * one path serves both. */
    gzFile gz = gz_open(path, &err, d);
    if (gz == NULL) {
        return err;
    }
    err = read_growing(gz, path, hold_max, &buf, &len, d);
    if (err == FW_OK && buf == NULL) {
        /* Larger: count the rest in a 64 KiB block, so that a file over
         * the cap (a gzip bomb) fails having held no more than
         * FW_IO_ONE_PASS_BYTES; then read it again into a buffer of
         * exactly its size. */
        size_t more = 0;
        err = len > max_bytes
                  ? FW_OK
                  : gz_drain(gz, path, NULL, max_bytes - len, &more, d);
        len += more;
        if (err == FW_OK && len > max_bytes) {
            err = over_cap(max_bytes, d);
        }
        err = gz_finish(gz, err, d);
        gz = NULL;
        if (err != FW_OK) {
            goto out;
        }
        gz = gz_open(path, &err, d);
        if (gz == NULL) {
            goto out;
        }
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
    err = gz_finish(gz, err, d);
    gz = NULL;
    if (err != FW_OK) {
        goto out;
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
    return fw_io_sha256_files(&path, 1, hex);
}

fw_err fw_io_sha256_files(const char *const *paths, size_t n_paths,
                          char hex[65])
{
    fw_err err = FW_OK;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char chunk[1 << 16];
    unsigned char md[32];
    unsigned int md_len = 0;
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return FW_ENOMEM;
    }
    for (size_t i = 0; err == FW_OK && i < n_paths; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (f == NULL) {
            err = FW_EIO;
            break;
        }
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            EVP_DigestUpdate(ctx, chunk, n);
        }
        if (ferror(f)) {
            err = FW_EIO;
        }
        fclose(f);
    }
    if (err == FW_OK) {
        EVP_DigestFinal_ex(ctx, md, &md_len);
        for (unsigned i = 0; i < 32; i++) {
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        }
    }
    EVP_MD_CTX_free(ctx);
    return err;
}

fw_err fw_io_write_text_atomic(const char *path, const char *text,
                               struct fw_diag *d)
{
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot write %s: the name is"
                                            " too long",
                           path);
    }
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot create %s: %s", tmp,
                           strerror(errno));
    }
    size_t len = strlen(text);
    int bad = fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        const char *why = strerror(errno);
        remove(tmp);
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot write %s: %s", path, why);
    }
    return FW_OK;
}
