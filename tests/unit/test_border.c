/*
 * test_border.c - the state border (border.h) on the real data: the line
 * the rule derives from OSM's Russia and Minregion's oblasts, distances
 * from known places (issue 14), one of them against a brute-force
 * geodesic minimum, and broken shapefiles, which must fail with a clear
 * error and leave the store unchanged.
 *
 * Skipped, with the reason printed, when ../shared/data is absent.
 */
#include "fwtest.h"

#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/assess.h"
#include "frontwatch/border.h"
#include "frontwatch/ingest.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

#define RU_SHP "boundaries/osm_russia_incl_crimea"

static struct fwt_temp g_store;

/* gazetteer and boundaries of the real data, and the derived tables */
static int setup(void **state)
{
    (void)state;
    if (fwt_shared("boundaries") == NULL) {
        return 0; /* each test skips, saying why */
    }
    if (fwt_temp_store(&g_store, "border") != 0) {
        return -1;
    }
    static const char *const dirs[] = {"gazetteer", "boundaries"};
    return fwt_store_of(g_store.db, dirs, 2);
}

static int teardown(void **state)
{
    (void)state;
    fwt_temp_store_remove(&g_store);
    return 0;
}

static struct fw_place place(fw_store *st, const char *query)
{
    struct fw_place *v = NULL;
    size_t n = 0;
    struct fw_diag d;
    assert_int_equal(fw_place_find(st, query, &v, &n, &d), FW_OK);
    assert_true(n >= 1);
    struct fw_place p = v[0];
    free(v);
    return p;
}

static double km_between(double lat1, double lon1, double lat2, double lon2)
{
    struct geod_geodesic geod;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    double s12 = 0;
    geod_inverse(&geod, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12 / 1000.0;
}

/* The stored border line of country as a GEOS geometry of context h. */
static GEOSGeometry *stored_line(fw_store *st, GEOSContextHandle_t h,
                                 const char *country, double *length_km)
{
    sqlite3_stmt *s = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_prepare(st,
                                      "SELECT wkb, length_km FROM state_border"
                                      " WHERE country = ?1",
                                      &s, &d),
                     FW_OK);
    sqlite3_bind_text(s, 1, country, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSGeometry *gm = GEOSWKBReader_read_r(h, rd, sqlite3_column_blob(s, 0),
                                            (size_t)sqlite3_column_bytes(s, 0));
    *length_km = sqlite3_column_double(s, 1);
    GEOSWKBReader_destroy_r(h, rd);
    sqlite3_finalize(s);
    assert_non_null(gm);
    return gm;
}

/* The line the rule derives: its length, its two ends (the tripoint with
 * Belarus and the Sea of Azov, border.h), and every vertex where the rule
 * says: north of FW_BORDER_MIN_LAT_DEG. */
static void test_the_line(void **state)
{
    (void)state;
    struct fwt_env c;
    if (fwt_shared_or_skip(RU_SHP ".shp") == NULL) {
        return;
    }
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_store.db, FW_STORE_READ, &c.st, &d),
                     FW_OK);
    GEOSContextHandle_t h = GEOS_init_r();
    double len_km = 0;
    GEOSGeometry *line = stored_line(c.st, h, "RU", &len_km);
    printf("  RU border: %.1f km in %d parts\n", len_km,
           GEOSGetNumGeometries_r(h, line));
    /* the Russia-Ukraine land border is about 1,974 km long */
    assert_near(len_km, 1970.3, 1.0);
    assert_int_equal(GEOSGetNumGeometries_r(h, line), 2);
    double lat_min = 90, lat_max = -90;
    double lon_at_min = 0, lon_at_max = 0;
    for (int k = 0; k < GEOSGetNumGeometries_r(h, line); k++) {
        const GEOSCoordSequence *cs =
            GEOSGeom_getCoordSeq_r(h, GEOSGetGeometryN_r(h, line, k));
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        for (unsigned i = 0; i < n; i++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
            assert_true(y >= FW_BORDER_MIN_LAT_DEG);
            if (y < lat_min) {
                lat_min = y;
                lon_at_min = x;
            }
            if (y > lat_max) {
                lat_max = y;
                lon_at_max = x;
            }
        }
    }
    /* the southern end on the Sea of Azov (the western end, the tripoint
     * with Belarus, is Lviv's nearest point below) */
    assert_true(km_between(lat_min, lon_at_min, 47.1152, 38.2209) < 0.1);
    printf("  southernmost %.4f N %.4f E, northernmost %.4f N %.4f E\n",
           lat_min, lon_at_min, lat_max, lon_at_max);
    GEOSGeom_destroy_r(h, line);
    GEOS_finish_r(h);
    fw_store_close(c.st);
}

