/*
 * test_io.c - whole-file reads (io.h): plain and gzip files, several gzip
 * members, a gzip stream cut short, and the decompressed-size cap that
 * stops a gzip bomb. The files are written here, in a temporary folder,
 * with zlib.
 */
#include "fwtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "frontwatch/io.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fw_test_io_XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* Writes n_members gzip members, each holding len bytes of data. */
static void write_gz(const char *path, const char *data, size_t len,
                     int n_members)
{
    for (int i = 0; i < n_members; i++) {
        gzFile gz = gzopen(path, i == 0 ? "wb9" : "ab9");
        assert_non_null(gz);
        assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
        assert_int_equal(gzclose(gz), Z_OK);
    }
}

static void write_raw(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_plain_and_gzip(void **state)
{
    (void)state;
    struct fw_diag d;
    char *buf = NULL;
    size_t len = 0;
    const char text[] = "region,started_at\nKyiv City,2022-02-25\n";
    write_raw(path_of("plain.csv"), text, sizeof text - 1);
    fw_diag_reset(&d);
    assert_int_equal(
        fw_io_read_file(path_of("plain.csv"), 1 << 20, &buf, &len, &d), FW_OK);
    assert_int_equal(len, sizeof text - 1);
    assert_memory_equal(buf, text, len);
    assert_int_equal(buf[len], '\0');
    free(buf);

    /* three members read as one stream */
    write_gz(path_of("three.csv.gz"), text, sizeof text - 1, 3);
    assert_int_equal(
        fw_io_read_file(path_of("three.csv.gz"), 1 << 20, &buf, &len, &d),
        FW_OK);
    assert_int_equal(len, 3 * (sizeof text - 1));
    assert_memory_equal(buf + 2 * (sizeof text - 1), text, sizeof text - 1);
    free(buf);

    /* an empty file is an empty buffer, not an error */
    write_raw(path_of("empty"), "", 0);
    assert_int_equal(fw_io_read_file(path_of("empty"), 1 << 20, &buf, &len, &d),
                     FW_OK);
    assert_int_equal(len, 0);
    free(buf);
}

/* A download cut short is bad data (exit 1), not an I/O failure (exit 3):
 * FW_EPARSE with zlib's reason; the out-parameters are untouched. */
static void test_truncated_gzip(void **state)
{
    (void)state;
    char data[4096];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (char)('a' + (i * 7919) % 26);
    }
    write_gz(path_of("whole.gz"), data, sizeof data, 1);
    FILE *f = fopen(path_of("whole.gz"), "rb");
    assert_non_null(f);
    unsigned char gz[8192];
    size_t n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    write_raw(path_of("cut.gz"), gz, n / 2);

    struct fw_diag d;
    fw_diag_reset(&d);
    char *buf = (char *)"untouched";
    size_t len = 12345;
    assert_int_equal(
        fw_io_read_file(path_of("cut.gz"), 1 << 20, &buf, &len, &d), FW_EPARSE);
    assert_string_equal(d.msg,
                        "truncated or corrupt gzip data (unexpected end of "
                        "file)");
    assert_string_equal(buf, "untouched");
    assert_int_equal(len, 12345);

    assert_int_equal(fw_io_read_file(path_of("none"), 1 << 20, &buf, &len, &d),
                     FW_EIO);
}

/* The cap counts decompressed bytes: one byte over fails with FW_ELIMIT,
 * exactly the cap reads. (That a bomb is never held in memory is measured
 * by tests/cli/test_bad_inputs.sh, with a 640 MiB one.) */
static void test_cap(void **state)
{
    (void)state;
    char zeros[1 << 16];
    memset(zeros, 0, sizeof zeros);
    write_gz(path_of("bomb.gz"), zeros, sizeof zeros, 16); /* 1 MiB */
    struct fw_diag d;
    fw_diag_reset(&d);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(
        fw_io_read_file(path_of("bomb.gz"), (1 << 20) - 1, &buf, &len, &d),
        FW_ELIMIT);
    assert_null(buf);
    assert_string_equal(d.msg, "more than 1048575 bytes after decompression "
                               "(the cap on one source file)");
    assert_int_equal(
        fw_io_read_file(path_of("bomb.gz"), 1 << 20, &buf, &len, &d), FW_OK);
    assert_int_equal(len, 1 << 20);
    free(buf);
}

/* A file larger than FW_IO_ONE_PASS_BYTES is counted first, then read
 * again into a buffer of its size: it reads whole under a cap above it,
 * and one byte over a cap between the two fails with FW_ELIMIT. */
static void test_two_passes_over_one_pass_size(void **state)
{
    (void)state;
    size_t block = (size_t)1 << 20;
    char *ones = malloc(block);
    assert_non_null(ones);
    memset(ones, '1', block);
    int n_members = (int)(FW_IO_ONE_PASS_BYTES / block) + 1; /* +1 MiB */
    size_t want = (size_t)n_members * block;
    write_gz(path_of("big.gz"), ones, block, n_members);
    free(ones);
    struct fw_diag d;
    fw_diag_reset(&d);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(fw_io_read_file(path_of("big.gz"), want, &buf, &len, &d),
                     FW_OK);
    assert_int_equal(len, want);
    assert_int_equal(buf[0], '1');
    assert_int_equal(buf[want - 1], '1');
    assert_int_equal(buf[want], '\0');
    free(buf);
    buf = NULL;
    assert_int_equal(
        fw_io_read_file(path_of("big.gz"), want - 1, &buf, &len, &d),
        FW_ELIMIT);
    assert_null(buf);
    char want_msg[96];
    snprintf(want_msg, sizeof want_msg,
             "more than %zu bytes after decompression (the cap on one "
             "source file)",
             want - 1);
    assert_string_equal(d.msg, want_msg);
}

/* Sizes around the buffer's doublings (256 KiB, 512 KiB) read exactly. */
static void test_growing_buffer_sizes(void **state)
{
    (void)state;
    size_t sizes[] = {0,
                      1,
                      (256 << 10) - 2,
                      (256 << 10) - 1,
                      256 << 10,
                      (256 << 10) + 1,
                      (512 << 10) - 1,
                      512 << 10,
                      (512 << 10) + 1,
                      3 << 20};
    char *data = malloc(3 << 20);
    assert_non_null(data);
    for (size_t i = 0; i < (size_t)3 << 20; i++) {
        data[i] = (char)('a' + i % 26);
    }
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (int gz = 0; gz < 2; gz++) {
            const char *path = path_of(gz ? "sz.gz" : "sz.txt");
            if (gz) {
                write_gz(path, data, sizes[k], 1);
            } else {
                write_raw(path, data, sizes[k]);
            }
            struct fw_diag d;
            fw_diag_reset(&d);
            char *buf = NULL;
            size_t len = 12345;
            assert_int_equal(
                fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len, &d), FW_OK);
            assert_int_equal(len, sizes[k]);
            assert_memory_equal(buf, data, sizes[k]);
            assert_int_equal(buf[len], '\0');
            free(buf);
            /* a cap of exactly the size reads; one less fails */
            if (sizes[k] > 0) {
                assert_int_equal(
                    fw_io_read_file(path, sizes[k], &buf, &len, &d), FW_OK);
                free(buf);
                buf = NULL;
                assert_int_equal(
                    fw_io_read_file(path, sizes[k] - 1, &buf, &len, &d),
                    FW_ELIMIT);
                assert_null(buf);
            }
        }
    }
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_gzip),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_two_passes_over_one_pass_size),
        cmocka_unit_test(test_growing_buffer_sizes),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
