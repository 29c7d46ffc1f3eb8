/*
 * fwtest.c - see fwtest.h.
 */
#include "fwtest.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontwatch/date.h"
#include "frontwatch/ingest.h"

static const char *join(const char *env, const char *fallback,
                        const char *rel)
{
    static char buf[4096];
    const char *dir = getenv(env);
    if (dir == NULL || dir[0] == '\0') {
        dir = fallback;
    }
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    return buf;
}

const char *fwt_shared(const char *rel)
{
    const char *p = join("FW_SHARED_DATA", "../shared/data", rel);
    struct stat st;
    return stat(p, &st) == 0 ? p : NULL;
}

const char *fwt_shared_or_skip(const char *rel)
{
    const char *p = fwt_shared(rel);
    if (p == NULL) {
        printf("SKIP: real data not found (%s); set FW_SHARED_DATA to the "
               "folder ../shared/data to run this test\n",
               rel);
        skip();
    }
    return p;
}

const char *fwt_fixture(const char *rel)
{
    return join("FW_TEST_DATA", "tests/data", rel);
}

const char *fwt_sample(const char *rel)
{
    return join("FW_SAMPLE_DATA", "data/sample", rel);
}

void fwt_near_or_fail(double got, double want, double tol, const char *file,
                      int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("got %.17g, want %.17g (tolerance %g)\n", got, want, tol);
        _fail(file, line);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first eight digits of a file name (dashes skipped), YYYYMMDD; 0
 * when it has none. */
static long name_day(const char *name)
{
    long v = 0;
    int n = 0;
    for (const char *p = name; *p && n < 8; p++) {
        if (isdigit((unsigned char)*p)) {
            v = v * 10 + (*p - '0');
            n++;
        } else if (n > 0 && *p != '-') {
            break;
        }
    }
    return n == 8 ? v : 0;
}

int fwt_ingest_dir(fw_store *st, const char *dir, long after_day,
                   long max_day)
{
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        fprintf(stderr, "%s: cannot read the folder\n", dir);
        return -1;
    }
    char *names[1024];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL && n < 1024) {
        long day = name_day(e->d_name);
        if (e->d_name[0] == '.' ||
            (max_day > 0 && (day <= after_day || day > max_day))) {
            continue;
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[n] == NULL) {
            break;
        }
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        enum fw_source_kind kind;
        struct fw_diag d;
        fw_diag_reset(&d);
        fw_err err = fw_ingest_sniff(names[i], &kind, &d);
        if (err == FW_OK && kind != FW_SOURCE_UNKNOWN) {
            err = fw_ingest_file(st, names[i], NULL, NULL, NULL, &d);
        }
        if (err != FW_OK && err != FW_EUSAGE) {
            fprintf(stderr, "%s: %s\n", names[i], d.msg);
            rc = -1;
        }
        free(names[i]);
    }
    return rc;
}

void fwt_remove_db(const char *db)
{
    char p[4096];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

int64_t fwt_day_s(const char *iso)
{
    int64_t t = 0;
    if (fw_date_parse_day(iso, &t) != FW_OK) {
        fail_msg("no such day: %s", iso);
    }
    return t;
}

int fwt_store_of(const char *db, const char *const *dirs, size_t n_dirs)
{
    fw_store *st = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    if (fw_store_open(db, FW_STORE_WRITE, &st, &d) != FW_OK) {
        fprintf(stderr, "%s: %s\n", db, d.msg);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_dirs; i++) {
        const char *path = fwt_shared(dirs[i]);
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", path ? path : "");
        rc = path != NULL ? fwt_ingest_dir(st, copy, 0, 0) : -1;
    }
    if (rc == 0 && fw_ingest_derive(st, &d) != FW_OK) {
        fprintf(stderr, "%s: %s\n", db, d.msg);
        rc = -1;
    }
    fw_store_close(st);
    return rc;
}

int fwt_full_store(const char *db)
{
    static const char *const dirs[] = {
        "gazetteer", "alerts", "boundaries",
        "frontline/deepstate_full_layers_2022-2025",
        "frontline/nzz_liveuamap_occupied_2022-2026",
        "frontline/deepstate_occupied_2024-2026", "events"};
    return fwt_store_of(db, dirs, sizeof dirs / sizeof dirs[0]);
}

int fwt_temp_store(struct fwt_temp *t, const char *tag)
{
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/fw%s.XXXXXX", tag);
    if (mkdtemp(t->dir) == NULL) {
        t->dir[0] = '\0';
        return -1;
    }
    snprintf(t->db, sizeof t->db, "%s/%s.db", t->dir, tag);
    return 0;
}

void fwt_temp_store_remove(struct fwt_temp *t)
{
    if (t->dir[0] != '\0') {
        fwt_remove_db(t->db);
        rmdir(t->dir);
    }
    memset(t, 0, sizeof *t);
}

int fwt_open_real(const char *db, struct fwt_env *e)
{
    if (fwt_shared_or_skip("frontline") == NULL) {
        return 0;
    }
    struct fw_diag d;
    assert_int_equal(fw_store_open(db, FW_STORE_READ, &e->st, &d), FW_OK);
    assert_int_equal(fw_geo_new(e->st, &e->g, &d), FW_OK);
    return 1;
}

void fwt_close(struct fwt_env *e)
{
    fw_geo_free(e->g);
    fw_store_close(e->st);
    e->g = NULL;
    e->st = NULL;
}

int fwt_real_store_setup(struct fwt_temp *t, const char *tag)
{
    if (fwt_shared("frontline") == NULL) {
        return 0; /* each test skips, saying why */
    }
    if (fwt_temp_store(t, tag) != 0) {
        return -1;
    }
    return fwt_full_store(t->db);
}