/* Issue 14: Kharkiv 33-37 km, Vovchansk under 8, Sumy 25-30, Lviv
 * 590-605 km, its nearest point the tripoint with Belarus. */
static void test_known_places(void **state)
{
    (void)state;
    struct fwt_env c;
    if (fwt_shared_or_skip(RU_SHP ".shp") == NULL) {
        return;
    }
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_store.db, FW_STORE_READ, &c.st, &d),
                     FW_OK);
    assert_int_equal(fw_geo_new(c.st, &c.g, &d), FW_OK);
    static const struct {
        const char *place;
        double lo_km, hi_km;
    } cases[] = {
        {"Kharkiv", 33, 37},
        {"Vovchansk", 0, 8},
        {"Sumy", 25, 30},
        {"Lviv", 590, 605},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fw_place p = place(c.st, cases[i].place);
        struct fw_border_distance b;
        assert_int_equal(fw_border_distance(c.g, p.lat_deg, p.lon_deg, &b, &d),
                         FW_OK);
        printf("  %s: %.2f km to the %s border, at %.4f N %.4f E\n",
               cases[i].place, b.distance_km, b.country, b.nearest_lat_deg,
               b.nearest_lon_deg);
        assert_string_equal(b.country, "RU");
        assert_true(b.distance_km >= cases[i].lo_km);
        assert_true(b.distance_km <= cases[i].hi_km);
        if (strcmp(cases[i].place, "Lviv") == 0) {
            /* the tripoint Belarus-Russia-Ukraine (Senkivka) */
            assert_true(km_between(b.nearest_lat_deg, b.nearest_lon_deg,
                                   52.1105, 31.7694) < 1.0);
        }
    }
    /* bad coordinates */
    struct fw_border_distance b;
    assert_int_equal(fw_border_distance(c.g, NAN, 30, &b, &d), FW_ERANGE);
    assert_int_equal(fw_border_distance(c.g, 50, 181, &b, &d), FW_ERANGE);
    fwt_close(&c);
}

/* Brute force: the least geodesic distance from (lat, lon) to the stored
 * line, every edge walked along its geodesic in steps of at most 50 m. */
static double brute_force_km(fw_store *st, double lat, double lon)
{
    struct geod_geodesic geod;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    GEOSContextHandle_t h = GEOS_init_r();
    double len_km = 0;
    GEOSGeometry *line = stored_line(st, h, "RU", &len_km);
    double best = INFINITY;
    for (int k = 0; k < GEOSGetNumGeometries_r(h, line); k++) {
        const GEOSCoordSequence *cs =
            GEOSGeom_getCoordSeq_r(h, GEOSGetGeometryN_r(h, line, k));
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        double px = 0, py = 0;
        for (unsigned i = 0; i < n; i++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
            if (i > 0) {
                struct geod_geodesicline gl;
                geod_inverseline(&gl, &geod, py, px, y, x, 0);
                int steps = (int)ceil(gl.s13 / 50.0);
                for (int s = 0; s <= steps; s++) {
                    double la, lo, s12 = 0;
                    geod_position(&gl, gl.s13 * s / (steps ? steps : 1), &la,
                                  &lo, NULL);
                    geod_inverse(&geod, lat, lon, la, lo, &s12, NULL, NULL);
                    best = fmin(best, s12 / 1000.0);
                }
            }
            px = x;
            py = y;
        }
    }
    GEOSGeom_destroy_r(h, line);
    GEOS_finish_r(h);
    return best;
}

