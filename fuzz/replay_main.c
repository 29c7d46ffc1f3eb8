/*
 * replay_main.c - main() for the replay drivers fuzz_replay_<reader>: runs
 * LLVMFuzzerTestOneInput once over every file given, or over every file
 * in every folder given (not recursing), in name order. Built with the
 * normal compiler and no libFuzzer, so that `make test` (CTest
 * fuzz_replay_<reader>) replays the seed corpora and every input that
 * once crashed a reader. A crash or broken invariant aborts the driver,
 * after it has named the input on stderr.
 *
 * Each input is copied into a buffer of exactly its size, so that a
 * reader reading past the end is caught by AddressSanitizer or valgrind.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Inputs larger than this are not replayed (the corpora hold small
 * files; libFuzzer's default -max_len is 4096). */
#define MAX_INPUT_BYTES ((size_t)64 << 20)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs one file; returns 0, or 1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || (size_t)sb.st_size > MAX_INPUT_BYTES) {
        fprintf(stderr, "replay: cannot size %s (or too large)\n", path);
        fclose(f);
        return 1;
    }
    size_t size = (size_t)sb.st_size;
    /* malloc(0) may return NULL; keep a valid pointer for empty inputs */
    uint8_t *data = malloc(size > 0 ? size : 1);
    if (data == NULL || fread(data, 1, size, f) != size) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(data);
        fclose(f);
        return 1;
    }
    fclose(f);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

/* Runs every regular file in dir, in name order; *n_run counts them. */
static int replay_dir(const char *dir, size_t *n_run)
{
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        fprintf(stderr, "replay: cannot open folder %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                rc = 1;
                break;
            }
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) {
            rc = 1;
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(dp);
    if (rc == 0) {
        qsort(names, n, sizeof *names, cmp_str);
    }
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (rc == 0 && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
            rc = replay_file(names[i]);
            *n_run += rc == 0;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n_run = 0;
    int failed = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: no such file or folder %s\n", argv[i]);
            failed = 1;
        } else if (S_ISDIR(sb.st_mode)) {
            failed |= replay_dir(argv[i], &n_run);
        } else {
            failed |= replay_file(argv[i]);
            n_run += !failed;
        }
    }
    /* An empty corpus replays nothing and proves nothing. */
    if (n_run == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        failed = 1;
    }
    printf("%zu inputs replayed, %s\n", n_run, failed ? "FAILED" : "ok");
    return failed;
}
