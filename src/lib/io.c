/*
 * io.c - whole-file reads with transparent gzip and a size cap (see io.h).
 */
#include "frontwatch/io.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

fw_err fw_io_read_file(const char *path, size_t max_bytes, char **out,
                       size_t *out_len, struct fw_diag *d)
{
    fw_err err = FW_OK;
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 1 << 16;

    /* gzopen reads plain files unchanged, so one path serves both. */
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        return fw_diag_set(d, FW_EIO, 0, 0, "cannot open: %s",
                           strerror(errno));
    }
    gzbuffer(gz, 1 << 17);
    buf = malloc(cap);
    if (buf == NULL) {
        err = FW_ENOMEM;
        goto out;
    }
    for (;;) {
        if (cap - len < 2) {
            if (cap >= max_bytes + 1) {
                err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                                  "file is larger than %zu bytes "
                                  "(after decompression)",
                                  max_bytes);
                goto out;
            }
            size_t ncap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                err = FW_ENOMEM;
                goto out;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t want = cap - len - 1;
        if (want > (1u << 30)) {
            want = 1u << 30;
        }
        int n = gzread(gz, buf + len, (unsigned)want);
        if (n < 0) {
            int zerr = 0;
            const char *msg = gzerror(gz, &zerr);
            err = fw_diag_set(d, FW_EIO, 0, 0, "read failed: %s",
                              zerr == Z_ERRNO ? strerror(errno) : msg);
            goto out;
        }
        if (n == 0) {
            int zerr = 0;
            const char *msg = gzerror(gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) {
                err = fw_diag_set(d, FW_EIO, 0, 0, "corrupt gzip data: %s",
                                  msg);
                goto out;
            }
            break;
        }
        len += (size_t)n;
        if (len > max_bytes) {
            err = fw_diag_set(d, FW_ELIMIT, 0, 0,
                              "file is larger than %zu bytes "
                              "(after decompression)",
                              max_bytes);
            goto out;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    free(buf);
    /* A truncated gzip stream is only reported at close. */
    if (gzclose(gz) != Z_OK && err == FW_OK) {
        free(*out);
        *out = NULL;
        err = fw_diag_set(d, FW_EIO, 0, 0,
                          "corrupt or truncated gzip stream");
    }
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