static void test_distance_independent(void **state)
{
    (void)state;
    struct fwt_env c;
    if (fwt_shared_or_skip(RU_SHP ".shp") == NULL) {
        return;
    }
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_store.db, FW_STORE_READ, &c.st, &d),
                     FW_OK);
    assert_int_equal(fw_geo_new(c.st, &c.g, &d), FW_OK);
    const char *names[] = {"Kharkiv", "Vovchansk", "Chernihiv"};
    for (size_t i = 0; i < 3; i++) {
        struct fw_place p = place(c.st, names[i]);
        struct fw_border_distance b;
        assert_int_equal(fw_border_distance(c.g, p.lat_deg, p.lon_deg, &b, &d),
                         FW_OK);
        double want = brute_force_km(c.st, p.lat_deg, p.lon_deg);
        printf("  %s: %.3f km, brute force %.3f km\n", names[i], b.distance_km,
               want);
        /* the brute force's 50 m steps put it at most 25 m too far */
        assert_true(b.distance_km <= want + 0.001);
        assert_true(b.distance_km >= want - 0.030);
    }
    fwt_close(&c);
}

/* assess carries the distance (here without maps: status unknown, the
 * border still measured), and its JSON the two fields; a store without a
 * border gives "" and null. */
static void test_assess_fields(void **state)
{
    (void)state;
    struct fwt_env c;
    if (fwt_shared_or_skip(RU_SHP ".shp") == NULL) {
        return;
    }
    struct fw_diag d;
    assert_int_equal(fw_store_open(g_store.db, FW_STORE_READ, &c.st, &d),
                     FW_OK);
    assert_int_equal(fw_geo_new(c.st, &c.g, &d), FW_OK);
    struct fw_place p = place(c.st, "Vovchansk");
    struct fw_assessment a;
    assert_int_equal(
        fw_assess(c.st, c.g, &p, 1714521600 /* 2024-05-01 */, &a, &d), FW_OK);
    assert_string_equal(a.border_country, "RU");
    assert_near(a.distance_to_border_km, 6.38, 0.01);
    char *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    fw_assess_write_json(&a, f);
    fclose(f);
    assert_non_null(strstr(
        json, "\"distance_to_border_km\":6.4,\"border_country\":\"RU\""));
    free(json);
    fwt_close(&c);

    /* an empty store: no border */
    struct fwt_temp t;
    assert_int_equal(fwt_temp_store(&t, "noborder"), 0);
    assert_int_equal(fw_store_open(t.db, FW_STORE_WRITE, &c.st, &d), FW_OK);
    assert_int_equal(fw_geo_new(c.st, &c.g, &d), FW_OK);
    struct fw_border_distance b;
    assert_int_equal(fw_border_distance(c.g, p.lat_deg, p.lon_deg, &b, &d),
                     FW_ENOTFOUND);
    assert_int_equal(fw_assess(c.st, c.g, &p, 1714521600, &a, &d), FW_OK);
    assert_string_equal(a.border_country, "");
    assert_true(isnan(a.distance_to_border_km));
    f = open_memstream(&json, &len);
    fw_assess_write_json(&a, f);
    fclose(f);
    assert_non_null(
        strstr(json, "\"distance_to_border_km\":null,\"border_country\":null"));
    free(json);
    fwt_close(&c);
    fwt_temp_store_remove(&t);
}

/* ---- broken shapefiles ------------------------------------------------ */

