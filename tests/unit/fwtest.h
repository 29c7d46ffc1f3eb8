/*
 * fwtest.h - helpers shared by the cmocka unit tests.
 */
#ifndef FWTEST_H
#define FWTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frontwatch/geo.h"
#include "frontwatch/store.h"

/* Path of rel inside the real data folder (../shared/data, or
 * $FW_SHARED_DATA), or NULL when that folder is absent. The returned
 * string is static storage, overwritten by the next call. */
const char *fwt_shared(const char *rel);

/* Like fwt_shared, but when the data is absent prints the reason and marks
 * the current test skipped (returns NULL; the caller then returns). */
const char *fwt_shared_or_skip(const char *rel);

/* The Unix time of midnight UTC of a day "YYYY-MM-DD"; fails the test
 * (or aborts, outside one) when iso is no such day. */
int64_t fwt_day_s(const char *iso);

/* Path of rel in tests/data (hand-made fixtures). */
const char *fwt_fixture(const char *rel);

/* Path of rel in data/sample (the bundled open sample). */
const char *fwt_sample(const char *rel);

/* Ingests the files of dir (not recursive) in name order, those frontwatch
 * does not recognise skipped; with max_day > 0 only those whose name's
 * date (its first eight digits, dashes skipped: YYYYMMDD) lies in
 * (after_day, max_day]. Returns 0, or -1 when dir cannot be read or a file
 * fails (other than as already ingested), after printing why. */
int fwt_ingest_dir(fw_store *st, const char *dir, long after_day,
                   long max_day);

/* Builds the store db from the real data's folders dirs (relative to it,
 * fwt_shared) in that order, then the derived tables. Returns 0, or -1
 * after printing why (a folder absent among them). */
int fwt_store_of(const char *db, const char *const *dirs, size_t n_dirs);

/* Builds the store db from the real data the way test_facts.c does:
 * gazetteer, alerts, boundaries, the three map series and the events,
 * then the derived tables. Returns 0, or -1 after printing why (the real
 * data absent among them). */
int fwt_full_store(const char *db);

/* A test group's store: a new folder /tmp/fw<tag>.XXXXXX and the path of
 * <tag>.db in it. fwt_temp_store returns 0, or -1 when the folder cannot
 * be made; fwt_temp_store_remove removes the store and the folder. */
struct fwt_temp {
    char dir[64];
    char db[128];
};
int fwt_temp_store(struct fwt_temp *t, const char *tag);
void fwt_temp_store_remove(struct fwt_temp *t);

/* A group setup: fwt_temp_store and fwt_full_store in it; 0 without the
 * real data too (each test then skips with fwt_open_real), -1 when the
 * store cannot be made. */
int fwt_real_store_setup(struct fwt_temp *t, const char *tag);

/* A store of the real data opened read-only with a geo engine, for one
 * test: fwt_open_real returns 1, or 0 after marking the test skipped
 * when the real data is absent (the caller then returns). */
struct fwt_env {
    fw_store *st;
    fw_geo *g;
};
int fwt_open_real(const char *db, struct fwt_env *e);
void fwt_close(struct fwt_env *e);

/* Removes the SQLite store db and its -wal and -shm files. */
void fwt_remove_db(const char *db);

/* cmocka 1.1 compares only floats; doubles need their own check: fails
 * the test unless |got - want| <= tol (NaN never passes). */
#define assert_near(got, want, tol)                                            \
    fwt_near_or_fail((got), (want), (tol), __FILE__, __LINE__)
void fwt_near_or_fail(double got, double want, double tol, const char *file,
                      int line);

#endif