/* Copies the first max_bytes (all when 0) of src to dst. */
static void copy_file(const char *src, const char *dst, long max_bytes)
{
    FILE *in = fopen(src, "rb");
    FILE *out = fopen(dst, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[1 << 16];
    long total = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (max_bytes > 0 && total + (long)n > max_bytes) {
            n = (size_t)(max_bytes - total);
        }
        assert_int_equal(fwrite(buf, 1, n, out), n);
        total += (long)n;
        if (max_bytes > 0 && total >= max_bytes) {
            break;
        }
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* dir/name.ext (static storage, reused after four calls) */
static const char *in_dir(const char *dir, const char *name, const char *ext)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s%s", dir, name, ext);
    return buf[k];
}

/* Copies the real shapefile's parts to dir/name.*: the .shp cut to
 * shp_bytes (0: whole), the .shx unless !with_shx, the .dbf unless
 * !with_dbf. */
static void copy_shapefile(const char *dir, const char *name, long shp_bytes,
                           int with_shx, int with_dbf)
{
    char src[4096];
    snprintf(src, sizeof src, "%s", fwt_shared(RU_SHP ".shp"));
    size_t base = strlen(src) - 4;
    copy_file(src, in_dir(dir, name, ".shp"), shp_bytes);
    if (with_shx) {
        memcpy(src + base, ".shx", 4);
        copy_file(src, in_dir(dir, name, ".shx"), 0);
    }
    if (with_dbf) {
        memcpy(src + base, ".dbf", 4);
        copy_file(src, in_dir(dir, name, ".dbf"), 0);
    }
}

/* A .dbf of another shapefile: n_records rows naming iso2 and name. */
static void write_dbf(const char *path, int n_records, const char *iso2,
                      const char *name)
{
    DBFHandle h = DBFCreate(path);
    assert_non_null(h);
    assert_int_equal(DBFAddField(h, "ISO_A2", FTString, 2, 0), 0);
    assert_int_equal(DBFAddField(h, "name", FTString, 64, 0), 1);
    for (int i = 0; i < n_records; i++) {
        assert_true(DBFWriteStringAttribute(h, i, 0, iso2));
        assert_true(DBFWriteStringAttribute(h, i, 1, name));
    }
    DBFClose(h);
}

/* A fingerprint of the store's tables. */
static void counts(fw_store *st, char *buf, size_t len)
{
    sqlite3_stmt *s = NULL;
    struct fw_diag d;
    assert_int_equal(
        fw_store_prepare(
            st,
            "SELECT (SELECT count(*) FROM ingest_log), (SELECT count(*) FROM"
            " ingest_issue), (SELECT count(*) FROM country_outline),"
            " (SELECT count(*) FROM boundary), (SELECT count(*) FROM"
            " state_border), (SELECT coalesce(max(id), 0) FROM state_border),"
            " (SELECT coalesce(sum(length_km), 0) FROM state_border)",
            &s, &d),
        FW_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(buf, len, "%lld %lld %lld %lld %lld %lld %.6f",
             sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
             sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
             sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5),
             sqlite3_column_double(s, 6));
    sqlite3_finalize(s);
}

/* Ingests a broken shapefile: the error, its message, and nothing
 * changed, through fw_ingest_file and through the pipelined ingest. */
static void expect_failure(fw_store *st, const char *path, const char *want_msg)
{
    char before[256], after[256];
    counts(st, before, sizeof before);
    struct fw_diag d;
    struct fw_ingest_result r;
    fw_err err = fw_ingest_file(st, path, NULL, NULL, &r, &d);
    printf("  %s -> %s: feature %ld: %s\n", path, d.file, d.feature, d.msg);
    assert_int_equal(err, FW_EPARSE);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, want_msg));
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    counts(st, after, sizeof after);
    assert_string_equal(before, after);

    char *paths[] = {(char *)path};
    struct fw_ingest_pipe *p = NULL;
    struct fw_diag pd;
    assert_int_equal(fw_ingest_pipe_open(st, paths, 1, 2, &p, &pd), FW_OK);
    assert_int_equal(fw_ingest_pipe_file(p, 0, NULL, NULL, &r, &pd), FW_EPARSE);
    fw_ingest_pipe_close(p);
    assert_string_equal(pd.msg, d.msg);
    counts(st, after, sizeof after);
    assert_string_equal(before, after);
}

static void test_broken_shapefiles(void **state)
{
    (void)state;
    if (fwt_shared_or_skip(RU_SHP ".shp") == NULL) {
        return;
    }
    struct fwt_temp t;
    assert_int_equal(fwt_temp_store(&t, "brokenshp"), 0);
    fw_store *st = NULL;
    struct fw_diag d;
    struct fw_ingest_result r;
    assert_int_equal(fw_store_open(t.db, FW_STORE_WRITE, &st, &d), FW_OK);
    assert_int_equal(fw_ingest_file(st,
                                    fwt_shared("boundaries/"
                                               "minregion_oblast_2020.geojson"),
                                    NULL, NULL, &r, &d),
                     FW_OK);
    copy_shapefile(t.dir, "good", 0, 1, 1);
    char good[512];
    snprintf(good, sizeof good, "%s", in_dir(t.dir, "good", ".shp"));
    enum fw_source_kind kind;
    assert_int_equal(fw_ingest_sniff(good, &kind, &d), FW_OK);
    assert_int_equal(kind, FW_SOURCE_COUNTRY_OUTLINE);
    /* its .shx and .dbf come with it: alone, they are no source */
    assert_int_equal(fw_ingest_sniff(in_dir(t.dir, "good", ".shx"), &kind, &d),
                     FW_OK);
    assert_int_equal(kind, FW_SOURCE_UNKNOWN);
    assert_int_equal(fw_ingest_sniff(in_dir(t.dir, "good", ".dbf"), &kind, &d),
                     FW_OK);
    assert_int_equal(kind, FW_SOURCE_UNKNOWN);
    assert_int_equal(fw_ingest_file(st, good, NULL, NULL, &r, &d), FW_OK);
    assert_int_equal(r.kind, FW_SOURCE_COUNTRY_OUTLINE);
    assert_int_equal(r.rows_accepted, 30); /* polygons */
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    char first[256];
    counts(st, first, sizeof first);
    printf("  store: %s\n", first);
    assert_non_null(strstr(first, " 1970.")); /* the border, derived */

    /* the .shp cut in half, as a failed download leaves it */
    copy_shapefile(t.dir, "cut", 1875744 / 2, 1, 1);
    expect_failure(st, in_dir(t.dir, "cut", ".shp"),
                   "truncated: 937872 bytes of the 1875744 its header "
                   "gives");
    /* no .shx beside the .shp */
    copy_shapefile(t.dir, "noshx", 0, 0, 1);
    expect_failure(st, in_dir(t.dir, "noshx", ".shp"),
                   "noshx.shx is missing: a shapefile's .shp needs its .shx");
    /* the .dbf of another shapefile: two records for the .shp's one */
    copy_shapefile(t.dir, "wrongdbf", 0, 1, 0);
    write_dbf(in_dir(t.dir, "wrongdbf", ".dbf"), 2, "RU", "Russia");
    expect_failure(st, in_dir(t.dir, "wrongdbf", ".shp"),
                   "wrongdbf.dbf: 2 records, but the .shp has 1: the .dbf of "
                   "another shapefile");
    /* a .dbf naming no country */
    copy_shapefile(t.dir, "nocountry", 0, 1, 0);
    write_dbf(in_dir(t.dir, "nocountry", ".dbf"), 1, "", "Nowhere");
    expect_failure(st, in_dir(t.dir, "nocountry", ".shp"),
                   "nocountry.dbf: its row names no country");

    /* the good one again: nothing new; with another .dbf (same record
     * count) it is a new source, whose outline replaces the border */
    assert_int_equal(fw_ingest_file(st, good, NULL, NULL, &r, &d), FW_OK);
    assert_true(r.is_duplicate);
    write_dbf(in_dir(t.dir, "good", ".dbf"), 1, "RU", "Russia (copy)");
    assert_int_equal(fw_ingest_file(st, good, NULL, NULL, &r, &d), FW_OK);
    assert_false(r.is_duplicate);
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    char second[256];
    counts(st, second, sizeof second);
    printf("  store: %s\n", second);
    assert_string_not_equal(first, second);
    assert_non_null(strstr(second, " 1970.")); /* the same line again */

    fw_store_close(st);
    const char *names[] = {"good", "cut", "noshx", "wrongdbf", "nocountry"};
    const char *exts[] = {".shp", ".shx", ".dbf"};
    for (size_t i = 0; i < 5; i++) {
        for (size_t k = 0; k < 3; k++) {
            unlink(in_dir(t.dir, names[i], exts[k]));
        }
    }
    fwt_temp_store_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_line),
        cmocka_unit_test(test_known_places),
        cmocka_unit_test(test_distance_independent),
        cmocka_unit_test(test_assess_fields),
        cmocka_unit_test(test_broken_shapefiles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
